//! The reward-per-share index. Depositing raises the index by `amount x SCALE / active_shares`
//! (rounded down); a position is owed `(shares x index - debt) / SCALE` (rounded down). Both
//! roundings are down, so the positions together are never owed more than was deposited; what
//! rounding leaves stays in the vault.

use {
    super::{overflow, SafeMath},
    anchor_lang::prelude::*,
};

/// Precision of the index: IO base units per share, times 10^12.
pub const REWARD_INDEX_SCALE: u128 = 1_000_000_000_000;

/// How much a deposit of `amount` raises the index over `active_shares` (> 0).
pub fn index_increase(amount: u64, active_shares: u64) -> Result<u128> {
    (amount as u128)
        .safe_mul(REWARD_INDEX_SCALE)?
        .safe_div(active_shares as u128)
}

/// The debt of `shares` at `index`: what they would have been owed had they been there from the start.
pub fn reward_debt(shares: u64, index: u128) -> Result<u128> {
    (shares as u128).safe_mul(index)
}

/// IO base units newly owed to `shares` since their debt was `debt`.
pub fn pending_rewards(shares: u64, index: u128, debt: u128) -> Result<u64> {
    let accrued = reward_debt(shares, index)?.safe_sub(debt)? / REWARD_INDEX_SCALE;
    u64::try_from(accrued).map_err(|_| overflow())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_is_split_by_shares_rounding_down() {
        // 100 units over 3 shares held 1 and 2: 33 and 66, one unit stays in the vault.
        let index = index_increase(100, 3).unwrap();
        assert_eq!(pending_rewards(1, index, 0).unwrap(), 33);
        assert_eq!(pending_rewards(2, index, 0).unwrap(), 66);
    }

    #[test]
    fn a_late_joiner_earns_only_later_deposits() {
        let first = index_increase(1_000, 10).unwrap();
        let debt = reward_debt(10, first).unwrap();
        let second = first + index_increase(1_000, 20).unwrap();
        assert_eq!(pending_rewards(10, second, debt).unwrap(), 500);
        assert_eq!(pending_rewards(10, second, 0).unwrap(), 1_500);
    }
}
