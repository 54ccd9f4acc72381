use {
    crate::{errors::StakingError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// Accounts of `stake_self`: the operator pays self-stake in from `token_account` (`withdraw_self`
/// pays out through the same accounts and the pool's device).
#[derive(Accounts)]
pub struct SelfStakeTransfer<'info> {
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
