//! The chain behind the RPC: status cache, blockhash window, preflight, fees, history,
//! persistence across restarts, and our programs executing with their events.

use {
    iogrid_localnet::chain::{Chain, ChainEvent, ChainOptions, SendError, LAMPORTS_PER_SIGNATURE},
    solana_account::ReadableAccount,
    solana_compute_budget_interface::ComputeBudgetInstruction,
    solana_hash::Hash,
    solana_instruction::error::InstructionError,
    solana_keypair::Keypair,
    solana_pubkey::Pubkey,
    solana_signer::Signer,
    solana_system_interface::instruction as system_instruction,
    solana_transaction::{versioned::VersionedTransaction, Transaction},
    solana_transaction_error::TransactionError,
    std::{
        path::{Path, PathBuf},
        sync::Arc,
    },
    tokio::sync::broadcast,
};

const SOL: u64 = 1_000_000_000;

fn open(state_dir: Option<&Path>) -> (Chain, broadcast::Receiver<Arc<ChainEvent>>) {
    let (events, receiver) = broadcast::channel(1024);
    let chain = Chain::open(
        ChainOptions {
            state_dir,
            history_limit: 10_000,
        },
        events,
    )
    .expect("the chain opens");
    (chain, receiver)
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "iogrid-localnet-{name}-{}-{}",
            std::process::id(),
            Pubkey::new_unique()
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn funded(chain: &mut Chain, lamports: u64) -> Keypair {
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), lamports).expect("airdrop");
    payer
}

fn transfer(chain: &Chain, from: &Keypair, to: &Pubkey, lamports: u64) -> VersionedTransaction {
    transfer_with_blockhash(from, to, lamports, chain.latest_blockhash().0)
}

fn transfer_with_blockhash(
    from: &Keypair,
    to: &Pubkey,
    lamports: u64,
    blockhash: Hash,
) -> VersionedTransaction {
    Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&from.pubkey(), to, lamports)],
        Some(&from.pubkey()),
        &[from],
        blockhash,
    )
    .into()
}

fn balance(chain: &Chain, pubkey: &Pubkey) -> u64 {
    chain
        .account(pubkey)
        .map_or(0, |account| account.lamports())
}

fn preflight_error(
    result: Result<solana_signature::Signature, SendError>,
) -> (TransactionError, Vec<String>) {
    match result {
        Err(SendError::Preflight(simulation)) => {
            (simulation.err.expect("an error"), simulation.logs)
        }
        Ok(signature) => panic!("expected a preflight failure, {signature} landed"),
        Err(_) => panic!("expected a preflight failure"),
    }
}

#[test]
fn a_transfer_lands_once_with_its_fee_and_balances_recorded() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, 2 * SOL);
    let recipient = Pubkey::new_unique();
    let tx = transfer(&chain, &payer, &recipient, 250_000_000);

    let signature = chain.send_transaction(tx.clone(), false).expect("lands");
    assert_eq!(balance(&chain, &recipient), 250_000_000);
    assert_eq!(
        balance(&chain, &payer.pubkey()),
        2 * SOL - 250_000_000 - LAMPORTS_PER_SIGNATURE
    );

    let record = chain.transaction(&signature).expect("recorded");
    assert_eq!(record.err, None);
    assert_eq!(record.fee, LAMPORTS_PER_SIGNATURE);
    assert_eq!(record.pre_balances[..2], [2 * SOL, 0]);
    assert_eq!(
        record.post_balances[..2],
        [2 * SOL - 250_000_000 - 5_000, 250_000_000]
    );
    assert_eq!(record.slot, chain.slot());

    // The same signed bytes again: preflight reports it, and without preflight it is dropped.
    let (err, _) = preflight_error(chain.send_transaction(tx.clone(), false));
    assert_eq!(err, TransactionError::AlreadyProcessed);
    assert_eq!(chain.send_transaction(tx, true).ok(), Some(signature));
    assert_eq!(
        balance(&chain, &recipient),
        250_000_000,
        "executed exactly once"
    );
}

#[test]
fn preflight_rejects_a_failing_transaction_without_charging_it() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, SOL);
    let tx = transfer(&chain, &payer, &Pubkey::new_unique(), 5 * SOL);

    let (err, logs) = preflight_error(chain.send_transaction(tx.clone(), false));
    // The system program's ResultWithNegativeLamports is custom error 1.
    assert_eq!(
        err,
        TransactionError::InstructionError(0, InstructionError::Custom(1))
    );
    assert!(
        logs.iter()
            .any(|line| line.contains("insufficient lamports")),
        "{logs:#?}"
    );
    assert_eq!(balance(&chain, &payer.pubkey()), SOL, "nothing charged");

    // Skipping preflight, the transaction lands failed and pays its fee.
    let signature = chain.send_transaction(tx, true).expect("submitted");
    let record = chain
        .transaction(&signature)
        .expect("landed with its error");
    assert_eq!(
        record.err,
        Some(TransactionError::InstructionError(
            0,
            InstructionError::Custom(1)
        ))
    );
    assert_eq!(
        balance(&chain, &payer.pubkey()),
        SOL - LAMPORTS_PER_SIGNATURE
    );
}

#[test]
fn a_transaction_whose_fee_payer_cannot_pay_is_dropped() {
    let (mut chain, _) = open(None);
    let broke = Keypair::new();
    let tx = transfer(&chain, &broke, &Pubkey::new_unique(), 1);
    let signature = chain
        .send_transaction(tx.clone(), true)
        .expect("a signature comes back");
    assert!(chain.transaction(&signature).is_none(), "never lands");
    let (err, _) = preflight_error(chain.send_transaction(tx, false));
    assert_eq!(err, TransactionError::AccountNotFound);
}

#[test]
fn blockhashes_are_valid_for_150_slots() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, SOL);
    let (blockhash, last_valid_block_height) = chain.latest_blockhash();
    assert_eq!(last_valid_block_height, chain.block_height() + 150);
    for _ in 0..150 {
        chain.advance_slot().expect("slot");
    }
    assert!(chain.is_blockhash_valid(&blockhash));
    assert_ne!(
        chain.latest_blockhash().0,
        blockhash,
        "blockhashes rotate every slot"
    );
    let recipient = Pubkey::new_unique();
    chain
        .send_transaction(
            transfer_with_blockhash(&payer, &recipient, 1_000_000, blockhash),
            false,
        )
        .expect("still valid at the last valid block height");

    chain.advance_slot().expect("slot");
    assert!(!chain.is_blockhash_valid(&blockhash));
    let (err, _) = preflight_error(chain.send_transaction(
        transfer_with_blockhash(&payer, &recipient, 2_000, blockhash),
        false,
    ));
    assert_eq!(err, TransactionError::BlockhashNotFound);
    assert!(!chain.is_blockhash_valid(&Hash::new_unique()));
}

#[test]
fn a_bad_signature_is_refused_before_execution() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, SOL);
    let mut tx = transfer(&chain, &payer, &Pubkey::new_unique(), 1_000);
    tx.signatures[0] = Keypair::new().sign_message(b"something else");
    assert!(matches!(
        chain.send_transaction(tx, false),
        Err(SendError::SignatureFailure)
    ));
    assert_eq!(balance(&chain, &payer.pubkey()), SOL);
}

#[test]
fn airdrops_are_distinct_transactions_even_when_identical() {
    let (mut chain, _) = open(None);
    let recipient = Pubkey::new_unique();
    let first = chain.airdrop(&recipient, SOL).expect("first");
    let second = chain.airdrop(&recipient, SOL).expect("second, same slot");
    assert_ne!(first, second);
    assert_eq!(balance(&chain, &recipient), 2 * SOL);
}

#[test]
fn subscribers_hear_slots_and_transactions_with_changed_accounts() {
    let (mut chain, mut events) = open(None);
    chain.advance_slot().expect("slot");
    let payer = funded(&mut chain, SOL);
    let recipient = Pubkey::new_unique();
    let signature = chain
        .send_transaction(transfer(&chain, &payer, &recipient, 1_000_000), false)
        .expect("lands");

    let mut slots = Vec::new();
    let mut transactions = Vec::new();
    while let Ok(event) = events.try_recv() {
        match event.as_ref() {
            ChainEvent::Slot { slot, parent } => slots.push((*slot, *parent)),
            ChainEvent::Transaction(event) => transactions.push((
                event.signature,
                event
                    .changed_accounts
                    .iter()
                    .map(|(key, a)| (*key, a.lamports()))
                    .collect::<Vec<_>>(),
            )),
        }
    }
    assert_eq!(slots, [(1, 0)]);
    let (last_signature, changed) = transactions.last().expect("the transfer");
    assert_eq!(*last_signature, signature);
    assert_eq!(
        changed,
        &vec![
            (payer.pubkey(), SOL - 1_000_000 - 5_000),
            (recipient, 1_000_000)
        ]
    );
}

#[test]
fn the_state_dir_resumes_accounts_history_slot_and_blockhashes_after_a_kill() {
    let dir = TempDir::new("resume");
    let (payer_key, recipient, landed, slot, blockhash, genesis) = {
        let (mut chain, _) = open(Some(&dir.0));
        let payer = funded(&mut chain, 3 * SOL);
        for _ in 0..5 {
            chain.advance_slot().expect("slot");
        }
        let recipient = Pubkey::new_unique();
        let landed = transfer(&chain, &payer, &recipient, SOL);
        chain
            .send_transaction(landed.clone(), false)
            .expect("lands");
        chain.advance_slot().expect("slot");
        // Dropped without a clean shutdown: only the journal has the last steps.
        (
            payer,
            recipient,
            landed,
            chain.slot(),
            chain.latest_blockhash().0,
            chain.genesis_hash(),
        )
    };

    let (mut chain, _) = open(Some(&dir.0));
    assert_eq!(chain.genesis_hash(), genesis);
    assert_eq!(chain.slot(), slot);
    assert_eq!(chain.latest_blockhash().0, blockhash);
    assert_eq!(balance(&chain, &recipient), SOL);
    assert_eq!(balance(&chain, &payer_key.pubkey()), 2 * SOL - 5_000);
    assert!(
        chain.transaction(&landed.signatures[0]).is_some(),
        "history survives"
    );
    assert_eq!(chain.transaction_count(), 2);
    // A transaction that landed before the restart is still a duplicate after it.
    let (err, _) = preflight_error(chain.send_transaction(landed, false));
    assert_eq!(err, TransactionError::AlreadyProcessed);

    // The programs are loaded again and usable.
    let registry_program = chain
        .account(&registry::ID)
        .expect("registry program account");
    assert!(registry_program.executable());
    chain
        .send_transaction(transfer(&chain, &payer_key, &recipient, 1), false)
        .expect("the chain keeps going");
}

#[test]
fn a_torn_journal_tail_is_dropped_and_the_rest_replayed() {
    let dir = TempDir::new("torn");
    let recipient = Pubkey::new_unique();
    {
        let (mut chain, _) = open(Some(&dir.0));
        chain.airdrop(&recipient, SOL).expect("airdrop");
    }
    // The process died in the middle of writing the next entry.
    let journal = dir.0.join("journal.bin");
    let mut bytes = std::fs::read(&journal).expect("journal");
    bytes.extend_from_slice(&1_000u32.to_le_bytes());
    bytes.extend_from_slice(&[7; 10]);
    std::fs::write(&journal, bytes).expect("write");

    let (mut chain, _) = open(Some(&dir.0));
    assert_eq!(balance(&chain, &recipient), SOL);
    chain
        .airdrop(&recipient, 8)
        .expect("the journal accepts new entries");
    drop(chain);
    let (chain, _) = open(Some(&dir.0));
    assert_eq!(balance(&chain, &recipient), SOL + 8);
}

#[test]
fn fees_are_per_signature_plus_the_prioritization_fee_and_are_reported_per_slot() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, SOL);
    let message = solana_message::Message::new(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            1,
        )],
        Some(&payer.pubkey()),
    );
    assert_eq!(
        chain.fee_for_message(solana_message::VersionedMessage::Legacy(message)),
        Some(LAMPORTS_PER_SIGNATURE)
    );

    // 10,000 units at 1,000,000 micro-lamports each: 10,000 lamports on top of the base fee.
    let writable = Pubkey::new_unique();
    let instructions = [
        ComputeBudgetInstruction::set_compute_unit_limit(10_000),
        ComputeBudgetInstruction::set_compute_unit_price(1_000_000),
        system_instruction::transfer(&payer.pubkey(), &writable, 1_000_000),
    ];
    let message = solana_message::Message::new(&instructions, Some(&payer.pubkey()));
    assert_eq!(
        chain.fee_for_message(solana_message::VersionedMessage::Legacy(message)),
        Some(15_000)
    );
    let priced = Transaction::new_signed_with_payer(
        &instructions,
        Some(&payer.pubkey()),
        &[&payer],
        chain.latest_blockhash().0,
    );
    let signature = chain.send_transaction(priced.into(), false).expect("lands");
    assert_eq!(chain.transaction(&signature).expect("recorded").fee, 15_000);
    assert_eq!(balance(&chain, &payer.pubkey()), SOL - 1_000_000 - 15_000);

    let fees = chain.recent_prioritization_fees(&[writable]);
    assert_eq!(fees.last(), Some(&(chain.slot(), 1_000_000)));
    // The airdrop in the same slot paid no priority fee, so the block minimum is 0.
    assert_eq!(
        chain.recent_prioritization_fees(&[]).last(),
        Some(&(chain.slot(), 0))
    );
}

#[test]
fn a_payer_that_cannot_cover_the_prioritization_fee_is_refused() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, 10_000_000);
    let instructions = [
        ComputeBudgetInstruction::set_compute_unit_limit(200_000),
        ComputeBudgetInstruction::set_compute_unit_price(1_000_000_000),
        system_instruction::transfer(&payer.pubkey(), &Pubkey::new_unique(), 1),
    ];
    let tx = Transaction::new_signed_with_payer(
        &instructions,
        Some(&payer.pubkey()),
        &[&payer],
        chain.latest_blockhash().0,
    );
    let (err, _) = preflight_error(chain.send_transaction(tx.into(), false));
    assert_eq!(err, TransactionError::InsufficientFundsForFee);
    assert_eq!(balance(&chain, &payer.pubkey()), 10_000_000);
}

#[test]
fn a_new_account_must_be_left_rent_exempt() {
    let (mut chain, _) = open(None);
    let payer = funded(&mut chain, SOL);
    let recipient = Pubkey::new_unique();
    let (err, _) =
        preflight_error(chain.send_transaction(transfer(&chain, &payer, &recipient, 1_000), false));
    assert_eq!(
        err,
        TransactionError::InsufficientFundsForRent { account_index: 1 }
    );

    // Without preflight it lands failed: the fee is charged, nothing else moves.
    let signature = chain
        .send_transaction(transfer(&chain, &payer, &recipient, 1_000), true)
        .expect("submitted");
    let record = chain.transaction(&signature).expect("landed");
    assert_eq!(
        record.err,
        Some(TransactionError::InsufficientFundsForRent { account_index: 1 })
    );
    assert_eq!(
        balance(&chain, &payer.pubkey()),
        SOL - LAMPORTS_PER_SIGNATURE
    );
    assert_eq!(balance(&chain, &recipient), 0);

    let exempt = chain.minimum_balance_for_rent_exemption(0);
    chain
        .send_transaction(transfer(&chain, &payer, &recipient, exempt), false)
        .expect("a rent-exempt balance is fine");
    assert_eq!(balance(&chain, &recipient), exempt);
}

#[test]
fn a_warped_clock_resumes_from_its_own_time_after_a_restart() {
    let dir = TempDir::new("warp");
    let target = {
        let (mut chain, _) = open(Some(&dir.0));
        let target = chain.clock().unix_timestamp + 365 * 86_400;
        chain.warp_clock(target).expect("forward");
        target
    };
    let (mut chain, _) = open(Some(&dir.0));
    assert!(chain.clock().unix_timestamp >= target);
    chain.advance_slot().expect("slot");
    assert!(chain.clock().unix_timestamp >= target);
}
