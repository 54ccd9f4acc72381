/**
 * The availability probe, mirroring `programs/registry/src/probe.rs` byte for byte: the message a
 * device's agent signs, its challenge bound to a recent slot's hash from the SlotHashes sysvar,
 * and the one Ed25519 program instruction that carries the signatures of a whole attestation
 * batch (web3.js's `Ed25519Program` builds one signature per instruction). Checked against the
 * shared vectors in `sdk/test-vectors/probe.json`, written by the Rust tests. Browser-safe.
 *
 * Message v1, 125 bytes:
 * `"iogrid/probe" (12) | version = 1 (1) | device (32) | epoch u64 LE (8) | slot u64 LE (8) |
 *  challenge (32) | benchmark result hash (32)`, where
 * `challenge = sha256("iogrid/challenge" | version | device | epoch LE | slot LE | hash of slot |
 *  keeper)`, `keeper` being the registry `Keeper` account (`["keeper", authority]`) of the keeper
 * that asked for the probe and attests it: another keeper copying the signed probe out of a
 * pending attestation gets `ChallengeMismatch`.
 */
import { ed25519 } from "@noble/curves/ed25519";
import { sha256 } from "@noble/hashes/sha2";
import {
  Ed25519Program,
  PublicKey,
  SYSVAR_SLOT_HASHES_PUBKEY,
  TransactionInstruction,
} from "@solana/web3.js";
import type { Commitment, Connection } from "@solana/web3.js";
import { Buffer } from "buffer";

import { concat, u64Le } from "./ints.js";

const utf8 = new TextEncoder();

/** The message's first 12 bytes. */
export const PROBE_DOMAIN: Uint8Array = utf8.encode("iogrid/probe");
/** The first 16 bytes hashed into a challenge. */
export const CHALLENGE_DOMAIN: Uint8Array = utf8.encode("iogrid/challenge");
/** The message version the registry accepts. */
export const PROBE_VERSION = 1;
/** Bytes of a v1 probe message. */
export const PROBE_MESSAGE_LEN = 12 + 1 + 32 + 8 + 8 + 32 + 32;

/** A probe message's fields. */
export interface ProbeMessage {
  /** The device account (its PDA), not the agent key. */
  device: PublicKey;
  /** The registry epoch the probe is for (counted from iotoken's emission origin). */
  epoch: bigint;
  /** The slot whose hash the challenge is bound to. */
  slot: bigint;
  challenge: Uint8Array;
  /** The agent's benchmark result hash (32 bytes), recorded on the device with the pass. */
  benchmarkHash: Uint8Array;
}

/** Why a byte string is not an acceptable probe, named as the registry's errors. */
export type ProbeErrorName = "InvalidProbeMessage" | "UnsupportedProbeVersion";

/** A refusal of `parseProbeMessage`, carrying the registry error the program would return. */
export class ProbeError extends Error {
  constructor(
    readonly errorName: ProbeErrorName,
    message: string,
  ) {
    super(`${errorName}: ${message}`);
    this.name = "ProbeError";
  }
}

function bytes32(value: Uint8Array, what: string): Uint8Array {
  if (value.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${value.length}`);
  return value;
}

/** The 125 bytes an agent signs (`ProbeMessage::to_bytes`). */
export function encodeProbeMessage(message: ProbeMessage): Uint8Array {
  return concat([
    PROBE_DOMAIN,
    Uint8Array.of(PROBE_VERSION),
    message.device.toBytes(),
    u64Le(message.epoch),
    u64Le(message.slot),
    bytes32(message.challenge, "challenge"),
    bytes32(message.benchmarkHash, "benchmark hash"),
  ]);
}

/**
 * Parses a v1 message as the registry does (`ProbeMessage::parse`): a wrong length or domain is
 * `InvalidProbeMessage`, another version `UnsupportedProbeVersion` (thrown as `ProbeError`).
 */
export function parseProbeMessage(bytes: Uint8Array): ProbeMessage {
  if (bytes.length !== PROBE_MESSAGE_LEN || !PROBE_DOMAIN.every((b, i) => bytes[i] === b)) {
    throw new ProbeError("InvalidProbeMessage", `not a ${PROBE_MESSAGE_LEN}-byte iogrid probe`);
  }
  if (bytes[12] !== PROBE_VERSION) {
    throw new ProbeError("UnsupportedProbeVersion", `version ${bytes[12]}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    device: new PublicKey(bytes.slice(13, 45)),
    epoch: view.getBigUint64(45, true),
    slot: view.getBigUint64(53, true),
    challenge: bytes.slice(61, 93),
    benchmarkHash: bytes.slice(93, 125),
  };
}

/**
 * The challenge `keeper` puts to `device` for `epoch` at `slot`, whose hash is `slotHash`
 * (`probe_challenge`). `keeper` is the asking keeper's registry account, `keeperPda(authority)`,
 * not its wallet: the account `attest_availability` checks the challenge against.
 */
export function probeChallenge(
  device: PublicKey,
  epoch: bigint,
  slot: bigint,
  slotHash: Uint8Array,
  keeper: PublicKey,
): Uint8Array {
  return sha256(
    concat([
      CHALLENGE_DOMAIN,
      Uint8Array.of(PROBE_VERSION),
      device.toBytes(),
      u64Le(epoch),
      u64Le(slot),
      bytes32(slotHash, "slot hash"),
      keeper.toBytes(),
    ]),
  );
}

// SlotHashes

/** Bytes of one SlotHashes entry: slot u64 LE, then its 32-byte hash. */
export const SLOT_HASHES_ENTRY_LEN = 40;

/** One entry of the SlotHashes sysvar. */
export interface SlotHashEntry {
  slot: bigint;
  hash: Uint8Array;
}

/** Every entry of the SlotHashes sysvar's data (`count u64`, then entries, newest first). */
export function parseSlotHashes(data: Uint8Array): SlotHashEntry[] {
  if (data.length < 8) throw new Error("SlotHashes data is shorter than its count");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = Number(view.getBigUint64(0, true));
  if (8 + count * SLOT_HASHES_ENTRY_LEN > data.length) {
    throw new Error(`SlotHashes data holds fewer than its ${count} entries`);
  }
  const entries: SlotHashEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * SLOT_HASHES_ENTRY_LEN;
    entries.push({ slot: view.getBigUint64(at, true), hash: data.slice(at + 8, at + 40) });
  }
  return entries;
}

/**
 * The hash of `slot` in the SlotHashes sysvar's data, or undefined when the sysvar no longer (or
 * does not yet) hold it: the registry's `slot_hash`, the same binary search over newest-first
 * entries.
 */
export function slotHash(data: Uint8Array, slot: bigint): Uint8Array | undefined {
  if (data.length < 8) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getBigUint64(0, true);
  let low = 0n;
  let high = count;
  while (low < high) {
    const mid = (low + high) / 2n;
    const at = 8 + Number(mid) * SLOT_HASHES_ENTRY_LEN;
    if (at + SLOT_HASHES_ENTRY_LEN > data.length) return undefined;
    const midSlot = view.getBigUint64(at, true);
    if (midSlot === slot) return data.slice(at + 8, at + 40);
    // Newest first: a larger slot lies before the one looked for.
    if (midSlot > slot) low = mid + 1n;
    else high = mid;
  }
  return undefined;
}

/** The SlotHashes sysvar's entries as the chain holds them at `commitment` (default confirmed). */
export async function fetchSlotHashes(
  connection: Connection,
  commitment: Commitment = "confirmed",
): Promise<SlotHashEntry[]> {
  const info = await connection.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY, commitment);
  if (!info) throw new Error("the chain returned no SlotHashes sysvar account");
  return parseSlotHashes(info.data);
}

/**
 * The newest slot and hash the SlotHashes sysvar holds: what an agent binds a fresh probe to. The
 * probe then stays valid for the registry's `max_probe_age_slots` slots.
 */
export async function recentSlotHash(
  connection: Connection,
  commitment: Commitment = "confirmed",
): Promise<SlotHashEntry> {
  const [newest] = await fetchSlotHashes(connection, commitment);
  if (!newest) throw new Error("the SlotHashes sysvar is empty");
  return newest;
}

// Signing

/** A probe signed by a device's agent: what a keeper collects and attests. */
export interface SignedProbe {
  /** The agent key that signed (must be the device's `agent`). */
  publicKey: PublicKey;
  /** The signed bytes (normally a 125-byte probe message). */
  message: Uint8Array;
  /** The 64-byte Ed25519 signature. */
  signature: Uint8Array;
}

/** Anything holding a Solana secret key: a web3.js `Keypair` (64 bytes: seed, then public key). */
export interface AgentSigner {
  publicKey: PublicKey;
  secretKey: Uint8Array;
}

/** Signs `message` with the agent's key (Ed25519, as the Ed25519 program verifies it). */
export function signMessage(agent: AgentSigner, message: Uint8Array): SignedProbe {
  const signature = ed25519.sign(message, agent.secretKey.slice(0, 32));
  return { publicKey: agent.publicKey, message, signature };
}

/**
 * What a keeper sends a device's agent to sign: the fields its challenge is computed from. The
 * registry's `probeRequest` fills `keeper` from the attesting keeper's wallet.
 */
export interface ProbeRequest {
  /** The device account (its PDA), not the agent key. */
  device: PublicKey;
  /** The registry epoch the probe is for. */
  epoch: bigint;
  /** A recent slot (see `recentSlotHash`) and its hash from the SlotHashes sysvar. */
  slot: bigint;
  slotHash: Uint8Array;
  /**
   * The registry account of the keeper that will attest the probe, `keeperPda(authority)`; a
   * probe attested by any other keeper fails with `ChallengeMismatch`.
   */
  keeper: PublicKey;
}

/**
 * The agent's probe answering `request`: `device` in `epoch`, bound to `slot` whose hash is
 * `slotHash` and to the asking `keeper`; the message with its challenge, signed.
 */
export function signProbe(
  agent: AgentSigner,
  request: ProbeRequest & {
    /** 32 bytes; all zero when the agent ran no benchmark. */
    benchmarkHash?: Uint8Array;
  },
): SignedProbe {
  const message = encodeProbeMessage({
    device: request.device,
    epoch: request.epoch,
    slot: request.slot,
    challenge: probeChallenge(
      request.device,
      request.epoch,
      request.slot,
      request.slotHash,
      request.keeper,
    ),
    benchmarkHash: request.benchmarkHash ?? new Uint8Array(32),
  });
  return signMessage(agent, message);
}

/** Whether `probe.signature` is the agent's signature of `probe.message`. */
export function verifySignedProbe(probe: SignedProbe): boolean {
  try {
    return ed25519.verify(probe.signature, probe.message, probe.publicKey.toBytes());
  } catch {
    return false;
  }
}

// The Ed25519 program instruction

/** `[count u8, padding u8]` at the start of the Ed25519 program's instruction data. */
export const ED25519_HEADER_LEN = 2;
/** One signature's offsets: seven u16 LE. */
export const ED25519_OFFSETS_LEN = 14;
/** The instruction index meaning "this instruction's own data", the only one the registry accepts. */
export const ED25519_THIS_INSTRUCTION = 0xffff;

/**
 * The one Ed25519 program instruction verifying every signature of `probes`, in order (the order
 * of the attestation's devices): `[count, 0]`, then per signature its seven offsets (signature
 * offset and instruction index, public key offset and index, message offset, size and index, every
 * index `0xffff`: this instruction), then per signature its public key, signature and message.
 * It must sit immediately before `attest_availability` in the transaction.
 */
export function ed25519Instruction(probes: readonly SignedProbe[]): TransactionInstruction {
  if (probes.length === 0 || probes.length > 255) {
    throw new RangeError(
      `an Ed25519 instruction carries 1 to 255 signatures, not ${probes.length}`,
    );
  }
  const start = ED25519_HEADER_LEN + probes.length * ED25519_OFFSETS_LEN;
  const size = probes.reduce((n, p) => n + 32 + 64 + p.message.length, start);
  if (size > 0xffff) throw new RangeError(`${size} bytes of Ed25519 data exceed u16 offsets`);
  const data = new Uint8Array(size);
  const view = new DataView(data.buffer);
  data[0] = probes.length;
  let at = start;
  probes.forEach((probe, n) => {
    if (probe.signature.length !== 64) {
      throw new RangeError(`signature ${n} is ${probe.signature.length} bytes, not 64`);
    }
    const keyOffset = at;
    data.set(probe.publicKey.toBytes(), at);
    at += 32;
    const signatureOffset = at;
    data.set(probe.signature, at);
    at += 64;
    const messageOffset = at;
    data.set(probe.message, at);
    at += probe.message.length;
    const fields = [
      signatureOffset,
      ED25519_THIS_INSTRUCTION,
      keyOffset,
      ED25519_THIS_INSTRUCTION,
      messageOffset,
      probe.message.length,
      ED25519_THIS_INSTRUCTION,
    ];
    fields.forEach((value, i) =>
      view.setUint16(ED25519_HEADER_LEN + n * ED25519_OFFSETS_LEN + 2 * i, value, true),
    );
  });
  return new TransactionInstruction({
    programId: Ed25519Program.programId,
    keys: [],
    data: Buffer.from(data),
  });
}

/**
 * What the registry reads from signature `n` of an Ed25519 instruction's data
 * (`verified_signature`): the public key and message, or undefined where the registry would refuse
 * the layout (`Ed25519LayoutMismatch`: an entry out of range or pointing into another instruction).
 */
export function ed25519Entry(
  data: Uint8Array,
  n: number,
): { publicKey: Uint8Array; message: Uint8Array } | undefined {
  const at = ED25519_HEADER_LEN + n * ED25519_OFFSETS_LEN;
  if (at + ED25519_OFFSETS_LEN > data.length) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const field = (i: number): number => view.getUint16(at + 2 * i, true);
  if (
    field(1) !== ED25519_THIS_INSTRUCTION ||
    field(3) !== ED25519_THIS_INSTRUCTION ||
    field(6) !== ED25519_THIS_INSTRUCTION
  ) {
    return undefined;
  }
  const keyOffset = field(2);
  const messageOffset = field(4);
  const messageLen = field(5);
  if (keyOffset + 32 > data.length || messageOffset + messageLen > data.length) return undefined;
  return {
    publicKey: data.slice(keyOffset, keyOffset + 32),
    message: data.slice(messageOffset, messageOffset + messageLen),
  };
}
