use {
    crate::{
        errors::RegistryError, events::AvailabilityRootPosted, math::current_epoch,
        merkle::MAX_LEAVES_PER_SHARD, state::*,
    },
    anchor_lang::prelude::*,
};

/// Scale-path prototype: a bonded keeper posts the Merkle root over one shard of an ended epoch's
/// devices it verified off-chain (leaves `(index, device, weight)`, see `merkle`). One account per
/// epoch, shard and keeper: a root cannot be replaced, and no keeper can take a shard from the
/// others by posting first. Rewards are not paid from roots: the README describes the dispute
/// window that must come first.
#[derive(Accounts)]
#[instruction(epoch: u64, shard: u16, root: [u8; 32], leaf_count: u32)]
pub struct PostAvailabilityRoot<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        constraint = keeper.is_active() @ RegistryError::KeeperUnbonding,
    )]
    pub keeper: Box<Account<'info, Keeper>>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
        constraint = (1..=MAX_LEAVES_PER_SHARD).contains(&leaf_count) @ RegistryError::InvalidLeafCount,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    #[account(
        init,
        payer = authority,
        space = AvailabilityRoot::space(leaf_count),
        seeds = [AVAILABILITY_ROOT_SEED, &epoch.to_le_bytes(), &shard.to_le_bytes(), keeper.key().as_ref()],
        bump,
    )]
    pub availability_root: Box<Account<'info, AvailabilityRoot>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(
    ctx: Context<PostAvailabilityRoot>,
    epoch: u64,
    shard: u16,
    root: [u8; 32],
    leaf_count: u32,
    total_weight: u64,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    // Only an ended epoch: its set of live devices is final.
    require!(
        epoch < current_epoch(ctx.accounts.config.epoch_origin, now)?,
        RegistryError::EpochNotEnded
    );
    let keeper = ctx.accounts.keeper.key();
    ctx.accounts.availability_root.set_inner(AvailabilityRoot {
        epoch,
        shard,
        root,
        leaf_count,
        total_weight,
        posted_by: keeper,
        posted_at: now,
        leaves_proven: 0,
        bump: ctx.bumps.availability_root,
        proven: vec![0; (leaf_count as usize).div_ceil(8)],
    });
    emit!(AvailabilityRootPosted {
        epoch,
        shard,
        root,
        leaf_count,
        total_weight,
        keeper,
    });
    Ok(())
}
