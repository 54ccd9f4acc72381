use {
    crate::{
        errors::StakingError,
        events::ProposalCreated,
        math::{shares::value_of_shares, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
    iotoken::state::{EmissionSchedule, SCHEDULE_SEED},
};

/// Creates proposal number `config.proposal_count`. The proposer presents a position of its own
/// with at least `proposal_min_stake` active; the change is validated now, so an out-of-bounds
/// change never reaches a vote.
#[derive(Accounts)]
#[instruction(title: String, change: ParameterChange)]
pub struct CreateProposal<'info> {
    #[account(mut)]
    pub proposer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        seeds = [POSITION_SEED, pool.key().as_ref(), proposer.key().as_ref()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    #[account(
        init,
        payer = proposer,
        space = 8 + Proposal::INIT_SPACE,
        seeds = [PROPOSAL_SEED, config.proposal_count.to_le_bytes().as_ref()],
        bump,
    )]
    pub proposal: Box<Account<'info, Proposal>>,
    /// iotoken's emission schedule; needed only by `LowerEmissionRow`.
    #[account(seeds = [SCHEDULE_SEED], bump = schedule.bump, seeds::program = iotoken::ID)]
    pub schedule: Option<Box<Account<'info, EmissionSchedule>>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateProposal>, title: String, change: ParameterChange) -> Result<()> {
    let valid_title = !title.is_empty()
        && title.len() <= MAX_PROPOSAL_TITLE_LEN
        && !title.chars().any(char::is_control);
    require!(valid_title, StakingError::InvalidProposalTitle);
    let now = Clock::get()?.unix_timestamp;
    change.validate(now, ctx.accounts.schedule.as_deref().map(|s| &**s))?;

    let config = &mut ctx.accounts.config;
    let pool = &ctx.accounts.pool;
    let stake = value_of_shares(
        ctx.accounts.position.shares,
        pool.costake_total,
        pool.costake_shares,
    )?;
    require!(
        stake >= config.governance.proposal_min_stake && stake > 0,
        StakingError::ProposerStakeTooLow
    );

    let proposal = &mut ctx.accounts.proposal;
    proposal.id = config.proposal_count;
    proposal.proposer = ctx.accounts.proposer.key();
    proposal.title = title;
    proposal.change = change;
    proposal.rules = config.governance;
    proposal.status = ProposalStatus::Voting;
    proposal.created_at = now;
    proposal.voting_ends_at = now.safe_add(config.governance.voting_period_secs)?;
    proposal.bump = ctx.bumps.proposal;
    config.proposal_count = config.proposal_count.safe_add(1)?;

    emit!(ProposalCreated {
        proposal: proposal.key(),
        id: proposal.id,
        proposer: proposal.proposer,
        change: proposal.change.clone(),
        voting_ends_at: proposal.voting_ends_at,
    });
    Ok(())
}
