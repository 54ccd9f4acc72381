use {
    crate::{events::DeviceRegistered, state::*, validation::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterDeviceArgs {
    /// Stable identifier chosen by the agent (e.g. a machine UUID); its sha256 seeds the PDA.
    pub device_id: String,
    pub name: String,
    pub gpu_model: String,
    pub region: String,
    pub specs: DeviceSpecs,
    /// IOSD base units (1e6 = 1 USD) per GPU-hour.
    pub price_per_gpu_hour: u64,
    /// The host agent's key.
    pub agent: Pubkey,
    pub endpoint: String,
}

#[derive(Accounts)]
#[instruction(args: RegisterDeviceArgs)]
pub struct RegisterDevice<'info> {
    /// Becomes the device's owner and pays its rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        init,
        payer = owner,
        space = 8 + Device::INIT_SPACE,
        seeds = [DEVICE_SEED, &device_id_hash(&args.device_id)],
        bump,
    )]
    pub device: Account<'info, Device>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RegisterDevice>, args: RegisterDeviceArgs) -> Result<()> {
    validate_device_id(&args.device_id)?;
    validate_name(&args.name)?;
    validate_gpu_model(&args.gpu_model)?;
    validate_region(&args.region)?;
    validate_specs(&args.specs)?;
    validate_price(args.price_per_gpu_hour)?;
    validate_agent(&args.agent)?;
    validate_endpoint(&args.endpoint)?;

    let now = Clock::get()?.unix_timestamp;
    let device = &mut ctx.accounts.device;
    device.set_inner(Device {
        owner: ctx.accounts.owner.key(),
        agent: args.agent,
        device_id_hash: device_id_hash(&args.device_id),
        status: DeviceStatus::Active,
        reservation: Pubkey::default(),
        price_per_gpu_hour: args.price_per_gpu_hour,
        specs: args.specs,
        registered_at: now,
        updated_at: now,
        bump: ctx.bumps.device,
        availability: DeviceAvailability::default(),
        _reserved: [0; 64],
        device_id: args.device_id,
        name: args.name,
        gpu_model: args.gpu_model,
        region: args.region,
        endpoint: args.endpoint,
    });
    emit!(DeviceRegistered {
        device: device.key(),
        owner: device.owner,
        agent: device.agent,
        device_id: device.device_id.clone(),
        name: device.name.clone(),
        gpu_model: device.gpu_model.clone(),
        region: device.region.clone(),
        specs: device.specs,
        price_per_gpu_hour: device.price_per_gpu_hour,
        registered_at: now,
    });
    Ok(())
}
