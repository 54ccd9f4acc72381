//! Figures, printed rather than asserted (run with `--nocapture` to see them): transaction sizes
//! (legacy, signatures included), account counts, the compute units LiteSVM reports (a lower
//! bound for a native program) and the size and rent of the accounts the market adds.

use {
    crate::common::*,
    anchor_lang::Space,
    iogrid_program_tests::{
        figures::{print_accounts, Figures, PACKET},
        transaction_of, wire_size,
    },
    market::{
        batch::MAX_BATCH_DEVICES,
        state::{Booking, MarketConfig, PaymentToken, Reservation},
    },
    solana_signer::Signer,
};

/// Most of `devices` whose instruction (built by `build`) fits one legacy transaction signed by
/// `signer`.
fn most_that_fit(
    chain: &Chain,
    signer: &solana_keypair::Keypair,
    count: usize,
    build: impl Fn(usize) -> anchor_lang::solana_program::instruction::Instruction,
) -> usize {
    (1..=count)
        .take_while(|n| {
            let (bytes, _) = wire_size(&transaction_of(&chain.svm, &[build(*n)], &[signer]));
            bytes <= PACKET
        })
        .count()
}

#[test]
fn figures_compute_sizes_and_rent() {
    let mut figures = Figures::default();
    let mut chain = Chain::new();
    let devices: Vec<MarketDevice> = (0..MAX_BATCH_DEVICES)
        .map(|i| chain.device(i % 2 == 0))
        .collect();
    let renter = chain.renter();
    let res = chain.create(&renter, PaymentToken::Io, 2);
    let pairs: Vec<_> = devices.iter().map(|device| device.pair()).collect();
    let book = |n: usize| ix::book_devices(&res.renter, res.id, &res.wallet, &pairs[..n], u64::MAX);
    let fit = most_that_fit(&chain, &renter.keypair, MAX_BATCH_DEVICES, book);
    figures.measure(
        &mut chain,
        format!("book_devices, {fit} devices (IO, most that fit)"),
        book(fit),
        &[&renter.keypair],
    );
    let booked = &devices[..fit];
    for (i, device) in booked.iter().enumerate() {
        let agent = device.device.agent.insecure_clone();
        chain.fund(&agent.pubkey());
        let ack = ix::acknowledge_start(&agent.pubkey(), &res.key, &device.key());
        if i == 0 {
            figures.measure(&mut chain, "acknowledge_start", ack, &[&agent]);
        } else {
            succeeded(chain.send(ack, &[&agent]));
        }
    }
    chain.advance(2 * HOUR);
    let (keeper, tips) = chain.settler(PaymentToken::Io);
    let settlements: Vec<_> = booked
        .iter()
        .map(|device| device.settlement(PaymentToken::Io))
        .collect();
    let settle =
        |n: usize| ix::settle_bookings(&keeper.pubkey(), &tips, &res.settled(), &settlements[..n]);
    let settle_fit = most_that_fit(&chain, &keeper, fit, settle);
    figures.measure(
        &mut chain,
        format!("settle_bookings, {settle_fit} bookings (IO, co-stakers' shares, most that fit)"),
        settle(settle_fit),
        &[&keeper],
    );
    figures.print();
    println!();
    println!("Most devices one legacy transaction books: {fit}; settles: {settle_fit}");

    print_accounts(
        &chain,
        &[
            ("Reservation", 8 + Reservation::INIT_SPACE),
            ("Booking", 8 + Booking::INIT_SPACE),
            ("MarketConfig", 8 + MarketConfig::INIT_SPACE),
        ],
    );
}
