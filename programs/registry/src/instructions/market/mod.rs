pub mod lock_device;
pub mod market_lock;
pub mod release_device;

pub use market_lock::*;
