//! Quotes and settlements. Prices are USD in IOSD base units (1e6 = 1 USD); charges are converted
//! to the payment token component by component, so that every booking's charges are exact and
//! a batch's payment is their sum. Rounding favours the device and the protocol on charges, and
//! the renter on nothing it did not get: time not delivered is refunded to the unit.

use {
    crate::{errors::MarketError, state::*},
    anchor_lang::prelude::*,
    iotoken::math::price::io_for_iosd,
    registry::state::{ReservationOutcome, NO_EPOCH},
};

iotoken::define_safe_math!(MarketError::MathOverflow);

pub use iotoken::math::{BPS_DENOMINATOR, EPOCH_SECS};

pub const SECS_PER_HOUR: i64 = 3_600;

/// The registry epoch running at `now`, counted from `origin`; none before it.
pub fn epoch_at(origin: i64, now: i64) -> Option<u64> {
    (now >= origin).then(|| ((now - origin) / EPOCH_SECS) as u64)
}

/// When `epoch` starts.
pub fn epoch_start(origin: i64, epoch: u64) -> Option<i64> {
    i64::try_from(epoch)
        .ok()?
        .checked_mul(EPOCH_SECS)?
        .checked_add(origin)
}

/// Fee rates a quote is made with (iotoken's `FeeParams`), in basis points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteRates {
    pub reservation_fee_bps: u16,
    pub payment_fee_bps: u16,
    /// IOSD base units of the settlement tip.
    pub settle_tip: u64,
}

/// How USD amounts become payment-token amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// IOSD and USDC: 6 decimals, one unit per IOSD base unit.
    Par,
    /// IO at this conservative price (USD per IO, 8 decimals), rounded up.
    Io { price: u64 },
}

impl Conversion {
    /// The IO price converted at, 0 for par.
    pub fn io_price(self) -> u64 {
        match self {
            Conversion::Par => 0,
            Conversion::Io { price } => price,
        }
    }

    pub fn to_token(self, usd: u64) -> Result<u64> {
        match self {
            Conversion::Par => Ok(usd),
            Conversion::Io { price } => {
                io_for_iosd(usd, price).map_err(|_| error!(MarketError::MathOverflow))
            }
        }
    }
}

/// IOSD base units per device-hour: the device's price per GPU-hour x its GPU count.
pub fn device_hour_price(price_per_gpu_hour: u64, gpu_count: u16) -> Result<u64> {
    price_per_gpu_hour.safe_mul(u64::from(gpu_count))
}

/// `amount x bps / 10_000`, rounded up.
pub fn bps_ceil(amount: u64, bps: u16) -> Result<u64> {
    let share = (amount as u128)
        .safe_mul(u128::from(bps))?
        .div_ceil(BPS_DENOMINATOR as u128);
    u64::try_from(share).map_err(|_| error!(MarketError::MathOverflow))
}

/// `amount x bps / 10_000`, rounded down.
pub fn bps_floor(amount: u64, bps: u16) -> Result<u64> {
    let share = (amount as u128).safe_mul(u128::from(bps))? / BPS_DENOMINATOR as u128;
    u64::try_from(share).map_err(|_| error!(MarketError::MathOverflow))
}

/// `a x b / c`, rounded down (`c > 0`).
pub fn mul_div_floor(a: u64, b: u64, c: u64) -> Result<u64> {
    require!(c > 0, MarketError::MathOverflow);
    let value = (a as u128).safe_mul(b as u128)? / c as u128;
    u64::try_from(value).map_err(|_| error!(MarketError::MathOverflow))
}

/// The charges for `hours` of a device at `price_per_hour`: time = price x hours, reservation
/// fee = time x rate (up), payment fee = (time + reservation fee) x rate (up), each converted
/// to the payment token (up); the tip is the converted `settle_tip`, at most the reservation fee.
pub fn quote(
    price_per_hour: u64,
    hours: u32,
    rates: QuoteRates,
    conversion: Conversion,
) -> Result<BookingCharges> {
    let time_usd = price_per_hour.safe_mul(u64::from(hours))?;
    let reservation_fee_usd = bps_ceil(time_usd, rates.reservation_fee_bps)?;
    let payment_fee_usd = bps_ceil(
        time_usd.safe_add(reservation_fee_usd)?,
        rates.payment_fee_bps,
    )?;
    let reservation_fee = conversion.to_token(reservation_fee_usd)?;
    Ok(BookingCharges {
        time: conversion.to_token(time_usd)?,
        reservation_fee,
        payment_fee: conversion.to_token(payment_fee_usd)?,
        tip: conversion.to_token(rates.settle_tip)?.min(reservation_fee),
    })
}

/// Charges of `extra` added to `charges` (an extension): the tip stays, since a booking is
/// settled once.
pub fn add_charges(charges: BookingCharges, extra: BookingCharges) -> Result<BookingCharges> {
    Ok(BookingCharges {
        time: charges.time.safe_add(extra.time)?,
        reservation_fee: charges.reservation_fee.safe_add(extra.reservation_fee)?,
        payment_fee: charges.payment_fee.safe_add(extra.payment_fee)?,
        tip: charges.tip,
    })
}

/// The times that decide a booking's settlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookingTimes {
    pub booked_at: i64,
    pub ack_deadline: i64,
    pub ends_at: i64,
    /// 0 if the agent never acknowledged.
    pub started_at: i64,
}

impl From<&Booking> for BookingTimes {
    fn from(booking: &Booking) -> Self {
        Self {
            booked_at: booking.booked_at,
            ack_deadline: booking.ack_deadline,
            ends_at: booking.ends_at,
            started_at: booking.started_at,
        }
    }
}

/// When a keeper failure quorum cut the booking short: the start of the device's failure epoch
/// (`last_failure_epoch`, `NO_EPOCH` if none) when that epoch lies within the booking, from the
/// epoch it was booked in (bookings are refused in an epoch with a failure) to its end.
pub fn failed_at(booking: &BookingTimes, last_failure_epoch: u64, origin: i64) -> Option<i64> {
    if last_failure_epoch == NO_EPOCH {
        return None;
    }
    let booked_epoch = epoch_at(origin, booking.booked_at)?;
    let start = epoch_start(origin, last_failure_epoch)?;
    (last_failure_epoch >= booked_epoch && start < booking.ends_at)
        .then_some(start.max(booking.booked_at))
}

/// How a booking ends, and the seconds of device time the renter pays for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ending {
    pub outcome: ReservationOutcome,
    pub delivered_secs: u64,
}

/// How the booking settles at `now`, or `None` while it may not settle yet.
/// - Never started: cancelled before the start deadline -> Cancelled; otherwise, once the
///   deadline passed (or a failure quorum was reached) -> NoShow. Nothing delivered.
/// - Started: a failure quorum during the booking (`failed_at`, the start of the failure epoch)
///   ends it there -> Failed; a cancellation ends it at the later of the cancellation and one hour
///   after booking (the first hour is not refundable) -> Cancelled, whichever comes first; else at
///   the end -> Completed, once `now` has reached it. Delivered time runs from the start.
pub fn ending(
    times: BookingTimes,
    now: i64,
    cancelled_at: Option<i64>,
    failed_at: Option<i64>,
) -> Option<Ending> {
    let nothing = |outcome| Ending {
        outcome,
        delivered_secs: 0,
    };
    if times.started_at == 0 {
        return match cancelled_at {
            Some(cancelled) if cancelled <= times.ack_deadline => {
                Some(nothing(ReservationOutcome::Cancelled))
            }
            _ if now > times.ack_deadline || failed_at.is_some() || cancelled_at.is_some() => {
                Some(nothing(ReservationOutcome::NoShow))
            }
            _ => None,
        };
    }
    let clamp = |at: i64| at.clamp(times.started_at, times.ends_at);
    let failure_stop = failed_at.map(clamp);
    let cancel_stop = cancelled_at
        .map(|cancelled| clamp(cancelled.max(times.booked_at.saturating_add(SECS_PER_HOUR))));
    let (outcome, stop) = match (failure_stop, cancel_stop) {
        (Some(failed), Some(cancelled)) if cancelled < failed => {
            (ReservationOutcome::Cancelled, cancelled)
        }
        (Some(failed), _) => (ReservationOutcome::Failed, failed),
        (None, Some(cancelled)) => (ReservationOutcome::Cancelled, cancelled),
        (None, None) if now >= times.ends_at => (ReservationOutcome::Completed, times.ends_at),
        (None, None) => return None,
    };
    Some(Ending {
        outcome,
        delivered_secs: stop.saturating_sub(times.started_at) as u64,
    })
}

/// Where a booking's time charge goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimeSplit {
    /// The delivered share of the time charge (`time x delivered / booked`, down).
    pub gross: u64,
    /// Of `gross`, to the treasury (up).
    pub network_fee: u64,
    /// Of `gross - network_fee`, to the device's co-stakers (down).
    pub staker_share: u64,
    /// The rest of `gross`, to the device's owner.
    pub owner_pay: u64,
    /// `time - gross`, back to the renter.
    pub refund: u64,
}

pub fn split_time(
    time: u64,
    delivered_secs: u64,
    booked_secs: u64,
    network_fee_bps: u16,
    staker_share_bps: u16,
) -> Result<TimeSplit> {
    let gross = mul_div_floor(time, delivered_secs.min(booked_secs), booked_secs)?;
    let network_fee = bps_ceil(gross, network_fee_bps)?;
    let staker_share = bps_floor(gross.safe_sub(network_fee)?, staker_share_bps)?;
    Ok(TimeSplit {
        gross,
        network_fee,
        staker_share,
        owner_pay: gross.safe_sub(network_fee)?.safe_sub(staker_share)?,
        refund: time.safe_sub(gross)?,
    })
}
