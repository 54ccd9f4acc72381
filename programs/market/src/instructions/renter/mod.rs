pub mod book_devices;
pub mod cancel_reservation;
pub mod claim_refund;
pub mod close_reservation;
pub mod create_reservation;
pub mod extend_bookings;
pub mod payment_terms;

pub use {
    book_devices::*, cancel_reservation::*, claim_refund::*, close_reservation::*,
    create_reservation::*, extend_bookings::*,
};
