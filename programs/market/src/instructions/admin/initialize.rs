use {
    crate::{errors::MarketError, events::MarketConfigInitialized, state::*, validation::*},
    anchor_lang::prelude::*,
    iotoken::deployer::expected_deployer,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    pub usdc_mint: Pubkey,
    pub ack_grace_secs: i64,
    pub max_reservation_hours: u32,
}

/// Creates the market's config; `authority` becomes its authority. Only the program's deployer
/// may initialise (co-signing), so nobody can take the config between the deploy and this.
#[derive(Accounts)]
pub struct Initialize<'info> {
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
    #[account(init, payer = authority, space = 8 + MarketConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, MarketConfig>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    let expected = expected_deployer(
        &crate::ID,
        &ctx.accounts.program,
        &ctx.accounts.program_data,
    )
    .ok_or_else(|| error!(MarketError::ProgramDataMismatch))?;
    require_keys_eq!(
        ctx.accounts.deployer.key(),
        expected,
        MarketError::NotDeployer
    );
    validate_usdc_mint(&args.usdc_mint)?;
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
