use {
    crate::{errors::RegistryError, events::DeviceStatusChanged, state::*, OperateDevice},
    anchor_lang::prelude::*,
};

/// Offers a paused device to renters again.
pub fn handler(ctx: Context<OperateDevice>) -> Result<()> {
    let device = &mut ctx.accounts.device;
    require!(
        device.status == DeviceStatus::Paused,
        RegistryError::DeviceNotPaused
    );
    device.status = DeviceStatus::Active;
    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceStatusChanged {
        device: device.key(),
        signer: ctx.accounts.signer.key(),
        status_before: DeviceStatus::Paused,
        status_after: DeviceStatus::Active,
        updated_at: device.updated_at,
    });
    Ok(())
}
