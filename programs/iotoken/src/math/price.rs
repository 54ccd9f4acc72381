//! IO/USD prices (8 decimals, USD per whole IO), the conservative price burn-mint uses, the
//! on-chain EMA and its step bound, the spot's deviation bound, halts, and the IOSD circuit
//! breaker. Rounding always favours the protocol.

use {
    super::{bps_of, SafeMath, BPS_DENOMINATOR, IOSD_PER_IO_PRICE_DIVISOR},
    crate::errors::IotokenError,
    anchor_lang::prelude::*,
};

const HOUR_SECS: i64 = 3_600;

/// The price burn-mint values IO at: the lower of spot and EMA, minus twice the confidence
/// (Helium's data-credit rule, made stricter by also taking the spot when it is lower). `None`
/// when nothing positive is left.
pub fn conservative_price(price: u64, ema: u64, confidence: u64) -> Option<u64> {
    price
        .min(ema)
        .checked_sub(confidence.checked_mul(2)?)
        .filter(|price| *price > 0)
}

/// Whether `confidence` is within `max_confidence_bps` of `price`.
pub fn confidence_within(price: u64, confidence: u64, max_confidence_bps: u64) -> bool {
    (confidence as u128) * (BPS_DENOMINATOR as u128)
        <= (price as u128) * (max_confidence_bps as u128)
}

/// IOSD base units for `io_amount` IO base units at `price`, rounded down.
pub fn iosd_for_io(io_amount: u64, price: u64) -> Result<u64> {
    let iosd = (io_amount as u128).safe_mul(price as u128)? / IOSD_PER_IO_PRICE_DIVISOR;
    u64::try_from(iosd).map_err(|_| error!(IotokenError::MathOverflow))
}

/// IO base units that pay for `iosd_amount` at `price`, rounded up (the payer never pays less).
pub fn io_for_iosd(iosd_amount: u64, price: u64) -> Result<u64> {
    require!(price > 0, IotokenError::PriceNotPositive);
    let io = (iosd_amount as u128)
        .safe_mul(IOSD_PER_IO_PRICE_DIVISOR)?
        .div_ceil(price as u128);
    u64::try_from(io).map_err(|_| error!(IotokenError::MathOverflow))
}

/// The EMA after a new price: it moves toward `price` by `elapsed / window` of the gap (all the
/// way once a whole window has passed), truncating toward the previous EMA. Linear in the gap, so
/// on its own an outlier moves it arbitrarily far: the feed applies `bounded_ema`.
pub fn next_ema(previous_ema: u64, price: u64, elapsed_secs: i64, window_secs: i64) -> u64 {
    if previous_ema == 0 || window_secs <= 0 || elapsed_secs >= window_secs {
        return price;
    }
    let elapsed = elapsed_secs.max(0) as i128;
    let gap = price as i128 - previous_ema as i128;
    (previous_ema as i128 + gap * elapsed / window_secs as i128) as u64
}

/// The most one update may move the EMA: `step_bps_per_hour` of `previous_ema` per hour elapsed
/// since the previous update, at most `max_step_bps` of it, rounded down (saturating at
/// `u64::MAX`).
pub fn ema_step_bound(
    previous_ema: u64,
    elapsed_secs: i64,
    step_bps_per_hour: u64,
    max_step_bps: u64,
) -> u64 {
    let elapsed = elapsed_secs.max(0) as u128;
    let hour = HOUR_SECS as u128;
    // In basis-point seconds: min(rate x elapsed, cap x one hour).
    let share = (step_bps_per_hour as u128 * elapsed).min(max_step_bps as u128 * hour);
    let bound = previous_ema as u128 * share / (BPS_DENOMINATOR as u128 * hour);
    u64::try_from(bound).unwrap_or(u64::MAX)
}

/// The EMA the feed stores after a new price: `next_ema`, moved at most `ema_step_bound` from the
/// previous EMA (the first price sets it). A single print, however wrong, moves the EMA only by
/// the step the time since the last update allows.
pub fn bounded_ema(
    previous_ema: u64,
    price: u64,
    elapsed_secs: i64,
    window_secs: i64,
    step_bps_per_hour: u64,
    max_step_bps: u64,
) -> u64 {
    let target = next_ema(previous_ema, price, elapsed_secs, window_secs);
    if previous_ema == 0 {
        return target;
    }
    let bound = ema_step_bound(previous_ema, elapsed_secs, step_bps_per_hour, max_step_bps);
    target.clamp(
        previous_ema.saturating_sub(bound),
        previous_ema.saturating_add(bound),
    )
}

/// Whether `price` is within `max_deviation_bps` of `ema` (inclusive), either side.
pub fn deviation_within(price: u64, ema: u64, max_deviation_bps: u64) -> bool {
    (price.abs_diff(ema) as u128) * (BPS_DENOMINATOR as u128)
        <= (ema as u128) * (max_deviation_bps as u128)
}

/// Whether a halt is in force at `now`: `halted` and either the authority's (`expires_at` 0,
/// until it resumes) or an updater's that has not expired.
pub fn halt_in_force(halted: bool, expires_at: i64, now: i64) -> bool {
    halted && (expires_at == 0 || now < expires_at)
}

/// When the feed's halt ends after an updater halts at `now` for `duration_secs`: that long
/// from now, or later if another updater's halt in force ends later (an authority's halt is
/// refused before this is asked).
pub fn updater_halt_until(
    halted: bool,
    expires_at: i64,
    now: i64,
    duration_secs: i64,
) -> Result<i64> {
    let until = now.safe_add(duration_secs)?;
    Ok(if halt_in_force(halted, expires_at, now) {
        until.max(expires_at)
    } else {
        until
    })
}

/// The circuit breaker's count: `used` IOSD base units as of `updated_at`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BreakerState {
    pub used: u64,
    pub updated_at: i64,
}

/// The breaker's burst (what can be minted at once, `burst_bps` of the window's limit, rounded
/// down) and its refill per window (the rest of the limit).
pub fn breaker_capacity(max_per_window: u64, burst_bps: u64) -> Result<(u64, u64)> {
    let burst = bps_of(max_per_window, burst_bps.min(BPS_DENOMINATOR))?;
    Ok((burst, max_per_window.safe_sub(burst)?))
}

/// The breaker's count at `now`: drained by `refill_per_window / window_secs` per second since
/// `updated_at`, rounded down, to no less than zero. While less than a whole unit has drained the
/// state is kept as it is, so frequent mints cannot stall a slow refill; otherwise at most a
/// fraction of a unit is dropped (in the protocol's favour).
pub fn breaker_drained(
    state: BreakerState,
    now: i64,
    window_secs: i64,
    refill_per_window: u64,
) -> BreakerState {
    let elapsed = now.saturating_sub(state.updated_at).max(0) as u128;
    let window = window_secs.max(1) as u128;
    let drained = refill_per_window as u128 * elapsed / window;
    if drained >= state.used as u128 {
        BreakerState {
            used: 0,
            updated_at: now.max(state.updated_at),
        }
    } else if drained == 0 {
        state
    } else {
        // drained < used, so it fits a u64.
        BreakerState {
            used: state.used - drained as u64,
            updated_at: now,
        }
    }
}

/// The breaker after minting `amount` IOSD at `now`, or `CircuitBreakerTripped` if the count
/// would pass the burst. A token bucket of `burst` refilling at `(max − burst) / window`: at most
/// `burst` at once and at most `max_per_window` in any `window_secs`-long interval.
pub fn breaker_after_mint(
    state: BreakerState,
    now: i64,
    window_secs: i64,
    max_per_window: u64,
    burst_bps: u64,
    amount: u64,
) -> Result<BreakerState> {
    let (burst, refill) = breaker_capacity(max_per_window, burst_bps)?;
    let drained = breaker_drained(state, now, window_secs, refill);
    let used = drained.used.safe_add(amount)?;
    require!(used <= burst, IotokenError::CircuitBreakerTripped);
    Ok(BreakerState {
        used,
        updated_at: drained.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use {super::*, crate::math::IO};

    /// 1.25 USD per IO.
    const PRICE: u64 = 125_000_000;

    #[test]
    fn conservative_price_takes_the_lower_side() {
        assert_eq!(
            conservative_price(PRICE, 120_000_000, 1_000_000),
            Some(118_000_000)
        );
        assert_eq!(conservative_price(110_000_000, PRICE, 0), Some(110_000_000));
        assert_eq!(conservative_price(PRICE, PRICE, PRICE / 2), None);
        assert_eq!(conservative_price(PRICE, PRICE, u64::MAX), None);
    }

    #[test]
    fn confidence_bound_is_inclusive() {
        assert!(confidence_within(PRICE, PRICE / 100, 100));
        assert!(!confidence_within(PRICE, PRICE / 100 + 1, 100));
        assert!(confidence_within(u64::MAX, u64::MAX, 10_000));
    }

    #[test]
    fn iosd_conversion_rounds_in_the_protocols_favour() {
        // 1 IO at 1.25 USD = 1.25 IOSD.
        assert_eq!(iosd_for_io(IO, PRICE).unwrap(), 1_250_000);
        // 1 base unit of IO is worth 1.25e-8 USD; one IOSD base unit (1e-6 USD) takes 80.
        assert_eq!(iosd_for_io(1, PRICE).unwrap(), 0);
        assert_eq!(iosd_for_io(79, PRICE).unwrap(), 0);
        assert_eq!(iosd_for_io(80, PRICE).unwrap(), 1);
        assert_eq!(io_for_iosd(1_250_000, PRICE).unwrap(), IO);
        assert_eq!(io_for_iosd(1, PRICE).unwrap(), 80);
        assert_eq!(io_for_iosd(2, 300_000_000).unwrap(), 67);
        assert!(iosd_for_io(u64::MAX, u64::MAX).is_err());
        // Round trip never creates value: IOSD back to IO costs at least the IO burned.
        for io in [1u64, 79, 80, 123_456_789, 987 * IO + 1] {
            let iosd = iosd_for_io(io, PRICE).unwrap();
            assert!(io_for_iosd(iosd, PRICE).unwrap() <= io);
        }
    }

    #[test]
    fn ema_moves_by_elapsed_share_of_the_window() {
        assert_eq!(next_ema(0, PRICE, 0, 3_600), PRICE);
        assert_eq!(next_ema(100_000_000, 200_000_000, 900, 3_600), 125_000_000);
        assert_eq!(next_ema(200_000_000, 100_000_000, 900, 3_600), 175_000_000);
        assert_eq!(
            next_ema(100_000_000, 200_000_000, 3_600, 3_600),
            200_000_000
        );
        assert_eq!(next_ema(100_000_000, 100_000_007, 1, 3_600), 100_000_000);
        assert_eq!(next_ema(100_000_007, 100_000_000, 1, 3_600), 100_000_007);
    }

    #[test]
    fn ema_steps_are_bounded_by_elapsed_time_and_per_update() {
        // 1 bp per second of the previous EMA, at most 2% per update.
        let (rate, cap) = (3_600, 200);
        assert_eq!(ema_step_bound(100_000_000, 10, rate, cap), 100_000);
        assert_eq!(ema_step_bound(100_000_000, 200, rate, cap), 2_000_000);
        assert_eq!(ema_step_bound(100_000_000, 1_000_000, rate, cap), 2_000_000);
        assert_eq!(ema_step_bound(100_000_000, 0, rate, cap), 0);
        assert_eq!(ema_step_bound(100_000_000, -5, rate, cap), 0);
        assert_eq!(ema_step_bound(99, 1, rate, cap), 0, "rounds down");
        assert_eq!(
            ema_step_bound(u64::MAX, i64::MAX, u32::MAX.into(), u16::MAX.into()),
            u64::MAX
        );

        // The review's print: 1 USD EMA, 1,000 USD spot 10 s later. Unbounded, the EMA jumps to
        // 3.775 USD; bounded, it moves 0.1%.
        let unbounded = next_ema(100_000_000, 100_000_000_000, 10, 3_600);
        assert_eq!(unbounded, 377_500_000);
        assert_eq!(
            bounded_ema(100_000_000, 100_000_000_000, 10, 3_600, rate, cap),
            100_100_000
        );
        // Downward the same: 1 USD to 0.001 USD moves it 0.1% down.
        assert_eq!(
            bounded_ema(100_000_000, 100_000, 10, 3_600, rate, cap),
            99_900_000
        );
        // After a long silence the cap holds: a whole window later the EMA moves 2%, not all
        // the way.
        assert_eq!(
            bounded_ema(100_000_000, 50_000_000, 3_600, 3_600, rate, cap),
            98_000_000
        );
        // Sane moves are not touched: 1.20 to 1.25 USD after 15 minutes moves a quarter of the
        // gap (1.04%, below both bounds).
        assert_eq!(
            bounded_ema(120_000_000, 125_000_000, 900, 3_600, rate, cap),
            next_ema(120_000_000, 125_000_000, 900, 3_600)
        );
        // The first price sets the EMA.
        assert_eq!(bounded_ema(0, 123, 0, 3_600, rate, cap), 123);
    }

    #[test]
    fn deviation_bound_is_inclusive_both_sides() {
        assert!(deviation_within(110_000_000, 100_000_000, 1_000));
        assert!(deviation_within(90_000_000, 100_000_000, 1_000));
        assert!(!deviation_within(110_000_001, 100_000_000, 1_000));
        assert!(!deviation_within(89_999_999, 100_000_000, 1_000));
        assert!(deviation_within(100_000_000, 100_000_000, 0));
        assert!(!deviation_within(1, 0, 10_000));
        assert!(deviation_within(u64::MAX - 1, u64::MAX / 2, 10_000));
        assert!(!deviation_within(u64::MAX, u64::MAX / 2, 10_000));
        assert!(!deviation_within(100_000_000_000, 100_100_000, 1_000));
    }

    #[test]
    fn halts_expire_unless_the_authoritys() {
        assert!(!halt_in_force(false, 0, 10));
        assert!(halt_in_force(true, 0, i64::MAX), "the authority's lasts");
        assert!(halt_in_force(true, 100, 99));
        assert!(!halt_in_force(true, 100, 100), "expired at its end");
        assert_eq!(updater_halt_until(false, 0, 50, 3_600).unwrap(), 3_650);
        // Another updater's halt in force ending later is kept; an expired one is not.
        assert_eq!(updater_halt_until(true, 9_000, 50, 3_600).unwrap(), 9_000);
        assert_eq!(updater_halt_until(true, 1_000, 50, 3_600).unwrap(), 3_650);
        assert_eq!(updater_halt_until(true, 40, 50, 3_600).unwrap(), 3_650);
        assert!(updater_halt_until(false, 0, i64::MAX, 1).is_err());
    }

    #[test]
    fn breaker_is_a_bucket_of_half_the_limit_refilling_the_other_half_per_window() {
        // 10,000 units per 100 s window, half at once: refills 50 units per second.
        let (window, max, burst_bps) = (100, 10_000, 5_000);
        assert_eq!(breaker_capacity(max, burst_bps).unwrap(), (5_000, 5_000));
        assert_eq!(breaker_capacity(10_001, burst_bps).unwrap(), (5_000, 5_001));
        let empty = BreakerState::default();
        let full = breaker_after_mint(empty, 1_000, window, max, burst_bps, 5_000).unwrap();
        assert_eq!(
            full,
            BreakerState {
                used: 5_000,
                updated_at: 1_000
            }
        );
        // One unit more at once trips it.
        assert_eq!(
            breaker_after_mint(full, 1_000, window, max, burst_bps, 1).unwrap_err(),
            error!(IotokenError::CircuitBreakerTripped)
        );
        // One second later exactly 50 units are free again, not 51.
        assert_eq!(
            breaker_after_mint(full, 1_001, window, max, burst_bps, 50).unwrap(),
            BreakerState {
                used: 5_000,
                updated_at: 1_001
            }
        );
        assert!(breaker_after_mint(full, 1_001, window, max, burst_bps, 51).is_err());
        // A whole window later the bucket is empty: the count never goes below zero.
        assert_eq!(
            breaker_after_mint(full, 1_100, window, max, burst_bps, 5_000).unwrap(),
            BreakerState {
                used: 5_000,
                updated_at: 1_100
            }
        );
        assert!(breaker_after_mint(full, 9_999, window, max, burst_bps, 5_001).is_err());
    }

    #[test]
    fn breaker_keeps_time_that_drained_less_than_a_unit() {
        // 3 units refill per 7 s.
        let (window, max, burst_bps) = (7, 6, 5_000);
        let start = BreakerState {
            used: 3,
            updated_at: 0,
        };
        // After 2 s 0.857 units drained: nothing yet, and the 2 s are kept.
        assert_eq!(breaker_drained(start, 2, window, 3), start);
        // After 3 s one unit (1.29, rounded down).
        assert_eq!(
            breaker_drained(start, 3, window, 3),
            BreakerState {
                used: 2,
                updated_at: 3
            }
        );
        assert_eq!(
            breaker_drained(start, 5, window, 3),
            BreakerState {
                used: 1,
                updated_at: 5
            }
        );
        // Minting a unit whenever one is free never stalls the refill.
        let mut state = BreakerState::default();
        let mut minted = 0;
        for now in 0..7 {
            while let Ok(next) = breaker_after_mint(state, now, window, max, burst_bps, 1) {
                state = next;
                minted += 1;
            }
        }
        assert_eq!(
            minted, 5,
            "the burst of 3, then the units refilled by seconds 3 and 6"
        );
        assert_eq!(
            state,
            BreakerState {
                used: 3,
                updated_at: 6
            }
        );
        assert_eq!(breaker_drained(state, 9, window, 3).used, 2);
        // The clock never runs backwards into the count.
        assert_eq!(breaker_drained(state, -1, window, 3), state);
    }

    #[test]
    fn no_window_long_interval_mints_more_than_the_limit() {
        // Greedy minting every second over 10 windows of 60 s, limit 600 (burst 300, refill
        // 5 units per second): every 60-second span holds at most 600.
        let (window, max, burst_bps) = (60i64, 600u64, 5_000u64);
        let mut state = BreakerState::default();
        let mut per_second = Vec::new();
        for now in 0..600 {
            let mut minted = 0;
            for amount in [7u64, 1] {
                while let Ok(next) = breaker_after_mint(state, now, window, max, burst_bps, amount)
                {
                    state = next;
                    minted += amount;
                }
            }
            per_second.push(minted);
        }
        assert_eq!(per_second[0], 300);
        let worst = per_second
            .windows(window as usize)
            .map(|span| span.iter().sum::<u64>())
            .max()
            .unwrap();
        assert!(worst <= max, "{worst} in one window");
        assert!(worst >= max - 5, "the refill is used: {worst}");
        // The old fixed window let the whole limit through twice across its edge.
        let fixed_edge_double = 2 * max;
        assert!(worst < fixed_edge_double);
    }
}
