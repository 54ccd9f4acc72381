//! Every PDA seed of the token program, in one place. Mirrored byte for byte in `sdk/src/seeds.ts`.

/// `["config"]`: parameters; also the mint authority of IO and IOSD and the authority of the
/// reward pools and treasury accounts, whose addresses are themselves PDAs checked by seeds.
pub const CONFIG_SEED: &[u8] = b"config";
/// `["io_mint"]`: the IO mint (8 decimals, no freeze authority).
pub const IO_MINT_SEED: &[u8] = b"io_mint";
/// `["iosd_mint"]`: the IOSD mint (6 decimals, no freeze authority).
pub const IOSD_MINT_SEED: &[u8] = b"iosd_mint";
/// `["schedule"]`: the emission schedule rows.
pub const SCHEDULE_SEED: &[u8] = b"schedule";
/// `["ledger"]`: emission progress, net-emission backlog and the IOSD circuit breaker.
pub const LEDGER_SEED: &[u8] = b"ledger";
/// `["epoch", epoch as u64 little-endian]`: what one closed epoch minted.
pub const EPOCH_SEED: &[u8] = b"epoch";
/// `["price_feed"]`: the IO/USD price.
pub const PRICE_FEED_SEED: &[u8] = b"price_feed";
/// `["pool", [index]]`: the IO token account of reward pool `index` (see `RewardPool`).
pub const POOL_SEED: &[u8] = b"pool";
/// `["treasury", mint]`: the treasury's token account for `mint`.
pub const TREASURY_SEED: &[u8] = b"treasury";
/// `["distributor"]` under a paying program (e.g. the registry): the signer iotoken accepts for
/// drawing an epoch's share of a reward pool (see `TokenConfig::pool_distributors`).
pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
