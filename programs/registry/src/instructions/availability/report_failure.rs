use {
    crate::{
        assignment::is_assigned,
        epoch_record::{advance_seed, load_record, store_record},
        errors::RegistryError,
        events::FailureReported,
        failures::settle_device_failure,
        math::{current_epoch, SafeMath},
        state::*,
    },
    anchor_lang::{prelude::*, solana_program::sysvar},
    iotoken::math::emission::epoch_start,
};

/// A keeper assigned to the device this epoch reports that the device did not answer its probe.
/// Reports count only once the epoch's probe window (`report_after_secs`) has given the device its
/// chance, and only while the device has no pass this epoch. When `failure_quorum` distinct
/// assigned keepers have reported it, the quorum is provisional: a pass of the device later in
/// the same epoch overrides it (and costs the reporters part of their bonds); once the epoch ends
/// without one, it is a failure on the device's record (what a market may slash for during a
/// reservation).
#[derive(Accounts)]
pub struct ReportFailure<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        constraint = keeper.is_active() @ RegistryError::KeeperUnbonding,
        constraint = keeper.bond_mint == config.bond_mint @ RegistryError::BondMintMismatch,
        constraint = keeper.bond_amount >= config.keeper_bond_amount @ RegistryError::KeeperBondTooLow,
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
        constraint = !device.is_owner_or_agent(&authority.key()) @ RegistryError::KeeperLinkedToDevice,
    )]
    pub device: Box<Account<'info, Device>>,
    /// CHECK: the current epoch's `["availability", epoch]` record, checked by the handler.
    #[account(mut)]
    pub epoch_record: UncheckedAccount<'info>,
    /// CHECK: the SlotHashes sysvar, by address (to fix the epoch's seed if it is due).
    #[account(address = sysvar::slot_hashes::ID)]
    pub slot_hashes: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<ReportFailure>) -> Result<()> {
    let accounts = ctx.accounts;
    let clock = Clock::get()?;
    let origin = accounts.config.epoch_origin;
    let epoch = current_epoch(origin, clock.unix_timestamp)?;
    let rules = accounts.config.availability;

    let record_info = accounts.epoch_record.to_account_info();
    let mut record = load_record(&record_info, epoch)?;
    advance_seed(
        &mut record,
        clock.slot,
        &accounts.slot_hashes.try_borrow_data()?,
    );
    require!(record.seed_fixed, RegistryError::EpochSeedNotFixed);
    let keeper = accounts.keeper.key();
    require!(
        is_assigned(
            &record,
            &accounts.device.key(),
            &accounts.device,
            &keeper,
            &accounts.keeper
        ),
        RegistryError::KeeperNotAssigned
    );
    let window_opens = epoch_start(origin, epoch)?.safe_add(i64::from(rules.report_after_secs))?;
    require!(
        clock.unix_timestamp >= window_opens,
        RegistryError::ReportWindowNotOpen
    );

    settle_device_failure(&mut accounts.device, epoch);
    let availability = &mut accounts.device.availability;
    require!(
        !availability.passed_in(epoch),
        RegistryError::DeviceAttestedThisEpoch
    );
    require!(
        !availability.failing_in(epoch),
        RegistryError::FailureQuorumReached
    );
    require!(
        !availability.reporters_in(epoch).contains(&keeper),
        RegistryError::DuplicateFailureReport
    );
    // Below the quorum (at most MAX_FAILURE_QUORUM), so there is a free slot.
    let (reports, quorum_reached) =
        availability.add_report(epoch, keeper, clock.unix_timestamp, rules.failure_quorum);

    let activity = &mut accounts.keeper.activity;
    activity.failures_reported = activity.failures_reported.safe_add(1)?;
    store_record(&record_info, &record)?;

    emit!(FailureReported {
        device: accounts.device.key(),
        keeper,
        epoch,
        reports,
        quorum: rules.failure_quorum,
        quorum_reached,
        reported_at: clock.unix_timestamp,
    });
    Ok(())
}
