//! The review's M1 attack on IO payments: a faulty or compromised price updater prints 1,000 times
//! the IO price with confidence 0, 10 s after the last price, and a renter books (or extends) in
//! IO in the next block. iotoken's feed moves its EMA only by a bounded step and refuses a spot
//! off its EMA (`PriceDeviatesFromEma`), so the booking is refused; the most a print can get used
//! (a spot at the deviation bound) is priced at the EMA, a step from the honest price.

use {
    crate::common::*,
    iogrid_program_tests::{ix as lib_ix, pda},
    iotoken::{errors::IotokenError, math::price::next_ema, state::PriceFeed},
    market::{errors::MarketError, events::BatchPaid, state::PaymentToken},
    solana_signer::Signer,
};

fn price_feed(chain: &Chain) -> PriceFeed {
    chain.program_account(&iotoken::ID, &pda::iotoken::price_feed())
}

/// The updater publishes `price` with `confidence` as of now.
fn publish(chain: &mut Chain, price: u64, confidence: u64) {
    let updater = chain.price_updater.insecure_clone();
    let now = chain.now();
    let publish = lib_ix::iotoken::publish_price(&updater.pubkey(), price, confidence, now);
    succeeded(chain.send(publish, &[&updater]));
}

/// What one hour of a test device costs in IO converted at `price` (USD per IO, 8 decimals):
/// the time and the 0.25% reservation fee, each rounded up; IO pays no payment fee.
fn io_total_at(price: u64) -> u64 {
    let time = PRICE_PER_HOUR;
    let reservation_fee = (time * 25).div_ceil(10_000);
    let io = |usd: u64| (usd as u128 * 10u128.pow(10)).div_ceil(price as u128) as u64;
    io(time) + io(reservation_fee)
}

#[test]
fn an_io_booking_after_a_1000x_print_fails_and_a_print_at_the_bound_saves_at_most_the_ema_step() {
    let mut chain = Chain::new();
    let first = chain.device(false);
    let second = chain.device(false);
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Io, 1);
    let wallet = chain.token_balance(&res.wallet);
    let honest = expect::total(&expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Io));
    assert_eq!(honest, io_total_at(CONSERVATIVE_PRICE));

    // The print and the booking, paying whatever is asked.
    chain.advance(10);
    publish(&mut chain, 1_000 * IO_PRICE, 0);
    assert_fails(
        chain.book(&renter, &res, &[&first], u64::MAX),
        IotokenError::PriceDeviatesFromEma,
    );
    assert_eq!(chain.token_balance(&res.wallet), wallet, "nothing paid");
    assert!(!chain.exists(&res.booking(&first)));
    // Unbounded, the EMA (and the conversion) would have gone to 3.77 times the price: the
    // renter would have paid about a quarter of the IO owed, fixed for the whole booking.
    let unbounded = next_ema(IO_PRICE, 1_000 * IO_PRICE, 10, HOUR);
    assert!(unbounded > IO_PRICE * 377 / 100);
    let feed = price_feed(&chain);
    assert_eq!(feed.ema, IO_PRICE + IO_PRICE / 1_000);

    // The next honest price: the booking costs exactly what it did before the print.
    chain.advance(10);
    chain.publish_price();
    assert_fails(
        chain.book(&renter, &res, &[&first], honest - 1),
        MarketError::PaymentBelowQuote,
    );
    let meta = succeeded(chain.book(&renter, &res, &[&first], honest));
    let paid: BatchPaid = only_event_of(&meta);
    assert_eq!((paid.io_price, paid.amount), (CONSERVATIVE_PRICE, honest));

    // The most the updater can get used: a spot at the 10% bound, confidence 0. The booking is
    // converted at the EMA, at most three 10-second steps (0.3%) above the price before the
    // print, and the renter pays at most that much less IO than owed at it.
    chain.advance(10);
    let ema = price_feed(&chain).ema;
    publish(&mut chain, ema + ema / 10, 0);
    let bound = IO_PRICE + IO_PRICE * 30 / 10_000;
    let meta = succeeded(chain.book(&renter, &res, &[&second], u64::MAX));
    let paid: BatchPaid = only_event_of(&meta);
    assert_eq!(paid.io_price, price_feed(&chain).ema);
    assert!(paid.io_price <= bound, "{}", paid.io_price);
    assert_eq!(paid.amount, io_total_at(paid.io_price));
    assert!(paid.amount >= io_total_at(bound));
    assert!(paid.amount >= io_total_at(IO_PRICE) * 997 / 1_000);
}

#[test]
fn an_io_booking_is_refused_while_an_updater_halts_and_works_when_the_halt_expires() {
    let mut chain = Chain::new();
    let device = chain.device(false);
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Io, 1);
    let updater = chain.price_updater.insecure_clone();
    let halt = lib_ix::iotoken::set_price_halted(&updater.pubkey(), true);
    succeeded(chain.send(halt, &[&updater]));

    let halt_secs = iotoken::state::GuardParams::DEFAULT.updater_halt_secs;
    chain.advance(halt_secs - 1);
    chain.publish_price();
    assert_fails(
        chain.book(&renter, &res, &[&device], u64::MAX),
        IotokenError::PriceFeedHalted,
    );
    chain.advance(1);
    chain.publish_price();
    succeeded(chain.book(&renter, &res, &[&device], u64::MAX));
}

#[test]
fn an_io_extension_after_a_1000x_print_fails_and_pays_nothing() {
    let mut chain = Chain::new();
    let device = chain.device(false);
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Io, 1);
    succeeded(chain.book(&renter, &res, &[&device], u64::MAX));
    succeeded(chain.ack(&res, &device));
    let wallet = chain.token_balance(&res.wallet);
    let ends_at = chain.booking(&res, &device).ends_at;

    // The print, 10 s after the last price, and an extension by the most hours in the next block,
    // paying whatever is asked: refused by name, nothing paid, the booking unchanged.
    chain.advance(10);
    publish(&mut chain, 1_000 * IO_PRICE, 0);
    assert_fails(
        chain.extend(&renter, &res, &[&device], 1, u64::MAX),
        IotokenError::PriceDeviatesFromEma,
    );
    assert_eq!(chain.token_balance(&res.wallet), wallet);
    assert_eq!(chain.booking(&res, &device).ends_at, ends_at);

    // With the next honest price the extension costs what an hour costs at it.
    chain.advance(10);
    chain.publish_price();
    let hour = expect::total(&expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Io));
    assert_fails(
        chain.extend(&renter, &res, &[&device], 1, hour - 1),
        MarketError::PaymentBelowQuote,
    );
    succeeded(chain.extend(&renter, &res, &[&device], 1, hour));
    assert_eq!(chain.token_balance(&res.wallet), wallet - hour);
    assert_eq!(chain.booking(&res, &device).ends_at, ends_at + HOUR);
}
