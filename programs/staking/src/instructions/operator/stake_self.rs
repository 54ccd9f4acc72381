use {
    crate::{
        errors::StakingError,
        events::SelfStaked,
        math::SafeMath,
        vault::{check_vault, pay_in},
        SelfStakeTransfer,
    },
    anchor_lang::prelude::*,
};

/// The operator adds `amount` IO of self-stake, the stake slashed first.
pub fn handler(ctx: Context<SelfStakeTransfer>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let accounts = ctx.accounts;
    pay_in(
        &accounts.token_program,
        &accounts.token_account,
        &accounts.vault,
        &accounts.operator,
        amount,
    )?;
    let pool = &mut accounts.pool;
    pool.operator_stake = pool.operator_stake.safe_add(amount)?;
    check_vault(&mut accounts.vault, pool)?;
    emit!(SelfStaked {
        pool: pool.key(),
        amount,
        operator_stake_after: pool.operator_stake,
    });
    Ok(())
}
