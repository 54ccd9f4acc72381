pub mod claim_rewards;
pub mod lock;
pub mod open_position;
pub mod position_accounts;
pub mod stake;
pub mod unstake;
pub mod withdraw;

pub use {open_position::*, position_accounts::*};
