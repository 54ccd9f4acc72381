//! Figures the suites print rather than assert (run with `--nocapture` to see them): each
//! measured transaction's size, account count and the compute units LiteSVM reports, and the size
//! and rent of the accounts a program owns, as Markdown tables.

use {
    crate::{transaction_of, wire_size, TestChain},
    anchor_lang::solana_program::instruction::Instruction,
    solana_keypair::Keypair,
};

/// Most bytes a transaction may take (the packet data size).
pub const PACKET: usize = 1_232;

/// The measured transactions, in the order they were sent.
#[derive(Default)]
pub struct Figures {
    rows: Vec<(String, usize, usize, u64)>,
}

impl Figures {
    /// Sends `instruction` in its own transaction (see [`Figures::measure_all`]).
    pub fn measure<C: TestChain>(
        &mut self,
        chain: &mut C,
        name: impl Into<String>,
        instruction: Instruction,
        signers: &[&Keypair],
    ) {
        self.measure_all(chain, name, &[instruction], signers);
    }

    /// Sends `instructions` in one transaction, which must fit a packet and succeed, and records
    /// its size (legacy, signatures included), accounts and compute units.
    pub fn measure_all<C: TestChain>(
        &mut self,
        chain: &mut C,
        name: impl Into<String>,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) {
        let name = name.into();
        let (bytes, accounts) = wire_size(&transaction_of(chain.svm(), instructions, signers));
        assert!(bytes <= PACKET, "{name} fits a packet: {bytes} bytes");
        let meta = crate::succeeded(chain.send_all(instructions, signers));
        self.rows
            .push((name, bytes, accounts, meta.compute_units_consumed));
    }

    /// Prints the table of the measured transactions.
    pub fn print(&self) {
        println!();
        println!(
            "| instruction | tx bytes | accounts | compute units (LiteSVM, native: lower bound) |"
        );
        println!("|---|---:|---:|---:|");
        for (name, bytes, accounts, units) in &self.rows {
            println!("| {name} | {bytes} | {accounts} | {units} |");
        }
    }
}

/// Prints the table of `accounts` (name and data length) with their rent-exempt minimums.
pub fn print_accounts<C: TestChain>(chain: &C, accounts: &[(&str, usize)]) {
    println!();
    println!("| account | bytes | rent-exempt minimum (lamports) |");
    println!("|---|---:|---:|");
    for (name, space) in accounts {
        println!("| {name} | {space} | {} |", chain.rent(*space));
    }
}
