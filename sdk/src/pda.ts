/**
 * Program-derived addresses of the registry (and the market lock authority the registry trusts).
 * Browser-safe: no Node APIs.
 */
import { sha256 } from "@noble/hashes/sha2";
import { PublicKey } from "@solana/web3.js";

import { REGISTRY_PROGRAM_ID } from "./constants.js";
import {
  CONFIG_SEED,
  DEVICE_SEED,
  KEEPER_BOND_SEED,
  KEEPER_SEED,
  MARKET_LOCK_SEED,
} from "./seeds.js";

const utf8 = new TextEncoder();

/** A PDA with its canonical bump. */
export interface Pda {
  address: PublicKey;
  bump: number;
}

function find(seeds: Uint8Array[], programId: PublicKey): Pda {
  const [address, bump] = PublicKey.findProgramAddressSync(seeds, programId);
  return { address, bump };
}

/** sha256 of the UTF-8 bytes of a device id: the device PDA's seed (as `device_id_hash` on chain). */
export function deviceIdHash(deviceId: string): Uint8Array {
  return sha256(utf8.encode(deviceId));
}

/** `["config"]`: the registry config. */
export function configPda(programId: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([CONFIG_SEED], programId);
}

/** `["device", sha256(deviceId)]`: the device registered under `deviceId`. */
export function devicePda(deviceId: string, programId: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([DEVICE_SEED, deviceIdHash(deviceId)], programId);
}

/** The device PDA from an already hashed id (e.g. `Device.deviceIdHash` read from chain). */
export function devicePdaFromHash(
  deviceIdHash: Uint8Array | number[],
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  const hash = Uint8Array.from(deviceIdHash);
  if (hash.length !== 32) {
    throw new Error(`device id hash must be 32 bytes, got ${hash.length}`);
  }
  return find([DEVICE_SEED, hash], programId);
}

/** `["keeper", authority]`: the keeper account of `authority`. */
export function keeperPda(authority: PublicKey, programId: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([KEEPER_SEED, authority.toBytes()], programId);
}

/** `["keeper_bond", keeper]`: the token account holding the bond of the keeper PDA `keeper`. */
export function keeperBondVaultPda(
  keeper: PublicKey,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  return find([KEEPER_BOND_SEED, keeper.toBytes()], programId);
}

/**
 * `["registry_lock"]` under the market program: the signer the registry accepts for
 * `lock_device` / `release_device` once `market_program` is set in its config.
 */
export function marketLockAuthorityPda(marketProgram: PublicKey): Pda {
  return find([MARKET_LOCK_SEED], marketProgram);
}
