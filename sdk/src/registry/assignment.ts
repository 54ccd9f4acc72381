/**
 * Which keepers may attest or fail a device in an epoch, mirrored from
 * `programs/registry/src/assignment.rs` (checked against `sdk/test-vectors/assignment.json` by
 * `tests/assignment.test.ts`): a keeper lists the devices it is assigned this epoch without a
 * transaction. Browser-safe.
 *
 * `seed = sha256("iogrid/seed" | epoch u64 LE | hash of the record's seed slot)`; keeper account
 * `k` is assigned device `d` when `u64_le(sha256("iogrid/assign" | seed | d | k)[..8])` is below
 * `2^64 x min(1, committee x bond_k / B)`, `bond_k` its bond as the epoch began and `B` the
 * active keepers' bonds when the record opened.
 */
import { sha256 } from "@noble/hashes/sha2";
import type { PublicKey } from "@solana/web3.js";

import { concat, toBigInt, u64Le } from "../ints.js";

const utf8 = new TextEncoder();
export const SEED_DOMAIN = utf8.encode("iogrid/seed");
export const ASSIGNMENT_DOMAIN = utf8.encode("iogrid/assign");
/** Slots between opening an epoch's record and its seed slot. */
export const SEED_DELAY_SLOTS = 4n;

type Num = bigint | number | { toString(): string };
const big = toBigInt;

/** The epoch's seed from its seed slot's hash (`epoch_seed`). */
export function epochSeed(epoch: Num, seedSlotHash: Uint8Array): Uint8Array {
  return sha256(concat([SEED_DOMAIN, u64Le(big(epoch)), seedSlotHash]));
}

/** The keeper account's draw for a device under `seed`, uniform over u64 (`assignment_draw`). */
export function assignmentDraw(seed: Uint8Array, device: PublicKey, keeper: PublicKey): bigint {
  const digest = sha256(concat([ASSIGNMENT_DOMAIN, seed, device.toBytes(), keeper.toBytes()]));
  let value = 0n;
  for (let i = 7; i >= 0; i -= 1) value = (value << 8n) | BigInt(digest[i] ?? 0);
  return value;
}

/** Whether a draw selects a keeper of `weight` out of `total` bond for a committee (`drawn`). */
export function drawn(draw: bigint, weight: bigint, total: bigint, committee: number): boolean {
  if (weight === 0n || total === 0n) return false;
  const scaled = BigInt(committee) * weight;
  if (scaled >= total) return true;
  return draw < (scaled << 64n) / total;
}

/** Passes a device needs with `keeperCount` bonded keepers (`effective_passes_required`). */
export function effectivePassesRequired(passesRequired: number, keeperCount: Num): number {
  const bonded = Number(big(keeperCount) > 255n ? 255n : big(keeperCount));
  return Math.max(1, Math.min(passesRequired, bonded));
}

/** The fields of a `Keeper` its assignment weight reads. */
export interface KeeperBondLike {
  bondAmount: Num;
  bondChangedEpoch: Num;
  priorBond: Num;
}

/** A keeper's assignment weight in `epoch` (`keeper_weight`). */
export function keeperWeight(keeper: KeeperBondLike, epoch: Num): bigint {
  const bond = big(keeper.bondAmount);
  if (big(keeper.bondChangedEpoch) < big(epoch)) return bond;
  const prior = big(keeper.priorBond);
  return prior < bond ? prior : bond;
}

/** The fields of an `AvailabilityEpoch` assignment reads. */
export interface AssignmentRecordLike {
  epoch: Num;
  seedSlot: Num;
  seed: Uint8Array | number[];
  seedFixed: boolean;
  keeperBondTotal: Num;
  committeeSize: number;
}

/**
 * Whether the keeper account `keeperKey` is assigned `device` (registered at
 * `deviceRegisteredSlot`) in `record`'s epoch (`is_assigned`); false while the seed is not fixed.
 */
export function isAssigned(
  record: AssignmentRecordLike,
  device: PublicKey,
  deviceRegisteredSlot: Num,
  keeperKey: PublicKey,
  keeper: KeeperBondLike,
): boolean {
  if (!record.seedFixed || big(deviceRegisteredSlot) >= big(record.seedSlot)) return false;
  return drawn(
    assignmentDraw(Uint8Array.from(record.seed), device, keeperKey),
    keeperWeight(keeper, record.epoch),
    big(record.keeperBondTotal),
    record.committeeSize,
  );
}

/** The devices among `devices` the keeper account `keeperKey` is assigned in `record`'s epoch. */
export function assignedDevices<D extends { address: PublicKey; registeredSlot: Num }>(
  record: AssignmentRecordLike,
  keeperKey: PublicKey,
  keeper: KeeperBondLike,
  devices: readonly D[],
): D[] {
  return devices.filter((device) =>
    isAssigned(record, device.address, device.registeredSlot, keeperKey, keeper),
  );
}
