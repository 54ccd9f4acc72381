//! Everything an attestation must refuse: a signature the Ed25519 program did not verify over
//! exactly the bytes the registry reads, a key that is not the agent's, a probe bound to another
//! device, epoch or slot, a challenge that is not the slot's or was asked for by another keeper
//! (a probe copied from another keeper's pending attestation), a keeper that is not bonded, a
//! stake pool that is not the device's, a device paused or already attested. Each refusal is by name
//! and leaves no pass, no epoch record and no earnings behind.

use {
    crate::common::*,
    anchor_lang::{
        error::ErrorCode as AnchorErrorCode, prelude::Pubkey,
        solana_program::instruction::InstructionError,
    },
    litesvm::types::TransactionResult,
    registry::{
        errors::RegistryError,
        events::DeviceAttested,
        probe::{ProbeMessage, PROBE_MESSAGE_LEN},
        state::{AvailabilityParams, NO_EPOCH},
        UpdateConfigArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// A chain with a bonded keeper, a device meeting its minimum stake, and the epoch's record
/// opened and seeded.
fn setup() -> (Chain, TestKeeper, TestDevice) {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    chain.open_epoch();
    (chain, keeper, device)
}

/// `keeper` attests `device` with the Ed25519 check of `signed` (one signature per entry).
fn attest_signed(
    chain: &mut Chain,
    keeper: &TestKeeper,
    signed: &[SignedProbe],
    devices: &[&TestDevice],
) -> TransactionResult {
    let authority = keeper.authority.insecure_clone();
    chain.send_attestation(&authority, signed, devices, &[])
}

/// `probe` signed by the device's agent and attested by `keeper`.
fn attest_probe(
    chain: &mut Chain,
    keeper: &TestKeeper,
    device: &TestDevice,
    probe: ProbeMessage,
) -> TransactionResult {
    let signed = SignedProbe::sign(&device.agent, probe.to_bytes().to_vec());
    attest_signed(chain, keeper, &[signed], &[device])
}

/// Asserts that nothing was attested: no pass on the device, none counted in the epoch's record,
/// nothing earned by the device or the keeper.
#[track_caller]
fn assert_nothing_attested(chain: &Chain, keeper: &TestKeeper, device: &TestDevice) {
    let availability = chain.device_state(device).availability;
    assert_eq!(availability.passes, 0);
    assert_eq!(availability.pass_count, 0);
    assert_eq!(availability.last_pass_epoch, NO_EPOCH);
    assert!(!availability.earnings.is_owed());
    let record = chain.availability_epoch(chain.epoch());
    assert_eq!(
        (
            record.devices_attested,
            record.qualified_passes,
            record.unqualified_passes
        ),
        (0, 0, 0)
    );
    let activity = chain.keeper_state(keeper).activity;
    assert_eq!(activity.passes_attested, 0);
    assert!(!activity.earnings.is_owed());
}

// The signature.

#[test]
fn a_forged_signature_is_rejected_by_the_ed25519_program() {
    let (mut chain, keeper, device) = setup();
    let mut signed = chain.signed_probes(&keeper.key, &[&device]);
    signed[0].signature[0] ^= 1;
    // The precompile's `InvalidSignature` (2), in the first instruction.
    assert_instruction_error(
        attest_signed(&mut chain, &keeper, &signed, &[&device]),
        0,
        InstructionError::Custom(2),
    );

    // The agent's signature over other bytes than those the instruction carries.
    let mut signed = chain.signed_probes(&keeper.key, &[&device]);
    signed[0].message[PROBE_MESSAGE_LEN - 1] ^= 1;
    assert_instruction_error(
        attest_signed(&mut chain, &keeper, &signed, &[&device]),
        0,
        InstructionError::Custom(2),
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn a_probe_signed_by_any_key_but_the_agents_fails_with_agent_key_mismatch() {
    let (mut chain, keeper, device) = setup();
    let probe = chain.probe(&device.key, &keeper.key).to_bytes().to_vec();
    for signer in [
        device.owner.insecure_clone(),
        keeper.authority.insecure_clone(),
        Keypair::new(),
    ] {
        let signed = SignedProbe::sign(&signer, probe.clone());
        assert_fails_at(
            attest_signed(&mut chain, &keeper, &[signed], &[&device]),
            1,
            RegistryError::AgentKeyMismatch,
        );
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

// The probe.

#[test]
fn a_probe_for_another_device_fails_with_probe_device_mismatch() {
    let (mut chain, keeper, device) = setup();
    let other = chain.staked_device(H100, 8);
    // The agent signs a valid probe of the other device, and the keeper passes it as its own.
    let probe = chain.probe(&other.key, &keeper.key);
    assert_fails_at(
        attest_probe(&mut chain, &keeper, &device, probe),
        1,
        RegistryError::ProbeDeviceMismatch,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn a_probe_for_another_epoch_fails_with_probe_epoch_mismatch() {
    let (mut chain, keeper, device) = setup();
    chain.next_epoch();
    let (epoch, slot) = (chain.epoch(), chain.slot() - 1);
    for other_epoch in [epoch - 1, epoch + 1] {
        let probe = chain.probe_at(&device.key, other_epoch, slot, &keeper.key);
        assert_fails_at(
            attest_probe(&mut chain, &keeper, &device, probe),
            1,
            RegistryError::ProbeEpochMismatch,
        );
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn a_probe_older_than_the_allowed_age_or_from_the_future_fails_with_stale_probe() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let other = chain.staked_device(H100, 1);
    chain.open_epoch();
    let (epoch, slot) = (chain.epoch(), chain.slot());
    let max_age = chain.registry_config().availability.max_probe_age_slots;
    assert_eq!(max_age, 150);
    for probe_slot in [slot - max_age - 1, slot - 511, slot + 1, slot + 1_000] {
        let probe = chain.probe_at(&device.key, epoch, probe_slot, &keeper.key);
        assert_fails_at(
            attest_probe(&mut chain, &keeper, &device, probe),
            1,
            RegistryError::StaleProbe,
        );
    }
    assert_nothing_attested(&chain, &keeper, &device);

    // Exactly the allowed age is accepted; so is the current slot.
    let probe = chain.probe_at(&device.key, epoch, slot - max_age, &keeper.key);
    succeeded(attest_probe(&mut chain, &keeper, &device, probe));
    assert_eq!(
        chain.device_state(&device).availability.last_probe_slot,
        slot - max_age
    );
    let probe = chain.probe_at(&other.key, epoch, slot, &keeper.key);
    succeeded(attest_probe(&mut chain, &keeper, &other, probe));
}

#[test]
fn a_lowered_probe_age_applies_to_the_next_attestation() {
    let (mut chain, keeper, device) = setup();
    let authority = chain.authority.pubkey();
    let args = UpdateConfigArgs {
        availability: Some(AvailabilityParams {
            failure_quorum: 3,
            max_probe_age_slots: 10,
            ..grid_rules()
        }),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::registry_update_config(&authority, None, args)));
    let (epoch, slot) = (chain.epoch(), chain.slot());

    let probe = chain.probe_at(&device.key, epoch, slot - 11, &keeper.key);
    assert_fails_at(
        attest_probe(&mut chain, &keeper, &device, probe),
        1,
        RegistryError::StaleProbe,
    );
    let probe = chain.probe_at(&device.key, epoch, slot - 10, &keeper.key);
    succeeded(attest_probe(&mut chain, &keeper, &device, probe));
}

#[test]
fn a_probe_bound_to_a_slot_missing_from_slot_hashes_fails_with_unknown_probe_slot() {
    let (mut chain, keeper, device) = setup();
    // No block in slot - 3: it has no hash, so no challenge can be bound to it.
    let slot = chain.slot();
    chain.set_slot_skipping(slot, &[slot - 3]);
    let probe = chain.probe_at(&device.key, chain.epoch(), slot - 3, &keeper.key);
    assert_fails_at(
        attest_probe(&mut chain, &keeper, &device, probe),
        1,
        RegistryError::UnknownProbeSlot,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn a_challenge_that_is_not_the_slots_fails_with_challenge_mismatch() {
    let (mut chain, keeper, device) = setup();
    let (epoch, slot) = (chain.epoch(), chain.slot() - 1);
    let honest = chain.probe_at(&device.key, epoch, slot, &keeper.key);
    // Another slot's challenge (precomputed before the slot, say), another device's, one asked
    // for by another keeper account or bound to the keeper's authority rather than its account,
    // and made-up ones.
    let challenge_of = |device: &Pubkey, slot: u64, keeper: &Pubkey| {
        chain.probe_at(device, epoch, slot, keeper).challenge
    };
    let wrong = [
        challenge_of(&device.key, slot - 1, &keeper.key),
        challenge_of(&Pubkey::new_unique(), slot, &keeper.key),
        challenge_of(&device.key, slot, &Pubkey::new_unique()),
        challenge_of(&device.key, slot, &keeper.authority.pubkey()),
        [0; 32],
        slot_hash(slot).to_bytes(),
    ];
    for challenge in wrong {
        let probe = ProbeMessage {
            challenge,
            ..honest
        };
        assert_fails_at(
            attest_probe(&mut chain, &keeper, &device, probe),
            1,
            RegistryError::ChallengeMismatch,
        );
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn signed_bytes_that_are_not_a_v1_probe_are_refused_by_name() {
    let (mut chain, keeper, device) = setup();
    let probe = chain.probe(&device.key, &keeper.key).to_bytes().to_vec();
    let mut other_domain = probe.clone();
    other_domain[0] ^= 1;
    let cases = [
        (
            probe[..PROBE_MESSAGE_LEN - 1].to_vec(),
            RegistryError::InvalidProbeMessage,
        ),
        (
            [probe.clone(), vec![0]].concat(),
            RegistryError::InvalidProbeMessage,
        ),
        (other_domain, RegistryError::InvalidProbeMessage),
        (
            {
                let mut v2 = probe.clone();
                v2[12] = 2;
                v2
            },
            RegistryError::UnsupportedProbeVersion,
        ),
    ];
    for (message, error) in cases {
        let signed = SignedProbe::sign(&device.agent, message);
        assert_fails_at(
            attest_signed(&mut chain, &keeper, &[signed], &[&device]),
            1,
            error,
        );
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

// The Ed25519 instruction.

#[test]
fn an_attestation_without_the_ed25519_check_right_before_it_fails_with_missing_ed25519_instruction()
{
    let (mut chain, keeper, device) = setup();
    let authority = keeper.authority.insecure_clone();
    let attest = ix::attest(
        &authority.pubkey(),
        chain.epoch(),
        &pool_pairs(&[&device]),
        &[],
    );
    // Alone.
    assert_fails_at(
        chain.send(attest.clone(), &[&authority]),
        0,
        RegistryError::MissingEd25519Instruction,
    );
    // After another program's instruction (a token transfer of nothing to itself).
    let transfer = spl_token::instruction::transfer(
        &spl_token::ID,
        &keeper.tips,
        &keeper.tips,
        &authority.pubkey(),
        &[],
        0,
    )
    .expect("a transfer instruction");
    assert_fails_at(
        chain.send_all(&[transfer.clone(), attest.clone()], &[&authority]),
        1,
        RegistryError::MissingEd25519Instruction,
    );
    // With the check, but not right before.
    let check = ed25519_instruction(&chain.signed_probes(&keeper.key, &[&device]));
    assert_fails_at(
        chain.send_all(&[check, transfer, attest], &[&authority]),
        2,
        RegistryError::MissingEd25519Instruction,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn an_ed25519_check_of_more_or_fewer_signatures_than_devices_fails_with_signature_count_mismatch() {
    let (mut chain, keeper, device) = setup();
    let other = chain.staked_device(H100, 8);
    let both = chain.signed_probes(&keeper.key, &[&device, &other]);
    assert_fails_at(
        attest_signed(&mut chain, &keeper, &both, &[&device]),
        1,
        RegistryError::SignatureCountMismatch,
    );
    assert_fails_at(
        attest_signed(&mut chain, &keeper, &both[..1], &[&device, &other]),
        1,
        RegistryError::SignatureCountMismatch,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn an_ed25519_entry_pointing_into_another_instruction_fails_with_ed25519_layout_mismatch() {
    let (mut chain, keeper, device) = setup();
    let authority = keeper.authority.insecure_clone();
    let attest = ix::attest(
        &authority.pubkey(),
        chain.epoch(),
        &pool_pairs(&[&device]),
        &[],
    );
    let valid = ed25519_instruction(&chain.signed_probes(&keeper.key, &[&device]));
    // The same check twice, the second reading its signature, key or message from the first
    // instruction's data (the same bytes, so the Ed25519 program verifies both): the registry
    // only trusts bytes in the check right before it.
    for (field, name) in [(1, "signature"), (3, "public key"), (6, "message")] {
        let mut pointing = valid.clone();
        let at = 2 + 2 * field;
        pointing.data[at..at + 2].copy_from_slice(&0u16.to_le_bytes());
        // The failure is the third instruction's: the Ed25519 program accepted both checks.
        let result = chain.send_all(&[valid.clone(), pointing, attest.clone()], &[&authority]);
        let failed = assert_fails_at(result, 2, RegistryError::Ed25519LayoutMismatch);
        assert!(!failed.logs.is_empty(), "{name}");
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

// The keeper.

#[test]
fn an_unregistered_key_cannot_attest() {
    let (mut chain, _, device) = setup();
    let stranger = chain.funded_keypair();
    let signed = chain.signed_probes(&pda::keeper(&stranger.pubkey()), &[&device]);
    assert_fails_at(
        chain.send_attestation(&stranger, &signed, &[&device], &[]),
        1,
        AnchorErrorCode::AccountNotInitialized,
    );
    assert_eq!(chain.device_state(&device).availability.passes, 0);
}

#[test]
fn a_probe_copied_from_another_keepers_pending_attestation_fails_with_challenge_mismatch() {
    let (mut chain, asker, device) = setup();
    let copier = chain.keeper();
    // The asking keeper's transaction, pending: the Ed25519 check of the probe the agent signed
    // for it, then its attestation.
    let asker_authority = asker.authority.insecure_clone();
    let signed = chain.signed_probes(&asker.key, &[&device]);
    let pending = [
        ed25519_instruction(&signed),
        ix::attest(
            &asker_authority.pubkey(),
            chain.epoch(),
            &pool_pairs(&[&device]),
            &[],
        ),
    ];

    // Another bonded keeper copies the signed probe out of it and submits it first, as its own.
    let copier_authority = copier.authority.insecure_clone();
    let copied = [
        pending[0].clone(),
        ix::attest(
            &copier_authority.pubkey(),
            chain.epoch(),
            &pool_pairs(&[&device]),
            &[],
        ),
    ];
    assert_fails_at(
        chain.send_all(&copied, &[&copier_authority]),
        1,
        RegistryError::ChallengeMismatch,
    );
    assert_nothing_attested(&chain, &copier, &device);
    assert_nothing_attested(&chain, &asker, &device);

    // The asking keeper's own transaction still lands, and the pass is its.
    let meta = succeeded(chain.send_all(&pending, &[&asker_authority]));
    let event: DeviceAttested = only_event(&meta);
    assert_eq!((event.device, event.keeper), (device.key, asker.key));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.passes, 1);
    assert_eq!(availability.last_attested_by, asker.key);
    assert_eq!(chain.keeper_state(&asker).activity.passes_attested, 1);
    assert_eq!(chain.keeper_state(&copier).activity.passes_attested, 0);
    assert!(!chain.keeper_state(&copier).activity.earnings.is_owed());
}

#[test]
fn an_unbonding_keeper_fails_with_keeper_unbonding() {
    let (mut chain, keeper, device) = setup();
    let unbond = ix::request_unbond(&keeper.authority.pubkey());
    succeeded(chain.send(unbond, &[&keeper.authority]));
    assert_fails_at(
        chain.attest(&keeper, &[&device], &[]),
        1,
        RegistryError::KeeperUnbonding,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn attestations_wait_for_the_registrys_rewards_to_be_initialized() {
    let mut chain = Chain::without_rewards();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let signed = chain.signed_probes(&keeper.key, &[&device]);
    let attest = ix::attest(&keeper.authority.pubkey(), 0, &pool_pairs(&[&device]), &[]);
    assert_fails_at(
        chain.send_all(
            &[ed25519_instruction(&signed), attest],
            &[&keeper.authority],
        ),
        1,
        RegistryError::RewardsNotInitialized,
    );
    assert_eq!(chain.device_state(&device).availability.pass_count, 0);
}

// The devices.

#[test]
fn a_device_already_attested_this_epoch_fails_with_already_attested() {
    let (mut chain, keeper, device) = setup();
    let other_keeper = chain.keeper();
    // The same device twice in one batch: the second entry reads the first's pass.
    assert_fails_at(
        chain.attest(&keeper, &[&device, &device], &[]),
        1,
        RegistryError::AlreadyAttested,
    );
    assert_nothing_attested(&chain, &keeper, &device);

    succeeded(chain.attest(&keeper, &[&device], &[]));
    let record = chain.availability_epoch(chain.epoch());
    // Replayed, by the same keeper or another, with the same probe or a fresh one.
    let signed = chain.signed_probes(&keeper.key, &[&device]);
    assert_fails_at(
        attest_signed(&mut chain, &keeper, &signed, &[&device]),
        1,
        RegistryError::AlreadyAttested,
    );
    // Another keeper finds the epoch's passes complete (one under the grid's rules).
    chain.set_slot(chain.slot() + 20);
    assert_fails_at(
        chain.attest(&other_keeper, &[&device], &[]),
        1,
        RegistryError::PassesComplete,
    );

    let after = chain.availability_epoch(chain.epoch());
    assert_eq!(
        (after.total_weight, after.qualified_passes),
        (record.total_weight, record.qualified_passes)
    );
    assert_eq!(chain.device_state(&device).availability.passes, 1);
    assert_eq!(
        chain.keeper_state(&other_keeper).activity.passes_attested,
        0
    );

    // Next epoch, a new pass.
    chain.next_epoch();
    succeeded(chain.attest(&other_keeper, &[&device], &[]));
    assert_eq!(chain.device_state(&device).availability.passes, 2);
}

#[test]
fn a_stake_pool_that_is_not_the_devices_fails_with_stake_pool_mismatch() {
    let (mut chain, keeper, device) = setup();
    let other = chain.staked_device(H100, 8);
    let signed = chain.signed_probes(&keeper.key, &[&device]);
    let authority = keeper.authority.insecure_clone();
    let stranger = Pubkey::new_unique();
    // Another device's pool (staked), the device's pool address under another operator, and an
    // address that holds nothing (which would make the device look unstaked).
    for pool in [
        other.pool(),
        pda::stake_pool(&device.key, &other.owner.pubkey()),
        stranger,
    ] {
        let attest = ix::attest(
            &authority.pubkey(),
            chain.epoch(),
            &[AttestedDevice {
                device: device.key,
                pool,
                reporters: vec![],
            }],
            &[],
        );
        let result = chain.send_all(&[ed25519_instruction(&signed), attest], &[&authority]);
        assert_fails_at(result, 1, RegistryError::StakePoolMismatch);
    }
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn a_paused_device_fails_with_device_paused() {
    let (mut chain, keeper, device) = setup();
    let pause = ix::pause_device(&device.agent.pubkey(), &device.key);
    chain.fund(&device.agent.pubkey());
    succeeded(chain.send(pause, &[&device.agent]));
    assert_fails_at(
        chain.attest(&keeper, &[&device], &[]),
        1,
        RegistryError::DevicePaused,
    );
    assert_nothing_attested(&chain, &keeper, &device);
}

#[test]
fn the_device_accounts_must_match_the_count_by_name() {
    let (mut chain, keeper, device) = setup();
    let authority = keeper.authority.insecure_clone();
    let signed = chain.signed_probes(&keeper.key, &[&device]);
    let check = ed25519_instruction(&signed);
    let epoch = chain.epoch();

    for count in [0u8, 9] {
        let mut attest = ix::attest(&authority.pubkey(), epoch, &pool_pairs(&[&device]), &[]);
        attest.data[8] = count;
        let result = chain.send_all(&[check.clone(), attest], &[&authority]);
        assert_fails_at(result, 1, RegistryError::InvalidDeviceCount);
    }
    // Two devices announced, one pair passed.
    let mut attest = ix::attest(&authority.pubkey(), epoch, &pool_pairs(&[&device]), &[]);
    attest.data[8] = 2;
    let result = chain.send_all(&[check.clone(), attest], &[&authority]);
    assert_fails_at(result, 1, RegistryError::MissingDeviceAccounts);
    // The device read-only: its pass could not be written.
    let mut attest = ix::attest(&authority.pubkey(), epoch, &pool_pairs(&[&device]), &[]);
    let device_meta = attest.accounts.len() - 2;
    attest.accounts[device_meta].is_writable = false;
    let result = chain.send_all(&[check.clone(), attest], &[&authority]);
    assert_fails_at(result, 1, RegistryError::MissingDeviceAccounts);
    // Another epoch's record address: a past record, or one not opened yet.
    chain.next_epoch();
    chain.open_epoch();
    let signed = chain.signed_probes(&keeper.key, &[&device]);
    let check = ed25519_instruction(&signed);
    let epoch = chain.epoch();
    let attest = ix::attest(&authority.pubkey(), epoch - 1, &pool_pairs(&[&device]), &[]);
    let result = chain.send_all(&[check.clone(), attest], &[&authority]);
    assert_fails_at(result, 1, RegistryError::EpochRecordMismatch);
    let attest = ix::attest(&authority.pubkey(), epoch + 1, &pool_pairs(&[&device]), &[]);
    let result = chain.send_all(&[check, attest], &[&authority]);
    assert_fails_at(result, 1, RegistryError::EpochNotOpened);
    assert_nothing_attested(&chain, &keeper, &device);
}
