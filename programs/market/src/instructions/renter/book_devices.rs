use {
    super::payment_terms::payment_terms,
    crate::{
        batch::device_batch,
        errors::MarketError,
        escrow::deposit,
        events::{BatchPaid, DeviceBooked},
        math::*,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    iotoken::{
        pda_account::create_pda_account,
        state::{PriceFeed, TokenConfig, CONFIG_SEED as IOTOKEN_CONFIG_SEED, PRICE_FEED_SEED},
    },
    registry::{
        program::Registry,
        stake::device_stake,
        state::{Device, DeviceStatus, RegistryConfig, CONFIG_SEED as REGISTRY_CONFIG_SEED},
    },
    staking::state::{StakingConfig, CONFIG_SEED as STAKING_CONFIG_SEED},
};

/// Adds a batch of devices to the renter's reservation, each for the reservation's hours at its
/// current price, and moves their charges into the vault. Each device is locked to the
/// reservation through the registry, so it can never be booked twice. Remaining accounts, per
/// device: its registry account (writable), its staking pool (`["pool", device, owner]` under
/// staking) and its booking (`["booking", reservation, device]`, writable, not existing yet).
#[derive(Accounts)]
pub struct BookDevices<'info> {
    #[account(mut)]
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
    #[account(seeds = [STAKING_CONFIG_SEED], bump = staking_config.bump, seeds::program = staking::ID)]
    pub staking_config: Box<Account<'info, StakingConfig>>,
    #[account(seeds = [REGISTRY_CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfig>>,
    /// CHECK: the market's `["registry_lock"]` PDA, signing the registry's `lock_device`.
    #[account(seeds = [REGISTRY_LOCK_SEED], bump = config.registry_lock_bump)]
    pub registry_lock: UncheckedAccount<'info>,
    pub registry_program: Program<'info, Registry>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, BookDevices<'info>>,
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
    let hours = accounts.reservation.hours;
    let ends_at = now.safe_add(i64::from(hours).safe_mul(SECS_PER_HOUR)?)?;
    let ack_deadline = now.safe_add(accounts.config.ack_grace_secs)?;
    let lock_signer: &[&[u8]] = &[REGISTRY_LOCK_SEED, &[accounts.config.registry_lock_bump]];

    let mut total = 0u64;
    for chunk in device_batch(remaining, 3)? {
        let [device_info, pool_info, booking_info] = chunk else {
            return err!(MarketError::InvalidBatch);
        };
        let device = read_device(device_info)?;
        check_bookable(&device, &accounts.registry_config, now)?;
        let stake = device_stake(&accounts.staking_config, &device, pool_info)?;
        require!(
            stake.amount >= stake.minimum,
            MarketError::DeviceUnderStaked
        );
        let price_per_hour = device_hour_price(device.price_per_gpu_hour, device.specs.gpu_count)?;
        require!(price_per_hour > 0, MarketError::DeviceUnpriced);
        let charges = quote(price_per_hour, hours, rates, conversion)?;

        let device_key = device_info.key();
        let (address, bump) = Pubkey::find_program_address(
            &[BOOKING_SEED, reservation_key.as_ref(), device_key.as_ref()],
            &crate::ID,
        );
        require_keys_eq!(booking_info.key(), address, MarketError::BookingMismatch);
        create_pda_account(
            booking_info,
            8 + Booking::INIT_SPACE,
            &crate::ID,
            &[
                BOOKING_SEED,
                reservation_key.as_ref(),
                device_key.as_ref(),
                &[bump],
            ],
            &accounts.renter,
            &accounts.system_program,
        )?;
        let booking = Booking {
            reservation: reservation_key,
            device: device_key,
            owner: device.owner,
            stake_pool: pool_info.key(),
            price_per_hour,
            booked_at: now,
            ack_deadline,
            ends_at,
            started_at: 0,
            charges,
            bump,
        };
        booking.try_serialize(&mut &mut booking_info.try_borrow_mut_data()?[..])?;

        registry::cpi::lock_device(
            CpiContext::new_with_signer(
                accounts.registry_program.to_account_info(),
                registry::cpi::accounts::MarketLock {
                    market_authority: accounts.registry_lock.to_account_info(),
                    config: accounts.registry_config.to_account_info(),
                    device: device_info.clone(),
                },
                &[lock_signer],
            ),
            reservation_key,
        )?;
        total = total.safe_add(charges.total()?)?;
        emit!(DeviceBooked {
            reservation: reservation_key,
            booking: address,
            device: device_key,
            price_per_hour,
            hours,
            ends_at,
            ack_deadline,
            charges,
        });
    }
    require!(total <= max_payment, MarketError::PaymentBelowQuote);

    let devices = (remaining.len() / 3) as u32;
    let reservation = &mut accounts.reservation;
    reservation.bookings_made = reservation.bookings_made.saturating_add(devices);
    reservation.bookings_open = reservation.bookings_open.saturating_add(devices);
    reservation.last_ends_at = reservation.last_ends_at.max(ends_at);
    deposit(
        &accounts.token_program,
        &accounts.payment_source,
        &accounts.renter,
        &mut accounts.vault,
        reservation,
        total,
    )?;
    emit!(BatchPaid {
        reservation: reservation_key,
        devices,
        amount: total,
        io_price: conversion.io_price(),
        vault_after: accounts.vault.amount,
    });
    Ok(())
}

/// `info` as a registry device, or `DeviceNotRegistered` (a deregistered device's account is
/// closed; anything else is not a device).
pub fn read_device<'info>(info: &'info AccountInfo<'info>) -> Result<Account<'info, Device>> {
    require!(
        info.owner == &registry::ID && !info.data_is_empty(),
        MarketError::DeviceNotRegistered
    );
    Account::<Device>::try_from(info).map_err(|_| error!(MarketError::DeviceNotRegistered))
}

/// A device may be booked while active, free, and not found down by a keeper quorum this epoch
/// (a failure recorded before the booking must not count as one during it).
fn check_bookable(device: &Device, registry_config: &RegistryConfig, now: i64) -> Result<()> {
    require!(
        device.status == DeviceStatus::Active,
        MarketError::DevicePaused
    );
    require!(!device.is_reserved(), MarketError::DeviceReserved);
    require!(
        !device
            .availability
            .failing_in(running_epoch(registry_config, now)),
        MarketError::DeviceFailedThisEpoch
    );
    Ok(())
}
