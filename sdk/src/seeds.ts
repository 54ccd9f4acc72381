/**
 * Every PDA seed of the registry and iotoken programs, mirrored byte for byte from
 * `programs/registry/src/state/seeds.rs` and `programs/iotoken/src/state/seeds.rs`. Change them
 * together.
 */

const utf8 = new TextEncoder();

/**
 * `["config"]`: the registry's single configuration account; under iotoken, the token config (also
 * the mint authority of IO and IOSD and the authority of the reward pools and treasury accounts).
 */
export const CONFIG_SEED: Uint8Array = utf8.encode("config");
/** `["device", sha256(device_id)]`: a registered device. */
export const DEVICE_SEED: Uint8Array = utf8.encode("device");
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
