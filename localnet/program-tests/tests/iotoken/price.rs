//! The IO/USD price feed: only listed updaters publish, each price valid and newer than the last,
//! with the EMA following on chain; updaters or the authority halt burn-mint, only the authority
//! resumes it.

use {
    crate::common::*,
    iotoken::{
        errors::IotokenError,
        events::{PriceFeedHaltChanged, PricePublished},
        math::price::next_ema,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

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

    // A whole window later the EMA is the price.
    chain.set_time(NOW + EMA_WINDOW);
    succeeded(publish_as(
        &mut chain,
        &updater,
        90_000_000,
        0,
        NOW + EMA_WINDOW,
    ));
    assert_eq!(chain.price_feed().ema, 90_000_000);
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

#[test]
fn updaters_halt_only_the_authority_resumes() {
    let mut chain = Chain::initialized();
    let updater = chain.updater.insecure_clone();
    let authority = chain.authority.insecure_clone();
    let stranger = chain.funded_keypair();

    assert_fails(
        halt_as(&mut chain, &stranger, true),
        IotokenError::NotAuthorityOrUpdater,
    );
    assert_fails(
        halt_as(&mut chain, &authority, false),
        IotokenError::PriceFeedNotHalted,
    );

    let halted = succeeded(halt_as(&mut chain, &updater, true));
    assert!(chain.price_feed().halted);
    let event: PriceFeedHaltChanged = only_event(&halted);
    assert_eq!((event.by, event.halted), (updater.pubkey(), true));

    assert_fails(
        halt_as(&mut chain, &authority, true),
        IotokenError::PriceFeedAlreadyHalted,
    );
    assert_fails(
        halt_as(&mut chain, &updater, false),
        IotokenError::NotConfigAuthority,
    );
    assert_fails(
        halt_as(&mut chain, &stranger, false),
        IotokenError::NotConfigAuthority,
    );
    // Prices may still be published while halted.
    succeeded(publish_as(&mut chain, &updater, PRICE, CONFIDENCE, NOW));
    assert!(chain.price_feed().halted);

    let resumed = succeeded(halt_as(&mut chain, &authority, false));
    assert!(!chain.price_feed().halted);
    let event: PriceFeedHaltChanged = only_event(&resumed);
    assert_eq!((event.by, event.halted), (authority.pubkey(), false));
    assert_fails(
        halt_as(&mut chain, &authority, false),
        IotokenError::PriceFeedNotHalted,
    );
    // The authority may halt too.
    succeeded(halt_as(&mut chain, &authority, true));
    assert!(chain.price_feed().halted);
}
