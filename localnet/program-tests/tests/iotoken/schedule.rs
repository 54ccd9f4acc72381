//! The emission schedule: rows appended by the authority (aligned to hours, strictly increasing,
//! at most 256), sealed once it ends at zero within the 300M IO budget, then only lowered, and only
//! rows that have not started.

use {
    crate::common::*,
    iotoken::{
        errors::IotokenError,
        events::{ScheduleRowLowered, ScheduleRowsAppended, ScheduleSealed},
        math::{
            emission::schedule_total,
            presets::{decay_preset, halving_preset},
            EMISSION_BUDGET,
        },
        state::MAX_SCHEDULE_ROWS,
        EmissionRow,
    },
    solana_signer::Signer,
};

fn append(chain: &mut Chain, rows: Vec<EmissionRow>) -> litesvm::types::TransactionResult {
    let authority = chain.authority.pubkey();
    chain.send_as_authority(ix::append_rows(&authority, rows))
}

fn seal(chain: &mut Chain) -> litesvm::types::TransactionResult {
    let authority = chain.authority.pubkey();
    chain.send_as_authority(ix::seal_schedule(&authority))
}

/// `count` rows an hour apart from `ORIGIN`, decreasing, the last one zero.
fn hourly_rows(count: usize) -> Vec<EmissionRow> {
    (0..count)
        .map(|i| {
            let rate = if i + 1 == count {
                0
            } else {
                1_000 + (count - i) as u64
            };
            row(ORIGIN + i as i64 * HOUR, rate)
        })
        .collect()
}

#[test]
fn append_rows_in_chunks_then_seal_records_the_total_and_the_first_epoch() {
    let mut chain = Chain::with_genesis();
    let rows = test_rows();

    let first = succeeded(append(&mut chain, rows[..1].to_vec()));
    let second = succeeded(append(&mut chain, rows[1..].to_vec()));

    let appended: ScheduleRowsAppended = only_event(&first);
    assert_eq!(
        (appended.first_index, appended.rows),
        (0, rows[..1].to_vec())
    );
    let appended: ScheduleRowsAppended = only_event(&second);
    assert_eq!(
        (appended.first_index, appended.rows),
        (1, rows[1..].to_vec())
    );
    assert_eq!(chain.schedule().rows, rows);
    assert!(!chain.schedule().sealed);

    // Sealed two and a half hours in: epoch 2 is the first the crank will close.
    chain.set_time(ORIGIN + 2 * HOUR + 1_800);
    let sealed = succeeded(seal(&mut chain));

    let total = RATE_A_EPOCHS * RATE_A + RATE_B_EPOCHS * RATE_B;
    assert_eq!(total, 10_666_666_613_808);
    let schedule = chain.schedule();
    assert!(schedule.sealed);
    assert_eq!(schedule.total_emission, total);
    let ledger = chain.ledger();
    assert_eq!(
        (ledger.first_epoch, ledger.next_epoch, ledger.burn_epoch),
        (2, 2, 2)
    );
    let event: ScheduleSealed = only_event(&sealed);
    assert_eq!(
        (event.row_count, event.total_emission, event.first_epoch),
        (3, total, 2)
    );

    let after_seal = append(&mut chain, vec![row(ORIGIN + 200 * HOUR, 0)]);
    assert_fails(after_seal, IotokenError::ScheduleSealed);
    let resealed = seal(&mut chain);
    assert_fails(resealed, IotokenError::ScheduleSealed);
    assert_eq!(chain.schedule().rows, rows);
}

#[test]
fn the_decay_and_halving_presets_append_in_chunks_and_seal() {
    for (name, rows) in [
        ("decay", decay_preset(ORIGIN)),
        ("halving", halving_preset()),
    ] {
        let mut chain = Chain::with_genesis();
        assert!(rows.len() <= MAX_SCHEDULE_ROWS, "{name}");

        chain.seal(&rows);

        let schedule = chain.schedule();
        assert!(schedule.sealed, "{name}");
        assert_eq!(schedule.rows, rows, "{name}");
        let expected_total = schedule_total(&rows).expect("a preset is a valid schedule");
        assert_eq!(schedule.total_emission, expected_total, "{name}");
        if name == "decay" {
            assert_eq!(schedule.total_emission, EMISSION_BUDGET);
            assert_eq!(rows.len(), 200);
            assert_eq!(chain.ledger().first_epoch, 0);
        } else {
            assert_eq!(rows.len(), 37);
            // Sealed on 2026-01-01, two years (731 days) after the preset's start.
            assert_eq!(chain.ledger().first_epoch, 731 * 24);
        }
    }
}

#[test]
fn misaligned_rows_fail_with_schedule_row_misaligned() {
    let mut chain = Chain::with_genesis();
    succeeded(append(&mut chain, vec![row(ORIGIN, 7)]));

    for start in [ORIGIN + 1_800, ORIGIN + HOUR + 1] {
        let result = append(&mut chain, vec![row(start, 0)]);
        assert_fails(result, IotokenError::ScheduleRowMisaligned);
    }
    let within_one_append = append(
        &mut chain,
        vec![row(ORIGIN + HOUR, 5), row(ORIGIN + 5_000, 0)],
    );
    assert_fails(within_one_append, IotokenError::ScheduleRowMisaligned);
    assert_eq!(chain.schedule().rows, vec![row(ORIGIN, 7)]);
}

#[test]
fn rows_out_of_order_fail_with_schedule_rows_not_increasing() {
    let mut chain = Chain::with_genesis();
    succeeded(append(
        &mut chain,
        vec![row(ORIGIN, 7), row(ORIGIN + 10 * HOUR, 5)],
    ));

    for rows in [
        vec![row(ORIGIN + 10 * HOUR, 0)],
        vec![row(ORIGIN + 9 * HOUR, 0)],
        vec![row(ORIGIN + 12 * HOUR, 3), row(ORIGIN + 11 * HOUR, 0)],
    ] {
        let result = append(&mut chain, rows);
        assert_fails(result, IotokenError::ScheduleRowsNotIncreasing);
    }
    assert_eq!(chain.schedule().rows.len(), 2);
}

#[test]
fn the_257th_row_fails_with_schedule_full() {
    let mut chain = Chain::with_genesis();
    let rows = hourly_rows(MAX_SCHEDULE_ROWS);
    for chunk in rows.chunks(40) {
        succeeded(append(&mut chain, chunk.to_vec()));
    }
    assert_eq!(chain.schedule().rows.len(), 256);

    let extra = row(ORIGIN + MAX_SCHEDULE_ROWS as i64 * HOUR, 0);
    let result = append(&mut chain, vec![extra]);

    assert_fails(result, IotokenError::ScheduleFull);
    assert_eq!(chain.schedule().rows, rows);
    // 256 rows make a valid schedule.
    succeeded(seal(&mut chain));
    assert_eq!(
        chain.schedule().total_emission,
        schedule_total(&rows).expect("valid")
    );
}

#[test]
fn sealing_an_invalid_schedule_fails_by_name() {
    let mut chain = Chain::with_genesis();
    let empty = seal(&mut chain);
    assert_fails(empty, IotokenError::ScheduleEmpty);
    let no_rows = append(&mut chain, Vec::new());
    assert_fails(no_rows, IotokenError::ScheduleEmpty);

    succeeded(append(
        &mut chain,
        vec![
            row(ORIGIN, EMISSION_BUDGET / 2),
            row(ORIGIN + HOUR, EMISSION_BUDGET / 4 + 1),
        ],
    ));
    let without_end = seal(&mut chain);
    assert_fails(without_end, IotokenError::ScheduleWithoutEnd);

    // One epoch at half the budget, two at one unit more than a quarter: 2 base units too much.
    succeeded(append(&mut chain, vec![row(ORIGIN + 3 * HOUR, 0)]));
    let over_budget = seal(&mut chain);
    assert_fails(over_budget, IotokenError::ScheduleExceedsBudget);
    assert!(!chain.schedule().sealed);

    let stranger = chain.funded_keypair();
    let by_stranger = chain.send(ix::seal_schedule(&stranger.pubkey()), &[&stranger]);
    assert_fails(by_stranger, IotokenError::NotConfigAuthority);
    let append_by_stranger = chain.send(
        ix::append_rows(&stranger.pubkey(), vec![row(ORIGIN + 4 * HOUR, 0)]),
        &[&stranger],
    );
    assert_fails(append_by_stranger, IotokenError::NotConfigAuthority);
}

#[test]
fn a_schedule_of_exactly_the_budget_seals() {
    let mut chain = Chain::with_genesis();
    succeeded(append(
        &mut chain,
        vec![
            row(ORIGIN, EMISSION_BUDGET / 2),
            row(ORIGIN + HOUR, EMISSION_BUDGET / 4),
            row(ORIGIN + 3 * HOUR, 0),
        ],
    ));
    succeeded(seal(&mut chain));
    assert_eq!(chain.schedule().total_emission, EMISSION_BUDGET);
}

#[test]
fn lower_schedule_row_lowers_only_future_rows_and_the_total() {
    let mut chain = Chain::emitting();
    let authority = chain.authority.pubkey();
    let total_before = chain.schedule().total_emission;

    let started = chain.send_as_authority(ix::lower_row(&authority, 0, RATE_A - 1));
    assert_fails(started, IotokenError::ScheduleRowStarted);
    let raised = chain.send_as_authority(ix::lower_row(&authority, 1, RATE_B + 1));
    assert_fails(raised, IotokenError::ScheduleRowNotLowered);
    let unchanged = chain.send_as_authority(ix::lower_row(&authority, 1, RATE_B));
    assert_fails(unchanged, IotokenError::ScheduleRowNotLowered);
    let missing = chain.send_as_authority(ix::lower_row(&authority, 3, 0));
    assert_fails(missing, IotokenError::ScheduleRowNotFound);
    let stranger = chain.funded_keypair();
    let by_stranger = chain.send(ix::lower_row(&stranger.pubkey(), 1, 1), &[&stranger]);
    assert_fails(by_stranger, IotokenError::NotConfigAuthority);
    assert_eq!(chain.schedule().rows, test_rows());

    let lowered_rate = RATE_B / 3;
    let meta = succeeded(chain.send_as_authority(ix::lower_row(&authority, 1, lowered_rate)));

    let schedule = chain.schedule();
    assert_eq!(schedule.rows[1].emission_per_epoch, lowered_rate);
    let total_after = RATE_A_EPOCHS * RATE_A + RATE_B_EPOCHS * lowered_rate;
    assert_eq!(schedule.total_emission, total_after);
    assert_eq!(
        total_before - total_after,
        RATE_B_EPOCHS * (RATE_B - lowered_rate)
    );
    let event: ScheduleRowLowered = only_event(&meta);
    assert_eq!(event.index, 1);
    assert_eq!(event.start_time, ORIGIN + RATE_A_EPOCHS as i64 * HOUR);
    assert_eq!(event.emission_per_epoch_before, RATE_B);
    assert_eq!(event.emission_per_epoch_after, lowered_rate);
    assert_eq!(event.total_emission_after, total_after);

    // Once its start time has come, the row can no longer change.
    chain.set_time(ORIGIN + RATE_A_EPOCHS as i64 * HOUR);
    let now_started = chain.send_as_authority(ix::lower_row(&authority, 1, 0));
    assert_fails(now_started, IotokenError::ScheduleRowStarted);
}
