use anchor_lang::prelude::*;

/// One co-staker's stake in one pool.
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePosition {
    pub pool: Pubkey,
    pub owner: Pubkey,
    /// Active shares of the pool's co-stake: earn rewards, carry voting weight.
    pub shares: u64,
    /// Shares cooling down: still slashable, earn nothing, withdrawable at `cooldown_ends_at`.
    pub cooling_shares: u64,
    pub cooldown_ends_at: i64,
    /// Until then (unix seconds) nothing can be unstaked; the remaining lock multiplies voting weight.
    pub lock_ends_at: i64,
    /// `shares x pool.reward_index` when the position last settled.
    pub reward_debt: u128,
    /// IO base units of rewards settled and not yet claimed.
    pub rewards_owed: u64,
    /// IO base units of rewards claimed, ever.
    pub rewards_claimed: u64,
    /// End of the latest vote this position cast: its stake cannot be withdrawn before, so the
    /// same IO cannot vote again through another position.
    pub vote_lock_until: i64,
    pub created_at: i64,
    pub bump: u8,
    /// When the position's voting weight last grew (a stake or a lock extension), unix seconds:
    /// it votes only on proposals created at or after then (L13's snapshot).
    pub weight_changed_at: i64,
    /// Kept for delegation of voting weight.
    pub _reserved: [u8; 56],
}

impl StakePosition {
    /// Adds what the active shares earned since the last settlement to `rewards_owed` and resets
    /// the debt to the current index. Called before any change of `shares`.
    pub fn settle(&mut self, reward_index: u128) -> Result<()> {
        use crate::math::{rewards::*, SafeMath};
        let earned = pending_rewards(self.shares, reward_index, self.reward_debt)?;
        self.rewards_owed = self.rewards_owed.safe_add(earned)?;
        self.reward_debt = reward_debt(self.shares, reward_index)?;
        Ok(())
    }
}
