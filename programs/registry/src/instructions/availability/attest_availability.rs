use {
    crate::{
        assignment::is_assigned,
        epoch_record::{advance_seed, load_record, store_record},
        errors::RegistryError,
        events::{DeviceAttested, FailureReportsOverridden},
        failures::settle_device_failure,
        math::{current_epoch, SafeMath},
        probe::{
            load_ed25519_instruction, probe_challenge, slot_hash, verified_signature, ProbeMessage,
        },
        rewards::read_closed_epochs,
        stake::device_stake,
        state::*,
    },
    anchor_lang::{
        prelude::*,
        solana_program::sysvar::{self, instructions::load_current_index_checked},
    },
    staking::state::{StakingConfig, CONFIG_SEED as STAKING_CONFIG_SEED},
};

/// Devices one attestation may carry; with one Ed25519 signature (~235 bytes) per device, a
/// legacy transaction holds two, a v0 transaction with a lookup table a few more.
pub const MAX_DEVICES_PER_ATTESTATION: usize = 8;

/// A bonded keeper passes devices it is assigned this epoch (see `assignment`). The instruction
/// right before this one must be an Ed25519 check of one probe message per device, in order,
/// signed by each device's agent key (see `probe`). Remaining accounts, per device: its account
/// (writable), its staking pool (`["pool", device, owner]` under staking, existing or not) and,
/// when this is the device's first pass of the epoch and keepers reported it down this epoch,
/// those reporters' keeper accounts (writable, in the order they reported, leaving out this
/// keeper); then any closed availability epochs in which the devices or the keeper have
/// unsettled earnings.
///
/// A device is attested for the epoch by its `passes_required`-th pass from distinct assigned
/// keepers; then, if it meets its minimum stake, its weight (GPU class multiplier x GPU count)
/// joins the epoch's total and it earns its share of the epoch's availability pool. Its first
/// pass overrides the epoch's failure reports, and each reporter forfeits
/// `false_report_penalty_bps` of its bond. Every pass of a staked device earns the keeper a share
/// of the epoch's keepers pool.
#[derive(Accounts)]
pub struct AttestAvailability<'info> {
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
    #[account(seeds = [STAKING_CONFIG_SEED], bump = staking_config.bump, seeds::program = staking::ID)]
    pub staking_config: Box<Account<'info, StakingConfig>>,
    /// CHECK: the current epoch's `["availability", epoch]` record, opened by
    /// `open_availability_epoch`; checked by the handler (the epoch comes from the clock).
    #[account(mut)]
    pub epoch_record: UncheckedAccount<'info>,
    /// CHECK: the instructions sysvar, by address.
    #[account(address = sysvar::instructions::ID)]
    pub instructions: UncheckedAccount<'info>,
    /// CHECK: the SlotHashes sysvar, by address.
    #[account(address = sysvar::slot_hashes::ID)]
    pub slot_hashes: UncheckedAccount<'info>,
}

/// One device's accounts among the remaining accounts.
struct DeviceAccounts<'info> {
    device: &'info AccountInfo<'info>,
    pool: &'info AccountInfo<'info>,
    reporters: &'info [AccountInfo<'info>],
}

pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, AttestAvailability<'info>>,
    device_count: u8,
) -> Result<()> {
    let count = usize::from(device_count);
    require!(
        (1..=MAX_DEVICES_PER_ATTESTATION).contains(&count),
        RegistryError::InvalidDeviceCount
    );
    let accounts = ctx.accounts;
    let clock = Clock::get()?;
    let epoch = current_epoch(accounts.config.epoch_origin, clock.unix_timestamp)?;
    let keeper_key = accounts.keeper.key();
    let (devices, settlement_accounts) =
        split_device_accounts(ctx.remaining_accounts, count, epoch, &keeper_key)?;
    let closed = read_closed_epochs(settlement_accounts)?;

    let record_info = accounts.epoch_record.to_account_info();
    let mut record = load_record(&record_info, epoch)?;
    let slot_hashes = accounts.slot_hashes.try_borrow_data()?;
    advance_seed(&mut record, clock.slot, &slot_hashes);
    require!(record.seed_fixed, RegistryError::EpochSeedNotFixed);

    let current_index = load_current_index_checked(&accounts.instructions)?;
    let ed25519 = load_ed25519_instruction(&accounts.instructions, current_index, count)?;
    let rules = accounts.config.availability;
    let mut qualified_passes = 0u64;

    for (n, slots) in devices.iter().enumerate() {
        require!(
            slots.device.is_writable,
            RegistryError::MissingDeviceAccounts
        );
        let mut device = Account::<Device>::try_from(slots.device)?;

        // The signature: verified by the Ed25519 program over exactly these bytes, by the agent.
        let signature = verified_signature(&ed25519, n)?;
        require!(
            signature.public_key == device.agent.as_ref(),
            RegistryError::AgentKeyMismatch
        );
        let probe = ProbeMessage::parse(signature.message)?;
        require_keys_eq!(
            probe.device,
            device.key(),
            RegistryError::ProbeDeviceMismatch
        );
        require!(probe.epoch == epoch, RegistryError::ProbeEpochMismatch);
        require!(
            probe.slot <= clock.slot && clock.slot - probe.slot <= rules.max_probe_age_slots,
            RegistryError::StaleProbe
        );
        let hash = slot_hash(&slot_hashes, probe.slot).ok_or(RegistryError::UnknownProbeSlot)?;
        require!(
            probe.challenge
                == probe_challenge(&device.key(), epoch, probe.slot, &hash, &keeper_key),
            RegistryError::ChallengeMismatch
        );

        // Who may pass it: an assigned keeper that is neither its owner nor its agent.
        require!(
            !device.is_owner_or_agent(&accounts.authority.key()),
            RegistryError::KeeperLinkedToDevice
        );
        require!(
            is_assigned(
                &record,
                &device.key(),
                &device,
                &keeper_key,
                &accounts.keeper
            ),
            RegistryError::KeeperNotAssigned
        );
        // A paused device is withdrawn from the market, unless a renter still depends on it.
        require!(
            device.status == DeviceStatus::Active || device.is_reserved(),
            RegistryError::DevicePaused
        );
        settle_device_failure(&mut device, epoch);
        let availability = &device.availability;
        require!(
            !availability.passers_in(epoch).contains(&keeper_key),
            RegistryError::AlreadyAttested
        );
        require!(
            availability.passers_in(epoch).len() < usize::from(record.passes_required),
            RegistryError::PassesComplete
        );

        if !availability.passed_in(epoch) {
            override_reports(
                &mut device,
                epoch,
                &mut accounts.keeper,
                slots.reporters,
                rules.false_report_penalty_bps,
            )?;
        }

        let stake = device_stake(&accounts.staking_config, &device, slots.pool)?;
        let qualified = stake.amount >= stake.minimum;
        let availability = &mut device.availability;
        availability.earnings.settle(&closed, EpochShare::Devices)?;
        let pass_number = availability.add_pass(epoch, keeper_key);
        let attested = pass_number == record.passes_required;
        let weight = if qualified && attested {
            stake.weight
        } else {
            0
        };
        if attested {
            availability.earnings.add(epoch, weight)?;
            availability.record_pass(epoch, &probe, keeper_key);
            record.total_weight = record.total_weight.safe_add(weight)?;
            record.devices_attested = record.devices_attested.saturating_add(1);
        }
        if qualified {
            record.qualified_passes = record.qualified_passes.saturating_add(1);
            qualified_passes += 1;
        } else {
            record.unqualified_passes = record.unqualified_passes.saturating_add(1);
        }
        emit!(DeviceAttested {
            device: device.key(),
            keeper: keeper_key,
            epoch,
            probe_slot: probe.slot,
            benchmark_hash: probe.benchmark_hash,
            pass_number,
            passes_required: record.passes_required,
            attested,
            qualified,
            weight,
            stake: stake.amount,
            minimum_stake: stake.minimum,
            uptime_streak: device.availability.uptime_streak,
            reputation_bps: device.availability.reputation_bps,
        });
        // Written now, so the same device twice in one batch reads its first pass.
        device.exit(&crate::ID)?;
    }

    let activity = &mut accounts.keeper.activity;
    activity.earnings.settle(&closed, EpochShare::Keepers)?;
    activity.earnings.add(epoch, qualified_passes)?;
    activity.passes_attested = activity.passes_attested.safe_add(count as u64)?;
    store_record(&record_info, &record)
}

/// Splits the remaining accounts into each device's accounts and the closed epoch records that
/// follow. A device's reporters are expected when its record (as it stands before this
/// instruction) shows failure reports in `epoch` and no pass yet.
fn split_device_accounts<'info>(
    remaining: &'info [AccountInfo<'info>],
    count: usize,
    epoch: u64,
    keeper: &Pubkey,
) -> Result<(Vec<DeviceAccounts<'info>>, &'info [AccountInfo<'info>])> {
    let mut devices = Vec::with_capacity(count);
    let mut at = 0usize;
    for _ in 0..count {
        let pair = remaining
            .get(at..at + 2)
            .ok_or(RegistryError::MissingDeviceAccounts)?;
        let device = Account::<Device>::try_from(&pair[0])?;
        let availability = &device.availability;
        let reporters = if availability.passed_in(epoch) {
            0
        } else {
            availability
                .reporters_in(epoch)
                .iter()
                .filter(|reporter| *reporter != keeper)
                .count()
        };
        let reporter_accounts = remaining
            .get(at + 2..at + 2 + reporters)
            .ok_or(RegistryError::ReporterAccountMismatch)?;
        devices.push(DeviceAccounts {
            device: &pair[0],
            pool: &pair[1],
            reporters: reporter_accounts,
        });
        at += 2 + reporters;
    }
    Ok((devices, &remaining[at..]))
}

/// The device's first pass of `epoch` contradicts the epoch's failure reports: they stop
/// counting, and every reporter forfeits `penalty_bps` of its bond (the attesting keeper, if it
/// had reported, through its own account; the others through `reporter_accounts`).
fn override_reports<'info>(
    device: &mut Account<'info, Device>,
    epoch: u64,
    keeper: &mut Account<'info, Keeper>,
    reporter_accounts: &'info [AccountInfo<'info>],
    penalty_bps: u16,
) -> Result<()> {
    let reporters = device.availability.override_reports(epoch);
    if reporters.is_empty() {
        return Ok(());
    }
    let mut others = reporter_accounts.iter();
    let mut penalties = Vec::with_capacity(reporters.len());
    for reporter in &reporters {
        if *reporter == keeper.key() {
            penalties.push(keeper.forfeit(penalty_bps)?);
            continue;
        }
        let info = others
            .next()
            .ok_or(RegistryError::ReporterAccountMismatch)?;
        require!(
            info.key() == *reporter && info.is_writable,
            RegistryError::ReporterAccountMismatch
        );
        let mut account = Account::<Keeper>::try_from(info)?;
        penalties.push(account.forfeit(penalty_bps)?);
        // Written now, so a keeper reporting several devices of the batch forfeits for each.
        account.exit(&crate::ID)?;
    }
    emit!(FailureReportsOverridden {
        device: device.key(),
        epoch,
        keeper: keeper.key(),
        reporters,
        penalties,
    });
    Ok(())
}
