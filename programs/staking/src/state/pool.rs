use anchor_lang::prelude::*;

/// The stake behind one registry device. The operator's self-stake is held as an amount and is
/// slashed first; co-stake is held as shares of `costake_total`, so a slash of co-stakers lowers
/// every position pro-rata without touching them, and rewards are spread over active shares by
/// `reward_index`, so depositing is O(1) and each position settles its own share lazily.
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePool {
    /// The registry device (its account address) this pool backs.
    pub device: Pubkey,
    /// The device's owner when the pool was opened: the only key that moves self-stake or sets terms.
    pub operator: Pubkey,
    /// Share of the device's rewards given to co-stakers, in basis points, within iotoken's
    /// `staker_share_min_bps..=staker_share_max_bps`.
    pub staker_share_bps: u16,
    /// Whether new co-stake is accepted; existing positions are unaffected.
    pub costaking_open: bool,
    /// IO base units of active self-stake.
    pub operator_stake: u64,
    /// IO base units of self-stake cooling down (still slashable), withdrawable at
    /// `operator_cooldown_ends_at`.
    pub operator_cooling: u64,
    pub operator_cooldown_ends_at: i64,
    /// IO base units held for all co-stake shares, active and cooling.
    pub costake_total: u64,
    /// All co-stake shares, active and cooling.
    pub costake_shares: u64,
    /// Co-stake shares not cooling down: those earn rewards and count towards the minimum stake.
    pub active_shares: u64,
    /// IO base units of rewards per active share, scaled by `REWARD_INDEX_SCALE`; only grows.
    pub reward_index: u128,
    /// IO base units deposited as rewards, ever.
    pub rewards_deposited: u64,
    /// IO base units of rewards paid to positions, ever.
    pub rewards_claimed: u64,
    /// Start (unix seconds) of the current slash window, its cap and what was slashed in it.
    pub slash_window_start: i64,
    pub slash_window_cap: u64,
    pub slashed_in_window: u64,
    /// IO base units slashed, ever.
    pub total_slashed: u64,
    pub created_at: i64,
    pub bump: u8,
    pub vault_bump: u8,
    /// Kept for per-pool fields added with the market (e.g. reservation counters).
    pub _reserved: [u8; 64],
}

impl StakePool {
    /// IO base units counted towards the device's minimum stake: active self-stake plus the value
    /// of active co-stake. Stake cooling down does not count.
    pub fn qualifying_stake(&self) -> Result<u64> {
        use crate::math::{shares::value_of_shares, SafeMath};
        let costake = value_of_shares(self.active_shares, self.costake_total, self.costake_shares)?;
        self.operator_stake.safe_add(costake)
    }

    /// IO base units of stake the vault must hold: self-stake and co-stake, active and cooling.
    pub fn total_stake(&self) -> Option<u64> {
        self.operator_stake
            .checked_add(self.operator_cooling)?
            .checked_add(self.costake_total)
    }
}
