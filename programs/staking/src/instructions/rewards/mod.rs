pub mod deposit_rewards;

pub use deposit_rewards::*;
