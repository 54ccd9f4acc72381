use anchor_lang::prelude::*;

/// Most price updaters the config holds.
pub const MAX_PRICE_UPDATERS: usize = 8;

/// How each epoch's emission is split between the reward pools, in basis points summing to
/// 10_000. The order is the pools' (`RewardPool`).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RewardSplit {
    /// Devices attested available (registry).
    pub availability_bps: u16,
    /// Devices that delivered compute (market).
    pub compute_bps: u16,
    /// Stakers (staking).
    pub stakers_bps: u16,
    /// Keepers; the crank tip is paid out of this share.
    pub keepers_bps: u16,
}

impl RewardSplit {
    pub fn as_array(&self) -> [u64; 4] {
        [
            self.availability_bps,
            self.compute_bps,
            self.stakers_bps,
            self.keepers_bps,
        ]
        .map(u64::from)
    }
}

/// The reward pools, by their index in the `["pool", [index]]` seeds.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewardPool {
    Availability,
    Compute,
    Stakers,
    Keepers,
}

impl RewardPool {
    pub const ALL: [RewardPool; 4] = [
        RewardPool::Availability,
        RewardPool::Compute,
        RewardPool::Stakers,
        RewardPool::Keepers,
    ];
}

/// Emission parameters of the epoch crank.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmissionParams {
    pub split: RewardSplit,
    /// IO base units paid per closed epoch to the keeper that closes it, out of the keepers' share.
    pub crank_tip: u64,
    /// The net-emission backlog is re-emitted at `ceil(backlog / smoothing)` per epoch...
    pub net_smoothing_epochs: u64,
    /// ...and at most this many IO base units per epoch.
    pub net_cap_per_epoch: u64,
}

/// Protocol fees, read by the market and staking programs. Basis points unless named otherwise.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeParams {
    /// Of job value, to the treasury (default 5%).
    pub network_fee_bps: u16,
    /// Paying in USDC (default 2%).
    pub usdc_payment_fee_bps: u16,
    /// Paying in IO (default 0%).
    pub io_payment_fee_bps: u16,
    /// Paying in IOSD (default 0%).
    pub iosd_payment_fee_bps: u16,
    /// Of every reservation (default 0.25%).
    pub reservation_fee_bps: u16,
    /// Bounds of the share of a device's rewards its operator gives stakers (default 1-3%).
    pub staker_share_min_bps: u16,
    pub staker_share_max_bps: u16,
    /// IOSD base units paid to the keeper that settles a reservation.
    pub settle_tip: u64,
}

/// Price-feed checks applied by every reader.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleParams {
    /// A price older than this is stale (default 600 s).
    pub max_staleness_secs: i64,
    /// Confidence above this share of the price is refused.
    pub max_confidence_bps: u16,
    /// Time for the EMA to reach a new price (see `math::price::next_ema`).
    pub ema_window_secs: i64,
}

/// The circuit breaker of burn-mint: at most `max_iosd_per_window` IOSD in any interval of
/// `window_secs` (a token bucket; `GuardParams::breaker_burst_bps` of it at once).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerParams {
    pub window_secs: i64,
    /// IOSD base units.
    pub max_iosd_per_window: u64,
}

/// Bounds on what one price updater can do to the feed and on how fast burn-mint may mint
/// (review findings M1, L7, L8). Added to a fixed layout, so they live in `TokenConfig`'s
/// reserved space; `initialize` writes `GuardParams::DEFAULT`, `update_config` changes them within
/// `validation::validate_guards`. Every field must be positive.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardParams {
    /// Most one price update moves the EMA, in basis points of the previous EMA per hour since
    /// the previous update (default 3,600: 1 bp per second)...
    pub ema_step_bps_per_hour: u32,
    /// ...and at most this many basis points in one update however long ago the last was
    /// (default 200: 2%).
    pub max_ema_step_bps: u16,
    /// A spot price further than this from the EMA (basis points of the EMA) is not used by
    /// burn-mint or the market (`PriceDeviatesFromEma`; default 1,000: 10%).
    pub max_deviation_bps: u16,
    /// The share of `BreakerParams::max_iosd_per_window` that can be minted at once; the rest
    /// refills continuously over the window, so no window-long interval mints more than the limit
    /// (default 5,000: half).
    pub breaker_burst_bps: u16,
    /// How long a price updater's halt lasts (default 1 hour); the authority's lasts until it
    /// resumes.
    pub updater_halt_secs: i64,
    /// An updater may halt again only this long after its previous halt began (default 1 day).
    pub updater_halt_cooldown_secs: i64,
}

impl GuardParams {
    pub const DEFAULT: GuardParams = GuardParams {
        ema_step_bps_per_hour: 3_600,
        max_ema_step_bps: 200,
        max_deviation_bps: 1_000,
        breaker_burst_bps: 5_000,
        updater_halt_secs: 3_600,
        updater_halt_cooldown_secs: 86_400,
    };
}

/// The rule of `buyback_burn`: every `interval_secs` at most, anyone may burn `burn_bps` of the
/// treasury's IO.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuybackParams {
    pub burn_bps: u16,
    pub interval_secs: i64,
}

/// Token-wide parameters, written only by the authority (governance once staking takes it over).
#[account]
#[derive(InitSpace, Debug)]
pub struct TokenConfig {
    pub authority: Pubkey,
    pub io_mint: Pubkey,
    pub iosd_mint: Pubkey,
    /// Set by `mint_genesis`, which can therefore run only once.
    pub genesis_minted: bool,
    pub emission: EmissionParams,
    pub fees: FeeParams,
    pub oracle: OracleParams,
    pub breaker: BreakerParams,
    pub buyback: BuybackParams,
    #[max_len(MAX_PRICE_UPDATERS)]
    pub price_updaters: Vec<Pubkey>,
    pub bump: u8,
    pub io_mint_bump: u8,
    pub iosd_mint_bump: u8,
    /// Bumps of the reward pool vaults, set by `initialize_pools` (0 before).
    pub pool_bumps: [u8; 4],
    /// Per pool, the only signer allowed to draw each closed epoch's share out of it: the
    /// `["distributor"]` PDA of the program that pays that pool out (the registry for
    /// availability and keepers); `Pubkey::default()` while none is set.
    pub pool_distributors: [Pubkey; 4],
    /// Bounds on price updaters and the breaker's burst, taken from the reserved space.
    pub guards: GuardParams,
    /// Kept for parameters added before a layout migration is worth it: 128 bytes at launch,
    /// less the 26 `guards` took.
    pub _reserved: [u8; 102],
}

impl TokenConfig {
    pub fn is_price_updater(&self, key: &Pubkey) -> bool {
        self.price_updaters.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_take_exactly_their_bytes_of_the_reserved_space() {
        assert_eq!(GuardParams::INIT_SPACE + 102, 128);
        // The account's size did not change when the guards were added.
        assert_eq!(
            TokenConfig::INIT_SPACE,
            32 * 3
                + 1
                + EmissionParams::INIT_SPACE
                + FeeParams::INIT_SPACE
                + OracleParams::INIT_SPACE
                + BreakerParams::INIT_SPACE
                + BuybackParams::INIT_SPACE
                + 4
                + 32 * MAX_PRICE_UPDATERS
                + 3
                + 4
                + 32 * 4
                + 128
        );
    }
}
