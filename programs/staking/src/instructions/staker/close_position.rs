use {
    crate::{errors::StakingError, events::PositionClosed, state::*},
    anchor_lang::prelude::*,
};

/// Closes an emptied position and returns its rent to the owner: no shares, active or cooling, and
/// no reward left to claim. (An open vote cannot be pending: emptying takes a withdrawal, which
/// waits for the position's votes to end.) Its vote records stay, so a position reopened at the
/// same address cannot vote again on those proposals.
#[derive(Accounts)]
pub struct ClosePosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()],
        bump = pool.bump,
    )]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        close = owner,
        seeds = [POSITION_SEED, pool.key().as_ref(), owner.key().as_ref()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
}

pub fn handler(ctx: Context<ClosePosition>) -> Result<()> {
    let position = &mut ctx.accounts.position;
    position.settle(ctx.accounts.pool.reward_index)?;
    require!(
        position.shares == 0 && position.cooling_shares == 0 && position.rewards_owed == 0,
        StakingError::PositionNotEmpty
    );
    emit!(PositionClosed {
        pool: position.pool,
        position: position.key(),
        owner: position.owner,
        rewards_claimed: position.rewards_claimed,
    });
    Ok(())
}
