pub mod lock_device;
pub mod market_lock;
pub mod release_device;

pub use {lock_device::*, market_lock::*, release_device::*};
