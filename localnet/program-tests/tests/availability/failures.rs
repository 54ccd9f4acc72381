//! Failure reports: assigned keepers report a device that failed its probe once the report
//! window is open; when `failure_quorum` distinct keepers have reported it in an epoch without a
//! pass, the quorum is provisional until the epoch ends, and the device's next touch after it puts
//! the failure on its record (failures, streak reset, reputation). One report, or reports spread
//! over epochs, count for nothing; a pass overrides the reports before it and refuses those after.
//! And the reputation the counters give, checked on chain against the formula.

use {
    crate::common::*,
    registry::{
        errors::RegistryError,
        events::{DeviceFailed, FailureReported},
        state::{AvailabilityParams, NO_EPOCH},
        UpdateConfigArgs,
    },
    solana_signer::Signer,
};

/// A chain with five bonded keepers and a device meeting its minimum stake.
fn setup() -> (Chain, Vec<TestKeeper>, TestDevice) {
    let mut chain = Chain::new();
    let keepers = (0..5).map(|_| chain.keeper()).collect();
    let device = chain.staked_device(H100, 8);
    (chain, keepers, device)
}

fn set_quorum(chain: &mut Chain, failure_quorum: u8) {
    let authority = chain.authority.pubkey();
    let args = UpdateConfigArgs {
        availability: Some(AvailabilityParams {
            failure_quorum,
            max_probe_age_slots: 150,
            ..grid_rules()
        }),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::registry_update_config(&authority, None, args)));
}

#[test]
fn the_third_distinct_report_of_an_epoch_fails_the_device() {
    let (mut chain, keepers, device) = setup();
    // Two passes first: epochs 0 and 1.
    succeeded(chain.attest(&keepers[0], &[&device], &[]));
    chain.next_epoch();
    succeeded(chain.attest(&keepers[0], &[&device], &[]));
    chain.next_epoch();
    let epoch = chain.epoch();
    let before = chain.device_state(&device).availability;
    assert_eq!((before.passes, before.uptime_streak), (2, 2));
    assert_eq!(before.reputation_bps, reputation(2, 0, 0));

    for (n, keeper) in keepers[..2].iter().enumerate() {
        let meta = succeeded(chain.report_failure(keeper, &device));
        let event: FailureReported = only_event(&meta);
        assert_eq!((event.device, event.keeper), (device.key, keeper.key));
        assert_eq!(
            (event.epoch, event.reports, event.quorum),
            (epoch, n as u8 + 1, 3)
        );
        let availability = chain.device_state(&device).availability;
        assert_eq!(availability.failures, 0, "below the quorum");
        assert_eq!(availability.uptime_streak, 2);
        assert_eq!(availability.reputation_bps, before.reputation_bps);
        assert_eq!(availability.last_failure_epoch, NO_EPOCH);
        assert_eq!(
            (availability.report_epoch, availability.report_count),
            (epoch, n as u8 + 1)
        );
    }

    let meta = succeeded(chain.report_failure(&keepers[2], &device));

    // The quorum is provisional while its epoch runs: a pass may still override it.
    let reported: FailureReported = only_event_of(&meta);
    assert_eq!(
        (reported.reports, reported.quorum, reported.quorum_reached),
        (3, 3, true)
    );
    assert!(events_of::<DeviceFailed>(&meta).is_empty());
    let availability = chain.device_state(&device).availability;
    assert!(availability.failing_in(epoch));
    assert_eq!((availability.passes, availability.failures), (2, 0));
    assert_eq!(availability.uptime_streak, 2);
    assert_eq!(
        availability.failure_reporters[..3],
        [keepers[0].key, keepers[1].key, keepers[2].key]
    );
    for keeper in &keepers[..3] {
        let activity = chain.keeper_state(keeper).activity;
        assert_eq!(activity.failures_reported, 1);
    }
    assert_eq!(
        chain.keeper_state(&keepers[3]).activity.failures_reported,
        0
    );
    // A fourth report adds nothing.
    assert_fails(
        chain.report_failure(&keepers[3], &device),
        RegistryError::FailureQuorumReached,
    );

    // The epoch ends with no pass: the device's next touch puts the failure on its record, and
    // its pass of the new epoch restarts the streak.
    chain.next_epoch();
    let meta = succeeded(chain.attest(&keepers[3], &[&device], &[]));
    let failed: DeviceFailed = only_event_of(&meta);
    assert_eq!(
        (failed.device, failed.epoch, failed.failures),
        (device.key, epoch, 1)
    );
    assert_eq!(failed.reputation_bps, reputation(2, 1, 0));
    assert_eq!(failed.reputation_bps, 588);
    let availability = chain.device_state(&device).availability;
    assert_eq!((availability.passes, availability.failures), (3, 1));
    assert_eq!(availability.uptime_streak, 1);
    assert_eq!(availability.longest_uptime_streak, 2);
    assert_eq!(availability.last_failure_epoch, epoch);
    assert_eq!(availability.reputation_bps, reputation(3, 1, 0));
}

#[test]
fn a_keeper_reports_a_device_once_per_epoch() {
    let (mut chain, keepers, device) = setup();
    succeeded(chain.report_failure(&keepers[0], &device));
    assert_fails(
        chain.report_failure(&keepers[0], &device),
        RegistryError::DuplicateFailureReport,
    );
    succeeded(chain.report_failure(&keepers[1], &device));
    assert_fails(
        chain.report_failure(&keepers[0], &device),
        RegistryError::DuplicateFailureReport,
    );
    let availability = chain.device_state(&device).availability;
    assert_eq!((availability.report_count, availability.failures), (2, 0));
    assert_eq!(
        chain.keeper_state(&keepers[0]).activity.failures_reported,
        1
    );
}

#[test]
fn a_pass_overrides_the_reports_before_it_and_excludes_those_after() {
    let (mut chain, keepers, device) = setup();
    // Two reports, then a pass: the pass stands, the reports are dropped and their keepers
    // forfeit 0.1% of their bonds each.
    succeeded(chain.report_failure(&keepers[0], &device));
    succeeded(chain.report_failure(&keepers[1], &device));
    succeeded(chain.attest(&keepers[2], &[&device], &[]));
    for reporter in &keepers[..2] {
        let state = chain.keeper_state(reporter);
        assert_eq!(state.forfeited, KEEPER_BOND / 1_000);
    }
    assert_eq!(chain.device_state(&device).availability.report_count, 0);
    assert_fails(
        chain.report_failure(&keepers[3], &device),
        RegistryError::DeviceAttestedThisEpoch,
    );
    let availability = chain.device_state(&device).availability;
    assert_eq!((availability.passes, availability.failures), (1, 0));
    assert_eq!(availability.last_failure_epoch, NO_EPOCH);
}

#[test]
fn reports_in_different_epochs_do_not_combine() {
    let (mut chain, keepers, device) = setup();
    succeeded(chain.report_failure(&keepers[0], &device));
    succeeded(chain.report_failure(&keepers[1], &device));
    chain.next_epoch();
    let meta = succeeded(chain.report_failure(&keepers[2], &device));
    let event: FailureReported = only_event(&meta);
    assert_eq!((event.epoch, event.reports), (1, 1));
    // The first two keepers may report again in the new epoch.
    succeeded(chain.report_failure(&keepers[0], &device));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.failures, 0);
    assert_eq!(
        (availability.report_epoch, availability.report_count),
        (1, 2)
    );
    assert_eq!(
        availability.failure_reporters[..2],
        [keepers[2].key, keepers[0].key]
    );
    assert_eq!(availability.last_failure_epoch, NO_EPOCH);
}

#[test]
fn the_quorum_in_force_decides_lowered_or_raised() {
    let (mut chain, keepers, device) = setup();
    set_quorum(&mut chain, 2);
    succeeded(chain.report_failure(&keepers[0], &device));
    let meta = succeeded(chain.report_failure(&keepers[1], &device));
    let reported: FailureReported = only_event_of(&meta);
    assert_eq!((reported.quorum, reported.quorum_reached), (2, true));

    // Raised to the most governance may set: five keepers, every reporter slot used. The first
    // report of epoch 1 touches the device, which puts epoch 0's failure on its record.
    set_quorum(&mut chain, 5);
    chain.next_epoch();
    for (n, keeper) in keepers[..4].iter().enumerate() {
        let meta = succeeded(chain.report_failure(keeper, &device));
        let failed = events_of::<DeviceFailed>(&meta);
        if n == 0 {
            assert_eq!((failed[0].epoch, failed[0].failures), (0, 1));
        } else {
            assert!(failed.is_empty());
        }
        assert!(!only_event_of::<FailureReported>(&meta).quorum_reached);
    }
    let meta = succeeded(chain.report_failure(&keepers[4], &device));
    let reported: FailureReported = only_event_of(&meta);
    assert_eq!((reported.reports, reported.quorum_reached), (5, true));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.report_count, 5);
    assert_eq!(
        availability.failure_reporters,
        [0, 1, 2, 3, 4].map(|n| keepers[n].key)
    );
    chain.next_epoch();
    let meta = succeeded(chain.report_failure(&keepers[0], &device));
    let failed: DeviceFailed = only_event_of(&meta);
    assert_eq!((failed.epoch, failed.failures), (1, 2));
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.reputation_bps, reputation(0, 2, 0));
    assert_eq!(availability.reputation_bps, 0);
}

#[test]
fn only_bonded_keepers_report_and_only_devices_expected_to_answer() {
    let (mut chain, keepers, device) = setup();
    let stranger = chain.funded_keypair();
    let by_stranger = ix::report_failure(&stranger.pubkey(), &device.key, chain.epoch());
    assert_fails(
        chain.send(by_stranger, &[&stranger]),
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    let unbonding = &keepers[0];
    let unbond = ix::request_unbond(&unbonding.authority.pubkey());
    succeeded(chain.send(unbond, &[&unbonding.authority]));
    assert_fails(
        chain.report_failure(unbonding, &device),
        RegistryError::KeeperUnbonding,
    );
    // A device its owner paused (and no renter depends on) is not expected to answer probes.
    let pause = ix::pause_device(&device.owner.pubkey(), &device.key);
    succeeded(chain.send(pause, &[&device.owner]));
    assert_fails(
        chain.report_failure(&keepers[1], &device),
        RegistryError::DevicePaused,
    );
    assert_eq!(chain.device_state(&device).availability.report_count, 0);
}

#[test]
fn reports_wait_for_the_registrys_rewards_to_be_initialized() {
    let mut chain = Chain::without_rewards();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let report = ix::report_failure(&keeper.authority.pubkey(), &device.key, 0);
    assert_fails(
        chain.send(report, &[&keeper.authority]),
        RegistryError::RewardsNotInitialized,
    );
}

#[test]
fn reputation_follows_the_formula_through_passes_and_failures() {
    let (mut chain, keepers, _) = setup();
    // Below its minimum stake, so that its passes earn nothing and leave nothing to settle.
    let device = chain.register_device(H100, 8);
    set_quorum(&mut chain, 2);
    // A pass (P) or a failure (F) per epoch; `-` for an epoch without either.
    let history = "PPPFP-PPFFPPPP";
    // A failure goes on the record when the device is next touched after its epoch.
    let (mut passes, mut failures, mut pending) = (0u32, 0u32, false);
    for (epoch, outcome) in history.bytes().enumerate() {
        if epoch > 0 {
            chain.enter_epoch(epoch as u64);
        }
        match outcome {
            b'P' => {
                succeeded(chain.attest(&keepers[epoch % 5], &[&device], &[]));
                passes += 1;
                failures += u32::from(std::mem::take(&mut pending));
            }
            b'F' => {
                succeeded(chain.report_failure(&keepers[0], &device));
                succeeded(chain.report_failure(&keepers[1], &device));
                failures += u32::from(std::mem::replace(&mut pending, true));
            }
            _ => {}
        }
        let availability = chain.device_state(&device).availability;
        assert_eq!(
            (availability.passes, availability.failures),
            (passes, failures)
        );
        // 10_000 x (p + 2c) / (p + 2c + 8f + 24), no reservations completed (c = 0).
        let expected = (10_000 * passes as u64 / (passes as u64 + 8 * failures as u64 + 24)) as u16;
        assert_eq!(
            availability.reputation_bps,
            expected,
            "after {}",
            &history[..=epoch]
        );
        assert_eq!(expected, reputation(passes, failures, 0));
    }
    let availability = chain.device_state(&device).availability;
    assert_eq!((passes, failures), (10, 3));
    assert_eq!(availability.reputation_bps, 1_724, "10_000 x 10 / 58");
    assert_eq!(availability.longest_uptime_streak, 4);
    assert_eq!(availability.uptime_streak, 4);
    // Reservations completed (counted by the market) weigh as two passes each.
    assert_eq!(reputation(10, 3, 5), (10_000 * 20 / 68) as u16);
    assert_eq!(reputation(0, 0, 0), 0);
    assert_eq!(reputation(24, 0, 0), 5_000);
    assert_eq!(reputation(216, 0, 0), 9_000);
}
