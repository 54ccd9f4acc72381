//! The attacks of the programs' security review on the market (findings C1, M2, M3, M4, L3, L4,
//! L6), each performed against the program and shown to fail by a named error or to no longer
//! pay the attacker. Every balance is checked to the unit, with the vault invariant.

use {
    crate::common::*,
    market::{
        errors::MarketError,
        events::BookingSettled,
        state::{Booking, PaymentToken},
    },
    registry::state::ReservationOutcome,
};

/// M3: a start acknowledged at or after a booking's end is refused, and a booking acknowledged
/// after its end (as a start grace longer than the booking once allowed) settles with nothing
/// delivered instead of wrapping to full pay, or panicking once cancelled.
#[test]
fn m3_no_start_at_or_after_the_end_and_a_late_start_settles_as_nothing_delivered() {
    let mut chain = Chain::new();
    let a = chain.device(false);
    let b = chain.device(false);
    let (keeper, tips) = chain.settler(PaymentToken::Iosd);
    let renter = chain.renter();
    let charges = expect::charges(PRICE_PER_HOUR, 1, PaymentToken::Iosd);
    let nothing = expect::split(charges.time, 0, HOUR, 0);
    // A one-hour booking whose start deadline is two hours, as a two-hour grace once allowed.
    let open = |chain: &mut Chain, device: &MarketDevice| {
        let res = chain.create(&renter, PaymentToken::Iosd, 1);
        let mut books = books_for(chain, &res, &[device], &[("settler's tips", tips)]);
        succeeded(chain.book(&renter, &res, &[device], expect::total(&charges)));
        books.paid(&res, &charges);
        let booked_at = chain.now();
        chain.rewrite_booking(&res, device, |booking: &mut Booking| {
            booking.ack_deadline = booked_at + 2 * HOUR;
        });
        (res, books, booked_at + HOUR)
    };

    // Cancelled half an hour in, its booking acknowledged after its end (the stop then lies
    // before the start: `clamp` with min > max panicked): a cancellation, nothing delivered.
    let (res, mut books, ends_at) = open(&mut chain, &b);
    chain.advance(HOUR / 2);
    succeeded(chain.cancel(&renter, &res));
    chain.rewrite_booking(&res, &b, |booking: &mut Booking| {
        booking.started_at = ends_at + 1;
    });
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&b]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Cancelled);
    assert_eq!((event.delivered_secs, event.owner_pay), (0, 0));
    assert_eq!(event.refund, nothing.refund);
    books.settled(&chain, &res, &b, &tips, &charges, nothing);
    books.check(&chain, &res);

    // At and after its end, an agent may no longer start a booking, deadline or not.
    let (res, mut books, ends_at) = open(&mut chain, &a);
    chain.set_time(ends_at);
    assert_fails(chain.ack(&res, &a), MarketError::BookingEnded);
    chain.set_time(ends_at + 1);
    assert_fails(chain.ack(&res, &a), MarketError::BookingEnded);
    assert_eq!(chain.booking(&res, &a).started_at, 0);
    books.check(&chain, &res);
    // Acknowledged a second after its end (the review's trigger): completed, nothing delivered,
    // all its time refunded (`as u64` of the negative made it full pay for no work).
    chain.rewrite_booking(&res, &a, |booking: &mut Booking| {
        booking.started_at = ends_at + 1;
    });
    chain.set_time(ends_at + 2);
    let meta = succeeded(chain.settle(&keeper, &tips, &res, &[&a]));
    let event: BookingSettled = only_event_of(&meta);
    assert_eq!(event.outcome, ReservationOutcome::Completed);
    assert_eq!((event.delivered_secs, event.owner_pay), (0, 0));
    assert_eq!(event.refund, nothing.refund);
    books.settled(&chain, &res, &a, &tips, &charges, nothing);
    books.check(&chain, &res);
}
