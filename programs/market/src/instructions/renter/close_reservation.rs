use {
    crate::{
        errors::MarketError, escrow::check_invariant, events::ReservationClosed, reservation_seeds,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{close_account, CloseAccount, Token, TokenAccount},
};

/// The renter closes a reservation whose bookings are all settled: the (empty) vault and the
/// reservation are closed and their rent returned.
#[derive(Accounts)]
pub struct CloseReservation<'info> {
    #[account(mut)]
    pub renter: Signer<'info>,
    #[account(
        mut,
        close = renter,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
        has_one = renter @ MarketError::NotRenter,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(mut, seeds = [VAULT_SEED, reservation.key().as_ref()], bump = reservation.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CloseReservation>) -> Result<()> {
    let accounts = ctx.accounts;
    require!(
        accounts.reservation.bookings_open == 0,
        MarketError::BookingsOpen
    );
    check_invariant(&mut accounts.vault, &accounts.reservation)?;
    let reservation = &accounts.reservation;
    close_account(CpiContext::new_with_signer(
        accounts.token_program.to_account_info(),
        CloseAccount {
            account: accounts.vault.to_account_info(),
            destination: accounts.renter.to_account_info(),
            authority: reservation.to_account_info(),
        },
        &[reservation_seeds!(reservation)],
    ))?;
    emit!(ReservationClosed {
        reservation: reservation.key(),
        renter: reservation.renter,
        ledger: reservation.ledger,
    });
    Ok(())
}
