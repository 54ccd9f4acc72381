use {crate::math::emission::POOL_COUNT, anchor_lang::prelude::*};

/// What closing one epoch minted. Created by `end_epoch` at `["epoch", epoch]`, never changed;
/// the registry and staking programs read each epoch's pools from here.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochRecord {
    pub epoch: u64,
    pub start_time: i64,
    pub end_time: i64,
    /// The schedule's emission for the epoch, after clamping, in IO base units.
    pub scheduled_emission: u64,
    /// Re-emitted burned IO, in IO base units.
    pub net_emission: u64,
    /// Minted into each reward pool: availability, compute, stakers, keepers.
    pub pools: [u64; POOL_COUNT],
    /// Minted to the keeper that closed the epoch.
    pub crank_tip: u64,
    pub cranked_by: Pubkey,
    pub cranked_at: i64,
    /// IO supply right after this epoch's mint (epochs closed in one transaction count in order).
    pub supply_after: u64,
    pub bump: u8,
    /// Whether each pool's share of this epoch was drawn by its distributor (at most once).
    pub drawn: [bool; POOL_COUNT],
}
