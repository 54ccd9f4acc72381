use {
    crate::{
        errors::RegistryError, events::DeviceDeregistered, failures::settle_device_failure_at,
        math::current_epoch, state::*,
    },
    anchor_lang::prelude::*,
    iotoken::pda_account::create_pda_account,
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
    /// CHECK: `["device_history", device_id_hash]`, by address; created by the handler.
    #[account(
        mut,
        seeds = [DEVICE_HISTORY_SEED, device.device_id_hash.as_ref()],
        bump,
    )]
    pub history: UncheckedAccount<'info>,
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
    let history = DeviceHistory {
        device_id_hash: device.device_id_hash,
        passes: device.availability.passes,
        failures: device.availability.failures,
        reservations_completed: device.availability.reservations_completed,
        longest_uptime_streak: device.availability.longest_uptime_streak,
        last_failure_epoch: device.availability.last_failure_epoch,
        deregistered_at: now,
        bump: ctx.bumps.history,
    };
    let history_info = accounts.history.to_account_info();
    create_pda_account(
        &history_info,
        8 + DeviceHistory::INIT_SPACE,
        &crate::ID,
        &[
            DEVICE_HISTORY_SEED,
            device.device_id_hash.as_ref(),
            &[ctx.bumps.history],
        ],
        &accounts.owner,
        &accounts.system_program,
    )?;
    history.try_serialize(&mut &mut history_info.try_borrow_mut_data()?[..])?;

    emit!(DeviceDeregistered {
        device: device.key(),
        owner: device.owner,
        device_id: device.device_id.clone(),
        rent_returned: device.get_lamports(),
        history: history_info.key(),
        passes: history.passes,
        failures: history.failures,
    });
    Ok(())
}
