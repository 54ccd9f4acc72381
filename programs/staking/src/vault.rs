//! Moving IO in and out of a pool's vault, and the vault invariant checked after every move.

use {
    crate::{errors::StakingError, math::SafeMath, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    iotoken::token_transfer::transfer_tokens,
};

/// Transfers `amount` from `source` (signed for by `owner`) into the vault.
pub fn pay_in<'info>(
    token_program: &Program<'info, Token>,
    source: &Account<'info, TokenAccount>,
    vault: &Account<'info, TokenAccount>,
    owner: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    transfer_tokens(
        &token_program.to_account_info(),
        &source.to_account_info(),
        &vault.to_account_info(),
        &owner.to_account_info(),
        &[],
        amount,
    )
}

/// Transfers `amount` out of the vault to `destination`, signed by the pool PDA.
pub fn pay_out<'info>(
    token_program: &Program<'info, Token>,
    vault: &Account<'info, TokenAccount>,
    destination: &Account<'info, TokenAccount>,
    pool: &Account<'info, StakePool>,
    amount: u64,
) -> Result<()> {
    transfer_tokens(
        &token_program.to_account_info(),
        &vault.to_account_info(),
        &destination.to_account_info(),
        &pool.to_account_info(),
        &[&[
            POOL_SEED,
            pool.device.as_ref(),
            pool.operator.as_ref(),
            &[pool.bump],
        ]],
        amount,
    )
}

/// The vault holds at least everything the pool accounts for: all stake, active and cooling,
/// and every reward deposited and not yet claimed. Anything above is rounding dust or a gift.
pub fn check_vault(vault: &mut Account<TokenAccount>, pool: &StakePool) -> Result<()> {
    vault.reload()?;
    let unclaimed = pool.rewards_deposited.safe_sub(pool.rewards_claimed)?;
    let owed = pool
        .total_stake()
        .ok_or_else(|| error!(StakingError::MathOverflow))?
        .safe_add(unclaimed)?;
    require!(vault.amount >= owed, StakingError::VaultInvariantViolated);
    Ok(())
}
