use {
    crate::{errors::IotokenError, events::ConfigUpdated, state::*, validation::*},
    anchor_lang::prelude::*,
};

/// Each `Some` field replaces the current value, validated against the same bounds as at
/// initialisation. Governance applies its typed proposals through this instruction.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateConfigArgs {
    pub new_authority: Option<Pubkey>,
    pub emission: Option<EmissionParams>,
    pub fees: Option<FeeParams>,
    pub oracle: Option<OracleParams>,
    pub breaker: Option<BreakerParams>,
    pub buyback: Option<BuybackParams>,
    pub price_updaters: Option<Vec<Pubkey>>,
    /// The EMA step and deviation bounds, the breaker's burst and the updaters' halt rules.
    pub guards: Option<GuardParams>,
}

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ IotokenError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
}

pub fn handler(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let before = (***config).clone();

    if let Some(authority) = args.new_authority {
        validate_authority(&authority)?;
        config.authority = authority;
    }
    if let Some(emission) = args.emission {
        validate_emission(&emission)?;
        config.emission = emission;
    }
    if let Some(fees) = args.fees {
        validate_fees(&fees)?;
        config.fees = fees;
    }
    if let Some(oracle) = args.oracle {
        validate_oracle(&oracle)?;
        config.oracle = oracle;
    }
    if let Some(breaker) = args.breaker {
        validate_breaker(&breaker)?;
        config.breaker = breaker;
    }
    if let Some(buyback) = args.buyback {
        validate_buyback(&buyback)?;
        config.buyback = buyback;
    }
    if let Some(updaters) = args.price_updaters {
        validate_updaters(&updaters)?;
        config.price_updaters = updaters;
    }
    if let Some(guards) = args.guards {
        validate_guards(&guards)?;
        config.guards = guards;
    }

    let changed = config.authority != before.authority
        || config.emission != before.emission
        || config.fees != before.fees
        || config.oracle != before.oracle
        || config.breaker != before.breaker
        || config.buyback != before.buyback
        || config.price_updaters != before.price_updaters
        || config.guards != before.guards;
    require!(changed, IotokenError::NothingToUpdate);

    emit!(ConfigUpdated {
        authority_before: before.authority,
        authority_after: config.authority,
        emission_before: before.emission,
        emission_after: config.emission,
        fees_before: before.fees,
        fees_after: config.fees,
        oracle_before: before.oracle,
        oracle_after: config.oracle,
        breaker_before: before.breaker,
        breaker_after: config.breaker,
        buyback_before: before.buyback,
        buyback_after: config.buyback,
        price_updaters_after: config.price_updaters.clone(),
        guards_before: before.guards,
        guards_after: config.guards,
    });
    Ok(())
}
