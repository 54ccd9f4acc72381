//! The IO/USD price feed: only listed updaters publish, each price valid and newer than the last,
//! with the EMA following on chain by a bounded step and the spot's distance from it stored with
//! its bound (M1); updaters halt for a bounded time at most once per cooldown, the authority
//! halts until it resumes (L7).

use {
    crate::common::*,
    iotoken::{
        errors::IotokenError,
        events::{PriceFeedHaltChanged, PricePublished},
        math::price::{bounded_ema, deviation_within, next_ema},
        state::{GuardParams, MAX_PRICE_UPDATERS},
        UpdateConfigArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const GUARDS: GuardParams = GuardParams::DEFAULT;
/// One USD per IO.
const DOLLAR: u64 = 100_000_000;

const PRICE: u64 = 125_000_000;
const CONFIDENCE: u64 = 1_000_000;

fn publish_as(
    chain: &mut Chain,
    signer: &Keypair,
    price: u64,
    confidence: u64,
    publish_time: i64,
) -> litesvm::types::TransactionResult {
    chain.send(
        ix::publish_price(&signer.pubkey(), price, confidence, publish_time),
        &[signer],
    )
}

fn halt_as(chain: &mut Chain, signer: &Keypair, halted: bool) -> litesvm::types::TransactionResult {
    chain.send(ix::set_price_halted(&signer.pubkey(), halted), &[signer])
}

#[test]
fn publish_price_sets_the_price_and_the_ema_follows_by_elapsed_time() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();

    let first = succeeded(publish_as(
        &mut chain,
        &updater,
        120_000_000,
        900_000,
        NOW - 900,
    ));
    let event: PricePublished = only_event(&first);
    assert_eq!((event.ema_before, event.ema_after), (0, 120_000_000));

    let second = succeeded(publish_as(&mut chain, &updater, PRICE, CONFIDENCE, NOW));

    let ema = next_ema(120_000_000, PRICE, 900, EMA_WINDOW);
    assert_eq!(ema, 121_250_000);
    let feed = chain.price_feed();
    assert_eq!(
        (feed.price, feed.confidence, feed.ema, feed.publish_time),
        (PRICE, CONFIDENCE, ema, NOW)
    );
    assert_eq!(feed.last_updater, updater.pubkey());
    let event: PricePublished = only_event(&second);
    assert_eq!(event.updater, updater.pubkey());
    assert_eq!((event.price, event.confidence), (PRICE, CONFIDENCE));
    assert_eq!((event.ema_before, event.ema_after), (120_000_000, ema));
    assert_eq!(event.publish_time, NOW);

    // A whole window later the EMA is the price, for a move within the step bound (1%).
    chain.set_time(NOW + EMA_WINDOW);
    let meta = succeeded(publish_as(
        &mut chain,
        &updater,
        120_000_000,
        0,
        NOW + EMA_WINDOW,
    ));
    assert_eq!(chain.price_feed().ema, 120_000_000);
    let event: PricePublished = only_event(&meta);
    assert_eq!(
        (event.ema_target, event.ema_after),
        (120_000_000, 120_000_000)
    );
    assert_eq!(event.max_deviation_bps, GUARDS.max_deviation_bps);
    assert!(event.within_deviation);
}

#[test]
fn a_1000x_print_moves_the_ema_one_bounded_step_and_is_stored_as_unusable() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    succeeded(publish_as(&mut chain, &updater, DOLLAR, 0, NOW - 10));

    // The review's print: 1,000 USD with confidence 0, 10 s after the last.
    let meta = succeeded(publish_as(&mut chain, &updater, 1_000 * DOLLAR, 0, NOW));

    // Unbounded the EMA would be 3.775 USD; bounded it moves 1 bp a second: 0.1%.
    let unbounded = next_ema(DOLLAR, 1_000 * DOLLAR, 10, EMA_WINDOW);
    assert_eq!(unbounded, 377_500_000);
    let feed = chain.price_feed();
    assert_eq!(feed.ema, DOLLAR + DOLLAR / 1_000);
    assert_eq!(feed.price, 1_000 * DOLLAR, "the print is recorded");
    assert_eq!(feed.max_deviation_bps, GUARDS.max_deviation_bps);
    assert!(!deviation_within(
        feed.price,
        feed.ema,
        feed.max_deviation_bps.into()
    ));
    assert_fails_usable(&chain, IotokenError::PriceDeviatesFromEma);
    let event: PricePublished = only_event(&meta);
    assert_eq!(
        (event.ema_before, event.ema_target, event.ema_after),
        (DOLLAR, unbounded, feed.ema)
    );
    assert!(!event.within_deviation);

    // Kept up for an hour, a print every 10 s, it drags the EMA at most 1 bp a second,
    // compounded (1.001^361 = 1.4345x with the first), and the price is never usable meanwhile.
    let mut ema = feed.ema;
    for step in 1..=360 {
        let time = NOW + 10 * step;
        chain.set_time(time);
        succeeded(publish_as(&mut chain, &updater, 1_000 * DOLLAR, 0, time));
        let feed = chain.price_feed();
        assert_eq!(feed.ema, ema + ema / 1_000);
        ema = feed.ema;
        assert_fails_usable(&chain, IotokenError::PriceDeviatesFromEma);
    }
    assert_eq!(ema, 143_450_262);

    // After a long silence one print moves it at most the 2% cap.
    let later = NOW + 3_600 + 86_400;
    chain.set_time(later);
    succeeded(publish_as(&mut chain, &updater, DOLLAR, 0, later));
    assert_eq!(chain.price_feed().ema, ema - ema / 50);
}

#[test]
fn a_real_move_is_followed_by_the_ema_and_usable_again_once_within_the_deviation_bound() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    succeeded(publish_as(&mut chain, &updater, DOLLAR, 0, NOW - 30));
    // A 15% crash: the spot is refused until the EMA is within 10% of it.
    let crashed = 85 * DOLLAR / 100;
    let mut time = NOW;
    let mut ema = DOLLAR;
    let mut refused = 0;
    loop {
        chain.set_time(time);
        succeeded(publish_as(&mut chain, &updater, crashed, 0, time));
        let expected = bounded_ema(
            ema,
            crashed,
            30,
            EMA_WINDOW,
            GUARDS.ema_step_bps_per_hour.into(),
            GUARDS.max_ema_step_bps.into(),
        );
        // Within the bounds the step is the plain EMA's.
        assert_eq!(expected, next_ema(ema, crashed, 30, EMA_WINDOW));
        ema = chain.price_feed().ema;
        assert_eq!(ema, expected);
        if deviation_within(crashed, ema, GUARDS.max_deviation_bps.into()) {
            break;
        }
        refused += 1;
        time += 30;
    }
    // The EMA must close from 15 to 9.44 US cents above the spot: ln(15 / 9.44) = 0.46 of the
    // window, some 55 prints 30 s apart.
    assert!((50..60).contains(&refused), "{refused} prints refused");
    assert_eq!(chain.usable(), Ok(crashed));
}

fn assert_fails_usable(chain: &Chain, expected: IotokenError) {
    assert_eq!(chain.usable(), Err(expected.name()));
}

#[test]
fn publish_price_by_anyone_but_an_updater_fails_with_not_price_updater() {
    let mut chain = Chain::initialized();
    let authority = chain.authority.insecure_clone();
    let stranger = chain.funded_keypair();
    for signer in [&stranger, &authority] {
        let result = publish_as(&mut chain, signer, PRICE, CONFIDENCE, NOW);
        assert_fails(result, IotokenError::NotPriceUpdater);
    }
    assert_eq!(chain.price_feed().publish_time, 0);
}

#[test]
fn invalid_prices_and_times_fail_by_name() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();

    for (price, confidence) in [(0, 0), (PRICE, PRICE), (PRICE, PRICE + 1)] {
        let result = publish_as(&mut chain, &updater, price, confidence, NOW);
        assert_fails(result, IotokenError::InvalidPrice);
    }
    let future = publish_as(&mut chain, &updater, PRICE, CONFIDENCE, NOW + 1);
    assert_fails(future, IotokenError::PublishTimeInFuture);

    succeeded(publish_as(
        &mut chain,
        &updater,
        PRICE,
        CONFIDENCE,
        NOW - 10,
    ));
    for time in [NOW - 10, NOW - 11] {
        let result = publish_as(&mut chain, &updater, PRICE + 1, CONFIDENCE, time);
        assert_fails(result, IotokenError::PublishTimeNotNewer);
    }
    let feed = chain.price_feed();
    assert_eq!((feed.price, feed.publish_time), (PRICE, NOW - 10));
    // The largest confidence accepted is one below the price.
    succeeded(publish_as(&mut chain, &updater, PRICE, PRICE - 1, NOW));
}

fn add_updater(chain: &mut Chain) -> Keypair {
    let second = chain.funded_keypair();
    let authority = chain.authority.pubkey();
    let updaters = vec![chain.updater.pubkey(), second.pubkey()];
    succeeded(chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            price_updaters: Some(updaters),
            ..Default::default()
        },
    )));
    second
}

#[test]
fn an_updaters_halt_expires_and_it_cannot_halt_again_within_the_cooldown() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    let stranger = chain.funded_keypair();

    assert_fails(
        halt_as(&mut chain, &stranger, true),
        IotokenError::NotAuthorityOrUpdater,
    );
    let halted = succeeded(halt_as(&mut chain, &updater, true));
    let feed = chain.price_feed();
    assert!(feed.halted && feed.is_halted(NOW));
    assert_eq!(feed.halt_expires_at, NOW + GUARDS.updater_halt_secs);
    assert_eq!(feed.updater_halts[0].updater, updater.pubkey());
    assert_eq!(feed.updater_halts[0].halted_at, NOW);
    let event: PriceFeedHaltChanged = only_event(&halted);
    assert_eq!(
        (event.by, event.halted, event.halted_before),
        (updater.pubkey(), true, false)
    );
    assert_eq!(
        (event.expires_at_before, event.expires_at_after),
        (0, NOW + GUARDS.updater_halt_secs)
    );

    // It lasts an hour to the second, then ends by itself.
    let end = NOW + GUARDS.updater_halt_secs;
    assert!(chain.price_feed().is_halted(end - 1));
    assert!(!chain.price_feed().is_halted(end));

    // Re-halting is refused by name for the cooldown, also after the halt expired...
    for time in [NOW + 1, end, NOW + GUARDS.updater_halt_cooldown_secs - 1] {
        chain.set_time(time);
        assert_fails(
            halt_as(&mut chain, &updater, true),
            IotokenError::HaltCooldown,
        );
    }
    assert!(!chain
        .price_feed()
        .is_halted(NOW + GUARDS.updater_halt_cooldown_secs - 1));
    // ...and allowed again once it passed: one hour of halt per day, at most.
    let next = NOW + GUARDS.updater_halt_cooldown_secs;
    chain.set_time(next);
    succeeded(halt_as(&mut chain, &updater, true));
    assert_eq!(
        chain.price_feed().halt_expires_at,
        next + GUARDS.updater_halt_secs
    );
}

#[test]
fn a_second_updater_extends_a_halt_the_authority_makes_it_last_and_resumes_any() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    let authority = chain.authority.insecure_clone();
    let second = add_updater(&mut chain);

    succeeded(halt_as(&mut chain, &updater, true));
    // Half an hour later the second updater keeps it halted an hour from then.
    chain.set_time(NOW + 1_800);
    let meta = succeeded(halt_as(&mut chain, &second, true));
    let event: PriceFeedHaltChanged = only_event(&meta);
    assert!(event.halted_before);
    assert_eq!(
        (event.expires_at_before, event.expires_at_after),
        (NOW + 3_600, NOW + 1_800 + 3_600)
    );
    let feed = chain.price_feed();
    assert_eq!(feed.updater_halts[1].updater, second.pubkey());
    // Both are now in their cooldowns: two updaters held it halted 1.5 hours.
    chain.set_time(NOW + 5_400);
    assert!(!chain.price_feed().is_halted(NOW + 5_400));
    for signer in [&updater, &second] {
        assert_fails(
            halt_as(&mut chain, signer, true),
            IotokenError::HaltCooldown,
        );
    }

    // An updater cannot resume; the authority resumes even an expired halt.
    assert_fails(
        halt_as(&mut chain, &updater, false),
        IotokenError::NotConfigAuthority,
    );
    let resumed = succeeded(halt_as(&mut chain, &authority, false));
    let feed = chain.price_feed();
    assert!(!feed.halted);
    assert_eq!(feed.halt_expires_at, 0);
    let event: PriceFeedHaltChanged = only_event(&resumed);
    assert_eq!(
        (event.by, event.halted, event.halted_before),
        (authority.pubkey(), false, false)
    );
    assert_fails(
        halt_as(&mut chain, &authority, false),
        IotokenError::PriceFeedNotHalted,
    );
    // The cooldowns survive the resume.
    assert_fails(
        halt_as(&mut chain, &updater, true),
        IotokenError::HaltCooldown,
    );

    // The authority's halt lasts until it resumes; nobody else can add to it.
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    let authority = chain.authority.insecure_clone();
    succeeded(halt_as(&mut chain, &updater, true));
    // Over an updater's halt it makes the halt last.
    let meta = succeeded(halt_as(&mut chain, &authority, true));
    let event: PriceFeedHaltChanged = only_event(&meta);
    assert_eq!(
        (event.expires_at_before, event.expires_at_after),
        (NOW + 3_600, 0)
    );
    assert!(chain.price_feed().is_halted(i64::MAX));
    assert_fails(
        halt_as(&mut chain, &authority, true),
        IotokenError::PriceFeedAlreadyHalted,
    );
    chain.set_time(NOW + GUARDS.updater_halt_cooldown_secs);
    assert_fails(
        halt_as(&mut chain, &updater, true),
        IotokenError::PriceFeedAlreadyHalted,
    );
    // Prices may still be published while halted.
    chain.publish(DOLLAR, 0, NOW + GUARDS.updater_halt_cooldown_secs);
    assert!(chain.price_feed().halted);
    succeeded(halt_as(&mut chain, &authority, false));
    assert!(!chain
        .price_feed()
        .is_halted(NOW + GUARDS.updater_halt_cooldown_secs));
}

#[test]
fn a_removed_updaters_halt_record_is_reused_and_it_can_no_longer_halt() {
    let mut chain = Chain::initialized();
    let authority = chain.authority.pubkey();
    let updater = chain.updater.insecure_clone();
    // Eight updaters each halt once, filling every record.
    let others: Vec<Keypair> = (1..MAX_PRICE_UPDATERS)
        .map(|_| chain.funded_keypair())
        .collect();
    let mut updaters = vec![updater.pubkey()];
    updaters.extend(others.iter().map(|k| k.pubkey()));
    let set = |chain: &mut Chain, updaters: Vec<_>| {
        succeeded(chain.send_as_authority(ix::update_config(
            &authority,
            UpdateConfigArgs {
                price_updaters: Some(updaters),
                ..Default::default()
            },
        )))
    };
    set(&mut chain, updaters.clone());
    for (i, signer) in std::iter::once(&updater).chain(&others).enumerate() {
        chain.set_time(NOW + i as i64);
        succeeded(halt_as(&mut chain, signer, true));
    }
    assert!(chain
        .price_feed()
        .updater_halts
        .iter()
        .all(|h| h.halted_at >= NOW));

    // The first updater is replaced; the newcomer takes its record, the old one cannot halt.
    let newcomer = chain.funded_keypair();
    updaters[0] = newcomer.pubkey();
    set(&mut chain, updaters);
    assert_fails(
        halt_as(&mut chain, &updater, true),
        IotokenError::NotAuthorityOrUpdater,
    );
    chain.set_time(NOW + 100);
    succeeded(halt_as(&mut chain, &newcomer, true));
    let records = chain.price_feed().updater_halts;
    assert_eq!(records[0].updater, newcomer.pubkey());
    assert_eq!(records[0].halted_at, NOW + 100);
    assert_eq!(chain.price_feed().halt_expires_at, NOW + 100 + 3_600);
}
