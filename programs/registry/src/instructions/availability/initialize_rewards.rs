use {
    crate::{errors::RegistryError, events::RewardsInitialized, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Mint, Token, TokenAccount},
    iotoken::state::{
        EmissionSchedule, TokenConfig, CONFIG_SEED as IOTOKEN_CONFIG_SEED, SCHEDULE_SEED,
    },
};

/// Links the registry to iotoken's emissions, once: copies the epoch origin of the sealed
/// schedule and creates the vaults availability rewards and keeper tips are drawn into, owned by
/// the `["distributor"]` PDA. Anyone may pay for it; everything it copies is fixed once sealed.
#[derive(Accounts)]
pub struct InitializeRewards<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = !config.rewards_initialized @ RegistryError::RewardsAlreadyInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    #[account(seeds = [IOTOKEN_CONFIG_SEED], bump = iotoken_config.bump, seeds::program = iotoken::ID)]
    pub iotoken_config: Box<Account<'info, TokenConfig>>,
    #[account(
        seeds = [SCHEDULE_SEED],
        bump = schedule.bump,
        seeds::program = iotoken::ID,
        constraint = schedule.sealed @ RegistryError::EmissionsNotScheduled,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(address = iotoken_config.io_mint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: a data-less PDA: the vaults' owner and iotoken's pool distributor.
    #[account(seeds = [DISTRIBUTOR_SEED], bump)]
    pub distributor: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        seeds = [AVAILABILITY_VAULT_SEED],
        bump,
        token::mint = io_mint,
        token::authority = distributor,
    )]
    pub availability_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [KEEPER_TIPS_VAULT_SEED],
        bump,
        token::mint = io_mint,
        token::authority = distributor,
    )]
    pub keeper_tips_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeRewards>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.epoch_origin = ctx.accounts.schedule.origin();
    config.rewards_initialized = true;
    config.distributor_bump = ctx.bumps.distributor;
    config.availability_vault_bump = ctx.bumps.availability_vault;
    config.keeper_tips_vault_bump = ctx.bumps.keeper_tips_vault;
    emit!(RewardsInitialized {
        epoch_origin: config.epoch_origin,
        availability_vault: ctx.accounts.availability_vault.key(),
        keeper_tips_vault: ctx.accounts.keeper_tips_vault.key(),
    });
    Ok(())
}
