use {
    crate::{
        errors::StakingError,
        events::Withdrawn,
        math::{shares::value_of_shares, SafeMath},
        vault::{check_vault, pay_out},
        PositionTransfer,
    },
    anchor_lang::prelude::*,
};

/// Pays out the position's cooled-down shares at their current value (what slashing left).
/// Refused before the cooldown ends and while a vote the position cast is still open.
pub fn handler(ctx: Context<PositionTransfer>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let pool = &mut accounts.pool;
    let position = &mut accounts.position;
    let shares = position.cooling_shares;
    require!(shares > 0, StakingError::NothingToWithdraw);
    require!(
        now >= position.cooldown_ends_at,
        StakingError::CooldownNotElapsed
    );
    require!(now >= position.vote_lock_until, StakingError::VoteLocked);

    let amount = value_of_shares(shares, pool.costake_total, pool.costake_shares)?;
    position.cooling_shares = 0;
    pool.costake_total = pool.costake_total.safe_sub(amount)?;
    pool.costake_shares = pool.costake_shares.safe_sub(shares)?;

    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.token_account,
        &accounts.pool,
        amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(Withdrawn {
        pool: accounts.pool.key(),
        position: accounts.position.key(),
        amount,
        shares,
    });
    Ok(())
}
