//! Staking reads and writes two things of the registry's by layout rather than through the
//! registry crate (so that the registry can depend on staking): a `Device` account's leading
//! fields, and the arguments of the registry's `update_config`. These tests hold the copies
//! together.

use {
    crate::common::*,
    anchor_lang::{
        prelude::{AccountInfo, Pubkey},
        solana_program::hash::hash,
        AnchorSerialize, Discriminator,
    },
    registry::{
        state::{AvailabilityParams, Device, DEFAULT_AVAILABILITY, MAX_UNBOND_COOLDOWN_SECS},
        validation::validate_availability,
    },
    solana_signer::Signer,
    staking::{
        instructions::execute_proposal::RegistryAvailabilityParams,
        instructions::execute_proposal::RegistryUpdateConfigArgs,
        state::ParameterChange,
        state::{RegistryDevice, DEVICE_AVAILABILITY_AND_RESERVED_LEN, REGISTRY_PROGRAM_ID},
        validation::{
            MAX_FAILURE_QUORUM, MAX_KEEPER_UNBOND_COOLDOWN_SECS, MAX_PROBE_AGE_SLOTS,
            MIN_FAILURE_QUORUM,
        },
    },
};

/// `key`'s account read the way `open_pool` reads its device.
fn read_as_staking(chain: &Chain, key: &Pubkey) -> Option<RegistryDevice> {
    let account = chain.account(key);
    let (mut lamports, mut data, owner) = (account.lamports, account.data, account.owner);
    let info = AccountInfo::new(
        key,
        false,
        false,
        &mut lamports,
        &mut data,
        &owner,
        false,
        account.rent_epoch,
    );
    RegistryDevice::read(&info)
}

#[track_caller]
fn assert_same_device(read: &RegistryDevice, device: &Device) {
    assert_eq!(read.owner, device.owner);
    assert_eq!(read.agent, device.agent);
    assert_eq!(read.device_id_hash, device.device_id_hash);
    assert_eq!(read.status, device.status as u8);
    assert_eq!(read.reservation, device.reservation);
    assert_eq!(read.price_per_gpu_hour, device.price_per_gpu_hour);
    let specs = &device.specs;
    assert_eq!(read.gpu_count, specs.gpu_count);
    assert_eq!(read.vram_mib, specs.vram_mib);
    assert_eq!(read.cpu_cores, specs.cpu_cores);
    assert_eq!(read.ram_mib, specs.ram_mib);
    assert_eq!(read.storage_gib, specs.storage_gib);
    assert_eq!(read.bandwidth_tier, specs.bandwidth_tier as u8);
    assert_eq!(
        (read.registered_at, read.updated_at),
        (device.registered_at, device.updated_at)
    );
    assert_eq!(read.bump, device.bump);
    // Skipped as one block: the availability record, the registration slot and the reserved
    // space after them.
    let mut skipped = device.availability.try_to_vec().expect("serialises");
    skipped.extend_from_slice(&device.registered_slot.to_le_bytes());
    skipped.extend_from_slice(&device._reserved);
    assert_eq!(skipped.len(), DEVICE_AVAILABILITY_AND_RESERVED_LEN);
    assert_eq!(read.availability_and_reserved[..], skipped[..]);
    assert_eq!(read.device_id, device.device_id);
    assert_eq!(read.name, device.name);
    assert_eq!(read.gpu_model, device.gpu_model);
}

#[test]
fn staking_reads_a_registered_device_as_the_registry_wrote_it() {
    let mut chain = Chain::new();
    let h100 = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    let rtx = chain.register_device("GeForce RTX 4090", 2);
    chain.advance(HOUR);
    let pause = ix::pause_device(&rtx.owner.pubkey(), &rtx.key);
    succeeded(chain.send(pause, &[&rtx.owner]));

    for device in [&h100, &rtx] {
        let written: Device = chain.program_account(&registry::ID, &device.key);
        let read = read_as_staking(&chain, &device.key).expect("a registry device");
        assert_same_device(&read, &written);
        assert_eq!(read.owner, device.owner.pubkey());
    }
    let paused = read_as_staking(&chain, &rtx.key).expect("a registry device");
    assert_eq!((paused.status, paused.gpu_count), (1, 2));
    assert_eq!(paused.gpu_model, "GeForce RTX 4090");
    assert_eq!(paused.updated_at, NOW + HOUR);
}

#[test]
fn staking_reads_nothing_else_as_a_device() {
    let mut chain = Chain::new();
    let wallet = chain.funded_keypair().pubkey();
    for key in [pda::registry_config(), pda::token_config(), wallet] {
        assert!(read_as_staking(&chain, &key).is_none(), "{key}");
    }
    assert_eq!(REGISTRY_PROGRAM_ID, registry::ID);
}

#[test]
fn the_registry_update_config_staking_sends_is_the_registrys_own() {
    let key = Pubkey::new_unique();
    let availability = |failure_quorum, max_probe_age_slots| {
        (
            RegistryAvailabilityParams {
                failure_quorum,
                max_probe_age_slots,
                committee_size: 7,
                passes_required: 3,
                report_after_secs: 2_400,
                false_report_penalty_bps: 25,
            },
            AvailabilityParams {
                failure_quorum,
                max_probe_age_slots,
                committee_size: 7,
                passes_required: 3,
                report_after_secs: 2_400,
                false_report_penalty_bps: 25,
            },
        )
    };
    let cases = [
        (None, None, None, None, None),
        (
            None,
            Some(2_000 * 100_000_000),
            Some(14 * DAY),
            None,
            Some(availability(3, 150)),
        ),
        (Some(key), Some(1), Some(0), Some(Pubkey::default()), None),
        (
            Some(key),
            Some(u64::MAX),
            Some(MAX_UNBOND_COOLDOWN_SECS),
            Some(key),
            Some(availability(u8::MAX, u64::MAX)),
        ),
    ];
    for (new_authority, amount, cooldown, market_program, availability) in cases {
        let ours = RegistryUpdateConfigArgs {
            new_authority,
            keeper_bond_amount: amount,
            keeper_unbond_cooldown_secs: cooldown,
            market_program,
            availability: availability.map(|(ours, _)| ours),
        };
        let theirs = registry::UpdateConfigArgs {
            new_authority,
            keeper_bond_amount: amount,
            keeper_unbond_cooldown_secs: cooldown,
            market_program,
            availability: availability.map(|(_, theirs)| theirs),
        };
        let ours = ours.try_to_vec().expect("serialises");
        assert_eq!(ours, theirs.try_to_vec().expect("serialises"));
    }
    // Staking writes the instruction's discriminator by hand.
    assert_eq!(
        &hash(b"global:update_config").to_bytes()[..8],
        registry::instruction::UpdateConfig::DISCRIMINATOR
    );
    assert_eq!(MAX_KEEPER_UNBOND_COOLDOWN_SECS, MAX_UNBOND_COOLDOWN_SECS);
}

/// Staking checks a `RegistryAvailability` change against its own copy of the registry's bounds,
/// so a proposal that passes its checks is one the registry accepts, and the other way round.
#[test]
fn stakings_availability_bounds_are_the_registrys() {
    // Each field swept over its bounds and just past them, the others at the defaults.
    let accepted_by_both = |params: AvailabilityParams| {
        let change = ParameterChange::RegistryAvailability {
            failure_quorum: params.failure_quorum,
            max_probe_age_slots: params.max_probe_age_slots,
            committee_size: params.committee_size,
            passes_required: params.passes_required,
            report_after_secs: params.report_after_secs,
            false_report_penalty_bps: params.false_report_penalty_bps,
        };
        let registry_accepts = validate_availability(&params).is_ok();
        let staking_accepts = change.validate(0, None).is_ok();
        assert_eq!(registry_accepts, staking_accepts, "{params:?}");
        registry_accepts
    };
    let base = DEFAULT_AVAILABILITY;
    let (min, max, age) = (MIN_FAILURE_QUORUM, MAX_FAILURE_QUORUM, MAX_PROBE_AGE_SLOTS);
    for failure_quorum in 0..=u8::MAX {
        let accepted = accepted_by_both(AvailabilityParams {
            failure_quorum,
            ..base
        });
        assert_eq!(accepted, (min..=max).contains(&failure_quorum));
    }
    for max_probe_age_slots in [0, 1, 2, age - 1, age, age + 1, u64::MAX] {
        let accepted = accepted_by_both(AvailabilityParams {
            max_probe_age_slots,
            ..base
        });
        assert_eq!(accepted, (1..=age).contains(&max_probe_age_slots));
    }
    for committee_size in 0..=u8::MAX {
        for passes_required in 0..=6 {
            let params = AvailabilityParams {
                committee_size,
                passes_required,
                ..base
            };
            let accepted = accepted_by_both(params);
            let expected = (1..=16).contains(&committee_size)
                && (1..=4).contains(&passes_required)
                && passes_required <= committee_size;
            assert_eq!(accepted, expected, "{committee_size} {passes_required}");
        }
    }
    for report_after_secs in [0, 599, 600, 1_800, 3_300, 3_301, u32::MAX] {
        let accepted = accepted_by_both(AvailabilityParams {
            report_after_secs,
            ..base
        });
        assert_eq!(accepted, (600..=3_300).contains(&report_after_secs));
    }
    for false_report_penalty_bps in [0, 10, 1_000, 1_001, u16::MAX] {
        let params = AvailabilityParams {
            false_report_penalty_bps,
            ..base
        };
        assert_eq!(accepted_by_both(params), false_report_penalty_bps <= 1_000);
    }
    assert_eq!(usize::from(max), registry::state::MAX_FAILURE_QUORUM);
}
