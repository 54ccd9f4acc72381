use {crate::math::SECS_PER_HOUR, anchor_lang::prelude::*};

/// The shortest booking: one hour (`validate_hours` refuses 0 hours).
pub const MIN_BOOKING_SECS: i64 = SECS_PER_HOUR;
/// Upper bound of the start-acknowledgement grace period: half the shortest booking (30
/// minutes), so every start deadline falls before the booking's end and a late start still
/// leaves time to deliver (M3).
pub const MAX_ACK_GRACE_SECS: i64 = MIN_BOOKING_SECS / 2;
const _: () = assert!(MAX_ACK_GRACE_SECS < MIN_BOOKING_SECS);
/// Upper bound of one booking's length, extensions included: one year of hours.
pub const MAX_RESERVATION_HOURS_LIMIT: u32 = 365 * 24;

/// Market parameters. Fees and the IO price come from iotoken's config and price feed, so that
/// governance changes them in one place.
#[account]
#[derive(InitSpace, Debug)]
pub struct MarketConfig {
    /// May change this config (governance once it takes the programs over).
    pub authority: Pubkey,
    /// The USDC mint accepted for payment (IO and IOSD are iotoken's mints).
    pub usdc_mint: Pubkey,
    /// Seconds a device's agent has, from the booking, to acknowledge the start; after that anyone
    /// may release the device and refund its share.
    pub ack_grace_secs: i64,
    /// Longest a device may be booked for, extensions included, in hours.
    pub max_reservation_hours: u32,
    pub bump: u8,
    pub registry_lock_bump: u8,
    pub slasher_bump: u8,
    /// Kept for parameters added before a layout migration is worth it.
    pub _reserved: [u8; 64],
}
