pub mod initialize;
pub mod set_authority;
pub mod update_config;

pub use {initialize::*, update_config::*};
