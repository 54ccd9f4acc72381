//! Turning a device's failure quorum into a failure on its record, once its epoch has ended
//! without a pass overriding it; every instruction that reads or changes a device's failures
//! starts here.

use {
    crate::{events::DeviceFailed, math::current_epoch, state::*},
    anchor_lang::prelude::*,
};

/// Counts an ended epoch's unopposed quorum on `device` as a failure (once), with its event.
pub fn settle_device_failure(device: &mut Account<Device>, epoch: u64) {
    let locked = device.is_reserved();
    if let Some(failed) = device.availability.settle_failure(epoch, locked) {
        emit!(DeviceFailed {
            device: device.key(),
            epoch: failed,
            found_down_at: device.availability.first_report_at,
            during_reservation: locked,
            failures: device.availability.failures,
            reputation_bps: device.availability.reputation_bps,
        });
    }
}

/// `settle_device_failure` at `now`; nothing before epochs begin (no report can exist then).
pub fn settle_device_failure_at(device: &mut Account<Device>, origin: i64, now: i64) {
    if let Ok(epoch) = current_epoch(origin, now) {
        settle_device_failure(device, epoch);
    }
}
