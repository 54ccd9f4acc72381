use {
    crate::{errors::StakingError, events::PoolOpened, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Mint, Token, TokenAccount},
    iotoken::state::{TokenConfig, CONFIG_SEED as TOKEN_CONFIG_SEED},
};

/// Opens the stake pool of a registry device. Only the device's owner can, and becomes the
/// pool's operator.
#[derive(Accounts)]
pub struct OpenPool<'info> {
    #[account(mut)]
    pub operator: Signer<'info>,
    /// CHECK: read as a registry `Device` (owner program and discriminator checked) in the handler.
    pub device: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(seeds = [TOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = iotoken::ID)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(
        init,
        payer = operator,
        space = 8 + StakePool::INIT_SPACE,
        seeds = [POOL_SEED, device.key().as_ref(), operator.key().as_ref()],
        bump,
    )]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        init,
        payer = operator,
        seeds = [VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = io_mint,
        token::authority = pool,
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ StakingError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<OpenPool>, staker_share_bps: u16, costaking_open: bool) -> Result<()> {
    let device = RegistryDevice::read(&ctx.accounts.device)
        .ok_or_else(|| error!(StakingError::NotRegistryDevice))?;
    require_keys_eq!(
        device.owner,
        ctx.accounts.operator.key(),
        StakingError::NotDeviceOwner
    );
    check_staker_share(&ctx.accounts.token_config, staker_share_bps)?;

    let pool = &mut ctx.accounts.pool;
    pool.device = ctx.accounts.device.key();
    pool.operator = ctx.accounts.operator.key();
    pool.staker_share_bps = staker_share_bps;
    pool.costaking_open = costaking_open;
    pool.created_at = Clock::get()?.unix_timestamp;
    pool.bump = ctx.bumps.pool;
    pool.vault_bump = ctx.bumps.vault;

    emit!(PoolOpened {
        pool: pool.key(),
        device: pool.device,
        operator: pool.operator,
        staker_share_bps,
        costaking_open,
    });
    Ok(())
}

/// The stakers' share an operator offers must lie within iotoken's fee bounds.
pub fn check_staker_share(token_config: &TokenConfig, staker_share_bps: u16) -> Result<()> {
    let fees = &token_config.fees;
    require!(
        (fees.staker_share_min_bps..=fees.staker_share_max_bps).contains(&staker_share_bps),
        StakingError::StakerShareOutOfBounds
    );
    Ok(())
}
