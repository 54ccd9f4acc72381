//! Executing passed proposals: once, after the timelock and within the execution window, through
//! the governance PDA, which must hold the target config's authority: staking's own config
//! directly; iotoken's fees, price updaters, parameter groups, emission rows, halted price feed
//! and pool distributors, and the registry's keeper bond and market program, by CPI into those
//! programs.

use {
    crate::common::*,
    anchor_lang::{error::ErrorCode as AnchorErrorCode, prelude::Pubkey},
    iotoken::{
        errors::IotokenError,
        events::{PoolDistributorSet, PriceFeedHaltChanged},
        math::IO,
        state::{BreakerParams, BuybackParams, EmissionParams, OracleParams, RewardSplit},
        UpdateConfigArgs,
    },
    litesvm::types::TransactionMetadata,
    registry::state::{AvailabilityParams, DEFAULT_AVAILABILITY},
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{ConfigChanged, ProposalExecuted},
        state::{ProposalStatus, CRITICAL_EXTRA_TIMELOCK_SECS},
        ParameterChange, VoteSide,
    },
};

/// A chain with a pool and a co-staker whose unlocked stake alone reaches the quorum.
fn governed() -> (Chain, TestPool, Staker) {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let whale = chain.staked(&pool, QUORUM + 500 * IO);
    (chain, pool, whale)
}

/// Asserts that proposal `id` was executed now by the authority (the executor in every test),
/// as `meta` reports.
#[track_caller]
fn assert_executed(chain: &Chain, id: u64, meta: &TransactionMetadata) {
    let proposal = chain.proposal(id);
    assert_eq!(proposal.status, ProposalStatus::Executed);
    assert_eq!(proposal.executed_at, chain.now());
    let event: ProposalExecuted = only_event_of(meta);
    assert_eq!((event.proposal, event.id), (pda::proposal(id), id));
    assert_eq!(event.change, proposal.change);
    assert_eq!(event.executor, chain.authority.pubkey());
}

#[test]
fn a_passed_proposal_executes_once_between_its_timelock_and_the_end_of_its_window() {
    let (mut chain, _, whale) = governed();
    chain.hand_staking_to_governance();
    let changes = [
        ParameterChange::MinStakeBase { amount: 300 * IO },
        ParameterChange::MinStakeBase { amount: 400 * IO },
        ParameterChange::UnstakeCooldown { secs: 7 * DAY },
    ];
    for change in changes {
        succeeded(chain.propose(&whale, "Change a parameter", change));
    }
    // Proposal 1 gets no vote.
    succeeded(chain.vote(&whale, 0, VoteSide::Yes));
    succeeded(chain.vote(&whale, 2, VoteSide::Yes));
    assert_fails(chain.execute(0), StakingError::ProposalNotFinalized);

    chain.set_time(NOW + VOTING_PERIOD);
    for id in 0..3 {
        succeeded(chain.finalize(id));
    }
    assert_fails(chain.execute(1), StakingError::ProposalDefeated);
    let executable_at = NOW + VOTING_PERIOD + TIMELOCK;
    assert_eq!(chain.proposal(0).executable_at, executable_at);
    chain.set_time(executable_at - 1);
    assert_fails(chain.execute(0), StakingError::TimelockNotElapsed);

    chain.set_time(executable_at + EXECUTION_WINDOW - 1);
    let meta = succeeded(chain.execute(0));
    assert_executed(&chain, 0, &meta);
    assert_eq!(chain.config().stake.min_stake_base, 300 * IO);
    let event: ConfigChanged = only_event_of(&meta);
    assert_eq!(
        event.change,
        ParameterChange::MinStakeBase { amount: 300 * IO }
    );
    assert_eq!(event.proposal, pda::proposal(0), "made by proposal 0");
    assert_fails(chain.execute(0), StakingError::ProposalAlreadyExecuted);

    chain.set_time(executable_at + EXECUTION_WINDOW);
    assert_fails(chain.execute(2), StakingError::ProposalExpired);
    assert_eq!(chain.proposal(2).status, ProposalStatus::Succeeded);
    assert_eq!(chain.config().stake.unstake_cooldown_secs, COOLDOWN);
}

#[test]
fn staking_changes_need_the_governance_pda_as_staking_config_authority() {
    let (mut chain, _, whale) = governed();
    let classes = vec![gpu_class("B200", 800), gpu_class("H100", 400)];
    let id = chain.pass(&whale, ParameterChange::GpuClasses { classes });
    assert_fails(chain.execute(id), StakingError::GovernanceNotAuthority);

    chain.hand_staking_to_governance();
    assert_eq!(chain.config().authority, pda::governance());
    let meta = succeeded(chain.execute(id));
    assert_executed(&chain, id, &meta);
    assert_eq!(
        chain.config().gpu_classes,
        vec![gpu_class("B200", 800), gpu_class("H100", 400)]
    );

    // The old key no longer changes anything; proposals do.
    let authority = chain.authority.pubkey();
    let direct = ix::update_config(&authority, ParameterChange::MinStakeBase { amount: IO });
    assert_fails(
        chain.send_as_authority(direct),
        StakingError::NotConfigAuthority,
    );
    let id = chain.pass(&whale, ParameterChange::MinStakeBase { amount: 250 * IO });
    succeeded(chain.execute(id));
    assert_eq!(chain.config().stake.min_stake_base, 250 * IO);
}

#[test]
fn changes_of_other_programs_need_their_target_accounts() {
    let (mut chain, _, whale) = governed();
    chain.append_emission_rows(emission_rows());
    // iotoken's program and config without the account the change acts on.
    let without_target = Targets {
        iotoken: true,
        ..Targets::NONE
    };
    let cases = [
        (
            ParameterChange::OracleUpdaters {
                updaters: vec![Pubkey::new_unique()],
            },
            vec![Targets::NONE],
        ),
        (
            token_params(UpdateConfigArgs {
                buyback: Some(default_buyback()),
                ..Default::default()
            }),
            vec![Targets::NONE],
        ),
        (
            ParameterChange::LowerEmissionRow {
                index: 1,
                emission_per_epoch: 50,
            },
            vec![Targets::NONE, without_target],
        ),
        (
            ParameterChange::ResumePriceFeed,
            vec![Targets::NONE, without_target],
        ),
        (
            ParameterChange::KeeperBond {
                amount: 2 * KEEPER_BOND,
                unbond_cooldown_secs: KEEPER_COOLDOWN,
            },
            vec![Targets::NONE],
        ),
        (
            ParameterChange::RegistryMarket {
                program: Pubkey::new_unique(),
            },
            vec![Targets::NONE],
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 4,
                max_probe_age_slots: 300,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1_800,
                false_report_penalty_bps: 10,
            },
            vec![Targets::NONE],
        ),
        (
            ParameterChange::PoolDistributor {
                pool: 2,
                program: Pubkey::new_unique(),
            },
            vec![Targets::NONE],
        ),
    ];
    let (changes, attempts): (Vec<_>, Vec<_>) = cases.into_iter().unzip();
    let ids = chain.pass_all(&whale, changes);
    let executor = chain.authority.pubkey();
    for (id, targets) in ids.into_iter().zip(attempts) {
        for targets in targets {
            let instruction = ix::execute_proposal(&executor, id, targets);
            assert_fails(
                chain.send_as_authority(instruction),
                StakingError::MissingTargetAccount,
            );
        }
        assert_eq!(chain.proposal(id).status, ProposalStatus::Succeeded);
    }
}

#[test]
fn fees_and_price_updaters_change_in_iotoken_once_governance_holds_its_config() {
    let (mut chain, _, whale) = governed();
    let mut fees = default_fees();
    fees.network_fee_bps = 600;
    fees.staker_share_min_bps = 50;
    fees.staker_share_max_bps = 500;
    let id = chain.pass(&whale, ParameterChange::Fees { fees });
    assert_fails(chain.execute(id), IotokenError::NotConfigAuthority);

    chain.hand_iotoken_to_governance();
    let meta = succeeded(chain.execute(id));
    assert_executed(&chain, id, &meta);
    let config = chain.token_config();
    assert_eq!(config.fees, fees);
    assert_eq!(config.authority, pda::governance());
    let event: iotoken::events::ConfigUpdated = only_event_of(&meta);
    assert_eq!(
        (event.fees_before, event.fees_after),
        (default_fees(), fees)
    );

    // Pools are now opened within the new bounds.
    let pool = chain.open_pool_with(500, true);
    assert_eq!(chain.pool(&pool.key).staker_share_bps, 500);
    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    let too_high = ix::open_pool(&device.owner.pubkey(), &device.key, 501, true);
    assert_fails(
        chain.send(too_high, &[&device.owner]),
        StakingError::StakerShareOutOfBounds,
    );

    let updaters = vec![Pubkey::new_unique(), Pubkey::new_unique()];
    let change = ParameterChange::OracleUpdaters {
        updaters: updaters.clone(),
    };
    let id = chain.pass(&whale, change);
    let meta = succeeded(chain.execute(id));
    assert_executed(&chain, id, &meta);
    assert_eq!(chain.token_config().price_updaters, updaters);
    assert_eq!(chain.token_config().fees, fees, "the fees stay");
}

#[test]
fn an_emission_row_is_lowered_in_iotoken_only_while_it_has_not_started() {
    let (mut chain, _, whale) = governed();
    chain.append_emission_rows(emission_rows());
    chain.hand_iotoken_to_governance();
    let lower = |emission_per_epoch| ParameterChange::LowerEmissionRow {
        index: 1,
        emission_per_epoch,
    };
    // Row 1 starts ten days after NOW; both proposals are executable five days after NOW.
    succeeded(chain.propose(&whale, "Lower row 1 to 50", lower(50)));
    succeeded(chain.propose(&whale, "Lower row 1 to 40", lower(40)));
    for id in [0, 1] {
        succeeded(chain.vote(&whale, id, VoteSide::Yes));
    }
    chain.set_time(NOW + VOTING_PERIOD);
    for id in [0, 1] {
        succeeded(chain.finalize(id));
    }

    chain.set_time(NOW + VOTING_PERIOD + TIMELOCK);
    let meta = succeeded(chain.execute(0));
    assert_executed(&chain, 0, &meta);
    let rows = chain.schedule().rows;
    assert_eq!(rows[1].emission_per_epoch, 50);
    assert_eq!(
        (rows[0].emission_per_epoch, rows[2].emission_per_epoch),
        (100, 0),
        "the other rows stay"
    );

    // Within its window but after the row started: iotoken refuses, the proposal stays passed.
    chain.set_time(NOW + 10 * DAY);
    assert_fails(chain.execute(1), IotokenError::ScheduleRowStarted);
    assert_eq!(chain.proposal(1).status, ProposalStatus::Succeeded);
    assert_eq!(chain.schedule().rows[1].emission_per_epoch, 50);
}

#[test]
fn a_proposal_names_the_program_that_pays_a_pool_out_in_iotoken() {
    let (mut chain, _, whale) = governed();
    let program = Pubkey::new_unique();
    let distributor = Pubkey::find_program_address(&[b"distributor"], &program).0;
    let name = ParameterChange::PoolDistributor { pool: 2, program };
    let changes = vec![
        name.clone(),
        name,
        ParameterChange::PoolDistributor {
            pool: 2,
            program: Pubkey::default(),
        },
    ];
    let ids = chain.pass_all(&whale, changes);
    // Only iotoken's config authority names distributors.
    assert_fails(chain.execute(ids[0]), IotokenError::NotConfigAuthority);

    chain.hand_iotoken_to_governance();
    let before = chain.token_config().pool_distributors;
    assert_eq!(before, [Pubkey::default(); 4]);
    let meta = succeeded(chain.execute(ids[0]));
    assert_executed(&chain, ids[0], &meta);
    let config = chain.token_config();
    let mut expected = before;
    expected[2] = distributor;
    assert_eq!(config.pool_distributors, expected, "the other pools stay");
    assert_eq!(config.authority, pda::governance(), "the authority stays");
    let event: PoolDistributorSet = only_event_of(&meta);
    assert_eq!((event.pool, event.program), (2, program));
    assert_eq!(
        (event.distributor_before, event.distributor_after),
        (Pubkey::default(), distributor)
    );

    // The same distributor again: iotoken refuses, the proposal stays passed.
    assert_fails(chain.execute(ids[1]), IotokenError::NothingToUpdate);
    assert_eq!(chain.proposal(ids[1]).status, ProposalStatus::Succeeded);

    // The all-zero program stops the pool's draws.
    let meta = succeeded(chain.execute(ids[2]));
    assert_executed(&chain, ids[2], &meta);
    assert_eq!(chain.token_config().pool_distributors, before);
    let event: PoolDistributorSet = only_event_of(&meta);
    assert_eq!(
        (event.distributor_before, event.distributor_after),
        (distributor, Pubkey::default())
    );
}

#[test]
fn the_keeper_bond_changes_in_the_registry_once_governance_holds_its_config() {
    let (mut chain, _, whale) = governed();
    let change = ParameterChange::KeeperBond {
        amount: 2 * KEEPER_BOND,
        unbond_cooldown_secs: 14 * DAY,
    };
    let id = chain.pass(&whale, change.clone());
    assert_fails(
        chain.execute(id),
        registry::errors::RegistryError::NotConfigAuthority,
    );

    chain.hand_registry_to_governance();
    let meta = succeeded(chain.execute(id));
    assert_executed(&chain, id, &meta);
    let config = chain.registry_config();
    assert_eq!(config.keeper_bond_amount, 2 * KEEPER_BOND);
    assert_eq!(config.keeper_unbond_cooldown_secs, 14 * DAY);
    assert_eq!(config.authority, pda::governance(), "the authority stays");
    assert_eq!(config.bond_mint, pda::io_mint(), "the bond mint stays");
    let event: registry::events::ConfigUpdated = only_event_of(&meta);
    assert_eq!(
        (
            event.keeper_bond_amount_before,
            event.keeper_bond_amount_after
        ),
        (KEEPER_BOND, 2 * KEEPER_BOND)
    );
    assert_eq!(
        (
            event.keeper_unbond_cooldown_secs_before,
            event.keeper_unbond_cooldown_secs_after
        ),
        (KEEPER_COOLDOWN, 14 * DAY)
    );
}

#[test]
fn token_params_replace_in_iotoken_only_the_groups_they_set() {
    let (mut chain, _, whale) = governed();
    chain.hand_iotoken_to_governance();
    let emission = EmissionParams {
        split: RewardSplit {
            availability_bps: 5_000,
            compute_bps: 3_000,
            stakers_bps: 1_500,
            keepers_bps: 500,
        },
        crank_tip: 20 * IO,
        ..default_emission()
    };
    let breaker = BreakerParams {
        window_secs: 2 * DAY,
        max_iosd_per_window: 1_000_000_000,
    };
    let oracle = OracleParams {
        max_staleness_secs: 300,
        ..default_oracle()
    };
    let buyback = BuybackParams {
        burn_bps: 250,
        interval_secs: 7 * DAY,
    };
    let changes = vec![
        token_params(UpdateConfigArgs {
            emission: Some(emission),
            breaker: Some(breaker),
            ..Default::default()
        }),
        token_params(UpdateConfigArgs {
            oracle: Some(oracle),
            buyback: Some(buyback),
            ..Default::default()
        }),
    ];
    let ids = chain.pass_all(&whale, changes);

    let meta = succeeded(chain.execute(ids[0]));
    assert_executed(&chain, ids[0], &meta);
    let config = chain.token_config();
    assert_eq!((config.emission, config.breaker), (emission, breaker));
    assert_eq!(
        (config.oracle, config.buyback, config.fees),
        (default_oracle(), default_buyback(), default_fees()),
        "the groups not set stay"
    );
    let event: iotoken::events::ConfigUpdated = only_event_of(&meta);
    assert_eq!(
        (event.emission_before, event.emission_after),
        (default_emission(), emission)
    );
    assert_eq!(
        (event.breaker_before, event.breaker_after),
        (default_breaker(), breaker)
    );

    let meta = succeeded(chain.execute(ids[1]));
    assert_executed(&chain, ids[1], &meta);
    let config = chain.token_config();
    assert_eq!(
        (
            config.emission,
            config.oracle,
            config.breaker,
            config.buyback
        ),
        (emission, oracle, breaker, buyback)
    );
    assert_eq!(config.authority, pda::governance(), "the authority stays");
}

#[test]
fn a_proposal_resumes_the_price_feed_an_updater_halted() {
    let (mut chain, _, whale) = governed();
    chain.halt_price_feed();
    assert!(chain.price_feed().halted);
    let ids = chain.pass_all(&whale, vec![ParameterChange::ResumePriceFeed; 2]);
    // Only iotoken's config authority resumes a feed.
    assert_fails(chain.execute(ids[0]), IotokenError::NotConfigAuthority);

    chain.hand_iotoken_to_governance();
    // iotoken checks the target account itself: the schedule is not the price feed.
    let executor = chain.authority.pubkey();
    let schedule_as_feed = Targets {
        iotoken_target: Some(pda::schedule()),
        ..Targets::of(&ParameterChange::ResumePriceFeed)
    };
    assert_fails(
        chain.send_as_authority(ix::execute_proposal(&executor, ids[0], schedule_as_feed)),
        AnchorErrorCode::AccountDiscriminatorMismatch,
    );
    assert!(chain.price_feed().halted);

    let meta = succeeded(chain.execute(ids[0]));
    assert_executed(&chain, ids[0], &meta);
    assert!(!chain.price_feed().halted);
    let event: PriceFeedHaltChanged = only_event_of(&meta);
    assert_eq!((event.by, event.halted), (pda::governance(), false));

    // A feed that runs is not resumed: iotoken refuses, the proposal stays passed.
    assert_fails(chain.execute(ids[1]), IotokenError::PriceFeedNotHalted);
    assert_eq!(chain.proposal(ids[1]).status, ProposalStatus::Succeeded);
}

#[test]
fn the_market_program_and_its_lock_authority_change_in_the_registry() {
    let (mut chain, _, whale) = governed();
    chain.hand_registry_to_governance();
    let market = Pubkey::new_unique();
    let changes = vec![
        ParameterChange::RegistryMarket { program: market },
        ParameterChange::RegistryMarket {
            program: Pubkey::default(),
        },
    ];
    let ids = chain.pass_all(&whale, changes);

    let meta = succeeded(chain.execute(ids[0]));
    assert_executed(&chain, ids[0], &meta);
    let config = chain.registry_config();
    assert_eq!(config.market_program, market);
    assert_eq!(
        config.market_lock_authority,
        Pubkey::find_program_address(&[b"registry_lock"], &market).0
    );
    assert_eq!(
        (
            config.keeper_bond_amount,
            config.keeper_unbond_cooldown_secs
        ),
        (KEEPER_BOND, KEEPER_COOLDOWN),
        "the keeper bond stays"
    );
    assert_eq!(config.authority, pda::governance(), "the authority stays");
    let event: registry::events::ConfigUpdated = only_event_of(&meta);
    assert_eq!(
        (event.market_program_before, event.market_program_after),
        (Pubkey::default(), market)
    );

    // The all-zero program disables device locking.
    succeeded(chain.execute(ids[1]));
    let config = chain.registry_config();
    assert_eq!(
        (config.market_program, config.market_lock_authority),
        (Pubkey::default(), Pubkey::default())
    );
}

#[test]
fn the_availability_rules_change_in_the_registry() {
    let (mut chain, _, whale) = governed();
    chain.hand_registry_to_governance();
    let change = ParameterChange::RegistryAvailability {
        failure_quorum: 5,
        max_probe_age_slots: 512,
        committee_size: 6,
        passes_required: 2,
        report_after_secs: 1_800,
        false_report_penalty_bps: 10,
    };
    let id = chain.pass(&whale, change);
    let before = chain.registry_config();

    let meta = succeeded(chain.execute(id));
    assert_executed(&chain, id, &meta);
    let config = chain.registry_config();
    let expected = AvailabilityParams {
        failure_quorum: 5,
        max_probe_age_slots: 512,
        ..DEFAULT_AVAILABILITY
    };
    assert_eq!(config.availability, expected);
    assert_eq!(
        (config.keeper_bond_amount, config.market_program),
        (before.keeper_bond_amount, before.market_program),
        "nothing else changes"
    );
    let event: registry::events::ConfigUpdated = only_event_of(&meta);
    assert_eq!(
        (event.availability_before, event.availability_after),
        (before.availability, expected)
    );
    assert_eq!(before.availability, DEFAULT_AVAILABILITY);
}

/// L13: a change that decides who may slash (the slasher set) waits five days beyond the
/// timelock that a plain parameter change waits: at the common timelock's end the slasher change
/// fails with `TimelockNotElapsed` while the plain one executes; five days later it executes.
#[test]
fn l13_slasher_changes_wait_five_days_beyond_the_common_timelock() {
    let (mut chain, _, whale) = governed();
    chain.hand_staking_to_governance();
    let slashers = ParameterChange::Slashers {
        programs: vec![ROGUE_SLASHER_PROGRAM],
    };
    let plain = ParameterChange::MinStakeBase { amount: 250 * IO };
    assert!(slashers.is_critical() && !plain.is_critical());
    let ids = [0, 1];
    for (id, change) in ids.into_iter().zip([slashers, plain]) {
        succeeded(chain.propose(&whale, "Change a parameter", change));
        succeeded(chain.vote(&whale, id, VoteSide::Yes));
    }
    let voting_ends_at = chain.proposal(0).voting_ends_at;
    chain.set_time(voting_ends_at.max(chain.proposal(1).voting_ends_at));
    for id in ids {
        succeeded(chain.finalize(id));
    }
    let timelock = chain.proposal(0).rules.timelock_secs;
    assert_eq!(
        chain.proposal(0).executable_at,
        voting_ends_at + timelock + CRITICAL_EXTRA_TIMELOCK_SECS
    );
    assert_eq!(CRITICAL_EXTRA_TIMELOCK_SECS, 5 * 86_400);

    chain.set_time(chain.proposal(1).executable_at);
    assert_fails(chain.execute(0), StakingError::TimelockNotElapsed);
    succeeded(chain.execute(1));
    assert_eq!(chain.config().slashers[0].program, SLASHER_PROGRAM);

    chain.set_time(chain.proposal(0).executable_at);
    succeeded(chain.execute(0));
    assert_eq!(chain.config().slashers[0].program, ROGUE_SLASHER_PROGRAM);
}
