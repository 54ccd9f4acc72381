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
//! The chain is the library's `Grid` (shared with the market suite), in two stages:
//! `without_rewards` (everything but the registry's `initialize_rewards`) and `new`; the probes,
//! attestations, epoch closes and claims only these tests send come from `Availability`.

pub use iogrid_program_tests::{
    assert_fails, assert_fails_at, assert_instruction_error, events_of,
    grid::{Grid as Chain, *},
    only_event, only_event_of,
    setup::{ORIGIN, STARTING_LAMPORTS},
    succeeded, transaction_of, wire_size, TestChain,
};

use {
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{
            ed25519_program,
            hash::hash,
            instruction::{AccountMeta, Instruction},
            sysvar,
        },
        system_program,
    },
    litesvm::types::TransactionResult,
    registry::probe::{probe_challenge, ProbeMessage},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

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

/// What only the availability tests send: probes and attestations, the registry's epoch closes
/// and the reward claims.
pub trait Availability {
    /// The registry closes `epoch`'s availability record, cranked by `cranker`.
    fn close_epoch(&mut self, epoch: u64) -> TransactionResult;

    /// iotoken's crank and then the registry's close of every ended epoch in `epochs` (all of
    /// which must have an availability record).
    fn close_epochs(&mut self, epochs: &[u64]);

    /// The probe `device`'s agent signs now for `keeper` (a registry `Keeper` account): this
    /// epoch, bound to the slot before the current one, with the challenge of that slot's hash.
    fn probe(&self, device: &Pubkey, keeper: &Pubkey) -> ProbeMessage;

    /// The probe of `device` for `epoch`, bound to `slot` and asked for by `keeper` (with its
    /// challenge as the test chain hashes slots, whether SlotHashes holds it or not).
    fn probe_at(&self, device: &Pubkey, epoch: u64, slot: u64, keeper: &Pubkey) -> ProbeMessage;

    /// Each device's current probe for `keeper` (a registry `Keeper` account), signed by its
    /// agent.
    fn signed_probes(&self, keeper: &Pubkey, devices: &[&TestDevice]) -> Vec<SignedProbe>;

    /// The Ed25519 check of `signed` and `keeper`'s attestation of `devices` (settling the
    /// `closed` epochs), sent together, paid by the keeper, in the running epoch (opened first if
    /// it is not yet).
    fn send_attestation(
        &mut self,
        keeper: &Keypair,
        signed: &[SignedProbe],
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult;

    /// `keeper` attests each device's current probe made for it, settling the `closed` epochs.
    fn attest(
        &mut self,
        keeper: &TestKeeper,
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult;

    /// The owner claims the device's rewards into its wallet, settling the `closed` epochs.
    fn claim(&mut self, device: &TestDevice, closed: &[u64]) -> TransactionResult;

    /// The accounts `keeper` (a registry `Keeper` account) attests `devices` with now: each
    /// device, its pool and, before its first pass of the epoch, the other keepers that reported
    /// it down.
    fn attested_accounts(&self, keeper: &Pubkey, devices: &[&TestDevice]) -> Vec<AttestedDevice>;

    fn claim_tips(&mut self, keeper: &TestKeeper, closed: &[u64]) -> TransactionResult;
}

impl Availability for Chain {
    fn close_epoch(&mut self, epoch: u64) -> TransactionResult {
        let cranker = self.cranker.insecure_clone();
        self.send(
            ix::close_availability_epoch(&cranker.pubkey(), epoch),
            &[&cranker],
        )
    }

    fn close_epochs(&mut self, epochs: &[u64]) {
        self.end_iotoken_epochs();
        for epoch in epochs {
            succeeded(self.close_epoch(*epoch));
        }
    }

    fn probe(&self, device: &Pubkey, keeper: &Pubkey) -> ProbeMessage {
        self.probe_at(device, self.epoch(), self.slot() - 1, keeper)
    }

    fn probe_at(&self, device: &Pubkey, epoch: u64, slot: u64, keeper: &Pubkey) -> ProbeMessage {
        let slot_hash = slot_hash(slot).to_bytes();
        ProbeMessage {
            device: *device,
            epoch,
            slot,
            challenge: probe_challenge(device, epoch, slot, &slot_hash, keeper),
            benchmark_hash: hash(format!("benchmark of {device} in {epoch}").as_bytes()).to_bytes(),
        }
    }

    fn signed_probes(&self, keeper: &Pubkey, devices: &[&TestDevice]) -> Vec<SignedProbe> {
        devices
            .iter()
            .map(|device| {
                let probe = self.probe(&device.key, keeper);
                SignedProbe::sign(&device.agent, probe.to_bytes().to_vec())
            })
            .collect()
    }

    fn send_attestation(
        &mut self,
        keeper: &Keypair,
        signed: &[SignedProbe],
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult {
        self.open_epoch();
        let accounts = self.attested_accounts(&pda::keeper(&keeper.pubkey()), devices);
        let attest = ix::attest(&keeper.pubkey(), self.epoch(), &accounts, closed);
        self.send_all(&[ed25519_instruction(signed), attest], &[keeper])
    }

    fn attested_accounts(&self, keeper: &Pubkey, devices: &[&TestDevice]) -> Vec<AttestedDevice> {
        let epoch = self.epoch();
        devices
            .iter()
            .map(|device| {
                let availability = self.device_state(device).availability;
                let reporters = if availability.passed_in(epoch) {
                    vec![]
                } else {
                    availability
                        .reporters_in(epoch)
                        .iter()
                        .filter(|reporter| *reporter != keeper)
                        .copied()
                        .collect()
                };
                AttestedDevice {
                    device: device.key,
                    pool: device.pool(),
                    reporters,
                }
            })
            .collect()
    }

    fn attest(
        &mut self,
        keeper: &TestKeeper,
        devices: &[&TestDevice],
        closed: &[u64],
    ) -> TransactionResult {
        let signed = self.signed_probes(&keeper.key, devices);
        let authority = keeper.authority.insecure_clone();
        self.send_attestation(&authority, &signed, devices, closed)
    }

    fn claim(&mut self, device: &TestDevice, closed: &[u64]) -> TransactionResult {
        let instruction = ix::claim_availability_rewards(
            &device.owner.pubkey(),
            &device.key,
            &device.owner_io,
            &device.pool(),
            closed,
        );
        self.send(instruction, &[&device.owner])
    }

    fn claim_tips(&mut self, keeper: &TestKeeper, closed: &[u64]) -> TransactionResult {
        let instruction = ix::claim_keeper_tips(&keeper.authority.pubkey(), &keeper.tips, closed);
        self.send(instruction, &[&keeper.authority])
    }
}

/// One device's accounts in an attestation: the device, its stake pool address and the keeper
/// accounts whose failure reports its pass overrides.
#[derive(Clone)]
pub struct AttestedDevice {
    pub device: Pubkey,
    pub pool: Pubkey,
    pub reporters: Vec<Pubkey>,
}

/// Each device with its stake pool address and no reporters, as the attestation takes them.
pub fn pool_pairs(devices: &[&TestDevice]) -> Vec<AttestedDevice> {
    devices
        .iter()
        .map(|device| AttestedDevice {
            device: device.key,
            pool: device.pool(),
            reporters: vec![],
        })
        .collect()
}

/// The program-derived addresses these tests use, under the names they use them by (a program
/// prefix where the three programs' names would clash).
pub mod pda {
    pub use iogrid_program_tests::pda::{
        iotoken::{config as token_config, epoch as iotoken_epoch, io_mint, pool as iotoken_pool},
        registry::{
            availability_epoch, availability_root, availability_vault, config as registry_config,
            distributor, keeper, keeper_tips_vault,
        },
        staking::{config as staking_config, pool as stake_pool, vault as stake_vault},
    };
}

/// The instructions these tests send beside the grid's set-up, built with Anchor's generated
/// client types.
pub mod ix {
    pub use iogrid_program_tests::ix::{
        registry::{
            add_bond, change_agent, deregister_device, initialize_rewards, open_availability_epoch,
            pause_device, report_failure, request_unbond, update_config as registry_update_config,
            withdraw_bond,
        },
        staking::{claim_rewards, unstake_self},
    };

    use {super::*, iogrid_program_tests::ix::program_ix};

    // The registry's availability instructions.

    /// `attest_availability` of `devices` (each with its stake pool address and the reporters
    /// its pass overrides) for `epoch`'s record, settling the closed records of `closed`.
    pub fn attest(
        authority: &Pubkey,
        epoch: u64,
        devices: &[AttestedDevice],
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
            },
        );
        for attested in devices {
            let accounts = &mut instruction.accounts;
            accounts.push(AccountMeta::new(attested.device, false));
            accounts.push(AccountMeta::new_readonly(attested.pool, false));
            accounts.extend(
                attested
                    .reporters
                    .iter()
                    .map(|r| AccountMeta::new(*r, false)),
            );
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
                availability_root: pda::availability_root(epoch, shard, &pda::keeper(authority)),
                system_program: system_program::ID,
            },
        )
    }

    /// A proof against the shard root at `root` (`pda::availability_root` of the epoch, shard
    /// and the keeper that posted it).
    pub fn prove_availability_leaf(
        payer: &Pubkey,
        root: &Pubkey,
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
                availability_root: *root,
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
