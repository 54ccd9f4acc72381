//! iogrid device registry: GPU devices with their owners and agent keys, and keepers with their
//! bonds. Only a device's owner may change it (its agent only its operational fields: status and
//! endpoint); only the market program may lock a device to a reservation. Keepers attest devices'
//! signed availability probes each epoch; the epoch's availability pool is shared by attested
//! weight and each device's share settled lazily, when it is next attested or claimed.

// Every instruction module exports its own `handler`; dispatch below names the module.
#![allow(ambiguous_glob_reexports)]
// `#[program]` emits, beside the module, IDL-account handlers that call `AccountInfo::realloc`,
// deprecated since solana-program 2.2; the attribute cannot be scoped to generated code.
#![allow(deprecated)]

use {anchor_lang::prelude::*, state::ReservationOutcome};

pub mod assignment;
pub mod epoch_record;
pub mod errors;
pub mod events;
pub mod failures;
pub mod instructions;
pub mod math;
pub mod merkle;
pub mod probe;
pub mod rewards;
pub mod stake;
pub mod state;
pub mod validation;

pub use instructions::*;

declare_id!("REGJTqN4p17Fm1qS4Ew5M6gtafDvrKqMWSVJC6PWNbj");

#[program]
pub mod registry {
    use super::*;

    pub fn initialize_config(
        ctx: Context<InitializeConfig>,
        args: InitializeConfigArgs,
    ) -> Result<()> {
        initialize_config::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
        update_config::handler(ctx, args)
    }

    pub fn register_device(ctx: Context<RegisterDevice>, args: RegisterDeviceArgs) -> Result<()> {
        register_device::handler(ctx, args)
    }

    pub fn update_device(ctx: Context<ChangeDevice>, args: UpdateDeviceArgs) -> Result<()> {
        update_device::handler(ctx, args)
    }

    pub fn rename_device(ctx: Context<ChangeDevice>, name: String) -> Result<()> {
        rename_device::handler(ctx, name)
    }

    pub fn pause_device(ctx: Context<OperateDevice>) -> Result<()> {
        pause_device::handler(ctx)
    }

    pub fn resume_device(ctx: Context<OperateDevice>) -> Result<()> {
        resume_device::handler(ctx)
    }

    pub fn set_endpoint(ctx: Context<OperateDevice>, endpoint: String) -> Result<()> {
        set_endpoint::handler(ctx, endpoint)
    }

    pub fn change_agent(ctx: Context<ChangeAgent>) -> Result<()> {
        change_agent::handler(ctx)
    }

    pub fn deregister_device(ctx: Context<DeregisterDevice>) -> Result<()> {
        deregister_device::handler(ctx)
    }

    pub fn register_keeper(ctx: Context<RegisterKeeper>, bond_amount: u64) -> Result<()> {
        register_keeper::handler(ctx, bond_amount)
    }

    pub fn add_bond(ctx: Context<AddBond>, amount: u64) -> Result<()> {
        add_bond::handler(ctx, amount)
    }

    pub fn request_unbond(ctx: Context<RequestUnbond>) -> Result<()> {
        request_unbond::handler(ctx)
    }

    pub fn withdraw_bond(ctx: Context<WithdrawBond>) -> Result<()> {
        withdraw_bond::handler(ctx)
    }

    pub fn initialize_rewards(ctx: Context<InitializeRewards>) -> Result<()> {
        initialize_rewards::handler(ctx)
    }

    pub fn open_availability_epoch(ctx: Context<OpenAvailabilityEpoch>) -> Result<()> {
        open_availability_epoch::handler(ctx)
    }

    pub fn attest_availability<'info>(
        ctx: Context<'_, '_, 'info, 'info, AttestAvailability<'info>>,
        device_count: u8,
    ) -> Result<()> {
        attest_availability::handler(ctx, device_count)
    }

    pub fn report_failure(ctx: Context<ReportFailure>) -> Result<()> {
        report_failure::handler(ctx)
    }

    pub fn close_availability_epoch(ctx: Context<CloseAvailabilityEpoch>) -> Result<()> {
        close_availability_epoch::handler(ctx)
    }

    pub fn claim_availability_rewards<'info>(
        ctx: Context<'_, '_, 'info, 'info, ClaimAvailabilityRewards<'info>>,
    ) -> Result<()> {
        claim_availability_rewards::handler(ctx)
    }

    pub fn claim_keeper_tips<'info>(
        ctx: Context<'_, '_, 'info, 'info, ClaimKeeperTips<'info>>,
    ) -> Result<()> {
        claim_keeper_tips::handler(ctx)
    }

    pub fn post_availability_root(
        ctx: Context<PostAvailabilityRoot>,
        epoch: u64,
        shard: u16,
        root: [u8; 32],
        leaf_count: u32,
        total_weight: u64,
    ) -> Result<()> {
        post_availability_root::handler(ctx, epoch, shard, root, leaf_count, total_weight)
    }

    pub fn prove_availability_leaf(
        ctx: Context<ProveAvailabilityLeaf>,
        index: u32,
        weight: u64,
        proof: Vec<[u8; 32]>,
    ) -> Result<()> {
        prove_availability_leaf::handler(ctx, index, weight, proof)
    }

    pub fn lock_device(ctx: Context<MarketLock>, reservation: Pubkey) -> Result<()> {
        lock_device::handler(ctx, reservation)
    }

    pub fn release_device(
        ctx: Context<MarketLock>,
        reservation: Pubkey,
        outcome: ReservationOutcome,
    ) -> Result<()> {
        release_device::handler(ctx, reservation, outcome)
    }
}
