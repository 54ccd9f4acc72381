//! What a native program prints to standard output — `Pubkey::log`, which Anchor uses for the two
//! keys of a failed key comparison — becomes its `Program log:` lines, in order with `msg!`, once
//! the host captures standard output (as the local chain does). Runs without the test harness,
//! which would capture the printed lines itself.

use {
    iogrid_svm::{add_native_program, capture_stdout_as_program_logs},
    litesvm::LiteSVM,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_program::{
        account_info::AccountInfo,
        entrypoint::ProgramResult,
        instruction::{AccountMeta, Instruction},
        msg,
        program::invoke,
        program_error::ProgramError,
        pubkey::Pubkey,
    },
    solana_signer::Signer,
    solana_transaction::Transaction,
};

const CALLER: Pubkey = Pubkey::new_from_array([7; 32]);
const CALLEE: Pubkey = Pubkey::new_from_array([8; 32]);
const LEFT: Pubkey = Pubkey::new_from_array([1; 32]);
const RIGHT: Pubkey = Pubkey::new_from_array([2; 32]);

/// Logs a key comparison exactly as Anchor's error does, then calls the callee, then prints a line
/// without its newline and fails.
fn caller(_: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    msg!("AnchorError: the keys differ");
    msg!("Left:");
    LEFT.log();
    msg!("Right:");
    RIGHT.log();
    if data.first() == Some(&1) {
        invoke(&Instruction::new_with_bytes(CALLEE, &[], vec![]), accounts)?;
        print!("unterminated");
        return Err(ProgramError::Custom(1));
    }
    Ok(())
}

fn callee(program_id: &Pubkey, _: &[AccountInfo], _: &[u8]) -> ProgramResult {
    program_id.log();
    Ok(())
}

fn logs(svm: &mut LiteSVM, payer: &Keypair, data: Vec<u8>) -> Vec<String> {
    // The callee is named in the transaction, as a CPI's program must be.
    let ix = Instruction::new_with_bytes(
        CALLER,
        &data,
        vec![AccountMeta::new_readonly(CALLEE, false)],
    );
    let message = Message::new(&[ix], Some(&payer.pubkey()));
    let tx = Transaction::new(&[payer], message, svm.latest_blockhash());
    let logs = match svm.send_transaction(tx) {
        Ok(meta) => meta.logs,
        Err(failed) => failed.meta.logs,
    };
    svm.expire_blockhash();
    logs
}

fn main() {
    capture_stdout_as_program_logs().expect("standard output captured");
    let mut svm = LiteSVM::new();
    add_native_program(&mut svm, CALLER, caller);
    add_native_program(&mut svm, CALLEE, callee);
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000)
        .expect("airdrop");

    let comparison = [
        "Program log: AnchorError: the keys differ".to_string(),
        "Program log: Left:".to_string(),
        format!("Program log: {LEFT}"),
        "Program log: Right:".to_string(),
        format!("Program log: {RIGHT}"),
    ];
    let ok = logs(&mut svm, &payer, vec![0]);
    assert_eq!(ok[0], format!("Program {CALLER} invoke [1]"));
    assert_eq!(ok[1..6], comparison);
    assert!(
        ok[6].starts_with(&format!("Program {CALLER} consumed ")),
        "{ok:#?}"
    );
    assert_eq!(ok[7], format!("Program {CALLER} success"));

    // A CPI's printed key lands inside the callee's invocation; a trailing line without its
    // newline still ends up in the caller's log, before its end.
    let failed = logs(&mut svm, &payer, vec![1]);
    assert_eq!(failed[1..6], comparison);
    assert_eq!(failed[6], format!("Program {CALLEE} invoke [2]"));
    assert_eq!(failed[7], format!("Program log: {CALLEE}"));
    assert!(failed[8].starts_with(&format!("Program {CALLEE} consumed ")));
    assert_eq!(failed[9], format!("Program {CALLEE} success"));
    assert_eq!(failed[10], "Program log: unterminated");
    assert!(failed[11].starts_with(&format!("Program {CALLER} consumed ")));

    // Outside a program, printing reaches the real standard output again.
    println!("printed_logs: ok");
}
