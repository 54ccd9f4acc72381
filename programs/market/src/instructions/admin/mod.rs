pub mod initialize;
pub mod update_config;

pub use {initialize::*, update_config::*};
