use {
    crate::{
        errors::RegistryError, events::DeviceLocked, failures::settle_device_failure_at, state::*,
        MarketLock,
    },
    anchor_lang::prelude::*,
};

/// Locks a free, active device to `reservation`, so it can never be booked twice; failures are
/// counted against the reservation from now on.
pub fn handler(ctx: Context<MarketLock>, reservation: Pubkey) -> Result<()> {
    let config = &ctx.accounts.config;
    require!(config.market_is_set(), RegistryError::MarketNotConfigured);
    require_keys_eq!(
        ctx.accounts.market_authority.key(),
        config.market_lock_authority,
        RegistryError::NotMarketAuthority
    );
    require_keys_neq!(
        reservation,
        Pubkey::default(),
        RegistryError::InvalidReservation
    );
    let origin = config.epoch_origin;
    let device = &mut ctx.accounts.device;
    require!(!device.is_reserved(), RegistryError::DeviceReserved);
    require!(
        device.status == DeviceStatus::Active,
        RegistryError::DevicePaused
    );
    // A quorum of an ended epoch counts now, before the lock: it is not this reservation's.
    settle_device_failure_at(device, origin, Clock::get()?.unix_timestamp);
    device.reservation = reservation;
    device.availability.start_lock();
    emit!(DeviceLocked {
        device: device.key(),
        reservation
    });
    Ok(())
}
