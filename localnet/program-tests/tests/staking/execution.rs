//! Executing passed proposals: once, after the timelock and within the execution window, through
//! the governance PDA, which must hold the target config's authority: staking's own config
//! directly, iotoken's fees, price updaters and emission rows and the registry's keeper bond by
//! CPI into those programs.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iotoken::{errors::IotokenError, math::IO},
    litesvm::types::TransactionMetadata,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{ConfigChanged, ProposalExecuted},
        state::ProposalStatus,
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
    let changes = [
        ParameterChange::OracleUpdaters {
            updaters: vec![Pubkey::new_unique()],
        },
        ParameterChange::LowerEmissionRow {
            index: 1,
            emission_per_epoch: 50,
        },
        ParameterChange::KeeperBond {
            amount: 2 * KEEPER_BOND,
            unbond_cooldown_secs: KEEPER_COOLDOWN,
        },
    ];
    let ids = chain.pass_all(&whale, changes.to_vec());
    let executor = chain.authority.pubkey();
    let lower_without_schedule = Targets {
        iotoken: true,
        ..Targets::NONE
    };
    let attempts = [
        (ids[0], Targets::NONE),
        (ids[1], Targets::NONE),
        (ids[1], lower_without_schedule),
        (ids[2], Targets::NONE),
    ];
    for (id, targets) in attempts {
        let instruction = ix::execute_proposal(&executor, id, targets);
        assert_fails(
            chain.send_as_authority(instruction),
            StakingError::MissingTargetAccount,
        );
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
