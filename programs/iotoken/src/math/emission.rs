//! The emission schedule as data: rows of `{start_time, emission_per_epoch}`, epoch 0 starting at
//! the first row. Each epoch mints its row's rate plus net emissions (IO burned for IOSD,
//! re-emitted smoothly), clamped so the schedule never mints past `EMISSION_BUDGET` and no mint
//! takes the supply past `IO_SUPPLY_CAP`.

use {
    super::{bps_of, SafeMath, EMISSION_BUDGET, EPOCH_SECS, IO_SUPPLY_CAP},
    crate::{errors::IotokenError, state::EmissionRow},
    anchor_lang::prelude::*,
};

/// Reward pools, in the order of `RewardSplit` and of the pool vault seeds.
pub const POOL_COUNT: usize = 4;

/// Unix time at which `epoch` starts, for a schedule whose epoch 0 starts at `origin`.
pub fn epoch_start(origin: i64, epoch: u64) -> Result<i64> {
    let epoch = i64::try_from(epoch).map_err(|_| error!(IotokenError::MathOverflow))?;
    origin.safe_add(epoch.safe_mul(EPOCH_SECS)?)
}

/// The epoch running at `time` (epoch 0 for any time before `origin`).
pub fn epoch_at(origin: i64, time: i64) -> u64 {
    if time <= origin {
        return 0;
    }
    ((time - origin) / EPOCH_SECS) as u64
}

/// Checks rows as they are appended: at least one, each starting on an epoch boundary of the
/// first, in strictly increasing order.
pub fn check_rows(rows: &[EmissionRow]) -> Result<()> {
    let first = rows
        .first()
        .ok_or_else(|| error!(IotokenError::ScheduleEmpty))?;
    for pair in rows.windows(2) {
        require!(
            pair[1].start_time > pair[0].start_time,
            IotokenError::ScheduleRowsNotIncreasing
        );
    }
    for row in rows {
        require!(
            (row.start_time - first.start_time) % EPOCH_SECS == 0,
            IotokenError::ScheduleRowMisaligned
        );
    }
    Ok(())
}

/// Everything a complete schedule will ever mint; the last row must be zero (an end), and the
/// total must fit `EMISSION_BUDGET`.
pub fn schedule_total(rows: &[EmissionRow]) -> Result<u64> {
    check_rows(rows)?;
    let last = rows[rows.len() - 1];
    require!(
        last.emission_per_epoch == 0,
        IotokenError::ScheduleWithoutEnd
    );
    let mut total: u128 = 0;
    for pair in rows.windows(2) {
        let epochs = ((pair[1].start_time - pair[0].start_time) / EPOCH_SECS) as u128;
        total = total.safe_add(epochs.safe_mul(pair[0].emission_per_epoch as u128)?)?;
    }
    require!(
        total <= EMISSION_BUDGET as u128,
        IotokenError::ScheduleExceedsBudget
    );
    Ok(total as u64)
}

/// The scheduled emission of `epoch`: the rate of the last row starting at or before it.
pub fn scheduled_emission(rows: &[EmissionRow], epoch: u64) -> Result<u64> {
    let Some(first) = rows.first() else {
        return Ok(0);
    };
    let start = epoch_start(first.start_time, epoch)?;
    Ok(rows
        .iter()
        .rev()
        .find(|row| row.start_time <= start)
        .map_or(0, |row| row.emission_per_epoch))
}

/// Scheduled emission of epochs `from..to` (before clamping), computed per row: O(rows).
pub fn cumulative_emission(rows: &[EmissionRow], from: u64, to: u64) -> Result<u128> {
    let Some(first) = rows.first() else {
        return Ok(0);
    };
    let mut total: u128 = 0;
    for (index, row) in rows.iter().enumerate() {
        let row_first = epoch_at(first.start_time, row.start_time);
        let row_end = match rows.get(index + 1) {
            Some(next) => epoch_at(first.start_time, next.start_time),
            None => u64::MAX,
        };
        let (lo, hi) = (row_first.max(from), row_end.min(to));
        if hi > lo {
            total =
                total.safe_add(((hi - lo) as u128).safe_mul(row.emission_per_epoch as u128)?)?;
        }
    }
    Ok(total)
}

/// Net emission of one epoch: `ceil(backlog / smoothing_epochs)`, at most `cap_per_epoch`. A
/// burn is thus re-emitted over about `smoothing_epochs` epochs, never faster than the cap.
pub fn net_emission_draw(backlog: u64, smoothing_epochs: u64, cap_per_epoch: u64) -> u64 {
    if backlog == 0 || smoothing_epochs == 0 {
        return 0;
    }
    backlog.div_ceil(smoothing_epochs).min(cap_per_epoch)
}

/// What closing one epoch mints, by destination.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EpochMint {
    /// The schedule's rate, clamped by the budget left and the supply cap.
    pub scheduled: u64,
    /// Re-emitted burned IO, clamped by the supply cap.
    pub net: u64,
    /// Reward pools: availability, compute, stakers, keepers (the keepers' pool after the tip).
    pub pools: [u64; POOL_COUNT],
    /// To the keeper that cranked, taken from the keepers' share.
    pub crank_tip: u64,
}

impl EpochMint {
    pub fn total(&self) -> u64 {
        self.scheduled + self.net
    }
}

/// The parameters of an epoch's mint, from the token config.
#[derive(Clone, Copy, Debug)]
pub struct EpochMintParams {
    /// Basis points of each pool; they sum to 10_000.
    pub split_bps: [u64; POOL_COUNT],
    pub crank_tip: u64,
    pub net_smoothing_epochs: u64,
    pub net_cap_per_epoch: u64,
}

/// Splits one epoch's emission. `cumulative_scheduled` is what the schedule has minted so far,
/// `backlog` the burned IO awaiting re-emission and `supply` the IO supply before this mint.
/// The availability pool takes the rounding remainder, so the pools and the tip sum to the total.
pub fn epoch_mint(
    rate: u64,
    cumulative_scheduled: u64,
    backlog: u64,
    supply: u64,
    params: &EpochMintParams,
) -> Result<EpochMint> {
    let room = IO_SUPPLY_CAP.saturating_sub(supply);
    let scheduled = rate
        .min(EMISSION_BUDGET.saturating_sub(cumulative_scheduled))
        .min(room);
    let net = net_emission_draw(
        backlog,
        params.net_smoothing_epochs,
        params.net_cap_per_epoch,
    )
    .min(room - scheduled);
    let total = scheduled + net;

    let mut pools = [0u64; POOL_COUNT];
    for (pool, bps) in pools.iter_mut().zip(params.split_bps).skip(1) {
        *pool = bps_of(total, bps)?;
    }
    pools[0] = total.safe_sub(pools[1..].iter().sum())?;
    let crank_tip = params.crank_tip.min(pools[POOL_COUNT - 1]);
    pools[POOL_COUNT - 1] -= crank_tip;
    Ok(EpochMint {
        scheduled,
        net,
        pools,
        crank_tip,
    })
}

#[cfg(test)]
mod tests {
    use {super::*, crate::math::IO};

    fn row(start_time: i64, emission_per_epoch: u64) -> EmissionRow {
        EmissionRow {
            start_time,
            emission_per_epoch,
        }
    }

    const T0: i64 = 1_800_000_000;
    const PARAMS: EpochMintParams = EpochMintParams {
        split_bps: [6_000, 2_500, 1_000, 500],
        crank_tip: 10 * IO,
        net_smoothing_epochs: 24,
        net_cap_per_epoch: 1_000 * IO,
    };

    /// xorshift64*: deterministic randomness for property tests without dependencies.
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        pub fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn epochs_are_hours_from_the_first_row() {
        assert_eq!(epoch_start(T0, 0).unwrap(), T0);
        assert_eq!(epoch_start(T0, 24).unwrap(), T0 + 86_400);
        assert_eq!(epoch_at(T0, T0 - 1), 0);
        assert_eq!(epoch_at(T0, T0 + 3_599), 0);
        assert_eq!(epoch_at(T0, T0 + 3_600), 1);
        assert!(epoch_start(T0, u64::MAX).is_err());
    }

    #[test]
    fn rows_must_be_aligned_increasing_and_end_at_zero() {
        let name = |r: Result<u64>| match r {
            Err(Error::AnchorError(e)) => e.error_name,
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(name(schedule_total(&[])), "ScheduleEmpty");
        assert_eq!(
            name(schedule_total(&[row(T0, 5), row(T0 + 1_800, 0)])),
            "ScheduleRowMisaligned"
        );
        assert_eq!(
            name(schedule_total(&[row(T0, 5), row(T0, 0)])),
            "ScheduleRowsNotIncreasing"
        );
        assert_eq!(
            name(schedule_total(&[row(T0, 5), row(T0 + 3_600, 1)])),
            "ScheduleWithoutEnd"
        );
        assert_eq!(
            name(schedule_total(&[
                row(T0, EMISSION_BUDGET),
                row(T0 + 7_200, 0)
            ])),
            "ScheduleExceedsBudget"
        );
        assert_eq!(
            schedule_total(&[row(T0, 7), row(T0 + 36_000, 3), row(T0 + 72_000, 0)]).unwrap(),
            7 * 10 + 3 * 10
        );
    }

    #[test]
    fn scheduled_and_cumulative_emission_follow_the_rows() {
        let rows = [row(T0, 7), row(T0 + 36_000, 3), row(T0 + 72_000, 0)];
        assert_eq!(scheduled_emission(&rows, 0).unwrap(), 7);
        assert_eq!(scheduled_emission(&rows, 9).unwrap(), 7);
        assert_eq!(scheduled_emission(&rows, 10).unwrap(), 3);
        assert_eq!(scheduled_emission(&rows, 20).unwrap(), 0);
        assert_eq!(cumulative_emission(&rows, 0, 1_000).unwrap(), 100);
        assert_eq!(cumulative_emission(&rows, 5, 15).unwrap(), 5 * 7 + 5 * 3);
        let by_epoch: u128 = (5..15)
            .map(|e| scheduled_emission(&rows, e).unwrap() as u128)
            .sum();
        assert_eq!(by_epoch, 50);
    }

    #[test]
    fn net_draw_smooths_and_caps() {
        assert_eq!(net_emission_draw(0, 24, 100), 0);
        assert_eq!(net_emission_draw(1, 24, 100), 1);
        assert_eq!(net_emission_draw(240, 24, 100), 10);
        assert_eq!(net_emission_draw(241, 24, 100), 11);
        assert_eq!(net_emission_draw(1_000_000, 24, 100), 100);
    }

    #[test]
    fn epoch_mint_splits_exactly_and_clamps() {
        let mint = epoch_mint(1_000 * IO + 7, 0, 0, 500_000_000 * IO, &PARAMS).unwrap();
        assert_eq!(mint.total(), 1_000 * IO + 7);
        assert_eq!(mint.pools[1], 250 * IO + 1);
        assert_eq!(mint.pools[2], 100 * IO);
        assert_eq!(mint.crank_tip, 10 * IO);
        assert_eq!(mint.pools[3], 40 * IO);
        assert_eq!(
            mint.pools.iter().sum::<u64>() + mint.crank_tip,
            mint.total()
        );

        // The budget left clamps the schedule; the supply cap clamps everything.
        let at_budget = epoch_mint(100, EMISSION_BUDGET - 40, 0, 0, &PARAMS).unwrap();
        assert_eq!(at_budget.scheduled, 40);
        let at_cap = epoch_mint(100, 0, 1_000_000, IO_SUPPLY_CAP - 130, &PARAMS).unwrap();
        assert_eq!((at_cap.scheduled, at_cap.net), (100, 30));
        let full = epoch_mint(100, 0, 1_000_000, IO_SUPPLY_CAP, &PARAMS).unwrap();
        assert_eq!(full.total(), 0);
    }

    /// Any order and timing of cranks and burns: the schedule never mints more than the budget,
    /// the supply never passes the cap, and every minted unit lands in a pool or the tip.
    #[test]
    fn no_crank_sequence_mints_past_the_budget_or_the_cap() {
        let mut rng = Rng(0x1057_0c4e_2024_0001);
        for _case in 0..200 {
            // Adversarial rows (never sealed through `schedule_total`): rates up to the budget.
            let mut rows = Vec::new();
            let mut start = T0;
            for _ in 0..1 + rng.below(6) {
                let divisor = 1 + rng.below(400);
                rows.push(row(start, rng.below(EMISSION_BUDGET / divisor)));
                start += EPOCH_SECS * (1 + rng.below(300)) as i64;
            }
            let params = EpochMintParams {
                net_cap_per_epoch: rng.below(u64::MAX / 4),
                net_smoothing_epochs: 1 + rng.below(48),
                crank_tip: rng.below(1_000 * IO),
                ..PARAMS
            };
            let mut supply = 500_000_000 * IO;
            let mut cumulative = 0u64;
            let mut backlog = 0u64;
            for epoch in 0..(rng.below(2_000)) {
                // A user burns part of the supply for IOSD; the burn joins the backlog.
                if rng.below(3) == 0 {
                    let burned = rng.below(supply / 10 + 1);
                    supply -= burned;
                    backlog += burned;
                }
                let rate = scheduled_emission(&rows, epoch).unwrap();
                let mint = epoch_mint(rate, cumulative, backlog, supply, &params).unwrap();
                assert_eq!(
                    mint.pools.iter().sum::<u64>() + mint.crank_tip,
                    mint.total()
                );
                cumulative += mint.scheduled;
                backlog -= mint.net;
                supply += mint.total();
                assert!(cumulative <= EMISSION_BUDGET);
                assert!(supply <= IO_SUPPLY_CAP);
            }
        }
    }
}
