use {
    crate::{
        errors::StakingError,
        events::Slashed,
        math::{
            slashing::{split_slash, SlashWindow},
            SafeMath,
        },
        state::*,
        vault::{check_vault, pay_out},
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct SlashArgs {
    /// IO base units.
    pub amount: u64,
    pub reason: SlashReason,
    /// The account proving the fault (e.g. the reservation), recorded in the event.
    pub evidence: Pubkey,
}

/// Slashes a pool for a fault a slashing program (registry, market) has proven: only that
/// program's `["slasher"]` PDA can sign, so no key held by a person can slash. The slashing
/// program chooses the destination (the treasury, or the renter the fault harmed).
#[derive(Accounts)]
pub struct Slash<'info> {
    #[account(constraint = config.is_slash_authority(&slasher.key()) @ StakingError::NotSlashAuthority)]
    pub slasher: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(mut, seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump = pool.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = destination.mint == config.io_mint @ StakingError::WrongMint,
        constraint = destination.key() != vault.key() @ StakingError::VaultAsCounterparty,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Takes `amount` from the operator's self-stake first (cooling, then active), the rest from the
/// co-stake pro-rata, within the pool's windowed cap.
pub fn handler(ctx: Context<Slash>, args: SlashArgs) -> Result<()> {
    require!(args.amount > 0, StakingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let params = ctx.accounts.config.slashing;
    let accounts = ctx.accounts;
    let pool = &mut accounts.pool;

    let total_stake = pool
        .total_stake()
        .ok_or_else(|| error!(StakingError::MathOverflow))?;
    let stored = SlashWindow {
        start: pool.slash_window_start,
        cap: pool.slash_window_cap,
        slashed: pool.slashed_in_window,
    };
    let window = SlashWindow::at(
        stored,
        now,
        params.window_secs,
        params.max_slash_bps,
        total_stake,
    )?;
    require!(
        args.amount <= window.remaining(),
        StakingError::SlashCapExceeded
    );
    let split = split_slash(
        args.amount,
        pool.operator_cooling,
        pool.operator_stake,
        pool.costake_total,
    )?
    .ok_or_else(|| error!(StakingError::SlashExceedsStake))?;

    pool.operator_cooling = pool
        .operator_cooling
        .safe_sub(split.from_operator_cooling)?;
    pool.operator_stake = pool.operator_stake.safe_sub(split.from_operator_stake)?;
    pool.costake_total = pool.costake_total.safe_sub(split.from_costake)?;
    pool.slash_window_start = window.start;
    pool.slash_window_cap = window.cap;
    pool.slashed_in_window = window.slashed.safe_add(args.amount)?;
    pool.total_slashed = pool.total_slashed.safe_add(args.amount)?;

    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.destination,
        &accounts.pool,
        args.amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(Slashed {
        pool: accounts.pool.key(),
        slasher: accounts.slasher.key(),
        reason: args.reason,
        evidence: args.evidence,
        destination: accounts.destination.key(),
        amount: args.amount,
        from_operator_cooling: split.from_operator_cooling,
        from_operator_stake: split.from_operator_stake,
        from_costake: split.from_costake,
        window_cap: window.cap,
        window_slashed_after: accounts.pool.slashed_in_window,
    });
    Ok(())
}
