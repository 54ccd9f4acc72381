//! Harness shared by the staking program's integration tests: a LiteSVM chain running iotoken,
//! the registry and staking natively (SPL Token is the real SBF program LiteSVM ships), with
//! iotoken initialised for real (so the IO mint and the stakers' share bounds exist), the
//! registry's config, and a small test-only slashing program; instruction builders over Anchor's
//! generated client types; account and event decoding.
//!
//! Every transaction sent here carries exactly one instruction and is paid for by its first
//! signer, so balances can be checked to the lamport: a transaction costs its payer
//! `FEE_PER_SIGNATURE` per signature, whether it succeeds or fails.
//!
//! Chains come in two stages: `uninitialized` (iotoken and the registry ready, staking deployed
//! only) and `new` (staking initialised with `default_args`).

pub use iogrid_program_tests::{
    assert_fails,
    iotoken_defaults::{
        default_breaker, default_buyback, default_emission, default_fees, default_oracle,
        SHARE_MAX_BPS, SHARE_MIN_BPS,
    },
    only_event, only_event_of,
    setup::{DAY, FEE_PER_SIGNATURE, HOUR},
    succeeded, Expected, TestChain,
};
use iogrid_program_tests::{
    iotoken_defaults::iotoken_args,
    put_token_account, send,
    setup::{forward_as_pda, programs_svm, ORIGIN},
};

use {
    anchor_lang::{
        prelude::Pubkey,
        solana_program::instruction::{AccountMeta, Instruction},
        system_program,
    },
    iotoken::{
        math::IO,
        state::{EmissionSchedule, PriceFeed, TokenConfig},
        EmissionRow,
    },
    litesvm::{types::TransactionResult, LiteSVM},
    registry::state::RegistryConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    staking::{
        state::{
            GovernanceParams, GpuClass, Proposal, SlashParams, SlashReason, StakeParams, StakePool,
            StakePosition, StakingConfig, VoteRecord,
        },
        InitializeArgs, ParameterChange, SlashArgs, VoteSide,
    },
};

/// 2026-01-01T00:00:00Z, the unix time every chain starts at.
pub const NOW: i64 = ORIGIN;

// The test config (`default_args`).
pub const MIN_STAKE_BASE: u64 = 200 * IO;
pub const COOLDOWN: i64 = 14 * DAY;
/// At most 10% of a pool's stake per day.
pub const MAX_SLASH_BPS: u16 = 1_000;
pub const SLASH_WINDOW: i64 = DAY;
pub const VOTING_PERIOD: i64 = 3 * DAY;
pub const TIMELOCK: i64 = 2 * DAY;
pub const EXECUTION_WINDOW: i64 = 7 * DAY;
/// Weight (IO base units x lock multiplier) that must vote.
pub const QUORUM: u64 = 1_000 * IO;
pub const PASS_THRESHOLD_BPS: u16 = 5_000;
pub const PROPOSAL_MIN_STAKE: u64 = 100 * IO;

/// The share test pools offer (within iotoken's default bounds, `SHARE_MIN_BPS`-`SHARE_MAX_BPS`).
pub const POOL_SHARE_BPS: u16 = 200;

/// IO each pool operator's wallet starts with.
pub const OPERATOR_IO: u64 = 10_000 * IO;
/// IO the rewarder's wallet starts with (it deposits every reward).
pub const REWARDER_IO: u64 = 1_000_000 * IO;

/// The test-only slashing program, registered as a slasher by `default_args`: it forwards
/// instructions to staking signed by its own `["slasher"]` PDA (`forward_as_pda`), standing in
/// for the registry and the market, which slash once they have proven a fault.
pub const SLASHER_PROGRAM: Pubkey = Pubkey::new_from_array([0x51; 32]);
/// The same program loaded at an id that is not a registered slasher.
pub const ROGUE_SLASHER_PROGRAM: Pubkey = Pubkey::new_from_array([0x52; 32]);

pub fn default_stake_params() -> StakeParams {
    StakeParams {
        min_stake_base: MIN_STAKE_BASE,
        unstake_cooldown_secs: COOLDOWN,
    }
}

pub fn default_slash_params() -> SlashParams {
    SlashParams {
        max_slash_bps: MAX_SLASH_BPS,
        window_secs: SLASH_WINDOW,
    }
}

pub fn default_governance() -> GovernanceParams {
    GovernanceParams {
        voting_period_secs: VOTING_PERIOD,
        timelock_secs: TIMELOCK,
        execution_window_secs: EXECUTION_WINDOW,
        quorum_weight: QUORUM,
        pass_threshold_bps: PASS_THRESHOLD_BPS,
        proposal_min_stake: PROPOSAL_MIN_STAKE,
    }
}

pub fn gpu_class(pattern: &str, multiplier_centi: u16) -> GpuClass {
    GpuClass {
        pattern: pattern.to_string(),
        multiplier_centi,
    }
}

pub fn default_classes() -> Vec<GpuClass> {
    vec![gpu_class("H100", 400), gpu_class("RTX 4090", 150)]
}

pub fn default_args() -> InitializeArgs {
    InitializeArgs {
        stake: default_stake_params(),
        slashing: default_slash_params(),
        governance: default_governance(),
        gpu_classes: default_classes(),
        slasher_programs: vec![SLASHER_PROGRAM],
    }
}

/// The `TokenParams` change of the groups `args` sets (emission, oracle, breaker, buyback; its
/// other fields are not part of the change).
pub fn token_params(args: iotoken::UpdateConfigArgs) -> ParameterChange {
    ParameterChange::TokenParams {
        emission: args.emission,
        oracle: args.oracle,
        breaker: args.breaker,
        buyback: args.buyback,
    }
}

/// The registry's keeper bond in the test config: 1,000 IO, 7 days to unbond.
pub const KEEPER_BOND: u64 = 1_000 * IO;
pub const KEEPER_COOLDOWN: i64 = 7 * DAY;

/// A chain with the three programs and the two slashing-program copies loaded, its clock at
/// `NOW`, and `authority` the config authority of iotoken and the registry (and of staking, once
/// initialised).
pub struct Chain {
    pub svm: LiteSVM,
    pub authority: Keypair,
    /// iotoken's only price updater (funded, so it can pay for a halt).
    pub updater: Keypair,
    /// Deposits every reward, from `rewarder_io`.
    pub rewarder: Keypair,
    pub rewarder_io: Pubkey,
    /// An empty IO account of the authority's: where the test slashing program sends slashes.
    pub treasury: Pubkey,
    devices: u32,
}

/// A registered device and its owner.
pub struct TestDevice {
    pub key: Pubkey,
    pub owner: Keypair,
}

/// An open pool, its device and operator (the device's owner), and the operator's IO wallet
/// (`OPERATOR_IO` to start with).
pub struct TestPool {
    pub device: Pubkey,
    pub key: Pubkey,
    pub vault: Pubkey,
    pub operator: Keypair,
    pub operator_io: Pubkey,
}

/// A co-staker: a funded key, its IO wallet and its (open) position in `pool`.
pub struct Staker {
    pub owner: Keypair,
    pub io: Pubkey,
    pub pool: Pubkey,
    pub position: Pubkey,
}

impl Chain {
    /// iotoken initialised (config, IO mint, empty schedule) and the registry's config created,
    /// both by `authority`; staking deployed but not initialised.
    pub fn uninitialized() -> Self {
        let mut svm = programs_svm();
        for program in [SLASHER_PROGRAM, ROGUE_SLASHER_PROGRAM] {
            iogrid_svm::add_native_program(&mut svm, program, |id, accounts, data| {
                forward_as_pda(b"slasher", id, accounts, data)
            });
        }
        let mut chain = Chain {
            svm,
            authority: Keypair::new(),
            updater: Keypair::new(),
            rewarder: Keypair::new(),
            rewarder_io: Pubkey::default(),
            treasury: Pubkey::default(),
            devices: 0,
        };
        chain.set_time(NOW);
        let (authority, rewarder) = (chain.authority.pubkey(), chain.rewarder.pubkey());
        let updater = chain.updater.pubkey();
        for key in [authority, rewarder, updater] {
            chain.fund(&key);
        }

        let initialize_token = ix::iotoken_initialize(&authority, iotoken_args(vec![updater]));
        succeeded(chain.send_as_authority(initialize_token));
        let initialize_registry =
            ix::registry_initialize(&authority, &pda::io_mint(), KEEPER_BOND, KEEPER_COOLDOWN);
        succeeded(chain.send_as_authority(initialize_registry));
        chain.rewarder_io = chain.io_account(&rewarder, REWARDER_IO);
        chain.treasury = chain.io_account(&authority, 0);
        chain
    }

    /// `uninitialized`, then staking initialised with `default_args` by `authority`.
    pub fn new() -> Self {
        let mut chain = Self::uninitialized();
        succeeded(chain.initialize(default_args()));
        chain
    }

    pub fn initialize(&mut self, args: InitializeArgs) -> TransactionResult {
        let authority = self.authority.pubkey();
        self.send_as_authority(ix::initialize(&authority, args))
    }

    /// Sends `instruction` signed and paid for by the config authority.
    pub fn send_as_authority(&mut self, instruction: Instruction) -> TransactionResult {
        send(&mut self.svm, instruction, &[&self.authority])
    }

    pub fn config(&self) -> StakingConfig {
        self.program_account(&staking::ID, &pda::config())
    }

    pub fn pool(&self, key: &Pubkey) -> StakePool {
        self.program_account(&staking::ID, key)
    }

    pub fn position(&self, key: &Pubkey) -> StakePosition {
        self.program_account(&staking::ID, key)
    }

    pub fn proposal(&self, id: u64) -> Proposal {
        self.program_account(&staking::ID, &pda::proposal(id))
    }

    pub fn vote_record(&self, id: u64, position: &Pubkey) -> VoteRecord {
        self.program_account(&staking::ID, &pda::vote(&pda::proposal(id), position))
    }

    pub fn token_config(&self) -> TokenConfig {
        self.program_account(&iotoken::ID, &pda::token_config())
    }

    pub fn schedule(&self) -> EmissionSchedule {
        self.program_account(&iotoken::ID, &pda::schedule())
    }

    pub fn price_feed(&self) -> PriceFeed {
        self.program_account(&iotoken::ID, &pda::price_feed())
    }

    pub fn registry_config(&self) -> RegistryConfig {
        self.program_account(&registry::ID, &pda::registry_config())
    }

    // IO accounts.

    /// An IO account of `owner` holding `amount` (the mint's supply is left as is).
    pub fn io_account(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        put_token_account(&mut self.svm, &pda::io_mint(), owner, amount)
    }

    /// A token account of a mint that is not IO, owned by `owner` and holding `amount`.
    pub fn foreign_token_account(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        put_token_account(&mut self.svm, &Pubkey::new_unique(), owner, amount)
    }

    /// Asserts the pool's accounting against its vault: the vault holds exactly the stake
    /// (self-stake and co-stake, active and cooling) and the rewards deposited but not claimed.
    /// The program checks `>=` after every move; nothing else enters or leaves a vault here.
    #[track_caller]
    pub fn assert_vault_balanced(&self, pool: &TestPool) {
        let state = self.pool(&pool.key);
        let stake = state.total_stake().expect("the stake fits a u64");
        let unclaimed = state.rewards_deposited - state.rewards_claimed;
        assert_eq!(
            self.token_balance(&pool.vault),
            stake + unclaimed,
            "vault = stake {stake} + unclaimed rewards {unclaimed}"
        );
    }

    // Devices and pools.

    /// Registers a device with a new id and `gpu_count` GPUs of `gpu_model` for a new funded
    /// owner.
    pub fn register_device(&mut self, gpu_model: &str, gpu_count: u16) -> TestDevice {
        self.devices += 1;
        let owner = self.funded_keypair();
        self.register_device_as(
            &format!("device-{}", self.devices),
            owner,
            gpu_model,
            gpu_count,
        )
    }

    /// Registers `device_id` for `owner`.
    pub fn register_device_as(
        &mut self,
        device_id: &str,
        owner: Keypair,
        gpu_model: &str,
        gpu_count: u16,
    ) -> TestDevice {
        let agent = Keypair::new();
        let args = ix::rig(device_id, gpu_model, gpu_count);
        let register = ix::register_device(&owner.pubkey(), &agent.pubkey(), args);
        succeeded(self.send(register, &[&owner, &agent]));
        TestDevice {
            key: pda::device(device_id),
            owner,
        }
    }

    /// A new 8xH100 device's pool with `staker_share_bps`, open to co-stake or not; its operator
    /// holds `OPERATOR_IO`.
    pub fn open_pool_with(&mut self, staker_share_bps: u16, costaking_open: bool) -> TestPool {
        let device = self.register_device("NVIDIA H100 80GB HBM3", 8);
        let operator = device.owner;
        let instruction = ix::open_pool(
            &operator.pubkey(),
            &device.key,
            staker_share_bps,
            costaking_open,
        );
        succeeded(self.send(instruction, &[&operator]));
        let key = pda::pool(&device.key, &operator.pubkey());
        let operator_io = self.io_account(&operator.pubkey(), OPERATOR_IO);
        TestPool {
            device: device.key,
            key,
            vault: pda::vault(&key),
            operator,
            operator_io,
        }
    }

    /// A pool offering `POOL_SHARE_BPS`, open to co-stake.
    pub fn open_pool(&mut self) -> TestPool {
        self.open_pool_with(POOL_SHARE_BPS, true)
    }

    /// A new funded co-staker with `io` in its wallet and an open position in `pool`.
    pub fn staker(&mut self, pool: &TestPool, io: u64) -> Staker {
        let owner = self.funded_keypair();
        let io_account = self.io_account(&owner.pubkey(), io);
        succeeded(self.send(ix::open_position(&owner.pubkey(), &pool.key), &[&owner]));
        Staker {
            io: io_account,
            pool: pool.key,
            position: pda::position(&pool.key, &owner.pubkey()),
            owner,
        }
    }

    /// The same owner and wallet as `staker`, with a new position in `pool`.
    pub fn position_in(&mut self, pool: &TestPool, staker: &Staker) -> Staker {
        let owner = staker.owner.insecure_clone();
        succeeded(self.send(ix::open_position(&owner.pubkey(), &pool.key), &[&owner]));
        Staker {
            io: staker.io,
            pool: pool.key,
            position: pda::position(&pool.key, &owner.pubkey()),
            owner,
        }
    }

    /// A new co-staker of `pool` that has staked all of `amount`.
    pub fn staked(&mut self, pool: &TestPool, amount: u64) -> Staker {
        let staker = self.staker(pool, amount);
        succeeded(self.stake(&staker, amount));
        staker
    }

    // The operator's self-stake.

    pub fn stake_self(&mut self, pool: &TestPool, amount: u64) -> TransactionResult {
        let operator = pool.operator.pubkey();
        let instruction = ix::stake_self(&operator, &pool.key, &pool.operator_io, amount);
        self.send(instruction, &[&pool.operator])
    }

    pub fn unstake_self(&mut self, pool: &TestPool, amount: u64) -> TransactionResult {
        let operator = pool.operator.pubkey();
        let instruction = ix::unstake_self(&operator, &pool.key, &pool.device, amount);
        self.send(instruction, &[&pool.operator])
    }

    pub fn withdraw_self(&mut self, pool: &TestPool) -> TransactionResult {
        let operator = pool.operator.pubkey();
        let instruction = ix::withdraw_self(&operator, &pool.key, &pool.device, &pool.operator_io);
        self.send(instruction, &[&pool.operator])
    }

    // Co-stake.

    pub fn stake(&mut self, staker: &Staker, amount: u64) -> TransactionResult {
        let owner = staker.owner.pubkey();
        let instruction = ix::stake(&owner, &staker.pool, &staker.io, amount);
        self.send(instruction, &[&staker.owner])
    }

    pub fn unstake(&mut self, staker: &Staker, amount: u64) -> TransactionResult {
        let instruction = ix::unstake(&staker.owner.pubkey(), &staker.pool, amount);
        self.send(instruction, &[&staker.owner])
    }

    pub fn lock(&mut self, staker: &Staker, duration_secs: i64) -> TransactionResult {
        let instruction = ix::lock(&staker.owner.pubkey(), &staker.pool, duration_secs);
        self.send(instruction, &[&staker.owner])
    }

    pub fn withdraw(&mut self, staker: &Staker) -> TransactionResult {
        let instruction = ix::withdraw(&staker.owner.pubkey(), &staker.pool, &staker.io);
        self.send(instruction, &[&staker.owner])
    }

    pub fn claim(&mut self, staker: &Staker) -> TransactionResult {
        let instruction = ix::claim_rewards(&staker.owner.pubkey(), &staker.pool, &staker.io);
        self.send(instruction, &[&staker.owner])
    }

    pub fn close_position(&mut self, staker: &Staker) -> TransactionResult {
        let instruction = ix::close_position(&staker.owner.pubkey(), &staker.pool);
        self.send(instruction, &[&staker.owner])
    }

    /// IO the position's active and cooling shares are worth now.
    pub fn position_value(&self, staker: &Staker) -> (u64, u64) {
        let pool = self.pool(&staker.pool);
        let position = self.position(&staker.position);
        let value = |shares: u64| {
            let total_shares = pool.costake_shares.max(1) as u128;
            (shares as u128 * pool.costake_total as u128 / total_shares) as u64
        };
        (value(position.shares), value(position.cooling_shares))
    }

    /// The rewards `claim` would pay the position now: what it has settled plus what its active
    /// shares earned since.
    pub fn claimable(&self, staker: &Staker) -> u64 {
        let index = self.pool(&staker.pool).reward_index;
        let position = self.position(&staker.position);
        let accrued = position.shares as u128 * index - position.reward_debt;
        position.rewards_owed + (accrued / 1_000_000_000_000) as u64
    }

    // Rewards and slashing.

    /// The rewarder deposits `amount` into `pool`.
    pub fn deposit(&mut self, pool: &Pubkey, amount: u64) -> TransactionResult {
        let rewarder = self.rewarder.pubkey();
        let instruction = ix::deposit_rewards(&rewarder, pool, &self.rewarder_io, amount);
        send(&mut self.svm, instruction, &[&self.rewarder])
    }

    /// `slash` of `amount` signed by the `["slasher"]` PDA of `program` (a copy of the test
    /// slashing program), paid to the treasury.
    pub fn slash_through(
        &mut self,
        program: &Pubkey,
        pool: &Pubkey,
        amount: u64,
    ) -> TransactionResult {
        let args = slash_args(amount);
        let instruction = ix::slash_through(program, pool, &self.treasury, args);
        self.send_as_authority(instruction)
    }

    /// A slash of `amount` by the registered test slashing program, paid to the treasury.
    pub fn slash(&mut self, pool: &Pubkey, amount: u64) -> TransactionResult {
        self.slash_through(&SLASHER_PROGRAM, pool, amount)
    }

    // Governance.

    /// Creates a proposal (the next id) from the staker's position; the emission schedule is
    /// passed when the change lowers an emission row.
    pub fn propose(
        &mut self,
        proposer: &Staker,
        title: &str,
        change: ParameterChange,
    ) -> TransactionResult {
        let id = self.config().proposal_count;
        let schedule = matches!(change, ParameterChange::LowerEmissionRow { .. });
        let instruction = ix::create_proposal(
            &proposer.owner.pubkey(),
            &proposer.pool,
            id,
            title,
            change,
            schedule,
        );
        self.send(instruction, &[&proposer.owner])
    }

    pub fn vote(&mut self, voter: &Staker, id: u64, side: VoteSide) -> TransactionResult {
        let instruction = ix::cast_vote(&voter.owner.pubkey(), &voter.pool, id, side);
        self.send(instruction, &[&voter.owner])
    }

    pub fn finalize(&mut self, id: u64) -> TransactionResult {
        self.send_as_authority(ix::finalize_proposal(id))
    }

    /// Executes proposal `id`, passing the accounts its change targets.
    pub fn execute(&mut self, id: u64) -> TransactionResult {
        let targets = Targets::of(&self.proposal(id).change);
        let authority = self.authority.pubkey();
        self.send_as_authority(ix::execute_proposal(&authority, id, targets))
    }

    /// Proposes `change` from `voter`'s position and votes yes with it (its weight must reach
    /// the quorum), finalises the vote when it ends, and moves the clock to the end of the
    /// timelock. Returns the proposal's id.
    pub fn pass(&mut self, voter: &Staker, change: ParameterChange) -> u64 {
        self.pass_all(voter, vec![change])[0]
    }

    /// `pass` for several changes at once: all proposed together, so all executable together.
    pub fn pass_all(&mut self, voter: &Staker, changes: Vec<ParameterChange>) -> Vec<u64> {
        let ids: Vec<u64> = changes
            .into_iter()
            .map(|change| {
                let id = self.config().proposal_count;
                succeeded(self.propose(voter, "Change a parameter", change));
                succeeded(self.vote(voter, id, VoteSide::Yes));
                id
            })
            .collect();
        let last = *ids.last().expect("at least one change");
        self.set_time(self.proposal(last).voting_ends_at);
        for id in &ids {
            succeeded(self.finalize(*id));
        }
        let executable_at = ids.iter().map(|id| self.proposal(*id).executable_at).max();
        self.set_time(executable_at.expect("at least one change"));
        ids
    }

    /// The staking config's authority becomes the governance PDA.
    pub fn hand_staking_to_governance(&mut self) {
        let authority = self.authority.pubkey();
        let instruction = ix::set_authority(&authority, &pda::governance());
        succeeded(self.send_as_authority(instruction));
    }

    /// iotoken's config authority becomes the governance PDA.
    pub fn hand_iotoken_to_governance(&mut self) {
        let authority = self.authority.pubkey();
        let args = iotoken::UpdateConfigArgs {
            new_authority: Some(pda::governance()),
            ..Default::default()
        };
        succeeded(self.send_as_authority(ix::iotoken_update_config(&authority, args)));
    }

    /// The registry config's authority becomes the governance PDA.
    pub fn hand_registry_to_governance(&mut self) {
        let authority = self.authority.pubkey();
        let args = registry::UpdateConfigArgs {
            new_authority: Some(pda::governance()),
            ..Default::default()
        };
        succeeded(self.send_as_authority(ix::registry_update_config(&authority, None, args)));
    }

    /// iotoken's price updater halts the price feed (burn-mint stops until the config authority
    /// resumes it).
    pub fn halt_price_feed(&mut self) {
        let instruction = ix::set_price_halted(&self.updater.pubkey(), true);
        succeeded(send(&mut self.svm, instruction, &[&self.updater]));
    }

    /// Appends `rows` to iotoken's (unsealed) emission schedule, as its authority.
    pub fn append_emission_rows(&mut self, rows: Vec<EmissionRow>) {
        let authority = self.authority.pubkey();
        succeeded(self.send_as_authority(ix::append_schedule_rows(&authority, rows)));
    }
}

/// Rows of the test emission schedule: 100 per epoch from `NOW`, 80 from ten days later, and an
/// end twenty days later.
pub fn emission_rows() -> Vec<EmissionRow> {
    [(NOW, 100), (NOW + 10 * DAY, 80), (NOW + 20 * DAY, 0)]
        .map(|(start_time, emission_per_epoch)| EmissionRow {
            start_time,
            emission_per_epoch,
        })
        .to_vec()
}

pub fn slash_args(amount: u64) -> SlashArgs {
    SlashArgs {
        amount,
        reason: SlashReason::FailedProbesDuringReservation,
        evidence: Pubkey::new_from_array([0xEE; 32]),
    }
}

/// `instruction` with every account `from` replaced by `to`: how the tests pass an account that
/// is not the one the instruction expects.
pub fn with_account(mut instruction: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    let mut replaced = false;
    for meta in instruction
        .accounts
        .iter_mut()
        .filter(|m| m.pubkey == *from)
    {
        meta.pubkey = *to;
        replaced = true;
    }
    assert!(replaced, "the instruction has {from} among its accounts");
    instruction
}

/// Staking's program-derived addresses and those of iotoken and the registry it reads (shared
/// with the other suites), and a slashing program's signer.
pub mod pda {
    pub use iogrid_program_tests::pda::{
        iotoken::{config as token_config, io_mint, price_feed, schedule},
        registry::{config as registry_config, device},
        staking::*,
    };

    use super::*;

    /// The `["slasher"]` PDA of a slashing program, derived under that program's id.
    pub fn slasher(program: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(&[b"slasher"], program).0
    }
}

/// Which target accounts `execute_proposal` is given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Targets {
    /// iotoken's program and config.
    pub iotoken: bool,
    /// `iotoken_target`: the iotoken account the change acts on besides the config.
    pub iotoken_target: Option<Pubkey>,
    /// The registry's program and config.
    pub registry: bool,
}

impl Targets {
    pub const NONE: Targets = Targets {
        iotoken: false,
        iotoken_target: None,
        registry: false,
    };

    /// Exactly the accounts `change` needs.
    pub fn of(change: &ParameterChange) -> Self {
        let iotoken_with = |target: Pubkey| Targets {
            iotoken: true,
            iotoken_target: Some(target),
            ..Self::NONE
        };
        match change {
            ParameterChange::Fees { .. }
            | ParameterChange::OracleUpdaters { .. }
            | ParameterChange::TokenParams { .. }
            | ParameterChange::PoolDistributor { .. } => Targets {
                iotoken: true,
                ..Self::NONE
            },
            ParameterChange::LowerEmissionRow { .. } => iotoken_with(pda::schedule()),
            ParameterChange::ResumePriceFeed => iotoken_with(pda::price_feed()),
            ParameterChange::KeeperBond { .. }
            | ParameterChange::RegistryMarket { .. }
            | ParameterChange::RegistryAvailability { .. } => Targets {
                registry: true,
                ..Self::NONE
            },
            _ => Self::NONE,
        }
    }
}

/// Instructions of staking and of the two programs it sits beside, built with Anchor's generated
/// client types.
pub mod ix {
    pub use iogrid_program_tests::ix::{
        iotoken::{
            append_rows as append_schedule_rows, initialize as iotoken_initialize,
            set_price_halted, update_config as iotoken_update_config,
        },
        registry::{
            deregister_device, initialize_config as registry_initialize, pause_device,
            register_device, rig, update_config as registry_update_config,
        },
        staking::*,
    };

    use {
        super::*,
        staking::{accounts, instruction},
    };

    fn update_config_accounts(authority: &Pubkey) -> accounts::UpdateConfig {
        accounts::UpdateConfig {
            authority: *authority,
            config: pda::config(),
        }
    }

    pub fn update_config(authority: &Pubkey, change: ParameterChange) -> Instruction {
        staking_ix(
            instruction::UpdateConfig { change },
            update_config_accounts(authority),
        )
    }

    pub fn set_authority(authority: &Pubkey, new_authority: &Pubkey) -> Instruction {
        staking_ix(
            instruction::SetAuthority {
                new_authority: *new_authority,
            },
            update_config_accounts(authority),
        )
    }

    pub fn set_pool_terms(
        operator: &Pubkey,
        pool: &Pubkey,
        staker_share_bps: u16,
        costaking_open: bool,
    ) -> Instruction {
        staking_ix(
            instruction::SetPoolTerms {
                staker_share_bps,
                costaking_open,
            },
            accounts::SetPoolTerms {
                operator: *operator,
                token_config: pda::token_config(),
                pool: *pool,
            },
        )
    }

    fn change_position(owner: &Pubkey, pool: &Pubkey) -> accounts::ChangePosition {
        accounts::ChangePosition {
            owner: *owner,
            config: pda::config(),
            pool: *pool,
            position: pda::position(pool, owner),
        }
    }

    pub fn lock(owner: &Pubkey, pool: &Pubkey, duration_secs: i64) -> Instruction {
        staking_ix(
            instruction::Lock { duration_secs },
            change_position(owner, pool),
        )
    }

    pub fn unstake(owner: &Pubkey, pool: &Pubkey, amount: u64) -> Instruction {
        staking_ix(
            instruction::Unstake { amount },
            change_position(owner, pool),
        )
    }

    pub fn withdraw(owner: &Pubkey, pool: &Pubkey, token_account: &Pubkey) -> Instruction {
        staking_ix(
            instruction::Withdraw {},
            position_transfer(owner, pool, token_account),
        )
    }

    pub fn close_position(owner: &Pubkey, pool: &Pubkey) -> Instruction {
        staking_ix(
            instruction::ClosePosition {},
            accounts::ClosePosition {
                owner: *owner,
                pool: *pool,
                position: pda::position(pool, owner),
            },
        )
    }

    pub fn deposit_rewards(
        depositor: &Pubkey,
        pool: &Pubkey,
        source: &Pubkey,
        amount: u64,
    ) -> Instruction {
        staking_ix(
            instruction::DepositRewards { amount },
            accounts::DepositRewards {
                depositor: *depositor,
                config: pda::config(),
                pool: *pool,
                vault: pda::vault(pool),
                source: *source,
                token_program: spl_token::ID,
            },
        )
    }

    /// `slash` signed directly by `slasher` (a key or, inside a CPI, a PDA).
    pub fn slash(
        slasher: &Pubkey,
        pool: &Pubkey,
        destination: &Pubkey,
        args: SlashArgs,
    ) -> Instruction {
        staking_ix(
            instruction::Slash { args },
            accounts::Slash {
                slasher: *slasher,
                config: pda::config(),
                pool: *pool,
                vault: pda::vault(pool),
                destination: *destination,
                token_program: spl_token::ID,
            },
        )
    }

    /// The test slashing program at `program` forwarding a `slash` to staking, signed by its
    /// `["slasher"]` PDA.
    pub fn slash_through(
        program: &Pubkey,
        pool: &Pubkey,
        destination: &Pubkey,
        args: SlashArgs,
    ) -> Instruction {
        let mut instruction = slash(&pda::slasher(program), pool, destination, args);
        instruction.accounts[0].is_signer = false;
        instruction
            .accounts
            .push(AccountMeta::new_readonly(staking::ID, false));
        instruction.program_id = *program;
        instruction
    }

    /// `create_proposal` as proposal `id`, from the proposer's position in `pool`.
    pub fn create_proposal(
        proposer: &Pubkey,
        pool: &Pubkey,
        id: u64,
        title: &str,
        change: ParameterChange,
        with_schedule: bool,
    ) -> Instruction {
        staking_ix(
            instruction::CreateProposal {
                title: title.to_string(),
                change,
            },
            accounts::CreateProposal {
                proposer: *proposer,
                config: pda::config(),
                pool: *pool,
                position: pda::position(pool, proposer),
                proposal: pda::proposal(id),
                schedule: with_schedule.then(pda::schedule),
                system_program: system_program::ID,
            },
        )
    }

    pub fn cast_vote(voter: &Pubkey, pool: &Pubkey, id: u64, side: VoteSide) -> Instruction {
        let proposal = pda::proposal(id);
        let position = pda::position(pool, voter);
        staking_ix(
            instruction::CastVote { side },
            accounts::CastVote {
                voter: *voter,
                proposal,
                pool: *pool,
                position,
                vote_record: pda::vote(&proposal, &position),
                system_program: system_program::ID,
            },
        )
    }

    pub fn finalize_proposal(id: u64) -> Instruction {
        staking_ix(
            instruction::FinalizeProposal {},
            accounts::FinalizeProposal {
                proposal: pda::proposal(id),
            },
        )
    }

    pub fn execute_proposal(executor: &Pubkey, id: u64, targets: Targets) -> Instruction {
        let iotoken = targets.iotoken;
        let registry = targets.registry;
        staking_ix(
            instruction::ExecuteProposal {},
            accounts::ExecuteProposal {
                executor: *executor,
                proposal: pda::proposal(id),
                config: pda::config(),
                governance: pda::governance(),
                iotoken_program: iotoken.then_some(iotoken::ID),
                iotoken_config: iotoken.then(pda::token_config),
                iotoken_target: targets.iotoken_target,
                registry_program: registry.then_some(registry::ID),
                registry_config: registry.then(pda::registry_config),
            },
        )
    }
}

iogrid_program_tests::test_chain!(Chain);
