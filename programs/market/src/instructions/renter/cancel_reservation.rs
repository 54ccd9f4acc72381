use {
    crate::{errors::MarketError, events::ReservationCancelled, state::*},
    anchor_lang::prelude::*,
};

/// The renter cancels: every open booking may then be settled at once (`settle_bookings`), paying
/// started devices up to the later of now and one hour after their booking (the first hour is
/// not refundable), refunding the rest and releasing the devices. Refused once every booking has
/// ended (L6: a cancellation then only turned completed bookings into cancelled ones); a booking
/// that has ended when another is still running settles as if not cancelled (`math::ending`).
#[derive(Accounts)]
pub struct CancelReservation<'info> {
    pub renter: Signer<'info>,
    #[account(
        mut,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
        has_one = renter @ MarketError::NotRenter,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
}

pub fn handler(ctx: Context<CancelReservation>) -> Result<()> {
    let reservation = &mut ctx.accounts.reservation;
    require!(
        !reservation.is_cancelled(),
        MarketError::ReservationCancelled
    );
    let now = Clock::get()?.unix_timestamp;
    require!(
        now < reservation.last_ends_at,
        MarketError::ReservationEnded
    );
    reservation.cancelled_at = now;
    emit!(ReservationCancelled {
        reservation: reservation.key(),
        cancelled_at: reservation.cancelled_at,
        bookings_open: reservation.bookings_open,
    });
    Ok(())
}
