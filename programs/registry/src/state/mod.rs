pub mod config;
pub mod device;
pub mod keeper;
pub mod seeds;

pub use {config::*, device::*, keeper::*, seeds::*};
