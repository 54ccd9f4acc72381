//! Events, one per state change. Prices are IOSD base units (1e6 = 1 USD) per GPU-hour, token
//! amounts are base units of the named mint, times are unix seconds.

use {crate::state::*, anchor_lang::prelude::*};

#[event]
pub struct ConfigInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub bond_mint: Pubkey,
    pub keeper_bond_amount: u64,
    pub keeper_unbond_cooldown_secs: i64,
}

#[event]
pub struct ConfigUpdated {
    pub config: Pubkey,
    pub authority_before: Pubkey,
    pub authority_after: Pubkey,
    pub bond_mint_before: Pubkey,
    pub bond_mint_after: Pubkey,
    pub keeper_bond_amount_before: u64,
    pub keeper_bond_amount_after: u64,
    pub keeper_unbond_cooldown_secs_before: i64,
    pub keeper_unbond_cooldown_secs_after: i64,
    pub market_program_before: Pubkey,
    pub market_program_after: Pubkey,
    pub availability_before: AvailabilityParams,
    pub availability_after: AvailabilityParams,
}

#[event]
pub struct DeviceRegistered {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub agent: Pubkey,
    pub device_id: String,
    pub name: String,
    pub gpu_model: String,
    pub region: String,
    pub specs: DeviceSpecs,
    pub price_per_gpu_hour: u64,
    pub registered_at: i64,
}

#[event]
pub struct DeviceUpdated {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub agent_before: Pubkey,
    pub agent_after: Pubkey,
    pub gpu_model_before: String,
    pub gpu_model_after: String,
    pub region_before: String,
    pub region_after: String,
    pub specs_before: DeviceSpecs,
    pub specs_after: DeviceSpecs,
    pub price_per_gpu_hour_before: u64,
    pub price_per_gpu_hour_after: u64,
    pub updated_at: i64,
}

#[event]
pub struct DeviceRenamed {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub name_before: String,
    pub name_after: String,
    pub updated_at: i64,
}

#[event]
pub struct DeviceEndpointSet {
    pub device: Pubkey,
    /// The owner or the agent.
    pub signer: Pubkey,
    pub endpoint_before: String,
    pub endpoint_after: String,
    pub updated_at: i64,
}

#[event]
pub struct DeviceStatusChanged {
    pub device: Pubkey,
    /// The owner or the agent.
    pub signer: Pubkey,
    pub status_before: DeviceStatus,
    pub status_after: DeviceStatus,
    pub updated_at: i64,
}

#[event]
pub struct DeviceDeregistered {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub device_id: String,
    /// Lamports of rent returned to the owner.
    pub rent_returned: u64,
}

#[event]
pub struct DeviceLocked {
    pub device: Pubkey,
    pub reservation: Pubkey,
}

#[event]
pub struct DeviceReleased {
    pub device: Pubkey,
    pub reservation: Pubkey,
    pub outcome: ReservationOutcome,
    /// The device's counters after the outcome was recorded.
    pub reservations_completed: u32,
    pub failures: u32,
    pub reputation_bps: u16,
}

#[event]
pub struct KeeperRegistered {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    pub bond_mint: Pubkey,
    pub bond_amount: u64,
    pub registered_at: i64,
}

#[event]
pub struct KeeperUnbondRequested {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    pub requested_at: i64,
    pub withdrawable_at: i64,
}

#[event]
pub struct KeeperBondWithdrawn {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    pub bond_mint: Pubkey,
    pub bond_amount: u64,
}

#[event]
pub struct RewardsInitialized {
    pub epoch_origin: i64,
    pub availability_vault: Pubkey,
    pub keeper_tips_vault: Pubkey,
}

/// A keeper attested a device's signed probe for an epoch.
#[event]
pub struct DeviceAttested {
    pub device: Pubkey,
    pub keeper: Pubkey,
    pub epoch: u64,
    pub probe_slot: u64,
    pub benchmark_hash: [u8; 32],
    /// Whether the device met its minimum stake; only then does it earn `weight`.
    pub qualified: bool,
    pub weight: u64,
    pub stake: u64,
    pub minimum_stake: u64,
    pub uptime_streak: u32,
    pub reputation_bps: u16,
}

#[event]
pub struct FailureReported {
    pub device: Pubkey,
    pub keeper: Pubkey,
    pub epoch: u64,
    pub reports: u8,
    pub quorum: u8,
}

/// A quorum of keepers found the device down in an epoch without a pass.
#[event]
pub struct DeviceFailed {
    pub device: Pubkey,
    pub epoch: u64,
    pub failures: u32,
    pub reputation_bps: u16,
}

#[event]
pub struct AvailabilityEpochClosed {
    pub epoch: u64,
    pub total_weight: u64,
    pub qualified_passes: u32,
    /// IO base units drawn for devices and for keepers.
    pub device_rewards: u64,
    pub keeper_rewards: u64,
}

#[event]
pub struct AvailabilityRewardsClaimed {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub epochs_settled: u32,
    /// IO base units: to the owner's account and deposited for the device's co-stakers.
    pub to_owner: u64,
    pub to_stakers: u64,
    pub claimed_total: u64,
}

#[event]
pub struct KeeperTipsClaimed {
    pub keeper: Pubkey,
    pub epochs_settled: u32,
    /// IO base units.
    pub amount: u64,
    pub claimed_total: u64,
}

#[event]
pub struct AvailabilityRootPosted {
    pub epoch: u64,
    pub shard: u16,
    pub root: [u8; 32],
    pub leaf_count: u32,
    pub total_weight: u64,
    pub keeper: Pubkey,
}

#[event]
pub struct AvailabilityLeafProven {
    pub epoch: u64,
    pub shard: u16,
    pub index: u32,
    pub device: Pubkey,
    pub weight: u64,
    pub leaves_proven: u32,
}
