//! The market's config: created once, changed only by its authority, within bounds.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iogrid_program_tests::{ix as lib_ix, only_event, pda, Expected},
    market::{
        errors::MarketError,
        events::MarketConfigUpdated,
        state::{MarketConfig, MAX_ACK_GRACE_SECS},
        InitializeArgs, UpdateConfigArgs,
    },
    solana_signer::Signer,
};

fn config(chain: &Chain) -> MarketConfig {
    chain.program_account(&market::ID, &pda::market::config())
}

fn update(chain: &mut Chain, args: UpdateConfigArgs) -> litesvm::types::TransactionResult {
    let authority = chain.authority.pubkey();
    chain.send_as_authority(lib_ix::market::update_config(&authority, args))
}

#[test]
fn initialize_records_the_parameters_and_runs_once() {
    let mut chain = Chain::new();
    let state = config(&chain);
    assert_eq!(state.authority, chain.authority.pubkey());
    assert_eq!(state.usdc_mint, chain.usdc_mint);
    assert_eq!(state.ack_grace_secs, ACK_GRACE);
    assert_eq!(state.max_reservation_hours, MAX_HOURS);
    let again = lib_ix::market::initialize(
        &chain.authority.pubkey(),
        InitializeArgs {
            usdc_mint: chain.usdc_mint,
            ack_grace_secs: 60,
            max_reservation_hours: 1,
        },
    );
    assert_fails(
        chain.send_as_authority(again),
        Expected::AccountAlreadyInUse,
    );
    assert_eq!(config(&chain).ack_grace_secs, ACK_GRACE);
}

/// M5: before the deployer initialises, a front-runner signing as the deployer (to name a
/// worthless look-alike as the USDC mint) fails with `NotDeployer` and creates nothing.
#[test]
fn m5_initialize_by_anyone_but_the_deployer_fails_with_not_deployer() {
    let mut chain = Chain::uninitialized();
    let usurper = chain.funded_keypair();
    let args = |usdc_mint| InitializeArgs {
        usdc_mint,
        ack_grace_secs: ACK_GRACE,
        max_reservation_hours: MAX_HOURS,
    };
    let front_run = lib_ix::by_deployer(
        lib_ix::market::initialize(&usurper.pubkey(), args(Pubkey::new_unique())),
        &usurper.pubkey(),
    );
    assert_fails(chain.send(front_run, &[&usurper]), MarketError::NotDeployer);
    assert!(!chain.exists(&pda::market::config()));

    let authority = chain.authority.pubkey();
    let usdc_mint = chain.usdc_mint;
    succeeded(chain.send_as_authority(lib_ix::market::initialize(&authority, args(usdc_mint))));
    assert_eq!(config(&chain).usdc_mint, usdc_mint);
}

/// M3: the start grace stays below the shortest booking (one hour), so no start deadline falls
/// at or after a booking's end; `initialize` and `update_config` both hold it to 30 minutes.
#[test]
fn the_start_grace_is_at_most_half_the_shortest_booking() {
    assert_eq!(MAX_ACK_GRACE_SECS, HOUR / 2);
    let mut chain = Chain::uninitialized();
    let authority = chain.authority.pubkey();
    let with_grace = |ack_grace_secs| {
        lib_ix::market::initialize(
            &authority,
            InitializeArgs {
                usdc_mint: Pubkey::new_unique(),
                ack_grace_secs,
                max_reservation_hours: MAX_HOURS,
            },
        )
    };
    for grace in [0, MAX_ACK_GRACE_SECS + 1, HOUR, 2 * HOUR] {
        assert_fails(
            chain.send_as_authority(with_grace(grace)),
            MarketError::InvalidAckGrace,
        );
        assert!(!chain.exists(&pda::market::config()));
    }
    succeeded(chain.send_as_authority(with_grace(MAX_ACK_GRACE_SECS)));
    assert_eq!(config(&chain).ack_grace_secs, MAX_ACK_GRACE_SECS);
    for grace in [HOUR, MAX_ACK_GRACE_SECS + 1] {
        let args = UpdateConfigArgs {
            ack_grace_secs: Some(grace),
            ..Default::default()
        };
        assert_fails(update(&mut chain, args), MarketError::InvalidAckGrace);
    }
    assert_eq!(config(&chain).ack_grace_secs, MAX_ACK_GRACE_SECS);
}

#[test]
fn update_config_changes_only_what_it_names_within_bounds() {
    let mut chain = Chain::new();
    for (args, error) in [
        (UpdateConfigArgs::default(), MarketError::NothingToUpdate),
        (
            UpdateConfigArgs {
                ack_grace_secs: Some(0),
                ..Default::default()
            },
            MarketError::InvalidAckGrace,
        ),
        (
            UpdateConfigArgs {
                ack_grace_secs: Some(MAX_ACK_GRACE_SECS + 1),
                ..Default::default()
            },
            MarketError::InvalidAckGrace,
        ),
        (
            UpdateConfigArgs {
                max_reservation_hours: Some(0),
                ..Default::default()
            },
            MarketError::InvalidMaxHours,
        ),
        (
            UpdateConfigArgs {
                max_reservation_hours: Some(365 * 24 + 1),
                ..Default::default()
            },
            MarketError::InvalidMaxHours,
        ),
        (
            UpdateConfigArgs {
                ack_grace_secs: Some(ACK_GRACE),
                ..Default::default()
            },
            MarketError::NothingToUpdate,
        ),
    ] {
        assert_fails(update(&mut chain, args), error);
    }
    let before = config(&chain);

    let meta = update(
        &mut chain,
        UpdateConfigArgs {
            ack_grace_secs: Some(900),
            max_reservation_hours: Some(365 * 24),
            ..Default::default()
        },
    )
    .expect("update");
    let after = config(&chain);
    assert_eq!(after.ack_grace_secs, 900);
    assert_eq!(after.max_reservation_hours, 365 * 24);
    assert_eq!(after.authority, before.authority);
    assert_eq!(after.usdc_mint, before.usdc_mint);
    let event: MarketConfigUpdated = only_event(&meta);
    assert_eq!(
        (event.ack_grace_secs_before, event.ack_grace_secs_after),
        (ACK_GRACE, 900)
    );
    assert_eq!(
        (
            event.max_reservation_hours_before,
            event.max_reservation_hours_after
        ),
        (MAX_HOURS, 365 * 24)
    );
}

#[test]
fn only_the_authority_changes_the_config_and_it_can_hand_over() {
    let mut chain = Chain::new();
    let stranger = chain.funded_keypair();
    let by_stranger = lib_ix::market::update_config(
        &stranger.pubkey(),
        UpdateConfigArgs {
            ack_grace_secs: Some(60),
            ..Default::default()
        },
    );
    assert_fails(
        chain.send(by_stranger.clone(), &[&stranger]),
        MarketError::NotConfigAuthority,
    );
    succeeded(update(
        &mut chain,
        UpdateConfigArgs {
            authority: Some(stranger.pubkey()),
            ..Default::default()
        },
    ));
    assert_eq!(config(&chain).authority, stranger.pubkey());
    succeeded(chain.send(by_stranger, &[&stranger]));
    assert_eq!(config(&chain).ack_grace_secs, 60);
    assert_fails(
        update(
            &mut chain,
            UpdateConfigArgs {
                ack_grace_secs: Some(120),
                ..Default::default()
            },
        ),
        MarketError::NotConfigAuthority,
    );
}

/// L10: the config's authority can no longer be set to the all-zero key (which bricked the
/// config: nobody signs for it) and the USDC mint cannot be the all-zero key or one of iotoken's
/// mints, by `initialize` or `update_config`; each refusal leaves the config as it was.
#[test]
fn l10_a_zero_authority_or_a_zero_or_iotoken_usdc_mint_is_refused_by_name() {
    let mut chain = Chain::uninitialized();
    let authority = chain.authority.pubkey();
    let with_usdc = |usdc_mint| {
        lib_ix::market::initialize(
            &authority,
            InitializeArgs {
                usdc_mint,
                ack_grace_secs: ACK_GRACE,
                max_reservation_hours: MAX_HOURS,
            },
        )
    };
    let bad_mints = [
        Pubkey::default(),
        pda::iotoken::io_mint(),
        pda::iotoken::iosd_mint(),
    ];
    for mint in bad_mints {
        assert_fails(
            chain.send_as_authority(with_usdc(mint)),
            MarketError::InvalidUsdcMint,
        );
        assert!(!chain.exists(&pda::market::config()));
    }
    let usdc_mint = chain.usdc_mint;
    succeeded(chain.send_as_authority(with_usdc(usdc_mint)));

    let zero_authority = UpdateConfigArgs {
        authority: Some(Pubkey::default()),
        ..Default::default()
    };
    assert_fails(
        update(&mut chain, zero_authority),
        MarketError::InvalidAuthority,
    );
    for mint in bad_mints {
        let args = UpdateConfigArgs {
            usdc_mint: Some(mint),
            ..Default::default()
        };
        assert_fails(update(&mut chain, args), MarketError::InvalidUsdcMint);
    }
    let state = config(&chain);
    assert_eq!((state.authority, state.usdc_mint), (authority, usdc_mint));
}
