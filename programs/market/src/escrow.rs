//! Moving a reservation's payment in and out of its vault, and the vault invariant checked after
//! every instruction that touches it.

use {
    crate::{errors::MarketError, math::SafeMath, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    iotoken::token_transfer::transfer_tokens,
};

/// Signer seeds of the reservation PDA (the vault's authority).
#[macro_export]
macro_rules! reservation_seeds {
    ($reservation:expr) => {
        &[
            $crate::state::RESERVATION_SEED,
            $reservation.renter.as_ref(),
            &$reservation.id.to_le_bytes(),
            &[$reservation.bump],
        ]
    };
}

/// Moves `amount` from the renter's `source` into the vault, records it as deposited and checks
/// the invariant.
pub fn deposit<'info>(
    token_program: &Program<'info, Token>,
    source: &Account<'info, TokenAccount>,
    renter: &Signer<'info>,
    vault: &mut Account<'info, TokenAccount>,
    reservation: &mut Account<'info, Reservation>,
    amount: u64,
) -> Result<()> {
    transfer_tokens(
        &token_program.to_account_info(),
        &source.to_account_info(),
        &vault.to_account_info(),
        &renter.to_account_info(),
        &[],
        amount,
    )?;
    let ledger = &mut reservation.ledger;
    ledger.deposited = ledger.deposited.safe_add(amount)?;
    ledger.escrow_open = ledger.escrow_open.safe_add(amount)?;
    check_invariant(vault, reservation)
}

/// Pays `amount` out of the vault to `destination`, signed by the reservation.
pub fn pay_out<'info>(
    token_program: &Program<'info, Token>,
    vault: &Account<'info, TokenAccount>,
    destination: &AccountInfo<'info>,
    reservation: &Account<'info, Reservation>,
    amount: u64,
) -> Result<()> {
    transfer_tokens(
        &token_program.to_account_info(),
        &vault.to_account_info(),
        destination,
        &reservation.to_account_info(),
        &[reservation_seeds!(reservation)],
        amount,
    )
}

/// The invariant: after reloading the vault, it holds exactly what the ledger's flows leave,
/// and that equals the charges of the bookings still open.
pub fn check_invariant(
    vault: &mut Account<'_, TokenAccount>,
    reservation: &Reservation,
) -> Result<()> {
    vault.reload()?;
    let ledger = &reservation.ledger;
    require!(
        ledger.expected_vault() == Some(vault.amount) && ledger.escrow_open == vault.amount,
        MarketError::VaultInvariantViolated
    );
    Ok(())
}
