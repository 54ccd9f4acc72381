use {
    crate::{errors::RegistryError, events::DeviceReleased, MarketLock},
    anchor_lang::prelude::*,
};

/// Releases a device from `reservation` (settled, cancelled or abandoned).
pub fn handler(ctx: Context<MarketLock>, reservation: Pubkey) -> Result<()> {
    let device = &mut ctx.accounts.device;
    require_keys_eq!(
        device.reservation,
        reservation,
        RegistryError::ReservationMismatch
    );
    require_keys_neq!(
        reservation,
        Pubkey::default(),
        RegistryError::ReservationMismatch
    );
    device.reservation = Pubkey::default();
    emit!(DeviceReleased {
        device: device.key(),
        reservation
    });
    Ok(())
}
