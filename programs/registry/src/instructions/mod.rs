pub mod admin;
pub mod availability;
pub mod keeper;
pub mod market;
pub mod operator;

pub use {admin::*, availability::*, keeper::*, market::*, operator::*};
