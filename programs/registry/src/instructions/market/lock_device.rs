use {
    crate::{errors::RegistryError, events::DeviceLocked, state::*, MarketLock},
    anchor_lang::prelude::*,
};

/// Locks a free, active device to `reservation`, so it can never be booked twice.
pub fn handler(ctx: Context<MarketLock>, reservation: Pubkey) -> Result<()> {
    require_keys_neq!(
        reservation,
        Pubkey::default(),
        RegistryError::InvalidReservation
    );
    let device = &mut ctx.accounts.device;
    require!(!device.is_reserved(), RegistryError::DeviceReserved);
    require!(
        device.status == DeviceStatus::Active,
        RegistryError::DevicePaused
    );
    device.reservation = reservation;
    emit!(DeviceLocked {
        device: device.key(),
        reservation
    });
    Ok(())
}
