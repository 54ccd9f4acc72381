use {
    crate::{
        errors::StakingError,
        events::ProposalFinalized,
        math::{governance::proposal_passes, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Permissionless, once voting has ended: the proposal passes if the votes cast (yes, no and
/// abstain) reach the quorum and yes exceeds the threshold share of yes + no. A passed proposal
/// becomes executable after the timelock, longer for critical changes
/// (`ParameterChange::timelock_secs`).
#[derive(Accounts)]
pub struct FinalizeProposal<'info> {
    #[account(mut, seeds = [PROPOSAL_SEED, proposal.id.to_le_bytes().as_ref()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
}

pub fn handler(ctx: Context<FinalizeProposal>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let proposal = &mut ctx.accounts.proposal;
    require!(
        proposal.status == ProposalStatus::Voting,
        StakingError::ProposalNotVoting
    );
    require!(now >= proposal.voting_ends_at, StakingError::VotingNotEnded);

    let passed = proposal_passes(
        proposal.yes_weight,
        proposal.no_weight,
        proposal.abstain_weight,
        &proposal.rules,
    );
    if passed {
        proposal.status = ProposalStatus::Succeeded;
        let timelock = proposal.change.timelock_secs(&proposal.rules);
        proposal.executable_at = proposal.voting_ends_at.safe_add(timelock)?;
    } else {
        proposal.status = ProposalStatus::Defeated;
    }
    emit!(ProposalFinalized {
        proposal: proposal.key(),
        status: proposal.status,
        yes_weight: proposal.yes_weight,
        no_weight: proposal.no_weight,
        abstain_weight: proposal.abstain_weight,
        executable_at: proposal.executable_at,
    });
    Ok(())
}
