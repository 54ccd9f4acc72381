use {
    crate::{
        errors::RegistryError, events::ConfigInitialized, state::*, validation::validate_bond_terms,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_interface::Mint,
    iotoken::deployer::expected_deployer,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeConfigArgs {
    /// In `bond_mint` base units.
    pub keeper_bond_amount: u64,
    pub keeper_unbond_cooldown_secs: i64,
}

/// Creates the registry config once; `authority` becomes its authority. Only the program's
/// deployer may initialise (co-signing), so nobody can take the config between the deploy and this.
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The program's deployer (see `iotoken::deployer`): its upgrade authority, or the program
    /// id's own key where it has none.
    pub deployer: Signer<'info>,
    /// CHECK: this program's account, read by `expected_deployer`.
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
    /// CHECK: the program's `ProgramData` address under the upgradeable loader (an empty account
    /// where it has none); `expected_deployer` checks it against the program account.
    pub program_data: UncheckedAccount<'info>,
    #[account(
        init,
        payer = authority,
        space = 8 + RegistryConfig::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Account<'info, RegistryConfig>,
    pub bond_mint: InterfaceAccount<'info, Mint>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    let expected = expected_deployer(
        &crate::ID,
        &ctx.accounts.program,
        &ctx.accounts.program_data,
    )
    .ok_or_else(|| error!(RegistryError::ProgramDataMismatch))?;
    require_keys_eq!(
        ctx.accounts.deployer.key(),
        expected,
        RegistryError::NotDeployer
    );
    validate_bond_terms(args.keeper_bond_amount, args.keeper_unbond_cooldown_secs)?;
    let config = &mut ctx.accounts.config;
    config.set_inner(RegistryConfig {
        authority: ctx.accounts.authority.key(),
        bond_mint: ctx.accounts.bond_mint.key(),
        keeper_bond_amount: args.keeper_bond_amount,
        keeper_unbond_cooldown_secs: args.keeper_unbond_cooldown_secs,
        market_program: Pubkey::default(),
        market_lock_authority: Pubkey::default(),
        previous_market_lock_authority: Pubkey::default(),
        availability: DEFAULT_AVAILABILITY,
        epoch_origin: 0,
        rewards_initialized: false,
        distributor_bump: 0,
        availability_vault_bump: 0,
        keeper_tips_vault_bump: 0,
        bump: ctx.bumps.config,
        keeper_bond_total: 0,
        keeper_count: 0,
        _reserved: [0; 52],
    });
    emit!(ConfigInitialized {
        config: config.key(),
        authority: config.authority,
        bond_mint: config.bond_mint,
        keeper_bond_amount: config.keeper_bond_amount,
        keeper_unbond_cooldown_secs: config.keeper_unbond_cooldown_secs,
    });
    Ok(())
}
