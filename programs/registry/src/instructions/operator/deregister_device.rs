use {
    crate::{errors::RegistryError, events::DeviceDeregistered, state::*},
    anchor_lang::prelude::*,
};

/// Takes the device off the network and returns its rent to the owner. Refused while the device
/// is locked to a reservation or still has availability rewards to settle or claim.
#[derive(Accounts)]
pub struct DeregisterDevice<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        mut,
        close = owner,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        has_one = owner @ RegistryError::NotDeviceOwner,
        constraint = !device.is_reserved() @ RegistryError::DeviceReserved,
        constraint = !device.availability.earnings.is_owed() @ RegistryError::UnclaimedRewards,
    )]
    pub device: Account<'info, Device>,
}

pub fn handler(ctx: Context<DeregisterDevice>) -> Result<()> {
    let device = &ctx.accounts.device;
    emit!(DeviceDeregistered {
        device: device.key(),
        owner: device.owner,
        device_id: device.device_id.clone(),
        rent_returned: device.get_lamports(),
    });
    Ok(())
}
