//! Proposals and votes: a proposal carries one typed change, checked against its bounds when it
//! is created by a position with enough active stake; each position votes once with its active
//! stake times its lock multiplier, and cannot withdraw that stake before the vote ends; once the
//! vote has ended anyone finalises it by quorum and threshold.

use {
    crate::common::*,
    anchor_lang::{prelude::Pubkey, Space},
    iotoken::{
        math::IO,
        state::{BreakerParams, BuybackParams, EmissionParams, OracleParams, MAX_PRICE_UPDATERS},
        UpdateConfigArgs,
    },
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{ProposalCreated, ProposalFinalized, VoteCast},
        math::MAX_LOCK_SECS,
        state::{GovernanceParams, Proposal, ProposalStatus, SlashParams, VoteRecord},
        validation::{
            MAX_FAILURE_QUORUM, MAX_KEEPER_UNBOND_COOLDOWN_SECS, MAX_PROBE_AGE_SLOTS,
            MIN_FAILURE_QUORUM,
        },
        ParameterChange, VoteSide,
    },
};

fn raise_min_stake() -> ParameterChange {
    ParameterChange::MinStakeBase { amount: 300 * IO }
}

#[test]
fn create_proposal_records_the_change_and_the_rules_in_force() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let proposer = chain.staked(&pool, PROPOSAL_MIN_STAKE);
    let owner = proposer.owner.pubkey();
    let balance_before = chain.balance(&owner);

    let meta = succeeded(chain.propose(&proposer, "Raise the minimum stake", raise_min_stake()));

    let (key, bump) =
        Pubkey::find_program_address(&[b"proposal", &0u64.to_le_bytes()], &staking::ID);
    let proposal = chain.proposal(0);
    assert_eq!(proposal.id, 0);
    assert_eq!(proposal.proposer, owner);
    assert_eq!(proposal.title, "Raise the minimum stake");
    assert_eq!(proposal.change, raise_min_stake());
    assert_eq!(proposal.rules, default_governance());
    assert_eq!(proposal.status, ProposalStatus::Voting);
    assert_eq!(proposal.created_at, NOW);
    assert_eq!(proposal.voting_ends_at, NOW + VOTING_PERIOD);
    assert_eq!((proposal.executable_at, proposal.executed_at), (0, 0));
    let tallies = [
        proposal.yes_weight,
        proposal.no_weight,
        proposal.abstain_weight,
    ];
    assert_eq!(tallies, [0; 3]);
    assert_eq!((proposal.voters, proposal.bump), (0, bump));
    assert_eq!(chain.config().proposal_count, 1);
    let space = 8 + Proposal::INIT_SPACE;
    assert_eq!(chain.account(&key).data.len(), space);
    assert_eq!(
        balance_before - chain.balance(&owner),
        chain.rent(space) + FEE_PER_SIGNATURE,
        "the proposer pays the proposal's rent and the fee"
    );
    let event: ProposalCreated = only_event(&meta);
    assert_eq!((event.proposal, event.id, event.proposer), (key, 0, owner));
    assert_eq!(event.change, raise_min_stake());
    assert_eq!(event.voting_ends_at, NOW + VOTING_PERIOD);

    // Rules changed later do not move a proposal already created.
    let authority = chain.authority.pubkey();
    let longer = GovernanceParams {
        voting_period_secs: 10 * DAY,
        ..default_governance()
    };
    let change = ParameterChange::Governance { params: longer };
    succeeded(chain.send_as_authority(ix::update_config(&authority, change)));
    succeeded(chain.propose(&proposer, "Second", raise_min_stake()));
    assert_eq!(chain.proposal(1).id, 1);
    assert_eq!(chain.proposal(1).voting_ends_at, NOW + 10 * DAY);
    assert_eq!(chain.proposal(0).rules, default_governance());
    assert_eq!(chain.config().proposal_count, 2);
}

#[test]
fn a_proposer_needs_proposal_min_stake_active_in_its_own_position() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let empty = chain.staker(&pool, 0);
    let short = chain.staked(&pool, PROPOSAL_MIN_STAKE - 1);
    let leaving = chain.staked(&pool, 2 * PROPOSAL_MIN_STAKE);
    succeeded(chain.unstake(&leaving, PROPOSAL_MIN_STAKE + 1));

    for proposer in [&empty, &short, &leaving] {
        assert_fails(
            chain.propose(proposer, "Too small", raise_min_stake()),
            StakingError::ProposerStakeTooLow,
        );
    }
    assert_eq!(chain.config().proposal_count, 0);
    assert!(!chain.exists(&pda::proposal(0)));

    // With no minimum, a position still needs some stake.
    let authority = chain.authority.pubkey();
    let no_minimum = GovernanceParams {
        proposal_min_stake: 0,
        ..default_governance()
    };
    let change = ParameterChange::Governance { params: no_minimum };
    succeeded(chain.send_as_authority(ix::update_config(&authority, change)));
    assert_fails(
        chain.propose(&empty, "Nothing staked", raise_min_stake()),
        StakingError::ProposerStakeTooLow,
    );
    succeeded(chain.propose(&short, "Small but staked", raise_min_stake()));
}

#[test]
fn a_title_is_1_to_64_bytes_without_control_characters() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let proposer = chain.staked(&pool, PROPOSAL_MIN_STAKE);

    let too_long = "t".repeat(65);
    for title in ["", too_long.as_str(), "two\nlines", "tab\there"] {
        assert_fails(
            chain.propose(&proposer, title, raise_min_stake()),
            StakingError::InvalidProposalTitle,
        );
    }
    let longest = "é".repeat(32);
    succeeded(chain.propose(&proposer, &longest, raise_min_stake()));
    assert_eq!(chain.proposal(0).title, longest);
}

fn fees_with(change: impl Fn(&mut iotoken::state::FeeParams)) -> ParameterChange {
    let mut fees = default_fees();
    change(&mut fees);
    ParameterChange::Fees { fees }
}

#[test]
fn create_proposal_refuses_out_of_bounds_changes_by_their_own_errors() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let proposer = chain.staked(&pool, PROPOSAL_MIN_STAKE);
    let updaters: Vec<Pubkey> = (0..=MAX_PRICE_UPDATERS)
        .map(|_| Pubkey::new_unique())
        .collect();
    let repeated = Pubkey::new_unique();
    let cases = [
        (
            fees_with(|fees| fees.network_fee_bps = 2_001),
            StakingError::InvalidFeeParams,
        ),
        (
            fees_with(|fees| fees.settle_tip = 10_000_001),
            StakingError::InvalidFeeParams,
        ),
        (
            fees_with(|fees| fees.staker_share_min_bps = SHARE_MAX_BPS + 1),
            StakingError::InvalidFeeParams,
        ),
        (
            ParameterChange::OracleUpdaters { updaters },
            StakingError::InvalidOracleUpdaters,
        ),
        (
            ParameterChange::OracleUpdaters {
                updaters: vec![Pubkey::default()],
            },
            StakingError::InvalidOracleUpdaters,
        ),
        (
            ParameterChange::OracleUpdaters {
                updaters: vec![repeated, repeated],
            },
            StakingError::InvalidOracleUpdaters,
        ),
        (
            ParameterChange::KeeperBond {
                amount: 0,
                unbond_cooldown_secs: KEEPER_COOLDOWN,
            },
            StakingError::InvalidKeeperBond,
        ),
        (
            ParameterChange::KeeperBond {
                amount: KEEPER_BOND,
                unbond_cooldown_secs: -1,
            },
            StakingError::InvalidKeeperBond,
        ),
        (
            ParameterChange::KeeperBond {
                amount: KEEPER_BOND,
                unbond_cooldown_secs: MAX_KEEPER_UNBOND_COOLDOWN_SECS + 1,
            },
            StakingError::InvalidKeeperBond,
        ),
        (
            token_params(UpdateConfigArgs::default()),
            StakingError::InvalidTokenParams,
        ),
        (
            token_params(UpdateConfigArgs {
                emission: Some(EmissionParams {
                    crank_tip: 1_000 * IO + 1,
                    ..default_emission()
                }),
                ..Default::default()
            }),
            StakingError::InvalidTokenParams,
        ),
        (
            // One group out of bounds refuses the others with it.
            token_params(UpdateConfigArgs {
                oracle: Some(default_oracle()),
                breaker: Some(BreakerParams {
                    window_secs: 59,
                    ..default_breaker()
                }),
                ..Default::default()
            }),
            StakingError::InvalidTokenParams,
        ),
        (
            token_params(UpdateConfigArgs {
                buyback: Some(BuybackParams {
                    burn_bps: 1_001,
                    ..default_buyback()
                }),
                ..Default::default()
            }),
            StakingError::InvalidTokenParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: MIN_FAILURE_QUORUM - 1,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1_800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: MAX_FAILURE_QUORUM + 1,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1_800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 0,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1_800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: MAX_PROBE_AGE_SLOTS + 1,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1_800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 0,
                passes_required: 0,
                report_after_secs: 1800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 17,
                passes_required: 2,
                report_after_secs: 1800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 2,
                passes_required: 3,
                report_after_secs: 1800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 5,
                report_after_secs: 1800,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 599,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 3301,
                false_report_penalty_bps: 10,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            ParameterChange::RegistryAvailability {
                failure_quorum: 3,
                max_probe_age_slots: 150,
                committee_size: 6,
                passes_required: 2,
                report_after_secs: 1800,
                false_report_penalty_bps: 1001,
            },
            StakingError::InvalidAvailabilityParams,
        ),
        (
            // iotoken's pools are 0 to 3.
            ParameterChange::PoolDistributor {
                pool: 4,
                program: Pubkey::new_unique(),
            },
            StakingError::InvalidPoolIndex,
        ),
        (
            ParameterChange::PoolDistributor {
                pool: u8::MAX,
                program: Pubkey::default(),
            },
            StakingError::InvalidPoolIndex,
        ),
        (
            ParameterChange::GpuClasses {
                classes: vec![gpu_class("H100", 2_001)],
            },
            StakingError::InvalidGpuClasses,
        ),
        (
            ParameterChange::MinStakeBase { amount: 0 },
            StakingError::InvalidStakeParams,
        ),
        (
            ParameterChange::UnstakeCooldown { secs: 91 * DAY },
            StakingError::InvalidStakeParams,
        ),
        (
            ParameterChange::Slashing {
                params: SlashParams {
                    max_slash_bps: 10_001,
                    window_secs: DAY,
                },
            },
            StakingError::InvalidSlashParams,
        ),
        (
            ParameterChange::Slashers {
                programs: vec![Pubkey::default()],
            },
            StakingError::InvalidSlashers,
        ),
        (
            ParameterChange::Governance {
                params: GovernanceParams {
                    pass_threshold_bps: 9_901,
                    ..default_governance()
                },
            },
            StakingError::InvalidGovernanceParams,
        ),
    ];

    for (change, error) in cases {
        assert_fails(chain.propose(&proposer, "Out of bounds", change), error);
    }
    assert_eq!(chain.config().proposal_count, 0);

    // At their bounds, the same changes are accepted.
    let at_bounds = [
        fees_with(|fees| fees.staker_share_min_bps = SHARE_MAX_BPS),
        ParameterChange::KeeperBond {
            amount: 1,
            unbond_cooldown_secs: MAX_KEEPER_UNBOND_COOLDOWN_SECS,
        },
        ParameterChange::OracleUpdaters {
            updaters: (0..MAX_PRICE_UPDATERS)
                .map(|_| Pubkey::new_unique())
                .collect(),
        },
        token_params(UpdateConfigArgs {
            emission: Some(EmissionParams {
                crank_tip: 1_000 * IO,
                net_smoothing_epochs: 8_760,
                ..default_emission()
            }),
            oracle: Some(OracleParams {
                max_staleness_secs: DAY,
                max_confidence_bps: 10_000,
                ema_window_secs: 7 * DAY,
            }),
            breaker: Some(BreakerParams {
                window_secs: 30 * DAY,
                max_iosd_per_window: 1,
            }),
            buyback: Some(BuybackParams {
                burn_bps: 1_000,
                interval_secs: 3_600,
            }),
            ..Default::default()
        }),
        ParameterChange::RegistryAvailability {
            failure_quorum: MIN_FAILURE_QUORUM,
            max_probe_age_slots: 1,
            committee_size: 6,
            passes_required: 2,
            report_after_secs: 1_800,
            false_report_penalty_bps: 10,
        },
        ParameterChange::RegistryAvailability {
            failure_quorum: MAX_FAILURE_QUORUM,
            max_probe_age_slots: MAX_PROBE_AGE_SLOTS,
            committee_size: 6,
            passes_required: 2,
            report_after_secs: 1_800,
            false_report_penalty_bps: 10,
        },
    ];
    for change in at_bounds {
        succeeded(chain.propose(&proposer, "At the bounds", change));
    }
    assert_eq!(chain.config().proposal_count, 6);
}

#[test]
fn lowering_an_emission_row_is_checked_against_iotokens_schedule() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let proposer = chain.staked(&pool, PROPOSAL_MIN_STAKE);
    let lower = |index, emission_per_epoch| ParameterChange::LowerEmissionRow {
        index,
        emission_per_epoch,
    };

    let without_schedule = ix::create_proposal(
        &proposer.owner.pubkey(),
        &pool.key,
        0,
        "Lower row 1",
        lower(1, 50),
        false,
    );
    assert_fails(
        chain.send(without_schedule, &[&proposer.owner]),
        StakingError::MissingTargetAccount,
    );
    assert_fails(
        chain.propose(&proposer, "Empty schedule", lower(0, 50)),
        StakingError::EmissionRowNotFound,
    );

    chain.append_emission_rows(emission_rows());
    let cases = [
        (lower(3, 0), StakingError::EmissionRowNotFound),
        (lower(0, 50), StakingError::EmissionRowStarted),
        (lower(1, 80), StakingError::EmissionRowNotLowered),
        (lower(1, 81), StakingError::EmissionRowNotLowered),
    ];
    for (change, error) in cases {
        assert_fails(chain.propose(&proposer, "Lower a row", change), error);
    }
    succeeded(chain.propose(&proposer, "Lower row 1", lower(1, 79)));
    assert_eq!(chain.proposal(0).change, lower(1, 79));
    assert_eq!(chain.schedule().rows[1].emission_per_epoch, 80, "not yet");
}

/// Asserts `voter`'s vote record on proposal `id`.
#[track_caller]
fn assert_voted(chain: &Chain, id: u64, voter: &Staker, side: VoteSide, weight: u64) {
    let record: VoteRecord = chain.vote_record(id, &voter.position);
    let (_, bump) = Pubkey::find_program_address(
        &[b"vote", pda::proposal(id).as_ref(), voter.position.as_ref()],
        &staking::ID,
    );
    assert_eq!(record.proposal, pda::proposal(id));
    assert_eq!(record.position, voter.position);
    assert_eq!(record.voter, voter.owner.pubkey());
    assert_eq!((record.side, record.weight), (side, weight));
    assert_eq!((record.voted_at, record.bump), (chain.now(), bump));
}

#[test]
fn a_vote_weighs_the_active_stake_by_the_lock_remaining() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let unlocked = chain.staked(&pool, 400 * IO);
    let two_years = chain.staked(&pool, 200 * IO);
    let four_years = chain.staked(&pool, 100 * IO);
    let later = chain.staked(&pool, 100 * IO);
    succeeded(chain.lock(&two_years, MAX_LOCK_SECS / 2));
    succeeded(chain.lock(&four_years, MAX_LOCK_SECS));
    succeeded(chain.lock(&later, MAX_LOCK_SECS));
    succeeded(chain.propose(&unlocked, "Raise the minimum stake", raise_min_stake()));
    let voter_balance = chain.balance(&unlocked.owner.pubkey());

    // Unlocked stake votes at 1x.
    let meta = succeeded(chain.vote(&unlocked, 0, VoteSide::Yes));
    assert_voted(&chain, 0, &unlocked, VoteSide::Yes, 400 * IO);
    let record_space = 8 + VoteRecord::INIT_SPACE;
    assert_eq!(
        voter_balance - chain.balance(&unlocked.owner.pubkey()),
        chain.rent(record_space) + FEE_PER_SIGNATURE,
        "the voter pays the record's rent and the fee"
    );
    let event: VoteCast = only_event(&meta);
    assert_eq!(event.proposal, pda::proposal(0));
    assert_eq!(event.position, unlocked.position);
    assert_eq!(event.voter, unlocked.owner.pubkey());
    assert_eq!((event.side, event.weight), (VoteSide::Yes, 400 * IO));
    assert_eq!(
        (
            event.yes_weight_after,
            event.no_weight_after,
            event.abstain_weight_after
        ),
        (400 * IO, 0, 0)
    );

    // Two years remaining: 1 + 3 x 2/4 = 2.5x. Four years: 4x.
    succeeded(chain.vote(&two_years, 0, VoteSide::No));
    assert_voted(&chain, 0, &two_years, VoteSide::No, 500 * IO);
    succeeded(chain.vote(&four_years, 0, VoteSide::Abstain));
    assert_voted(&chain, 0, &four_years, VoteSide::Abstain, 400 * IO);

    // A day later a four-year lock has 1,459 days left: 10_000 + floor(30_000 x 1_459 / 1_460)
    // = 39_979 bps, so 100 IO weigh 399.79 IO.
    chain.advance(DAY);
    succeeded(chain.vote(&later, 0, VoteSide::Yes));
    assert_voted(&chain, 0, &later, VoteSide::Yes, 39_979_000_000);

    let proposal = chain.proposal(0);
    assert_eq!(
        (
            proposal.yes_weight,
            proposal.no_weight,
            proposal.abstain_weight
        ),
        (400 * IO + 39_979_000_000, 500 * IO, 400 * IO)
    );
    assert_eq!(proposal.voters, 4);
    for voter in [&unlocked, &two_years, &four_years, &later] {
        assert_eq!(
            chain.position(&voter.position).vote_lock_until,
            NOW + VOTING_PERIOD
        );
    }
}

#[test]
fn a_position_votes_once_and_only_while_voting_lasts() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let voter = chain.staked(&pool, 300 * IO);
    let late = chain.staked(&pool, 300 * IO);
    succeeded(chain.propose(&voter, "Raise the minimum stake", raise_min_stake()));

    // Lamports sent to the record's address beforehand do not block the vote.
    let record = pda::vote(&pda::proposal(0), &voter.position);
    chain.svm.airdrop(&record, 1_000_000).expect("an airdrop");
    succeeded(chain.vote(&voter, 0, VoteSide::Yes));
    assert_voted(&chain, 0, &voter, VoteSide::Yes, 300 * IO);

    for side in [VoteSide::Yes, VoteSide::No] {
        assert_fails(chain.vote(&voter, 0, side), StakingError::AlreadyVoted);
    }
    chain.set_time(NOW + VOTING_PERIOD);
    assert_fails(
        chain.vote(&late, 0, VoteSide::No),
        StakingError::VotingEnded,
    );
    let proposal = chain.proposal(0);
    assert_eq!((proposal.yes_weight, proposal.no_weight), (300 * IO, 0));
    assert_eq!(proposal.voters, 1);
}

#[test]
fn a_position_without_active_stake_has_no_voting_weight() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let proposer = chain.staked(&pool, PROPOSAL_MIN_STAKE);
    let empty = chain.staker(&pool, 0);
    let leaving = chain.staked(&pool, 50 * IO);
    succeeded(chain.unstake(&leaving, 50 * IO));
    succeeded(chain.propose(&proposer, "Raise the minimum stake", raise_min_stake()));

    for voter in [&empty, &leaving] {
        assert_fails(
            chain.vote(voter, 0, VoteSide::Yes),
            StakingError::NoVotingWeight,
        );
        assert!(!chain.exists(&pda::vote(&pda::proposal(0), &voter.position)));
    }
    assert_eq!(chain.proposal(0).voters, 0);
}

#[test]
fn voted_stake_cannot_be_withdrawn_to_vote_again_until_the_vote_ends() {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let one_day = ParameterChange::UnstakeCooldown { secs: DAY };
    succeeded(chain.send_as_authority(ix::update_config(&authority, one_day)));
    let pool = chain.open_pool();
    let voter = chain.staked(&pool, 300 * IO);
    succeeded(chain.propose(&voter, "Raise the minimum stake", raise_min_stake()));
    succeeded(chain.vote(&voter, 0, VoteSide::Yes));

    // Unstaking is allowed, but the stake stays in the pool until the vote ends, so it cannot be
    // staked again from another position and vote a second time.
    succeeded(chain.unstake(&voter, 300 * IO));
    chain.set_time(NOW + DAY);
    assert_fails(chain.withdraw(&voter), StakingError::VoteLocked);
    chain.set_time(NOW + VOTING_PERIOD - 1);
    assert_fails(chain.withdraw(&voter), StakingError::VoteLocked);
    chain.set_time(NOW + VOTING_PERIOD);
    succeeded(chain.withdraw(&voter));
    assert_eq!(chain.token_balance(&voter.io), 300 * IO);
}

#[test]
fn finalize_decides_by_quorum_then_threshold() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let a = chain.staked(&pool, 600 * IO);
    let b = chain.staked(&pool, 600 * IO);
    let c = chain.staked(&pool, 500 * IO);
    let d = chain.staked(&pool, 400 * IO);
    for _ in 0..4 {
        succeeded(chain.propose(&a, "Raise the minimum stake", raise_min_stake()));
    }
    let votes = [
        // 0: 600 IO cast, short of the 1,000 IO quorum.
        vec![(&a, VoteSide::Yes)],
        // 1: a tie is not a majority.
        vec![(&a, VoteSide::Yes), (&b, VoteSide::No)],
        // 2: 600 of 1,100.
        vec![(&a, VoteSide::Yes), (&c, VoteSide::No)],
        // 3: abstentions count for the quorum only: 500 yes to 400 no, 1,500 cast.
        vec![
            (&c, VoteSide::Yes),
            (&d, VoteSide::No),
            (&b, VoteSide::Abstain),
        ],
    ];
    for (id, ballots) in votes.iter().enumerate() {
        for (voter, side) in ballots {
            succeeded(chain.vote(voter, id as u64, *side));
        }
    }

    chain.set_time(NOW + VOTING_PERIOD - 1);
    assert_fails(chain.finalize(0), StakingError::VotingNotEnded);

    chain.set_time(NOW + VOTING_PERIOD);
    let expected = [
        ProposalStatus::Defeated,
        ProposalStatus::Defeated,
        ProposalStatus::Succeeded,
        ProposalStatus::Succeeded,
    ];
    for (id, status) in expected.into_iter().enumerate() {
        let id = id as u64;
        let meta = succeeded(chain.finalize(id));
        let proposal = chain.proposal(id);
        assert_eq!(proposal.status, status, "proposal {id}");
        let executable_at = match status {
            ProposalStatus::Succeeded => NOW + VOTING_PERIOD + TIMELOCK,
            _ => 0,
        };
        assert_eq!(proposal.executable_at, executable_at);
        let event: ProposalFinalized = only_event(&meta);
        assert_eq!((event.proposal, event.status), (pda::proposal(id), status));
        assert_eq!(
            (event.yes_weight, event.no_weight, event.abstain_weight),
            (
                proposal.yes_weight,
                proposal.no_weight,
                proposal.abstain_weight
            )
        );
        assert_eq!(event.executable_at, executable_at);

        assert_fails(chain.finalize(id), StakingError::ProposalNotVoting);
    }
    assert_eq!(
        chain.proposal(3).abstain_weight,
        600 * IO,
        "b abstained on 3"
    );
}

/// L13: a whale that stakes (or extends its lock) after a proposal was created cannot vote on
/// it (`WeightAddedAfterProposal`): the weight that counts is what positions held at creation.
/// A position staked before votes, and the late one votes on proposals created after it staked.
#[test]
fn l13_stake_or_lock_added_after_a_proposal_does_not_vote_on_it() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let early = chain.staked(&pool, QUORUM);
    chain.advance(60);
    succeeded(chain.propose(&early, "Raise the minimum stake", raise_min_stake()));
    chain.advance(60);

    // The review's attack: a last-minute whale.
    let whale = chain.staked(&pool, 10 * QUORUM);
    assert_fails(
        chain.vote(&whale, 0, VoteSide::No),
        StakingError::WeightAddedAfterProposal,
    );
    // Extending a lock after the proposal counts as growing the weight too.
    succeeded(chain.lock(&early, MAX_LOCK_SECS));
    assert_fails(
        chain.vote(&early, 0, VoteSide::Yes),
        StakingError::WeightAddedAfterProposal,
    );
    let steady = chain.staked(&pool, QUORUM);
    chain.advance(60);
    succeeded(chain.propose(&steady, "Raise it again", raise_min_stake()));
    succeeded(chain.vote(&steady, 1, VoteSide::Yes));
    succeeded(chain.vote(&whale, 1, VoteSide::No));
    let proposal = chain.proposal(1);
    assert_eq!(proposal.voters, 2);
    assert!(chain.proposal(0).voters == 0);
}
