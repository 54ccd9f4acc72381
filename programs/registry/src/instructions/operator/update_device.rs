use {
    crate::{errors::RegistryError, events::DeviceUpdated, state::*, validation::*, ChangeDevice},
    anchor_lang::prelude::*,
};

/// Each `Some` field replaces the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateDeviceArgs {
    pub gpu_model: Option<String>,
    pub region: Option<String>,
    pub specs: Option<DeviceSpecs>,
    /// IOSD base units (1e6 = 1 USD) per GPU-hour; applies to reservations made afterwards.
    pub price_per_gpu_hour: Option<u64>,
}

/// The owner changes what the device offers. Hardware cannot change while the device is locked to
/// a reservation (the renter reserved what was advertised); the price can, as it was fixed in the
/// reservation. The agent key changes with `change_agent`, which the new key co-signs.
pub fn handler(ctx: Context<ChangeDevice>, args: UpdateDeviceArgs) -> Result<()> {
    let device = &mut ctx.accounts.device;
    let before = (**device).clone();

    if let Some(gpu_model) = args.gpu_model {
        validate_gpu_model(&gpu_model)?;
        device.gpu_model = gpu_model;
    }
    if let Some(region) = args.region {
        validate_region(&region)?;
        device.region = region;
    }
    if let Some(specs) = args.specs {
        validate_specs(&specs)?;
        device.specs = specs;
    }
    if let Some(price) = args.price_per_gpu_hour {
        validate_price(price)?;
        device.price_per_gpu_hour = price;
    }

    let offer_changed = device.gpu_model != before.gpu_model
        || device.region != before.region
        || device.specs != before.specs;
    let price_changed = device.price_per_gpu_hour != before.price_per_gpu_hour;
    require!(
        offer_changed || price_changed,
        RegistryError::NothingToUpdate
    );
    require!(
        !(offer_changed && device.is_reserved()),
        RegistryError::DeviceReserved
    );

    device.updated_at = Clock::get()?.unix_timestamp;
    emit!(DeviceUpdated {
        device: device.key(),
        owner: device.owner,
        gpu_model_before: before.gpu_model,
        gpu_model_after: device.gpu_model.clone(),
        region_before: before.region,
        region_after: device.region.clone(),
        specs_before: before.specs,
        specs_after: device.specs,
        price_per_gpu_hour_before: before.price_per_gpu_hour,
        price_per_gpu_hour_after: device.price_per_gpu_hour,
        updated_at: device.updated_at,
    });
    Ok(())
}
