use {
    crate::{errors::StakingError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// Accounts of a position change that moves no IO (`unstake`, `lock`).
#[derive(Accounts)]
pub struct ChangePosition<'info> {
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(mut, seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        seeds = [POSITION_SEED, pool.key().as_ref(), owner.key().as_ref()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
}

/// Accounts of a position change that moves IO between `token_account` and the vault (`stake`
/// pays in; `withdraw` and `claim_rewards` pay out).
#[derive(Accounts)]
pub struct PositionTransfer<'info> {
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(mut, seeds = [POOL_SEED, pool.device.as_ref(), pool.operator.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        seeds = [POSITION_SEED, pool.key().as_ref(), owner.key().as_ref()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
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
