//! A bonded keeper attests devices' signed probes: each pass goes on the device's record (passes,
//! uptime streak, reputation, the probe's slot and benchmark), and a device meeting its minimum
//! stake adds its weight (GPU class multiplier in hundredths x GPU count) to the epoch's record
//! and earns the keeper one qualified pass.

use {
    crate::common::*,
    anchor_lang::Space,
    iotoken::math::IO,
    registry::{
        events::DeviceAttested,
        state::{AvailabilityEpoch, UnsettledEpoch, NO_EPOCH},
    },
    solana_signer::Signer,
};

/// The unsettled entries of an `Earnings` that hold something, in any slot order, sorted.
fn owed(entries: &[UnsettledEpoch]) -> Vec<(u64, u64)> {
    let mut owed: Vec<(u64, u64)> = entries
        .iter()
        .filter(|entry| entry.weight > 0)
        .map(|entry| (entry.epoch, entry.weight))
        .collect();
    owed.sort();
    owed
}

#[test]
fn an_attestation_records_the_pass_on_the_device_the_epoch_and_the_keeper() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let other = chain.staked_device(H100, 1);
    let cranker_before = chain.balance(&chain.cranker.pubkey());
    chain.open_epoch();
    let record_rent = chain.rent(8 + AvailabilityEpoch::INIT_SPACE);
    // Whoever opens the epoch pays the record's rent (here the cranker, in two transactions:
    // the opening and the seed).
    assert_eq!(
        cranker_before - chain.balance(&chain.cranker.pubkey()),
        record_rent + 2 * 5_000
    );
    let probe = chain.probe(&device.key, &keeper.key);
    let lamports_before = chain.balance(&keeper.authority.pubkey());

    let meta = succeeded(chain.attest(&keeper, &[&device], &[]));

    assert_eq!((device.weight, device.minimum_stake), (3_200, 3_200 * IO));
    let event: DeviceAttested = only_event(&meta);
    assert_eq!((event.device, event.keeper), (device.key, keeper.key));
    assert_eq!((event.epoch, event.probe_slot), (0, probe.slot));
    assert_eq!(event.benchmark_hash, probe.benchmark_hash);
    assert!(event.qualified);
    assert_eq!(event.weight, 3_200);
    assert_eq!((event.stake, event.minimum_stake), (3_200 * IO, 3_200 * IO));
    assert_eq!(event.uptime_streak, 1);
    assert_eq!(event.reputation_bps, reputation(1, 0, 0));
    assert_eq!(event.reputation_bps, 400);

    let availability = chain.device_state(&device).availability;
    assert_eq!((availability.passes, availability.failures), (1, 0));
    assert_eq!(
        (
            availability.uptime_streak,
            availability.longest_uptime_streak
        ),
        (1, 1)
    );
    assert_eq!(availability.reputation_bps, 400);
    assert_eq!(availability.last_pass_epoch, 0);
    assert_eq!(availability.last_probe_slot, probe.slot);
    assert_eq!(availability.last_benchmark_hash, probe.benchmark_hash);
    assert_eq!(availability.last_attested_by, keeper.key);
    assert_eq!(owed(&availability.earnings.unsettled), vec![(0, 3_200)]);
    assert_eq!(
        (availability.earnings.accrued, availability.earnings.claimed),
        (0, 0)
    );
    assert_eq!(availability.last_failure_epoch, NO_EPOCH);

    let record = chain.availability_epoch(0);
    let (_, bump) = anchor_lang::prelude::Pubkey::find_program_address(
        &[b"availability", &0u64.to_le_bytes()],
        &registry::ID,
    );
    assert_eq!((record.epoch, record.bump), (0, bump));
    assert_eq!((record.total_weight, record.qualified_passes), (3_200, 1));
    assert_eq!(record.unqualified_passes, 0);
    assert!(!record.closed);
    assert_eq!((record.device_rewards, record.keeper_rewards), (0, 0));
    assert_eq!(
        chain.balance(&pda::availability_epoch(0)),
        record_rent,
        "rent-exempt"
    );

    let activity = chain.keeper_state(&keeper).activity;
    assert_eq!(activity.passes_attested, 1);
    assert_eq!(owed(&activity.earnings.unsettled), vec![(0, 1)]);
    assert_eq!(activity.failures_reported, 0);
    // The keeper pays a fee per signature: its own and the agent's, which the Ed25519 program
    // checks.
    assert_eq!(
        lamports_before - chain.balance(&keeper.authority.pubkey()),
        2 * 5_000
    );

    // Another keeper's pass adds to the same record, for the same fees.
    let other_keeper = chain.keeper();
    let lamports_before = chain.balance(&other_keeper.authority.pubkey());
    succeeded(chain.attest(&other_keeper, &[&other], &[]));
    let record = chain.availability_epoch(0);
    assert_eq!((record.total_weight, record.qualified_passes), (3_600, 2));
    assert_eq!(
        lamports_before - chain.balance(&other_keeper.authority.pubkey()),
        2 * 5_000
    );
    assert_eq!(chain.balance(&pda::availability_epoch(0)), record_rent);
}

#[test]
fn the_weight_is_the_gpu_class_multiplier_times_the_gpu_count() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let h100x8 = chain.staked_device(H100, 8);
    let rtx_x2 = chain.staked_device(RTX_4090, 2);
    let mi300_x4 = chain.staked_device(MI300X, 4);
    let h100x1 = chain.staked_device(H100, 1);
    let expected = [
        (&h100x8, 400 * 8, 100 * 4 * 8),
        (&rtx_x2, 150 * 2, 300),
        (&mi300_x4, 100 * 4, 100 * 4),
        (&h100x1, 400, 100 * 4),
    ];

    let mut events: Vec<DeviceAttested> = Vec::new();
    for pair in [[&h100x8, &rtx_x2], [&mi300_x4, &h100x1]] {
        let meta = succeeded(chain.attest(&keeper, &pair, &[]));
        events.extend(events_of::<DeviceAttested>(&meta));
    }

    assert_eq!(events.len(), 4, "one event per device, in order");
    for ((device, weight, minimum_io), event) in expected.iter().zip(&events) {
        assert_eq!(event.device, device.key);
        assert_eq!(device.weight, *weight);
        assert_eq!(event.weight, *weight);
        assert_eq!(event.minimum_stake, minimum_io * IO);
        assert_eq!(event.stake, device.minimum_stake);
        assert!(event.qualified);
        let unsettled = chain.device_state(device).availability.earnings.unsettled;
        assert_eq!(owed(&unsettled), vec![(0, *weight)]);
    }
    let record = chain.availability_epoch(0);
    assert_eq!(record.total_weight, 3_200 + 300 + 400 + 400);
    assert_eq!(record.qualified_passes, 4);
    let activity = chain.keeper_state(&keeper).activity;
    assert_eq!(activity.passes_attested, 4);
    assert_eq!(owed(&activity.earnings.unsettled), vec![(0, 4)]);
}

#[test]
fn a_device_below_its_minimum_stake_passes_without_weight_until_it_meets_it() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    // No pool at all, and a pool one base unit short of the minimum.
    let unpooled = chain.register_device(H100, 8);
    let short = chain.register_device(H100, 8);
    chain.open_pool(&short);
    chain.stake_self(&short, short.minimum_stake - 1);

    let meta = succeeded(chain.attest(&keeper, &[&unpooled, &short], &[]));

    let events: Vec<DeviceAttested> = events_of(&meta);
    assert_eq!(
        events
            .iter()
            .map(|event| (event.qualified, event.weight, event.stake))
            .collect::<Vec<_>>(),
        vec![(false, 0, 0), (false, 0, short.minimum_stake - 1)]
    );
    for device in [&unpooled, &short] {
        let availability = chain.device_state(device).availability;
        assert_eq!((availability.passes, availability.uptime_streak), (1, 1));
        assert_eq!(availability.reputation_bps, reputation(1, 0, 0));
        assert_eq!(availability.last_pass_epoch, 0);
        assert!(!availability.earnings.is_owed(), "no weight, no reward");
    }
    let record = chain.availability_epoch(0);
    assert_eq!(
        (
            record.total_weight,
            record.qualified_passes,
            record.unqualified_passes
        ),
        (0, 0, 2)
    );
    let activity = chain.keeper_state(&keeper).activity;
    assert_eq!(activity.passes_attested, 2);
    assert!(!activity.earnings.is_owed(), "no qualified pass, no tip");

    // Meeting the minimum (the last unit self-staked; co-stake counts as well) qualifies the
    // device from its next pass.
    chain.stake_self(&short, 1);
    chain.open_pool(&unpooled);
    chain.stake_self(&unpooled, unpooled.minimum_stake / 2);
    chain.co_stake(&unpooled, unpooled.minimum_stake / 2);
    chain.next_epoch();
    let meta = succeeded(chain.attest(&keeper, &[&unpooled, &short], &[]));
    for event in events_of::<DeviceAttested>(&meta) {
        assert!(event.qualified);
        assert_eq!((event.weight, event.stake), (3_200, 3_200 * IO));
        assert_eq!(event.uptime_streak, 2);
    }
    let record = chain.availability_epoch(1);
    assert_eq!((record.total_weight, record.qualified_passes), (6_400, 2));
    for device in [&unpooled, &short] {
        let unsettled = chain.device_state(device).availability.earnings.unsettled;
        assert_eq!(owed(&unsettled), vec![(1, 3_200)]);
    }
}

#[test]
fn stake_cooling_down_does_not_count_towards_the_minimum() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(RTX_4090, 2);
    let unstake = ix::unstake_self(&device.owner.pubkey(), &device.pool(), &device.key, 1);
    succeeded(chain.send(unstake, &[&device.owner]));

    let meta = succeeded(chain.attest(&keeper, &[&device], &[]));

    let event: DeviceAttested = only_event(&meta);
    assert!(!event.qualified);
    assert_eq!((event.weight, event.stake), (0, device.minimum_stake - 1));
}

#[test]
fn the_uptime_streak_counts_consecutive_passes_and_a_missed_epoch_restarts_it() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.register_device(H100, 8);
    let mut expected = Vec::new();
    // Passes in epochs 0, 1, 2, none in 3, then 4 and 5.
    for epoch in [0, 1, 2, 4, 5] {
        if epoch > 0 {
            chain.enter_epoch(epoch);
        }
        let meta = succeeded(chain.attest(&keeper, &[&device], &[]));
        let event: DeviceAttested = only_event(&meta);
        let availability = chain.device_state(&device).availability;
        expected.push((epoch, availability.uptime_streak));
        assert_eq!(event.uptime_streak, availability.uptime_streak);
        assert_eq!(availability.last_pass_epoch, epoch);
        assert_eq!(
            availability.reputation_bps,
            reputation(availability.passes, 0, 0)
        );
        assert_eq!(event.reputation_bps, availability.reputation_bps);
    }
    assert_eq!(expected, vec![(0, 1), (1, 2), (2, 3), (4, 1), (5, 2)]);
    let availability = chain.device_state(&device).availability;
    assert_eq!(availability.longest_uptime_streak, 3);
    assert_eq!(availability.passes, 5);
    assert_eq!(availability.reputation_bps, 10_000 * 5 / 29);
}
