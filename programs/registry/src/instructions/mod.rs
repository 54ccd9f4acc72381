pub mod admin;
pub mod keeper;
pub mod market;
pub mod operator;

pub use {admin::*, keeper::*, market::*, operator::*};
