use {
    crate::{events::PositionOpened, state::*},
    anchor_lang::prelude::*,
};

/// Opens the owner's position in a pool (empty; `stake` fills it).
#[derive(Accounts)]
pub struct OpenPosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        init,
        payer = owner,
        space = 8 + StakePosition::INIT_SPACE,
        seeds = [POSITION_SEED, pool.key().as_ref(), owner.key().as_ref()],
        bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<OpenPosition>) -> Result<()> {
    let position = &mut ctx.accounts.position;
    position.pool = ctx.accounts.pool.key();
    position.owner = ctx.accounts.owner.key();
    position.reward_debt = 0;
    position.created_at = Clock::get()?.unix_timestamp;
    position.bump = ctx.bumps.position;
    emit!(PositionOpened {
        pool: position.pool,
        position: position.key(),
        owner: position.owner,
    });
    Ok(())
}
