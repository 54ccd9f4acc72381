//! `end_epoch`: anyone closes ended epochs, strictly in order, 1 to 12 per transaction, each into
//! its own `["epoch", epoch]` record; the schedule's emission goes to the four reward pools and the
//! crank tip, to the base unit, and never past what the schedule defines.

use {
    crate::common::*,
    anchor_lang::{prelude::Pubkey, solana_program::instruction::AccountMeta, Space},
    iotoken::{
        errors::IotokenError,
        math::{
            emission::{cumulative_emission, epoch_mint, schedule_total},
            presets::{decay_preset, halving_preset, MONTH_EPOCHS},
            GENESIS_SUPPLY,
        },
        state::EpochRecord,
    },
    solana_signer::Signer,
};

/// The test schedule's first epoch, split by hand: 60 / 25 / 10 / 5 %, the availability pool
/// taking the rounding remainder and the keepers' share paying the 10 IO tip.
const EPOCH_0_POOLS: [u64; 4] = [
    74_074_073_408,
    30_864_197_253,
    12_345_678_901,
    5_172_839_450,
];

fn end_epoch_with(chain: &mut Chain, records: &[AccountMeta]) -> litesvm::types::TransactionResult {
    let cranker = chain.cranker.insecure_clone();
    let tip = chain.cranker_io;
    chain.send(ix::end_epoch(&cranker.pubkey(), &tip, records), &[&cranker])
}

#[test]
fn end_epoch_mints_the_pools_and_the_tip_exactly_and_records_the_epoch() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + HOUR);

    let records = chain.crank_checked(1);

    assert_eq!(chain.pool_balances(), EPOCH_0_POOLS);
    assert_eq!(chain.token_balance(&chain.cranker_io), CRANK_TIP);
    assert_eq!(EPOCH_0_POOLS.iter().sum::<u64>() + CRANK_TIP, RATE_A);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY + RATE_A);
    let by_math = epoch_mint(
        RATE_A,
        0,
        0,
        GENESIS_SUPPLY,
        &mint_params(&default_emission()),
    )
    .expect("a mint");
    assert_eq!(
        (by_math.pools, by_math.crank_tip),
        (EPOCH_0_POOLS, CRANK_TIP)
    );

    let record = &records[0];
    assert_eq!(
        (record.epoch, record.start_time, record.end_time),
        (0, ORIGIN, ORIGIN + HOUR)
    );
    assert_eq!(
        (record.scheduled_emission, record.net_emission),
        (RATE_A, 0)
    );
    assert_eq!(record.pools, EPOCH_0_POOLS);
    assert_eq!(record.crank_tip, CRANK_TIP);
    assert_eq!(record.cranked_by, chain.cranker.pubkey());
    assert_eq!(record.cranked_at, ORIGIN + HOUR);
    assert_eq!(record.supply_after, GENESIS_SUPPLY + RATE_A);
    let record_key = pda::epoch(0);
    assert_eq!(chain.account(&record_key).owner, iotoken::ID);
    assert_eq!(
        chain.balance(&record_key),
        chain.rent(8 + EpochRecord::INIT_SPACE)
    );
    let ledger = chain.ledger();
    assert_eq!(
        (ledger.next_epoch, ledger.cumulative_scheduled),
        (1, RATE_A)
    );
    assert_eq!((ledger.cumulative_net, ledger.net_backlog), (0, 0));
}

#[test]
fn end_epoch_before_the_epoch_ends_fails_with_epoch_not_ended() {
    let mut chain = Chain::emitting();
    for time in [NOW, ORIGIN + HOUR - 1] {
        chain.set_time(time);
        assert_fails(chain.try_crank(1), IotokenError::EpochNotEnded);
    }
    // Epoch 0 has ended but epoch 1 has not: asking for both closes neither.
    chain.set_time(ORIGIN + HOUR);
    assert_fails(chain.try_crank(2), IotokenError::EpochNotEnded);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);
    assert!(!chain.exists(&pda::epoch(0)));
    assert_eq!(chain.ledger().next_epoch, 0);
    chain.crank_checked(1);
}

#[test]
fn cranking_a_closed_epoch_again_fails_with_epoch_record_mismatch() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + HOUR);
    chain.crank_checked(1);
    // Right away (the next epoch has not ended) and later (it has), the closed epoch's record
    // is refused by name.
    let again = end_epoch_with(&mut chain, &pda::epoch_records(0..1));
    assert_fails(again, IotokenError::EpochRecordMismatch);

    chain.set_time(ORIGIN + 3 * HOUR);
    let pools_before = chain.pool_balances();
    let supply_before = chain.io_supply();

    let again = end_epoch_with(&mut chain, &pda::epoch_records(0..1));
    assert_fails(again, IotokenError::EpochRecordMismatch);
    // Skipping ahead, or passing the right record read-only, is refused the same way.
    let skipping = end_epoch_with(&mut chain, &pda::epoch_records(2..3));
    assert_fails(skipping, IotokenError::EpochRecordMismatch);
    let read_only = end_epoch_with(
        &mut chain,
        &[AccountMeta::new_readonly(pda::epoch(1), false)],
    );
    assert_fails(read_only, IotokenError::EpochRecordMismatch);
    let stranger = Pubkey::new_unique();
    let not_a_pda = end_epoch_with(&mut chain, &[AccountMeta::new(stranger, false)]);
    assert_fails(not_a_pda, IotokenError::EpochRecordMismatch);

    assert_eq!(chain.pool_balances(), pools_before);
    assert_eq!(chain.io_supply(), supply_before);
    assert_eq!(chain.ledger().next_epoch, 1);
    let record = chain.epoch_record(0);
    assert_eq!(
        record.cranked_at,
        ORIGIN + HOUR,
        "the record is never rewritten"
    );
    chain.crank_checked(2);
}

#[test]
fn end_epoch_takes_one_to_twelve_records_else_invalid_epoch_count() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + 20 * HOUR);

    let none = end_epoch_with(&mut chain, &[]);
    assert_fails(none, IotokenError::InvalidEpochCount);
    let thirteen = end_epoch_with(&mut chain, &pda::epoch_records(0..13));
    assert_fails(thirteen, IotokenError::InvalidEpochCount);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);

    chain.crank_checked(12);
    assert_eq!(chain.ledger().next_epoch, 12);
}

#[test]
fn end_epoch_before_genesis_fails_with_genesis_not_minted() {
    let mut chain = Chain::initialized();
    chain.create_pools();
    chain.seal(&test_rows());
    let cranker = chain.cranker.pubkey();
    chain.cranker_io = chain.create_token_account(&pda::io_mint(), &cranker);
    chain.set_time(ORIGIN + 2 * HOUR);

    assert_fails(chain.try_crank(1), IotokenError::GenesisNotMinted);
    assert_eq!(chain.io_supply(), 0);
}

#[test]
fn end_epoch_before_the_schedule_is_sealed_fails_with_schedule_not_sealed() {
    let mut chain = Chain::with_genesis();
    let authority = chain.authority.pubkey();
    succeeded(chain.send_as_authority(ix::append_rows(&authority, test_rows())));
    chain.set_time(ORIGIN + 2 * HOUR);

    assert_fails(chain.try_crank(1), IotokenError::ScheduleNotSealed);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);
}

#[test]
fn a_tip_destination_of_another_mint_fails_with_wrong_mint() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + HOUR);
    let cranker = chain.cranker.pubkey();
    chain.cranker_io = chain.create_token_account(&pda::iosd_mint(), &cranker);

    assert_fails(chain.try_crank(1), IotokenError::WrongMint);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);
    assert_eq!(chain.iosd_supply(), 0);
}

#[test]
fn thirty_missed_epochs_catch_up_in_three_transactions() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + 30 * HOUR + 5);
    let expected_total: u64 = chain
        .expected_mints(30)
        .iter()
        .map(|(_, mint, _)| mint.total())
        .sum();

    for count in [12, 12, 6] {
        chain.crank_checked(count);
    }

    assert_eq!(expected_total, 30 * RATE_A);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY + 30 * RATE_A);
    assert_eq!(chain.token_balance(&chain.cranker_io), 30 * CRANK_TIP);
    assert_eq!(chain.pool_balances(), EPOCH_0_POOLS.map(|pool| 30 * pool));
    let ledger = chain.ledger();
    assert_eq!(ledger.next_epoch, 30);
    assert_eq!(ledger.cumulative_scheduled, 30 * RATE_A);
    for epoch in 0..30 {
        assert_eq!(chain.epoch_record(epoch).epoch, epoch);
    }
    // Epoch 30 is still running.
    assert_fails(chain.try_crank(1), IotokenError::EpochNotEnded);
}

#[test]
fn a_record_address_pre_funded_by_an_attacker_is_still_created() {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + 2 * HOUR);
    let record_rent = chain.rent(8 + EpochRecord::INIT_SPACE);
    // Some lamports at epoch 0's address, more than the rent at epoch 1's.
    let (dust, plenty) = (1_000_000, 10 * record_rent);
    chain.svm.airdrop(&pda::epoch(0), dust).expect("airdrop");
    chain.svm.airdrop(&pda::epoch(1), plenty).expect("airdrop");
    let cranker = chain.cranker.pubkey();
    let lamports_before = chain.balance(&cranker);
    let expected = chain.expected_mints(2);

    succeeded(chain.try_crank(2));

    for (epoch, mint, supply_after) in expected {
        let record = chain.epoch_record(epoch);
        assert_eq!(record.epoch, epoch);
        assert_eq!(record.pools, mint.pools);
        assert_eq!(record.supply_after, supply_after);
        assert_eq!(
            chain.account(&pda::epoch(epoch)).data.len(),
            8 + EpochRecord::INIT_SPACE
        );
    }
    assert_eq!(chain.balance(&pda::epoch(0)), record_rent);
    assert_eq!(chain.balance(&pda::epoch(1)), plenty, "the excess stays");
    assert_eq!(
        lamports_before - chain.balance(&cranker),
        (record_rent - dust) + FEE_PER_SIGNATURE,
        "the cranker tops up only what is missing"
    );
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY + 2 * RATE_A);
}

#[test]
fn emission_never_exceeds_the_schedule_over_its_whole_life() {
    // 5 epochs at A, 5 at B, then the end: cranked in uneven batches well past the end.
    let rows = vec![
        row(ORIGIN, RATE_A),
        row(ORIGIN + 5 * HOUR, RATE_B),
        row(ORIGIN + 10 * HOUR, 0),
    ];
    let total = schedule_total(&rows).expect("valid");
    assert_eq!(total, 5 * RATE_A + 5 * RATE_B);
    let mut chain = Chain::with_genesis();
    chain.seal(&rows);
    chain.set_time(ORIGIN + 16 * HOUR);

    for count in [1, 3, 2, 7, 3] {
        chain.crank_checked(count);
        let ledger = chain.ledger();
        let defined = cumulative_emission(&rows, 0, ledger.next_epoch).expect("a sum");
        assert_eq!(ledger.cumulative_scheduled as u128, defined);
        assert!(ledger.cumulative_scheduled <= chain.schedule().total_emission);
        assert_eq!(
            chain.io_supply(),
            GENESIS_SUPPLY + ledger.cumulative_scheduled
        );
    }
    assert_eq!(chain.ledger().next_epoch, 16);
    assert_eq!(chain.ledger().cumulative_scheduled, total);
    // Past the end, epochs close with nothing minted and no tip.
    let last = chain.epoch_record(15);
    assert_eq!((last.scheduled_emission, last.crank_tip), (0, 0));
    assert_eq!(last.pools, [0; 4]);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY + total);
}

#[test]
fn the_presets_mint_exactly_their_cumulative_emission_across_a_row_boundary() {
    // Decay: sealed 5 hours before the end of month one, cranked 12 epochs into month two.
    let decay = decay_preset(ORIGIN);
    let first = MONTH_EPOCHS - 5;
    let mut chain = Chain::with_genesis();
    chain.set_time(ORIGIN + first as i64 * HOUR + 60);
    chain.seal(&decay);
    assert_eq!(chain.ledger().first_epoch, first);
    chain.set_time(ORIGIN + (first + 12) as i64 * HOUR);
    chain.crank_checked(12);
    let defined = cumulative_emission(&decay, first, first + 12).expect("a sum");
    assert_eq!(
        defined,
        5 * decay[0].emission_per_epoch as u128 + 7 * decay[1].emission_per_epoch as u128
    );
    assert_eq!(chain.ledger().cumulative_scheduled as u128, defined);
    assert_eq!((chain.io_supply() - GENESIS_SUPPLY) as u128, defined);

    // Halving: sealed on 2026-01-01, the first hour of the second period.
    let halving = halving_preset();
    let mut chain = Chain::with_genesis();
    chain.set_time(ORIGIN);
    chain.seal(&halving);
    let first = chain.ledger().first_epoch;
    chain.set_time(ORIGIN + 12 * HOUR);
    // The schedule's origin is 2024-01-01, not ORIGIN: check records by the halving's epochs.
    let expected = chain.expected_mints(12);
    succeeded(chain.try_crank(12));
    let defined = cumulative_emission(&halving, first, first + 12).expect("a sum");
    assert_eq!(defined, 12 * halving[1].emission_per_epoch as u128);
    assert_eq!(chain.ledger().cumulative_scheduled as u128, defined);
    assert_eq!(
        chain.io_supply(),
        expected.last().expect("twelve").2,
        "supply as the math says"
    );
    let record = chain.epoch_record(first);
    assert_eq!(record.start_time, ORIGIN);
    assert_eq!(record.scheduled_emission, halving[1].emission_per_epoch);
}
