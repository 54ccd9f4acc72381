pub mod config;
pub mod pool;
pub mod position;
pub mod proposal;
pub mod registry_device;
pub mod seeds;

pub use {config::*, pool::*, position::*, proposal::*, registry_device::*, seeds::*};
