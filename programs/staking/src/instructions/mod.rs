pub mod admin;
pub mod governance;
pub mod operator;
pub mod rewards;
pub mod slashing;
pub mod staker;

pub use {admin::*, governance::*, operator::*, rewards::*, slashing::*, staker::*};
