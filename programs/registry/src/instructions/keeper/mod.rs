pub mod add_bond;
pub mod register_keeper;
pub mod request_unbond;
pub mod withdraw_bond;

pub use {add_bond::*, register_keeper::*, request_unbond::*, withdraw_bond::*};
