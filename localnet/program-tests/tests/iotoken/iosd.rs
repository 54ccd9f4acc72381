//! `mint_iosd`: IO burned, IOSD minted at the conservative price (rounded down), refused on a
//! halted, stale, uncertain or deviating feed, below the caller's minimum, or past the circuit
//! breaker's bucket; the burned IO comes back as net emission through the epoch crank, never in
//! the epoch it was burned in. IOSD comes to exist no other way. The review's attacks (M1 on
//! the price, L7 on halts, L8 on the breaker, I1 on the backlog) fail here by name.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iotoken::{
        errors::IotokenError,
        events::IosdMinted,
        math::{
            emission::net_emission_draw,
            price::{conservative_price, iosd_for_io, next_ema},
            GENESIS_SUPPLY, IO,
        },
        state::{BreakerParams, GuardParams, OracleParams},
        UpdateConfigArgs,
    },
    litesvm::types::TransactionResult,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const PRICE: u64 = 125_000_000;
const CONFIDENCE: u64 = 1_000_000;
/// min(125, EMA 121.25) - 2 x 0.01 USD: the EMA moved a quarter of the way from 1.20 to 1.25.
const CONSERVATIVE: u64 = 119_250_000;

/// The test schedule sealed, and a price published 15 minutes apart: 1.20 then 1.25 USD.
fn priced_chain() -> Chain {
    let mut chain = Chain::emitting();
    chain.publish(120_000_000, 900_000, NOW - 900);
    chain.publish(PRICE, CONFIDENCE, NOW);
    chain
}

struct User {
    keypair: Keypair,
    io: Pubkey,
    iosd: Pubkey,
}

fn user(chain: &mut Chain, io: u64) -> User {
    let (keypair, io, iosd) = chain.iosd_user(io);
    User { keypair, io, iosd }
}

fn mint(chain: &mut Chain, user: &User, io_amount: u64, min_out: u64) -> TransactionResult {
    chain.send(
        ix::mint_iosd(
            &user.keypair.pubkey(),
            &user.io,
            &user.iosd,
            io_amount,
            min_out,
        ),
        &[&user.keypair],
    )
}

#[test]
fn mint_iosd_burns_the_io_and_mints_at_the_conservative_price() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 2_000 * IO);
    let io_amount = 123_456_789_012;
    let expected_iosd = 1_472_222_208;
    let feed = chain.price_feed();
    assert_eq!(
        conservative_price(feed.price, feed.ema, feed.confidence),
        Some(CONSERVATIVE)
    );
    assert_eq!(feed.ema, next_ema(120_000_000, PRICE, 900, EMA_WINDOW));
    assert_eq!(
        expected_iosd,
        (io_amount as u128 * CONSERVATIVE as u128 / 10_000_000_000) as u64
    );
    assert_eq!(
        iosd_for_io(io_amount, CONSERVATIVE).ok(),
        Some(expected_iosd)
    );
    let supply_before = chain.io_supply();

    // The minimum asked for may be exactly what comes out.
    let meta = succeeded(mint(&mut chain, &user, io_amount, expected_iosd));

    assert_eq!(chain.token_balance(&user.io), 2_000 * IO - io_amount);
    assert_eq!(chain.token_balance(&user.iosd), expected_iosd);
    assert_eq!(chain.io_supply(), supply_before - io_amount);
    assert_eq!(chain.iosd_supply(), expected_iosd);
    let ledger = chain.ledger();
    assert_eq!(ledger.total_io_burned, io_amount);
    assert_eq!(ledger.total_iosd_minted, expected_iosd);
    assert_eq!(
        (ledger.burn_epoch, ledger.burned_in_burn_epoch),
        (0, io_amount)
    );
    assert_eq!(ledger.net_backlog, 0, "burns wait for their epoch to pass");
    assert_eq!(
        (ledger.breaker_updated_at, ledger.breaker_used),
        (NOW, expected_iosd)
    );
    let event: IosdMinted = only_event(&meta);
    assert_eq!(event.user, user.keypair.pubkey());
    assert_eq!(
        (event.io_burned, event.iosd_minted),
        (io_amount, expected_iosd)
    );
    assert_eq!(event.price, CONSERVATIVE);
    assert_eq!(
        (event.breaker_used_before, event.breaker_used_after),
        (0, expected_iosd)
    );
    assert_eq!(event.burn_epoch, 0);
    assert_eq!(event.net_backlog_after, 0);
    chain.assert_iosd_only_from_burn_mint();

    // The smallest amount worth one IOSD base unit: 84 IO base units at 1.1925 USD.
    succeeded(mint(&mut chain, &user, 84, 1));
    assert_eq!(chain.token_balance(&user.iosd), expected_iosd + 1);
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn mint_iosd_refuses_bad_amounts_by_name() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 1_000 * IO);

    assert_fails(mint(&mut chain, &user, 0, 0), IotokenError::ZeroAmount);
    assert_fails(mint(&mut chain, &user, 83, 0), IotokenError::AmountTooSmall);
    assert_fails(mint(&mut chain, &user, 1, 0), IotokenError::AmountTooSmall);
    // 1,000 IO make 1,192.5 IOSD; asking one base unit more fails.
    assert_fails(
        mint(&mut chain, &user, 1_000 * IO, 1_192_500_001),
        IotokenError::SlippageExceeded,
    );
    assert_eq!(chain.token_balance(&user.io), 1_000 * IO);
    assert_eq!(chain.iosd_supply(), 0);
    succeeded(mint(&mut chain, &user, 1_000 * IO, 1_192_500_000));
    assert_eq!(chain.token_balance(&user.iosd), 1_192_500_000);
    assert_eq!(chain.token_balance(&user.io), 0);
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn mint_iosd_with_wrong_accounts_fails_by_name() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 1_000 * IO);
    let signer = user.keypair.insecure_clone();
    let owner = signer.pubkey();
    let iosd_as_source = chain.create_token_account(&pda::iosd_mint(), &owner);
    let io_as_destination = chain.create_token_account(&pda::io_mint(), &owner);

    let wrong_source = chain.send(
        ix::mint_iosd(&owner, &iosd_as_source, &user.iosd, IO, 0),
        &[&signer],
    );
    assert_fails(wrong_source, IotokenError::WrongMint);
    let wrong_destination = chain.send(
        ix::mint_iosd(&owner, &user.io, &io_as_destination, IO, 0),
        &[&signer],
    );
    assert_fails(wrong_destination, IotokenError::WrongMint);

    // The community allocation belongs to the holder, not to this user.
    let community = chain.genesis[0];
    let someone_elses = chain.send(
        ix::mint_iosd(&owner, &community, &user.iosd, IO, 0),
        &[&signer],
    );
    assert_fails(someone_elses, IotokenError::NotTokenAccountOwner);

    assert_eq!(
        chain.token_balance(&community),
        250_000_000 * IO - 1_000 * IO
    );
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);
    assert_eq!(chain.iosd_supply(), 0);
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn mint_iosd_refuses_a_stale_halted_or_uncertain_price() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 1_000 * IO);
    let authority = chain.authority.insecure_clone();
    let updater = chain.updater.insecure_clone();

    // Exactly max_staleness_secs old is still fresh; one second more is stale.
    chain.set_time(NOW + MAX_STALENESS + 1);
    assert_fails(mint(&mut chain, &user, IO, 0), IotokenError::PriceStale);
    chain.set_time(NOW + MAX_STALENESS);
    succeeded(mint(&mut chain, &user, IO, 0));

    succeeded(chain.send(ix::set_price_halted(&updater.pubkey(), true), &[&updater]));
    assert_fails(
        mint(&mut chain, &user, IO, 0),
        IotokenError::PriceFeedHalted,
    );
    succeeded(chain.send(
        ix::set_price_halted(&authority.pubkey(), false),
        &[&authority],
    ));

    // Confidence of 2% is the most accepted; a hair more is too uncertain.
    let time = NOW + MAX_STALENESS + 10;
    chain.set_time(time);
    chain.publish(PRICE, PRICE / 50 + 1, time);
    assert_fails(
        mint(&mut chain, &user, IO, 0),
        IotokenError::PriceTooUncertain,
    );
    chain.set_time(time + 1);
    chain.publish(PRICE, PRICE / 50, time + 1);
    succeeded(mint(&mut chain, &user, IO, 0));

    // With any confidence allowed, one too wide leaves no positive conservative price.
    let mut oracle: OracleParams = chain.config().oracle;
    oracle.max_confidence_bps = 10_000;
    succeeded(chain.send(
        ix::update_config(
            &authority.pubkey(),
            UpdateConfigArgs {
                oracle: Some(oracle),
                ..Default::default()
            },
        ),
        &[&authority],
    ));
    chain.set_time(time + 2);
    chain.publish(PRICE, PRICE / 2, time + 2);
    assert_fails(
        mint(&mut chain, &user, IO, 0),
        IotokenError::PriceNotPositive,
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn mint_iosd_before_any_price_or_seal_fails() {
    let mut chain = Chain::with_genesis();
    chain.publish(PRICE, CONFIDENCE, NOW);
    let user = user(&mut chain, 10 * IO);
    assert_fails(
        mint(&mut chain, &user, IO, 0),
        IotokenError::ScheduleNotSealed,
    );

    let mut chain = Chain::emitting();
    let user = self::user(&mut chain, 10 * IO);
    assert_fails(mint(&mut chain, &user, IO, 0), IotokenError::PriceStale);
    assert_eq!(chain.iosd_supply(), 0);
}

const DOLLAR: u64 = 100_000_000;
const GUARDS: GuardParams = GuardParams::DEFAULT;
/// The test breaker's burst (half of 5,000 IOSD) and its refill per day (the other half).
const BURST: u64 = BREAKER_MAX / 2;
const REFILL: u64 = BREAKER_MAX - BURST;

/// The chain's clock set to `time` and a price of exactly 1 USD (confidence 0) published then,
/// so 100 IO base units mint one IOSD base unit.
fn dollar_at(chain: &mut Chain, time: i64) {
    chain.set_time(time);
    chain.publish(DOLLAR, 0, time);
}

/// IO base units that mint exactly `iosd` IOSD base units at 1 USD.
fn io_at_a_dollar(iosd: u64) -> u64 {
    assert_eq!(iosd_for_io(iosd * 100, DOLLAR).ok(), Some(iosd));
    iosd * 100
}

#[test]
fn the_breaker_refuses_the_limit_across_the_old_window_edge_and_refills_to_the_unit() {
    let mut chain = Chain::emitting();
    let user = user(&mut chain, 20_000 * IO);
    assert_eq!(GUARDS.breaker_burst_bps, 5_000);

    // The burst at once, one second before the fixed window of the old breaker ended...
    let day = ORIGIN + BREAKER_WINDOW;
    dollar_at(&mut chain, day - 1);
    let meta = succeeded(mint(&mut chain, &user, io_at_a_dollar(BURST), 0));
    let event: IosdMinted = only_event(&meta);
    assert_eq!(
        (event.breaker_used_before, event.breaker_used_after),
        (0, BURST)
    );
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(1), 0),
        IotokenError::CircuitBreakerTripped,
    );
    // ...and again one second after it: refused by name; only two seconds of refill are free.
    dollar_at(&mut chain, day + 1);
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(BURST), 0),
        IotokenError::CircuitBreakerTripped,
    );
    let two_seconds = REFILL * 2 / 86_400;
    assert_eq!(two_seconds, 57_870);
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(two_seconds + 1), 0),
        IotokenError::CircuitBreakerTripped,
    );
    let meta = succeeded(mint(&mut chain, &user, io_at_a_dollar(two_seconds), 0));
    let event: IosdMinted = only_event(&meta);
    assert_eq!(
        (event.breaker_used_before, event.breaker_used_after),
        (BURST - two_seconds, BURST)
    );
    assert_eq!(chain.ledger().breaker_updated_at, day + 1);

    // An hour later exactly an hour's refill is free, to the unit.
    let hour = (REFILL as u128 * 3_600 / 86_400) as u64;
    assert_eq!(hour, 104_166_666);
    dollar_at(&mut chain, day + 1 + HOUR);
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(hour + 1), 0),
        IotokenError::CircuitBreakerTripped,
    );
    succeeded(mint(&mut chain, &user, io_at_a_dollar(hour), 0));
    assert_eq!(chain.ledger().breaker_used, BURST);

    // Greedy to the end of the window that began with the first mint: what is free then keeps
    // everything minted in it within the limit.
    let last = day - 1 + BREAKER_WINDOW - 1;
    let refilled = (REFILL as u128 * (last - (day + 1 + HOUR)) as u128 / 86_400) as u64;
    dollar_at(&mut chain, last);
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(refilled + 1), 0),
        IotokenError::CircuitBreakerTripped,
    );
    succeeded(mint(&mut chain, &user, io_at_a_dollar(refilled), 0));
    let in_one_window = BURST + two_seconds + hour + refilled;
    assert_eq!(chain.token_balance(&user.iosd), in_one_window);
    assert!(in_one_window <= BREAKER_MAX, "{in_one_window}");
    // Short of the limit by the rounding and the one second the span lacks of a window.
    assert_eq!(in_one_window, 4_999_971_063);
    // The old fixed window allowed 2 x 5,000 IOSD in those two seconds alone.
    chain.assert_iosd_only_from_burn_mint();

    // A full window after the bucket was last full it is empty: the burst again, no more.
    dollar_at(&mut chain, last + BREAKER_WINDOW);
    succeeded(mint(&mut chain, &user, io_at_a_dollar(BURST), 0));
    assert_fails(
        mint(&mut chain, &user, io_at_a_dollar(1), 0),
        IotokenError::CircuitBreakerTripped,
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn minting_after_a_1000x_print_fails_and_a_print_at_the_bound_gains_only_the_ema_step() {
    let mut chain = Chain::emitting();
    let user = user(&mut chain, 2_000 * IO);
    chain.publish(DOLLAR, 0, NOW - 10);
    let honest = iosd_for_io(1_000 * IO, DOLLAR).expect("iosd");
    assert_eq!(honest, 1_000_000_000);

    // The review's attack: a 1,000 USD print with confidence 0, 10 s after the last, then a mint
    // in the next block.
    chain.publish(1_000 * DOLLAR, 0, NOW);
    assert_fails(
        mint(&mut chain, &user, 1_000 * IO, 0),
        IotokenError::PriceDeviatesFromEma,
    );
    assert_eq!(chain.token_balance(&user.io), 2_000 * IO, "no IO burned");
    assert_eq!(chain.iosd_supply(), 0);
    // Without the step bound the EMA, and so the mint, would have been at 3.775 USD.
    assert_eq!(
        next_ema(DOLLAR, 1_000 * DOLLAR, 10, EMA_WINDOW),
        377_500_000
    );
    let ema = chain.price_feed().ema;
    assert_eq!(ema, DOLLAR + DOLLAR / 1_000);

    // The most a faulty updater can then get used: a spot exactly at the 10% deviation bound,
    // 10 s later. The mint is valued at the EMA, which moved at most one more 0.1% step.
    chain.set_time(NOW + 10);
    let spot = ema + ema / 10;
    chain.publish(spot, 0, NOW + 10);
    let feed = chain.price_feed();
    assert_eq!(feed.ema, next_ema(ema, spot, 10, EMA_WINDOW));
    assert!(feed.ema <= ema + ema / 1_000);
    let meta = succeeded(mint(&mut chain, &user, 1_000 * IO, 0));
    let event: IosdMinted = only_event(&meta);
    assert_eq!(event.price, feed.ema);
    let minted = chain.token_balance(&user.iosd);
    assert_eq!(minted, iosd_for_io(1_000 * IO, feed.ema).expect("iosd"));
    // 0.13% over the honest value, within two 10-second steps (0.2%), against 277.5% before.
    assert_eq!(minted, 1_001_278_050);
    assert!(minted <= honest + honest * 20 / 10_000);
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn a_rogue_updaters_halt_expires_after_an_hour_and_it_cannot_re_halt_for_a_day() {
    let mut chain = Chain::emitting();
    let user = user(&mut chain, 100 * IO);
    let rogue = chain.updater.insecure_clone();
    dollar_at(&mut chain, NOW);
    succeeded(chain.send(ix::set_price_halted(&rogue.pubkey(), true), &[&rogue]));

    // Halted for the hour, to the second: prices stay fresh, minting is refused by name.
    for time in [NOW + 1, NOW + GUARDS.updater_halt_secs - 1] {
        dollar_at(&mut chain, time);
        assert_fails(
            mint(&mut chain, &user, IO, 0),
            IotokenError::PriceFeedHalted,
        );
    }
    // Then minting works again, with nobody resuming.
    dollar_at(&mut chain, NOW + GUARDS.updater_halt_secs);
    succeeded(mint(&mut chain, &user, IO, 0));
    assert!(
        chain.price_feed().halted,
        "the flag is only cleared by a resume"
    );

    // The rogue cannot keep it halted: refused by name until a day after its halt...
    for time in [
        NOW + GUARDS.updater_halt_secs + 1,
        NOW + GUARDS.updater_halt_cooldown_secs - 1,
    ] {
        chain.set_time(time);
        let again = chain.send(ix::set_price_halted(&rogue.pubkey(), true), &[&rogue]);
        assert_fails(again, IotokenError::HaltCooldown);
        dollar_at(&mut chain, time);
        succeeded(mint(&mut chain, &user, IO, 0));
    }
    // ...so over a day one updater holds the feed at most an hour.
    dollar_at(&mut chain, NOW + GUARDS.updater_halt_cooldown_secs);
    succeeded(chain.send(ix::set_price_halted(&rogue.pubkey(), true), &[&rogue]));
    assert_fails(
        mint(&mut chain, &user, IO, 0),
        IotokenError::PriceFeedHalted,
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn an_epochs_own_burns_are_not_re_emitted_when_end_epoch_lags() {
    let mut chain = Chain::emitting();
    let user = user(&mut chain, 3_000 * IO);
    chain.set_time(ORIGIN + HOUR + 60);
    let epoch_0 = chain.crank_checked(1);
    assert_eq!(epoch_0[0].net_emission, 0);

    // Epoch 1 burns; nobody closes it before epoch 2 burns too.
    let first = 1_200 * IO + 3;
    dollar_at(&mut chain, ORIGIN + HOUR + 100);
    let meta = succeeded(mint(&mut chain, &user, first, 0));
    assert_eq!(only_event::<IosdMinted>(&meta).burn_epoch, 1);
    let second = 700 * IO + 5;
    dollar_at(&mut chain, ORIGIN + 2 * HOUR + 100);
    let meta = succeeded(mint(&mut chain, &user, second, 0));
    let event: IosdMinted = only_event(&meta);
    assert_eq!((event.burn_epoch, event.net_backlog_after), (2, 0));
    let ledger = chain.ledger();
    assert_eq!(ledger.next_epoch, 1, "epoch 1 is still open");
    assert_eq!(
        (
            ledger.net_backlog,
            ledger.burn_epoch,
            ledger.burned_in_burn_epoch
        ),
        (0, 2, first + second),
        "epoch 1's burns wait with epoch 2's"
    );

    // Closing epoch 1 re-emits none of its own burns (before, it re-emitted ceil(first / 24)),
    // and epoch 2 none of its own.
    chain.set_time(ORIGIN + 4 * HOUR);
    let records = chain.crank_checked(2);
    assert_eq!(
        records.iter().map(|r| r.net_emission).collect::<Vec<_>>(),
        [0, 0]
    );
    assert_eq!(chain.ledger().net_backlog, 0);
    // Epoch 3 is the first after both burns: it re-emits them.
    let epoch_3 = chain.crank_checked(1);
    assert_eq!(
        epoch_3[0].net_emission,
        net_emission_draw(first + second, 24, 1_000 * IO)
    );
    assert_eq!(
        chain.ledger().net_backlog,
        first + second - epoch_3[0].net_emission
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn burned_io_is_re_emitted_from_the_epoch_after_the_burn_smoothed_and_capped() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 3_000 * IO);
    // Room for the burn in one mint: this test is about the backlog, not the breaker.
    let authority = chain.authority.pubkey();
    succeeded(chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            breaker: Some(BreakerParams {
                window_secs: BREAKER_WINDOW,
                max_iosd_per_window: 2 * BREAKER_MAX,
            }),
            ..Default::default()
        },
    )));
    let burned = 2_400 * IO + 7;
    succeeded(mint(&mut chain, &user, burned, 0));
    chain.assert_iosd_only_from_burn_mint();
    chain.set_time(ORIGIN + 3 * HOUR);

    // Epoch 0, in which the burn happened, re-emits nothing.
    let epoch_0 = chain.crank_checked(1);
    assert_eq!(epoch_0[0].net_emission, 0);
    assert_eq!(epoch_0[0].scheduled_emission, RATE_A);
    let ledger = chain.ledger();
    assert_eq!(
        (
            ledger.net_backlog,
            ledger.burn_epoch,
            ledger.burned_in_burn_epoch
        ),
        (0, 0, burned)
    );

    // Epoch 1 takes the burn into the backlog and re-emits ceil(backlog / 24).
    let supply_before = chain.io_supply();
    let epoch_1 = chain.crank_checked(1);
    let first_draw = 10_000_000_001;
    assert_eq!(net_emission_draw(burned, 24, 1_000 * IO), first_draw);
    assert_eq!(epoch_1[0].net_emission, first_draw);
    assert_eq!(epoch_1[0].scheduled_emission, RATE_A);
    assert_eq!(chain.io_supply(), supply_before + RATE_A + first_draw);
    let total = RATE_A + first_draw;
    let compute = total / 4;
    let stakers = total / 10;
    let keepers = total / 20;
    assert_eq!(
        epoch_1[0].pools,
        [
            total - compute - stakers - keepers,
            compute,
            stakers,
            keepers - CRANK_TIP
        ]
    );
    let ledger = chain.ledger();
    assert_eq!(ledger.net_backlog, burned - first_draw);
    assert_eq!(ledger.cumulative_net, first_draw);
    assert_eq!(ledger.cumulative_scheduled, 2 * RATE_A);
    assert_eq!((ledger.burn_epoch, ledger.burned_in_burn_epoch), (1, 0));
    assert_eq!(ledger.total_io_burned, burned);

    // With the cap lowered to 50 IO, epoch 2 re-emits exactly the cap.
    let authority = chain.authority.pubkey();
    let mut emission = default_emission();
    emission.net_cap_per_epoch = 50 * IO;
    succeeded(chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            emission: Some(emission),
            ..Default::default()
        },
    )));
    let epoch_2 = chain.crank_checked(1);
    assert!(net_emission_draw(burned - first_draw, 24, u64::MAX) > 50 * IO);
    assert_eq!(epoch_2[0].net_emission, 50 * IO);
    let ledger = chain.ledger();
    assert_eq!(ledger.net_backlog, burned - first_draw - 50 * IO);
    assert_eq!(ledger.cumulative_net, first_draw + 50 * IO);
    // Net emission never counts against the schedule.
    assert_eq!(ledger.cumulative_scheduled, 3 * RATE_A);
    assert_eq!(
        chain.io_supply(),
        GENESIS_SUPPLY - burned + 3 * RATE_A + first_draw + 50 * IO
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn iosd_and_io_cannot_be_minted_outside_the_program() {
    let mut chain = priced_chain();
    let user = user(&mut chain, IO);
    succeeded(mint(&mut chain, &user, IO, 0));
    let authority = chain.authority.insecure_clone();
    for (mint, destination) in [(pda::iosd_mint(), user.iosd), (pda::io_mint(), user.io)] {
        for signer in [&authority, &user.keypair] {
            let instruction = spl_token::instruction::mint_to(
                &spl_token::ID,
                &mint,
                &destination,
                &signer.pubkey(),
                &[],
                1_000_000,
            )
            .expect("a mint_to instruction");
            let result = chain.send(instruction, &[signer]);
            assert_fails(
                result,
                Expected::Token(spl_token::error::TokenError::OwnerMismatch),
            );
        }
    }
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY - IO);
    chain.assert_iosd_only_from_burn_mint();
}
