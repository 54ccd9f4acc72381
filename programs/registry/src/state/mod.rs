pub mod availability;
pub mod availability_root;
pub mod config;
pub mod device;
pub mod device_history;
pub mod keeper;
pub mod seeds;

pub use {
    availability::*, availability_root::*, config::*, device::*, device_history::*, keeper::*,
    seeds::*,
};
