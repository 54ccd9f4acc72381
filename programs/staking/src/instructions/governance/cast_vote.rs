use {
    crate::{
        errors::StakingError,
        events::VoteCast,
        math::{shares::value_of_shares, stake::voting_weight, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
    iotoken::pda_account::create_pda_account,
};

/// One position's vote. Its weight is the position's active stake times its lock multiplier,
/// fixed now, and only from a position whose weight has not grown since the proposal was created
/// (`WeightAddedAfterProposal`). The `["vote", proposal, position]` record makes a second vote by the position fail,
/// and the position's stake cannot be withdrawn until the vote ends, so the same IO cannot vote
/// again from another position.
#[derive(Accounts)]
pub struct CastVote<'info> {
    #[account(mut)]
    pub voter: Signer<'info>,
    #[account(mut, seeds = [PROPOSAL_SEED, proposal.id.to_le_bytes().as_ref()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        seeds = [POSITION_SEED, pool.key().as_ref(), voter.key().as_ref()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    /// CHECK: the `["vote", proposal, position]` PDA, created by the handler; existing means voted.
    #[account(
        mut,
        seeds = [VOTE_SEED, proposal.key().as_ref(), position.key().as_ref()],
        bump,
    )]
    pub vote_record: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CastVote>, side: VoteSide) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    require!(
        *accounts.vote_record.owner != crate::ID,
        StakingError::AlreadyVoted
    );
    let proposal = &mut accounts.proposal;
    require!(
        proposal.status == ProposalStatus::Voting && now < proposal.voting_ends_at,
        StakingError::VotingEnded
    );
    let pool = &accounts.pool;
    let position = &mut accounts.position;
    // The weight a position had when the proposal was created: stake added or a lock extended
    // since would let a last-minute whale decide the vote (L13).
    require!(
        position.weight_changed_at <= proposal.created_at,
        StakingError::WeightAddedAfterProposal
    );
    let stake = value_of_shares(position.shares, pool.costake_total, pool.costake_shares)?;
    let weight = voting_weight(stake, position.lock_ends_at, now)?;
    require!(weight > 0, StakingError::NoVotingWeight);

    let record = VoteRecord {
        proposal: proposal.key(),
        position: position.key(),
        voter: accounts.voter.key(),
        side,
        weight,
        voted_at: now,
        bump: ctx.bumps.vote_record,
    };
    let record_info = accounts.vote_record.to_account_info();
    create_pda_account(
        &record_info,
        8 + VoteRecord::INIT_SPACE,
        &crate::ID,
        &[
            VOTE_SEED,
            record.proposal.as_ref(),
            record.position.as_ref(),
            &[record.bump],
        ],
        &accounts.voter,
        &accounts.system_program,
    )?;
    record.try_serialize(&mut &mut record_info.try_borrow_mut_data()?[..])?;

    let tally = match side {
        VoteSide::Yes => &mut proposal.yes_weight,
        VoteSide::No => &mut proposal.no_weight,
        VoteSide::Abstain => &mut proposal.abstain_weight,
    };
    *tally = tally.safe_add(weight)?;
    proposal.voters = proposal.voters.saturating_add(1);
    position.vote_lock_until = position.vote_lock_until.max(proposal.voting_ends_at);

    emit!(VoteCast {
        proposal: proposal.key(),
        position: position.key(),
        voter: accounts.voter.key(),
        side,
        weight,
        yes_weight_after: proposal.yes_weight,
        no_weight_after: proposal.no_weight,
        abstain_weight_after: proposal.abstain_weight,
    });
    Ok(())
}
