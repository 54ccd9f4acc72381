pub mod register_keeper;
pub mod request_unbond;
pub mod withdraw_bond;

pub use {register_keeper::*, request_unbond::*, withdraw_bond::*};
