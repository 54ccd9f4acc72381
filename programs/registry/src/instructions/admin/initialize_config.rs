use {
    crate::{events::ConfigInitialized, state::*, validation::validate_bond_terms},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::Mint,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeConfigArgs {
    /// In `bond_mint` base units.
    pub keeper_bond_amount: u64,
    pub keeper_unbond_cooldown_secs: i64,
}

/// Creates the registry config once; the signer becomes its authority. Deployment scripts run this
/// in the same step as the deploy.
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
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
