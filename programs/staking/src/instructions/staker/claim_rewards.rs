use {
    crate::{
        errors::StakingError,
        events::RewardsClaimed,
        math::SafeMath,
        vault::{check_vault, pay_out},
        PositionTransfer,
    },
    anchor_lang::prelude::*,
};

/// Pays the position every reward it has earned so far.
pub fn handler(ctx: Context<PositionTransfer>) -> Result<()> {
    let accounts = ctx.accounts;
    let pool = &mut accounts.pool;
    let position = &mut accounts.position;
    position.settle(pool.reward_index)?;
    let amount = position.rewards_owed;
    require!(amount > 0, StakingError::NothingToClaim);
    position.rewards_owed = 0;
    position.rewards_claimed = position.rewards_claimed.safe_add(amount)?;
    pool.rewards_claimed = pool.rewards_claimed.safe_add(amount)?;
    require!(
        pool.rewards_claimed <= pool.rewards_deposited,
        StakingError::VaultInvariantViolated
    );

    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.token_account,
        &accounts.pool,
        amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(RewardsClaimed {
        pool: accounts.pool.key(),
        position: accounts.position.key(),
        amount,
    });
    Ok(())
}
