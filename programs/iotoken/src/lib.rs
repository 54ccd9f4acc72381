//! iogrid token program: the IO and IOSD mints (PDA authorities), the genesis allocation, the
//! hourly emission schedule and its permissionless crank, IO->IOSD burn-mint against the IO/USD
//! price feed, the treasury and the protocol's fee parameters. No IO or IOSD can be minted other
//! than by the rules here: genesis once, `end_epoch` within the schedule and the cap, `mint_iosd`
//! by burning IO at a fresh, conservative price.

// Every instruction module exports its own `handler`; dispatch below names the module.
#![allow(ambiguous_glob_reexports)]
// `#[program]` emits, beside the module, IDL-account handlers that call `AccountInfo::realloc`,
// deprecated since solana-program 2.2; the attribute cannot be scoped to generated code.
#![allow(deprecated)]

use anchor_lang::prelude::*;

pub mod deployer;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod pda_account;
#[cfg(not(target_os = "solana"))]
pub mod shared_vectors;
pub mod state;
pub mod token_transfer;
pub mod validation;

pub use {instructions::*, state::EmissionRow};

declare_id!("ioTdPwzYxeuwM5EU9sBex3QrpqaRqVMFbxnBXrWAM4D");

#[program]
pub mod iotoken {
    use super::*;

    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        initialize::handler(ctx, args)
    }

    pub fn initialize_pools(ctx: Context<InitializePools>) -> Result<()> {
        initialize_pools::handler(ctx)
    }

    pub fn mint_genesis(ctx: Context<MintGenesis>) -> Result<()> {
        mint_genesis::handler(ctx)
    }

    pub fn update_config(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
        update_config::handler(ctx, args)
    }

    pub fn append_schedule_rows(
        ctx: Context<ChangeSchedule>,
        rows: Vec<EmissionRow>,
    ) -> Result<()> {
        append_schedule_rows::handler(ctx, rows)
    }

    pub fn seal_schedule(ctx: Context<SealSchedule>) -> Result<()> {
        seal_schedule::handler(ctx)
    }

    pub fn lower_schedule_row(
        ctx: Context<ChangeSchedule>,
        index: u32,
        emission_per_epoch: u64,
    ) -> Result<()> {
        lower_schedule_row::handler(ctx, index, emission_per_epoch)
    }

    pub fn end_epoch<'info>(ctx: Context<'_, '_, 'info, 'info, EndEpoch<'info>>) -> Result<()> {
        end_epoch::handler(ctx)
    }

    pub fn set_pool_distributor(
        ctx: Context<SetPoolDistributor>,
        pool: u8,
        program: Pubkey,
    ) -> Result<()> {
        set_pool_distributor::handler(ctx, pool, program)
    }

    pub fn draw_epoch_pool(ctx: Context<DrawEpochPool>, pool: u8) -> Result<()> {
        draw_epoch_pool::handler(ctx, pool)
    }

    pub fn publish_price(ctx: Context<PublishPrice>, args: PublishPriceArgs) -> Result<()> {
        publish_price::handler(ctx, args)
    }

    pub fn set_price_halted(ctx: Context<SetPriceHalted>, halted: bool) -> Result<()> {
        set_price_halted::handler(ctx, halted)
    }

    pub fn mint_iosd(ctx: Context<MintIosd>, io_amount: u64, min_iosd_out: u64) -> Result<()> {
        mint_iosd::handler(ctx, io_amount, min_iosd_out)
    }

    pub fn create_treasury_account(ctx: Context<CreateTreasuryAccount>) -> Result<()> {
        create_treasury_account::handler(ctx)
    }

    pub fn buyback_burn(ctx: Context<BuybackBurn>) -> Result<()> {
        buyback_burn::handler(ctx)
    }
}
