use {
    crate::{
        errors::StakingError,
        events::SelfWithdrawn,
        state::*,
        vault::{check_vault, pay_out},
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// The accounts of `stake_self` and the pool's device, whose reservation holds the self-stake in.
#[derive(Accounts)]
pub struct WithdrawSelf<'info> {
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
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump = pool.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = token_account.mint == config.io_mint @ StakingError::WrongMint,
        constraint = token_account.key() != vault.key() @ StakingError::VaultAsCounterparty,
    )]
    pub token_account: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Pays the operator's cooled-down self-stake (what slashing left of it) to `token_account`.
/// Refused while the device is reserved: cooling stake is slashed first, so it stays until the
/// reservation is settled.
pub fn handler(ctx: Context<WithdrawSelf>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let amount = accounts.pool.operator_cooling;
    require!(amount > 0, StakingError::NothingToWithdraw);
    require!(
        now >= accounts.pool.operator_cooldown_ends_at,
        StakingError::CooldownNotElapsed
    );
    require!(
        !RegistryDevice::reserved_for(&accounts.device, &accounts.pool.operator),
        StakingError::DeviceReserved
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
