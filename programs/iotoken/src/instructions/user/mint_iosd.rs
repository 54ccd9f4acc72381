use {
    crate::{
        errors::IotokenError,
        events::IosdMinted,
        math::{emission::epoch_at, price::*, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{burn, mint_to, Burn, Mint, MintTo, Token, TokenAccount},
};

/// Burns the signer's IO and mints IOSD = IO x conservative price (rounded down), the only way
/// IOSD comes to exist. Refused while the feed is halted, stale, too uncertain or off its EMA,
/// below the caller's minimum, or past the circuit breaker. The burned IO joins the
/// net-emission backlog once its epoch is closed.
#[derive(Accounts)]
pub struct MintIosd<'info> {
    pub user: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(
        seeds = [SCHEDULE_SEED],
        bump = schedule.bump,
        constraint = schedule.sealed @ IotokenError::ScheduleNotSealed,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump)]
    pub ledger: Box<Account<'info, EmissionLedger>>,
    #[account(seeds = [PRICE_FEED_SEED], bump = price_feed.bump)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
    #[account(mut, seeds = [IO_MINT_SEED], bump = config.io_mint_bump)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(mut, seeds = [IOSD_MINT_SEED], bump = config.iosd_mint_bump)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = io_source.mint == io_mint.key() @ IotokenError::WrongMint,
        constraint = io_source.owner == user.key() @ IotokenError::NotTokenAccountOwner,
    )]
    pub io_source: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = iosd_destination.mint == iosd_mint.key() @ IotokenError::WrongMint,
    )]
    pub iosd_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<MintIosd>, io_amount: u64, min_iosd_out: u64) -> Result<()> {
    require!(io_amount > 0, IotokenError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let price = accounts
        .price_feed
        .usable_price(&accounts.config.oracle, now)?;
    let iosd_amount = iosd_for_io(io_amount, price)?;
    require!(iosd_amount > 0, IotokenError::AmountTooSmall);
    require!(iosd_amount >= min_iosd_out, IotokenError::SlippageExceeded);

    let breaker = accounts.config.breaker;
    let burst_bps = accounts.config.guards.breaker_burst_bps.into();
    let (_, refill) = breaker_capacity(breaker.max_iosd_per_window, burst_bps)?;
    let breaker_before =
        breaker_drained(accounts.ledger.breaker(), now, breaker.window_secs, refill);
    let breaker_after = breaker_after_mint(
        accounts.ledger.breaker(),
        now,
        breaker.window_secs,
        breaker.max_iosd_per_window,
        burst_bps,
        iosd_amount,
    )?;

    burn(
        CpiContext::new(
            accounts.token_program.to_account_info(),
            Burn {
                mint: accounts.io_mint.to_account_info(),
                from: accounts.io_source.to_account_info(),
                authority: accounts.user.to_account_info(),
            },
        ),
        io_amount,
    )?;
    let iosd_supply_before = accounts.iosd_mint.supply;
    mint_to(
        CpiContext::new_with_signer(
            accounts.token_program.to_account_info(),
            MintTo {
                mint: accounts.iosd_mint.to_account_info(),
                to: accounts.iosd_destination.to_account_info(),
                authority: accounts.config.to_account_info(),
            },
            &[&[CONFIG_SEED, &[accounts.config.bump]]],
        ),
        iosd_amount,
    )?;
    accounts.iosd_mint.reload()?;
    require!(
        accounts.iosd_mint.supply == iosd_supply_before.safe_add(iosd_amount)?,
        IotokenError::MathOverflow
    );

    let ledger = &mut accounts.ledger;
    ledger.record_burn(epoch_at(accounts.schedule.origin(), now), io_amount)?;
    ledger.total_io_burned = ledger.total_io_burned.safe_add(io_amount)?;
    ledger.total_iosd_minted = ledger.total_iosd_minted.safe_add(iosd_amount)?;
    ledger.breaker_updated_at = breaker_after.updated_at;
    ledger.breaker_used = breaker_after.used;
    emit!(IosdMinted {
        user: accounts.user.key(),
        io_burned: io_amount,
        iosd_minted: iosd_amount,
        price,
        breaker_used_before: breaker_before.used,
        breaker_used_after: breaker_after.used,
        burn_epoch: ledger.burn_epoch,
        net_backlog_after: ledger.net_backlog,
    });
    Ok(())
}
