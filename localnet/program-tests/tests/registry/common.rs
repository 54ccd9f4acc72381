//! Harness shared by the registry's integration tests: a LiteSVM chain running the registry
//! natively beside iotoken and staking (SPL Token is the real SBF program LiteSVM ships), instruction builders over Anchor's
//! generated client types, account and event decoding, and failure assertions by error name.
//!
//! Every transaction sent here carries exactly one instruction and is paid for by its first
//! signer, so balances can be checked to the lamport: a transaction costs its payer
//! `FEE_PER_SIGNATURE` per signature, whether it succeeds or fails.

pub use iogrid_program_tests::{
    assert_fails, only_event, setup::FEE_PER_SIGNATURE, succeeded, Expected, TestChain,
};
use iogrid_program_tests::{put_mint, put_token_account, send, setup::programs_svm};

use {
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{hash::hash, instruction::Instruction, program_pack::Pack},
        AccountDeserialize,
    },
    litesvm::{types::TransactionResult, LiteSVM},
    registry::{
        state::{BandwidthTier, Device, DeviceSpecs, Keeper, RegistryConfig},
        RegisterDeviceArgs, UpdateDeviceArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::any::type_name,
};

/// The unix time every chain starts at (LiteSVM's own clock starts at 0).
pub const NOW: i64 = 1_750_000_000;
/// Lamports every new test key starts with.
pub const STARTING_LAMPORTS: u64 = 10_000_000_000;

pub const BOND_DECIMALS: u8 = 6;
/// The keeper bond the default config asks for: 1,000 tokens of `BOND_DECIMALS`.
pub const BOND_AMOUNT: u64 = 1_000_000_000;
/// The keeper unbond cooldown of the default config: 7 days.
pub const COOLDOWN_SECS: i64 = 7 * 24 * 60 * 60;

/// A chain with the registry loaded, its clock at `NOW`, a funded config authority and a bond
/// mint. `Chain::new` also initialises the config with `BOND_AMOUNT` and `COOLDOWN_SECS`.
pub struct Chain {
    pub svm: LiteSVM,
    pub authority: Keypair,
    pub bond_mint: Pubkey,
}

impl Chain {
    /// The registry deployed but its config not yet initialised.
    pub fn without_config() -> Self {
        let mut chain = Chain {
            svm: programs_svm(),
            authority: Keypair::new(),
            bond_mint: Pubkey::default(),
        };
        chain.set_time(NOW);
        let authority = chain.authority.pubkey();
        chain.fund(&authority);
        chain.bond_mint = chain.create_mint(BOND_DECIMALS);
        chain
    }

    pub fn new() -> Self {
        let mut chain = Self::without_config();
        let initialize = ix::initialize_config(
            &chain.authority.pubkey(),
            &chain.bond_mint,
            BOND_AMOUNT,
            COOLDOWN_SECS,
        );
        succeeded(chain.send_as_authority(initialize));
        chain
    }

    /// Sends `instruction` signed and paid for by the config authority.
    pub fn send_as_authority(&mut self, instruction: Instruction) -> TransactionResult {
        send(&mut self.svm, instruction, &[&self.authority])
    }

    /// Decodes a registry account, checking that the registry owns it.
    pub fn registry_account<T: AccountDeserialize>(&self, key: &Pubkey) -> T {
        let account = self.account(key);
        assert_eq!(
            account.owner,
            registry::ID,
            "{key} is owned by the registry"
        );
        T::try_deserialize(&mut account.data.as_slice())
            .unwrap_or_else(|error| panic!("{key} holds a {}: {error}", type_name::<T>()))
    }

    pub fn config(&self) -> RegistryConfig {
        self.registry_account(&pda::config())
    }

    pub fn device(&self, key: &Pubkey) -> Device {
        self.registry_account(key)
    }

    pub fn keeper(&self, key: &Pubkey) -> Keeper {
        self.registry_account(key)
    }

    /// Rewrites a device account in place, as if the program had made the change.
    pub fn modify_device(&mut self, key: &Pubkey, change: impl FnOnce(&mut Device)) {
        self.rewrite_program_account(&registry::ID, key, change);
    }

    /// Rewrites the keeper account at `key` with `change` (a keeper as its past left it).
    pub fn modify_keeper(&mut self, key: &Pubkey, change: impl FnOnce(&mut Keeper)) {
        self.rewrite_program_account(&registry::ID, key, change);
    }

    // SPL Token accounts, written directly in the token program's layout.

    pub fn create_mint(&mut self, decimals: u8) -> Pubkey {
        put_mint(&mut self.svm, &self.authority.pubkey(), decimals)
    }

    /// A token account of `mint` owned by `owner` holding `amount`; the mint's supply grows by it.
    pub fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let mut mint_account = self.account(mint);
        let mut mint_state = spl_token::state::Mint::unpack(&mint_account.data).expect("a mint");
        mint_state.supply += amount;
        mint_state.pack_into_slice(&mut mint_account.data);
        self.svm
            .set_account(*mint, mint_account)
            .expect("LiteSVM accepts the mint");
        put_token_account(&mut self.svm, mint, owner, amount)
    }

    // Devices.

    /// Registers `sample_device(device_id)` for a new funded owner and agent.
    pub fn register_device(&mut self, device_id: &str) -> TestDevice {
        let owner = self.funded_keypair();
        let agent = self.funded_keypair();
        let args = sample_device(device_id);
        let register = ix::register_device(&owner.pubkey(), &agent.pubkey(), args);
        succeeded(self.send(register, &[&owner, &agent]));
        TestDevice {
            device_id: device_id.to_string(),
            key: pda::device(device_id),
            owner,
            agent,
        }
    }
}

/// A registered device with the keys that control it.
pub struct TestDevice {
    pub device_id: String,
    pub key: Pubkey,
    pub owner: Keypair,
    pub agent: Keypair,
}

/// An 8×H100 server in us-east at 2.50 USD per GPU-hour.
pub fn sample_device(device_id: &str) -> RegisterDeviceArgs {
    RegisterDeviceArgs {
        device_id: device_id.to_string(),
        name: "rig-01".to_string(),
        gpu_model: "NVIDIA H100 80GB HBM3".to_string(),
        region: "us-east".to_string(),
        specs: sample_specs(),
        price_per_gpu_hour: 2_500_000,
        endpoint: "https://203.0.113.7:7443/probe".to_string(),
    }
}

pub fn sample_specs() -> DeviceSpecs {
    DeviceSpecs {
        gpu_count: 8,
        vram_mib: 81_920,
        cpu_cores: 96,
        ram_mib: 1_048_576,
        storage_gib: 7_680,
        bandwidth_tier: BandwidthTier::High,
    }
}

/// The registry's program-derived addresses (shared with the other suites), and a market
/// program's lock signer.
pub mod pda {
    pub use iogrid_program_tests::pda::registry::*;

    use super::*;

    /// The signer through which `market_program` locks and releases devices.
    pub fn market_lock_authority(market_program: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(&[b"registry_lock"], market_program).0
    }
}

pub fn sha256(text: &str) -> [u8; 32] {
    hash(text.as_bytes()).to_bytes()
}

/// Registry instructions: the ones other suites send too (shared), and the ones only these tests
/// send, built with Anchor's generated client types.
pub mod ix {
    pub use iogrid_program_tests::ix::registry::*;

    use {
        super::*,
        registry::{accounts, instruction, state::ReservationOutcome},
    };

    pub fn update_device(owner: &Pubkey, device: &Pubkey, args: UpdateDeviceArgs) -> Instruction {
        registry_ix(
            instruction::UpdateDevice { args },
            accounts::ChangeDevice {
                owner: *owner,
                device: *device,
            },
        )
    }

    pub fn rename_device(owner: &Pubkey, device: &Pubkey, name: &str) -> Instruction {
        registry_ix(
            instruction::RenameDevice {
                name: name.to_string(),
            },
            accounts::ChangeDevice {
                owner: *owner,
                device: *device,
            },
        )
    }

    pub fn resume_device(signer: &Pubkey, device: &Pubkey) -> Instruction {
        registry_ix(
            instruction::ResumeDevice {},
            accounts::OperateDevice {
                signer: *signer,
                device: *device,
            },
        )
    }

    pub fn set_endpoint(signer: &Pubkey, device: &Pubkey, endpoint: &str) -> Instruction {
        registry_ix(
            instruction::SetEndpoint {
                endpoint: endpoint.to_string(),
            },
            accounts::OperateDevice {
                signer: *signer,
                device: *device,
            },
        )
    }

    pub fn lock_device(
        market_authority: &Pubkey,
        device: &Pubkey,
        reservation: &Pubkey,
    ) -> Instruction {
        registry_ix(
            instruction::LockDevice {
                reservation: *reservation,
            },
            market_lock(market_authority, device),
        )
    }

    pub fn release_device(
        market_authority: &Pubkey,
        device: &Pubkey,
        reservation: &Pubkey,
        outcome: ReservationOutcome,
    ) -> Instruction {
        registry_ix(
            instruction::ReleaseDevice {
                reservation: *reservation,
                outcome,
            },
            market_lock(market_authority, device),
        )
    }

    fn market_lock(market_authority: &Pubkey, device: &Pubkey) -> accounts::MarketLock {
        accounts::MarketLock {
            market_authority: *market_authority,
            config: pda::config(),
            device: *device,
        }
    }
}

iogrid_program_tests::test_chain!(Chain, STARTING_LAMPORTS);
