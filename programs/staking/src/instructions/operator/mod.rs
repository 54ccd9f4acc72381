pub mod open_pool;
pub mod self_stake_accounts;
pub mod set_pool_terms;
pub mod stake_self;
pub mod unstake_self;
pub mod withdraw_self;

pub use {
    open_pool::*, self_stake_accounts::*, set_pool_terms::*, unstake_self::*, withdraw_self::*,
};
