pub mod append_schedule_rows;
pub mod change_schedule;
pub mod initialize;
pub mod initialize_pools;
pub mod lower_schedule_row;
pub mod mint_genesis;
pub mod seal_schedule;
pub mod set_pool_distributor;
pub mod update_config;

pub use {
    change_schedule::*, initialize::*, initialize_pools::*, mint_genesis::*, seal_schedule::*,
    set_pool_distributor::*, update_config::*,
};
