/**
 * Every PDA seed of the registry, iotoken and staking programs, mirrored byte for byte from
 * `programs/registry/src/state/seeds.rs`, `programs/iotoken/src/state/seeds.rs`,
 * `programs/staking/src/state/seeds.rs` and `programs/market/src/state/seeds.rs`. Change them together.
 */

const utf8 = new TextEncoder();

/**
 * `["config"]`: the registry's single configuration account; under iotoken, the token config (also
 * the mint authority of IO and IOSD and the authority of the reward pools and treasury accounts).
 */
export const CONFIG_SEED: Uint8Array = utf8.encode("config");
/** `["device", sha256(device_id)]`: a registered device. */
export const DEVICE_SEED: Uint8Array = utf8.encode("device");
/** `["device_history", sha256(device_id)]`: the counters of a deregistered device id. */
export const DEVICE_HISTORY_SEED: Uint8Array = utf8.encode("device_history");
/** `["keeper", authority]`: a registered keeper. */
export const KEEPER_SEED: Uint8Array = utf8.encode("keeper");
/**
 * `["keeper_bond", keeper]`: the token account holding a keeper's bond; its authority is the
 * keeper PDA, which signs the bond's return.
 */
export const KEEPER_BOND_SEED: Uint8Array = utf8.encode("keeper_bond");
/**
 * `["registry_lock"]` under the market program: the only signer allowed to lock a device for a
 * reservation and release it.
 */
export const MARKET_LOCK_SEED: Uint8Array = utf8.encode("registry_lock");
/** `["availability", epoch as u64 little-endian]`: an epoch's attestation totals. */
export const AVAILABILITY_EPOCH_SEED: Uint8Array = utf8.encode("availability");
/**
 * `["distributor"]` under a paying program (the registry): a data-less PDA that owns the
 * registry's reward vaults and is the only signer iotoken accepts for drawing an epoch's share of
 * the pools it was named for (`set_pool_distributor`). The same bytes as iotoken's
 * `DISTRIBUTOR_SEED`.
 */
export const DISTRIBUTOR_SEED: Uint8Array = utf8.encode("distributor");
/** `["availability_vault"]`: the registry's IO drawn for devices, owed until claimed. */
export const AVAILABILITY_VAULT_SEED: Uint8Array = utf8.encode("availability_vault");
/** `["keeper_tips_vault"]`: the registry's IO drawn for keepers, owed until claimed. */
export const KEEPER_TIPS_VAULT_SEED: Uint8Array = utf8.encode("keeper_tips_vault");
/**
 * `["availability_root", epoch as u64 LE, shard as u16 LE, keeper]`: a keeper's Merkle root over
 * one shard of an epoch's attested devices (the scale-path prototype), one per keeper.
 */
export const AVAILABILITY_ROOT_SEED: Uint8Array = utf8.encode("availability_root");

// iotoken (programs/iotoken/src/state/seeds.rs); `["config"]` is CONFIG_SEED above.

/** `["io_mint"]`: the IO mint (8 decimals, no freeze authority). */
export const IO_MINT_SEED: Uint8Array = utf8.encode("io_mint");
/** `["iosd_mint"]`: the IOSD mint (6 decimals, no freeze authority). */
export const IOSD_MINT_SEED: Uint8Array = utf8.encode("iosd_mint");
/** `["schedule"]`: the emission schedule rows. */
export const SCHEDULE_SEED: Uint8Array = utf8.encode("schedule");
/** `["ledger"]`: emission progress, net-emission backlog and the IOSD circuit breaker. */
export const LEDGER_SEED: Uint8Array = utf8.encode("ledger");
/** `["epoch", epoch as u64 little-endian]`: what one closed epoch minted. */
export const EPOCH_SEED: Uint8Array = utf8.encode("epoch");
/** `["price_feed"]`: the IO/USD price. */
export const PRICE_FEED_SEED: Uint8Array = utf8.encode("price_feed");
/** `["pool", [index]]`: the IO token account of reward pool `index` (see `REWARD_POOL`). */
export const POOL_SEED: Uint8Array = utf8.encode("pool");
/** `["treasury", mint]`: the treasury's token account for `mint`. */
export const TREASURY_SEED: Uint8Array = utf8.encode("treasury");
// iotoken's `["distributor"]` seed (derived under the paying program) is DISTRIBUTOR_SEED above.

// staking (programs/staking/src/state/seeds.rs). Its `["config"]` is CONFIG_SEED above; its
// `pool` and `vault` seeds are named STAKE_POOL_SEED and STAKE_VAULT_SEED here, since iotoken's
// reward pools already use POOL_SEED (the same bytes, under another program).

/**
 * `["governance"]`: holds no data; signs, when a proposal executes, as the config authority of
 * staking, iotoken and registry.
 */
export const GOVERNANCE_SEED: Uint8Array = utf8.encode("governance");
/** `["pool", device, operator]`: the stake pool of a registry device under one operator. */
export const STAKE_POOL_SEED: Uint8Array = utf8.encode("pool");
/** `["vault", pool]`: the pool's IO token account, owned by the pool. */
export const STAKE_VAULT_SEED: Uint8Array = utf8.encode("vault");
/** `["position", pool, owner]`: one co-staker's stake in one pool. */
export const POSITION_SEED: Uint8Array = utf8.encode("position");
/** `["proposal", id as u64 little-endian]`: a governance proposal. */
export const PROPOSAL_SEED: Uint8Array = utf8.encode("proposal");
/** `["vote", proposal, position]`: one position's vote on one proposal. */
export const VOTE_SEED: Uint8Array = utf8.encode("vote");
/**
 * `["slasher"]`, derived under a slashing program's own id (registry, market): the PDA that signs
 * staking's `slash` when that program has proven a fault.
 */
export const SLASHER_SEED: Uint8Array = utf8.encode("slasher");

/** The staking program's seeds by their names in `seeds.rs`. */
export const STAKING_SEEDS: Readonly<Record<string, Uint8Array>> = Object.freeze({
  CONFIG_SEED,
  GOVERNANCE_SEED,
  POOL_SEED: STAKE_POOL_SEED,
  VAULT_SEED: STAKE_VAULT_SEED,
  POSITION_SEED,
  PROPOSAL_SEED,
  VOTE_SEED,
  SLASHER_SEED,
});

// market (programs/market/src/state/seeds.rs). Its `["config"]` is CONFIG_SEED, its
// `["registry_lock"]` MARKET_LOCK_SEED and its `["slasher"]` SLASHER_SEED above.

/** `["reservation", renter, id (u64 LE)]`: one cluster reservation; authority of its vault. */
export const RESERVATION_SEED: Uint8Array = utf8.encode("reservation");
/** `["vault", reservation]`: the escrow token account of one reservation. */
export const RESERVATION_VAULT_SEED: Uint8Array = utf8.encode("vault");
/** `["booking", reservation, device]`: one device's place in a reservation. */
export const BOOKING_SEED: Uint8Array = utf8.encode("booking");

/** The market program's seeds by their names in `seeds.rs`. */
export const MARKET_SEEDS: Readonly<Record<string, Uint8Array>> = Object.freeze({
  CONFIG_SEED,
  RESERVATION_SEED,
  VAULT_SEED: RESERVATION_VAULT_SEED,
  BOOKING_SEED,
  REGISTRY_LOCK_SEED: MARKET_LOCK_SEED,
  SLASHER_SEED,
});
