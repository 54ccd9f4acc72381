use {
    crate::{
        errors::IotokenError,
        events::BuybackBurned,
        math::{bps_of, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{burn, Burn, Mint, Token, TokenAccount},
};

/// Burns `buyback.burn_bps` of the treasury's IO, at most once per `buyback.interval_secs`.
/// Permissionless and without discretion: the amount follows from the rule and the balance.
#[derive(Accounts)]
pub struct BuybackBurn<'info> {
    pub caller: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump)]
    pub ledger: Box<Account<'info, EmissionLedger>>,
    #[account(mut, seeds = [IO_MINT_SEED], bump = config.io_mint_bump)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(mut, seeds = [TREASURY_SEED, io_mint.key().as_ref()], bump)]
    pub treasury_io: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<BuybackBurn>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let rule = accounts.config.buyback;
    let ledger = &mut accounts.ledger;
    require!(
        ledger.last_buyback_at == 0
            || now >= ledger.last_buyback_at.safe_add(rule.interval_secs)?,
        IotokenError::BuybackTooSoon
    );
    let amount = bps_of(accounts.treasury_io.amount, rule.burn_bps.into())?;
    require!(amount > 0, IotokenError::NothingToBurn);

    burn(
        CpiContext::new_with_signer(
            accounts.token_program.to_account_info(),
            Burn {
                mint: accounts.io_mint.to_account_info(),
                from: accounts.treasury_io.to_account_info(),
                authority: accounts.config.to_account_info(),
            },
            &[&[CONFIG_SEED, &[accounts.config.bump]]],
        ),
        amount,
    )?;
    ledger.last_buyback_at = now;
    ledger.total_buyback_burned = ledger.total_buyback_burned.safe_add(amount)?;

    accounts.treasury_io.reload()?;
    accounts.io_mint.reload()?;
    emit!(BuybackBurned {
        by: accounts.caller.key(),
        io_burned: amount,
        treasury_balance_after: accounts.treasury_io.amount,
        supply_after: accounts.io_mint.supply,
    });
    Ok(())
}
