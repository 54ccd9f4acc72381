use {
    crate::math::{SafeMath, SECS_PER_HOUR},
    anchor_lang::prelude::*,
};

/// What a booking was charged, in payment-token base units, all held in the reservation's vault
/// until the booking is settled.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, Default, PartialEq, Eq, Debug,
)]
pub struct BookingCharges {
    /// The device's time: paid out for the time delivered, refunded for the rest.
    pub time: u64,
    /// Non-refundable; the settlement tip is paid out of it, the rest goes to the treasury.
    pub reservation_fee: u64,
    /// Non-refundable (USDC only); to the treasury.
    pub payment_fee: u64,
    /// Paid at settlement to whoever settles the booking: iotoken's `settle_tip`, at most half
    /// the reservation fee (so the other half always reaches the treasury).
    pub tip: u64,
}

impl BookingCharges {
    /// Everything the renter paid for the booking.
    pub fn total(&self) -> Result<u64> {
        self.time
            .safe_add(self.reservation_fee)?
            .safe_add(self.payment_fee)
    }
}

/// One device's place in a reservation, from booking to settlement (when it is closed and its
/// rent returned to the renter). Written by the renter's batches, the device's agent (start)
/// and the settlement, never by the other bookings, so agents acknowledge in parallel.
#[account]
#[derive(InitSpace, Debug)]
pub struct Booking {
    pub reservation: Pubkey,
    pub device: Pubkey,
    /// The device's owner when booked: its pay goes to this owner's token account.
    pub owner: Pubkey,
    /// The device's staking pool (`["pool", device, owner]` under staking).
    pub stake_pool: Pubkey,
    /// IOSD base units per device-hour, fixed at booking: price per GPU-hour x GPU count.
    pub price_per_hour: u64,
    /// Unix seconds: when the device was booked, the agent's start deadline, and the end.
    pub booked_at: i64,
    pub ack_deadline: i64,
    pub ends_at: i64,
    /// Unix seconds of the agent's start acknowledgement; 0 until then.
    pub started_at: i64,
    pub charges: BookingCharges,
    pub bump: u8,
}

impl Booking {
    pub fn is_started(&self) -> bool {
        self.started_at != 0
    }

    /// Hours paid for, extensions included (`u32::MAX` for times out of order, which no
    /// booking has, so that an extension of one is refused as too long).
    pub fn hours(&self) -> u32 {
        self.ends_at
            .checked_sub(self.booked_at)
            .and_then(|secs| u32::try_from(secs / SECS_PER_HOUR).ok())
            .unwrap_or(u32::MAX)
    }
}
