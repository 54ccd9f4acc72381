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
    /// Counters restored from an earlier registration of the same device id.
    pub passes: u32,
    pub failures: u32,
    pub reservations_completed: u32,
    pub registered_slot: u64,
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
    /// Lamports of rent returned to the owner (less the history record's rent).
    pub rent_returned: u64,
    /// The `["device_history", sha256(device_id)]` record keeping its counters.
    pub history: Pubkey,
    pub passes: u32,
    pub failures: u32,
}

/// The owner moved the device to a new agent key, which co-signed.
#[event]
pub struct DeviceAgentChanged {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub agent_before: Pubkey,
    pub agent_after: Pubkey,
    pub changed_at: i64,
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

/// A keeper added to its bond (assignment weight from the next epoch's record on).
#[event]
pub struct KeeperBondAdded {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    /// Bond mint base units.
    pub amount: u64,
    pub bond_before: u64,
    pub bond_after: u64,
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
    /// Bond mint base units returned to the keeper.
    pub bond_amount: u64,
    /// Bond mint base units forfeited for contradicted reports, sent to iotoken's treasury.
    pub forfeited: u64,
}

#[event]
pub struct RewardsInitialized {
    pub epoch_origin: i64,
    pub availability_vault: Pubkey,
    pub keeper_tips_vault: Pubkey,
}

/// An assigned keeper passed a device's signed probe for an epoch.
#[event]
pub struct DeviceAttested {
    pub device: Pubkey,
    pub keeper: Pubkey,
    pub epoch: u64,
    pub probe_slot: u64,
    pub benchmark_hash: [u8; 32],
    /// This pass's number in the epoch, and the passes the epoch requires; the device is
    /// attested for the epoch (and earns) with the pass that reaches them.
    pub pass_number: u8,
    pub passes_required: u8,
    pub attested: bool,
    /// Whether the device met its minimum stake; only then does it earn `weight` (added to the
    /// epoch's total with the pass that attests it).
    pub qualified: bool,
    pub weight: u64,
    pub stake: u64,
    pub minimum_stake: u64,
    pub uptime_streak: u32,
    pub reputation_bps: u16,
}

/// An assigned keeper reported the device down.
#[event]
pub struct FailureReported {
    pub device: Pubkey,
    pub keeper: Pubkey,
    pub epoch: u64,
    pub reports: u8,
    pub quorum: u8,
    /// The reports reached the quorum with this one: a failure unless a pass of the device in
    /// the same epoch overrides it.
    pub quorum_reached: bool,
    pub reported_at: i64,
}

/// A pass contradicted the epoch's failure reports: they no longer count, and each reporter
/// forfeited `penalty` of its bond (bond mint base units).
#[event]
pub struct FailureReportsOverridden {
    pub device: Pubkey,
    pub epoch: u64,
    pub keeper: Pubkey,
    pub reporters: Vec<Pubkey>,
    pub penalties: Vec<u64>,
}

/// A failure quorum of an ended epoch that no pass overrode became a failure on the device's
/// record.
#[event]
pub struct DeviceFailed {
    pub device: Pubkey,
    pub epoch: u64,
    /// When the first report of the quorum came in (unix seconds).
    pub found_down_at: i64,
    /// The device was locked to a reservation then.
    pub during_reservation: bool,
    pub failures: u32,
    pub reputation_bps: u16,
}

/// An epoch's availability record opened: its keeper snapshot and the slot whose hash will seed
/// its keeper assignment.
#[event]
pub struct AvailabilityEpochOpened {
    pub epoch: u64,
    pub opened_slot: u64,
    pub seed_slot: u64,
    /// Bond mint base units.
    pub keeper_bond_total: u64,
    pub keeper_count: u32,
    pub committee_size: u8,
    pub passes_required: u8,
}

/// An epoch's assignment seed was fixed from its seed slot's hash.
#[event]
pub struct AvailabilitySeedFixed {
    pub epoch: u64,
    pub seed_slot: u64,
    pub seed: [u8; 32],
}

/// The seed slot had no hash (skipped, or too old): a new seed slot was chosen.
#[event]
pub struct AvailabilitySeedRearmed {
    pub epoch: u64,
    pub seed_slot_before: u64,
    pub seed_slot_after: u64,
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
