//! Events, one per state change. IO amounts are IO base units (1e8 = 1 IO), IOSD amounts IOSD
//! base units (1e6 = 1 USD), prices USD per IO with 8 decimals, times unix seconds.

use {crate::state::*, anchor_lang::prelude::*};

#[event]
pub struct TokenInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub io_mint: Pubkey,
    pub iosd_mint: Pubkey,
}

#[event]
pub struct GenesisMinted {
    /// Community, R&D / ecosystem, core contributors, seed, series A.
    pub destinations: [Pubkey; 5],
    pub amounts: [u64; 5],
    pub supply_after: u64,
}

#[event]
pub struct ConfigUpdated {
    pub authority_before: Pubkey,
    pub authority_after: Pubkey,
    pub emission_before: EmissionParams,
    pub emission_after: EmissionParams,
    pub fees_before: FeeParams,
    pub fees_after: FeeParams,
    pub oracle_before: OracleParams,
    pub oracle_after: OracleParams,
    pub breaker_before: BreakerParams,
    pub breaker_after: BreakerParams,
    pub buyback_before: BuybackParams,
    pub buyback_after: BuybackParams,
    pub price_updaters_after: Vec<Pubkey>,
    pub guards_before: GuardParams,
    pub guards_after: GuardParams,
}

#[event]
pub struct ScheduleRowsAppended {
    pub first_index: u32,
    pub rows: Vec<EmissionRow>,
}

#[event]
pub struct ScheduleSealed {
    pub row_count: u32,
    pub total_emission: u64,
    pub first_epoch: u64,
}

#[event]
pub struct ScheduleRowLowered {
    pub index: u32,
    pub start_time: i64,
    pub emission_per_epoch_before: u64,
    pub emission_per_epoch_after: u64,
    pub total_emission_after: u64,
}

#[event]
pub struct EpochEnded {
    pub epoch: u64,
    pub scheduled_emission: u64,
    pub net_emission: u64,
    /// Availability, compute, stakers, keepers.
    pub pools: [u64; 4],
    pub crank_tip: u64,
    pub cranked_by: Pubkey,
    pub supply_after: u64,
    pub net_backlog_after: u64,
}

#[event]
pub struct PricePublished {
    pub updater: Pubkey,
    pub price: u64,
    pub confidence: u64,
    pub ema_before: u64,
    /// Where the unbounded EMA would have gone; differs from `ema_after` when the step bound held
    /// it back.
    pub ema_target: u64,
    pub ema_after: u64,
    pub publish_time: i64,
    /// The deviation bound stored with the price (basis points of the EMA)...
    pub max_deviation_bps: u16,
    /// ...and whether the price is within it, i.e. usable (if fresh, confident and not halted).
    pub within_deviation: bool,
}

#[event]
pub struct PriceFeedHaltChanged {
    pub by: Pubkey,
    /// Whether the feed is halted after this.
    pub halted: bool,
    /// Whether a halt was in force before.
    pub halted_before: bool,
    /// When the halt ends by itself, before and after (0: none, or the authority's halt, which
    /// lasts until it resumes).
    pub expires_at_before: i64,
    pub expires_at_after: i64,
}

#[event]
pub struct IosdMinted {
    pub user: Pubkey,
    pub io_burned: u64,
    pub iosd_minted: u64,
    /// The conservative price used.
    pub price: u64,
    /// IOSD base units the circuit breaker counted at the mint's time, before and after it.
    pub breaker_used_before: u64,
    pub breaker_used_after: u64,
    /// The epoch the burn is recorded in (its IO is re-emitted only after that epoch is closed).
    pub burn_epoch: u64,
    pub net_backlog_after: u64,
}

#[event]
pub struct TreasuryAccountCreated {
    pub mint: Pubkey,
    pub account: Pubkey,
}

#[event]
pub struct BuybackBurned {
    pub by: Pubkey,
    pub io_burned: u64,
    pub treasury_balance_after: u64,
    pub supply_after: u64,
}

#[event]
pub struct PoolDistributorSet {
    pub pool: u8,
    /// The paying program; `Pubkey::default()` for none.
    pub program: Pubkey,
    pub distributor_before: Pubkey,
    pub distributor_after: Pubkey,
}

#[event]
pub struct EpochPoolDrawn {
    pub pool: u8,
    pub epoch: u64,
    /// IO base units.
    pub amount: u64,
    pub distributor: Pubkey,
    pub destination: Pubkey,
}
