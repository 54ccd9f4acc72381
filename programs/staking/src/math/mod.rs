//! Pure arithmetic of the staking program: shares, the reward index, minimum stake, voting
//! weight and slashing. No accounts here, so every formula is unit-tested beside its definition
//! and mirrored one-to-one in `sdk/src/staking/math.ts` (checked by shared vectors).

pub mod governance;
pub mod rewards;
pub mod shares;
pub mod slashing;
pub mod stake;
#[cfg(test)]
mod vectors;

use crate::errors::StakingError;

iotoken::define_safe_math!(StakingError::MathOverflow);

pub use iotoken::math::{BPS_DENOMINATOR, IO};

pub const DAY_SECS: i64 = 86_400;
/// Shortest lock: 14 days.
pub const MIN_LOCK_SECS: i64 = 14 * DAY_SECS;
/// Longest lock, and the lock remaining at which voting weight reaches its cap: 4 x 365 days.
pub const MAX_LOCK_SECS: i64 = 4 * 365 * DAY_SECS;
/// Voting weight of unlocked stake, in basis points of its IO (1x)...
pub const BASE_WEIGHT_BPS: u64 = 10_000;
/// ...plus up to this much more with 4 years of lock remaining (4x in total).
pub const MAX_LOCK_BONUS_BPS: u64 = 30_000;
/// GPU class multipliers are in hundredths; a class never lowers the minimum stake below 1x.
pub const MULTIPLIER_ONE: u16 = 100;
