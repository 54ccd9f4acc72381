/**
 * The Merkle-root variant of availability (scale-path prototype), mirroring
 * `programs/registry/src/merkle.rs`: leaf `i` = sha256(0x00 | i u32 LE | device | weight u64 LE),
 * node = sha256(0x01 | left | right), padded with all-zero leaves to a power of two; proofs list
 * sibling hashes from the leaf level up.
 */
import { sha256 } from "@noble/hashes/sha2";
import type { PublicKey } from "@solana/web3.js";

/** Leaves one shard root may cover (`MAX_LEAVES_PER_SHARD`). */
export const MAX_LEAVES_PER_SHARD = 8_192;

export interface AvailabilityLeaf {
  device: PublicKey;
  /** Class multiplier (hundredths) x GPU count. */
  weight: bigint;
}

export function availabilityLeafHash(index: number, device: PublicKey, weight: bigint): Uint8Array {
  const bytes = new Uint8Array(1 + 4 + 32 + 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(1, index, true);
  bytes.set(device.toBytes(), 5);
  view.setBigUint64(37, weight, true);
  return sha256(bytes);
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(65);
  bytes[0] = 1;
  bytes.set(left, 1);
  bytes.set(right, 33);
  return sha256(bytes);
}

/** The root over `leaves` and each leaf's proof, as a keeper posts and hands them out. */
export function availabilityTree(leaves: AvailabilityLeaf[]): {
  root: Uint8Array;
  proofs: Uint8Array[][];
} {
  let width = 1;
  while (width < leaves.length) width *= 2;
  let level: Uint8Array[] = Array.from({ length: width }, (_, i) => {
    const leaf = leaves[i];
    return leaf ? availabilityLeafHash(i, leaf.device, leaf.weight) : new Uint8Array(32);
  });
  const proofs: Uint8Array[][] = leaves.map(() => []);
  while (level.length > 1) {
    proofs.forEach((proof, i) => {
      const position = i >> proof.length;
      proof.push(level[position ^ 1]!);
    });
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleNodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return { root: level[0]!, proofs };
}

/** Whether `proof` leads from leaf `index` (`device`, `weight`) to `root`, as the program checks. */
export function verifyAvailabilityProof(
  root: Uint8Array,
  index: number,
  leaf: AvailabilityLeaf,
  proof: Uint8Array[],
): boolean {
  let node = availabilityLeafHash(index, leaf.device, leaf.weight);
  let position = index;
  for (const sibling of proof) {
    node = position % 2 === 0 ? merkleNodeHash(node, sibling) : merkleNodeHash(sibling, node);
    position = Math.floor(position / 2);
  }
  return position === 0 && Buffer.from(node).equals(Buffer.from(root));
}
