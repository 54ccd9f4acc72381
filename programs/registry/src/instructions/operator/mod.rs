pub mod change_agent;
pub mod change_device;
pub mod deregister_device;
pub mod operate_device;
pub mod pause_device;
pub mod register_device;
pub mod rename_device;
pub mod resume_device;
pub mod set_endpoint;
pub mod update_device;

pub use {
    change_agent::*, change_device::*, deregister_device::*, operate_device::*, register_device::*,
    update_device::*,
};
