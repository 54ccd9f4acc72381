pub mod admin;
pub mod agent;
pub mod crank;
pub mod renter;

pub use {admin::*, agent::*, crank::*, renter::*};
