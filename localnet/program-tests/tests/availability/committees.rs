//! Who may attest and who may fail a device (H1, H2): each epoch's record is opened and seeded
//! from a slot hash fixed after it opens; keepers are drawn per device by that seed, weighted by
//! the bond they held when the epoch began; the device's owner and agent never count; a device is
//! attested by its `passes_required`-th pass from distinct assigned keepers; failure reports
//! count only from assigned keepers after the report window opens, make a provisional quorum, and
//! are overridden by a pass later in the epoch, each reporter forfeiting part of its bond (sent to
//! iotoken's treasury when it withdraws); an unopposed quorum of an ended epoch becomes a failure
//! when the device is next touched, and survives deregistration with the device id (L5).

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    litesvm::types::TransactionResult,
    registry::{
        assignment::is_assigned,
        errors::RegistryError,
        events::{
            AvailabilityEpochOpened, AvailabilitySeedFixed, AvailabilitySeedRearmed,
            DeviceAgentChanged, DeviceFailed, FailureReported, FailureReportsOverridden,
            KeeperBondWithdrawn,
        },
        state::{AvailabilityParams, DeviceHistory, NO_EPOCH},
        UpdateConfigArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// What a keeper forfeits for one contradicted report under the grid's rules (0.1% of its bond).
const PENALTY: u64 = KEEPER_BOND / 1_000;

/// The grid's rules with `change` applied, in force for epochs opened from now on.
fn set_rules(chain: &mut Chain, change: impl FnOnce(&mut AvailabilityParams)) {
    let mut rules = grid_rules();
    change(&mut rules);
    let authority = chain.authority.pubkey();
    let args = UpdateConfigArgs {
        availability: Some(rules),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::registry_update_config(&authority, None, args)));
}

/// The attestation of `device` by `keeper` with its current probe, without opening the epoch.
fn raw_attest(chain: &mut Chain, keeper: &TestKeeper, device: &TestDevice) -> TransactionResult {
    let signed = chain.signed_probes(&keeper.key, &[device]);
    let authority = keeper.authority.pubkey();
    let accounts = chain.attested_accounts(&keeper.key, &[device]);
    let attest = ix::attest(&authority, chain.epoch(), &accounts, &[]);
    chain.send_all(
        &[ed25519_instruction(&signed), attest],
        &[&keeper.authority],
    )
}

/// Whether `keeper` is assigned `device` in the running epoch, by the registry's own rule over
/// the accounts as they are on chain (the rule a keeper computes off chain with the sdk).
fn assigned(chain: &Chain, keeper: &TestKeeper, device: &TestDevice) -> bool {
    let record = chain.availability_epoch(chain.epoch());
    assert!(record.seed_fixed);
    is_assigned(
        &record,
        &device.key,
        &chain.device_state(device),
        &keeper.key,
        &chain.keeper_state(keeper),
    )
}

// The epoch's record and its seed.

#[test]
fn attestations_and_reports_need_the_epochs_record_and_then_its_seed() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let epoch = chain.epoch();

    assert_fails_at(
        raw_attest(&mut chain, &keeper, &device),
        1,
        RegistryError::EpochNotOpened,
    );
    let report = ix::report_failure(&keeper.authority.pubkey(), &device.key, epoch);
    assert_fails(
        chain.send(report.clone(), &[&keeper.authority]),
        RegistryError::EpochNotOpened,
    );

    // Anyone opens it; the seed slot is four slots ahead, so nobody knows the seed yet.
    let opener = chain.funded_keypair();
    let slot = chain.slot();
    let open = ix::open_availability_epoch(&opener.pubkey(), epoch);
    let meta = succeeded(chain.send(open.clone(), &[&opener]));
    let opened: AvailabilityEpochOpened = only_event_of(&meta);
    assert_eq!(
        (opened.epoch, opened.opened_slot, opened.seed_slot),
        (epoch, slot, slot + 4)
    );
    assert_eq!(
        (opened.keeper_count, opened.keeper_bond_total),
        (EARLY_KEEPERS as u32, EARLY_KEEPERS as u64 * KEEPER_BOND)
    );
    assert_eq!((opened.committee_size, opened.passes_required), (16, 1));
    let record = chain.availability_epoch(epoch);
    assert!(!record.seed_fixed);

    chain.set_slot(slot + 4);
    assert_fails_at(
        raw_attest(&mut chain, &keeper, &device),
        1,
        RegistryError::EpochSeedNotFixed,
    );
    assert_fails(
        chain.send(report, &[&keeper.authority]),
        RegistryError::EpochSeedNotFixed,
    );
    assert_fails(
        chain.send(open.clone(), &[&opener]),
        RegistryError::EpochSeedNotFixed,
    );

    // Past the seed slot: its hash fixes the seed, once.
    chain.set_slot(slot + 5);
    let meta = succeeded(chain.send(open.clone(), &[&opener]));
    let fixed: AvailabilitySeedFixed = only_event_of(&meta);
    let record = chain.availability_epoch(epoch);
    assert!(record.seed_fixed);
    assert_eq!(
        record.seed,
        registry::assignment::epoch_seed(epoch, &slot_hash(slot + 4).to_bytes())
    );
    assert_eq!((fixed.seed_slot, fixed.seed), (slot + 4, record.seed));
    chain.set_slot(slot + 6);
    assert_fails(
        chain.send(open, &[&opener]),
        RegistryError::EpochSeedAlreadyFixed,
    );
    succeeded(raw_attest(&mut chain, &keeper, &device));
}

#[test]
fn a_seed_slot_that_produced_no_block_is_rearmed_rather_than_guessed() {
    let mut chain = Chain::new();
    let epoch = chain.epoch();
    let opener = chain.funded_keypair();
    let slot = chain.slot();
    succeeded(chain.send(
        ix::open_availability_epoch(&opener.pubkey(), epoch),
        &[&opener],
    ));

    // The seed slot was skipped: there is no hash to take.
    chain.set_slot_skipping(slot + 6, &[slot + 4]);
    let meta = succeeded(chain.send(
        ix::open_availability_epoch(&opener.pubkey(), epoch),
        &[&opener],
    ));
    let rearmed: AvailabilitySeedRearmed = only_event_of(&meta);
    assert_eq!(
        (rearmed.seed_slot_before, rearmed.seed_slot_after),
        (slot + 4, slot + 10)
    );
    let record = chain.availability_epoch(epoch);
    assert!(!record.seed_fixed);
    assert_eq!(record.seed_slot, slot + 10);

    chain.set_slot(slot + 11);
    succeeded(chain.send(
        ix::open_availability_epoch(&opener.pubkey(), epoch),
        &[&opener],
    ));
    assert_eq!(
        chain.availability_epoch(epoch).seed,
        registry::assignment::epoch_seed(epoch, &slot_hash(slot + 10).to_bytes())
    );
}

// Sortition by bond.

#[test]
fn only_keepers_drawn_for_a_device_may_pass_it_or_report_it() {
    let mut chain = Chain::new();
    // Three of the six equal bonds per device: each keeper is drawn with probability 1/2; up to
    // three of them pass a device.
    set_rules(&mut chain, |rules| {
        rules.committee_size = 3;
        rules.passes_required = 3;
    });
    let keepers: Vec<TestKeeper> = (0..EARLY_KEEPERS).map(|_| chain.keeper()).collect();
    let devices: Vec<TestDevice> = (0..4).map(|_| chain.staked_device(H100, 8)).collect();
    chain.open_epoch();

    let (mut passed, mut refused) = (0, 0);
    for device in &devices {
        let mut passes = 0;
        for keeper in &keepers {
            let result = raw_attest(&mut chain, keeper, device);
            if assigned(&chain, keeper, device) && passes == 3 {
                assert_fails_at(result, 1, RegistryError::PassesComplete);
            } else if assigned(&chain, keeper, device) {
                passed += 1;
                passes += 1;
                succeeded(result);
            } else {
                refused += 1;
                assert_fails_at(result, 1, RegistryError::KeeperNotAssigned);
            }
        }
    }
    assert!(
        passed > 0 && refused > 0,
        "24 draws at 1/2 take both branches"
    );

    // Reports after the window: an unassigned keeper's report is refused the same way.
    chain.next_epoch();
    chain.open_epoch();
    chain.open_report_window();
    let device = &devices[0];
    for keeper in &keepers {
        let reports_before = chain.device_state(device).availability.report_count;
        let result = chain.report_failure(keeper, device);
        if assigned(&chain, keeper, device) {
            // Up to the quorum; a fourth assigned report finds it reached.
            if reports_before < 3 {
                succeeded(result);
            } else {
                assert_fails(result, RegistryError::FailureQuorumReached);
            }
        } else {
            assert_fails(result, RegistryError::KeeperNotAssigned);
        }
    }
}

#[test]
fn the_devices_owner_or_agent_never_counts_as_its_keeper() {
    let mut chain = Chain::new();
    let device = chain.staked_device(H100, 8);
    let owner = device.owner.insecure_clone();
    let agent = device.agent.insecure_clone();
    chain.fund(&agent.pubkey());
    let as_owner = chain.bond_keeper_as(owner);
    let as_agent = chain.bond_keeper_as(agent);
    // Bonded now, they weigh from the next epoch on, like any keeper.
    chain.next_epoch();

    for linked in [&as_owner, &as_agent] {
        assert_fails_at(
            chain.attest(linked, &[&device], &[]),
            1,
            RegistryError::KeeperLinkedToDevice,
        );
    }
    chain.open_report_window();
    for linked in [&as_owner, &as_agent] {
        assert_fails(
            chain.report_failure(linked, &device),
            RegistryError::KeeperLinkedToDevice,
        );
    }
    let availability = chain.device_state(&device).availability;
    assert_eq!((availability.passes, availability.report_count), (0, 0));
    assert!(!availability.earnings.is_owed());

    // The same keepers pass a device they are not linked to.
    let other = chain.staked_device(H100, 8);
    chain.next_epoch();
    succeeded(chain.attest(&as_owner, &[&other], &[]));
}

#[test]
fn a_bond_placed_during_an_epoch_weighs_from_the_next_one() {
    let mut chain = Chain::new();
    let device = chain.staked_device(H100, 8);
    chain.open_epoch();
    let late = chain.bond_keeper();
    assert_eq!(chain.keeper_state(&late).bond_amount, KEEPER_BOND);

    assert_fails_at(
        chain.attest(&late, &[&device], &[]),
        1,
        RegistryError::KeeperNotAssigned,
    );
    chain.next_epoch();
    succeeded(chain.attest(&late, &[&device], &[]));
}

#[test]
fn a_device_registered_after_the_seed_slot_waits_for_the_next_epoch() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    chain.open_epoch();
    // Its address was chosen knowing the seed: no keeper is assigned it this epoch.
    let device = chain.staked_device(H100, 8);

    assert_fails_at(
        chain.attest(&keeper, &[&device], &[]),
        1,
        RegistryError::KeeperNotAssigned,
    );
    chain.next_epoch();
    succeeded(chain.attest(&keeper, &[&device], &[]));
}

// k-of-n passes.

#[test]
fn a_device_is_attested_by_its_second_pass_from_a_distinct_keeper() {
    let mut chain = Chain::new();
    set_rules(&mut chain, |rules| rules.passes_required = 2);
    let keepers: Vec<TestKeeper> = (0..3).map(|_| chain.keeper()).collect();
    let device = chain.staked_device(H100, 8);
    let epoch = chain.epoch();

    // One keeper (a device owner's own, say, or one Sybil) passes: not enough.
    succeeded(chain.attest(&keepers[0], &[&device], &[]));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.passes, 0, "not attested by one pass");
    assert!(!availability.earnings.is_owed());
    let record = chain.availability_epoch(epoch);
    assert_eq!((record.devices_attested, record.total_weight), (0, 0));
    assert_eq!(record.passes_required, 2);
    assert_fails_at(
        chain.attest(&keepers[0], &[&device], &[]),
        1,
        RegistryError::AlreadyAttested,
    );

    succeeded(chain.attest(&keepers[1], &[&device], &[]));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.passes, 1);
    assert_eq!(availability.last_pass_epoch, epoch);
    let record = chain.availability_epoch(epoch);
    assert_eq!(
        (record.devices_attested, record.total_weight),
        (1, device.weight)
    );
    // Both passes of the staked device earn their keepers a tips share.
    assert_eq!(record.qualified_passes, 2);

    assert_fails_at(
        chain.attest(&keepers[2], &[&device], &[]),
        1,
        RegistryError::PassesComplete,
    );
}

// Failure reports.

#[test]
fn reports_count_only_once_the_device_had_its_window_to_pass() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    chain.next_epoch();
    let window = ORIGIN + chain.epoch() as i64 * 3_600 + 600;

    chain.open_epoch();
    let report = ix::report_failure(&keeper.authority.pubkey(), &device.key, chain.epoch());
    chain.set_time(window - 1);
    assert_fails(
        chain.send(report.clone(), &[&keeper.authority]),
        RegistryError::ReportWindowNotOpen,
    );
    chain.set_time(window);
    let meta = succeeded(chain.send(report, &[&keeper.authority]));
    let event: FailureReported = only_event_of(&meta);
    assert_eq!((event.reports, event.quorum_reached), (1, false));

    // A device that passed this epoch cannot be reported down in it.
    let other = chain.staked_device(H100, 8);
    let second = chain.keeper();
    chain.next_epoch();
    succeeded(chain.attest(&second, &[&other], &[]));
    chain.open_report_window();
    assert_fails(
        chain.report_failure(&keeper, &other),
        RegistryError::DeviceAttestedThisEpoch,
    );
}

#[test]
fn a_pass_overrides_the_epochs_reports_and_each_reporter_forfeits_its_share() {
    let mut chain = Chain::new();
    let reporters: Vec<TestKeeper> = (0..3).map(|_| chain.keeper()).collect();
    let honest = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let epoch = chain.epoch();
    chain.open_report_window();

    // Three fresh keepers report an honest device as soon as reports count.
    for (n, reporter) in reporters.iter().enumerate() {
        let meta = succeeded(chain.report_failure(reporter, &device));
        let event: FailureReported = only_event_of(&meta);
        assert_eq!((event.reports, event.quorum_reached), (n as u8 + 1, n == 2));
    }
    let availability = chain.device_state(&device).availability;
    assert!(availability.failing_in(epoch), "provisional");
    assert_eq!(
        availability.failures, 0,
        "not a failure while the epoch runs"
    );

    // Leaving the reporters out of the pass is refused.
    let signed = chain.signed_probes(&honest.key, &[&device]);
    let attest = ix::attest(
        &honest.authority.pubkey(),
        epoch,
        &pool_pairs(&[&device]),
        &[],
    );
    assert_fails_at(
        chain.send_all(
            &[ed25519_instruction(&signed), attest],
            &[&honest.authority],
        ),
        1,
        RegistryError::ReporterAccountMismatch,
    );

    // The device answers the honest keeper's probe: the reports are overridden.
    let meta = succeeded(chain.attest(&honest, &[&device], &[]));
    let overridden: FailureReportsOverridden = only_event_of(&meta);
    let reporter_keys: Vec<Pubkey> = reporters.iter().map(|r| r.key).collect();
    assert_eq!(overridden.reporters, reporter_keys);
    assert_eq!(overridden.penalties, vec![PENALTY; 3]);
    let availability = chain.device_state(&device).availability;
    assert!(!availability.failing_in(epoch));
    assert_eq!(availability.reporters_in(epoch).len(), 0);
    assert_eq!((availability.passes, availability.failures), (1, 0));
    for reporter in &reporters {
        let state = chain.keeper_state(reporter);
        assert_eq!(
            (state.bond_amount, state.forfeited),
            (KEEPER_BOND - PENALTY, PENALTY)
        );
        // The forfeit stays in the vault until the bond is withdrawn.
        assert_eq!(
            chain.token_balance(&iogrid_program_tests::pda::registry::bond_vault(
                &reporter.key
            )),
            KEEPER_BOND
        );
    }
    assert_eq!(chain.keeper_state(&honest).bond_amount, KEEPER_BOND);

    // Below the bond in force, a reporter attests nothing until it tops up.
    let next = chain.staked_device(H100, 8);
    chain.next_epoch();
    let liar = &reporters[0];
    assert_fails_at(
        chain.attest(liar, &[&next], &[]),
        1,
        RegistryError::KeeperBondTooLow,
    );
    let top_up = chain.io_account(&liar.authority.pubkey(), PENALTY);
    succeeded(chain.send(
        ix::add_bond(&liar.authority.pubkey(), &pda::io_mint(), &top_up, PENALTY),
        &[&liar.authority],
    ));
    succeeded(chain.attest(liar, &[&next], &[]));
}

#[test]
fn forfeited_bond_goes_to_iotokens_treasury_when_the_keeper_withdraws() {
    let mut chain = Chain::new();
    let reporters: Vec<TestKeeper> = (0..3).map(|_| chain.keeper()).collect();
    let honest = chain.keeper();
    let device = chain.staked_device(H100, 8);
    chain.open_report_window();
    for reporter in &reporters {
        succeeded(chain.report_failure(reporter, &device));
    }
    succeeded(chain.attest(&honest, &[&device], &[]));

    let cranker = chain.cranker.insecure_clone();
    let io_mint = pda::io_mint();
    let create =
        iogrid_program_tests::ix::iotoken::create_treasury_account(&cranker.pubkey(), &io_mint);
    succeeded(chain.send(create, &[&cranker]));
    let treasury = iogrid_program_tests::pda::iotoken::treasury(&io_mint);
    let treasury_before = chain.token_balance(&treasury);

    let liar = reporters[0].authority.insecure_clone();
    succeeded(chain.send(ix::request_unbond(&liar.pubkey()), &[&liar]));
    chain.set_time(chain.now() + KEEPER_COOLDOWN);
    let bond_back = chain.io_account(&liar.pubkey(), 0);
    assert_fails(
        chain.send(
            ix::withdraw_bond(&liar.pubkey(), &io_mint, &bond_back, false),
            &[&liar],
        ),
        RegistryError::TreasuryMismatch,
    );
    let meta = succeeded(chain.send(
        ix::withdraw_bond(&liar.pubkey(), &io_mint, &bond_back, true),
        &[&liar],
    ));

    assert_eq!(chain.token_balance(&bond_back), KEEPER_BOND - PENALTY);
    assert_eq!(chain.token_balance(&treasury) - treasury_before, PENALTY);
    let event: KeeperBondWithdrawn = only_event_of(&meta);
    assert_eq!(
        (event.bond_amount, event.forfeited),
        (KEEPER_BOND - PENALTY, PENALTY)
    );
}

#[test]
fn an_unopposed_quorum_becomes_a_failure_when_the_device_is_next_touched() {
    let mut chain = Chain::new();
    let reporters: Vec<TestKeeper> = (0..3).map(|_| chain.keeper()).collect();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let epoch = chain.epoch();
    chain.open_report_window();
    let first_report_at = chain.now();
    for reporter in &reporters {
        succeeded(chain.report_failure(reporter, &device));
        chain.set_time(chain.now() + 60);
    }

    // While the epoch runs the quorum may still be overridden, so deregistering waits.
    let deregister = ix::deregister_device(&device.owner.pubkey(), &device.device_id);
    assert_fails(
        chain.send(deregister, &[&device.owner]),
        RegistryError::FailurePending,
    );

    chain.next_epoch();
    let meta = succeeded(chain.attest(&keeper, &[&device], &[]));
    let failed: DeviceFailed = only_event_of(&meta);
    assert_eq!(
        (failed.device, failed.epoch, failed.found_down_at),
        (device.key, epoch, first_report_at)
    );
    assert_eq!((failed.failures, failed.during_reservation), (1, false));
    let availability = chain.device_state(&device).availability;
    assert_eq!(
        (availability.failures, availability.last_failure_epoch),
        (1, epoch)
    );
    assert_eq!(availability.passes, 1, "and this epoch's pass counts");
    // The failure goes on the record before the new epoch's pass does.
    assert_eq!(failed.reputation_bps, reputation(0, 1, 0));
    assert_eq!(availability.reputation_bps, reputation(1, 1, 0));
    // Nobody forfeited anything: the reports stood for their epoch.
    for reporter in &reporters {
        assert_eq!(chain.keeper_state(reporter).forfeited, 0);
    }
}

// The device's record across deregistration (L5) and its agent (L9).

#[test]
fn a_failure_record_survives_deregistration_and_returns_with_the_device_id() {
    let mut chain = Chain::new();
    let reporters: Vec<TestKeeper> = (0..3).map(|_| chain.keeper()).collect();
    // Unstaked: it earns nothing, so it may leave without a claim.
    let device = chain.register_device(H100, 8);
    chain.open_report_window();
    for reporter in &reporters {
        succeeded(chain.report_failure(reporter, &device));
    }
    chain.next_epoch();

    let owner = device.owner.insecure_clone();
    succeeded(chain.send(
        ix::deregister_device(&owner.pubkey(), &device.device_id),
        &[&owner],
    ));
    let history: DeviceHistory = chain.program_account(
        &registry::ID,
        &iogrid_program_tests::pda::registry::device_history(&device.device_id),
    );
    assert_eq!((history.failures, history.passes), (1, 0));

    // Registering the id afresh, with a new agent, brings the failure back.
    let agent = Keypair::new();
    let args = iogrid_program_tests::ix::registry::rig(&device.device_id, H100, 8);
    succeeded(chain.send(
        iogrid_program_tests::ix::registry::register_device(&owner.pubkey(), &agent.pubkey(), args),
        &[&owner, &agent],
    ));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.failures, 1);
    assert_ne!(availability.last_failure_epoch, NO_EPOCH);
    assert_eq!(availability.reputation_bps, reputation(0, 1, 0));
}

#[test]
fn change_agent_hands_probing_to_a_new_key_that_signs_for_it() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let mut device = chain.staked_device(H100, 8);
    let owner = device.owner.pubkey();
    let new_agent = Keypair::new();

    assert_fails(
        chain.send(
            ix::change_agent(&owner, &device.agent.pubkey(), &device.key),
            &[&device.owner, &device.agent],
        ),
        RegistryError::AgentUnchanged,
    );
    let meta = succeeded(chain.send(
        ix::change_agent(&owner, &new_agent.pubkey(), &device.key),
        &[&device.owner, &new_agent],
    ));
    let event: DeviceAgentChanged = only_event_of(&meta);
    assert_eq!(
        (event.agent_before, event.agent_after),
        (device.agent.pubkey(), new_agent.pubkey())
    );

    // The old agent's probes no longer count; the new agent's do.
    assert_fails_at(
        chain.attest(&keeper, &[&device], &[]),
        1,
        RegistryError::AgentKeyMismatch,
    );
    device.agent = new_agent;
    succeeded(chain.attest(&keeper, &[&device], &[]));
}
