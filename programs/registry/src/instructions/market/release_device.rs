use {
    crate::{errors::RegistryError, events::DeviceReleased, state::*, MarketLock},
    anchor_lang::prelude::*,
};

/// Releases a device from `reservation` (settled, cancelled or abandoned) and records the
/// reservation's `outcome` in the device's reputation.
pub fn handler(
    ctx: Context<MarketLock>,
    reservation: Pubkey,
    outcome: ReservationOutcome,
) -> Result<()> {
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
