use {
    crate::{events::MarketConfigInitialized, state::*, validation::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    pub usdc_mint: Pubkey,
    pub ack_grace_secs: i64,
    pub max_reservation_hours: u32,
}

/// Creates the market's config; the signer becomes its authority. First come: deploy and
/// initialise together.
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(init, payer = authority, space = 8 + MarketConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, MarketConfig>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    validate_ack_grace(args.ack_grace_secs)?;
    validate_max_hours(args.max_reservation_hours)?;
    let (_, registry_lock_bump) = Pubkey::find_program_address(&[REGISTRY_LOCK_SEED], &crate::ID);
    let (_, slasher_bump) = Pubkey::find_program_address(&[SLASHER_SEED], &crate::ID);
    ctx.accounts.config.set_inner(MarketConfig {
        authority: ctx.accounts.authority.key(),
        usdc_mint: args.usdc_mint,
        ack_grace_secs: args.ack_grace_secs,
        max_reservation_hours: args.max_reservation_hours,
        bump: ctx.bumps.config,
        registry_lock_bump,
        slasher_bump,
        _reserved: [0; 64],
    });
    emit!(MarketConfigInitialized {
        config: ctx.accounts.config.key(),
        authority: ctx.accounts.authority.key(),
        usdc_mint: args.usdc_mint,
        ack_grace_secs: args.ack_grace_secs,
        max_reservation_hours: args.max_reservation_hours,
    });
    Ok(())
}
