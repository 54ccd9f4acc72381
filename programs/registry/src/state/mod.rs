pub mod availability;
pub mod config;
pub mod device;
pub mod keeper;
pub mod seeds;

pub use {availability::*, config::*, device::*, keeper::*, seeds::*};
