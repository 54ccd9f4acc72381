//! The staking config: created once with every parameter checked against its bounds, then
//! changed by its authority one typed change at a time (only changes of staking's own parameters;
//! other programs' configs change through proposals), and handed to a new authority.

use {
    crate::common::*,
    anchor_lang::{prelude::Pubkey, Space},
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{AuthorityChanged, ConfigChanged, ConfigInitialized},
        state::{GovernanceParams, GpuClass, SlashParams, Slasher, StakingConfig},
        InitializeArgs, ParameterChange,
    },
};

#[test]
fn initialize_stores_the_parameters_and_each_slashers_pda() {
    let mut chain = Chain::uninitialized();
    let authority = chain.authority.pubkey();
    let balance_before = chain.balance(&authority);

    let meta = succeeded(chain.initialize(default_args()));

    let (config_key, bump) = Pubkey::find_program_address(&[b"config"], &staking::ID);
    let (governance, governance_bump) =
        Pubkey::find_program_address(&[b"governance"], &staking::ID);
    let config = chain.config();
    assert_eq!(config.authority, authority);
    assert_eq!(config.io_mint, pda::io_mint());
    assert_eq!(config.stake, default_stake_params());
    assert_eq!(config.slashing, default_slash_params());
    assert_eq!(config.governance, default_governance());
    assert_eq!(config.gpu_classes, default_classes());
    assert_eq!(
        config.slashers,
        vec![Slasher {
            program: SLASHER_PROGRAM,
            authority: Pubkey::find_program_address(&[b"slasher"], &SLASHER_PROGRAM).0,
        }]
    );
    assert_eq!(config.proposal_count, 0);
    assert_eq!(
        (config.bump, config.governance_bump),
        (bump, governance_bump)
    );
    assert_eq!(config._reserved, [0; 128]);

    let space = 8 + StakingConfig::INIT_SPACE;
    assert_eq!(chain.account(&config_key).data.len(), space);
    assert_eq!(
        balance_before - chain.balance(&authority),
        chain.rent(space) + 2 * FEE_PER_SIGNATURE,
        "the authority pays the config's rent and the fee (its and the deployer's signature)"
    );
    assert!(
        !chain.exists(&governance),
        "the governance PDA holds nothing"
    );

    let event: ConfigInitialized = only_event(&meta);
    assert_eq!(event.config, config_key);
    assert_eq!(event.authority, authority);
    assert_eq!(event.io_mint, pda::io_mint());
    assert_eq!(event.governance, governance);
}

#[test]
fn initialize_a_second_time_fails_and_keeps_the_first_config() {
    let mut chain = Chain::new();
    let usurper = chain.funded_keypair();
    let mut args = default_args();
    args.slasher_programs = vec![ROGUE_SLASHER_PROGRAM];

    let result = chain.send(ix::initialize(&usurper.pubkey(), args), &[&usurper]);

    assert_fails(result, Expected::AccountAlreadyInUse);
    let config = chain.config();
    assert_eq!(config.authority, chain.authority.pubkey());
    assert_eq!(config.slashers[0].program, SLASHER_PROGRAM);
}

/// M5: before the deployer initialises, a front-runner signing as the deployer (to choose the
/// slasher set) fails with `NotDeployer` and creates nothing.
#[test]
fn m5_initialize_by_anyone_but_the_deployer_fails_with_not_deployer() {
    let mut chain = Chain::uninitialized();
    let usurper = chain.funded_keypair();
    let mut args = default_args();
    args.slasher_programs = vec![ROGUE_SLASHER_PROGRAM];
    let front_run = iogrid_program_tests::ix::by_deployer(
        ix::initialize(&usurper.pubkey(), args),
        &usurper.pubkey(),
    );
    assert_fails(
        chain.send(front_run, &[&usurper]),
        StakingError::NotDeployer,
    );
    assert!(!chain.exists(&pda::config()));

    succeeded(chain.initialize(default_args()));
    assert_eq!(chain.config().authority, chain.authority.pubkey());
}

/// `count` distinct valid GPU classes.
fn classes(count: usize) -> Vec<GpuClass> {
    (0..count)
        .map(|i| gpu_class(&format!("GPU {i}"), 100))
        .collect()
}

fn distinct_programs(count: u8) -> Vec<Pubkey> {
    (1..=count)
        .map(|i| Pubkey::new_from_array([i; 32]))
        .collect()
}

/// Out-of-bounds GPU class tables: too many rows, empty, too long, untrimmed, control
/// characters, multipliers outside 0.10x-20.00x, and a pattern repeated in another case.
fn invalid_class_tables() -> Vec<Vec<GpuClass>> {
    vec![
        classes(17),
        vec![gpu_class("", 100)],
        vec![gpu_class(&"G".repeat(25), 100)],
        vec![gpu_class(" H100", 100)],
        vec![gpu_class("H100 ", 100)],
        vec![gpu_class("H1\n00", 100)],
        vec![gpu_class("H100", 9)],
        vec![gpu_class("H100", 2_001)],
        vec![gpu_class("H100", 400), gpu_class("h100", 300)],
    ]
}

fn invalid_slasher_sets() -> Vec<Vec<Pubkey>> {
    vec![
        distinct_programs(5),
        vec![Pubkey::default()],
        vec![SLASHER_PROGRAM, ROGUE_SLASHER_PROGRAM, SLASHER_PROGRAM],
    ]
}

fn governance_with(change: impl Fn(&mut GovernanceParams)) -> GovernanceParams {
    let mut params = default_governance();
    change(&mut params);
    params
}

fn invalid_governance_params() -> Vec<GovernanceParams> {
    vec![
        governance_with(|g| g.voting_period_secs = HOUR - 1),
        governance_with(|g| g.voting_period_secs = 30 * DAY + 1),
        governance_with(|g| g.timelock_secs = -1),
        governance_with(|g| g.timelock_secs = 30 * DAY + 1),
        governance_with(|g| g.execution_window_secs = HOUR - 1),
        governance_with(|g| g.execution_window_secs = 30 * DAY + 1),
        governance_with(|g| g.quorum_weight = 0),
        governance_with(|g| g.pass_threshold_bps = 4_999),
        governance_with(|g| g.pass_threshold_bps = 9_901),
    ]
}

fn invalid_slash_params() -> Vec<SlashParams> {
    [(0, DAY), (10_001, DAY), (1, HOUR - 1), (1, 30 * DAY + 1)]
        .map(|(max_slash_bps, window_secs)| SlashParams {
            max_slash_bps,
            window_secs,
        })
        .to_vec()
}

#[test]
fn initialize_refuses_each_out_of_bounds_parameter_by_its_own_error() {
    let mut chain = Chain::uninitialized();
    let mut cases: Vec<(InitializeArgs, StakingError)> = Vec::new();
    let with = |change: &dyn Fn(&mut InitializeArgs)| {
        let mut args = default_args();
        change(&mut args);
        args
    };
    for (min_stake_base, unstake_cooldown_secs) in [
        (IO - 1, COOLDOWN),
        (100_000 * IO + 1, COOLDOWN),
        (MIN_STAKE_BASE, DAY - 1),
        (MIN_STAKE_BASE, 90 * DAY + 1),
    ] {
        let args = with(&|args| {
            args.stake.min_stake_base = min_stake_base;
            args.stake.unstake_cooldown_secs = unstake_cooldown_secs;
        });
        cases.push((args, StakingError::InvalidStakeParams));
    }
    for params in invalid_slash_params() {
        let args = with(&|args| args.slashing = params);
        cases.push((args, StakingError::InvalidSlashParams));
    }
    for params in invalid_governance_params() {
        let args = with(&|args| args.governance = params);
        cases.push((args, StakingError::InvalidGovernanceParams));
    }
    for table in invalid_class_tables() {
        let args = with(&|args| args.gpu_classes = table.clone());
        cases.push((args, StakingError::InvalidGpuClasses));
    }
    for programs in invalid_slasher_sets() {
        let args = with(&|args| args.slasher_programs = programs.clone());
        cases.push((args, StakingError::InvalidSlashers));
    }

    for (args, error) in cases {
        assert_fails(chain.initialize(args), error);
        assert!(!chain.exists(&pda::config()));
    }
}

#[test]
fn initialize_accepts_every_parameter_at_its_bounds() {
    let lowest = InitializeArgs {
        stake: staking::state::StakeParams {
            min_stake_base: IO,
            unstake_cooldown_secs: DAY,
        },
        slashing: SlashParams {
            max_slash_bps: 1,
            window_secs: HOUR,
        },
        governance: GovernanceParams {
            voting_period_secs: HOUR,
            timelock_secs: 0,
            execution_window_secs: HOUR,
            quorum_weight: 1,
            pass_threshold_bps: 5_000,
            proposal_min_stake: 0,
        },
        gpu_classes: vec![],
        slasher_programs: vec![],
    };
    let highest = InitializeArgs {
        stake: staking::state::StakeParams {
            min_stake_base: 100_000 * IO,
            unstake_cooldown_secs: 90 * DAY,
        },
        slashing: SlashParams {
            max_slash_bps: 10_000,
            window_secs: 30 * DAY,
        },
        governance: GovernanceParams {
            voting_period_secs: 30 * DAY,
            timelock_secs: 30 * DAY,
            execution_window_secs: 30 * DAY,
            quorum_weight: u64::MAX,
            pass_threshold_bps: 9_900,
            proposal_min_stake: u64::MAX,
        },
        gpu_classes: (0..16)
            .map(|i| gpu_class(&format!("{i:0>24}"), if i % 2 == 0 { 10 } else { 2_000 }))
            .collect(),
        slasher_programs: distinct_programs(4),
    };
    for args in [lowest, highest] {
        let mut chain = Chain::uninitialized();
        succeeded(chain.initialize(args.clone()));
        let config = chain.config();
        assert_eq!(config.stake, args.stake);
        assert_eq!(config.slashing, args.slashing);
        assert_eq!(config.governance, args.governance);
        assert_eq!(config.gpu_classes, args.gpu_classes);
        let programs: Vec<Pubkey> = config.slashers.iter().map(|s| s.program).collect();
        assert_eq!(programs, args.slasher_programs);
    }
}

fn update(chain: &mut Chain, change: ParameterChange) -> litesvm::types::TransactionResult {
    let authority = chain.authority.pubkey();
    chain.send_as_authority(ix::update_config(&authority, change))
}

/// Whether a change shows in the config.
type ShowsIn = fn(&StakingConfig) -> bool;

#[test]
fn update_config_applies_each_change_of_stakings_own_parameters() {
    let mut chain = Chain::new();
    let new_governance = governance_with(|g| {
        g.quorum_weight = 7 * IO;
        g.pass_threshold_bps = 6_667;
    });
    let new_slashing = SlashParams {
        max_slash_bps: 2_500,
        window_secs: 7 * DAY,
    };
    let new_classes = vec![gpu_class("B200", 800)];
    let new_programs = vec![ROGUE_SLASHER_PROGRAM, SLASHER_PROGRAM];
    let changes: Vec<(ParameterChange, ShowsIn)> = vec![
        (ParameterChange::MinStakeBase { amount: 350 * IO }, |c| {
            c.stake.min_stake_base == 350 * IO
        }),
        (ParameterChange::UnstakeCooldown { secs: 3 * DAY }, |c| {
            c.stake.unstake_cooldown_secs == 3 * DAY
        }),
        (
            ParameterChange::Slashing {
                params: new_slashing,
            },
            |c| c.slashing.max_slash_bps == 2_500 && c.slashing.window_secs == 7 * DAY,
        ),
        (
            ParameterChange::GpuClasses {
                classes: new_classes,
            },
            |c| c.gpu_classes == vec![gpu_class("B200", 800)],
        ),
        (
            ParameterChange::Governance {
                params: new_governance,
            },
            |c| c.governance.quorum_weight == 7 * IO && c.governance.pass_threshold_bps == 6_667,
        ),
        (
            ParameterChange::Slashers {
                programs: new_programs,
            },
            |c| {
                let expected = [ROGUE_SLASHER_PROGRAM, SLASHER_PROGRAM].map(|program| Slasher {
                    program,
                    authority: pda::slasher(&program),
                });
                c.slashers == expected
            },
        ),
    ];

    for (change, applied) in changes {
        let before = chain.config();
        let meta = succeeded(update(&mut chain, change.clone()));
        let after = chain.config();
        assert!(applied(&after), "{change:?} is applied");
        assert!(!applied(&before), "{change:?} changed something");
        let event: ConfigChanged = only_event(&meta);
        assert_eq!(event.change, change);
        assert_eq!(event.proposal, Pubkey::default(), "made by the authority");

        assert_fails(update(&mut chain, change), StakingError::NothingToUpdate);
    }
    let config = chain.config();
    assert_eq!(config.stake.min_stake_base, 350 * IO, "every change stays");
    assert_eq!(config.slashing.window_secs, 7 * DAY);
}

#[test]
fn update_config_refuses_out_of_bounds_changes_by_their_own_errors() {
    let mut chain = Chain::new();
    let mut cases = vec![
        (
            ParameterChange::MinStakeBase { amount: IO - 1 },
            StakingError::InvalidStakeParams,
        ),
        (
            ParameterChange::MinStakeBase {
                amount: 100_000 * IO + 1,
            },
            StakingError::InvalidStakeParams,
        ),
        (
            ParameterChange::UnstakeCooldown { secs: DAY - 1 },
            StakingError::InvalidStakeParams,
        ),
        (
            ParameterChange::UnstakeCooldown { secs: 90 * DAY + 1 },
            StakingError::InvalidStakeParams,
        ),
    ];
    cases.extend(invalid_slash_params().into_iter().map(|params| {
        (
            ParameterChange::Slashing { params },
            StakingError::InvalidSlashParams,
        )
    }));
    cases.extend(invalid_governance_params().into_iter().map(|params| {
        (
            ParameterChange::Governance { params },
            StakingError::InvalidGovernanceParams,
        )
    }));
    cases.extend(invalid_class_tables().into_iter().map(|classes| {
        (
            ParameterChange::GpuClasses { classes },
            StakingError::InvalidGpuClasses,
        )
    }));
    cases.extend(invalid_slasher_sets().into_iter().map(|programs| {
        (
            ParameterChange::Slashers { programs },
            StakingError::InvalidSlashers,
        )
    }));

    let before = chain.config();
    for (change, error) in cases {
        assert_fails(update(&mut chain, change), error);
    }
    let after = chain.config();
    assert_eq!(after.stake, before.stake);
    assert_eq!(after.slashing, before.slashing);
    assert_eq!(after.governance, before.governance);
    assert_eq!(after.gpu_classes, before.gpu_classes);
    assert_eq!(after.slashers, before.slashers);
}

/// One change of each kind that applies to iotoken or the registry.
fn other_programs_changes() -> Vec<ParameterChange> {
    vec![
        ParameterChange::Fees {
            fees: default_fees(),
        },
        ParameterChange::OracleUpdaters { updaters: vec![] },
        ParameterChange::LowerEmissionRow {
            index: 0,
            emission_per_epoch: 0,
        },
        ParameterChange::KeeperBond {
            amount: KEEPER_BOND,
            unbond_cooldown_secs: KEEPER_COOLDOWN,
        },
        token_params(iotoken::UpdateConfigArgs {
            buyback: Some(default_buyback()),
            ..Default::default()
        }),
        ParameterChange::ResumePriceFeed,
        ParameterChange::RegistryMarket {
            program: Pubkey::new_unique(),
        },
        ParameterChange::RegistryAvailability {
            failure_quorum: 3,
            max_probe_age_slots: 150,
            committee_size: 6,
            passes_required: 2,
            report_after_secs: 1_800,
            false_report_penalty_bps: 10,
        },
        ParameterChange::PoolDistributor {
            pool: 1,
            program: Pubkey::new_unique(),
        },
    ]
}

#[test]
fn update_config_refuses_changes_of_other_programs_configs() {
    let mut chain = Chain::new();
    for change in other_programs_changes() {
        assert_fails(
            update(&mut chain, change),
            StakingError::ChangeTargetsOtherProgram,
        );
    }
}

#[test]
fn only_the_config_authority_updates_the_config_or_hands_it_over() {
    let mut chain = Chain::new();
    let intruder = chain.funded_keypair();
    let change = ParameterChange::MinStakeBase { amount: 300 * IO };

    let result = chain.send(
        ix::update_config(&intruder.pubkey(), change.clone()),
        &[&intruder],
    );
    assert_fails(result, StakingError::NotConfigAuthority);
    let result = chain.send(
        ix::set_authority(&intruder.pubkey(), &intruder.pubkey()),
        &[&intruder],
    );
    assert_fails(result, StakingError::NotConfigAuthority);

    let config = chain.config();
    assert_eq!(config.stake.min_stake_base, MIN_STAKE_BASE);
    assert_eq!(config.authority, chain.authority.pubkey());
}

#[test]
fn set_authority_hands_the_config_to_a_new_key_and_refuses_the_zero_key() {
    let mut chain = Chain::new();
    let old = chain.authority.pubkey();
    let successor = chain.funded_keypair();

    assert_fails(
        chain.send_as_authority(ix::set_authority(&old, &Pubkey::default())),
        StakingError::InvalidAuthority,
    );
    assert_fails(
        chain.send_as_authority(ix::set_authority(&old, &old)),
        StakingError::NothingToUpdate,
    );

    let meta = succeeded(chain.send_as_authority(ix::set_authority(&old, &successor.pubkey())));
    assert_eq!(chain.config().authority, successor.pubkey());
    let event: AuthorityChanged = only_event(&meta);
    assert_eq!((event.before, event.after), (old, successor.pubkey()));

    let change = ParameterChange::MinStakeBase { amount: 300 * IO };
    assert_fails(
        chain.send_as_authority(ix::update_config(&old, change.clone())),
        StakingError::NotConfigAuthority,
    );
    let by_successor = ix::update_config(&successor.pubkey(), change);
    succeeded(chain.send(by_successor, &[&successor]));
    assert_eq!(chain.config().stake.min_stake_base, 300 * IO);
}
