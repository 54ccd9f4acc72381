//! What the market refuses, each by its error name, with nothing moved.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    market::{
        errors::MarketError,
        state::{BookingCharges, PaymentToken},
    },
    solana_signer::Signer,
};

/// A renter's IOSD reservation of two hours, and its books tracking `devices`.
fn open(chain: &mut Chain, devices: &[&MarketDevice]) -> (Renter, Res, Books) {
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Iosd, 2);
    let books = books_for(chain, &res, devices, &[]);
    (renter, res, books)
}

fn charges() -> BookingCharges {
    expect::charges(PRICE_PER_HOUR, 2, PaymentToken::Iosd)
}

#[test]
fn a_device_is_never_booked_twice_in_one_transaction_or_in_two() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (renter, res, mut books) = open(&mut chain, &[&a]);
    assert_fails(
        chain.book(&renter, &res, &[&a, &a], u64::MAX),
        MarketError::DeviceReserved,
    );
    books.check(&chain, &res);
    succeeded(chain.book(&renter, &res, &[&a], u64::MAX));
    books.paid(&res, &charges());
    books.check(&chain, &res);

    let (other, other_res, other_books) = open(&mut chain, &[&a]);
    assert_fails(
        chain.book(&other, &other_res, &[&a], u64::MAX),
        MarketError::DeviceReserved,
    );
    other_books.check(&chain, &other_res);
    assert_fails(
        chain.book(&renter, &res, &[&a], u64::MAX),
        MarketError::DeviceReserved,
    );
    books.check(&chain, &res);
}

#[test]
fn only_the_renter_books_and_cancels() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (renter, res, mut books) = open(&mut chain, &[&a]);
    succeeded(chain.book(&renter, &res, &[&a], u64::MAX));
    books.paid(&res, &charges());
    let stranger = chain.renter();
    assert_fails(chain.cancel(&stranger, &res), MarketError::NotRenter);
    let book = ix::book_devices(&stranger.key(), res.id, &res.wallet, &[a.pair()], u64::MAX);
    let book = retarget(book, 2, &res.key);
    assert_fails(
        chain.send(book, &[&stranger.keypair]),
        MarketError::NotRenter,
    );
    books.check(&chain, &res);
    assert_eq!(chain.reservation(&res).cancelled_at, 0);
}

#[test]
fn only_the_renter_extends_claims_and_closes() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let (renter, res, mut books) = open(&mut chain, &[&a]);
    succeeded(chain.book(&renter, &res, &[&a], u64::MAX));
    books.paid(&res, &charges());
    let stranger = chain.renter();
    let before = chain.reservation(&res);

    // Each names the renter's reservation and vault, signed by the stranger, paying from (or
    // into) the stranger's own account.
    let extend = ix::extend_bookings(
        &stranger.key(),
        res.id,
        &stranger.wallet(res.token),
        &[a.key()],
        1,
        u64::MAX,
    );
    assert_fails(
        chain.send(retarget(extend, 2, &res.key), &[&stranger.keypair]),
        MarketError::NotRenter,
    );
    let claim = ix::claim_refund(&stranger.key(), res.id, &stranger.wallet(res.token));
    let claim = retarget(claim, 2, &res.key);
    assert_fails(
        chain.send(claim, &[&stranger.keypair]),
        MarketError::NotRenter,
    );
    let close = retarget(
        ix::close_reservation(&stranger.key(), res.id, &res.mint),
        2,
        &res.key,
    );
    assert_fails(
        chain.send(close, &[&stranger.keypair]),
        MarketError::NotRenter,
    );

    let after = chain.reservation(&res);
    assert_eq!(
        (after.hours, after.last_ends_at, after.ledger),
        (before.hours, before.last_ends_at, before.ledger)
    );
    books.check(&chain, &res);
}

/// `instruction` with its reservation (account `at`) and vault (the next one) set to
/// `reservation`'s.
fn retarget(
    mut instruction: anchor_lang::solana_program::instruction::Instruction,
    at: usize,
    reservation: &Pubkey,
) -> anchor_lang::solana_program::instruction::Instruction {
    instruction.accounts[at].pubkey = *reservation;
    instruction.accounts[at + 1].pubkey = iogrid_program_tests::pda::market::vault(reservation);
    instruction
}

#[test]
fn starts_are_acknowledged_once_by_the_agent_before_the_deadline() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (renter, res, _) = open(&mut chain, &[&a, &b]);
    succeeded(chain.book(&renter, &res, &[&a, &b], u64::MAX));

    let owner = a.device.owner.insecure_clone();
    let by_owner = ix::acknowledge_start(&owner.pubkey(), &res.key, &a.key());
    assert_fails(chain.send(by_owner, &[&owner]), MarketError::WrongAgentKey);
    succeeded(chain.ack(&res, &a));
    assert_fails(chain.ack(&res, &a), MarketError::AlreadyStarted);
    chain.advance(ACK_GRACE + 1);
    assert_fails(chain.ack(&res, &b), MarketError::StartDeadlinePassed);
    assert_eq!(chain.booking(&res, &b).started_at, 0);
}

#[test]
fn settling_waits_for_the_end_and_happens_once_even_when_keepers_race() {
    let mut chain = Chain::new();
    let [a, b, c] = [(); 3].map(|_| chain.device(false));
    let (first, first_tips) = chain.settler(PaymentToken::Iosd);
    let (second, second_tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, mut books) = open(&mut chain, &[&a, &b, &c]);
    books.track(
        &chain,
        &[("first tips", first_tips), ("second tips", second_tips)],
    );
    succeeded(chain.book(&renter, &res, &[&a, &b, &c], u64::MAX));
    let charges = charges();
    for device in [&a, &b, &c] {
        succeeded(chain.ack(&res, device));
        books.paid(&res, &charges);
    }
    chain.advance(2 * HOUR - 1);
    assert_fails(
        chain.settle(&first, &first_tips, &res, &[&a]),
        MarketError::ReservationNotEnded,
    );
    chain.advance(1);
    let split = expect::split(charges.time, 2 * HOUR, 2 * HOUR, 0);
    succeeded(chain.settle(&first, &first_tips, &res, &[&a, &b]));
    for device in [&a, &b] {
        books.settled(&chain, &res, device, &first_tips, &charges, split);
    }
    books.check(&chain, &res);
    // The second keeper's overlapping batch settles only what is left.
    succeeded(chain.settle(&second, &second_tips, &res, &[&b, &c]));
    books.settled(&chain, &res, &c, &second_tips, &charges, split);
    books.check(&chain, &res);
    assert_fails(
        chain.settle(&second, &second_tips, &res, &[&a, &b, &c]),
        MarketError::AlreadySettled,
    );
    books.check(&chain, &res);
}

#[test]
fn an_extension_onto_a_device_since_booked_by_another_renter_is_refused() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, _) = open(&mut chain, &[&a, &b]);
    succeeded(chain.book(&renter, &res, &[&a, &b], u64::MAX));
    succeeded(chain.ack(&res, &b));
    // `a` never starts, is released as a no-show and booked by someone else.
    chain.advance(ACK_GRACE + 1);
    succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let (other, other_res, _) = open(&mut chain, &[&a]);
    succeeded(chain.book(&other, &other_res, &[&a], u64::MAX));

    assert_fails(
        chain.extend(&renter, &res, &[&a], 1, u64::MAX),
        MarketError::DeviceNotInReservation,
    );
    assert_fails(
        chain.extend(&renter, &res, &[&b], MAX_HOURS, u64::MAX),
        MarketError::InvalidHours,
    );
    succeeded(chain.extend(&renter, &res, &[&b], 1, u64::MAX));
}

#[test]
fn paused_deregistered_under_staked_and_failed_devices_are_refused() {
    let mut chain = Chain::new();
    let paused = chain.device(false);
    let gone = chain.device(false);
    let failed = chain.device(false);
    let (renter, res, mut books) = open(&mut chain, &[]);

    let agent = paused.device.agent.insecure_clone();
    chain.fund(&agent.pubkey());
    succeeded(chain.send(ix::pause_device(&agent.pubkey(), &paused.key()), &[&agent]));
    assert_fails(
        chain.book(&renter, &res, &[&paused], u64::MAX),
        MarketError::DevicePaused,
    );

    let owner = gone.device.owner.insecure_clone();
    succeeded(chain.send(
        ix::deregister_device(&owner.pubkey(), &gone.device.device_id),
        &[&owner],
    ));
    assert_fails(
        chain.book(&renter, &res, &[&gone], u64::MAX),
        MarketError::DeviceNotRegistered,
    );

    let light = chain.register_priced_device(H100, GPUS, PRICE_PER_GPU_HOUR);
    chain.open_pool(&light);
    chain.stake_self(&light, light.minimum_stake - 1);
    let light_pair = (light.key, light.pool());
    let book = ix::book_devices(&renter.key(), res.id, &res.wallet, &[light_pair], u64::MAX);
    assert_fails(
        chain.send(book, &[&renter.keypair]),
        MarketError::DeviceUnderStaked,
    );

    chain.fail(&failed, 3);
    assert_fails(
        chain.book(&renter, &res, &[&failed], u64::MAX),
        MarketError::DeviceFailedThisEpoch,
    );
    // From the next epoch on it may be booked again.
    chain.next_epoch();
    books.check(&chain, &res);
    succeeded(chain.book(&renter, &res, &[&failed], u64::MAX));
    books.paid(&res, &charges());
    books.check(&chain, &res);
}

#[test]
fn workloads_must_have_a_printable_image_and_distinct_non_zero_ports() {
    let mut chain = Chain::new();
    let renter = chain.renter();
    let with = |image: &str, ports: Vec<u16>| {
        let mut spec = workload();
        spec.image = image.to_string();
        spec.ports = ports;
        spec
    };
    for (spec, error) in [
        (with("", vec![]), MarketError::InvalidWorkloadImage),
        (with("run\nme", vec![]), MarketError::InvalidWorkloadImage),
        (
            with(&"a".repeat(257), vec![]),
            MarketError::InvalidWorkloadImage,
        ),
        (with("img", vec![0]), MarketError::InvalidWorkloadPorts),
        (with("img", vec![80, 80]), MarketError::InvalidWorkloadPorts),
        (
            with("img", (1..=17).collect()),
            MarketError::InvalidWorkloadPorts,
        ),
    ] {
        let (res, result) = chain.try_create(&renter, PaymentToken::Iosd, 1, spec);
        assert_fails(result, error);
        assert!(!chain.exists(&res.key));
    }
    let (_, result) = chain.try_create(&renter, PaymentToken::Iosd, 0, workload());
    assert_fails(result, MarketError::InvalidHours);
    let (res, result) = chain.try_create(
        &renter,
        PaymentToken::Iosd,
        1,
        with(&"a".repeat(256), (1..=16).collect()),
    );
    succeeded(result);
    assert_eq!(chain.reservation(&res).workload.ports.len(), 16);
}

#[test]
fn batches_payees_and_pools_are_checked() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let (renter, res, mut books) = open(&mut chain, &[&a, &b]);
    books.track(&chain, &[("tips", tips)]);

    let mut book = ix::book_devices(&renter.key(), res.id, &res.wallet, &[a.pair()], u64::MAX);
    book.accounts.pop();
    assert_fails(
        chain.send(book, &[&renter.keypair]),
        MarketError::InvalidBatch,
    );
    let empty = ix::book_devices(&renter.key(), res.id, &res.wallet, &[], u64::MAX);
    assert_fails(
        chain.send(empty, &[&renter.keypair]),
        MarketError::InvalidBatch,
    );
    succeeded(chain.book(&renter, &res, &[&a, &b], u64::MAX));
    let charges = charges();
    books.paid(&res, &charges);
    books.paid(&res, &charges);
    succeeded(chain.ack(&res, &a));
    succeeded(chain.ack(&res, &b));
    chain.advance(2 * HOUR);

    let settle = |settlements: &[Settlement]| {
        ix::settle_bookings(&keeper.pubkey(), &tips, &res.settled(), settlements)
    };
    assert_fails(
        chain.send(settle(&[]), &[&keeper]),
        MarketError::InvalidBatch,
    );
    let mut to_renter = a.settlement(PaymentToken::Iosd);
    to_renter.payee = res.wallet;
    assert_fails(
        chain.send(settle(&[to_renter]), &[&keeper]),
        MarketError::InvalidPayee,
    );
    let mut wrong_pool = a.settlement(PaymentToken::Iosd);
    wrong_pool.pool = b.pool();
    assert_fails(
        chain.send(settle(&[wrong_pool]), &[&keeper]),
        MarketError::StakePoolMismatch,
    );
    books.check(&chain, &res);

    // Closing waits for every booking.
    let close = ix::close_reservation(&renter.key(), res.id, &res.mint);
    succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let split = expect::split(charges.time, 2 * HOUR, 2 * HOUR, 0);
    books.settled(&chain, &res, &a, &tips, &charges, split);
    books.check(&chain, &res);
    assert_fails(
        chain.send(close.clone(), &[&renter.keypair]),
        MarketError::BookingsOpen,
    );
    succeeded(chain.settle(&keeper, &tips, &res, &[&b]));
    books.settled(&chain, &res, &b, &tips, &charges, split);
    books.check(&chain, &res);
    succeeded(chain.send(close, &[&renter.keypair]));
    assert!(!chain.exists(&res.key));
}
