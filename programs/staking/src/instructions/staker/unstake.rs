use {
    crate::{
        errors::StakingError,
        events::Unstaked,
        math::{
            rewards::reward_debt,
            shares::{shares_for_amount, value_of_shares},
            SafeMath,
        },
        ChangePosition,
    },
    anchor_lang::prelude::*,
};

/// Passing `u64::MAX` unstakes every active share, whatever they are worth (even nothing, after
/// a slash took the whole co-stake).
pub const UNSTAKE_ALL: u64 = u64::MAX;

/// Moves `amount` IO of active co-stake (as shares, rounded up) into cooldown: it stops earning
/// and voting, stays slashable, and is withdrawable when the cooldown ends. A new unstake restarts
/// the cooldown of everything cooling. Refused while the position is locked.
pub fn handler(ctx: Context<ChangePosition>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let cooldown = ctx.accounts.config.stake.unstake_cooldown_secs;
    let pool = &mut ctx.accounts.pool;
    let position = &mut ctx.accounts.position;
    require!(now >= position.lock_ends_at, StakingError::StakeLocked);
    require!(position.shares > 0, StakingError::InsufficientStake);
    let shares = if amount == UNSTAKE_ALL {
        position.shares
    } else {
        shares_for_amount(amount, pool.costake_total, pool.costake_shares)?
    };
    require!(shares <= position.shares, StakingError::InsufficientStake);

    position.settle(pool.reward_index)?;
    position.shares = position.shares.safe_sub(shares)?;
    position.cooling_shares = position.cooling_shares.safe_add(shares)?;
    position.cooldown_ends_at = now.safe_add(cooldown)?;
    position.reward_debt = reward_debt(position.shares, pool.reward_index)?;
    pool.active_shares = pool.active_shares.safe_sub(shares)?;

    emit!(Unstaked {
        pool: pool.key(),
        position: position.key(),
        amount: value_of_shares(shares, pool.costake_total, pool.costake_shares)?,
        shares,
        cooling_shares_after: position.cooling_shares,
        cooldown_ends_at: position.cooldown_ends_at,
    });
    Ok(())
}
