use {
    crate::{errors::MarketError, events::StartAcknowledged, state::*},
    anchor_lang::prelude::*,
    registry::state::Device,
};

/// The device's agent acknowledges that the workload started: the device's paid time runs from
/// now, which must be by the start deadline and before the booking's end. Only the booking is
/// written, so a cluster's agents acknowledge in parallel.
#[derive(Accounts)]
pub struct AcknowledgeStart<'info> {
    pub agent: Signer<'info>,
    #[account(
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(
        mut,
        seeds = [BOOKING_SEED, reservation.key().as_ref(), device.key().as_ref()],
        bump = booking.bump,
    )]
    pub booking: Box<Account<'info, Booking>>,
    #[account(constraint = device.agent == agent.key() @ MarketError::WrongAgentKey)]
    pub device: Box<Account<'info, Device>>,
}

pub fn handler(ctx: Context<AcknowledgeStart>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let reservation_key = accounts.reservation.key();
    require!(
        !accounts.reservation.is_cancelled(),
        MarketError::ReservationCancelled
    );
    require_keys_eq!(
        accounts.device.reservation,
        reservation_key,
        MarketError::DeviceNotInReservation
    );
    let booking = &mut accounts.booking;
    require!(!booking.is_started(), MarketError::AlreadyStarted);
    // No start at or after the end: it would be paid for time it cannot deliver (M3).
    require!(now < booking.ends_at, MarketError::BookingEnded);
    require!(
        now <= booking.ack_deadline,
        MarketError::StartDeadlinePassed
    );
    booking.started_at = now;
    emit!(StartAcknowledged {
        reservation: reservation_key,
        booking: booking.key(),
        device: booking.device,
        agent: accounts.agent.key(),
        started_at: now,
    });
    Ok(())
}
