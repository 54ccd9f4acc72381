//! Co-stake shares: a position owns `shares` of the pool's `costake_shares`, worth that fraction
//! of `costake_total` IO. Every rounding favours the pool, so no sequence of stakes and unstakes
//! takes out more IO than went in.

use {
    super::{mul_div_ceil, mul_div_floor},
    crate::errors::StakingError,
    anchor_lang::prelude::*,
};

/// Shares minted for depositing `amount` IO, rounded down. The first deposit mints 1:1.
pub fn shares_for_deposit(amount: u64, total: u64, total_shares: u64) -> Result<u64> {
    if total_shares == 0 {
        return Ok(amount);
    }
    // Shares exist but slashing took all their IO: new IO would be worth nothing in them.
    require!(total > 0, StakingError::CoStakeWipedOut);
    mul_div_floor(amount, total_shares, total)
}

/// IO that `shares` are worth, rounded down.
pub fn value_of_shares(shares: u64, total: u64, total_shares: u64) -> Result<u64> {
    if total_shares == 0 {
        return Ok(0);
    }
    mul_div_floor(shares, total, total_shares)
}

/// Shares to give up for `amount` IO of value, rounded up.
pub fn shares_for_amount(amount: u64, total: u64, total_shares: u64) -> Result<u64> {
    require!(total > 0, StakingError::CoStakeWipedOut);
    mul_div_ceil(amount, total_shares, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_deposit_is_one_to_one_and_later_ones_follow_the_value() {
        assert_eq!(shares_for_deposit(500, 0, 0).unwrap(), 500);
        // After a 20% slash 1,000 shares hold 800 IO: 400 IO buys 500 shares.
        assert_eq!(shares_for_deposit(400, 800, 1_000).unwrap(), 500);
        assert_eq!(value_of_shares(500, 1_200, 1_500).unwrap(), 400);
    }

    #[test]
    fn rounding_favours_the_pool() {
        // 10 IO for 3 shares: depositing 1 IO mints 0 shares, withdrawing 1 IO costs 1 share.
        assert_eq!(shares_for_deposit(1, 10, 3).unwrap(), 0);
        assert_eq!(shares_for_amount(1, 10, 3).unwrap(), 1);
        assert_eq!(value_of_shares(1, 10, 3).unwrap(), 3);
        assert_eq!(shares_for_amount(4, 10, 3).unwrap(), 2);
    }

    #[test]
    fn wiped_out_co_stake_refuses_new_shares() {
        assert!(shares_for_deposit(100, 0, 50).is_err());
        assert_eq!(value_of_shares(50, 0, 50).unwrap(), 0);
    }
}
