//! The two emission presets, as schedule rows. Built here for the tests and the shared test
//! vectors, and by `sdk/src/iotoken/presets.ts` (identically) for the migrations.
//!
//! - **Decay** (io.net's published curve): year one emits 8% of the genesis supply (40M IO), each
//!   month (730 epochs, a twelfth of a 365-day year) emits 1.02% less than the one before, and the
//!   curve ends the epoch the 300M budget is reached (month 198, about 16.5 years).
//! - **Halving** (seed 001): 6M IO a year in 2024-25, 3M in 2026-27, 1.5M in 2028-29, halving
//!   every two calendar years until the hourly rate rounds to zero.

use {
    super::{EMISSION_BUDGET, EPOCH_SECS, GENESIS_SUPPLY, IO},
    crate::state::EmissionRow,
};

/// Epochs in a preset month: 8760 / 12.
pub const MONTH_EPOCHS: u64 = 730;
/// Year one of the decay curve: 8% of the genesis supply.
pub const DECAY_YEAR_ONE: u64 = GENESIS_SUPPLY / 100 * 8;
/// Each month's emission is this many ten-thousandths of the previous month's (1.02% less).
pub const DECAY_MONTHLY_RETAIN_BPS: u128 = 9_898;
/// Fixed-point scale of the decay factors.
const FACTOR_SCALE: u128 = 1_000_000_000_000;

/// 2024-01-01T00:00:00Z, where the halving preset starts.
pub const HALVING_START: i64 = 1_704_067_200;
pub const HALVING_FIRST_YEAR: i64 = 2024;
/// IO per year in the first halving period (2024-25).
pub const HALVING_FIRST_ANNUAL: u64 = 6_000_000 * IO;
/// Calendar years per halving period.
pub const HALVING_PERIOD_YEARS: i64 = 2;

/// The decay curve starting at `start_time` (an epoch boundary of the caller's choosing).
pub fn decay_preset(start_time: i64) -> Vec<EmissionRow> {
    // factor_k = 0.9898^k in fixed point, each step rounded down.
    let factors: Vec<u128> = (0..12)
        .scan(FACTOR_SCALE, |factor, _| {
            let current = *factor;
            *factor = *factor * DECAY_MONTHLY_RETAIN_BPS / 10_000;
            Some(current)
        })
        .collect();
    let year_one_factors: u128 = factors.iter().sum();
    // The first month's emission, such that twelve decaying months sum to year one.
    let first_month = DECAY_YEAR_ONE as u128 * FACTOR_SCALE / year_one_factors;

    let mut rows = Vec::new();
    let mut factor = FACTOR_SCALE;
    let mut emitted: u64 = 0;
    let mut start = start_time;
    loop {
        let rate = (first_month * factor / FACTOR_SCALE / MONTH_EPOCHS as u128) as u64;
        let month = rate * MONTH_EPOCHS;
        let left = EMISSION_BUDGET - emitted;
        if rate == 0 || month > left {
            // The last month: as many epochs at the current rate as fit, then one epoch with the
            // remainder, so the curve emits exactly the budget.
            let epochs = left / rate.max(1);
            if rate > 0 && epochs > 0 {
                rows.push(EmissionRow {
                    start_time: start,
                    emission_per_epoch: rate,
                });
                start += epochs as i64 * EPOCH_SECS;
            }
            let remainder = left - epochs * rate;
            if remainder > 0 {
                rows.push(EmissionRow {
                    start_time: start,
                    emission_per_epoch: remainder,
                });
                start += EPOCH_SECS;
            }
            rows.push(EmissionRow {
                start_time: start,
                emission_per_epoch: 0,
            });
            return rows;
        }
        rows.push(EmissionRow {
            start_time: start,
            emission_per_epoch: rate,
        });
        emitted += month;
        start += MONTH_EPOCHS as i64 * EPOCH_SECS;
        factor = factor * DECAY_MONTHLY_RETAIN_BPS / 10_000;
    }
}

/// Unix time of January 1st, 00:00 UTC, of `year` (1970 or later).
pub fn january_first(year: i64) -> i64 {
    let leap_days = (year - 1969) / 4 - (year - 1901) / 100 + (year - 1601) / 400;
    ((year - 1970) * 365 + leap_days) * 86_400
}

/// The halving curve, periods starting on January 1st of 2024, 2026, 2028, ...
pub fn halving_preset() -> Vec<EmissionRow> {
    let mut rows = Vec::new();
    let mut annual = HALVING_FIRST_ANNUAL;
    let mut year = HALVING_FIRST_YEAR;
    loop {
        let start = january_first(year);
        let end = january_first(year + HALVING_PERIOD_YEARS);
        let epochs = ((end - start) / EPOCH_SECS) as u64;
        let rate = annual * HALVING_PERIOD_YEARS as u64 / epochs;
        rows.push(EmissionRow {
            start_time: start,
            emission_per_epoch: rate,
        });
        if rate == 0 {
            return rows;
        }
        annual /= 2;
        year += HALVING_PERIOD_YEARS;
    }
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        crate::math::emission::{cumulative_emission, schedule_total},
    };

    const START: i64 = 1_800_000_000 - 1_800_000_000 % EPOCH_SECS;

    #[test]
    fn decay_emits_eight_percent_in_year_one_and_exactly_the_budget() {
        let rows = decay_preset(START);
        assert_eq!(schedule_total(&rows).unwrap(), EMISSION_BUDGET);
        let year_one = cumulative_emission(&rows, 0, 12 * MONTH_EPOCHS).unwrap() as u64;
        // Rounding each month's rate down loses less than one base unit per epoch.
        assert!(year_one <= DECAY_YEAR_ONE && DECAY_YEAR_ONE - year_one < 12 * MONTH_EPOCHS);
        assert_eq!(DECAY_YEAR_ONE, 40_000_000 * IO);
        // Month k+1 emits 1.02% less than month k (to the rounding of the rates).
        for pair in rows.windows(2).take(150) {
            let (a, b) = (
                pair[0].emission_per_epoch as u128,
                pair[1].emission_per_epoch as u128,
            );
            assert!((a * 9_898 / 10_000).abs_diff(b) <= 2, "{a} -> {b}");
        }
        // 198 months and a bit: about 16.5 years.
        let end = rows.last().unwrap().start_time;
        let months = (end - START) / (MONTH_EPOCHS as i64 * EPOCH_SECS);
        assert_eq!(months, 197);
    }

    #[test]
    fn halving_halves_every_two_calendar_years() {
        let rows = halving_preset();
        assert_eq!(rows[0].start_time, HALVING_START);
        assert_eq!(rows[1].start_time, january_first(2026));
        assert_eq!(january_first(2026), 1_767_225_600);
        assert_eq!(rows.last().unwrap().emission_per_epoch, 0);
        let total = schedule_total(&rows).unwrap();
        assert!(total < 24_000_000 * IO);
        // Each two-year period emits twice the annual amount, short only by the rounding of the
        // hourly rate (under one base unit per epoch).
        let mut annual = HALVING_FIRST_ANNUAL;
        for (period, pair) in rows.windows(2).enumerate().take(10) {
            let epochs = ((pair[1].start_time - pair[0].start_time) / EPOCH_SECS) as u64;
            let emitted = epochs * pair[0].emission_per_epoch;
            assert!(
                emitted <= 2 * annual && 2 * annual - emitted < epochs,
                "period {period}"
            );
            annual /= 2;
        }
        // 2024-25 has 366 + 365 days.
        assert_eq!(rows[0].emission_per_epoch, 12_000_000 * IO / (731 * 24));
    }
}
