//! `mint_iosd`: IO burned, IOSD minted at the conservative price (rounded down), refused on a
//! halted, stale or uncertain feed, below the caller's minimum, or past the circuit breaker; the
//! burned IO comes back as net emission through the epoch crank. IOSD comes to exist no other way.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iotoken::{
        errors::IotokenError,
        events::IosdMinted,
        math::{
            emission::net_emission_draw,
            price::{conservative_price, io_for_iosd, iosd_for_io, next_ema},
            GENESIS_SUPPLY, IO,
        },
        state::OracleParams,
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
        ledger.breaker_window_start, ORIGIN,
        "2026-01-01 starts a day"
    );
    assert_eq!(ledger.breaker_minted, expected_iosd);
    let event: IosdMinted = only_event(&meta);
    assert_eq!(event.user, user.keypair.pubkey());
    assert_eq!(
        (event.io_burned, event.iosd_minted),
        (io_amount, expected_iosd)
    );
    assert_eq!(event.price, CONSERVATIVE);
    assert_eq!(event.breaker_window_start, ORIGIN);
    assert_eq!(event.breaker_minted_after, expected_iosd);
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

#[test]
fn the_circuit_breaker_trips_at_the_window_limit_and_resets_in_the_next_window() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 10_000 * IO);

    // 4,000 IO make 4,770 IOSD; exactly the remaining 230 IOSD fills the window.
    succeeded(mint(&mut chain, &user, 4_000 * IO, 0));
    assert_eq!(chain.token_balance(&user.iosd), 4_770_000_000);
    let past_the_limit = mint(&mut chain, &user, 200 * IO, 0);
    assert_fails(past_the_limit, IotokenError::CircuitBreakerTripped);
    let to_the_limit = io_for_iosd(BREAKER_MAX - 4_770_000_000, CONSERVATIVE).expect("io");
    assert_eq!(to_the_limit, 19_287_211_741);
    succeeded(mint(&mut chain, &user, to_the_limit, 0));
    assert_eq!(chain.token_balance(&user.iosd), BREAKER_MAX);
    assert_eq!(chain.ledger().breaker_minted, BREAKER_MAX);
    assert_fails(
        mint(&mut chain, &user, 84, 0),
        IotokenError::CircuitBreakerTripped,
    );
    chain.assert_iosd_only_from_burn_mint();

    // The next day's window starts empty.
    let tomorrow = ORIGIN + BREAKER_WINDOW;
    chain.set_time(tomorrow + 10);
    chain.publish(PRICE, CONFIDENCE, tomorrow + 10);
    let fresh_price = PRICE - 2 * CONFIDENCE;
    let meta = succeeded(mint(&mut chain, &user, 200 * IO, 0));
    let minted = iosd_for_io(200 * IO, fresh_price).expect("iosd");
    assert_eq!(minted, 246_000_000);
    let ledger = chain.ledger();
    assert_eq!(
        (ledger.breaker_window_start, ledger.breaker_minted),
        (tomorrow, minted)
    );
    let event: IosdMinted = only_event(&meta);
    assert_eq!(event.price, fresh_price);
    assert_eq!(chain.token_balance(&user.iosd), BREAKER_MAX + minted);
    assert_eq!(
        chain.io_supply(),
        GENESIS_SUPPLY - 4_200 * IO - to_the_limit
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn burned_io_is_re_emitted_from_the_epoch_after_the_burn_smoothed_and_capped() {
    let mut chain = priced_chain();
    let user = user(&mut chain, 3_000 * IO);
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
