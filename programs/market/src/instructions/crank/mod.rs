pub mod settle_bookings;

pub use settle_bookings::*;
