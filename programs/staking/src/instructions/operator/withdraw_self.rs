use {
    crate::{
        errors::StakingError,
        events::SelfWithdrawn,
        vault::{check_vault, pay_out},
        SelfStakeTransfer,
    },
    anchor_lang::prelude::*,
};

/// Pays the operator's cooled-down self-stake (what slashing left of it) to `token_account`.
pub fn handler(ctx: Context<SelfStakeTransfer>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let amount = accounts.pool.operator_cooling;
    require!(amount > 0, StakingError::NothingToWithdraw);
    require!(
        now >= accounts.pool.operator_cooldown_ends_at,
        StakingError::CooldownNotElapsed
    );
    accounts.pool.operator_cooling = 0;
    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.token_account,
        &accounts.pool,
        amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(SelfWithdrawn {
        pool: accounts.pool.key(),
        amount,
    });
    Ok(())
}
