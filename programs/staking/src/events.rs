//! One event per state change. Amounts are IO base units (1e8 = 1 IO) unless named otherwise.

use {
    crate::state::{ParameterChange, ProposalStatus, SlashReason, VoteSide},
    anchor_lang::prelude::*,
};

#[event]
pub struct ConfigInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub io_mint: Pubkey,
    pub governance: Pubkey,
}

/// A change of this program's parameters, by the authority or by an executed proposal.
#[event]
pub struct ConfigChanged {
    pub change: ParameterChange,
    /// The proposal that made it, or the all-zero key when the authority did.
    pub proposal: Pubkey,
}

#[event]
pub struct AuthorityChanged {
    pub before: Pubkey,
    pub after: Pubkey,
}

#[event]
pub struct PoolOpened {
    pub pool: Pubkey,
    pub device: Pubkey,
    pub operator: Pubkey,
    pub staker_share_bps: u16,
    pub costaking_open: bool,
}

#[event]
pub struct PoolTermsSet {
    pub pool: Pubkey,
    pub staker_share_bps_before: u16,
    pub staker_share_bps_after: u16,
    pub costaking_open_before: bool,
    pub costaking_open_after: bool,
}

#[event]
pub struct SelfStaked {
    pub pool: Pubkey,
    pub amount: u64,
    pub operator_stake_after: u64,
}

#[event]
pub struct SelfUnstaked {
    pub pool: Pubkey,
    pub amount: u64,
    pub operator_stake_after: u64,
    pub operator_cooling_after: u64,
    pub cooldown_ends_at: i64,
}

#[event]
pub struct SelfWithdrawn {
    pub pool: Pubkey,
    pub amount: u64,
}

#[event]
pub struct PositionOpened {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct PositionClosed {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    /// IO base units of rewards the position claimed over its life.
    pub rewards_claimed: u64,
}

#[event]
pub struct Staked {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub position_shares_after: u64,
    pub costake_total_after: u64,
    pub costake_shares_after: u64,
}

#[event]
pub struct LockExtended {
    pub position: Pubkey,
    pub lock_ends_at_before: i64,
    pub lock_ends_at_after: i64,
}

#[event]
pub struct Unstaked {
    pub pool: Pubkey,
    pub position: Pubkey,
    /// IO value of the shares at the time of unstaking; the withdrawal pays their value then.
    pub amount: u64,
    pub shares: u64,
    pub cooling_shares_after: u64,
    pub cooldown_ends_at: i64,
}

#[event]
pub struct Withdrawn {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct RewardsDeposited {
    pub pool: Pubkey,
    pub depositor: Pubkey,
    pub amount: u64,
    pub active_shares: u64,
    pub reward_index_after: u128,
}

#[event]
pub struct RewardsClaimed {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub amount: u64,
}

#[event]
pub struct Slashed {
    pub pool: Pubkey,
    pub slasher: Pubkey,
    pub reason: SlashReason,
    /// The account proving the fault (e.g. the reservation).
    pub evidence: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub from_operator_cooling: u64,
    pub from_operator_stake: u64,
    pub from_costake: u64,
    pub window_cap: u64,
    pub window_slashed_after: u64,
}

#[event]
pub struct ProposalCreated {
    pub proposal: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    pub change: ParameterChange,
    pub voting_ends_at: i64,
}

#[event]
pub struct VoteCast {
    pub proposal: Pubkey,
    pub position: Pubkey,
    pub voter: Pubkey,
    pub side: VoteSide,
    pub weight: u64,
    pub yes_weight_after: u64,
    pub no_weight_after: u64,
    pub abstain_weight_after: u64,
}

#[event]
pub struct ProposalFinalized {
    pub proposal: Pubkey,
    pub status: ProposalStatus,
    pub yes_weight: u64,
    pub no_weight: u64,
    pub abstain_weight: u64,
    pub executable_at: i64,
}

#[event]
pub struct ProposalExecuted {
    pub proposal: Pubkey,
    pub id: u64,
    pub change: ParameterChange,
    pub executor: Pubkey,
}
