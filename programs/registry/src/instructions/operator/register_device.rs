use {
    crate::{errors::RegistryError, events::DeviceRegistered, state::*, validation::*},
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
    pub endpoint: String,
}

/// The owner registers a device its host agent co-signs: the agent key proves it consents to
/// speak for the device, so nobody can squat a machine's id (machine UUIDs are observable) or
/// name someone else's key as its agent. If the id was registered before, its history record
/// is passed and the new device resumes its counters (failures included).
#[derive(Accounts)]
#[instruction(args: RegisterDeviceArgs)]
pub struct RegisterDevice<'info> {
    /// Becomes the device's owner and pays its rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The host agent's key: signs probes and may change the operational fields.
    pub agent: Signer<'info>,
    #[account(
        init,
        payer = owner,
        space = 8 + Device::INIT_SPACE,
        seeds = [DEVICE_SEED, &device_id_hash(&args.device_id)],
        bump,
    )]
    pub device: Account<'info, Device>,
    /// CHECK: `["device_history", sha256(device_id)]`, by address; read and closed (its rent to
    /// the owner) if a deregistration left one, else an empty account.
    #[account(
        mut,
        seeds = [DEVICE_HISTORY_SEED, &device_id_hash(&args.device_id)],
        bump,
    )]
    pub history: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RegisterDevice>, args: RegisterDeviceArgs) -> Result<()> {
    validate_device_id(&args.device_id)?;
    validate_name(&args.name)?;
    validate_gpu_model(&args.gpu_model)?;
    validate_region(&args.region)?;
    validate_specs(&args.specs)?;
    validate_price(args.price_per_gpu_hour)?;
    validate_endpoint(&args.endpoint)?;
    let agent = ctx.accounts.agent.key();
    require_keys_neq!(
        agent,
        ctx.accounts.owner.key(),
        RegistryError::InvalidAgentKey
    );

    let mut availability = DeviceAvailability::default();
    let history = ctx.accounts.history.to_account_info();
    if history.owner == &crate::ID {
        let past = DeviceHistory::try_deserialize(&mut &history.try_borrow_data()?[..])?;
        availability.restore(&past);
        close_history(&history, &ctx.accounts.owner.to_account_info())?;
    }

    let clock = Clock::get()?;
    let device = &mut ctx.accounts.device;
    device.set_inner(Device {
        owner: ctx.accounts.owner.key(),
        agent,
        device_id_hash: device_id_hash(&args.device_id),
        status: DeviceStatus::Active,
        reservation: Pubkey::default(),
        price_per_gpu_hour: args.price_per_gpu_hour,
        specs: args.specs,
        registered_at: clock.unix_timestamp,
        updated_at: clock.unix_timestamp,
        bump: ctx.bumps.device,
        availability,
        registered_slot: clock.slot,
        _reserved: [0; 56],
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
        passes: device.availability.passes,
        failures: device.availability.failures,
        reservations_completed: device.availability.reservations_completed,
        registered_slot: clock.slot,
        device_id: device.device_id.clone(),
        name: device.name.clone(),
        gpu_model: device.gpu_model.clone(),
        region: device.region.clone(),
        specs: device.specs,
        price_per_gpu_hour: device.price_per_gpu_hour,
        registered_at: clock.unix_timestamp,
    });
    Ok(())
}

/// Closes the history record into `destination`: its lamports move and it is emptied and handed
/// back to the System program, so it can be created again at the next deregistration.
fn close_history<'info>(
    history: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
) -> Result<()> {
    let lamports = history.lamports();
    **destination.try_borrow_mut_lamports()? = destination
        .lamports()
        .checked_add(lamports)
        .ok_or_else(|| error!(RegistryError::MathOverflow))?;
    **history.try_borrow_mut_lamports()? = 0;
    history.assign(&anchor_lang::system_program::ID);
    history.resize(0)?;
    Ok(())
}
