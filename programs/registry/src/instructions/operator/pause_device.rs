use {
    crate::{errors::RegistryError, events::DeviceStatusChanged, state::*, OperateDevice},
    anchor_lang::prelude::*,
};

/// Withholds the device from new reservations (maintenance, owner's own use). An ongoing
/// reservation is not interrupted.
pub fn handler(ctx: Context<OperateDevice>) -> Result<()> {
    let device = &mut ctx.accounts.device;
    require!(
        device.status != DeviceStatus::Paused,
        RegistryError::DeviceAlreadyPaused
    );
    device.status = DeviceStatus::Paused;
    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceStatusChanged {
        device: device.key(),
        signer: ctx.accounts.signer.key(),
        status_before: DeviceStatus::Active,
        status_after: DeviceStatus::Paused,
        updated_at: device.updated_at,
    });
    Ok(())
}
