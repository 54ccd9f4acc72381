pub mod buyback_burn;
pub mod draw_epoch_pool;
pub mod end_epoch;

pub use {buyback_burn::*, draw_epoch_pool::*, end_epoch::*};
