//! Checked arithmetic and epoch time of the registry.

use {crate::errors::RegistryError, anchor_lang::prelude::*};

iotoken::define_safe_math!(RegistryError::MathOverflow);

pub use iotoken::math::{BPS_DENOMINATOR, EPOCH_SECS};

/// The epoch running at `now`, counted from iotoken's emission origin; none before it.
pub fn current_epoch(origin: i64, now: i64) -> Result<u64> {
    require!(now >= origin, RegistryError::EmissionsNotStarted);
    Ok(((now - origin) / EPOCH_SECS) as u64)
}
