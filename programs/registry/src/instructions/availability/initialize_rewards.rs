use {
    crate::{errors::RegistryError, events::RewardsInitialized, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{initialize_account3, InitializeAccount3, Mint, Token, TokenAccount},
    iotoken::pda_account::create_pda_account,
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
    /// CHECK: created here as an IO token account owned by the distributor. By hand rather than
    /// with `init`, which would run before the config's check and make a second call fail with
    /// the system program's error instead of `RewardsAlreadyInitialized`.
    #[account(mut, seeds = [AVAILABILITY_VAULT_SEED], bump)]
    pub availability_vault: UncheckedAccount<'info>,
    /// CHECK: created here, as `availability_vault`.
    #[account(mut, seeds = [KEEPER_TIPS_VAULT_SEED], bump)]
    pub keeper_tips_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeRewards>) -> Result<()> {
    let accounts = &ctx.accounts;
    let vaults = [
        (
            &accounts.availability_vault,
            AVAILABILITY_VAULT_SEED,
            ctx.bumps.availability_vault,
        ),
        (
            &accounts.keeper_tips_vault,
            KEEPER_TIPS_VAULT_SEED,
            ctx.bumps.keeper_tips_vault,
        ),
    ];
    for (vault, seed, bump) in vaults {
        create_pda_account(
            vault,
            TokenAccount::LEN,
            &accounts.token_program.key(),
            &[seed, &[bump]],
            &accounts.payer,
            &accounts.system_program,
        )?;
        initialize_account3(CpiContext::new(
            accounts.token_program.to_account_info(),
            InitializeAccount3 {
                account: vault.to_account_info(),
                mint: accounts.io_mint.to_account_info(),
                authority: accounts.distributor.to_account_info(),
            },
        ))?;
    }

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
