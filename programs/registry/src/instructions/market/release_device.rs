use {
    crate::{
        errors::RegistryError, events::DeviceReleased, failures::settle_device_failure_at,
        state::*, MarketLock,
    },
    anchor_lang::prelude::*,
};

/// Releases a device from `reservation` (settled, cancelled or abandoned) and records the
/// reservation's `outcome` in the device's reputation.
pub fn handler(
    ctx: Context<MarketLock>,
    reservation: Pubkey,
    outcome: ReservationOutcome,
) -> Result<()> {
    let config = &ctx.accounts.config;
    require!(
        config.may_release(&ctx.accounts.market_authority.key()),
        RegistryError::NotMarketAuthority
    );
    let origin = config.epoch_origin;
    let device = &mut ctx.accounts.device;
    require_keys_neq!(
        reservation,
        Pubkey::default(),
        RegistryError::ReservationMismatch
    );
    require_keys_eq!(
        device.reservation,
        reservation,
        RegistryError::ReservationMismatch
    );
    // A quorum of an ended epoch during the reservation counts as the reservation's.
    settle_device_failure_at(device, origin, Clock::get()?.unix_timestamp);
    device.reservation = Pubkey::default();
    device.availability.record_reservation(outcome);
    emit!(DeviceReleased {
        device: device.key(),
        reservation,
        outcome,
        reservations_completed: device.availability.reservations_completed,
        failures: device.availability.failures,
        reputation_bps: device.availability.reputation_bps,
    });
    Ok(())
}
