//! Figures, printed rather than asserted (run with `--nocapture` to see them): transaction sizes,
//! the compute units LiteSVM reports (a lower bound for a native program: only syscall costs and a
//! fixed entry cost are charged), and the size and rent of every account the program owns.

use {
    crate::common::*,
    anchor_lang::{solana_program::instruction::Instruction, Space},
    iotoken::{
        math::IO,
        state::{EmissionLedger, EmissionSchedule, EpochRecord, PriceFeed, TokenConfig},
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Bytes of the serialized legacy transaction and its account count.
fn size_of(chain: &Chain, instruction: &Instruction, signers: &[&Keypair]) -> (usize, usize) {
    let transaction = transaction(&chain.svm, instruction.clone(), signers);
    let signatures = transaction.signatures.len();
    assert!(signatures < 128, "one-byte length prefix");
    let bytes = 1 + 64 * signatures + transaction.message.serialize().len();
    (bytes, transaction.message.account_keys.len())
}

/// Sends `instruction` and returns (bytes, accounts, compute units).
fn measure(
    chain: &mut Chain,
    instruction: Instruction,
    signers: &[&Keypair],
) -> (usize, usize, u64) {
    let (bytes, accounts) = size_of(chain, &instruction, signers);
    assert!(bytes <= 1_232, "fits a packet: {bytes} bytes");
    let meta = succeeded(chain.send(instruction, signers));
    (bytes, accounts, meta.compute_units_consumed)
}

#[test]
fn figures_compute_sizes_and_rent() {
    let mut rows = Vec::new();

    for epochs in [1u64, 12] {
        let mut chain = Chain::emitting();
        chain.set_time(ORIGIN + 12 * HOUR);
        let cranker = chain.cranker.insecure_clone();
        let instruction = ix::end_epoch(
            &cranker.pubkey(),
            &chain.cranker_io,
            &pda::epoch_records(0..epochs),
        );
        let (bytes, accounts, units) = measure(&mut chain, instruction, &[&cranker]);
        rows.push((
            format!(
                "end_epoch ({epochs} epoch{})",
                if epochs == 1 { "" } else { "s" }
            ),
            bytes,
            accounts,
            units,
        ));
    }

    let mut chain = Chain::emitting();
    chain.publish(125_000_000, 1_000_000, NOW);
    let (user, io, iosd) = chain.iosd_user(10 * IO);
    let instruction = ix::mint_iosd(&user.pubkey(), &io, &iosd, IO, 0);
    let (bytes, accounts, units) = measure(&mut chain, instruction, &[&user]);
    rows.push(("mint_iosd".to_string(), bytes, accounts, units));

    println!();
    println!(
        "| instruction | tx bytes | accounts | compute units (LiteSVM, native: lower bound) |"
    );
    println!("|---|---:|---:|---:|");
    for (name, bytes, accounts, units) in &rows {
        println!("| {name} | {bytes} | {accounts} | {units} |");
    }

    println!();
    println!("| account | bytes (8 + INIT_SPACE) | rent-exempt minimum (lamports) |");
    println!("|---|---:|---:|");
    for (name, space) in [
        ("TokenConfig", 8 + TokenConfig::INIT_SPACE),
        ("EmissionSchedule", 8 + EmissionSchedule::INIT_SPACE),
        ("EmissionLedger", 8 + EmissionLedger::INIT_SPACE),
        ("EpochRecord", 8 + EpochRecord::INIT_SPACE),
        ("PriceFeed", 8 + PriceFeed::INIT_SPACE),
    ] {
        println!(
            "| {name} | {space} | {} |",
            chain.svm.minimum_balance_for_rent_exemption(space)
        );
    }
}
