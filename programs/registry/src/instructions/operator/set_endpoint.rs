use {
    crate::{
        errors::RegistryError, events::DeviceEndpointSet, validation::validate_endpoint,
        OperateDevice,
    },
    anchor_lang::prelude::*,
};

/// Sets where keepers reach the agent for probes; empty means "through the relay".
pub fn handler(ctx: Context<OperateDevice>, endpoint: String) -> Result<()> {
    validate_endpoint(&endpoint)?;
    let device = &mut ctx.accounts.device;
    require!(device.endpoint != endpoint, RegistryError::NothingToUpdate);
    let endpoint_before = std::mem::replace(&mut device.endpoint, endpoint);
    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceEndpointSet {
        device: device.key(),
        signer: ctx.accounts.signer.key(),
        endpoint_before,
        endpoint_after: device.endpoint.clone(),
        updated_at: device.updated_at,
    });
    Ok(())
}
