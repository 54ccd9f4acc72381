pub mod booking;
pub mod config;
pub mod reservation;
pub mod seeds;

pub use {booking::*, config::*, reservation::*, seeds::*};
