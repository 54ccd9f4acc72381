//! The attacks of the programs' security review on the market (findings C1, M2, M3, M4, L2, L3,
//! L4, L6), each performed against the program and shown to fail by a named error or to no longer
//! pay the attacker. Every balance is checked to the unit, with the vault invariant.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iogrid_program_tests::ix::staking::{unstake_self, withdraw_self},
    market::{
        errors::MarketError,
        events::{BookingSettled, ReservationClosed},
        state::{Booking, BookingCharges, PaymentToken},
    },
    registry::{events::DeviceReleased, state::ReservationOutcome},
    solana_signer::Signer,
    staking::errors::StakingError,
};

/// C1: tokens sent straight into a live reservation's vault (1 base unit, then a large amount)
/// no longer freeze it: booking more, extending, settling and closing all go on, the vault
/// holding its ledger's amount plus the gift, and the close sweeps the gift to the treasury.
#[test]
fn c1_a_transfer_into_the_vault_never_blocks_booking_extension_settlement_or_close() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let donor = chain.renter();
    let gift = donor.wallet(PaymentToken::Iosd);
    let res = chain.create(&renter, PaymentToken::Iosd, 2);
    let mut books = books_for(
        &chain,
        &res,
        &[&a, &b],
        &[("settler's tips", tips), ("donor's wallet", gift)],
    );
    let charges = expect::charges(PRICE_PER_HOUR, 2, PaymentToken::Iosd);
    succeeded(chain.book(&renter, &res, &[&a], expect::total(&charges)));
    books.paid(&res, &charges);
    succeeded(chain.ack(&res, &a));

    // One base unit: the review's attack, which failed every later instruction.
    chain.donate(&donor.keypair, &gift, &res, 1);
    books.donated(&res, &gift, 1);
    books.check(&chain, &res);
    chain.advance(60);
    succeeded(chain.book(&renter, &res, &[&b], expect::total(&charges)));
    books.paid(&res, &charges);
    succeeded(chain.ack(&res, &b));
    let b_booked = chain.now();
    books.check(&chain, &res);

    // A large amount too; then an extension.
    let large = 400_000 * 1_000_000;
    chain.donate(&donor.keypair, &gift, &res, large);
    books.donated(&res, &gift, large);
    let added = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    succeeded(chain.extend(&renter, &res, &[&a, &b], 1, 2 * expect::total(&added)));
    books.paid(&res, &added);
    books.paid(&res, &added);
    books.check(&chain, &res);

    // Both run to their ends and settle to the unit; the devices are released.
    let extended = BookingCharges {
        time: charges.time + added.time,
        reservation_fee: charges.reservation_fee + added.reservation_fee,
        payment_fee: charges.payment_fee + added.payment_fee,
        tip: charges.tip,
    };
    chain.set_time(b_booked + 3 * HOUR);
    succeeded(chain.settle(&keeper, &tips, &res, &[&a, &b]));
    // Each agent started at its booking: all three hours delivered.
    for device in [&a, &b] {
        let split = expect::split(extended.time, 3 * HOUR, 3 * HOUR, 0);
        books.settled(&chain, &res, device, &tips, &extended, split);
        assert_eq!(chain.device_account(device).reservation, Pubkey::default());
    }
    books.check(&chain, &res);
    assert_eq!(chain.token_balance(&res.vault()), large + 1);

    // The close sweeps the gift to the IOSD treasury and closes the vault.
    let meta = succeeded(chain.close(&renter, &res));
    let closed: ReservationClosed = only_event_of(&meta);
    assert_eq!(closed.surplus_swept, large + 1);
    assert_eq!(closed.treasury, chain.treasury(PaymentToken::Iosd));
    assert_eq!(closed.ledger, books.ledger);
    books.closed(&chain, &res);
    books.check_balances(&chain);
    assert!(!chain.exists(&res.key));
    assert!(!chain.exists(&res.vault()));
}

/// M2: the renter closes the token account it paid from (the one refunds used to be pushed
/// to, whose absence stopped every settlement and held the devices): a keeper still settles
/// every booking, the devices are released and their owners paid; the refunds wait in the vault
/// until the renter claims them into a new account of its own, once.
#[test]
fn m2_a_closed_renter_account_blocks_no_settlement_and_refunds_are_claimed_once() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Iosd, 4);
    let mut books = books_for(&chain, &res, &[&a, &b], &[("settler's tips", tips)]);
    let charges = expect::charges(PRICE_PER_HOUR, 4, PaymentToken::Iosd);
    succeeded(chain.book(&renter, &res, &[&a, &b], 2 * expect::total(&charges)));
    books.paid(&res, &charges);
    books.paid(&res, &charges);
    chain.advance(120);
    succeeded(chain.ack(&res, &a));
    succeeded(chain.ack(&res, &b));
    chain.advance(20 * 60);
    succeeded(chain.cancel(&renter, &res));

    // The renter empties and closes the account it paid from.
    let elsewhere = chain.token_wallet(PaymentToken::Iosd, &renter.key());
    chain.close_token_account(&renter.keypair, &res.wallet, &elsewhere);
    books.untrack(&res.wallet);
    books.check(&chain, &res);

    // A keeper settles both bookings: owners paid for the first hour, devices released, the
    // rest owed to the renter.
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a, &b]));
    let split = expect::split(charges.time, HOUR - 120, 4 * HOUR, 0);
    assert!(split.refund > 0 && split.owner_pay > 0);
    for event in events_of::<BookingSettled>(&meta) {
        assert_eq!(event.outcome, ReservationOutcome::Cancelled);
        assert_eq!(
            (event.owner_pay, event.refund),
            (split.owner_pay, split.refund)
        );
    }
    for device in [&a, &b] {
        books.settled(&chain, &res, device, &tips, &charges, split);
        assert_eq!(chain.device_account(device).reservation, Pubkey::default());
    }
    books.check(&chain, &res);
    assert_eq!(books.refund_owed(), 2 * split.refund);

    // Nobody but the renter claims, only into the renter's own account in the payment mint; the
    // closed account cannot receive; a new one does, once; then the reservation closes.
    let stranger = chain.renter();
    let stolen = ix::claim_refund(
        &stranger.key(),
        res.id,
        &stranger.wallet(PaymentToken::Iosd),
    );
    let mut stolen = stolen;
    stolen.accounts[2].pubkey = res.key;
    stolen.accounts[3].pubkey = res.vault();
    assert_fails(
        chain.send(stolen, &[&stranger.keypair]),
        MarketError::NotRenter,
    );
    let strangers = stranger.wallet(PaymentToken::Iosd);
    assert_fails(
        chain.claim(&renter, &res, &strangers),
        MarketError::InvalidRenterAccount,
    );
    let other_mint = renter.wallet(PaymentToken::Usdc);
    assert_fails(
        chain.claim(&renter, &res, &other_mint),
        MarketError::InvalidRenterAccount,
    );
    assert_fails(
        chain.claim(&renter, &res, &res.wallet),
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    books.check(&chain, &res);
    let fresh = chain.token_wallet(PaymentToken::Iosd, &renter.key());
    books.track(&chain, &[("renter's new account", fresh)]);
    succeeded(chain.claim(&renter, &res, &fresh));
    books.claimed(&res, &fresh);
    books.check(&chain, &res);
    assert_eq!(chain.token_balance(&fresh), 2 * split.refund);
    assert_fails(
        chain.claim(&renter, &res, &fresh),
        MarketError::NoRefundOwed,
    );
    books.check(&chain, &res);
    succeeded(chain.close(&renter, &res));
    books.closed(&chain, &res);
    books.check_balances(&chain);
}

/// M4 + L4: the review's griefing, a renter booking a device whose agent is offline and
/// settling the no-show itself. The slash is now the booking's undelivered value in IO (not the
/// pool's whole window, 10% of its stake), it goes to the treasury (nothing to the renter), and
/// the tip gives back at most half the reservation fee: the griefer pays the rest.
#[test]
fn m4_l4_a_no_show_is_slashed_by_its_value_and_griefing_it_costs_the_griefer() {
    let mut chain = Chain::new();
    let offline = chain.device(true);
    let griefer = chain.renter();
    let tips = chain.token_wallet(PaymentToken::Iosd, &griefer.key());
    let res = chain.create(&griefer, PaymentToken::Iosd, 1);
    let mut books = books_for(&chain, &res, &[&offline], &[("griefer's tips", tips)]);
    let wallet_before = chain.token_balance(&res.wallet);
    let charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    // 18.77 USD of time: the 0.25% fee is 0.047 USD, under the 1 IOSD tip, which used to be all
    // of it; the tip is now half.
    assert_eq!(charges.tip, charges.reservation_fee / 2);
    assert!(charges.tip > 0);
    succeeded(chain.book(&griefer, &res, &[&offline], expect::total(&charges)));
    books.paid(&res, &charges);

    chain.advance(ACK_GRACE + 1);
    chain.publish_price();
    let treasury_io = chain.token_balance(&chain.io_treasury());
    let meta = succeeded(chain.settle(&griefer.keypair, &tips, &res, &[&offline]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::NoShow);
    let window = offline.total_stake() / 10;
    let slashed = expect::fault_slash(charges.time, PaymentToken::Iosd, offline.total_stake());
    // 18.77 USD at 0.41 USD per IO: about 45.8 IO, a tenth of the 480 IO window it used to take.
    assert_eq!(slashed / iotoken::math::IO, 45);
    assert!(slashed * 10 < window, "{slashed} of a {window} window");
    assert_eq!((event.slashed, event.slash_basis), (slashed, slashed));
    assert_eq!(event.slash_io_price, CONSERVATIVE_PRICE);
    let split = expect::split(charges.time, 0, HOUR, 0);
    books.settled(&chain, &res, &offline, &tips, &charges, split);
    books.debit(&offline.stake_vault(), slashed);
    books.credit(&chain.io_treasury(), slashed);
    books.check(&chain, &res);
    assert_eq!(
        chain.token_balance(&chain.io_treasury()),
        treasury_io + slashed
    );

    // The griefer takes back its time and its tip, and is still out of pocket by the rest of the
    // reservation fee: at least half of it.
    succeeded(chain.claim(&griefer, &res, &res.wallet));
    books.claimed(&res, &res.wallet);
    books.check(&chain, &res);
    let got_back = chain.token_balance(&res.wallet) + chain.token_balance(&tips);
    let cost = wallet_before - got_back;
    assert_eq!(
        cost,
        charges.reservation_fee - charges.tip + charges.payment_fee
    );
    assert!(cost >= charges.reservation_fee.div_ceil(2) && cost > 0);
}

/// M4: the slash path never stops a settlement. Without a usable IO price to value an IOSD
/// refund (stale, then halted), a no-show settles, its device is released and its time owed back,
/// and nothing is slashed rather than a guess; IO payments need no price.
#[test]
fn m4_an_unusable_price_skips_the_slash_but_never_the_settlement() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let c = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    let nothing = expect::split(charges.time, 0, HOUR, 0);
    let res = chain.create(&renter, PaymentToken::Iosd, 1);
    let mut books = books_for(&chain, &res, &[&a, &b], &[("settler's tips", tips)]);
    succeeded(chain.book(&renter, &res, &[&a, &b], 2 * expect::total(&charges)));
    books.paid(&res, &charges);
    books.paid(&res, &charges);
    // The price is older than the feed's 600 s staleness bound by then.
    chain.advance(ACK_GRACE + 1);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::NoShow);
    assert_eq!(
        (event.slashed, event.slash_basis, event.slash_io_price),
        (0, 0, 0)
    );
    books.settled(&chain, &res, &a, &tips, &charges, nothing);
    // Republished, then halted by an updater.
    chain.publish_price();
    let updater = chain.price_updater.insecure_clone();
    let halt = iogrid_program_tests::ix::iotoken::set_price_halted(&updater.pubkey(), true);
    succeeded(chain.send(halt, &[&updater]));
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&b]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(
        (event.outcome, event.slashed),
        (ReservationOutcome::NoShow, 0)
    );
    books.settled(&chain, &res, &b, &tips, &charges, nothing);
    books.check(&chain, &res);
    for device in [&a, &b] {
        assert_eq!(chain.device_account(device).reservation, Pubkey::default());
        assert_eq!(chain.pool_state(device).total_slashed, 0);
    }
    assert_eq!(books.refund_owed(), 2 * charges.time);

    // An IO reservation booked before the halt is valued in IO itself: slashed while halted.
    let unhalt =
        iogrid_program_tests::ix::iotoken::set_price_halted(&chain.authority.pubkey(), false);
    succeeded(chain.send_as_authority(unhalt));
    chain.advance(1);
    chain.publish_price();
    let io_charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Io);
    let io_res = chain.create(&renter, PaymentToken::Io, 1);
    succeeded(chain.book(&renter, &io_res, &[&c], expect::total(&io_charges)));
    // Halted again, by the config authority (an updater's own halts are spaced by a cooldown).
    let halt = iogrid_program_tests::ix::iotoken::set_price_halted(&chain.authority.pubkey(), true);
    succeeded(chain.send_as_authority(halt));
    chain.advance(ACK_GRACE + 1);
    let (io_keeper, io_tips) = chain.settler(PaymentToken::Io);
    let meta = succeeded(chain.settle(&io_keeper, &io_tips, &io_res, &[&c]));
    let event: BookingSettled = only_event_of(&meta);
    let slashed = expect::fault_slash(io_charges.time, PaymentToken::Io, c.total_stake());
    assert!(slashed > 0);
    assert_eq!(
        (event.slashed, event.slash_basis, event.slash_io_price),
        (slashed, io_charges.time, 0)
    );
}

/// L6: a renter can no longer turn completed bookings into cancelled ones (which withheld their
/// completion from the device's reputation). Once every booking has ended, the cancellation is
/// refused by name; a booking that ended while another still runs settles as completed even if
/// the reservation is cancelled afterwards.
#[test]
fn l6_no_cancellation_turns_a_completed_booking_into_a_cancelled_one() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let charges = expect::charges(PRICE_PER_HOUR, 2, PaymentToken::Iosd);
    let full = expect::split(charges.time, 2 * HOUR, 2 * HOUR, 0);

    // Nothing booked: nothing to cancel.
    let res = chain.create(&renter, PaymentToken::Iosd, 2);
    assert_fails(chain.cancel(&renter, &res), MarketError::ReservationEnded);
    let mut books = books_for(&chain, &res, &[&a, &b], &[("settler's tips", tips)]);

    // `a` is booked and started; `b` half an hour later, its booking extended by an hour.
    succeeded(chain.book(&renter, &res, &[&a], expect::total(&charges)));
    books.paid(&res, &charges);
    succeeded(chain.ack(&res, &a));
    let a_ends = chain.now() + 2 * HOUR;
    chain.advance(HOUR / 2);
    succeeded(chain.book(&renter, &res, &[&b], expect::total(&charges)));
    books.paid(&res, &charges);
    succeeded(chain.ack(&res, &b));
    let b_booked = chain.now();
    let added = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    succeeded(chain.extend(&renter, &res, &[&b], 1, expect::total(&added)));
    books.paid(&res, &added);
    let b_ends = b_booked + 3 * HOUR;
    assert_eq!(chain.reservation(&res).last_ends_at, b_ends);

    // After `a`'s end, while `b` runs, the renter cancels: `a` still settles as completed, with
    // its reputation credit; `b` as cancelled there.
    chain.set_time(a_ends + 60);
    succeeded(chain.cancel(&renter, &res));
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a, &b]));
    let settled: Vec<BookingSettled> = events_of(&meta);
    let outcome_of = |device: &MarketDevice| {
        settled
            .iter()
            .find(|event| event.device == device.key())
            .map(|event| event.outcome)
    };
    assert_eq!(outcome_of(&a), Some(ReservationOutcome::Completed));
    assert_eq!(outcome_of(&b), Some(ReservationOutcome::Cancelled));
    assert_eq!(
        chain.device_account(&a).availability.reservations_completed,
        1
    );
    books.settled(&chain, &res, &a, &tips, &charges, full);
    let extended = BookingCharges {
        time: charges.time + added.time,
        reservation_fee: charges.reservation_fee + added.reservation_fee,
        payment_fee: charges.payment_fee + added.payment_fee,
        tip: charges.tip,
    };
    let b_split = expect::split(extended.time, a_ends + 60 - b_booked, 3 * HOUR, 0);
    books.settled(&chain, &res, &b, &tips, &extended, b_split);
    books.check(&chain, &res);

    // A reservation whose every booking has ended cannot be cancelled at all.
    let res = chain.create(&renter, PaymentToken::Iosd, 2);
    succeeded(chain.book(&renter, &res, &[&a], expect::total(&charges)));
    succeeded(chain.ack(&res, &a));
    let ends_at = chain.now() + 2 * HOUR;
    assert_eq!(chain.reservation(&res).last_ends_at, ends_at);
    chain.set_time(ends_at);
    assert_fails(chain.cancel(&renter, &res), MarketError::ReservationEnded);
    assert_eq!(chain.reservation(&res).cancelled_at, 0);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Completed);
    assert_eq!(
        chain.device_account(&a).availability.reservations_completed,
        2
    );
}

/// L3: the review's reputation farm, an owner pricing its device at 1 base unit per GPU-hour,
/// booking it from a second wallet, acknowledging and settling it itself, no longer raises the
/// device's reputation; nor does a paid booking by the device's own owner or agent key. A paid
/// booking (at least 5 USD of delivered time) by an unrelated renter does.
#[test]
fn l3_self_booking_and_unpaid_completions_do_not_raise_reputation() {
    let mut chain = Chain::new();
    let farmed = chain.register_priced_device(H100, GPUS, 1);
    let farmed = chain.device_staked(farmed, false);
    let honest = chain.device(false);

    // Books `device` for an hour as `renter`, starts it and settles it at its end with
    // `renter`'s own tip account; returns the outcome the registry recorded.
    let run = |chain: &mut Chain, renter: &Renter, device: &MarketDevice| {
        let res = chain.create(renter, PaymentToken::Iosd, 1);
        succeeded(chain.book(renter, &res, &[device], u64::MAX));
        succeeded(chain.ack(&res, device));
        chain.advance(HOUR);
        let tips = chain.token_wallet(PaymentToken::Iosd, &renter.key());
        let meta = succeeded(chain.settle(&renter.keypair, &tips, &res, &[device]));
        let released: DeviceReleased = only_event_of(&meta);
        let settled: BookingSettled = only_event_of(&meta);
        assert_eq!(released.outcome, settled.outcome);
        released.outcome
    };
    let reputation = |chain: &Chain, device: &MarketDevice| {
        let availability = chain.device_account(device).availability;
        (
            availability.reservations_completed,
            availability.reputation_bps,
        )
    };

    // The farm: 8 units of time (price 1 x 8 GPUs x 1 h), booked from a second wallet.
    let second_wallet = chain.renter();
    let before = reputation(&chain, &farmed);
    for _ in 0..3 {
        assert_eq!(
            run(&mut chain, &second_wallet, &farmed),
            ReservationOutcome::CompletedUncredited
        );
    }
    assert_eq!(reputation(&chain, &farmed), before);
    assert_eq!(before, (0, 0));

    // The honest device's own owner, then its agent key, book it at its real price (18.77 USD
    // of time): paid, but self-booked.
    let owner = chain.renter_with(honest.device.owner.insecure_clone());
    assert_eq!(
        run(&mut chain, &owner, &honest),
        ReservationOutcome::CompletedUncredited
    );
    let agent = chain.renter_with(honest.device.agent.insecure_clone());
    assert_eq!(
        run(&mut chain, &agent, &honest),
        ReservationOutcome::CompletedUncredited
    );
    assert_eq!(reputation(&chain, &honest), (0, 0));

    // An unrelated renter's paid booking counts.
    let stranger = chain.renter();
    assert_eq!(
        run(&mut chain, &stranger, &honest),
        ReservationOutcome::Completed
    );
    assert_eq!(
        reputation(&chain, &honest),
        (1, expect::reputation(0, 0, 1))
    );
}

/// M3: a start acknowledged at or after a booking's end is refused, and a booking acknowledged
/// after its end (as a start grace longer than the booking once allowed) settles with nothing
/// delivered instead of wrapping to full pay, or panicking once cancelled.
#[test]
fn m3_no_start_at_or_after_the_end_and_a_late_start_settles_as_nothing_delivered() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    let nothing = expect::split(charges.time, 0, HOUR, 0);
    // A one-hour booking whose start deadline is two hours, as a two-hour grace once allowed.
    let open = |chain: &mut Chain, device: &MarketDevice| {
        let res = chain.create(&renter, PaymentToken::Iosd, 1);
        let mut books = books_for(chain, &res, &[device], &[("settler's tips", tips)]);
        succeeded(chain.book(&renter, &res, &[device], expect::total(&charges)));
        books.paid(&res, &charges);
        let booked_at = chain.now();
        chain.rewrite_booking(&res, device, |booking: &mut Booking| {
            booking.ack_deadline = booked_at + 2 * HOUR;
        });
        (res, books, booked_at + HOUR)
    };

    // Cancelled half an hour in, its booking acknowledged after its end (the stop then lies
    // before the start: `clamp` with min > max panicked): a cancellation, nothing delivered.
    let (res, mut books, ends_at) = open(&mut chain, &b);
    chain.advance(HOUR / 2);
    succeeded(chain.cancel(&renter, &res));
    chain.rewrite_booking(&res, &b, |booking: &mut Booking| {
        booking.started_at = ends_at + 1;
    });
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&b]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Cancelled);
    assert_eq!((event.delivered_secs, event.owner_pay), (0, 0));
    assert_eq!(event.refund, nothing.refund);
    books.settled(&chain, &res, &b, &tips, &charges, nothing);
    books.check(&chain, &res);

    // At and after its end, an agent may no longer start a booking, deadline or not.
    let (res, mut books, ends_at) = open(&mut chain, &a);
    chain.set_time(ends_at);
    assert_fails(chain.ack(&res, &a), MarketError::BookingEnded);
    chain.set_time(ends_at + 1);
    assert_fails(chain.ack(&res, &a), MarketError::BookingEnded);
    assert_eq!(chain.booking(&res, &a).started_at, 0);
    books.check(&chain, &res);
    // Acknowledged a second after its end (the review's trigger): completed, nothing delivered,
    // all its time refunded (`as u64` of the negative made it full pay for no work).
    chain.rewrite_booking(&res, &a, |booking: &mut Booking| {
        booking.started_at = ends_at + 1;
    });
    chain.set_time(ends_at + 2);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    // Completed, with nothing paid: not credited to the device's reputation (L3).
    assert_eq!(event.outcome, ReservationOutcome::CompletedUncredited);
    assert_eq!((event.delivered_secs, event.owner_pay), (0, 0));
    assert_eq!(event.refund, nothing.refund);
    books.settled(&chain, &res, &a, &tips, &charges, nothing);
    books.check(&chain, &res);
}

/// L2: the operator cannot take its self-stake out from under a booking. While its device is
/// reserved, neither unstaking the active self-stake nor withdrawing self-stake whose cooldown
/// ended before the booking works (`DeviceReserved`); the no-show's slash then takes the cooling
/// stake first, and once the settlement released the device, both work again.
#[test]
fn l2_self_stake_stays_in_the_pool_while_its_device_is_reserved() {
    let mut chain = Chain::new();
    let device = chain.device(false);
    let operator = device.device.owner.insecure_clone();
    let (pool, key) = (device.pool(), device.key());
    let cooling = device.device.minimum_stake / 4;
    let unstake = |amount| unstake_self(&operator.pubkey(), &pool, &key, amount);
    let withdraw = withdraw_self(&operator.pubkey(), &pool, &key, &device.device.owner_io);
    succeeded(chain.send(unstake(cooling), &[&operator]));
    chain.advance(14 * 86_400);
    chain.publish_price();

    let renter = chain.renter();
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let res = chain.create(&renter, PaymentToken::Iosd, 1);
    let charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    succeeded(chain.book(&renter, &res, &[&device], expect::total(&charges)));
    let active = device.self_stake - cooling;
    assert_eq!(chain.pool_state(&device).operator_stake, active);

    // The review's attack: leave mid-reservation, with the active stake and the cooled stake.
    assert_fails(
        chain.send(unstake(active), &[&operator]),
        StakingError::DeviceReserved,
    );
    assert_fails(
        chain.send(withdraw.clone(), &[&operator]),
        StakingError::DeviceReserved,
    );
    // The device account must be the pool's own.
    let other = chain.device(false);
    assert_fails(
        chain.send(
            unstake_self(&operator.pubkey(), &pool, &other.key(), active),
            &[&operator],
        ),
        StakingError::DeviceMismatch,
    );

    // The agent never starts: the no-show is slashed from the cooling stake first.
    chain.advance(ACK_GRACE + 1);
    chain.publish_price();
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&device]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::NoShow);
    let slashed = expect::fault_slash(charges.time, PaymentToken::Iosd, device.total_stake());
    assert!(slashed > 0 && slashed < cooling);
    assert_eq!(event.slashed, slashed);
    let state = chain.pool_state(&device);
    assert_eq!(
        (state.operator_cooling, state.operator_stake),
        (cooling - slashed, active)
    );
    assert_eq!(chain.device_account(&device).reservation, Pubkey::default());

    // Released: the cooled stake (what the slash left) is paid and the rest may cool down.
    let wallet = chain.token_balance(&device.device.owner_io);
    succeeded(chain.send(withdraw, &[&operator]));
    assert_eq!(
        chain.token_balance(&device.device.owner_io),
        wallet + cooling - slashed
    );
    succeeded(chain.send(unstake(active), &[&operator]));
    assert_eq!(chain.pool_state(&device).operator_cooling, active);
}
