use {
    crate::{errors::RegistryError, state::*},
    anchor_lang::prelude::*,
};

/// Accounts of the instructions only the device's owner may sign (update, rename). The exact hole
/// of io.net's April 2024 incident — device metadata rewritable by anyone knowing a user id — is
/// closed here: the device names its owner, and the owner must sign.
#[derive(Accounts)]
pub struct ChangeDevice<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        has_one = owner @ RegistryError::NotDeviceOwner,
    )]
    pub device: Account<'info, Device>,
}
