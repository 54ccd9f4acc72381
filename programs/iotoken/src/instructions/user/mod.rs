pub mod create_treasury_account;
pub mod mint_iosd;

pub use {create_treasury_account::*, mint_iosd::*};
