use {
    crate::{
        errors::StakingError,
        events::Staked,
        math::{rewards::reward_debt, shares::shares_for_deposit, SafeMath},
        vault::{check_vault, pay_in},
        PositionTransfer,
    },
    anchor_lang::prelude::*,
};

/// Co-stakes `amount` IO: mints shares at the pool's current share value (rounded down). Stake
/// added to a locked position is locked with it.
pub fn handler(ctx: Context<PositionTransfer>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let accounts = ctx.accounts;
    let pool = &mut accounts.pool;
    let position = &mut accounts.position;
    require!(pool.costaking_open, StakingError::CoStakingClosed);
    let shares = shares_for_deposit(amount, pool.costake_total, pool.costake_shares)?;
    require!(shares > 0, StakingError::AmountTooSmall);

    position.settle(pool.reward_index)?;
    position.shares = position.shares.safe_add(shares)?;
    position.weight_changed_at = Clock::get()?.unix_timestamp;
    position.reward_debt = reward_debt(position.shares, pool.reward_index)?;
    pool.costake_total = pool.costake_total.safe_add(amount)?;
    pool.costake_shares = pool.costake_shares.safe_add(shares)?;
    pool.active_shares = pool.active_shares.safe_add(shares)?;

    pay_in(
        &accounts.token_program,
        &accounts.token_account,
        &accounts.vault,
        &accounts.owner,
        amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(Staked {
        pool: accounts.pool.key(),
        position: accounts.position.key(),
        amount,
        shares,
        position_shares_after: accounts.position.shares,
        costake_total_after: accounts.pool.costake_total,
        costake_shares_after: accounts.pool.costake_shares,
    });
    Ok(())
}
