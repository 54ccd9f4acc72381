//! iotoken's test configuration, the one every suite that initialises iotoken starts from:
//! a 60/25/10/5% emission split, a 5% network fee with a 1-3% stakers' share, a 10-minute, 2%
//! oracle, a 5,000 IOSD daily breaker and a 1% daily buyback.

use {
    crate::setup::{DAY, HOUR},
    anchor_lang::prelude::Pubkey,
    iotoken::{
        math::IO,
        state::{
            BreakerParams, BuybackParams, EmissionParams, FeeParams, OracleParams, RewardSplit,
        },
        InitializeArgs,
    },
};

/// The default crank tip: 10 IO per closed epoch.
pub const CRANK_TIP: u64 = 10 * IO;
/// The default circuit breaker: 5,000 IOSD per day.
pub const BREAKER_MAX: u64 = 5_000_000_000;
pub const BREAKER_WINDOW: i64 = DAY;
/// The default oracle: prices older than 10 minutes are stale, confidence at most 2%.
pub const MAX_STALENESS: i64 = 600;
pub const MAX_CONFIDENCE_BPS: u16 = 200;
pub const EMA_WINDOW: i64 = HOUR;
/// The default buyback: 1% of the treasury per day.
pub const BUYBACK_BPS: u16 = 100;
pub const BUYBACK_INTERVAL: i64 = DAY;
/// The default bounds of the stakers' share of a payment.
pub const SHARE_MIN_BPS: u16 = 100;
pub const SHARE_MAX_BPS: u16 = 300;

/// The default emission split (60/25/10/5%) and crank tip.
pub fn default_emission() -> EmissionParams {
    EmissionParams {
        split: RewardSplit {
            availability_bps: 6_000,
            compute_bps: 2_500,
            stakers_bps: 1_000,
            keepers_bps: 500,
        },
        crank_tip: CRANK_TIP,
        net_smoothing_epochs: 24,
        net_cap_per_epoch: 1_000 * IO,
    }
}

/// The default fees: 5% network fee, stakers' share 1-3%.
pub fn default_fees() -> FeeParams {
    FeeParams {
        network_fee_bps: 500,
        usdc_payment_fee_bps: 200,
        io_payment_fee_bps: 0,
        iosd_payment_fee_bps: 0,
        reservation_fee_bps: 25,
        staker_share_min_bps: SHARE_MIN_BPS,
        staker_share_max_bps: SHARE_MAX_BPS,
        settle_tip: 1_000_000,
    }
}

pub fn default_oracle() -> OracleParams {
    OracleParams {
        max_staleness_secs: MAX_STALENESS,
        max_confidence_bps: MAX_CONFIDENCE_BPS,
        ema_window_secs: EMA_WINDOW,
    }
}

pub fn default_breaker() -> BreakerParams {
    BreakerParams {
        window_secs: BREAKER_WINDOW,
        max_iosd_per_window: BREAKER_MAX,
    }
}

pub fn default_buyback() -> BuybackParams {
    BuybackParams {
        burn_bps: BUYBACK_BPS,
        interval_secs: BUYBACK_INTERVAL,
    }
}

/// `initialize`'s arguments: the defaults above, with `price_updaters` allowed to publish prices.
pub fn iotoken_args(price_updaters: Vec<Pubkey>) -> InitializeArgs {
    InitializeArgs {
        emission: default_emission(),
        fees: default_fees(),
        oracle: default_oracle(),
        breaker: default_breaker(),
        buyback: default_buyback(),
        price_updaters,
    }
}
