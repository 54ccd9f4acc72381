//! The three payment tokens: IOSD at par, IO at the conservative price (with the co-stakers'
//! share of a device's pay deposited into its pool) and USDC with its payment fee; anything else
//! is refused.

use {
    crate::common::*,
    market::{
        errors::MarketError,
        events::{BatchPaid, BookingSettled},
        state::{BookingCharges, PaymentToken},
    },
    registry::state::ReservationOutcome,
    solana_signer::Signer,
};

/// One co-staked and one solo device booked for two hours in `token`, started at once and
/// settled at the end; checks every balance, the ledger and the invariant on the way and returns
/// the charges.
fn run_in(token: PaymentToken) -> (BookingCharges, Vec<BookingSettled>) {
    let mut chain = Chain::new();
    let co_staked = chain.device(true);
    let solo = chain.device(false);
    let (keeper, tips) = chain.settler(token);
    let renter = chain.renter();
    let res = chain.create(&renter, token, 2);
    assert_eq!(chain.reservation(&res).payment_token, token);
    let mut books = books_for(
        &chain,
        &res,
        &[&co_staked, &solo],
        &[("settler's tips", tips)],
    );
    let charges = expect::charges(PRICE_PER_HOUR, 2, token);
    let quote = 2 * expect::total(&charges);
    assert_fails(
        chain.book(&renter, &res, &[&co_staked, &solo], quote - 1),
        MarketError::PaymentBelowQuote,
    );
    books.check(&chain, &res);
    let meta = succeeded(chain.book(&renter, &res, &[&co_staked, &solo], quote));
    let paid: BatchPaid = only_event_of(&meta);
    assert_eq!(paid.amount, quote);
    let io_price = if token == PaymentToken::Io {
        CONSERVATIVE_PRICE
    } else {
        0
    };
    assert_eq!(paid.io_price, io_price);
    books.paid(&res, &charges);
    books.paid(&res, &charges);
    books.check(&chain, &res);
    succeeded(chain.ack(&res, &co_staked));
    succeeded(chain.ack(&res, &solo));

    chain.advance(2 * HOUR);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&co_staked, &solo]));
    let settled: Vec<BookingSettled> = events_of(&meta);
    for (device, share_bps) in [(&co_staked, STAKER_SHARE_BPS), (&solo, 0)] {
        // Only IO payments share with co-stakers.
        let share_bps = if token == PaymentToken::Io {
            share_bps
        } else {
            0
        };
        let split = expect::split(charges.time, 2 * HOUR, 2 * HOUR, share_bps);
        let event = settled
            .iter()
            .find(|event| event.device == device.key())
            .expect("settled");
        assert_eq!(event.outcome, ReservationOutcome::Completed);
        assert_eq!(
            (event.owner_pay, event.staker_share, event.network_fee),
            (split.owner_pay, split.staker_share, split.network_fee)
        );
        assert_eq!(event.payment_fee, charges.payment_fee);
        books.settled(&chain, &res, device, &tips, &charges, split);
        assert_eq!(
            chain.pool_state(device).rewards_deposited,
            split.staker_share
        );
    }
    books.check(&chain, &res);
    (charges, settled)
}

#[test]
fn iosd_pays_at_par_with_no_payment_fee_and_no_stakers_share() {
    let (charges, settled) = run_in(PaymentToken::Iosd);
    assert_eq!(charges.time, 2 * PRICE_PER_HOUR);
    assert_eq!(charges.payment_fee, 0);
    assert!(settled.iter().all(|event| event.staker_share == 0));
}

#[test]
fn io_pays_at_the_conservative_price_and_co_stakers_get_their_share() {
    let (charges, settled) = run_in(PaymentToken::Io);
    // 2 h x 18.765432 USD at 0.40987653 USD per IO, in IO base units (8 decimals), rounded up.
    assert_eq!(charges.time, 9_156_626_753);
    assert_eq!(charges.payment_fee, 0);
    assert_eq!(
        settled
            .iter()
            .filter(|event| event.staker_share > 0)
            .count(),
        1,
        "only the co-staked device shares"
    );
}

#[test]
fn usdc_pays_at_par_plus_its_payment_fee() {
    let (charges, _) = run_in(PaymentToken::Usdc);
    assert_eq!(charges.time, 2 * PRICE_PER_HOUR);
    // 2% of time and reservation fee, rounded up.
    assert_eq!(
        charges.payment_fee,
        (charges.time + charges.reservation_fee).div_ceil(50)
    );
    assert!(charges.payment_fee > 0);
}

#[test]
fn io_is_refused_while_the_price_is_stale() {
    let mut chain = Chain::new();
    let device = chain.device(false);
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Io, 1);
    chain.advance(601);
    assert_fails(
        chain.book(&renter, &res, &[&device], u64::MAX),
        iotoken::errors::IotokenError::PriceStale,
    );
    chain.publish_price();
    succeeded(chain.book(&renter, &res, &[&device], u64::MAX));
}

#[test]
fn a_mint_that_is_not_iosd_io_or_the_configured_usdc_is_refused() {
    let mut chain = Chain::new();
    let renter = chain.renter();
    let authority = chain.authority.insecure_clone();
    let other_mint = iogrid_program_tests::put_mint(&mut chain.grid.svm, &authority.pubkey(), 6);
    let create = ix::create_reservation(&renter.key(), &other_mint, 1, 1, workload());
    assert_fails(
        chain.send(create, &[&renter.keypair]),
        MarketError::UnsupportedPaymentMint,
    );
    assert!(
        !chain.exists(&iogrid_program_tests::pda::market::reservation(
            &renter.key(),
            1
        ))
    );
}
