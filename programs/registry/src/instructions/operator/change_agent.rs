use {
    crate::{errors::RegistryError, events::DeviceAgentChanged, state::*},
    anchor_lang::prelude::*,
};

/// The owner moves the device to a new agent key (a reinstalled host, a rotated key); the new key
/// co-signs, as at registration. Refused while the device is locked to a reservation (the renter
/// booked the agent that acknowledges and serves it).
#[derive(Accounts)]
pub struct ChangeAgent<'info> {
    pub owner: Signer<'info>,
    pub new_agent: Signer<'info>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        has_one = owner @ RegistryError::NotDeviceOwner,
        constraint = !device.is_reserved() @ RegistryError::DeviceReserved,
    )]
    pub device: Account<'info, Device>,
}

pub fn handler(ctx: Context<ChangeAgent>) -> Result<()> {
    let new_agent = ctx.accounts.new_agent.key();
    let device = &mut ctx.accounts.device;
    require_keys_neq!(new_agent, device.agent, RegistryError::AgentUnchanged);
    require_keys_neq!(new_agent, device.owner, RegistryError::InvalidAgentKey);
    let agent_before = device.agent;
    device.agent = new_agent;
    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceAgentChanged {
        device: device.key(),
        owner: device.owner,
        agent_before,
        agent_after: new_agent,
        changed_at: device.updated_at,
    });
    Ok(())
}
