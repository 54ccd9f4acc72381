use {
    super::{book_devices::read_device, payment_terms::payment_terms},
    crate::{
        batch::device_batch,
        errors::MarketError,
        escrow::deposit,
        events::{BatchPaid, BookingExtended},
        math::*,
        state::*,
        validation::validate_hours,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    iotoken::state::{PriceFeed, TokenConfig, CONFIG_SEED as IOTOKEN_CONFIG_SEED, PRICE_FEED_SEED},
    registry::state::{RegistryConfig, CONFIG_SEED as REGISTRY_CONFIG_SEED},
};

/// The renter extends bookings by `extra_hours` on the same devices, at the price fixed when
/// each was booked (fees and the IO price as of now), paying into the vault. Each device must
/// still be locked to this reservation, not ended and not failed. Remaining accounts, per device:
/// its booking (writable) and its registry account.
#[derive(Accounts)]
pub struct ExtendBookings<'info> {
    pub renter: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, MarketConfig>>,
    #[account(
        mut,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
        has_one = renter @ MarketError::NotRenter,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(mut, seeds = [VAULT_SEED, reservation.key().as_ref()], bump = reservation.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = payment_source.mint == reservation.payment_mint @ MarketError::InvalidRenterAccount,
        constraint = payment_source.key() != vault.key() @ MarketError::InvalidRenterAccount,
    )]
    pub payment_source: Box<Account<'info, TokenAccount>>,
    #[account(seeds = [IOTOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = iotoken::ID)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    #[account(seeds = [PRICE_FEED_SEED], bump = price_feed.bump, seeds::program = iotoken::ID)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
    #[account(seeds = [REGISTRY_CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfig>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, ExtendBookings<'info>>,
    extra_hours: u32,
    max_payment: u64,
) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let accounts = ctx.accounts;
    require!(
        !accounts.reservation.is_cancelled(),
        MarketError::ReservationCancelled
    );
    let now = Clock::get()?.unix_timestamp;
    let (rates, conversion) = payment_terms(
        accounts.reservation.payment_token,
        &accounts.token_config,
        &accounts.price_feed,
        now,
    )?;
    let reservation_key = accounts.reservation.key();
    let epoch = running_epoch(&accounts.registry_config, now);

    let mut total = 0u64;
    let mut last_ends_at = accounts.reservation.last_ends_at;
    for pair in device_batch(remaining, 2)? {
        let [booking_info, device_info] = pair else {
            return err!(MarketError::InvalidBatch);
        };
        let device = read_device(device_info)?;
        require_keys_eq!(
            device.reservation,
            reservation_key,
            MarketError::DeviceNotInReservation
        );
        let mut booking = Account::<Booking>::try_from(booking_info)
            .map_err(|_| error!(MarketError::BookingMismatch))?;
        require!(
            booking.reservation == reservation_key && booking.device == device_info.key(),
            MarketError::BookingMismatch
        );
        require!(now < booking.ends_at, MarketError::BookingEnded);
        let times = BookingTimes::from(&*booking);
        let failure = device.availability.lock_failure(epoch);
        require!(
            failed_at(&times, failure).is_none() && !failure_pending(&times, failure),
            MarketError::DeviceFailed
        );
        validate_hours(booking.hours(), extra_hours, &accounts.config)?;

        let added = quote(booking.price_per_hour, extra_hours, rates, conversion)?;
        booking.charges = add_charges(booking.charges, added)?;
        booking.ends_at = booking
            .ends_at
            .safe_add(i64::from(extra_hours).safe_mul(SECS_PER_HOUR)?)?;
        last_ends_at = last_ends_at.max(booking.ends_at);
        booking.exit(&crate::ID)?;
        total = total.safe_add(added.total()?)?;
        emit!(BookingExtended {
            reservation: reservation_key,
            booking: booking.key(),
            extra_hours,
            ends_at: booking.ends_at,
            added,
        });
    }
    require!(total <= max_payment, MarketError::PaymentBelowQuote);
    accounts.reservation.last_ends_at = last_ends_at;
    deposit(
        &accounts.token_program,
        &accounts.payment_source,
        &accounts.renter,
        &mut accounts.vault,
        &mut accounts.reservation,
        total,
    )?;
    emit!(BatchPaid {
        reservation: reservation_key,
        devices: (remaining.len() / 2) as u32,
        amount: total,
        io_price: conversion.io_price(),
        vault_after: accounts.vault.amount,
    });
    Ok(())
}
