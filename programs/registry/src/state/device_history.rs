use anchor_lang::prelude::*;

/// `["device_history", sha256(device_id)]`: what a deregistered device's record said, kept so
/// that registering the same device id again restores it instead of starting clean (a failed
/// device cannot wipe its failures by leaving and coming back). Created by `deregister_device`,
/// closed by the next `register_device` of the id, which copies it into the device.
#[account]
#[derive(InitSpace, Debug)]
pub struct DeviceHistory {
    pub device_id_hash: [u8; 32],
    pub passes: u32,
    pub failures: u32,
    pub reservations_completed: u32,
    pub longest_uptime_streak: u32,
    /// Last epoch that became a failure, or `NO_EPOCH`.
    pub last_failure_epoch: u64,
    /// Unix seconds.
    pub deregistered_at: i64,
    pub bump: u8,
}
