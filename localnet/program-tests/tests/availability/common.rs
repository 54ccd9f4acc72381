//! Harness shared by the availability tests: a LiteSVM chain running iotoken, the registry and
//! staking natively (SPL Token is the real SBF program LiteSVM ships, the Ed25519 program the
//! runtime's own precompile), with iotoken emitting from `ORIGIN`, its availability and keepers
//! pools paid out by the registry, staking initialised and the registry's rewards linked to
//! iotoken; devices with agent keys that sign probes, keepers bonded in IO, and the clock's slot
//! and SlotHashes kept as a validator keeps them.
//!
//! An attestation is two instructions in one transaction: the Ed25519 signature check of the
//! agents' probes (`ed25519_instruction`), then `attest_availability`. Every other transaction
//! carries exactly one instruction.
//!
//! Chains come in two stages: `without_rewards` (everything but the registry's
//! `initialize_rewards`) and `new`.

pub use iogrid_program_tests::{
    assert_fails, assert_fails_at, assert_instruction_error, events_of, only_event, only_event_of,
    setup::{HOUR, ORIGIN, STARTING_LAMPORTS},
    succeeded, transaction_of, wire_size, TestChain,
};
use iogrid_program_tests::{
    iotoken_defaults::iotoken_args, put_token_account, send, setup::programs_svm,
};

use {
    anchor_lang::{
        prelude::{Clock, Pubkey},
        solana_program::{
            ed25519_program,
            hash::{hash, Hash},
            instruction::{AccountMeta, Instruction},
            sysvar::{self, slot_hashes::SlotHashes},
        },
        system_program,
    },
    iotoken::{math::IO, state::EpochRecord, EmissionRow},
    litesvm::{types::TransactionResult, LiteSVM},
    registry::{
        probe::{probe_challenge, ProbeMessage},
        state::{AvailabilityEpoch, Device, Keeper, RegistryConfig},
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

fn staking_args() -> InitializeArgs {
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
        pda::stake_pool(&self.key, &self.owner.pubkey())
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

/// One probe an agent signed: the key the Ed25519 program checks, the signature and the bytes.
#[derive(Clone)]
pub struct SignedProbe {
    pub public_key: Pubkey,
    pub signature: [u8; 64],
    pub message: Vec<u8>,
}

impl SignedProbe {
    /// `message` signed by `signer`.
    pub fn sign(signer: &Keypair, message: Vec<u8>) -> Self {
        let signature = signer.sign_message(&message);
        SignedProbe {
            public_key: signer.pubkey(),
            signature: signature.as_ref().try_into().expect("64 bytes"),
            message,
        }
    }
}

/// An Ed25519 program instruction checking every signature in `signed`, each entry pointing
/// into the instruction's own data (instruction index `u16::MAX`), as the registry requires:
/// `[count, 0]`, `count` entries of seven u16 (signature offset and instruction index, public
/// key offset and index, message offset, size and index), then each public key, signature and
/// message.
pub fn ed25519_instruction(signed: &[SignedProbe]) -> Instruction {
    const THIS_INSTRUCTION: u16 = u16::MAX;
    let mut data = vec![signed.len() as u8, 0];
    let mut at = 2 + 14 * signed.len();
    let mut payload = Vec::new();
    for probe in signed {
        let key_offset = at;
        let signature_offset = key_offset + 32;
        let message_offset = signature_offset + 64;
        at = message_offset + probe.message.len();
        for field in [
            signature_offset as u16,
            THIS_INSTRUCTION,
            key_offset as u16,
            THIS_INSTRUCTION,
            message_offset as u16,
            probe.message.len() as u16,
            THIS_INSTRUCTION,
        ] {
            data.extend_from_slice(&field.to_le_bytes());
        }
        payload.extend_from_slice(probe.public_key.as_ref());
        payload.extend_from_slice(&probe.signature);
        payload.extend_from_slice(&probe.message);
    }
    data.extend_from_slice(&payload);
    Instruction {
        program_id: ed25519_program::ID,
        accounts: vec![],
        data,
    }
}

/// A chain with the three programs loaded, its clock at `NOW` and `FIRST_SLOT`; `authority`
/// holds the configs of all three; `cranker` closes iotoken's epochs (tips to `cranker_io`) and
/// the registry's.
pub struct Chain {
    pub svm: LiteSVM,
    pub authority: Keypair,
    pub cranker: Keypair,
    pub cranker_io: Pubkey,
    devices: u32,
}

impl Chain {
    /// iotoken emitting (pools, genesis, the test schedule sealed at `NOW`), the registry's
    /// availability and keepers pools distributed by the registry, the registry's config (keeper
    /// bond in IO) and staking initialised; the registry's rewards not yet initialised.
    pub fn without_rewards() -> Self {
        let mut chain = Chain {
            svm: programs_svm(),
            authority: Keypair::new(),
            cranker: Keypair::new(),
            cranker_io: Pubkey::default(),
            devices: 0,
        };
        chain.set_time(NOW);
        chain.set_slot(FIRST_SLOT);
        let authority = chain.authority.pubkey();
        let cranker = chain.cranker.pubkey();
        chain.fund(&authority);
        chain.fund(&cranker);

        succeeded(chain.send_as_authority(ix::iotoken_initialize(
            &authority,
            iotoken_args(vec![Pubkey::new_unique()]),
        )));
        succeeded(chain.send_as_authority(ix::initialize_pools(&authority)));
        let genesis = [(); 5].map(|_| chain.io_account(&authority, 0));
        succeeded(chain.send_as_authority(ix::mint_genesis(&authority, genesis)));
        succeeded(chain.send_as_authority(ix::append_rows(&authority, emission_rows())));
        succeeded(chain.send_as_authority(ix::seal_schedule(&authority)));
        for pool in [0, 3] {
            let distribute = ix::set_pool_distributor(&authority, pool, &registry::ID);
            succeeded(chain.send_as_authority(distribute));
        }
        chain.cranker_io = chain.io_account(&cranker, 0);

        let initialize =
            ix::registry_initialize(&authority, &pda::io_mint(), KEEPER_BOND, KEEPER_COOLDOWN);
        succeeded(chain.send_as_authority(initialize));
        succeeded(chain.send_as_authority(ix::staking_initialize(&authority, staking_args())));
        chain
    }

    /// `without_rewards`, then the registry's `initialize_rewards`.
    pub fn new() -> Self {
        let mut chain = Self::without_rewards();
        let authority = chain.authority.pubkey();
        succeeded(chain.send_as_authority(ix::initialize_rewards(&authority)));
        chain
    }

    /// Sends `instruction` signed and paid for by the config authority.
    pub fn send_as_authority(&mut self, instruction: Instruction) -> TransactionResult {
        send(&mut self.svm, instruction, &[&self.authority])
    }

    // Accounts.

    pub fn registry_config(&self) -> RegistryConfig {
        self.program_account(&registry::ID, &pda::registry_config())
    }

    pub fn device_state(&self, device: &TestDevice) -> Device {
        self.program_account(&registry::ID, &device.key)
    }

    pub fn keeper_state(&self, keeper: &TestKeeper) -> Keeper {
        self.program_account(&registry::ID, &keeper.key)
    }

    pub fn availability_epoch(&self, epoch: u64) -> AvailabilityEpoch {
        self.program_account(&registry::ID, &pda::availability_epoch(epoch))
    }

    pub fn iotoken_epoch(&self, epoch: u64) -> EpochRecord {
        self.program_account(&iotoken::ID, &pda::iotoken_epoch(epoch))
    }

    pub fn stake_pool(&self, device: &TestDevice) -> StakePool {
        self.program_account(&staking::ID, &device.pool())
    }

    /// iotoken's availability and keepers pool vaults.
    pub fn iotoken_pools(&self) -> (u64, u64) {
        (
            self.token_balance(&pda::iotoken_pool(0)),
            self.token_balance(&pda::iotoken_pool(3)),
        )
    }

    /// The registry's availability and keeper tips vaults.
    pub fn vaults(&self) -> (u64, u64) {
        (
            self.token_balance(&pda::availability_vault()),
            self.token_balance(&pda::keeper_tips_vault()),
        )
    }

    /// An IO account of `owner` holding `amount` (the mint's supply is left as is).
    pub fn io_account(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        put_token_account(&mut self.svm, &pda::io_mint(), owner, amount)
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
                .map(|epoch| AccountMeta::new(pda::iotoken_epoch(epoch), false))
                .collect();
            let cranker = self.cranker.insecure_clone();
            let instruction = ix::end_epoch(&cranker.pubkey(), &self.cranker_io, &records);
            succeeded(self.send(instruction, &[&cranker]));
        }
    }

    pub fn iotoken_next_epoch(&self) -> u64 {
        let ledger: iotoken::state::EmissionLedger =
            self.program_account(&iotoken::ID, &pda::ledger());
        ledger.next_epoch
    }

    /// The registry closes `epoch`'s availability record, cranked by `cranker`.
    pub fn close_epoch(&mut self, epoch: u64) -> TransactionResult {
        let cranker = self.cranker.insecure_clone();
        self.send(
            ix::close_availability_epoch(&cranker.pubkey(), epoch),
            &[&cranker],
        )
    }

    /// iotoken's crank and then the registry's close of every ended epoch in `epochs` (all of
    /// which must have an availability record).
    pub fn close_epochs(&mut self, epochs: &[u64]) {
        self.end_iotoken_epochs();
        for epoch in epochs {
            succeeded(self.close_epoch(*epoch));
        }
    }

    // Devices, pools and keepers.

    /// Registers a device with a new id, `gpu_count` GPUs of `gpu_model` and a new agent key,
    /// for a new funded owner holding `WALLET_IO`.
    pub fn register_device(&mut self, gpu_model: &str, gpu_count: u16) -> TestDevice {
        self.devices += 1;
        let owner = self.funded_keypair();
        let agent = Keypair::new();
        let device_id = format!("device-{}", self.devices);
        let args = ix::rig(&device_id, gpu_model, gpu_count, &agent.pubkey());
        succeeded(self.send(ix::register_device(&owner.pubkey(), args), &[&owner]));
        let centi = if gpu_model.contains("H100") {
            H100_CENTI
        } else if gpu_model.contains("RTX 4090") {
            RTX_4090_CENTI
        } else {
            100
        };
        let owner_io = self.io_account(&owner.pubkey(), WALLET_IO);
        TestDevice {
            key: pda::device(&device_id),
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
        let instruction = ix::open_pool(&operator, &device.key, STAKER_SHARE_BPS, true);
        succeeded(self.send(instruction, &[&device.owner]));
    }

    /// The operator stakes `amount` of its own IO in the device's (open) pool.
    pub fn stake_self(&mut self, device: &TestDevice, amount: u64) {
        let operator = device.owner.pubkey();
        let instruction = ix::stake_self(&operator, &device.pool(), &device.owner_io, amount);
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
        succeeded(self.send(ix::open_position(&owner.pubkey(), &pool), &[&owner]));
        succeeded(self.send(ix::stake(&owner.pubkey(), &pool, &io, amount), &[&owner]));
        Staker { owner, io }
    }

    /// A new keeper, bonded with `KEEPER_BOND` of IO.
    pub fn keeper(&mut self) -> TestKeeper {
        let authority = self.funded_keypair();
        let source = self.io_account(&authority.pubkey(), KEEPER_BOND);
        let instruction =
            ix::register_keeper(&authority.pubkey(), &pda::io_mint(), &source, KEEPER_BOND);
        succeeded(self.send(instruction, &[&authority]));
        let tips = self.io_account(&authority.pubkey(), 0);
        TestKeeper {
            key: pda::keeper(&authority.pubkey()),
            authority,
            tips,
        }
    }

    // Probes and attestations.

    /// The probe `device`'s agent signs now for `keeper` (a registry `Keeper` account): this
    /// epoch, bound to the slot before the current one, with the challenge of that slot's hash.
    pub fn probe(&self, device: &Pubkey, keeper: &Pubkey) -> ProbeMessage {
        self.probe_at(device, self.epoch(), self.slot() - 1, keeper)
    }

    /// The probe of `device` for `epoch`, bound to `slot` and asked for by `keeper` (with its
    /// challenge as the test chain hashes slots, whether SlotHashes holds it or not).
    pub fn probe_at(
        &self,
        device: &Pubkey,
        epoch: u64,
        slot: u64,
        keeper: &Pubkey,
    ) -> ProbeMessage {
        let slot_hash = slot_hash(slot).to_bytes();
        ProbeMessage {
            device: *device,
            epoch,
            slot,
            challenge: probe_challenge(device, epoch, slot, &slot_hash, keeper),
            benchmark_hash: hash(format!("benchmark of {device} in {epoch}").as_bytes()).to_bytes(),
        }
    }

    /// Each device's current probe for `keeper` (a registry `Keeper` account), signed by its
    /// agent.
    pub fn signed_probes(&self, keeper: &Pubkey, devices: &[&TestDevice]) -> Vec<SignedProbe> {
        devices
            .iter()
            .map(|device| {
                let probe = self.probe(&device.key, keeper);
                SignedProbe::sign(&device.agent, probe.to_bytes().to_vec())
            })
            .collect()
    }

    /// The Ed25519 check of `signed` and `keeper`'s attestation of `devices` (settling the
    /// `closed` epochs), sent together, paid by the keeper.
    pub fn send_attestation(
        &mut self,
        keeper: &Keypair,
        signed: &[SignedProbe],
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult {
        let attest = ix::attest(&keeper.pubkey(), self.epoch(), &pool_pairs(devices), closed);
        self.send_all(&[ed25519_instruction(signed), attest], &[keeper])
    }

    /// `keeper` attests each device's current probe made for it, settling the `closed` epochs.
    pub fn attest(
        &mut self,
        keeper: &TestKeeper,
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult {
        let signed = self.signed_probes(&keeper.key, devices);
        let authority = keeper.authority.insecure_clone();
        self.send_attestation(&authority, &signed, devices, closed)
    }

    pub fn report_failure(
        &mut self,
        keeper: &TestKeeper,
        device: &TestDevice,
    ) -> TransactionResult {
        let instruction = ix::report_failure(&keeper.authority.pubkey(), &device.key);
        self.send(instruction, &[&keeper.authority])
    }

    // Claims.

    /// The owner claims the device's rewards into its wallet, settling the `closed` epochs.
    pub fn claim(&mut self, device: &TestDevice, closed: &[u64]) -> TransactionResult {
        let instruction = ix::claim_availability_rewards(
            &device.owner.pubkey(),
            &device.key,
            &device.owner_io,
            &device.pool(),
            closed,
        );
        self.send(instruction, &[&device.owner])
    }

    pub fn claim_tips(&mut self, keeper: &TestKeeper, closed: &[u64]) -> TransactionResult {
        let instruction = ix::claim_keeper_tips(&keeper.authority.pubkey(), &keeper.tips, closed);
        self.send(instruction, &[&keeper.authority])
    }
}

/// Each device with its stake pool address, as the attestation takes them.
pub fn pool_pairs(devices: &[&TestDevice]) -> Vec<(Pubkey, Pubkey)> {
    devices
        .iter()
        .map(|device| (device.key, device.pool()))
        .collect()
}

/// The program-derived addresses these tests use, under the names they use them by (a program
/// prefix where the three programs' names would clash).
pub mod pda {
    pub use iogrid_program_tests::pda::{
        iotoken::{
            config as token_config, epoch as iotoken_epoch, io_mint, ledger, pool as iotoken_pool,
            schedule,
        },
        registry::{
            availability_epoch, availability_root, availability_vault, config as registry_config,
            device, distributor, keeper, keeper_tips_vault,
        },
        staking::{config as staking_config, pool as stake_pool, vault as stake_vault},
    };
}

/// Instructions of the three programs, built with Anchor's generated client types.
pub mod ix {
    pub use iogrid_program_tests::ix::{
        iotoken::{
            append_rows, end_epoch, initialize as iotoken_initialize, initialize_pools,
            mint_genesis, seal_schedule, set_pool_distributor,
        },
        registry::{
            deregister_device, initialize_config as registry_initialize, pause_device,
            register_device, register_keeper, request_unbond, rig,
            update_config as registry_update_config, withdraw_bond,
        },
        staking::{
            claim_rewards, initialize as staking_initialize, open_pool, open_position, stake,
            stake_self, unstake_self,
        },
    };

    use {super::*, iogrid_program_tests::ix::program_ix};

    // The registry's availability instructions.

    pub fn initialize_rewards(payer: &Pubkey) -> Instruction {
        program_ix(
            registry::ID,
            registry::instruction::InitializeRewards {},
            registry::accounts::InitializeRewards {
                payer: *payer,
                config: pda::registry_config(),
                iotoken_config: pda::token_config(),
                schedule: pda::schedule(),
                io_mint: pda::io_mint(),
                distributor: pda::distributor(),
                availability_vault: pda::availability_vault(),
                keeper_tips_vault: pda::keeper_tips_vault(),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// `attest_availability` of `devices` (each with its stake pool address) for `epoch`'s
    /// record, settling the closed records of `closed`.
    pub fn attest(
        authority: &Pubkey,
        epoch: u64,
        devices: &[(Pubkey, Pubkey)],
        closed: &[u64],
    ) -> Instruction {
        let mut instruction = program_ix(
            registry::ID,
            registry::instruction::AttestAvailability {
                device_count: devices.len() as u8,
            },
            registry::accounts::AttestAvailability {
                authority: *authority,
                keeper: pda::keeper(authority),
                config: pda::registry_config(),
                staking_config: pda::staking_config(),
                epoch_record: pda::availability_epoch(epoch),
                instructions: sysvar::instructions::ID,
                slot_hashes: sysvar::slot_hashes::ID,
                system_program: system_program::ID,
            },
        );
        for (device, pool) in devices {
            instruction.accounts.push(AccountMeta::new(*device, false));
            instruction
                .accounts
                .push(AccountMeta::new_readonly(*pool, false));
        }
        instruction.accounts.extend(closed_records(closed));
        instruction
    }

    fn closed_records(epochs: &[u64]) -> Vec<AccountMeta> {
        epochs
            .iter()
            .map(|epoch| AccountMeta::new_readonly(pda::availability_epoch(*epoch), false))
            .collect()
    }

    pub fn report_failure(authority: &Pubkey, device: &Pubkey) -> Instruction {
        program_ix(
            registry::ID,
            registry::instruction::ReportFailure {},
            registry::accounts::ReportFailure {
                authority: *authority,
                keeper: pda::keeper(authority),
                config: pda::registry_config(),
                device: *device,
            },
        )
    }

    /// The scale-path prototype: `authority`'s keeper posts a shard root of an ended epoch.
    pub fn post_availability_root(
        authority: &Pubkey,
        epoch: u64,
        shard: u16,
        root: [u8; 32],
        leaf_count: u32,
        total_weight: u64,
    ) -> Instruction {
        program_ix(
            registry::ID,
            registry::instruction::PostAvailabilityRoot {
                epoch,
                shard,
                root,
                leaf_count,
                total_weight,
            },
            registry::accounts::PostAvailabilityRoot {
                authority: *authority,
                keeper: pda::keeper(authority),
                config: pda::registry_config(),
                availability_root: pda::availability_root(epoch, shard),
                system_program: system_program::ID,
            },
        )
    }

    pub fn prove_availability_leaf(
        payer: &Pubkey,
        epoch: u64,
        shard: u16,
        device: &Pubkey,
        index: u32,
        weight: u64,
        proof: Vec<[u8; 32]>,
    ) -> Instruction {
        program_ix(
            registry::ID,
            registry::instruction::ProveAvailabilityLeaf {
                index,
                weight,
                proof,
            },
            registry::accounts::ProveAvailabilityLeaf {
                payer: *payer,
                availability_root: pda::availability_root(epoch, shard),
                device: *device,
            },
        )
    }

    pub fn close_availability_epoch(cranker: &Pubkey, epoch: u64) -> Instruction {
        program_ix(
            registry::ID,
            registry::instruction::CloseAvailabilityEpoch {},
            registry::accounts::CloseAvailabilityEpoch {
                cranker: *cranker,
                config: pda::registry_config(),
                epoch_record: pda::availability_epoch(epoch),
                iotoken_epoch: pda::iotoken_epoch(epoch),
                iotoken_config: pda::token_config(),
                availability_pool: pda::iotoken_pool(0),
                keepers_pool: pda::iotoken_pool(3),
                distributor: pda::distributor(),
                availability_vault: pda::availability_vault(),
                keeper_tips_vault: pda::keeper_tips_vault(),
                iotoken_program: iotoken::ID,
                token_program: spl_token::ID,
            },
        )
    }

    pub fn claim_availability_rewards(
        owner: &Pubkey,
        device: &Pubkey,
        destination: &Pubkey,
        stake_pool: &Pubkey,
        closed: &[u64],
    ) -> Instruction {
        let mut instruction = program_ix(
            registry::ID,
            registry::instruction::ClaimAvailabilityRewards {},
            registry::accounts::ClaimAvailabilityRewards {
                owner: *owner,
                device: *device,
                config: pda::registry_config(),
                distributor: pda::distributor(),
                availability_vault: pda::availability_vault(),
                destination: *destination,
                stake_pool: *stake_pool,
                stake_vault: pda::stake_vault(stake_pool),
                staking_config: pda::staking_config(),
                staking_program: staking::ID,
                token_program: spl_token::ID,
            },
        );
        instruction.accounts.extend(closed_records(closed));
        instruction
    }

    pub fn claim_keeper_tips(
        authority: &Pubkey,
        destination: &Pubkey,
        closed: &[u64],
    ) -> Instruction {
        let mut instruction = program_ix(
            registry::ID,
            registry::instruction::ClaimKeeperTips {},
            registry::accounts::ClaimKeeperTips {
                authority: *authority,
                keeper: pda::keeper(authority),
                config: pda::registry_config(),
                distributor: pda::distributor(),
                keeper_tips_vault: pda::keeper_tips_vault(),
                destination: *destination,
                token_program: spl_token::ID,
            },
        );
        instruction.accounts.extend(closed_records(closed));
        instruction
    }
}

iogrid_program_tests::test_chain!(Chain);
