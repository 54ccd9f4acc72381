//! The grid the market and availability suites run on: iotoken emitting from `ORIGIN` (its
//! availability and keepers pools paid out by the registry), the registry's config (keeper bond
//! in IO) and, with `Grid::new`, its rewards (which fix its epochs to iotoken's), and staking
//! initialised; devices registered with their pools opened and staked, co-stakers, bonded
//! keepers and their failure reports, and the clock's slot and SlotHashes kept as a validator
//! keeps them. Every transaction sent here carries one instruction, paid by its first signer.

use {
    crate::{
        iotoken_defaults::iotoken_args,
        ix, pda, put_token_account, send,
        setup::{programs_svm, HOUR, ORIGIN},
        succeeded, TestChain,
    },
    anchor_lang::{
        prelude::{Clock, Pubkey},
        solana_program::{
            hash::{hash, Hash},
            instruction::{AccountMeta, Instruction},
            sysvar::slot_hashes::SlotHashes,
        },
    },
    iotoken::{math::IO, state::EpochRecord, EmissionRow},
    litesvm::{types::TransactionResult, LiteSVM},
    registry::{
        state::{AvailabilityEpoch, AvailabilityParams, Device, Keeper, RegistryConfig},
        UpdateConfigArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
    staking::{
        state::{GovernanceParams, GpuClass, SlashParams, StakeParams, StakePool},
        InitializeArgs,
    },
};

/// The unix time every chain starts at: ten minutes into epoch 0.
pub const NOW: i64 = ORIGIN + 600;
/// The slot every chain starts at; each epoch moves it on by `SLOTS_PER_EPOCH`.
pub const FIRST_SLOT: u64 = 100_000;
pub const SLOTS_PER_EPOCH: u64 = 9_000;

/// The test schedule: `RATE` IO base units per epoch for `EMITTING_EPOCHS` epochs, then nothing.
/// An odd figure, so every split rounds.
pub const RATE: u64 = 123_456_789_012;
pub const EMITTING_EPOCHS: u64 = 48;

/// The registry's keeper bond (in IO) and cooldown.
pub const KEEPER_BOND: u64 = 1_000 * IO;
pub const KEEPER_COOLDOWN: i64 = 7 * 86_400;
/// Staking's minimum stake base: a device needs `base x max(1, class) x GPUs`.
pub const MIN_STAKE_BASE: u64 = 100 * IO;
/// The stakers' share pools offer here (iotoken allows 1-3%).
pub const STAKER_SHARE_BPS: u16 = 250;
/// IO each operator's and co-staker's wallet starts with.
pub const WALLET_IO: u64 = 100_000 * IO;

/// The availability rules the grid runs under: the program's defaults, except that one pass
/// attests a device (`passes_required` 1; the k-of-n tests raise it) and every keeper the grid
/// bonds is on every device's committee (16 keepers of equal bond, all drawn: `16 x bond / total
/// >= 1`), so tests choose who attests. Reports open ten minutes into an epoch.
pub fn grid_rules() -> AvailabilityParams {
    AvailabilityParams {
        failure_quorum: 3,
        max_probe_age_slots: 150,
        committee_size: 16,
        passes_required: 1,
        report_after_secs: 600,
        false_report_penalty_bps: 10,
    }
}

/// Keepers `Grid::new` bonds before the registry's rewards begin, so they weigh from epoch 0;
/// `Grid::keeper` hands them out first.
pub const EARLY_KEEPERS: usize = 6;

/// What `ix::registry::rig` asks per GPU-hour: 2.50 USD.
pub const DEFAULT_PRICE_PER_GPU_HOUR: u64 = 2_500_000;

/// GPU models of the test classes and their multipliers (hundredths).
pub const H100: &str = "NVIDIA H100 80GB HBM3";
pub const H100_CENTI: u64 = 400;
pub const RTX_4090: &str = "GeForce RTX 4090";
pub const RTX_4090_CENTI: u64 = 150;
/// A model of no class: multiplier 1.00.
pub const MI300X: &str = "AMD Instinct MI300X";

pub fn emission_rows() -> Vec<EmissionRow> {
    vec![
        EmissionRow {
            start_time: ORIGIN,
            emission_per_epoch: RATE,
        },
        EmissionRow {
            start_time: ORIGIN + EMITTING_EPOCHS as i64 * HOUR,
            emission_per_epoch: 0,
        },
    ]
}

/// Staking's test configuration: a minimum stake base of `MIN_STAKE_BASE`, 10% slashable per day,
/// the H100 and RTX 4090 classes, and no slasher programs.
pub fn staking_args() -> InitializeArgs {
    let class = |pattern: &str, multiplier_centi: u64| GpuClass {
        pattern: pattern.to_string(),
        multiplier_centi: multiplier_centi as u16,
    };
    InitializeArgs {
        stake: StakeParams {
            min_stake_base: MIN_STAKE_BASE,
            unstake_cooldown_secs: 14 * 86_400,
        },
        slashing: SlashParams {
            max_slash_bps: 1_000,
            window_secs: 86_400,
        },
        governance: GovernanceParams {
            voting_period_secs: 3 * 86_400,
            timelock_secs: 2 * 86_400,
            execution_window_secs: 7 * 86_400,
            quorum_weight: 1_000 * IO,
            pass_threshold_bps: 5_000,
            proposal_min_stake: 100 * IO,
        },
        gpu_classes: vec![class("H100", H100_CENTI), class("RTX 4090", RTX_4090_CENTI)],
        slasher_programs: vec![],
    }
}

/// Reputation in basis points, written out from the registry's formula:
/// `10_000 x (passes + 2 x completed) / (passes + 2 x completed + 8 x failures + 24)`.
pub fn reputation(passes: u32, failures: u32, completed: u32) -> u16 {
    let good = passes as u64 + 2 * completed as u64;
    (10_000 * good / (good + 8 * failures as u64 + 24)) as u16
}

/// The hash the test chain gives `slot` in SlotHashes.
pub fn slot_hash(slot: u64) -> Hash {
    hash(format!("iogrid test slot {slot}").as_bytes())
}

/// A registered device, its owner (also its pool's operator) and the agent key that signs its
/// probes. `owner_io` is the owner's IO wallet (`WALLET_IO` to start with).
pub struct TestDevice {
    pub device_id: String,
    pub key: Pubkey,
    pub owner: Keypair,
    pub agent: Keypair,
    pub owner_io: Pubkey,
    /// GPU class multiplier (hundredths) x GPU count: what it earns with once qualified.
    pub weight: u64,
    /// `MIN_STAKE_BASE x max(1, class) x GPUs`.
    pub minimum_stake: u64,
}

impl TestDevice {
    /// Its staking pool's address (`["pool", device, owner]` under staking), opened or not.
    pub fn pool(&self) -> Pubkey {
        pda::staking::pool(&self.key, &self.owner.pubkey())
    }
}

/// A bonded keeper: its authority and an empty IO account for its tips.
pub struct TestKeeper {
    pub authority: Keypair,
    pub key: Pubkey,
    pub tips: Pubkey,
}

/// A co-staker of a device's pool.
pub struct Staker {
    pub owner: Keypair,
    pub io: Pubkey,
}

/// A chain with the programs loaded, its clock at `NOW` and `FIRST_SLOT`; `authority` holds the
/// configs of iotoken, the registry and staking; `cranker` closes iotoken's epochs (tips to
/// `cranker_io`) and the registry's; `price_updater` may publish iotoken's IO price.
pub struct Grid {
    pub svm: LiteSVM,
    pub authority: Keypair,
    pub cranker: Keypair,
    pub cranker_io: Pubkey,
    pub price_updater: Keypair,
    devices: u32,
    /// Keepers bonded before rewards began, not yet handed out by `keeper`.
    early_keepers: Vec<TestKeeper>,
}

impl Grid {
    /// iotoken emitting (pools, genesis, the test schedule sealed at `NOW`), the registry's
    /// availability and keepers pools distributed by the registry, the registry's config (keeper
    /// bond in IO) and staking initialised; the registry's rewards not yet initialised.
    pub fn without_rewards() -> Self {
        let mut chain = Grid {
            svm: programs_svm(),
            authority: Keypair::new(),
            cranker: Keypair::new(),
            cranker_io: Pubkey::default(),
            price_updater: Keypair::new(),
            devices: 0,
            early_keepers: Vec::new(),
        };
        chain.set_time(NOW);
        chain.set_slot(FIRST_SLOT);
        let authority = chain.authority.pubkey();
        let cranker = chain.cranker.pubkey();
        chain.fund(&authority);
        chain.fund(&cranker);

        succeeded(chain.send_as_authority(ix::iotoken::initialize(
            &authority,
            iotoken_args(vec![chain.price_updater.pubkey()]),
        )));
        succeeded(chain.send_as_authority(ix::iotoken::initialize_pools(&authority)));
        let genesis = [(); 5].map(|_| chain.io_account(&authority, 0));
        succeeded(chain.send_as_authority(ix::iotoken::mint_genesis(&authority, genesis)));
        succeeded(chain.send_as_authority(ix::iotoken::append_rows(&authority, emission_rows())));
        succeeded(chain.send_as_authority(ix::iotoken::seal_schedule(&authority)));
        for pool in [0, 3] {
            let distribute = ix::iotoken::set_pool_distributor(&authority, pool, &registry::ID);
            succeeded(chain.send_as_authority(distribute));
        }
        chain.cranker_io = chain.io_account(&cranker, 0);

        let initialize = ix::registry::initialize_config(
            &authority,
            &pda::iotoken::io_mint(),
            KEEPER_BOND,
            KEEPER_COOLDOWN,
        );
        succeeded(chain.send_as_authority(initialize));
        let rules = UpdateConfigArgs {
            new_authority: None,
            keeper_bond_amount: None,
            keeper_unbond_cooldown_secs: None,
            market_program: None,
            availability: Some(grid_rules()),
        };
        succeeded(chain.send_as_authority(ix::registry::update_config(&authority, None, rules)));
        succeeded(chain.send_as_authority(ix::staking::initialize(&authority, staking_args())));
        chain
    }

    /// `without_rewards` with `EARLY_KEEPERS` keepers bonded, then the registry's
    /// `initialize_rewards`.
    // Not `Default`: building a grid sends transactions.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let mut chain = Self::without_rewards();
        chain.early_keepers = (0..EARLY_KEEPERS).map(|_| chain.bond_keeper()).collect();
        let authority = chain.authority.pubkey();
        succeeded(chain.send_as_authority(ix::registry::initialize_rewards(&authority)));
        chain
    }

    /// Sends `instruction` signed and paid for by the config authority.
    #[allow(clippy::result_large_err)] // LiteSVM's own result type
    pub fn send_as_authority(&mut self, instruction: Instruction) -> TransactionResult {
        send(&mut self.svm, instruction, &[&self.authority])
    }

    // Accounts.

    pub fn registry_config(&self) -> RegistryConfig {
        self.program_account(&registry::ID, &pda::registry::config())
    }

    pub fn device_state(&self, device: &TestDevice) -> Device {
        self.program_account(&registry::ID, &device.key)
    }

    pub fn keeper_state(&self, keeper: &TestKeeper) -> Keeper {
        self.program_account(&registry::ID, &keeper.key)
    }

    pub fn availability_epoch(&self, epoch: u64) -> AvailabilityEpoch {
        self.program_account(&registry::ID, &pda::registry::availability_epoch(epoch))
    }

    pub fn iotoken_epoch(&self, epoch: u64) -> EpochRecord {
        self.program_account(&iotoken::ID, &pda::iotoken::epoch(epoch))
    }

    pub fn stake_pool(&self, device: &TestDevice) -> StakePool {
        self.program_account(&staking::ID, &device.pool())
    }

    /// iotoken's availability and keepers pool vaults.
    pub fn iotoken_pools(&self) -> (u64, u64) {
        (
            self.token_balance(&pda::iotoken::pool(0)),
            self.token_balance(&pda::iotoken::pool(3)),
        )
    }

    /// The registry's availability and keeper tips vaults.
    pub fn vaults(&self) -> (u64, u64) {
        (
            self.token_balance(&pda::registry::availability_vault()),
            self.token_balance(&pda::registry::keeper_tips_vault()),
        )
    }

    /// An IO account of `owner` holding `amount` (the mint's supply is left as is).
    pub fn io_account(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        put_token_account(&mut self.svm, &pda::iotoken::io_mint(), owner, amount)
    }

    /// An empty token account of a mint that is not IO, owned by `owner`.
    pub fn foreign_token_account(&mut self, owner: &Pubkey) -> Pubkey {
        put_token_account(&mut self.svm, &Pubkey::new_unique(), owner, 0)
    }

    // Time, slots and epochs.

    pub fn slot(&self) -> u64 {
        self.svm.get_sysvar::<Clock>().slot
    }

    /// Moves the clock to `slot` and gives SlotHashes the 512 slots up to it (newest first).
    pub fn set_slot(&mut self, slot: u64) {
        self.set_slot_skipping(slot, &[]);
    }

    /// `set_slot`, with `skipped` slots missing from SlotHashes (no block was produced in them).
    pub fn set_slot_skipping(&mut self, slot: u64, skipped: &[u64]) {
        let mut clock = self.svm.get_sysvar::<Clock>();
        clock.slot = slot;
        self.svm.set_sysvar(&clock);
        let entries: Vec<(u64, Hash)> = (slot.saturating_sub(511)..=slot)
            .rev()
            .filter(|s| !skipped.contains(s))
            .map(|s| (s, slot_hash(s)))
            .collect();
        self.svm.set_sysvar(&SlotHashes::new(&entries));
    }

    /// The epoch running now.
    pub fn epoch(&self) -> u64 {
        ((self.now() - ORIGIN) / HOUR) as u64
    }

    /// Moves the clock five minutes into `epoch` (never back) and the slot on with it.
    pub fn enter_epoch(&mut self, epoch: u64) {
        let current = self.epoch();
        assert!(epoch > current, "epoch {epoch} is ahead of {current}");
        self.set_time(ORIGIN + epoch as i64 * HOUR + 300);
        let slot = self.slot() + (epoch - current) * SLOTS_PER_EPOCH;
        self.set_slot(slot);
    }

    pub fn next_epoch(&mut self) {
        self.enter_epoch(self.epoch() + 1);
    }

    /// iotoken closes every ended epoch it has not closed yet.
    pub fn end_iotoken_epochs(&mut self) {
        let next = self.iotoken_next_epoch();
        let ended = self.epoch();
        for start in (next..ended).step_by(12) {
            let records: Vec<AccountMeta> = (start..ended.min(start + 12))
                .map(|epoch| AccountMeta::new(pda::iotoken::epoch(epoch), false))
                .collect();
            let cranker = self.cranker.insecure_clone();
            let instruction = ix::iotoken::end_epoch(&cranker.pubkey(), &self.cranker_io, &records);
            succeeded(self.send(instruction, &[&cranker]));
        }
    }

    pub fn iotoken_next_epoch(&self) -> u64 {
        let ledger: iotoken::state::EmissionLedger =
            self.program_account(&iotoken::ID, &pda::iotoken::ledger());
        ledger.next_epoch
    }

    /// Registers a device with a new id, `gpu_count` GPUs of `gpu_model` and a new agent key,
    /// for a new funded owner holding `WALLET_IO`.
    pub fn register_device(&mut self, gpu_model: &str, gpu_count: u16) -> TestDevice {
        self.register_priced_device(gpu_model, gpu_count, DEFAULT_PRICE_PER_GPU_HOUR)
    }

    /// `register_device`, asking `price_per_gpu_hour` (IOSD base units).
    pub fn register_priced_device(
        &mut self,
        gpu_model: &str,
        gpu_count: u16,
        price_per_gpu_hour: u64,
    ) -> TestDevice {
        self.devices += 1;
        let owner = self.funded_keypair();
        let agent = Keypair::new();
        let device_id = format!("device-{}", self.devices);
        let mut args = ix::registry::rig(&device_id, gpu_model, gpu_count);
        args.price_per_gpu_hour = price_per_gpu_hour;
        succeeded(self.send(
            ix::registry::register_device(&owner.pubkey(), &agent.pubkey(), args),
            &[&owner, &agent],
        ));
        let centi = if gpu_model.contains("H100") {
            H100_CENTI
        } else if gpu_model.contains("RTX 4090") {
            RTX_4090_CENTI
        } else {
            100
        };
        let owner_io = self.io_account(&owner.pubkey(), WALLET_IO);
        TestDevice {
            key: pda::registry::device(&device_id),
            device_id,
            owner,
            agent,
            owner_io,
            weight: centi * gpu_count as u64,
            minimum_stake: MIN_STAKE_BASE * centi.max(100) * gpu_count as u64 / 100,
        }
    }

    /// Opens the device's pool (offering `STAKER_SHARE_BPS`, open to co-stake).
    pub fn open_pool(&mut self, device: &TestDevice) {
        let operator = device.owner.pubkey();
        let instruction = ix::staking::open_pool(&operator, &device.key, STAKER_SHARE_BPS, true);
        succeeded(self.send(instruction, &[&device.owner]));
    }

    /// The operator stakes `amount` of its own IO in the device's (open) pool.
    pub fn stake_self(&mut self, device: &TestDevice, amount: u64) {
        let operator = device.owner.pubkey();
        let instruction =
            ix::staking::stake_self(&operator, &device.pool(), &device.owner_io, amount);
        succeeded(self.send(instruction, &[&device.owner]));
    }

    /// A registered device with its pool open and its minimum stake self-staked.
    pub fn staked_device(&mut self, gpu_model: &str, gpu_count: u16) -> TestDevice {
        let device = self.register_device(gpu_model, gpu_count);
        self.open_pool(&device);
        self.stake_self(&device, device.minimum_stake);
        device
    }

    /// A new co-staker who stakes `amount` in the device's pool.
    pub fn co_stake(&mut self, device: &TestDevice, amount: u64) -> Staker {
        let owner = self.funded_keypair();
        let io = self.io_account(&owner.pubkey(), amount);
        let pool = device.pool();
        succeeded(self.send(
            ix::staking::open_position(&owner.pubkey(), &pool),
            &[&owner],
        ));
        succeeded(self.send(
            ix::staking::stake(&owner.pubkey(), &pool, &io, amount),
            &[&owner],
        ));
        Staker { owner, io }
    }

    /// A keeper bonded with `KEEPER_BOND` of IO: one bonded before rewards began (weighing from
    /// epoch 0) while any is left, else a new one, which weighs from the next epoch on.
    pub fn keeper(&mut self) -> TestKeeper {
        match self.early_keepers.pop() {
            Some(keeper) => keeper,
            None => self.bond_keeper(),
        }
    }

    /// A new keeper, bonded now with `KEEPER_BOND` of IO.
    pub fn bond_keeper(&mut self) -> TestKeeper {
        let authority = self.funded_keypair();
        self.bond_keeper_as(authority)
    }

    /// `authority` (funded) registers as a keeper now, bonded with `KEEPER_BOND` of IO.
    pub fn bond_keeper_as(&mut self, authority: Keypair) -> TestKeeper {
        let source = self.io_account(&authority.pubkey(), KEEPER_BOND);
        let instruction = ix::registry::register_keeper(
            &authority.pubkey(),
            &pda::iotoken::io_mint(),
            &source,
            KEEPER_BOND,
        );
        succeeded(self.send(instruction, &[&authority]));
        let tips = self.io_account(&authority.pubkey(), 0);
        TestKeeper {
            key: pda::registry::keeper(&authority.pubkey()),
            authority,
            tips,
        }
    }

    /// The running epoch's availability record, opened by the cranker if it is not yet, with
    /// its seed fixed (the slot moved past the seed slot).
    pub fn open_epoch(&mut self) {
        let epoch = self.epoch();
        if self.exists(&pda::registry::availability_epoch(epoch)) {
            return;
        }
        let cranker = self.cranker.insecure_clone();
        let open = ix::registry::open_availability_epoch(&cranker.pubkey(), epoch);
        succeeded(self.send(open, &[&cranker]));
        self.set_slot(self.slot() + 5);
        let fix = ix::registry::open_availability_epoch(&cranker.pubkey(), epoch);
        succeeded(self.send(fix, &[&cranker]));
    }

    /// Moves the clock to the opening of the running epoch's report window (never back).
    pub fn open_report_window(&mut self) {
        let opens = ORIGIN
            + self.epoch() as i64 * HOUR
            + i64::from(self.registry_config().availability.report_after_secs);
        if self.now() < opens {
            self.set_time(opens);
        }
    }

    /// `keeper` reports `device` down in the running epoch, once reports count: the epoch is
    /// opened first if it is not yet, and the clock moved to the report window if it is earlier
    /// (the tests of the window itself send `ix::registry::report_failure`).
    #[allow(clippy::result_large_err)]
    pub fn report_failure(
        &mut self,
        keeper: &TestKeeper,
        device: &TestDevice,
    ) -> TransactionResult {
        self.open_epoch();
        self.open_report_window();
        let instruction =
            ix::registry::report_failure(&keeper.authority.pubkey(), &device.key, self.epoch());
        self.send(instruction, &[&keeper.authority])
    }
}

crate::test_chain!(Grid);
