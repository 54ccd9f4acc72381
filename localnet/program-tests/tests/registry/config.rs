//! The registry config: created once by whoever becomes its authority, then changed only by that
//! authority, one field or several at a time, each change reported with its before and after.

use {
    crate::common::*,
    anchor_lang::{error::ErrorCode as AnchorErrorCode, prelude::Pubkey, Space},
    registry::{
        errors::RegistryError,
        events::{ConfigInitialized, ConfigUpdated},
        state::{
            AvailabilityParams, RegistryConfig, DEFAULT_AVAILABILITY, MAX_UNBOND_COOLDOWN_SECS,
        },
        UpdateConfigArgs,
    },
    solana_signer::Signer,
};

#[test]
fn initialize_config_stores_the_terms_and_makes_the_signer_its_authority() {
    let mut chain = Chain::without_config();
    let authority = chain.authority.pubkey();
    let balance_before = chain.balance(&authority);

    let meta = succeeded(chain.send_as_authority(ix::initialize_config(
        &authority,
        &chain.bond_mint,
        BOND_AMOUNT,
        COOLDOWN_SECS,
    )));

    let (config_key, bump) = Pubkey::find_program_address(&[b"config"], &registry::ID);
    let config = chain.config();
    assert_eq!(config.authority, authority);
    assert_eq!(config.bond_mint, chain.bond_mint);
    assert_eq!(config.keeper_bond_amount, BOND_AMOUNT);
    assert_eq!(config.keeper_unbond_cooldown_secs, COOLDOWN_SECS);
    assert_eq!(
        config.market_program,
        Pubkey::default(),
        "no market until one is configured"
    );
    assert_eq!(config.market_lock_authority, Pubkey::default());
    assert_eq!(
        config.availability,
        AvailabilityParams {
            failure_quorum: 3,
            max_probe_age_slots: 150,
            ..DEFAULT_AVAILABILITY
        }
    );
    assert!(
        !config.rewards_initialized,
        "initialize_rewards comes later"
    );
    assert_eq!(config.epoch_origin, 0);
    assert_eq!(config.bump, bump);

    let config_space = 8 + RegistryConfig::INIT_SPACE;
    assert_eq!(chain.account(&config_key).data.len(), config_space);
    assert_eq!(chain.balance(&config_key), chain.rent(config_space));
    assert_eq!(
        balance_before - chain.balance(&authority),
        chain.rent(config_space) + 2 * FEE_PER_SIGNATURE,
        "the authority pays the config's rent and the fee (its and the deployer's signature)"
    );

    let event: ConfigInitialized = only_event(&meta);
    assert_eq!(event.config, config_key);
    assert_eq!(event.authority, authority);
    assert_eq!(event.bond_mint, chain.bond_mint);
    assert_eq!(event.keeper_bond_amount, BOND_AMOUNT);
    assert_eq!(event.keeper_unbond_cooldown_secs, COOLDOWN_SECS);
}

#[test]
fn initialize_config_a_second_time_fails_and_keeps_the_first_config() {
    let mut chain = Chain::new();
    let usurper = chain.funded_keypair();
    let other_mint = chain.create_mint(9);

    let result = chain.send(
        ix::initialize_config(&usurper.pubkey(), &other_mint, 1, 0),
        &[&usurper],
    );

    assert_fails(result, Expected::AccountAlreadyInUse);
    let config = chain.config();
    assert_eq!(config.authority, chain.authority.pubkey());
    assert_eq!(config.bond_mint, chain.bond_mint);
    assert_eq!(config.keeper_bond_amount, BOND_AMOUNT);
    assert_eq!(config.keeper_unbond_cooldown_secs, COOLDOWN_SECS);
}

/// M5: before the deployer initialises, a front-runner signing as the deployer (to choose the
/// bond mint) fails with `NotDeployer` and creates nothing.
#[test]
fn m5_initialize_config_by_anyone_but_the_deployer_fails_with_not_deployer() {
    let mut chain = Chain::without_config();
    let usurper = chain.funded_keypair();
    let other_mint = chain.create_mint(9);
    let front_run = iogrid_program_tests::ix::by_deployer(
        ix::initialize_config(&usurper.pubkey(), &other_mint, 1, 0),
        &usurper.pubkey(),
    );
    assert_fails(
        chain.send(front_run, &[&usurper]),
        RegistryError::NotDeployer,
    );
    assert!(!chain.exists(&pda::config()));

    let authority = chain.authority.pubkey();
    let bond_mint = chain.bond_mint;
    let initialize = ix::initialize_config(&authority, &bond_mint, BOND_AMOUNT, COOLDOWN_SECS);
    succeeded(chain.send_as_authority(initialize));
    assert_eq!(chain.config().authority, authority);
}

#[test]
fn initialize_config_rejects_a_zero_bond_with_invalid_bond_amount() {
    let mut chain = Chain::without_config();
    let initialize = ix::initialize_config(
        &chain.authority.pubkey(),
        &chain.bond_mint,
        0,
        COOLDOWN_SECS,
    );

    assert_fails(
        chain.send_as_authority(initialize),
        RegistryError::InvalidBondAmount,
    );
    assert!(!chain.exists(&pda::config()));
}

#[test]
fn initialize_config_accepts_cooldowns_from_one_epoch_to_365_days_only() {
    // Shorter than an epoch, a keeper could report falsely and leave before the epoch's passes
    // contradict it.
    for cooldown in [
        -1,
        0,
        3_599,
        MAX_UNBOND_COOLDOWN_SECS + 1,
        i64::MIN,
        i64::MAX,
    ] {
        let mut chain = Chain::without_config();
        let initialize =
            ix::initialize_config(&chain.authority.pubkey(), &chain.bond_mint, 1, cooldown);
        assert_fails(
            chain.send_as_authority(initialize),
            RegistryError::InvalidCooldown,
        );
        assert!(!chain.exists(&pda::config()));
    }
    assert_eq!(MAX_UNBOND_COOLDOWN_SECS, 365 * 24 * 60 * 60);
    for cooldown in [3_600, MAX_UNBOND_COOLDOWN_SECS] {
        let mut chain = Chain::without_config();
        let initialize =
            ix::initialize_config(&chain.authority.pubkey(), &chain.bond_mint, 1, cooldown);
        succeeded(chain.send_as_authority(initialize));
        assert_eq!(chain.config().keeper_unbond_cooldown_secs, cooldown);
    }
}

#[test]
fn initialize_config_requires_the_bond_mint_to_be_a_token_mint() {
    let mut chain = Chain::without_config();
    let not_a_mint = chain.funded_keypair().pubkey();
    let initialize = ix::initialize_config(
        &chain.authority.pubkey(),
        &not_a_mint,
        BOND_AMOUNT,
        COOLDOWN_SECS,
    );

    assert_fails(
        chain.send_as_authority(initialize),
        AnchorErrorCode::AccountOwnedByWrongProgram,
    );
    assert!(!chain.exists(&pda::config()));
}

#[test]
fn update_config_by_anyone_but_the_authority_fails_with_not_config_authority() {
    let mut chain = Chain::new();
    let stranger = chain.funded_keypair();
    let takeover = UpdateConfigArgs {
        new_authority: Some(stranger.pubkey()),
        ..Default::default()
    };

    let result = chain.send(
        ix::update_config(&stranger.pubkey(), None, takeover),
        &[&stranger],
    );

    assert_fails(result, RegistryError::NotConfigAuthority);
    assert_eq!(chain.config().authority, chain.authority.pubkey());
}

#[test]
fn update_config_that_changes_nothing_fails_with_nothing_to_update() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let bond_mint = chain.bond_mint;

    let empty = ix::update_config(&authority, None, UpdateConfigArgs::default());
    assert_fails(
        chain.send_as_authority(empty),
        RegistryError::NothingToUpdate,
    );

    let restated = UpdateConfigArgs {
        new_authority: Some(authority),
        keeper_bond_amount: Some(BOND_AMOUNT),
        keeper_unbond_cooldown_secs: Some(COOLDOWN_SECS),
        market_program: Some(Pubkey::default()),
        availability: Some(DEFAULT_AVAILABILITY),
    };
    let restating = ix::update_config(&authority, Some(bond_mint), restated);
    assert_fails(
        chain.send_as_authority(restating),
        RegistryError::NothingToUpdate,
    );
}

/// Asserts that `event` reports the change from `before` to the config now on chain.
#[track_caller]
fn assert_reports_change(chain: &Chain, event: &ConfigUpdated, before: &RegistryConfig) {
    let after = chain.config();
    assert_eq!(event.config, pda::config());
    assert_eq!(event.authority_before, before.authority);
    assert_eq!(event.authority_after, after.authority);
    assert_eq!(event.bond_mint_before, before.bond_mint);
    assert_eq!(event.bond_mint_after, after.bond_mint);
    assert_eq!(event.keeper_bond_amount_before, before.keeper_bond_amount);
    assert_eq!(event.keeper_bond_amount_after, after.keeper_bond_amount);
    assert_eq!(
        event.keeper_unbond_cooldown_secs_before,
        before.keeper_unbond_cooldown_secs
    );
    assert_eq!(
        event.keeper_unbond_cooldown_secs_after,
        after.keeper_unbond_cooldown_secs
    );
    assert_eq!(event.market_program_before, before.market_program);
    assert_eq!(event.market_program_after, after.market_program);
    assert_eq!(event.availability_before, before.availability);
    assert_eq!(event.availability_after, after.availability);
}

#[test]
fn update_config_changes_the_bond_amount_alone() {
    let mut chain = Chain::new();
    let before = chain.config();
    let args = UpdateConfigArgs {
        keeper_bond_amount: Some(2 * BOND_AMOUNT),
        ..Default::default()
    };

    let meta = succeeded(chain.send_as_authority(ix::update_config(&before.authority, None, args)));

    let after = chain.config();
    assert_eq!(after.keeper_bond_amount, 2 * BOND_AMOUNT);
    assert_eq!(after.keeper_unbond_cooldown_secs, COOLDOWN_SECS);
    assert_eq!(after.authority, before.authority);
    assert_eq!(after.bond_mint, before.bond_mint);
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
    assert_eq!(
        (
            event.keeper_bond_amount_before,
            event.keeper_bond_amount_after
        ),
        (BOND_AMOUNT, 2 * BOND_AMOUNT)
    );
}

#[test]
fn update_config_changes_the_cooldown_alone() {
    let mut chain = Chain::new();
    let before = chain.config();
    let args = UpdateConfigArgs {
        keeper_unbond_cooldown_secs: Some(3_600),
        ..Default::default()
    };

    let meta = succeeded(chain.send_as_authority(ix::update_config(&before.authority, None, args)));

    let after = chain.config();
    assert_eq!(after.keeper_unbond_cooldown_secs, 3_600);
    assert_eq!(after.keeper_bond_amount, BOND_AMOUNT);
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
    assert_eq!(
        (
            event.keeper_unbond_cooldown_secs_before,
            event.keeper_unbond_cooldown_secs_after
        ),
        (COOLDOWN_SECS, 3_600)
    );
}

#[test]
fn update_config_rejects_invalid_bond_terms_by_name() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();

    let zero_bond = UpdateConfigArgs {
        keeper_bond_amount: Some(0),
        ..Default::default()
    };
    assert_fails(
        chain.send_as_authority(ix::update_config(&authority, None, zero_bond)),
        RegistryError::InvalidBondAmount,
    );
    for cooldown in [-1, MAX_UNBOND_COOLDOWN_SECS + 1] {
        let args = UpdateConfigArgs {
            keeper_unbond_cooldown_secs: Some(cooldown),
            ..Default::default()
        };
        assert_fails(
            chain.send_as_authority(ix::update_config(&authority, None, args)),
            RegistryError::InvalidCooldown,
        );
    }
    let config = chain.config();
    assert_eq!(config.keeper_bond_amount, BOND_AMOUNT);
    assert_eq!(config.keeper_unbond_cooldown_secs, COOLDOWN_SECS);
}

#[test]
fn update_config_hands_the_authority_over() {
    let mut chain = Chain::new();
    let old_authority = chain.authority.pubkey();
    let successor = chain.funded_keypair();
    let before = chain.config();
    let handover = UpdateConfigArgs {
        new_authority: Some(successor.pubkey()),
        ..Default::default()
    };

    let meta =
        succeeded(chain.send_as_authority(ix::update_config(&old_authority, None, handover)));

    assert_eq!(chain.config().authority, successor.pubkey());
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
    assert_eq!(
        (event.authority_before, event.authority_after),
        (old_authority, successor.pubkey())
    );

    let change = UpdateConfigArgs {
        keeper_bond_amount: Some(1),
        ..Default::default()
    };
    assert_fails(
        chain.send_as_authority(ix::update_config(&old_authority, None, change.clone())),
        RegistryError::NotConfigAuthority,
    );
    succeeded(chain.send(
        ix::update_config(&successor.pubkey(), None, change),
        &[&successor],
    ));
    assert_eq!(chain.config().keeper_bond_amount, 1);
}

#[test]
fn update_config_refuses_the_all_zero_key_as_authority() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let to_nobody = UpdateConfigArgs {
        new_authority: Some(Pubkey::default()),
        ..Default::default()
    };
    assert_fails(
        chain.send_as_authority(ix::update_config(&authority, None, to_nobody)),
        RegistryError::InvalidAuthority,
    );
    assert_eq!(chain.config().authority, authority);
}

#[test]
fn update_config_market_program_makes_its_registry_lock_pda_the_lock_authority() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let market_program = Pubkey::new_unique();
    let before = chain.config();

    let set_market = UpdateConfigArgs {
        market_program: Some(market_program),
        ..Default::default()
    };
    let meta = succeeded(chain.send_as_authority(ix::update_config(&authority, None, set_market)));

    let config = chain.config();
    assert_eq!(config.market_program, market_program);
    assert_eq!(
        config.market_lock_authority,
        Pubkey::find_program_address(&[b"registry_lock"], &market_program).0
    );
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
    assert_eq!(
        (event.market_program_before, event.market_program_after),
        (Pubkey::default(), market_program)
    );

    let before = chain.config();
    let unset_market = UpdateConfigArgs {
        market_program: Some(Pubkey::default()),
        ..Default::default()
    };
    let meta =
        succeeded(chain.send_as_authority(ix::update_config(&authority, None, unset_market)));

    let config = chain.config();
    assert_eq!(
        config.market_program,
        Pubkey::default(),
        "device locking is disabled again"
    );
    assert_eq!(config.market_lock_authority, Pubkey::default());
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
}

#[test]
fn update_config_takes_a_new_bond_mint_from_the_optional_account() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let old_mint = chain.bond_mint;
    let new_mint = chain.create_mint(9);
    let before = chain.config();
    let args = UpdateConfigArgs {
        keeper_bond_amount: Some(5_000_000_000_000),
        ..Default::default()
    };

    let meta =
        succeeded(chain.send_as_authority(ix::update_config(&authority, Some(new_mint), args)));

    let config = chain.config();
    assert_eq!(config.bond_mint, new_mint);
    assert_eq!(config.keeper_bond_amount, 5_000_000_000_000);
    let event: ConfigUpdated = only_event(&meta);
    assert_reports_change(&chain, &event, &before);
    assert_eq!(
        (event.bond_mint_before, event.bond_mint_after),
        (old_mint, new_mint)
    );

    let not_a_mint = chain.funded_keypair().pubkey();
    let result = chain.send_as_authority(ix::update_config(
        &authority,
        Some(not_a_mint),
        UpdateConfigArgs::default(),
    ));
    assert_fails(result, AnchorErrorCode::AccountOwnedByWrongProgram);
    assert_eq!(chain.config().bond_mint, new_mint);
}

#[test]
fn update_config_changes_the_availability_rules_within_their_bounds() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let with = |failure_quorum, max_probe_age_slots| UpdateConfigArgs {
        availability: Some(AvailabilityParams {
            failure_quorum,
            max_probe_age_slots,
            ..DEFAULT_AVAILABILITY
        }),
        ..Default::default()
    };
    // One keeper alone must never fail a device; SlotHashes holds 512 slots.
    for quorum in [0, 1, 6, u8::MAX] {
        assert_fails(
            chain.send_as_authority(ix::update_config(&authority, None, with(quorum, 150))),
            RegistryError::InvalidFailureQuorum,
        );
    }
    for age in [0, 513, u64::MAX] {
        assert_fails(
            chain.send_as_authority(ix::update_config(&authority, None, with(3, age))),
            RegistryError::InvalidProbeAge,
        );
    }
    assert_eq!(chain.config().availability, DEFAULT_AVAILABILITY);

    for (quorum, age) in [(2, 1), (5, 512), (4, 150)] {
        let before = chain.config();
        let update = ix::update_config(&authority, None, with(quorum, age));
        let meta = succeeded(chain.send_as_authority(update));
        let after = chain.config();
        let expected = AvailabilityParams {
            failure_quorum: quorum,
            max_probe_age_slots: age,
            ..DEFAULT_AVAILABILITY
        };
        assert_eq!(after.availability, expected);
        assert_eq!(after.keeper_bond_amount, BOND_AMOUNT, "the rest stays");
        let event: ConfigUpdated = only_event(&meta);
        assert_reports_change(&chain, &event, &before);
        assert_eq!(event.availability_after, expected);
    }
}
