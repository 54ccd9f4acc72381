use {
    crate::{errors::StakingError, events::SelfUnstaked, math::SafeMath, state::*},
    anchor_lang::prelude::*,
};

#[derive(Accounts)]
pub struct UnstakeSelf<'info> {
    pub operator: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(
        mut,
        seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()],
        bump = pool.bump,
        has_one = operator @ StakingError::NotPoolOperator,
    )]
    pub pool: Box<Account<'info, StakePool>>,
    /// CHECK: the pool's registry device, read by `RegistryDevice::reserved_for` (owner program
    /// and discriminator checked there); a closed device reads as not reserved.
    #[account(address = pool.device @ StakingError::DeviceMismatch)]
    pub device: UncheckedAccount<'info>,
}

/// Moves `amount` of active self-stake into cooldown; it stays slashable until withdrawn. A new
/// unstake restarts the cooldown of everything cooling. Refused while the device is reserved.
pub fn handler(ctx: Context<UnstakeSelf>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    require!(
        !RegistryDevice::reserved_for(&ctx.accounts.device, &ctx.accounts.pool.operator),
        StakingError::DeviceReserved
    );
    let now = Clock::get()?.unix_timestamp;
    let cooldown = ctx.accounts.config.stake.unstake_cooldown_secs;
    let pool = &mut ctx.accounts.pool;
    require!(
        amount <= pool.operator_stake,
        StakingError::InsufficientStake
    );
    pool.operator_stake = pool.operator_stake.safe_sub(amount)?;
    pool.operator_cooling = pool.operator_cooling.safe_add(amount)?;
    pool.operator_cooldown_ends_at = now.safe_add(cooldown)?;
    emit!(SelfUnstaked {
        pool: pool.key(),
        amount,
        operator_stake_after: pool.operator_stake,
        operator_cooling_after: pool.operator_cooling,
        cooldown_ends_at: pool.operator_cooldown_ends_at,
    });
    Ok(())
}
