use {
    crate::{errors::RegistryError, state::*},
    anchor_lang::prelude::*,
};

/// Accounts of the operational instructions (pause, resume, endpoint), which the owner or the
/// device's agent may sign.
#[derive(Accounts)]
pub struct OperateDevice<'info> {
    #[account(
        constraint = device.is_owner_or_agent(&signer.key()) @ RegistryError::NotDeviceOwnerOrAgent,
    )]
    pub signer: Signer<'info>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
    )]
    pub device: Account<'info, Device>,
}
