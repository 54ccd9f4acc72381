use {
    crate::{
        errors::RegistryError,
        events::ConfigUpdated,
        state::*,
        validation::{validate_availability, validate_bond_terms},
    },
    anchor_lang::prelude::*,
    anchor_spl::token_interface::Mint,
};

/// Each `Some` field replaces the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateConfigArgs {
    pub new_authority: Option<Pubkey>,
    /// In base units of the bond mint in force after this update.
    pub keeper_bond_amount: Option<u64>,
    pub keeper_unbond_cooldown_secs: Option<i64>,
    /// `Pubkey::default()` disables new locks; the market replaced may still release the
    /// devices it locked.
    pub market_program: Option<Pubkey>,
    pub availability: Option<AvailabilityParams>,
}

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ RegistryError::NotConfigAuthority,
    )]
    pub config: Account<'info, RegistryConfig>,
    /// A new bond mint for keepers registering from now on; bonded keepers keep theirs.
    pub new_bond_mint: Option<InterfaceAccount<'info, Mint>>,
}

pub fn handler(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let before = (**config).clone();

    if let Some(authority) = args.new_authority {
        // The all-zero key would lock the config for good.
        require_keys_neq!(
            authority,
            Pubkey::default(),
            RegistryError::InvalidAuthority
        );
        config.authority = authority;
    }
    if let Some(mint) = &ctx.accounts.new_bond_mint {
        config.bond_mint = mint.key();
    }
    if let Some(amount) = args.keeper_bond_amount {
        config.keeper_bond_amount = amount;
    }
    if let Some(cooldown) = args.keeper_unbond_cooldown_secs {
        config.keeper_unbond_cooldown_secs = cooldown;
    }
    if let Some(market_program) = args.market_program {
        if market_program != config.market_program && config.market_is_set() {
            // The market being replaced may still release the devices it locked.
            config.previous_market_lock_authority = config.market_lock_authority;
        }
        config.market_program = market_program;
        config.market_lock_authority = if market_program == Pubkey::default() {
            Pubkey::default()
        } else {
            Pubkey::find_program_address(&[MARKET_LOCK_SEED], &market_program).0
        };
    }
    if let Some(availability) = args.availability {
        validate_availability(&availability)?;
        config.availability = availability;
    }
    validate_bond_terms(
        config.keeper_bond_amount,
        config.keeper_unbond_cooldown_secs,
    )?;

    let changed = config.authority != before.authority
        || config.bond_mint != before.bond_mint
        || config.keeper_bond_amount != before.keeper_bond_amount
        || config.keeper_unbond_cooldown_secs != before.keeper_unbond_cooldown_secs
        || config.market_program != before.market_program
        || config.availability != before.availability;
    require!(changed, RegistryError::NothingToUpdate);

    emit!(ConfigUpdated {
        config: config.key(),
        authority_before: before.authority,
        authority_after: config.authority,
        bond_mint_before: before.bond_mint,
        bond_mint_after: config.bond_mint,
        keeper_bond_amount_before: before.keeper_bond_amount,
        keeper_bond_amount_after: config.keeper_bond_amount,
        keeper_unbond_cooldown_secs_before: before.keeper_unbond_cooldown_secs,
        keeper_unbond_cooldown_secs_after: config.keeper_unbond_cooldown_secs,
        market_program_before: before.market_program,
        market_program_after: config.market_program,
        availability_before: before.availability,
        availability_after: config.availability,
    });
    Ok(())
}
