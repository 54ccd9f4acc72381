pub mod buyback_burn;
pub mod end_epoch;

pub use {buyback_burn::*, end_epoch::*};
