//! Instructions over a batch of devices take each device's accounts, in a fixed number and
//! order, as remaining accounts.

use {crate::errors::MarketError, anchor_lang::prelude::*, std::slice::Chunks};

/// Devices one `book_devices`, `extend_bookings` or `settle_bookings` instruction may carry.
pub const MAX_BATCH_DEVICES: usize = 16;

/// `remaining` split into each device's `per_device` accounts: 1 to `MAX_BATCH_DEVICES` devices
/// with all of their accounts, else `InvalidBatch`.
pub fn device_batch<'a, 'info>(
    remaining: &'a [AccountInfo<'info>],
    per_device: usize,
) -> Result<Chunks<'a, AccountInfo<'info>>> {
    require!(
        !remaining.is_empty()
            && remaining.len().is_multiple_of(per_device)
            && remaining.len() / per_device <= MAX_BATCH_DEVICES,
        MarketError::InvalidBatch
    );
    Ok(remaining.chunks(per_device))
}
