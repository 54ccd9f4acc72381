//! Figures, printed rather than asserted (run with `--nocapture` to see them): transaction sizes,
//! the compute units LiteSVM reports (a lower bound for a native program: only syscall costs and a
//! fixed entry cost are charged), and the size and rent of every account the program owns.

use {
    crate::common::*,
    anchor_lang::Space,
    iogrid_program_tests::figures::{print_accounts, Figures},
    iotoken::{
        math::IO,
        state::{EmissionLedger, EmissionSchedule, EpochRecord, PriceFeed, TokenConfig},
    },
    solana_signer::Signer,
};

#[test]
fn figures_compute_sizes_and_rent() {
    let mut figures = Figures::default();

    for epochs in [1u64, 12] {
        let mut chain = Chain::emitting();
        chain.set_time(ORIGIN + 12 * HOUR);
        let cranker = chain.cranker.insecure_clone();
        let instruction = ix::end_epoch(
            &cranker.pubkey(),
            &chain.cranker_io,
            &pda::epoch_records(0..epochs),
        );
        let name = format!(
            "end_epoch ({epochs} epoch{})",
            if epochs == 1 { "" } else { "s" }
        );
        figures.measure(&mut chain, name, instruction, &[&cranker]);
    }

    let mut chain = Chain::emitting();
    chain.publish(125_000_000, 1_000_000, NOW);
    let (user, io, iosd) = chain.iosd_user(10 * IO);
    let instruction = ix::mint_iosd(&user.pubkey(), &io, &iosd, IO, 0);
    figures.measure(&mut chain, "mint_iosd", instruction, &[&user]);

    figures.print();
    print_accounts(
        &chain,
        &[
            ("TokenConfig", 8 + TokenConfig::INIT_SPACE),
            ("EmissionSchedule", 8 + EmissionSchedule::INIT_SPACE),
            ("EmissionLedger", 8 + EmissionLedger::INIT_SPACE),
            ("EpochRecord", 8 + EpochRecord::INIT_SPACE),
            ("PriceFeed", 8 + PriceFeed::INIT_SPACE),
        ],
    );
}
