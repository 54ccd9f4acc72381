use {
    super::open_pool::check_staker_share,
    crate::{errors::StakingError, events::PoolTermsSet, state::*},
    anchor_lang::prelude::*,
    iotoken::state::{TokenConfig, CONFIG_SEED as TOKEN_CONFIG_SEED},
};

#[derive(Accounts)]
pub struct SetPoolTerms<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = iotoken::ID)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(
        mut,
        seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()],
        bump = pool.bump,
        has_one = operator @ StakingError::NotPoolOperator,
    )]
    pub pool: Box<Account<'info, StakePool>>,
}

/// Changes the stakers' share (effective for rewards deposited from now on) and whether new
/// co-stake is accepted.
pub fn handler(
    ctx: Context<SetPoolTerms>,
    staker_share_bps: u16,
    costaking_open: bool,
) -> Result<()> {
    check_staker_share(&ctx.accounts.token_config, staker_share_bps)?;
    let pool = &mut ctx.accounts.pool;
    let (share_before, open_before) = (pool.staker_share_bps, pool.costaking_open);
    require!(
        share_before != staker_share_bps || open_before != costaking_open,
        StakingError::NothingToUpdate
    );
    pool.staker_share_bps = staker_share_bps;
    pool.costaking_open = costaking_open;
    emit!(PoolTermsSet {
        pool: pool.key(),
        staker_share_bps_before: share_before,
        staker_share_bps_after: staker_share_bps,
        costaking_open_before: open_before,
        costaking_open_after: costaking_open,
    });
    Ok(())
}
