//! Instructions more than one program's tests send, built with Anchor's generated client types,
//! one module per program. Instructions only one suite sends stay in that suite's `common.rs`.

use anchor_lang::{
    prelude::Pubkey,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        sysvar,
    },
    system_program, InstructionData, ToAccountMetas,
};

use {crate::pda, ::iotoken::deployer::program_data_address};

/// `instruction` (an `initialize`) with `deployer` signing as its deployer instead of the
/// program id's key: the review's M5 front-run.
pub fn by_deployer(mut instruction: Instruction, deployer: &Pubkey) -> Instruction {
    let meta = instruction
        .accounts
        .iter_mut()
        .find(|meta| meta.is_signer && meta.pubkey == instruction.program_id)
        .expect("an initialize names its deployer");
    meta.pubkey = *deployer;
    instruction
}

/// An instruction to `program_id` from Anchor's generated instruction data and accounts.
pub fn program_ix(
    program_id: Pubkey,
    data: impl InstructionData,
    accounts: impl ToAccountMetas,
) -> Instruction {
    Instruction {
        program_id,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The registry's instructions.
pub mod registry {
    use {
        super::*,
        ::registry::{
            accounts, instruction,
            state::{BandwidthTier, DeviceSpecs},
            InitializeConfigArgs, RegisterDeviceArgs, UpdateConfigArgs, ID,
        },
        pda::registry as pda,
    };

    /// An instruction to the registry from Anchor's generated instruction data and accounts.
    pub fn registry_ix(data: impl InstructionData, accounts: impl ToAccountMetas) -> Instruction {
        program_ix(ID, data, accounts)
    }

    pub fn initialize_config(
        authority: &Pubkey,
        bond_mint: &Pubkey,
        keeper_bond_amount: u64,
        keeper_unbond_cooldown_secs: i64,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::InitializeConfig {
                args: InitializeConfigArgs {
                    keeper_bond_amount,
                    keeper_unbond_cooldown_secs,
                },
            },
            accounts::InitializeConfig {
                authority: *authority,
                // The program id's own key signs as the deployer (the rule for a program
                // without `ProgramData`, as the test chain loads them).
                deployer: ID,
                program: ID,
                program_data: program_data_address(&ID),
                config: pda::config(),
                bond_mint: *bond_mint,
                system_program: system_program::ID,
            },
        )
    }

    pub fn update_config(
        authority: &Pubkey,
        new_bond_mint: Option<Pubkey>,
        args: UpdateConfigArgs,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::UpdateConfig { args },
            accounts::UpdateConfig {
                authority: *authority,
                config: pda::config(),
                new_bond_mint,
            },
        )
    }

    /// `register_device`'s arguments for a rig of `gpu_count` GPUs of `gpu_model` in us-east at
    /// 2.50 USD per GPU-hour, with no endpoint.
    pub fn rig(device_id: &str, gpu_model: &str, gpu_count: u16) -> RegisterDeviceArgs {
        RegisterDeviceArgs {
            device_id: device_id.to_string(),
            name: "rig".to_string(),
            gpu_model: gpu_model.to_string(),
            region: "us-east".to_string(),
            specs: DeviceSpecs {
                gpu_count,
                vram_mib: 81_920,
                cpu_cores: 96,
                ram_mib: 1_048_576,
                storage_gib: 7_680,
                bandwidth_tier: BandwidthTier::High,
            },
            price_per_gpu_hour: 2_500_000,
            endpoint: String::new(),
        }
    }

    /// Registration by `owner`, co-signed by the device's `agent` key.
    pub fn register_device(
        owner: &Pubkey,
        agent: &Pubkey,
        args: RegisterDeviceArgs,
    ) -> Instruction {
        let device = pda::device(&args.device_id);
        let history = pda::device_history(&args.device_id);
        program_ix(
            ID,
            instruction::RegisterDevice { args },
            accounts::RegisterDevice {
                owner: *owner,
                agent: *agent,
                device,
                history,
                system_program: system_program::ID,
            },
        )
    }

    /// The owner hands the device to `new_agent` (which co-signs).
    pub fn change_agent(owner: &Pubkey, new_agent: &Pubkey, device: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::ChangeAgent {},
            accounts::ChangeAgent {
                owner: *owner,
                new_agent: *new_agent,
                device: *device,
            },
        )
    }

    pub fn pause_device(signer: &Pubkey, device: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::PauseDevice {},
            accounts::OperateDevice {
                signer: *signer,
                device: *device,
            },
        )
    }

    /// Deregistration of the device `device_id`, leaving its history record.
    pub fn deregister_device(owner: &Pubkey, device_id: &str) -> Instruction {
        program_ix(
            ID,
            instruction::DeregisterDevice {},
            accounts::DeregisterDevice {
                owner: *owner,
                device: pda::device(device_id),
                config: pda::config(),
                history: pda::device_history(device_id),
                system_program: system_program::ID,
            },
        )
    }

    /// Links the registry's rewards to iotoken (and its epochs to iotoken's schedule).
    pub fn initialize_rewards(payer: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::InitializeRewards {},
            accounts::InitializeRewards {
                payer: *payer,
                config: pda::config(),
                iotoken_config: crate::pda::iotoken::config(),
                schedule: crate::pda::iotoken::schedule(),
                io_mint: crate::pda::iotoken::io_mint(),
                distributor: pda::distributor(),
                availability_vault: pda::availability_vault(),
                keeper_tips_vault: pda::keeper_tips_vault(),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// Opens `epoch`'s availability record (or fixes its seed once the seed slot has passed).
    pub fn open_availability_epoch(payer: &Pubkey, epoch: u64) -> Instruction {
        program_ix(
            ID,
            instruction::OpenAvailabilityEpoch {},
            accounts::OpenAvailabilityEpoch {
                payer: *payer,
                config: pda::config(),
                epoch_record: pda::availability_epoch(epoch),
                slot_hashes: sysvar::slot_hashes::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// `authority`'s keeper reports `device` down in `epoch` (the running one).
    pub fn report_failure(authority: &Pubkey, device: &Pubkey, epoch: u64) -> Instruction {
        program_ix(
            ID,
            instruction::ReportFailure {},
            accounts::ReportFailure {
                authority: *authority,
                keeper: pda::keeper(authority),
                config: pda::config(),
                device: *device,
                epoch_record: pda::availability_epoch(epoch),
                slot_hashes: sysvar::slot_hashes::ID,
            },
        )
    }

    /// Registration bonding `bond_amount` (at least the bond in force).
    pub fn register_keeper(
        authority: &Pubkey,
        bond_mint: &Pubkey,
        bond_source: &Pubkey,
        bond_amount: u64,
    ) -> Instruction {
        let keeper = pda::keeper(authority);
        program_ix(
            ID,
            instruction::RegisterKeeper { bond_amount },
            accounts::RegisterKeeper {
                authority: *authority,
                config: pda::config(),
                keeper,
                bond_mint: *bond_mint,
                bond_source: *bond_source,
                bond_vault: pda::bond_vault(&keeper),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    pub fn request_unbond(authority: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::RequestUnbond {},
            accounts::RequestUnbond {
                authority: *authority,
                config: pda::config(),
                keeper: pda::keeper(authority),
            },
        )
    }

    /// `authority` adds `amount` to its keeper's bond.
    pub fn add_bond(
        authority: &Pubkey,
        bond_mint: &Pubkey,
        bond_source: &Pubkey,
        amount: u64,
    ) -> Instruction {
        let keeper = pda::keeper(authority);
        program_ix(
            ID,
            instruction::AddBond { amount },
            accounts::AddBond {
                authority: *authority,
                config: pda::config(),
                keeper,
                bond_mint: *bond_mint,
                bond_source: *bond_source,
                bond_vault: pda::bond_vault(&keeper),
                token_program: spl_token::ID,
            },
        )
    }

    /// The bond back to `destination`; what it forfeited goes to iotoken's treasury of the bond
    /// mint, passed when there is any (`with_treasury`).
    pub fn withdraw_bond(
        authority: &Pubkey,
        bond_mint: &Pubkey,
        destination: &Pubkey,
        with_treasury: bool,
    ) -> Instruction {
        let keeper = pda::keeper(authority);
        program_ix(
            ID,
            instruction::WithdrawBond {},
            accounts::WithdrawBond {
                authority: *authority,
                keeper,
                bond_mint: *bond_mint,
                bond_vault: pda::bond_vault(&keeper),
                destination: *destination,
                treasury: with_treasury.then(|| crate::pda::iotoken::treasury(bond_mint)),
                token_program: spl_token::ID,
            },
        )
    }
}

/// iotoken's instructions.
pub mod iotoken {
    use {
        super::*,
        ::iotoken::{accounts, instruction, EmissionRow, InitializeArgs, UpdateConfigArgs, ID},
        pda::iotoken as pda,
    };

    /// An instruction to iotoken from Anchor's generated instruction data and accounts.
    pub fn iotoken_ix(data: impl InstructionData, accounts: impl ToAccountMetas) -> Instruction {
        program_ix(ID, data, accounts)
    }

    pub fn initialize(authority: &Pubkey, args: InitializeArgs) -> Instruction {
        program_ix(
            ID,
            instruction::Initialize { args },
            accounts::Initialize {
                authority: *authority,
                // The program id's own key signs as the deployer (the rule for a program
                // without `ProgramData`, as the test chain loads them).
                deployer: ID,
                program: ID,
                program_data: program_data_address(&ID),
                config: pda::config(),
                io_mint: pda::io_mint(),
                iosd_mint: pda::iosd_mint(),
                schedule: pda::schedule(),
                ledger: pda::ledger(),
                price_feed: pda::price_feed(),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    pub fn initialize_pools(payer: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::InitializePools {},
            accounts::InitializePools {
                payer: *payer,
                config: pda::config(),
                io_mint: pda::io_mint(),
                availability_pool: pda::pool(0),
                compute_pool: pda::pool(1),
                stakers_pool: pda::pool(2),
                keepers_pool: pda::pool(3),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// `destinations`: community, ecosystem, core contributors, seed, series A.
    pub fn mint_genesis(authority: &Pubkey, destinations: [Pubkey; 5]) -> Instruction {
        program_ix(
            ID,
            instruction::MintGenesis {},
            accounts::MintGenesis {
                authority: *authority,
                config: pda::config(),
                io_mint: pda::io_mint(),
                community: destinations[0],
                ecosystem: destinations[1],
                core_contributors: destinations[2],
                seed: destinations[3],
                series_a: destinations[4],
                token_program: spl_token::ID,
            },
        )
    }

    pub fn update_config(authority: &Pubkey, args: UpdateConfigArgs) -> Instruction {
        program_ix(
            ID,
            instruction::UpdateConfig { args },
            accounts::UpdateConfig {
                authority: *authority,
                config: pda::config(),
            },
        )
    }

    /// The accounts of the schedule's row changes.
    pub fn change_schedule(authority: &Pubkey) -> accounts::ChangeSchedule {
        accounts::ChangeSchedule {
            authority: *authority,
            config: pda::config(),
            schedule: pda::schedule(),
        }
    }

    pub fn append_rows(authority: &Pubkey, rows: Vec<EmissionRow>) -> Instruction {
        program_ix(
            ID,
            instruction::AppendScheduleRows { rows },
            change_schedule(authority),
        )
    }

    pub fn seal_schedule(authority: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::SealSchedule {},
            accounts::SealSchedule {
                authority: *authority,
                config: pda::config(),
                schedule: pda::schedule(),
                ledger: pda::ledger(),
            },
        )
    }

    /// `records` are appended as the remaining accounts.
    pub fn end_epoch(
        cranker: &Pubkey,
        tip_destination: &Pubkey,
        records: &[AccountMeta],
    ) -> Instruction {
        let mut instruction = program_ix(
            ID,
            instruction::EndEpoch {},
            accounts::EndEpoch {
                cranker: *cranker,
                config: pda::config(),
                schedule: pda::schedule(),
                ledger: pda::ledger(),
                io_mint: pda::io_mint(),
                availability_pool: pda::pool(0),
                compute_pool: pda::pool(1),
                stakers_pool: pda::pool(2),
                keepers_pool: pda::pool(3),
                tip_destination: *tip_destination,
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        );
        instruction.accounts.extend_from_slice(records);
        instruction
    }

    pub fn set_price_halted(signer: &Pubkey, halted: bool) -> Instruction {
        program_ix(
            ID,
            instruction::SetPriceHalted { halted },
            accounts::SetPriceHalted {
                signer: *signer,
                config: pda::config(),
                price_feed: pda::price_feed(),
            },
        )
    }

    pub fn publish_price(
        updater: &Pubkey,
        price: u64,
        confidence: u64,
        publish_time: i64,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::PublishPrice {
                args: ::iotoken::PublishPriceArgs {
                    price,
                    confidence,
                    publish_time,
                },
            },
            accounts::PublishPrice {
                updater: *updater,
                config: pda::config(),
                price_feed: pda::price_feed(),
            },
        )
    }

    pub fn create_treasury_account(payer: &Pubkey, mint: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::CreateTreasuryAccount {},
            accounts::CreateTreasuryAccount {
                payer: *payer,
                config: pda::config(),
                mint: *mint,
                treasury: pda::treasury(mint),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    pub fn set_pool_distributor(authority: &Pubkey, pool: u8, program: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::SetPoolDistributor {
                pool,
                program: *program,
            },
            accounts::SetPoolDistributor {
                authority: *authority,
                config: pda::config(),
            },
        )
    }
}

/// Staking's instructions.
pub mod staking {
    use {
        super::*,
        ::staking::{accounts, instruction, InitializeArgs, ID},
    };

    /// An instruction to staking from Anchor's generated instruction data and accounts.
    pub fn staking_ix(data: impl InstructionData, accounts: impl ToAccountMetas) -> Instruction {
        program_ix(ID, data, accounts)
    }

    pub fn initialize(authority: &Pubkey, args: InitializeArgs) -> Instruction {
        program_ix(
            ID,
            instruction::Initialize { args },
            accounts::Initialize {
                authority: *authority,
                // The program id's own key signs as the deployer (the rule for a program
                // without `ProgramData`, as the test chain loads them).
                deployer: ID,
                program: ID,
                program_data: program_data_address(&ID),
                config: pda::staking::config(),
                io_mint: pda::iotoken::io_mint(),
                governance: pda::staking::governance(),
                system_program: system_program::ID,
            },
        )
    }

    /// A direct change of staking's own parameters by its config authority.
    pub fn update_config(
        authority: &Pubkey,
        change: ::staking::state::ParameterChange,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::UpdateConfig { change },
            accounts::UpdateConfig {
                authority: *authority,
                config: pda::staking::config(),
            },
        )
    }

    pub fn open_pool(
        operator: &Pubkey,
        device: &Pubkey,
        staker_share_bps: u16,
        costaking_open: bool,
    ) -> Instruction {
        let pool = pda::staking::pool(device, operator);
        program_ix(
            ID,
            instruction::OpenPool {
                staker_share_bps,
                costaking_open,
            },
            accounts::OpenPool {
                operator: *operator,
                device: *device,
                config: pda::staking::config(),
                token_config: pda::iotoken::config(),
                pool,
                vault: pda::staking::vault(&pool),
                io_mint: pda::iotoken::io_mint(),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// The accounts of the operator's own stake moving between `token_account` and the vault.
    pub fn self_stake_transfer(
        operator: &Pubkey,
        pool: &Pubkey,
        token_account: &Pubkey,
    ) -> accounts::SelfStakeTransfer {
        accounts::SelfStakeTransfer {
            operator: *operator,
            config: pda::staking::config(),
            pool: *pool,
            vault: pda::staking::vault(pool),
            token_account: *token_account,
            token_program: spl_token::ID,
        }
    }

    pub fn stake_self(
        operator: &Pubkey,
        pool: &Pubkey,
        token_account: &Pubkey,
        amount: u64,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::StakeSelf { amount },
            self_stake_transfer(operator, pool, token_account),
        )
    }

    /// `device` is the pool's device, whose reservation keeps the self-stake in.
    pub fn unstake_self(
        operator: &Pubkey,
        pool: &Pubkey,
        device: &Pubkey,
        amount: u64,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::UnstakeSelf { amount },
            accounts::UnstakeSelf {
                operator: *operator,
                config: pda::staking::config(),
                pool: *pool,
                device: *device,
            },
        )
    }

    /// `device` is the pool's device, whose reservation keeps the self-stake in.
    pub fn withdraw_self(
        operator: &Pubkey,
        pool: &Pubkey,
        device: &Pubkey,
        token_account: &Pubkey,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::WithdrawSelf {},
            accounts::WithdrawSelf {
                operator: *operator,
                config: pda::staking::config(),
                pool: *pool,
                device: *device,
                vault: pda::staking::vault(pool),
                token_account: *token_account,
                token_program: spl_token::ID,
            },
        )
    }

    pub fn open_position(owner: &Pubkey, pool: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::OpenPosition {},
            accounts::OpenPosition {
                owner: *owner,
                pool: *pool,
                position: pda::staking::position(pool, owner),
                system_program: system_program::ID,
            },
        )
    }

    /// The accounts of a position's tokens moving between `token_account` and the vault.
    pub fn position_transfer(
        owner: &Pubkey,
        pool: &Pubkey,
        token_account: &Pubkey,
    ) -> accounts::PositionTransfer {
        accounts::PositionTransfer {
            owner: *owner,
            config: pda::staking::config(),
            pool: *pool,
            position: pda::staking::position(pool, owner),
            vault: pda::staking::vault(pool),
            token_account: *token_account,
            token_program: spl_token::ID,
        }
    }

    pub fn stake(
        owner: &Pubkey,
        pool: &Pubkey,
        token_account: &Pubkey,
        amount: u64,
    ) -> Instruction {
        program_ix(
            ID,
            instruction::Stake { amount },
            position_transfer(owner, pool, token_account),
        )
    }

    pub fn claim_rewards(owner: &Pubkey, pool: &Pubkey, token_account: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::ClaimRewards {},
            position_transfer(owner, pool, token_account),
        )
    }
}

/// The market's instructions. Batches carry each device's accounts as remaining accounts, in the
/// order the program reads them.
pub mod market {
    use {
        super::*,
        ::market::{
            accounts, instruction, state::WorkloadSpec, CreateReservationArgs, InitializeArgs,
            UpdateConfigArgs, ID,
        },
        pda::market as pda,
    };

    /// An instruction to the market from Anchor's generated instruction data and accounts.
    pub fn market_ix(data: impl InstructionData, accounts: impl ToAccountMetas) -> Instruction {
        program_ix(ID, data, accounts)
    }

    pub fn initialize(authority: &Pubkey, args: InitializeArgs) -> Instruction {
        program_ix(
            ID,
            instruction::Initialize { args },
            accounts::Initialize {
                authority: *authority,
                // The program id's own key signs as the deployer (the rule for a program
                // without `ProgramData`, as the test chain loads them).
                deployer: ID,
                program: ID,
                program_data: program_data_address(&ID),
                config: pda::config(),
                system_program: system_program::ID,
            },
        )
    }

    pub fn update_config(authority: &Pubkey, args: UpdateConfigArgs) -> Instruction {
        program_ix(
            ID,
            instruction::UpdateConfig { args },
            accounts::UpdateConfig {
                authority: *authority,
                config: pda::config(),
            },
        )
    }

    /// `renter` opens reservation `id` paid in `payment_mint`.
    pub fn create_reservation(
        renter: &Pubkey,
        payment_mint: &Pubkey,
        id: u64,
        hours: u32,
        workload: WorkloadSpec,
    ) -> Instruction {
        let reservation = pda::reservation(renter, id);
        program_ix(
            ID,
            instruction::CreateReservation {
                args: CreateReservationArgs {
                    id,
                    hours,
                    workload,
                },
            },
            accounts::CreateReservation {
                renter: *renter,
                config: pda::config(),
                token_config: crate::pda::iotoken::config(),
                payment_mint: *payment_mint,
                reservation,
                vault: pda::vault(&reservation),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        )
    }

    /// Books `devices` (each with its staking pool) into `renter`'s reservation `id`, paying at
    /// most `max_payment` from `payment_source`. Remaining accounts per device: the device
    /// (writable), its pool and its booking (writable).
    pub fn book_devices(
        renter: &Pubkey,
        id: u64,
        payment_source: &Pubkey,
        devices: &[(Pubkey, Pubkey)],
        max_payment: u64,
    ) -> Instruction {
        let reservation = pda::reservation(renter, id);
        let mut instruction = program_ix(
            ID,
            instruction::BookDevices { max_payment },
            accounts::BookDevices {
                renter: *renter,
                config: pda::config(),
                reservation,
                vault: pda::vault(&reservation),
                payment_source: *payment_source,
                token_config: crate::pda::iotoken::config(),
                price_feed: crate::pda::iotoken::price_feed(),
                staking_config: crate::pda::staking::config(),
                registry_config: crate::pda::registry::config(),
                registry_lock: pda::registry_lock(),
                registry_program: ::registry::ID,
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
        );
        for (device, pool) in devices {
            instruction.accounts.extend([
                AccountMeta::new(*device, false),
                AccountMeta::new_readonly(*pool, false),
                AccountMeta::new(pda::booking(&reservation, device), false),
            ]);
        }
        instruction
    }

    /// `agent` acknowledges the start of `device`'s booking in `reservation`.
    pub fn acknowledge_start(agent: &Pubkey, reservation: &Pubkey, device: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::AcknowledgeStart {},
            accounts::AcknowledgeStart {
                agent: *agent,
                reservation: *reservation,
                booking: pda::booking(reservation, device),
                device: *device,
            },
        )
    }

    /// Extends the bookings of `devices` by `extra_hours`. Remaining accounts per device: its
    /// booking (writable) and the device.
    pub fn extend_bookings(
        renter: &Pubkey,
        id: u64,
        payment_source: &Pubkey,
        devices: &[Pubkey],
        extra_hours: u32,
        max_payment: u64,
    ) -> Instruction {
        let reservation = pda::reservation(renter, id);
        let mut instruction = program_ix(
            ID,
            instruction::ExtendBookings {
                extra_hours,
                max_payment,
            },
            accounts::ExtendBookings {
                renter: *renter,
                config: pda::config(),
                reservation,
                vault: pda::vault(&reservation),
                payment_source: *payment_source,
                token_config: crate::pda::iotoken::config(),
                price_feed: crate::pda::iotoken::price_feed(),
                registry_config: crate::pda::registry::config(),
                token_program: spl_token::ID,
            },
        );
        for device in devices {
            instruction.accounts.extend([
                AccountMeta::new(pda::booking(&reservation, device), false),
                AccountMeta::new_readonly(*device, false),
            ]);
        }
        instruction
    }

    pub fn cancel_reservation(renter: &Pubkey, reservation: &Pubkey) -> Instruction {
        program_ix(
            ID,
            instruction::CancelReservation {},
            accounts::CancelReservation {
                renter: *renter,
                reservation: *reservation,
            },
        )
    }

    /// One booking of a settlement: its device, the account the owner is paid into and the
    /// device's staking pool (whose vault is derived).
    #[derive(Clone, Copy, Debug)]
    pub struct Settlement {
        pub device: Pubkey,
        pub payee: Pubkey,
        pub pool: Pubkey,
    }

    /// The reservation a settlement is for: its renter and id, and its payment mint.
    #[derive(Clone, Copy, Debug)]
    pub struct Settled {
        pub renter: Pubkey,
        pub id: u64,
        pub payment_mint: Pubkey,
    }

    /// `settler` settles `bookings` of `reservation`, its tips paid into `tip_account`. Remaining
    /// accounts per booking, all writable: the booking, the device, the payee, the pool and the
    /// pool's vault.
    pub fn settle_bookings(
        settler: &Pubkey,
        tip_account: &Pubkey,
        reservation: &Settled,
        bookings: &[Settlement],
    ) -> Instruction {
        let key = pda::reservation(&reservation.renter, reservation.id);
        let mut instruction = program_ix(
            ID,
            instruction::SettleBookings {},
            accounts::SettleBookings {
                settler: *settler,
                tip_account: *tip_account,
                config: pda::config(),
                reservation: key,
                vault: pda::vault(&key),
                renter: reservation.renter,
                treasury: crate::pda::iotoken::treasury(&reservation.payment_mint),
                io_treasury: crate::pda::iotoken::treasury(&crate::pda::iotoken::io_mint()),
                token_config: crate::pda::iotoken::config(),
                price_feed: crate::pda::iotoken::price_feed(),
                registry_config: crate::pda::registry::config(),
                staking_config: crate::pda::staking::config(),
                registry_lock: pda::registry_lock(),
                slasher: pda::slasher(),
                registry_program: ::registry::ID,
                staking_program: ::staking::ID,
                token_program: spl_token::ID,
            },
        );
        for booking in bookings {
            instruction.accounts.extend([
                AccountMeta::new(pda::booking(&key, &booking.device), false),
                AccountMeta::new(booking.device, false),
                AccountMeta::new(booking.payee, false),
                AccountMeta::new(booking.pool, false),
                AccountMeta::new(crate::pda::staking::vault(&booking.pool), false),
            ]);
        }
        instruction
    }

    /// `renter` claims the refunds owed by its reservation `id` into `destination`.
    pub fn claim_refund(renter: &Pubkey, id: u64, destination: &Pubkey) -> Instruction {
        claim_refund_by(renter, renter, id, destination)
    }

    /// `caller` claims the refunds owed to `renter` by its reservation `id` into `destination`.
    pub fn claim_refund_by(
        caller: &Pubkey,
        renter: &Pubkey,
        id: u64,
        destination: &Pubkey,
    ) -> Instruction {
        let reservation = pda::reservation(renter, id);
        program_ix(
            ID,
            instruction::ClaimRefund {},
            accounts::ClaimRefund {
                caller: *caller,
                renter: *renter,
                reservation,
                vault: pda::vault(&reservation),
                destination: *destination,
                token_program: spl_token::ID,
            },
        )
    }

    /// `renter` closes reservation `id` paid in `payment_mint` (its surplus to that mint's
    /// treasury account).
    pub fn close_reservation(renter: &Pubkey, id: u64, payment_mint: &Pubkey) -> Instruction {
        close_reservation_by(renter, renter, id, payment_mint)
    }

    /// `caller` closes `renter`'s reservation `id` paid in `payment_mint`.
    pub fn close_reservation_by(
        caller: &Pubkey,
        renter: &Pubkey,
        id: u64,
        payment_mint: &Pubkey,
    ) -> Instruction {
        let reservation = pda::reservation(renter, id);
        program_ix(
            ID,
            instruction::CloseReservation {},
            accounts::CloseReservation {
                caller: *caller,
                renter: *renter,
                reservation,
                vault: pda::vault(&reservation),
                treasury: crate::pda::iotoken::treasury(payment_mint),
                token_program: spl_token::ID,
            },
        )
    }
}
