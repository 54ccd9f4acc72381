//! Reservations from booking to close, one per way a booking ends: completed, cancelled (started
//! or not), failed by a keeper quorum, abandoned by its agent, and extended. Every step checks
//! the balances, the ledger and the vault invariant.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    market::{
        errors::MarketError,
        events::{BookingSettled, DeviceBooked, RefundClaimed, ReservationClosed},
        state::{BookingCharges, PaymentToken},
    },
    registry::{events::DeviceReleased, state::ReservationOutcome},
    solana_signer::Signer,
};

/// Books `devices` into a new `token` reservation of `hours` for a new renter, paying exactly the
/// expected quote; returns the renter, the reservation, the expected charges and the books.
fn booked(
    chain: &mut Chain,
    token: PaymentToken,
    hours: u32,
    devices: &[&MarketDevice],
    tips: &Pubkey,
) -> (Renter, Res, BookingCharges, Books) {
    let renter = chain.renter();
    let res = chain.create(&renter, token, hours);
    let mut books = books_for(chain, &res, devices, &[("settler's tips", *tips)]);
    books.check(chain, &res);
    let charges = expect::charges(PRICE_PER_HOUR, hours, token);
    let quote = expect::total(&charges) * devices.len() as u64;
    let meta = succeeded(chain.book(&renter, &res, devices, quote));
    let now = chain.now();
    let booked: Vec<DeviceBooked> = events_of(&meta);
    assert_eq!(booked.len(), devices.len());
    for (event, device) in booked.iter().zip(devices) {
        assert_eq!(event.device, device.key());
        assert_eq!(event.charges, charges);
        assert_eq!(event.price_per_hour, PRICE_PER_HOUR);
        let booking = chain.booking(&res, device);
        assert_eq!(booking.charges, charges);
        assert_eq!(booking.booked_at, now);
        assert_eq!(booking.ack_deadline, now + ACK_GRACE);
        assert_eq!(booking.ends_at, now + hours as i64 * HOUR);
        assert_eq!(booking.owner, device.device.owner.pubkey());
        assert_eq!(chain.device_account(device).reservation, res.key);
        books.paid(&res, &charges);
    }
    let reservation = chain.reservation(&res);
    assert_eq!(reservation.bookings_open, devices.len() as u32);
    books.check(chain, &res);
    (renter, res, charges, books)
}

/// The settlement event of `device` in `events`.
fn settled_event<'a>(events: &'a [BookingSettled], device: &MarketDevice) -> &'a BookingSettled {
    events
        .iter()
        .find(|event| event.device == device.key())
        .expect("the device's booking settled")
}

#[test]
fn a_completed_reservation_pays_owners_fees_tips_and_refunds_the_late_start() {
    let mut chain = Chain::new();
    let a = chain.device(true);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, charges, mut books) =
        booked(&mut chain, PaymentToken::Iosd, 3, &[&a, &b], &tips);
    let booked_at = chain.now();

    // The agents start 45 and 90 seconds late: that time is refunded.
    chain.advance(45);
    succeeded(chain.ack(&res, &a));
    chain.advance(45);
    succeeded(chain.ack(&res, &b));
    assert_eq!(chain.booking(&res, &a).started_at, booked_at + 45);
    assert_eq!(chain.booking(&res, &b).started_at, booked_at + 90);
    books.check(&chain, &res);

    let renter_lamports = chain.balance(&res.renter);
    let booking_rent = chain.balance(&res.booking(&a));
    chain.set_time(booked_at + 3 * HOUR);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a, &b]));
    let settled: Vec<BookingSettled> = events_of(&meta);
    let booked_secs = 3 * HOUR;
    for (device, late) in [(&a, 45), (&b, 90)] {
        // IOSD: no stakers' share, even for the co-staked device.
        let split = expect::split(charges.time, booked_secs - late, booked_secs, 0);
        assert!(split.refund > 0 && split.owner_pay > 0);
        let event = settled_event(&settled, device);
        assert_eq!(event.outcome, ReservationOutcome::Completed);
        assert_eq!(event.delivered_secs, (booked_secs - late) as u64);
        assert_eq!(event.booked_secs, booked_secs as u64);
        assert_eq!(
            (
                event.owner_pay,
                event.staker_share,
                event.network_fee,
                event.refund
            ),
            (
                split.owner_pay,
                split.staker_share,
                split.network_fee,
                split.refund
            )
        );
        assert_eq!(event.tip, charges.tip);
        assert_eq!(event.slashed, 0);
        books.settled(&chain, &res, device, &tips, &charges, split);
        assert!(!chain.exists(&res.booking(device)));
        let state = chain.device_account(device);
        assert_eq!(state.reservation, Pubkey::default());
        assert_eq!(
            (
                state.availability.reservations_completed,
                state.availability.failures,
                state.availability.reputation_bps
            ),
            (1, 0, expect::reputation(0, 0, 1))
        );
    }
    let released: Vec<DeviceReleased> = events_of(&meta);
    assert_eq!(released.len(), 2);
    assert!(released
        .iter()
        .all(|event| event.outcome == ReservationOutcome::Completed
            && event.reservations_completed == 1));
    books.check(&chain, &res);
    let reservation = chain.reservation(&res);
    assert_eq!(
        (reservation.bookings_made, reservation.bookings_open),
        (2, 0)
    );
    // The bookings' rent went back to the renter, who paid nothing for the settlement.
    assert_eq!(
        chain.balance(&res.renter),
        renter_lamports + 2 * booking_rent
    );

    // The late starts' refunds wait in the vault for the renter, who claims them before closing.
    assert!(books.refund_owed() > 0);
    assert_fails(chain.close(&renter, &res), MarketError::RefundsUnclaimed);
    let claimed: RefundClaimed = only_event_of(&succeeded(chain.claim(&renter, &res, &res.wallet)));
    assert_eq!(claimed.amount, books.refund_owed());
    books.claimed(&res, &res.wallet);
    assert_eq!(claimed.refunds_claimed_after, books.ledger.refunds_claimed);
    books.check(&chain, &res);
    assert_fails(
        chain.claim(&renter, &res, &res.wallet),
        MarketError::NoRefundOwed,
    );

    // Closing returns the reservation's and the vault's rent.
    let lamports = chain.balance(&res.renter);
    let rent = chain.balance(&res.key) + chain.balance(&res.vault());
    let meta = succeeded(chain.send(
        ix::close_reservation(&renter.key(), res.id, &res.mint),
        &[&renter.keypair],
    ));
    let closed: ReservationClosed = only_event_of(&meta);
    assert_eq!(closed.ledger, books.ledger);
    assert!(!chain.exists(&res.key));
    assert!(!chain.exists(&res.vault()));
    assert_eq!(
        chain.balance(&res.renter),
        lamports + rent - FEE_PER_SIGNATURE
    );
}

#[test]
fn a_cancellation_after_the_start_pays_the_first_hour_and_refunds_the_rest() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, charges, mut books) = booked(&mut chain, PaymentToken::Iosd, 4, &[&a], &tips);
    let booked_at = chain.now();
    chain.advance(30);
    succeeded(chain.ack(&res, &a));

    // Cancelled twenty minutes in: the first hour is not refundable.
    chain.set_time(booked_at + 20 * 60);
    succeeded(chain.cancel(&renter, &res));
    assert_eq!(chain.reservation(&res).cancelled_at, booked_at + 20 * 60);
    assert_fails(
        chain.cancel(&renter, &res),
        MarketError::ReservationCancelled,
    );
    assert_fails(chain.ack(&res, &a), MarketError::ReservationCancelled);
    books.check(&chain, &res);

    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let delivered = HOUR - 30;
    let split = expect::split(charges.time, delivered, 4 * HOUR, 0);
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Cancelled);
    assert_eq!(event.delivered_secs, delivered as u64);
    assert_eq!(event.refund, split.refund);
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.check(&chain, &res);
    let availability = chain.device_account(&a).availability;
    assert_eq!(
        (availability.reservations_completed, availability.failures),
        (0, 0)
    );
}

/// A renter who never claims its refund or closes its reservation: for a week only the renter
/// may; then anyone (a keeper's clean bot) pays the refund into the renter's associated token
/// account, nowhere else, and closes the reservation, the rent of the reservation and its vault
/// going to the renter.
#[test]
fn an_idle_reservation_is_claimed_for_and_closed_by_anyone_after_a_week_to_the_renters_benefit() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, charges, mut books) = booked(&mut chain, PaymentToken::Iosd, 2, &[&a], &tips);
    chain.advance(30);
    succeeded(chain.ack(&res, &a));
    chain.advance(10 * 60);
    succeeded(chain.cancel(&renter, &res));
    succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let split = expect::split(charges.time, HOUR - 30, 2 * HOUR, 0);
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.check(&chain, &res);
    assert!(books.refund_owed() > 0);

    let renters_own = chain.associated_wallet(PaymentToken::Iosd, &renter.key());
    let strangers = chain.token_wallet(PaymentToken::Iosd, &keeper.pubkey());
    books.track(
        &chain,
        &[
            ("renter's associated account", renters_own),
            ("keeper's account", strangers),
        ],
    );
    let claim_into = |destination: &Pubkey| {
        ix::claim_refund_by(&keeper.pubkey(), &renter.key(), res.id, destination)
    };
    let close = ix::close_reservation_by(&keeper.pubkey(), &renter.key(), res.id, &res.mint);

    // Until a week after the latest booking's end, only the renter acts.
    let idle_from = chain.reservation(&res).public_close_at();
    assert_eq!(
        idle_from,
        chain.reservation(&res).last_ends_at + 7 * 24 * HOUR
    );
    chain.set_time(idle_from - 1);
    assert_fails(
        chain.send(claim_into(&renters_own), &[&keeper]),
        MarketError::ReservationNotIdle,
    );
    assert_fails(
        chain.send(close.clone(), &[&keeper]),
        MarketError::ReservationNotIdle,
    );
    books.check(&chain, &res);

    // Then anyone, but the refund goes only to the renter's associated account.
    chain.set_time(idle_from);
    for elsewhere in [strangers, res.wallet] {
        assert_fails(
            chain.send(claim_into(&elsewhere), &[&keeper]),
            MarketError::InvalidRenterAccount,
        );
    }
    assert_fails(
        chain.send(close.clone(), &[&keeper]),
        MarketError::RefundsUnclaimed,
    );
    let meta = succeeded(chain.send(claim_into(&renters_own), &[&keeper]));
    let claimed: RefundClaimed = only_event_of(&meta);
    assert_eq!(
        (claimed.renter, claimed.claimed_by, claimed.amount),
        (renter.key(), keeper.pubkey(), split.refund)
    );
    books.claimed(&res, &renters_own);
    books.check(&chain, &res);

    let rent = chain.balance(&res.key) + chain.balance(&res.vault());
    let renter_lamports = chain.balance(&renter.key());
    let meta = succeeded(chain.send(close, &[&keeper]));
    let closed: ReservationClosed = only_event_of(&meta);
    assert_eq!(
        (closed.renter, closed.closed_by),
        (renter.key(), keeper.pubkey())
    );
    books.closed(&chain, &res);
    books.check_balances(&chain);
    assert_eq!(chain.balance(&renter.key()), renter_lamports + rent);
    assert!(!chain.exists(&res.key) && !chain.exists(&res.vault()));
}

#[test]
fn a_cancellation_before_any_start_refunds_all_the_time_but_not_the_fees() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Usdc);
    let (renter, res, charges, mut books) = booked(&mut chain, PaymentToken::Usdc, 2, &[&a], &tips);
    chain.advance(100);
    succeeded(chain.cancel(&renter, &res));
    // Settled long after the start deadline: still a cancellation, not an abandonment.
    chain.advance(ACK_GRACE * 3);

    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Cancelled);
    assert_eq!((event.delivered_secs, event.refund), (0, charges.time));
    assert_eq!(event.slashed, 0);
    let split = expect::split(charges.time, 0, 2 * HOUR, 0);
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.check(&chain, &res);
    assert_eq!(chain.pool_state(&a).total_slashed, 0);
}

#[test]
fn a_failure_quorum_during_the_reservation_ends_it_slashes_and_refunds_the_rest() {
    let mut chain = Chain::new();
    let a = chain.device(true);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (_, res, charges, mut books) = booked(&mut chain, PaymentToken::Iosd, 3, &[&a], &tips);
    let booked_at = chain.now();
    succeeded(chain.ack(&res, &a));

    // Not settleable while it runs.
    assert_fails(
        chain.settle(&keeper, &tips, &res, &[&a]),
        MarketError::ReservationNotEnded,
    );
    // Three keepers find it down in the next epoch, as soon as its report window opens.
    chain.next_epoch();
    chain.fail(&a, 3);
    let failed_at = ORIGIN + HOUR + i64::from(grid_rules().report_after_secs);
    // The quorum is provisional until its epoch ends (a pass could override it): settling the
    // booking waits for it, whoever asks.
    assert_fails(
        chain.settle(&keeper, &tips, &res, &[&a]),
        MarketError::FailurePending,
    );
    books.check(&chain, &res);
    chain.next_epoch();

    // The slash is sized to the undelivered time, valued in IO at the current price.
    chain.publish_price();
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let delivered = failed_at - booked_at;
    let split = expect::split(charges.time, delivered, 3 * HOUR, 0);
    let slashed = expect::fault_slash(split.refund, PaymentToken::Iosd, a.total_stake());
    assert!(slashed > 0 && slashed < a.total_stake() / 10);
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Failed);
    assert_eq!(event.delivered_secs, delivered as u64);
    assert_eq!((event.refund, event.slashed), (split.refund, slashed));
    assert_eq!(
        (event.slash_basis, event.slash_io_price),
        (slashed, CONSERVATIVE_PRICE)
    );
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.debit(&a.stake_vault(), slashed);
    books.credit(&chain.io_treasury(), slashed);
    books.check(&chain, &res);
    let pool = chain.pool_state(&a);
    assert_eq!(pool.total_slashed, slashed);
    assert_eq!(pool.operator_stake, a.self_stake - slashed);
    // The failure was counted once, by the quorum, when the release touched the device.
    let availability = chain.device_account(&a).availability;
    assert_eq!(
        (availability.reservations_completed, availability.failures),
        (0, 1)
    );
    assert_eq!(availability.last_failure_epoch, 1);
}

#[test]
fn a_device_that_never_starts_is_slashed_and_the_renter_gets_all_its_time_back() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (_, res, charges, mut books) = booked(&mut chain, PaymentToken::Iosd, 2, &[&a, &b], &tips);
    succeeded(chain.ack(&res, &b));

    // Up to the deadline the agent may still start.
    chain.advance(ACK_GRACE);
    assert_fails(
        chain.settle(&keeper, &tips, &res, &[&a]),
        MarketError::ReservationNotEnded,
    );
    chain.advance(1);
    assert_fails(chain.ack(&res, &a), MarketError::StartDeadlinePassed);
    chain.publish_price();
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    let slashed = expect::fault_slash(charges.time, PaymentToken::Iosd, a.total_stake());
    assert_eq!(event.outcome, ReservationOutcome::NoShow);
    assert_eq!(
        (
            event.delivered_secs,
            event.refund,
            event.owner_pay,
            event.slashed
        ),
        (0, charges.time, 0, slashed)
    );
    let split = expect::split(charges.time, 0, 2 * HOUR, 0);
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.debit(&a.stake_vault(), slashed);
    books.credit(&chain.io_treasury(), slashed);
    books.check(&chain, &res);
    let released: DeviceReleased = only_event_of(&meta);
    assert_eq!(released.outcome, ReservationOutcome::NoShow);
    assert_eq!((released.failures, released.reservations_completed), (1, 0));
    assert_eq!(released.reputation_bps, expect::reputation(0, 1, 0));
    assert_eq!(chain.device_account(&a).availability.failures, 1);
    // The other device runs on.
    assert_eq!(chain.device_account(&b).reservation, res.key);
    assert_eq!(chain.reservation(&res).bookings_open, 1);
}

#[test]
fn an_extension_adds_hours_at_the_booked_price_and_settles_as_one_booking() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, charges, mut books) =
        booked(&mut chain, PaymentToken::Iosd, 2, &[&a, &b], &tips);
    let booked_at = chain.now();
    succeeded(chain.ack(&res, &a));
    succeeded(chain.ack(&res, &b));

    chain.advance(HOUR);
    let added = expect::charges(PRICE_PER_HOUR, 5, PaymentToken::Iosd);
    let quote = 2 * expect::total(&added);
    assert_fails(
        chain.extend(&renter, &res, &[&a, &b], 5, quote - 1),
        MarketError::PaymentBelowQuote,
    );
    succeeded(chain.extend(&renter, &res, &[&a, &b], 5, quote));
    let extended = BookingCharges {
        time: charges.time + added.time,
        reservation_fee: charges.reservation_fee + added.reservation_fee,
        payment_fee: charges.payment_fee + added.payment_fee,
        tip: charges.tip,
    };
    for device in [&a, &b] {
        let booking = chain.booking(&res, device);
        assert_eq!(booking.charges, extended);
        assert_eq!(booking.hours(), 7);
        assert_eq!(booking.ends_at, booked_at + 7 * HOUR);
        books.paid(&res, &added);
    }
    books.check(&chain, &res);

    chain.set_time(booked_at + 2 * HOUR);
    assert_fails(
        chain.settle(&keeper, &tips, &res, &[&a]),
        MarketError::ReservationNotEnded,
    );
    chain.set_time(booked_at + 7 * HOUR);
    assert_fails(
        chain.extend(&renter, &res, &[&a], 1, u64::MAX),
        MarketError::BookingEnded,
    );
    succeeded(chain.settle(&keeper, &tips, &res, &[&a, &b]));
    let split = expect::split(extended.time, 7 * HOUR, 7 * HOUR, 0);
    assert_eq!(split.refund, 0);
    for device in [&a, &b] {
        books.settled(&chain, &res, device, &tips, &extended, split);
    }
    books.check(&chain, &res);
}
