pub mod claim_rewards;
pub mod close_position;
pub mod lock;
pub mod open_position;
pub mod position_accounts;
pub mod stake;
pub mod unstake;
pub mod withdraw;

pub use {close_position::*, open_position::*, position_accounts::*};
