use {
    crate::{
        errors::RegistryError, events::DeviceRenamed, validation::validate_name, ChangeDevice,
    },
    anchor_lang::prelude::*,
};

pub fn handler(ctx: Context<ChangeDevice>, name: String) -> Result<()> {
    validate_name(&name)?;
    let device = &mut ctx.accounts.device;
    require!(device.name != name, RegistryError::NameUnchanged);
    let name_before = std::mem::replace(&mut device.name, name);
    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceRenamed {
        device: device.key(),
        owner: device.owner,
        name_before,
        name_after: device.name.clone(),
        updated_at: device.updated_at,
    });
    Ok(())
}
