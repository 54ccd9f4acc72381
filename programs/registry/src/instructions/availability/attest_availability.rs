use {
    crate::{
        errors::RegistryError,
        events::DeviceAttested,
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
    iotoken::pda_account::create_pda_account,
    staking::state::{StakingConfig, CONFIG_SEED as STAKING_CONFIG_SEED},
};

/// Devices one attestation may carry; with one Ed25519 signature (~235 bytes) per device, a
/// legacy transaction holds two, a v0 transaction with a lookup table a few more.
pub const MAX_DEVICES_PER_ATTESTATION: usize = 8;

/// A bonded keeper attests that devices were live this epoch. The instruction right before this
/// one must be an Ed25519 check of one probe message per device, in order, signed by each device's
/// agent key (see `probe`). Remaining accounts: per device its account (writable) and its
/// staking pool (`["pool", device, owner]` under staking, existing or not), then any closed
/// availability epochs in which the devices or the keeper have unsettled earnings.
///
/// A device meeting its minimum stake adds its weight (GPU class multiplier x GPU count) to the
/// epoch's total and earns its share of the epoch's availability pool; one below it gets the
/// pass on its record (uptime, reputation) but no weight. The keeper earns a share of the
/// epoch's keepers pool per qualified pass.
#[derive(Accounts)]
pub struct AttestAvailability<'info> {
    /// Pays for the epoch's record if this is its first pass.
    #[account(mut)]
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
    #[account(seeds = [STAKING_CONFIG_SEED], bump = staking_config.bump, seeds::program = staking::ID)]
    pub staking_config: Box<Account<'info, StakingConfig>>,
    /// CHECK: the current epoch's `["availability", epoch]` record, checked and created if
    /// missing by the handler (the epoch comes from the clock, not from the caller).
    #[account(mut)]
    pub epoch_record: UncheckedAccount<'info>,
    /// CHECK: the instructions sysvar, by address.
    #[account(address = sysvar::instructions::ID)]
    pub instructions: UncheckedAccount<'info>,
    /// CHECK: the SlotHashes sysvar, by address.
    #[account(address = sysvar::slot_hashes::ID)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
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
    let remaining = ctx.remaining_accounts;
    require!(
        remaining.len() >= 2 * count,
        RegistryError::MissingDeviceAccounts
    );
    let (device_accounts, settlement_accounts) = remaining.split_at(2 * count);
    let closed = read_closed_epochs(settlement_accounts)?;

    let accounts = ctx.accounts;
    let clock = Clock::get()?;
    let epoch = current_epoch(accounts.config.epoch_origin, clock.unix_timestamp)?;
    let mut totals = open_epoch_record(
        &accounts.epoch_record,
        epoch,
        &accounts.authority,
        &accounts.system_program,
    )?;

    let current_index = load_current_index_checked(&accounts.instructions)?;
    let ed25519 = load_ed25519_instruction(&accounts.instructions, current_index, count)?;
    let slot_hashes = accounts.slot_hashes.try_borrow_data()?;
    let keeper_key = accounts.keeper.key();
    let mut qualified_passes = 0u64;

    for (n, pair) in device_accounts.chunks(2).enumerate() {
        let (device_info, pool_info) = (&pair[0], &pair[1]);
        require!(
            device_info.is_writable,
            RegistryError::MissingDeviceAccounts
        );
        let mut device = Account::<Device>::try_from(device_info)?;

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
            probe.slot <= clock.slot
                && clock.slot - probe.slot <= accounts.config.availability.max_probe_age_slots,
            RegistryError::StaleProbe
        );
        let hash = slot_hash(&slot_hashes, probe.slot).ok_or(RegistryError::UnknownProbeSlot)?;
        require!(
            probe.challenge
                == probe_challenge(&device.key(), epoch, probe.slot, &hash, &keeper_key),
            RegistryError::ChallengeMismatch
        );

        // A paused device is withdrawn from the market, unless a renter still depends on it.
        require!(
            device.status == DeviceStatus::Active || device.is_reserved(),
            RegistryError::DevicePaused
        );
        let availability = &mut device.availability;
        require!(
            !availability.passed_in(epoch),
            RegistryError::AlreadyAttested
        );
        require!(
            !availability.failed_in(epoch),
            RegistryError::FailureQuorumReached
        );

        let stake = device_stake(&accounts.staking_config, &device, pool_info)?;
        let qualified = stake.amount >= stake.minimum;
        let weight = if qualified { stake.weight } else { 0 };

        let availability = &mut device.availability;
        availability.earnings.settle(&closed, EpochShare::Devices)?;
        availability.earnings.add(epoch, weight)?;
        availability.record_pass(epoch, &probe, keeper_key);

        if qualified {
            totals.total_weight = totals.total_weight.safe_add(weight)?;
            totals.qualified_passes = totals.qualified_passes.saturating_add(1);
            qualified_passes += 1;
        } else {
            totals.unqualified_passes = totals.unqualified_passes.saturating_add(1);
        }
        emit!(DeviceAttested {
            device: device.key(),
            keeper: keeper_key,
            epoch,
            probe_slot: probe.slot,
            benchmark_hash: probe.benchmark_hash,
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
    let mut data = accounts.epoch_record.try_borrow_mut_data()?;
    totals.try_serialize(&mut &mut data[..])?;
    Ok(())
}

/// The current epoch's record: read if it exists, else created (rent paid by `payer`).
fn open_epoch_record<'info>(
    info: &AccountInfo<'info>,
    epoch: u64,
    payer: &Signer<'info>,
    system_program: &Program<'info, System>,
) -> Result<AvailabilityEpoch> {
    let epoch_bytes = epoch.to_le_bytes();
    if info.owner == &crate::ID {
        let record = AvailabilityEpoch::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        let address = Pubkey::create_program_address(
            &[AVAILABILITY_EPOCH_SEED, &epoch_bytes, &[record.bump]],
            &crate::ID,
        );
        require!(
            record.epoch == epoch && address == Ok(info.key()),
            RegistryError::EpochRecordMismatch
        );
        return Ok(record);
    }
    let (address, bump) =
        Pubkey::find_program_address(&[AVAILABILITY_EPOCH_SEED, &epoch_bytes], &crate::ID);
    require_keys_eq!(info.key(), address, RegistryError::EpochRecordMismatch);
    create_pda_account(
        info,
        8 + AvailabilityEpoch::INIT_SPACE,
        &crate::ID,
        &[AVAILABILITY_EPOCH_SEED, &epoch_bytes, &[bump]],
        payer,
        system_program,
    )?;
    Ok(AvailabilityEpoch {
        epoch,
        total_weight: 0,
        qualified_passes: 0,
        unqualified_passes: 0,
        closed: false,
        device_rewards: 0,
        keeper_rewards: 0,
        closed_at: 0,
        bump,
    })
}
