use {
    crate::state::*,
    anchor_lang::prelude::*,
    anchor_spl::token::{Mint, Token, TokenAccount},
};

/// Creates the four reward pool vaults (IO token accounts owned by the config PDA) that
/// `end_epoch` mints into. Anyone may pay for them; it succeeds once.
#[derive(Accounts)]
pub struct InitializePools<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(seeds = [IO_MINT_SEED], bump = config.io_mint_bump)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [POOL_SEED, &[RewardPool::Availability as u8]],
        bump,
        token::mint = io_mint,
        token::authority = config,
    )]
    pub availability_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [POOL_SEED, &[RewardPool::Compute as u8]],
        bump,
        token::mint = io_mint,
        token::authority = config,
    )]
    pub compute_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [POOL_SEED, &[RewardPool::Stakers as u8]],
        bump,
        token::mint = io_mint,
        token::authority = config,
    )]
    pub stakers_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [POOL_SEED, &[RewardPool::Keepers as u8]],
        bump,
        token::mint = io_mint,
        token::authority = config,
    )]
    pub keepers_pool: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializePools>) -> Result<()> {
    ctx.accounts.config.pool_bumps = [
        ctx.bumps.availability_pool,
        ctx.bumps.compute_pool,
        ctx.bumps.stakers_pool,
        ctx.bumps.keepers_pool,
    ];
    Ok(())
}
