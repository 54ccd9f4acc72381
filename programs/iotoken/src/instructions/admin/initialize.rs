use {
    crate::{
        deployer::expected_deployer, errors::IotokenError, events::TokenInitialized, math::*,
        state::*, validation::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Mint, Token},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    pub emission: EmissionParams,
    pub fees: FeeParams,
    pub oracle: OracleParams,
    pub breaker: BreakerParams,
    pub buyback: BuybackParams,
    pub price_updaters: Vec<Pubkey>,
}

/// Creates the config, the IO and IOSD mints (mint authority: the config PDA; no freeze
/// authority), an empty emission schedule, the ledger and the price feed. `authority` becomes the
/// config authority; only the program's deployer may initialise (co-signing), so nobody can take
/// the config between the deploy and this.
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
    #[account(
        init,
        payer = authority,
        space = 8 + TokenConfig::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(
        init,
        payer = authority,
        seeds = [IO_MINT_SEED],
        bump,
        mint::decimals = IO_DECIMALS,
        mint::authority = config,
    )]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = authority,
        seeds = [IOSD_MINT_SEED],
        bump,
        mint::decimals = IOSD_DECIMALS,
        mint::authority = config,
    )]
    pub iosd_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = authority,
        space = 8 + EmissionSchedule::INIT_SPACE,
        seeds = [SCHEDULE_SEED],
        bump,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(
        init,
        payer = authority,
        space = 8 + EmissionLedger::INIT_SPACE,
        seeds = [LEDGER_SEED],
        bump,
    )]
    pub ledger: Box<Account<'info, EmissionLedger>>,
    #[account(
        init,
        payer = authority,
        space = 8 + PriceFeed::INIT_SPACE,
        seeds = [PRICE_FEED_SEED],
        bump,
    )]
    pub price_feed: Box<Account<'info, PriceFeed>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    let expected = expected_deployer(
        &crate::ID,
        &ctx.accounts.program,
        &ctx.accounts.program_data,
    )
    .ok_or_else(|| error!(IotokenError::ProgramDataMismatch))?;
    require_keys_eq!(
        ctx.accounts.deployer.key(),
        expected,
        IotokenError::NotDeployer
    );
    validate_emission(&args.emission)?;
    validate_fees(&args.fees)?;
    validate_oracle(&args.oracle)?;
    validate_breaker(&args.breaker)?;
    validate_buyback(&args.buyback)?;
    validate_updaters(&args.price_updaters)?;

    let accounts = ctx.accounts;
    accounts.config.set_inner(TokenConfig {
        authority: accounts.authority.key(),
        io_mint: accounts.io_mint.key(),
        iosd_mint: accounts.iosd_mint.key(),
        genesis_minted: false,
        emission: args.emission,
        fees: args.fees,
        oracle: args.oracle,
        breaker: args.breaker,
        buyback: args.buyback,
        price_updaters: args.price_updaters,
        bump: ctx.bumps.config,
        io_mint_bump: ctx.bumps.io_mint,
        iosd_mint_bump: ctx.bumps.iosd_mint,
        pool_bumps: [0; 4],
        pool_distributors: [Pubkey::default(); 4],
        guards: GuardParams::DEFAULT,
        _reserved: [0; 102],
    });
    accounts.schedule.set_inner(EmissionSchedule {
        sealed: false,
        total_emission: 0,
        rows: Vec::new(),
        bump: ctx.bumps.schedule,
    });
    accounts.ledger.bump = ctx.bumps.ledger;
    accounts.price_feed.bump = ctx.bumps.price_feed;

    emit!(TokenInitialized {
        config: accounts.config.key(),
        authority: accounts.config.authority,
        io_mint: accounts.config.io_mint,
        iosd_mint: accounts.config.iosd_mint,
    });
    Ok(())
}
