pub mod config;
pub mod epoch;
pub mod ledger;
pub mod price_feed;
pub mod schedule;
pub mod seeds;

pub use {config::*, epoch::*, ledger::*, price_feed::*, schedule::*, seeds::*};
