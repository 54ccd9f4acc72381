//! Bounds of every configurable parameter; each check returns the parameter's named error.
//! Governance proposals will be validated against the same functions.

use {
    crate::{errors::IotokenError, math::IO, state::*},
    anchor_lang::prelude::*,
};

const DAY_SECS: i64 = 86_400;

pub fn validate_emission(params: &EmissionParams) -> Result<()> {
    let split_sum: u64 = params.split.as_array().iter().sum();
    require!(split_sum == 10_000, IotokenError::InvalidRewardSplit);
    require!(
        params.crank_tip <= 1_000 * IO,
        IotokenError::InvalidCrankTip
    );
    require!(
        (1..=8_760).contains(&params.net_smoothing_epochs),
        IotokenError::InvalidNetEmissionParams
    );
    Ok(())
}

pub fn validate_fees(fees: &FeeParams) -> Result<()> {
    let within = fees.network_fee_bps <= 2_000
        && fees.usdc_payment_fee_bps <= 1_000
        && fees.io_payment_fee_bps <= 1_000
        && fees.iosd_payment_fee_bps <= 1_000
        && fees.reservation_fee_bps <= 500
        && fees.settle_tip <= 10_000_000;
    require!(within, IotokenError::InvalidFee);
    require!(
        fees.staker_share_min_bps <= fees.staker_share_max_bps
            && fees.staker_share_max_bps <= 1_000,
        IotokenError::InvalidStakerShareBounds
    );
    Ok(())
}

pub fn validate_oracle(oracle: &OracleParams) -> Result<()> {
    let within = (1..=DAY_SECS).contains(&oracle.max_staleness_secs)
        && (1..=10_000).contains(&oracle.max_confidence_bps)
        && (60..=7 * DAY_SECS).contains(&oracle.ema_window_secs);
    require!(within, IotokenError::InvalidOracleParams);
    Ok(())
}

pub fn validate_breaker(breaker: &BreakerParams) -> Result<()> {
    require!(
        (60..=30 * DAY_SECS).contains(&breaker.window_secs) && breaker.max_iosd_per_window > 0,
        IotokenError::InvalidBreakerParams
    );
    Ok(())
}

pub fn validate_buyback(buyback: &BuybackParams) -> Result<()> {
    require!(
        (1..=1_000).contains(&buyback.burn_bps)
            && (3_600..=30 * DAY_SECS).contains(&buyback.interval_secs),
        IotokenError::InvalidBuybackParams
    );
    Ok(())
}

pub fn validate_updaters(updaters: &[Pubkey]) -> Result<()> {
    require!(
        updaters.len() <= MAX_PRICE_UPDATERS,
        IotokenError::TooManyUpdaters
    );
    for (index, updater) in updaters.iter().enumerate() {
        require_keys_neq!(*updater, Pubkey::default(), IotokenError::InvalidUpdater);
        require!(
            !updaters[..index].contains(updater),
            IotokenError::DuplicateUpdater
        );
    }
    Ok(())
}

pub fn validate_authority(authority: &Pubkey) -> Result<()> {
    require_keys_neq!(
        *authority,
        Pubkey::default(),
        IotokenError::InvalidAuthority
    );
    Ok(())
}

pub fn validate_guards(guards: &GuardParams) -> Result<()> {
    let within = (100..=100_000).contains(&guards.ema_step_bps_per_hour)
        && (10..=5_000).contains(&guards.max_ema_step_bps)
        && (10..=5_000).contains(&guards.max_deviation_bps)
        && (100..=9_000).contains(&guards.breaker_burst_bps)
        && (300..=DAY_SECS).contains(&guards.updater_halt_secs)
        && (guards.updater_halt_secs.saturating_mul(2)..=30 * DAY_SECS)
            .contains(&guards.updater_halt_cooldown_secs);
    require!(within, IotokenError::InvalidGuardParams);
    Ok(())
}
