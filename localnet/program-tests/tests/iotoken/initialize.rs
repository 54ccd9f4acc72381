//! `initialize`: the config, the IO and IOSD mints (PDAs whose mint authority is the config PDA,
//! with no freeze authority), the empty schedule, the ledger and the price feed, created once;
//! every parameter is checked against its bounds and refused by its own error.

use {
    crate::common::*,
    anchor_lang::solana_program::program_pack::Pack,
    anchor_lang::{prelude::Pubkey, Space},
    iotoken::{
        errors::IotokenError,
        events::ConfigUpdated,
        events::TokenInitialized,
        math::{IOSD_DECIMALS, IO_DECIMALS},
        state::{EmissionLedger, EmissionSchedule, GuardParams, PriceFeed, TokenConfig},
        InitializeArgs, UpdateConfigArgs,
    },
    solana_signer::Signer,
};

#[test]
fn initialize_creates_pda_mints_owned_by_the_config_and_stores_the_parameters() {
    let mut chain = Chain::deployed();
    let authority = chain.authority.pubkey();
    let updater = chain.updater.pubkey();
    let balance_before = chain.balance(&authority);

    let meta =
        succeeded(chain.send_as_authority(ix::initialize(&authority, default_args(vec![updater]))));

    let (config_key, config_bump) = Pubkey::find_program_address(&[b"config"], &iotoken::ID);
    let (io_mint, io_bump) = Pubkey::find_program_address(&[b"io_mint"], &iotoken::ID);
    let (iosd_mint, iosd_bump) = Pubkey::find_program_address(&[b"iosd_mint"], &iotoken::ID);
    for (mint, decimals) in [(io_mint, IO_DECIMALS), (iosd_mint, IOSD_DECIMALS)] {
        let state = chain.mint(&mint);
        assert!(state.is_initialized);
        assert_eq!(state.decimals, decimals);
        assert_eq!(state.supply, 0);
        assert_eq!(
            state.mint_authority,
            Some(config_key).into(),
            "only the config PDA mints"
        );
        assert_eq!(state.freeze_authority, None.into(), "nobody can freeze");
    }
    assert_eq!((IO_DECIMALS, IOSD_DECIMALS), (8, 6));

    let config = chain.config();
    let args = default_args(vec![updater]);
    assert_eq!(config.authority, authority);
    assert_eq!((config.io_mint, config.iosd_mint), (io_mint, iosd_mint));
    assert!(!config.genesis_minted);
    assert_eq!(config.emission, args.emission);
    assert_eq!(config.fees, args.fees);
    assert_eq!(config.oracle, args.oracle);
    assert_eq!(config.breaker, args.breaker);
    assert_eq!(config.buyback, args.buyback);
    assert_eq!(config.price_updaters, vec![updater]);
    assert_eq!(
        config.guards,
        GuardParams::DEFAULT,
        "the guards start at their defaults"
    );
    assert_eq!(config._reserved, [0; 102]);
    assert_eq!(
        (config.bump, config.io_mint_bump, config.iosd_mint_bump),
        (config_bump, io_bump, iosd_bump)
    );
    assert_eq!(config.pool_bumps, [0; 4], "no pools yet");
    assert_eq!(
        config.pool_distributors,
        [Pubkey::default(); 4],
        "no pool is paid out yet"
    );

    let schedule = chain.schedule();
    assert!(!schedule.sealed);
    assert_eq!(schedule.total_emission, 0);
    assert!(schedule.rows.is_empty());
    let ledger = chain.ledger();
    assert_eq!(
        (
            ledger.next_epoch,
            ledger.cumulative_scheduled,
            ledger.total_iosd_minted
        ),
        (0, 0, 0)
    );
    let feed = chain.price_feed();
    assert_eq!((feed.price, feed.ema, feed.publish_time), (0, 0, 0));
    assert!(!feed.halted);
    assert_eq!((feed.halt_expires_at, feed.max_deviation_bps), (0, 0));
    assert!(feed.updater_halts.iter().all(|h| *h == Default::default()));

    let spaces = [
        (config_key, 8 + TokenConfig::INIT_SPACE),
        (pda::schedule(), 8 + EmissionSchedule::INIT_SPACE),
        (pda::ledger(), 8 + EmissionLedger::INIT_SPACE),
        (pda::price_feed(), 8 + PriceFeed::INIT_SPACE),
        (io_mint, spl_token::state::Mint::LEN),
        (iosd_mint, spl_token::state::Mint::LEN),
    ];
    let mut rent_paid = 0;
    for (key, space) in spaces {
        assert_eq!(chain.account(&key).data.len(), space);
        assert_eq!(chain.balance(&key), chain.rent(space));
        rent_paid += chain.rent(space);
    }
    assert_eq!(
        balance_before - chain.balance(&authority),
        rent_paid + 2 * FEE_PER_SIGNATURE,
        "the authority pays every account's rent and the fee (its and the deployer's signature)"
    );

    let event: TokenInitialized = only_event(&meta);
    assert_eq!(event.config, config_key);
    assert_eq!(event.authority, authority);
    assert_eq!((event.io_mint, event.iosd_mint), (io_mint, iosd_mint));
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn initialize_a_second_time_fails_and_keeps_the_first_config() {
    let mut chain = Chain::initialized();
    let usurper = chain.funded_keypair();

    let result = chain.send(
        ix::initialize(&usurper.pubkey(), default_args(vec![usurper.pubkey()])),
        &[&usurper],
    );

    assert_fails(result, Expected::AccountAlreadyInUse);
    let config = chain.config();
    assert_eq!(config.authority, chain.authority.pubkey());
    assert_eq!(config.price_updaters, vec![chain.updater.pubkey()]);
}

/// M5: between the deploy and the deployer's `initialize`, anyone else signing as the deployer
/// (the review's front-run: its own authority, so genesis would mint to it) fails with
/// `NotDeployer` and creates nothing; the deployer (here the program id's key, the rule without
/// `ProgramData`) then initialises.
#[test]
fn m5_initialize_by_anyone_but_the_deployer_fails_with_not_deployer() {
    let mut chain = Chain::deployed();
    let usurper = chain.funded_keypair();
    let front_run = iogrid_program_tests::ix::by_deployer(
        ix::initialize(&usurper.pubkey(), default_args(vec![usurper.pubkey()])),
        &usurper.pubkey(),
    );
    assert_fails(
        chain.send(front_run, &[&usurper]),
        IotokenError::NotDeployer,
    );
    assert!(!chain.exists(&pda::config()));

    let authority = chain.authority.pubkey();
    let updater = chain.updater.pubkey();
    succeeded(chain.send_as_authority(ix::initialize(&authority, default_args(vec![updater]))));
    assert_eq!(chain.config().authority, authority);
}

/// Each invalid parameter, alone, with the error that names it.
fn invalid_cases(updater: Pubkey) -> Vec<(&'static str, InitializeArgs, IotokenError)> {
    let base = || default_args(vec![updater]);
    let mut cases = Vec::new();
    let mut args = base();
    args.emission.split.compute_bps += 1;
    cases.push((
        "split sums to 10,001",
        args,
        IotokenError::InvalidRewardSplit,
    ));
    let mut args = base();
    args.emission.split.stakers_bps -= 1;
    cases.push((
        "split sums to 9,999",
        args,
        IotokenError::InvalidRewardSplit,
    ));
    let mut args = base();
    args.emission.crank_tip = 1_000 * 100_000_000 + 1;
    cases.push((
        "crank tip above 1,000 IO",
        args,
        IotokenError::InvalidCrankTip,
    ));
    let mut args = base();
    args.emission.net_smoothing_epochs = 0;
    cases.push(("no smoothing", args, IotokenError::InvalidNetEmissionParams));
    let mut args = base();
    args.fees.network_fee_bps = 2_001;
    cases.push(("network fee above 20%", args, IotokenError::InvalidFee));
    let mut args = base();
    args.fees.reservation_fee_bps = 501;
    cases.push(("reservation fee above 5%", args, IotokenError::InvalidFee));
    let mut args = base();
    args.fees.settle_tip = 10_000_001;
    cases.push(("settle tip above 10 IOSD", args, IotokenError::InvalidFee));
    let mut args = base();
    args.fees.staker_share_min_bps = 301;
    cases.push((
        "staker share min above max",
        args,
        IotokenError::InvalidStakerShareBounds,
    ));
    let mut args = base();
    args.fees.staker_share_max_bps = 1_001;
    cases.push((
        "staker share max above 10%",
        args,
        IotokenError::InvalidStakerShareBounds,
    ));
    let mut args = base();
    args.oracle.max_staleness_secs = 0;
    cases.push(("no staleness", args, IotokenError::InvalidOracleParams));
    let mut args = base();
    args.oracle.max_confidence_bps = 10_001;
    cases.push((
        "confidence above 100%",
        args,
        IotokenError::InvalidOracleParams,
    ));
    let mut args = base();
    args.oracle.ema_window_secs = 59;
    cases.push((
        "EMA window under a minute",
        args,
        IotokenError::InvalidOracleParams,
    ));
    let mut args = base();
    args.breaker.window_secs = 59;
    cases.push((
        "breaker window under a minute",
        args,
        IotokenError::InvalidBreakerParams,
    ));
    let mut args = base();
    args.breaker.max_iosd_per_window = 0;
    cases.push((
        "breaker limit zero",
        args,
        IotokenError::InvalidBreakerParams,
    ));
    let mut args = base();
    args.buyback.burn_bps = 0;
    cases.push((
        "buyback burns nothing",
        args,
        IotokenError::InvalidBuybackParams,
    ));
    let mut args = base();
    args.buyback.burn_bps = 1_001;
    cases.push((
        "buyback above 10%",
        args,
        IotokenError::InvalidBuybackParams,
    ));
    let mut args = base();
    args.buyback.interval_secs = 3_599;
    cases.push((
        "buyback interval under an hour",
        args,
        IotokenError::InvalidBuybackParams,
    ));
    let mut args = base();
    args.price_updaters = (0..9).map(|_| Pubkey::new_unique()).collect();
    cases.push(("nine updaters", args, IotokenError::TooManyUpdaters));
    let mut args = base();
    args.price_updaters = vec![updater, Pubkey::new_unique(), updater];
    cases.push(("updater listed twice", args, IotokenError::DuplicateUpdater));
    let mut args = base();
    args.price_updaters = vec![updater, Pubkey::default()];
    cases.push(("default-key updater", args, IotokenError::InvalidUpdater));
    cases
}

#[test]
fn initialize_rejects_each_invalid_parameter_by_name_and_creates_nothing() {
    let mut chain = Chain::deployed();
    let authority = chain.authority.pubkey();
    for (case, args, expected) in invalid_cases(chain.updater.pubkey()) {
        let result = chain.send_as_authority(ix::initialize(&authority, args));
        let meta = assert_fails(result, expected);
        assert!(
            meta.logs.iter().any(|l| l.contains(&expected.name())),
            "{case}"
        );
        assert!(!chain.exists(&pda::config()), "{case}: no config");
        assert!(!chain.exists(&pda::io_mint()), "{case}: no IO mint");
    }
    // Eight distinct updaters are the most allowed.
    let mut args = default_args((0..8).map(|_| Pubkey::new_unique()).collect());
    args.buyback.burn_bps = 1_000;
    succeeded(chain.send_as_authority(ix::initialize(&authority, args)));
    assert_eq!(chain.config().price_updaters.len(), 8);
}

#[test]
fn update_config_applies_the_same_bounds_and_only_for_the_authority() {
    let mut chain = Chain::initialized();
    let authority = chain.authority.pubkey();
    let stranger = chain.funded_keypair();
    let mut emission = default_emission();
    emission.net_cap_per_epoch = 50 * 100_000_000;

    let by_stranger = chain.send(
        ix::update_config(
            &stranger.pubkey(),
            UpdateConfigArgs {
                emission: Some(emission),
                ..Default::default()
            },
        ),
        &[&stranger],
    );
    assert_fails(by_stranger, IotokenError::NotConfigAuthority);

    let mut bad = emission;
    bad.split.keepers_bps = 0;
    let invalid = chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            emission: Some(bad),
            ..Default::default()
        },
    ));
    assert_fails(invalid, IotokenError::InvalidRewardSplit);

    let nothing = chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            emission: Some(default_emission()),
            ..Default::default()
        },
    ));
    assert_fails(nothing, IotokenError::NothingToUpdate);

    succeeded(chain.send_as_authority(ix::update_config(
        &authority,
        UpdateConfigArgs {
            emission: Some(emission),
            ..Default::default()
        },
    )));
    assert_eq!(chain.config().emission, emission);
}

#[test]
fn update_config_changes_the_guards_within_their_bounds_by_name() {
    let mut chain = Chain::initialized();
    let authority = chain.authority.pubkey();
    let stranger = chain.funded_keypair();
    let update = |guards| UpdateConfigArgs {
        guards: Some(guards),
        ..Default::default()
    };
    let base = GuardParams::DEFAULT;
    let mut cases = Vec::new();
    for (field, low, high) in [
        ("EMA step per hour", 99, 100_001),
        ("EMA step per update", 9, 5_001),
        ("deviation", 9, 5_001),
        ("burst", 99, 9_001),
    ] {
        for value in [low, high, 0] {
            let mut guards = base;
            match field {
                "EMA step per hour" => guards.ema_step_bps_per_hour = value,
                "EMA step per update" => guards.max_ema_step_bps = value as u16,
                "deviation" => guards.max_deviation_bps = value as u16,
                _ => guards.breaker_burst_bps = value as u16,
            }
            cases.push((field, guards));
        }
    }
    for (secs, cooldown) in [
        (299, 86_400),
        (86_401, 30 * 86_400),
        (3_600, 7_199),
        (3_600, 30 * 86_400 + 1),
    ] {
        let mut guards = base;
        guards.updater_halt_secs = secs;
        guards.updater_halt_cooldown_secs = cooldown;
        cases.push(("halt and cooldown", guards));
    }
    for (case, guards) in cases {
        let result = chain.send_as_authority(ix::update_config(&authority, update(guards)));
        assert_fails(result, IotokenError::InvalidGuardParams);
        assert_eq!(chain.config().guards, base, "{case}");
    }
    assert_fails(
        chain.send(
            ix::update_config(&stranger.pubkey(), update(base)),
            &[&stranger],
        ),
        IotokenError::NotConfigAuthority,
    );
    assert_fails(
        chain.send_as_authority(ix::update_config(&authority, update(base))),
        IotokenError::NothingToUpdate,
    );

    // The edges are allowed.
    let edges = GuardParams {
        ema_step_bps_per_hour: 100,
        max_ema_step_bps: 5_000,
        max_deviation_bps: 10,
        breaker_burst_bps: 9_000,
        updater_halt_secs: 86_400,
        updater_halt_cooldown_secs: 2 * 86_400,
    };
    let meta = succeeded(chain.send_as_authority(ix::update_config(&authority, update(edges))));
    let config = chain.config();
    assert_eq!(config.guards, edges);
    assert_eq!(
        config.oracle,
        default_args(vec![]).oracle,
        "nothing else moved"
    );
    let event: ConfigUpdated = only_event(&meta);
    assert_eq!((event.guards_before, event.guards_after), (base, edges));

    // A new deviation bound applies from the next price on: the feed stores it with the price.
    chain.publish(100_000_000, 0, NOW);
    assert_eq!(chain.price_feed().max_deviation_bps, 10);
}
