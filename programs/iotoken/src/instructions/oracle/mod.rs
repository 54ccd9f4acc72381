pub mod publish_price;
pub mod set_price_halted;

pub use {publish_price::*, set_price_halted::*};
