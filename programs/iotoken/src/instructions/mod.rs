pub mod admin;
pub mod crank;
pub mod oracle;
pub mod user;

pub use {admin::*, crank::*, oracle::*, user::*};
