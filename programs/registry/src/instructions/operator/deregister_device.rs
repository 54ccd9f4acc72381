use {
    crate::{
        errors::RegistryError, events::DeviceDeregistered, failures::settle_device_failure_at,
        math::current_epoch, state::*,
    },
    anchor_lang::prelude::*,
};

/// Takes the device off the network and returns its rent to the owner, less the rent of the
/// small history record that keeps its counters for the id's next registration. Refused while
/// the device is locked to a reservation, still has availability rewards to settle or claim, or
/// a failure quorum of the running epoch is pending on it.
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
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        init,
        payer = owner,
        space = 8 + DeviceHistory::INIT_SPACE,
        seeds = [DEVICE_HISTORY_SEED, device.device_id_hash.as_ref()],
        bump,
    )]
    pub history: Account<'info, DeviceHistory>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<DeregisterDevice>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let origin = accounts.config.epoch_origin;
    settle_device_failure_at(&mut accounts.device, origin, now);
    if let Ok(epoch) = current_epoch(origin, now) {
        require!(
            !accounts.device.availability.failing_in(epoch),
            RegistryError::FailurePending
        );
    }

    let device = &accounts.device;
    accounts.history.set_inner(DeviceHistory {
        device_id_hash: device.device_id_hash,
        passes: device.availability.passes,
        failures: device.availability.failures,
        reservations_completed: device.availability.reservations_completed,
        longest_uptime_streak: device.availability.longest_uptime_streak,
        last_failure_epoch: device.availability.last_failure_epoch,
        deregistered_at: now,
        bump: ctx.bumps.history,
    });
    let history = &accounts.history;

    emit!(DeviceDeregistered {
        device: device.key(),
        owner: device.owner,
        device_id: device.device_id.clone(),
        rent_returned: device.get_lamports(),
        history: history.key(),
        passes: history.passes,
        failures: history.failures,
    });
    Ok(())
}
