//! Minimum stake of a device and voting weight of a position.

use {
    super::{
        overflow, SafeMath, BASE_WEIGHT_BPS, BPS_DENOMINATOR, MAX_LOCK_BONUS_BPS, MAX_LOCK_SECS,
        MULTIPLIER_ONE,
    },
    crate::state::GpuClass,
    anchor_lang::prelude::*,
};

/// The class multiplier (hundredths) of a GPU model: the first class whose pattern occurs in the
/// model ignoring ASCII case, or 1.00.
pub fn gpu_class_multiplier(classes: &[GpuClass], gpu_model: &str) -> u16 {
    let model = gpu_model.to_ascii_lowercase();
    classes
        .iter()
        .find(|class| model.contains(&class.pattern.to_ascii_lowercase()))
        .map_or(MULTIPLIER_ONE, |class| class.multiplier_centi)
}

/// IO base units a device must have staked to earn availability rewards:
/// `base x max(1, multiplier) x gpu_count`.
pub fn minimum_stake(base: u64, multiplier_centi: u16, gpu_count: u16) -> Result<u64> {
    let multiplier = multiplier_centi.max(MULTIPLIER_ONE) as u128;
    let minimum = (base as u128)
        .safe_mul(multiplier)?
        .safe_mul(gpu_count as u128)?
        / MULTIPLIER_ONE as u128;
    u64::try_from(minimum).map_err(|_| overflow())
}

/// Voting weight multiplier in basis points for `lock_remaining_secs`: 1x unlocked, rising
/// linearly to 4x at 4 years remaining. The remaining lock (not the lock chosen) counts, so
/// weight decays as the unlock nears, and keeping full weight means keeping the lock topped up.
pub fn weight_multiplier_bps(lock_remaining_secs: i64) -> u64 {
    let remaining = lock_remaining_secs.clamp(0, MAX_LOCK_SECS) as u128;
    let bonus = MAX_LOCK_BONUS_BPS as u128 * remaining / MAX_LOCK_SECS as u128;
    BASE_WEIGHT_BPS + bonus as u64
}

/// Voting weight of `stake` IO base units locked until `lock_ends_at`, at `now`.
pub fn voting_weight(stake: u64, lock_ends_at: i64, now: i64) -> Result<u64> {
    let multiplier = weight_multiplier_bps(lock_ends_at.saturating_sub(now));
    let weight = (stake as u128).safe_mul(multiplier as u128)? / BPS_DENOMINATOR as u128;
    u64::try_from(weight).map_err(|_| overflow())
}

#[cfg(test)]
mod tests {
    use {super::*, crate::math::IO};

    fn class(pattern: &str, multiplier_centi: u16) -> GpuClass {
        GpuClass {
            pattern: pattern.into(),
            multiplier_centi,
        }
    }

    #[test]
    fn the_first_matching_class_counts_ignoring_case() {
        let classes = [class("H100", 400), class("RTX 4090", 150), class("T4", 50)];
        assert_eq!(gpu_class_multiplier(&classes, "NVIDIA h100 80GB HBM3"), 400);
        assert_eq!(gpu_class_multiplier(&classes, "GeForce RTX 4090"), 150);
        assert_eq!(gpu_class_multiplier(&classes, "AMD MI300X"), 100);
    }

    #[test]
    fn minimum_stake_never_goes_below_one_x() {
        assert_eq!(minimum_stake(200 * IO, 400, 8).unwrap(), 6_400 * IO);
        assert_eq!(minimum_stake(200 * IO, 50, 2).unwrap(), 400 * IO);
        assert_eq!(minimum_stake(200 * IO, 150, 1).unwrap(), 300 * IO);
    }

    #[test]
    fn weight_grows_linearly_with_the_remaining_lock_to_four_x() {
        assert_eq!(voting_weight(1_000, 0, 100).unwrap(), 1_000);
        assert_eq!(
            voting_weight(1_000, 100 + MAX_LOCK_SECS, 100).unwrap(),
            4_000
        );
        assert_eq!(
            voting_weight(1_000, 100 + MAX_LOCK_SECS * 2, 100).unwrap(),
            4_000
        );
        assert_eq!(
            voting_weight(1_000, 100 + MAX_LOCK_SECS / 2, 100).unwrap(),
            2_500
        );
        assert_eq!(voting_weight(1_000, 50, 100).unwrap(), 1_000);
    }
}
