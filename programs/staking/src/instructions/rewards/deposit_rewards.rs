use {
    crate::{
        errors::StakingError,
        events::RewardsDeposited,
        math::{rewards::index_increase, SafeMath},
        state::*,
        vault::{check_vault, pay_in},
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// Deposits IO rewards for a pool's active co-stakers. The registry (availability rewards) and
/// the market (job pay) call this by CPI with the stakers' share of a device's rewards; anyone
/// may deposit, since a deposit can only add to what co-stakers are owed.
#[derive(Accounts)]
pub struct DepositRewards<'info> {
    pub depositor: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(mut, seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump = pool.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = source.mint == config.io_mint @ StakingError::WrongMint,
        constraint = source.key() != vault.key() @ StakingError::VaultAsCounterparty,
    )]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// O(1): raises the pool's reward index by `amount / active_shares`; positions settle lazily.
pub fn handler(ctx: Context<DepositRewards>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let accounts = ctx.accounts;
    let pool = &mut accounts.pool;
    require!(pool.active_shares > 0, StakingError::NoActiveCoStake);
    pool.reward_index = pool
        .reward_index
        .safe_add(index_increase(amount, pool.active_shares)?)?;
    pool.rewards_deposited = pool.rewards_deposited.safe_add(amount)?;

    pay_in(
        &accounts.token_program,
        &accounts.source,
        &accounts.vault,
        &accounts.depositor,
        amount,
    )?;
    check_vault(&mut accounts.vault, &accounts.pool)?;
    emit!(RewardsDeposited {
        pool: accounts.pool.key(),
        depositor: accounts.depositor.key(),
        amount,
        active_shares: accounts.pool.active_shares,
        reward_index_after: accounts.pool.reward_index,
    });
    Ok(())
}
