//! iogrid staking program: a stake pool per registry device (operator self-stake and co-staking
//! with a reward share), rewards spread by a reward-per-share index, lockups that weigh votes, a
//! cooldown on every unstake, slashing only by programs that proved a fault, and governance:
//! typed parameter changes voted by stake and executed through a PDA that is the config authority
//! of iotoken, registry and staking.

// Every instruction module exports its own `handler`; dispatch below names the module.
#![allow(ambiguous_glob_reexports)]
// `#[program]` emits, beside the module, IDL-account handlers that call `AccountInfo::realloc`,
// deprecated since solana-program 2.2; the attribute cannot be scoped to generated code.
#![allow(deprecated)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod state;
pub mod validation;
pub mod vault;

pub use {
    instructions::*,
    state::{ParameterChange, VoteSide},
};

declare_id!("SthM8DZzYRSBV9NuYHQ3GmBeUjZeFVURjE7DzkQFyMq");

#[program]
pub mod staking {
    use super::*;

    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        initialize::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateConfig>, change: ParameterChange) -> Result<()> {
        update_config::handler(ctx, change)
    }

    pub fn set_authority(ctx: Context<UpdateConfig>, new_authority: Pubkey) -> Result<()> {
        set_authority::handler(ctx, new_authority)
    }

    pub fn open_pool(
        ctx: Context<OpenPool>,
        staker_share_bps: u16,
        costaking_open: bool,
    ) -> Result<()> {
        open_pool::handler(ctx, staker_share_bps, costaking_open)
    }

    pub fn set_pool_terms(
        ctx: Context<SetPoolTerms>,
        staker_share_bps: u16,
        costaking_open: bool,
    ) -> Result<()> {
        set_pool_terms::handler(ctx, staker_share_bps, costaking_open)
    }

    pub fn stake_self(ctx: Context<SelfStakeTransfer>, amount: u64) -> Result<()> {
        stake_self::handler(ctx, amount)
    }

    pub fn unstake_self(ctx: Context<UnstakeSelf>, amount: u64) -> Result<()> {
        unstake_self::handler(ctx, amount)
    }

    pub fn withdraw_self(ctx: Context<WithdrawSelf>) -> Result<()> {
        withdraw_self::handler(ctx)
    }

    pub fn open_position(ctx: Context<OpenPosition>) -> Result<()> {
        open_position::handler(ctx)
    }

    pub fn stake(ctx: Context<PositionTransfer>, amount: u64) -> Result<()> {
        stake::handler(ctx, amount)
    }

    pub fn lock(ctx: Context<ChangePosition>, duration_secs: i64) -> Result<()> {
        lock::handler(ctx, duration_secs)
    }

    pub fn unstake(ctx: Context<ChangePosition>, amount: u64) -> Result<()> {
        unstake::handler(ctx, amount)
    }

    pub fn withdraw(ctx: Context<PositionTransfer>) -> Result<()> {
        withdraw::handler(ctx)
    }

    pub fn claim_rewards(ctx: Context<PositionTransfer>) -> Result<()> {
        claim_rewards::handler(ctx)
    }

    pub fn close_position(ctx: Context<ClosePosition>) -> Result<()> {
        close_position::handler(ctx)
    }

    pub fn deposit_rewards(ctx: Context<DepositRewards>, amount: u64) -> Result<()> {
        deposit_rewards::handler(ctx, amount)
    }

    pub fn slash(ctx: Context<Slash>, args: SlashArgs) -> Result<()> {
        slash::handler(ctx, args)
    }

    pub fn create_proposal(
        ctx: Context<CreateProposal>,
        title: String,
        change: ParameterChange,
    ) -> Result<()> {
        create_proposal::handler(ctx, title, change)
    }

    pub fn cast_vote(ctx: Context<CastVote>, side: VoteSide) -> Result<()> {
        cast_vote::handler(ctx, side)
    }

    pub fn finalize_proposal(ctx: Context<FinalizeProposal>) -> Result<()> {
        finalize_proposal::handler(ctx)
    }

    pub fn execute_proposal(ctx: Context<ExecuteProposal>) -> Result<()> {
        execute_proposal::handler(ctx)
    }
}
