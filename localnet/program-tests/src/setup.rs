//! What every suite's chain starts from: the shared clock and lamport figures, a LiteSVM holding
//! the workspace programs natively, and the test-only program that forwards an instruction
//! signed by its own PDA (standing in for the program another one trusts to call it).

use {
    anchor_lang::{
        prelude::{AccountInfo, Pubkey},
        solana_program::{
            entrypoint::ProgramResult,
            instruction::{AccountMeta, Instruction},
            program::invoke_signed,
            program_error::ProgramError,
        },
    },
    litesvm::LiteSVM,
};

/// 2026-01-01T00:00:00Z: an hour and a day boundary, where the test schedules' epoch 0 starts.
pub const ORIGIN: i64 = 1_767_225_600;
/// One emission epoch.
pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;
/// Lamports a transaction costs its payer per signature.
pub const FEE_PER_SIGNATURE: u64 = 5_000;
/// Lamports every new test key starts with.
pub const STARTING_LAMPORTS: u64 = 100_000_000_000;

/// A LiteSVM with iotoken, the registry, staking and the market loaded natively (SPL Token is the real SBF
/// program LiteSVM ships) and its logs kept whole. It keeps no transaction history, so tests
/// resend identical transactions (replays the programs must refuse) without expiring the
/// blockhash: an expiry writes a sysvar, which makes LiteSVM copy its whole account map, and
/// would make long runs (the availability benchmark) quadratic.
pub fn programs_svm() -> LiteSVM {
    let mut svm = LiteSVM::new()
        .with_log_bytes_limit(None)
        .with_transaction_history(0);
    iogrid_svm::add_native_program(
        &mut svm,
        iotoken::ID,
        iogrid_svm::anchor_processor!(iotoken::entry),
    );
    iogrid_svm::add_native_program(
        &mut svm,
        registry::ID,
        iogrid_svm::anchor_processor!(registry::entry),
    );
    iogrid_svm::add_native_program(
        &mut svm,
        staking::ID,
        iogrid_svm::anchor_processor!(staking::entry),
    );
    iogrid_svm::add_native_program(
        &mut svm,
        market::ID,
        iogrid_svm::anchor_processor!(market::entry),
    );
    svm
}

/// The body of a test-only forwarding program: passes its accounts (all but the last, which is
/// the target program) and its instruction data on to the target, signing as its own `[seed]`
/// PDA. A suite loads it as `|id, accounts, data| forward_as_pda(b"seed", id, accounts, data)`.
pub fn forward_as_pda(
    seed: &[u8],
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    let (signer, bump) = Pubkey::find_program_address(&[seed], program_id);
    let (target, forwarded) = accounts
        .split_last()
        .ok_or(ProgramError::NotEnoughAccountKeys)?;
    let instruction = Instruction {
        program_id: *target.key,
        accounts: forwarded
            .iter()
            .map(|info| AccountMeta {
                pubkey: *info.key,
                is_signer: info.is_signer || *info.key == signer,
                is_writable: info.is_writable,
            })
            .collect(),
        data: data.to_vec(),
    };
    invoke_signed(&instruction, accounts, &[&[seed, &[bump]]])
}
