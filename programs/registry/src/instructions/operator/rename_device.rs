use {
    crate::{errors::RegistryError, events::DeviceRenamed, state::*, validation::validate_name},
    anchor_lang::prelude::*,
};

#[derive(Accounts)]
pub struct RenameDevice<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        has_one = owner @ RegistryError::NotDeviceOwner,
    )]
    pub device: Account<'info, Device>,
}

pub fn handler(ctx: Context<RenameDevice>, name: String) -> Result<()> {
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
