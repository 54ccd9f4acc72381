//! The `["availability", epoch]` record as the availability instructions read and write it by
//! hand (it is passed as an unchecked account, because its epoch comes from the clock, not from
//! the caller): opening it with the epoch's keeper snapshot, and fixing its seed once the seed
//! slot has a hash.

use {
    crate::{
        assignment::{effective_passes_required, epoch_seed, SEED_DELAY_SLOTS},
        errors::RegistryError,
        events::{AvailabilityEpochOpened, AvailabilitySeedFixed},
        probe::slot_hash,
        state::*,
    },
    anchor_lang::prelude::*,
    iotoken::pda_account::create_pda_account,
};

/// Creates `epoch`'s record at `info` (rent paid by `payer`), snapshotting the keepers' bonds and
/// the rules in force, with its seed slot `SEED_DELAY_SLOTS` ahead of `slot`.
pub fn open_record<'info>(
    info: &AccountInfo<'info>,
    epoch: u64,
    slot: u64,
    config: &RegistryConfig,
    payer: &Signer<'info>,
    system_program: &Program<'info, System>,
) -> Result<AvailabilityEpoch> {
    let epoch_bytes = epoch.to_le_bytes();
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
    let rules = &config.availability;
    let record = AvailabilityEpoch {
        epoch,
        opened_slot: slot,
        seed_slot: slot.saturating_add(SEED_DELAY_SLOTS),
        seed: [0; 32],
        seed_fixed: false,
        keeper_bond_total: config.keeper_bond_total,
        keeper_count: config.keeper_count,
        committee_size: rules.committee_size,
        passes_required: effective_passes_required(rules.passes_required, config.keeper_count),
        total_weight: 0,
        qualified_passes: 0,
        unqualified_passes: 0,
        devices_attested: 0,
        closed: false,
        device_rewards: 0,
        keeper_rewards: 0,
        closed_at: 0,
        bump,
    };
    emit!(AvailabilityEpochOpened {
        epoch,
        opened_slot: record.opened_slot,
        seed_slot: record.seed_slot,
        keeper_bond_total: record.keeper_bond_total,
        keeper_count: record.keeper_count,
        committee_size: record.committee_size,
        passes_required: record.passes_required,
    });
    Ok(record)
}

/// Reads `epoch`'s record at `info`; `EpochNotOpened` if nobody opened it yet.
pub fn load_record(info: &AccountInfo, epoch: u64) -> Result<AvailabilityEpoch> {
    require_keys_eq!(*info.owner, crate::ID, RegistryError::EpochNotOpened);
    let record = AvailabilityEpoch::try_deserialize(&mut &info.try_borrow_data()?[..])?;
    let address = Pubkey::create_program_address(
        &[
            AVAILABILITY_EPOCH_SEED,
            &record.epoch.to_le_bytes(),
            &[record.bump],
        ],
        &crate::ID,
    );
    require!(
        record.epoch == epoch && address == Ok(info.key()),
        RegistryError::EpochRecordMismatch
    );
    Ok(record)
}

/// Writes `record` back to `info`.
pub fn store_record(info: &AccountInfo, record: &AvailabilityEpoch) -> Result<()> {
    let mut data = info.try_borrow_mut_data()?;
    record.try_serialize(&mut &mut data[..])
}

/// Where an epoch's seed stands after `advance_seed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedProgress {
    /// Fixed (now or before).
    Fixed,
    /// The seed slot has not passed yet.
    Waiting,
    /// The seed slot has no hash (it was skipped, or SlotHashes no longer holds it): a new seed
    /// slot was chosen ahead of `slot`.
    Rearmed,
}

/// Fixes `record`'s seed from SlotHashes once the current `slot` is past the seed slot. Anyone
/// may do this, so a keeper who dislikes a seed cannot withhold it: the next instruction that
/// touches the record fixes it.
pub fn advance_seed(
    record: &mut AvailabilityEpoch,
    slot: u64,
    slot_hashes_data: &[u8],
) -> SeedProgress {
    if record.seed_fixed {
        return SeedProgress::Fixed;
    }
    if slot <= record.seed_slot {
        return SeedProgress::Waiting;
    }
    match slot_hash(slot_hashes_data, record.seed_slot) {
        Some(hash) => {
            record.seed = epoch_seed(record.epoch, &hash);
            record.seed_fixed = true;
            emit!(AvailabilitySeedFixed {
                epoch: record.epoch,
                seed_slot: record.seed_slot,
                seed: record.seed,
            });
            SeedProgress::Fixed
        }
        None => {
            record.seed_slot = slot.saturating_add(SEED_DELAY_SLOTS);
            SeedProgress::Rearmed
        }
    }
}
