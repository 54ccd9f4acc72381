use {
    crate::{errors::MarketError, events::MarketConfigUpdated, state::*, validation::*},
    anchor_lang::prelude::*,
};

/// Fields left `None` stay as they are.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateConfigArgs {
    pub authority: Option<Pubkey>,
    pub usdc_mint: Option<Pubkey>,
    pub ack_grace_secs: Option<i64>,
    pub max_reservation_hours: Option<u32>,
}

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    #[account(constraint = authority.key() == config.authority @ MarketError::NotConfigAuthority)]
    pub authority: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, MarketConfig>,
}

pub fn handler(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let before = (
        config.authority,
        config.usdc_mint,
        config.ack_grace_secs,
        config.max_reservation_hours,
    );
    if let Some(authority) = args.authority {
        validate_authority(&authority)?;
        config.authority = authority;
    }
    if let Some(usdc_mint) = args.usdc_mint {
        validate_usdc_mint(&usdc_mint)?;
        config.usdc_mint = usdc_mint;
    }
    if let Some(secs) = args.ack_grace_secs {
        validate_ack_grace(secs)?;
        config.ack_grace_secs = secs;
    }
    if let Some(hours) = args.max_reservation_hours {
        validate_max_hours(hours)?;
        config.max_reservation_hours = hours;
    }
    let after = (
        config.authority,
        config.usdc_mint,
        config.ack_grace_secs,
        config.max_reservation_hours,
    );
    require!(before != after, MarketError::NothingToUpdate);
    emit!(MarketConfigUpdated {
        config: config.key(),
        authority_before: before.0,
        authority_after: after.0,
        usdc_mint_before: before.1,
        usdc_mint_after: after.1,
        ack_grace_secs_before: before.2,
        ack_grace_secs_after: after.2,
        max_reservation_hours_before: before.3,
        max_reservation_hours_after: after.3,
    });
    Ok(())
}
