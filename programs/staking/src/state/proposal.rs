use {
    super::{GovernanceParams, ParameterChange, MAX_PROPOSAL_TITLE_LEN},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalStatus {
    /// Open for votes until `voting_ends_at`.
    Voting,
    /// Passed quorum and threshold; executable from `executable_at` for the execution window.
    Succeeded,
    /// Missed quorum or threshold.
    Defeated,
    Executed,
}

#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteSide {
    Yes,
    No,
    Abstain,
}

#[account]
#[derive(InitSpace, Debug)]
pub struct Proposal {
    pub id: u64,
    pub proposer: Pubkey,
    #[max_len(MAX_PROPOSAL_TITLE_LEN)]
    pub title: String,
    pub change: ParameterChange,
    /// The governance rules in force at creation; later rule changes do not move this proposal.
    pub rules: GovernanceParams,
    pub status: ProposalStatus,
    pub created_at: i64,
    pub voting_ends_at: i64,
    /// Set when the vote is finalised as passed.
    pub executable_at: i64,
    pub executed_at: i64,
    /// Weights, IO base units x lock multiplier.
    pub yes_weight: u64,
    pub no_weight: u64,
    pub abstain_weight: u64,
    pub voters: u32,
    pub bump: u8,
    /// Kept for a description hash or a link to the discussion.
    pub _reserved: [u8; 64],
}

/// One position's vote on one proposal, with the weight it carried.
#[account]
#[derive(InitSpace, Debug)]
pub struct VoteRecord {
    pub proposal: Pubkey,
    pub position: Pubkey,
    pub voter: Pubkey,
    pub side: VoteSide,
    pub weight: u64,
    pub voted_at: i64,
    pub bump: u8,
}
