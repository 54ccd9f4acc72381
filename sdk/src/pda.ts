/**
 * Program-derived addresses of the registry (and the market lock authority the registry trusts),
 * of the iotoken program, of the staking program (and the slasher PDAs it trusts) and of the
 * market.
 * Browser-safe: no Node APIs.
 */
import { sha256 } from "@noble/hashes/sha2";
import { PublicKey } from "@solana/web3.js";

import {
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
} from "./constants.js";
import { u64Le } from "./ints.js";
import {
  AVAILABILITY_EPOCH_SEED,
  AVAILABILITY_ROOT_SEED,
  AVAILABILITY_VAULT_SEED,
  BOOKING_SEED,
  CONFIG_SEED,
  DEVICE_HISTORY_SEED,
  DEVICE_SEED,
  DISTRIBUTOR_SEED,
  EPOCH_SEED,
  GOVERNANCE_SEED,
  IO_MINT_SEED,
  IOSD_MINT_SEED,
  KEEPER_BOND_SEED,
  KEEPER_SEED,
  KEEPER_TIPS_VAULT_SEED,
  LEDGER_SEED,
  MARKET_LOCK_SEED,
  POOL_SEED,
  POSITION_SEED,
  PRICE_FEED_SEED,
  PROPOSAL_SEED,
  RESERVATION_SEED,
  RESERVATION_VAULT_SEED,
  SCHEDULE_SEED,
  SLASHER_SEED,
  STAKE_POOL_SEED,
  STAKE_VAULT_SEED,
  TREASURY_SEED,
  VOTE_SEED,
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

/**
 * `["device_history", sha256(deviceId)]`: what a deregistered device id's record said, restored
 * by its next registration.
 */
export function deviceHistoryPda(
  deviceId: string,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  return find([DEVICE_HISTORY_SEED, deviceIdHash(deviceId)], programId);
}

/** The history PDA from an already hashed id (`Device.deviceIdHash`). */
export function deviceHistoryPdaFromHash(
  deviceIdHash: Uint8Array | number[],
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  return find([DEVICE_HISTORY_SEED, Uint8Array.from(deviceIdHash)], programId);
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

/** `["availability", epoch as u64 LE]`: the registry's attestation totals of `epoch`. */
export function availabilityEpochPda(
  epoch: bigint | number,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  return find([AVAILABILITY_EPOCH_SEED, u64Le(epoch)], programId);
}

/**
 * `["distributor"]` under `program` (the registry by default): the data-less PDA that owns the
 * registry's reward vaults and that iotoken's `set_pool_distributor` stores for a pool.
 */
export function distributorPda(program: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([DISTRIBUTOR_SEED], program);
}

/** `["availability_vault"]`: the registry's IO drawn for devices, owed until claimed. */
export function availabilityVaultPda(programId: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([AVAILABILITY_VAULT_SEED], programId);
}

/** `["keeper_tips_vault"]`: the registry's IO drawn for keepers, owed until claimed. */
export function keeperTipsVaultPda(programId: PublicKey = REGISTRY_PROGRAM_ID): Pda {
  return find([KEEPER_TIPS_VAULT_SEED], programId);
}

/**
 * `["availability_root", epoch u64 LE, shard u16 LE, keeper]`: the shard root of the Merkle
 * prototype posted by the keeper account `keeper`.
 */
export function availabilityRootPda(
  epoch: bigint | number,
  shard: number,
  keeper: PublicKey,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Pda {
  if (!Number.isInteger(shard) || shard < 0 || shard > 0xffff) {
    throw new RangeError(`${shard} is not a u16`);
  }
  return find(
    [
      AVAILABILITY_ROOT_SEED,
      u64Le(epoch),
      Uint8Array.of(shard & 0xff, shard >> 8),
      keeper.toBytes(),
    ],
    programId,
  );
}

// iotoken

/** The iotoken reward pools by name, with their index in the `["pool", [index]]` seeds. */
export const REWARD_POOL = {
  /** Devices attested available (registry). */
  availability: 0,
  /** Devices that delivered compute (market). */
  compute: 1,
  /** Stakers (staking). */
  stakers: 2,
  /** Keepers; the crank tip is paid out of this share. */
  keepers: 3,
} as const;
export type RewardPoolName = keyof typeof REWARD_POOL;
/** The pools in index order (the order of `RewardSplit`, `EpochRecord.pools` and events). */
export const REWARD_POOLS: readonly RewardPoolName[] = Object.freeze([
  "availability",
  "compute",
  "stakers",
  "keepers",
]);

/** `["config"]` under iotoken: the token config, mint authority of IO and IOSD. */
export function iotokenConfigPda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([CONFIG_SEED], programId);
}

/** `["io_mint"]`: the IO mint. */
export function ioMintPda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([IO_MINT_SEED], programId);
}

/** `["iosd_mint"]`: the IOSD mint. */
export function iosdMintPda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([IOSD_MINT_SEED], programId);
}

/** `["schedule"]`: the emission schedule. */
export function schedulePda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([SCHEDULE_SEED], programId);
}

/** `["ledger"]`: the emission ledger. */
export function ledgerPda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([LEDGER_SEED], programId);
}

/** `["epoch", epoch as u64 LE]`: the record of closed epoch `epoch`. */
export function epochRecordPda(
  epoch: bigint | number,
  programId: PublicKey = IOTOKEN_PROGRAM_ID,
): Pda {
  return find([EPOCH_SEED, u64Le(epoch)], programId);
}

/** `["price_feed"]`: the IO/USD price feed. */
export function priceFeedPda(programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([PRICE_FEED_SEED], programId);
}

/** `["pool", [index]]`: the IO token account of a reward pool, by name or index. */
export function poolPda(
  pool: RewardPoolName | number,
  programId: PublicKey = IOTOKEN_PROGRAM_ID,
): Pda {
  const index = typeof pool === "number" ? pool : REWARD_POOL[pool];
  if (!Number.isInteger(index) || index < 0 || index > 3) {
    throw new RangeError(`no reward pool ${String(pool)}`);
  }
  return find([POOL_SEED, Uint8Array.of(index)], programId);
}

/** `["treasury", mint]`: the treasury's token account for `mint`. */
export function treasuryPda(mint: PublicKey, programId: PublicKey = IOTOKEN_PROGRAM_ID): Pda {
  return find([TREASURY_SEED, mint.toBytes()], programId);
}

// staking

/** `["config"]` under staking: staking and governance parameters, GPU classes, slashers. */
export function stakingConfigPda(programId: PublicKey = STAKING_PROGRAM_ID): Pda {
  return find([CONFIG_SEED], programId);
}

/**
 * `["governance"]` under staking: the data-less PDA that signs executed proposals; the config
 * authority of staking, iotoken and registry once the handover migration has run.
 */
export function governancePda(programId: PublicKey = STAKING_PROGRAM_ID): Pda {
  return find([GOVERNANCE_SEED], programId);
}

/**
 * `["pool", device, operator]`: the stake pool of the registry device at address `device`, opened
 * by `operator` (the device's owner then).
 */
export function stakePoolPda(
  device: PublicKey,
  operator: PublicKey,
  programId: PublicKey = STAKING_PROGRAM_ID,
): Pda {
  return find([STAKE_POOL_SEED, device.toBytes(), operator.toBytes()], programId);
}

/** `["vault", pool]`: the pool's IO token account. */
export function stakeVaultPda(pool: PublicKey, programId: PublicKey = STAKING_PROGRAM_ID): Pda {
  return find([STAKE_VAULT_SEED, pool.toBytes()], programId);
}

/** `["position", pool, owner]`: `owner`'s co-stake position in `pool`. */
export function positionPda(
  pool: PublicKey,
  owner: PublicKey,
  programId: PublicKey = STAKING_PROGRAM_ID,
): Pda {
  return find([POSITION_SEED, pool.toBytes(), owner.toBytes()], programId);
}

/** `["proposal", id as u64 LE]`: governance proposal number `id`. */
export function proposalPda(id: bigint | number, programId: PublicKey = STAKING_PROGRAM_ID): Pda {
  return find([PROPOSAL_SEED, u64Le(id)], programId);
}

/** `["vote", proposal, position]`: the vote `position` cast on `proposal`. */
export function voteRecordPda(
  proposal: PublicKey,
  position: PublicKey,
  programId: PublicKey = STAKING_PROGRAM_ID,
): Pda {
  return find([VOTE_SEED, proposal.toBytes(), position.toBytes()], programId);
}

/**
 * `["slasher"]` under a slashing program (registry, market): the only signer staking accepts for
 * `slash` from that program, once it is in staking's slasher set.
 */
export function slasherPda(slashingProgram: PublicKey): Pda {
  return find([SLASHER_SEED], slashingProgram);
}

// market

/** `["config"]` under the market: its parameters. */
export function marketConfigPda(programId: PublicKey = MARKET_PROGRAM_ID): Pda {
  return find([CONFIG_SEED], programId);
}

/** `["reservation", renter, id u64 LE]`: `renter`'s reservation number `id`. */
export function reservationPda(
  renter: PublicKey,
  id: bigint | number,
  programId: PublicKey = MARKET_PROGRAM_ID,
): Pda {
  return find([RESERVATION_SEED, renter.toBytes(), u64Le(id)], programId);
}

/** `["vault", reservation]`: the reservation's escrow token account. */
export function reservationVaultPda(
  reservation: PublicKey,
  programId: PublicKey = MARKET_PROGRAM_ID,
): Pda {
  return find([RESERVATION_VAULT_SEED, reservation.toBytes()], programId);
}

/** `["booking", reservation, device]`: the booking of the device at `device` in `reservation`. */
export function bookingPda(
  reservation: PublicKey,
  device: PublicKey,
  programId: PublicKey = MARKET_PROGRAM_ID,
): Pda {
  return find([BOOKING_SEED, reservation.toBytes(), device.toBytes()], programId);
}
