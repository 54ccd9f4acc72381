use {
    crate::{
        errors::RegistryError,
        events::{DeviceFailed, FailureReported},
        math::{current_epoch, SafeMath},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// A bonded keeper reports that a device failed its probe this epoch. One report counts for
/// nothing; when `failure_quorum` distinct keepers have reported the device in an epoch without a
/// pass, the epoch is a failure on its record (what the market may slash for during a
/// reservation). A pass after the quorum is refused, and so is a report after a pass.
#[derive(Accounts)]
pub struct ReportFailure<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        constraint = keeper.is_active() @ RegistryError::KeeperUnbonding,
    )]
    pub keeper: Box<Account<'info, Keeper>>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        // A device its owner withdrew from the market is not expected to answer probes, unless a
        // renter still depends on it.
        constraint = device.status == DeviceStatus::Active || device.is_reserved() @ RegistryError::DevicePaused,
    )]
    pub device: Box<Account<'info, Device>>,
}

pub fn handler(ctx: Context<ReportFailure>) -> Result<()> {
    let accounts = ctx.accounts;
    let epoch = current_epoch(accounts.config.epoch_origin, Clock::get()?.unix_timestamp)?;
    let quorum = accounts.config.availability.failure_quorum;
    let keeper = accounts.keeper.key();
    let device = accounts.device.key();
    let availability = &mut accounts.device.availability;
    require!(
        !availability.passed_in(epoch),
        RegistryError::DeviceAttestedThisEpoch
    );
    require!(
        !availability.failed_in(epoch),
        RegistryError::FailureQuorumReached
    );

    if availability.report_epoch != epoch {
        availability.report_epoch = epoch;
        availability.report_count = 0;
        availability.failure_reporters = [Pubkey::default(); MAX_FAILURE_QUORUM];
    }
    let reporters = &availability.failure_reporters[..usize::from(availability.report_count)];
    require!(
        !reporters.contains(&keeper),
        RegistryError::DuplicateFailureReport
    );
    // Below the quorum (at most MAX_FAILURE_QUORUM), so there is a free slot.
    availability.failure_reporters[usize::from(availability.report_count)] = keeper;
    availability.report_count += 1;
    let reports = availability.report_count;

    let activity = &mut accounts.keeper.activity;
    activity.failures_reported = activity.failures_reported.safe_add(1)?;

    emit!(FailureReported {
        device,
        keeper,
        epoch,
        reports,
        quorum,
    });
    if reports >= quorum {
        let availability = &mut accounts.device.availability;
        availability.record_failure(epoch);
        emit!(DeviceFailed {
            device,
            epoch,
            failures: availability.failures,
            reputation_bps: availability.reputation_bps,
        });
    }
    Ok(())
}
