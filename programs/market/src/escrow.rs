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
    check_invariant(vault, reservation).map(|_| ())
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

/// The invariant: the ledger is consistent (what its flows leave in the vault equals what the
/// reservation still owes: the charges of the bookings still open) and, after reloading the
/// vault, the vault holds at least that. Tokens sent to the vault by anyone outside the market
/// are a surplus no flow accounts for: tolerated, so a transfer into the vault never blocks the
/// reservation (C1), and swept to the treasury when the reservation closes. Returns the surplus.
pub fn check_invariant(
    vault: &mut Account<'_, TokenAccount>,
    reservation: &Reservation,
) -> Result<u64> {
    vault.reload()?;
    let expected = reservation
        .ledger
        .expected_vault()
        .ok_or_else(|| error!(MarketError::VaultInvariantViolated))?;
    vault
        .amount
        .checked_sub(expected)
        .ok_or_else(|| error!(MarketError::VaultInvariantViolated))
}
