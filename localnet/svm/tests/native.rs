//! The native execution layer against the behaviour of a validator running the same programs as SBF:
//! log lines, errors, panics, sysvars, return data, and CPI into native and SBF programs with PDA
//! signing. The programs under test are plain `solana_program` entrypoints defined below.

// The senders hand back LiteSVM's own `TransactionResult`, whose error variant is large.
#![allow(clippy::result_large_err)]

use {
    base64::{prelude::BASE64_STANDARD, Engine},
    iogrid_svm::add_native_program,
    litesvm::{types::TransactionResult, LiteSVM},
    solana_keypair::Keypair,
    solana_message::Message,
    solana_program::{
        account_info::{next_account_info, AccountInfo},
        clock::Clock,
        entrypoint::ProgramResult,
        epoch_schedule::EpochSchedule,
        instruction::{AccountMeta, Instruction, InstructionError},
        msg,
        program::{get_return_data, invoke, invoke_signed, set_return_data},
        program_error::ProgramError,
        program_pack::Pack,
        pubkey::Pubkey,
        rent::Rent,
        sysvar::{self, instructions, Sysvar},
    },
    solana_sdk_ids::system_program,
    solana_signer::Signer,
    solana_system_interface::instruction as system_instruction,
    solana_transaction::Transaction,
    solana_transaction_error::TransactionError,
};

const CALLER: Pubkey = Pubkey::new_from_array([7; 32]);
const CALLEE: Pubkey = Pubkey::new_from_array([8; 32]);
const VAULT_SEED: &[u8] = b"vault";

/// Opcodes of the CALLER program (first instruction byte).
mod op {
    pub const LOG: u8 = 0;
    pub const FAIL: u8 = 1;
    pub const PANIC: u8 = 2;
    pub const SYSVARS: u8 = 3;
    pub const INTROSPECT: u8 = 4;
    pub const CALL_CALLEE_AS_PDA: u8 = 5;
    pub const CREATE_PDA_ACCOUNT: u8 = 6;
    pub const TOKEN_TRANSFER_FROM_PDA: u8 = 7;
    pub const TOKEN_TRANSFER_IGNORING_ERROR: u8 = 8;
    pub const CALL_CALLEE_UNSIGNED: u8 = 9;
    pub const WRITE_FOREIGN_ACCOUNT: u8 = 10;
    pub const RESIZE_OWN_ACCOUNT: u8 = 11;
    pub const CREATE_VAULT_ATA: u8 = 12;
}

fn caller(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let (&opcode, rest) = data
        .split_first()
        .ok_or(ProgramError::InvalidInstructionData)?;
    let (vault, vault_bump) = Pubkey::find_program_address(&[VAULT_SEED], program_id);
    let vault_seeds: &[&[u8]] = &[VAULT_SEED, &[vault_bump]];
    match opcode {
        op::LOG => {
            msg!("hello from {}", "native");
            solana_program::log::sol_log_data(&[b"event", &[1, 2, 3]]);
            set_return_data(b"returned");
            Ok(())
        }
        op::FAIL => {
            msg!("about to fail");
            Err(ProgramError::Custom(42))
        }
        op::PANIC => panic!("deliberate panic {}", 7),
        op::SYSVARS => {
            let clock = Clock::get()?;
            let rent = Rent::get()?;
            let schedule = EpochSchedule::get()?;
            let mut out = Vec::new();
            out.extend_from_slice(&clock.slot.to_le_bytes());
            out.extend_from_slice(&clock.unix_timestamp.to_le_bytes());
            out.extend_from_slice(&rent.lamports_per_byte_year.to_le_bytes());
            out.extend_from_slice(&schedule.slots_per_epoch.to_le_bytes());
            set_return_data(&out);
            Ok(())
        }
        op::INTROSPECT => {
            let iter = &mut accounts.iter();
            let instructions_sysvar = next_account_info(iter)?;
            let current = instructions::load_current_index_checked(instructions_sysvar)?;
            let first = instructions::load_instruction_at_checked(0, instructions_sysvar)?;
            let mut out = current.to_le_bytes().to_vec();
            out.extend_from_slice(first.program_id.as_ref());
            out.extend_from_slice(&first.data);
            set_return_data(&out);
            Ok(())
        }
        op::CALL_CALLEE_AS_PDA | op::CALL_CALLEE_UNSIGNED => {
            let iter = &mut accounts.iter();
            let vault_info = next_account_info(iter)?;
            let record = next_account_info(iter)?;
            let callee = next_account_info(iter)?;
            let instruction = Instruction {
                program_id: CALLEE,
                accounts: vec![
                    AccountMeta::new_readonly(vault, true),
                    AccountMeta::new(*record.key, false),
                ],
                data: rest.to_vec(),
            };
            let infos = [vault_info.clone(), record.clone(), callee.clone()];
            if opcode == op::CALL_CALLEE_AS_PDA {
                invoke_signed(&instruction, &infos, &[vault_seeds])?;
            } else {
                invoke(&instruction, &infos)?;
            }
            // The callee's write must be visible to the caller after the CPI.
            msg!(
                "record after cpi: {:?}",
                &record.try_borrow_data()?[..rest.len()]
            );
            let (from, returned) = get_return_data().ok_or(ProgramError::InvalidAccountData)?;
            msg!("callee {} returned {:?}", from, returned);
            Ok(())
        }
        op::CREATE_PDA_ACCOUNT => {
            let iter = &mut accounts.iter();
            let payer = next_account_info(iter)?;
            let vault_info = next_account_info(iter)?;
            let system = next_account_info(iter)?;
            let space = 64u64;
            invoke_signed(
                &system_instruction::create_account(
                    payer.key,
                    &vault,
                    Rent::get()?.minimum_balance(space as usize),
                    space,
                    program_id,
                ),
                &[payer.clone(), vault_info.clone(), system.clone()],
                &[vault_seeds],
            )?;
            // After the CPI the account info shows the new owner and size; write to it at once.
            if vault_info.owner != program_id || vault_info.data_len() != space as usize {
                return Err(ProgramError::InvalidAccountOwner);
            }
            vault_info.try_borrow_mut_data()?[..4].copy_from_slice(b"iogr");
            Ok(())
        }
        op::TOKEN_TRANSFER_FROM_PDA | op::TOKEN_TRANSFER_IGNORING_ERROR => {
            let iter = &mut accounts.iter();
            let source = next_account_info(iter)?;
            let destination = next_account_info(iter)?;
            let vault_info = next_account_info(iter)?;
            let token_program = next_account_info(iter)?;
            let amount = u64::from_le_bytes(
                rest.try_into()
                    .map_err(|_| ProgramError::InvalidInstructionData)?,
            );
            // SPL Token's `Transfer` (tag 3), the same encoding under Token-2022.
            let mut transfer_data = vec![3];
            transfer_data.extend_from_slice(&amount.to_le_bytes());
            let transfer = Instruction {
                program_id: *token_program.key,
                accounts: vec![
                    AccountMeta::new(*source.key, false),
                    AccountMeta::new(*destination.key, false),
                    AccountMeta::new_readonly(vault, true),
                ],
                data: transfer_data,
            };
            let result = invoke_signed(
                &transfer,
                &[
                    source.clone(),
                    destination.clone(),
                    vault_info.clone(),
                    token_program.clone(),
                ],
                &[vault_seeds],
            );
            if opcode == op::TOKEN_TRANSFER_IGNORING_ERROR {
                msg!("ignoring {:?}", result);
                return Ok(());
            }
            result
        }
        op::WRITE_FOREIGN_ACCOUNT => {
            let foreign = next_account_info(&mut accounts.iter())?;
            foreign.try_borrow_mut_data()?[0] = 1;
            Ok(())
        }
        op::RESIZE_OWN_ACCOUNT => {
            let own = next_account_info(&mut accounts.iter())?;
            let new_len = u32::from_le_bytes(
                rest.try_into()
                    .map_err(|_| ProgramError::InvalidInstructionData)?,
            ) as usize;
            own.resize(new_len)?;
            Ok(())
        }
        op::CREATE_VAULT_ATA => {
            let iter = &mut accounts.iter();
            let payer = next_account_info(iter)?;
            let ata = next_account_info(iter)?;
            let vault_info = next_account_info(iter)?;
            let mint = next_account_info(iter)?;
            let system = next_account_info(iter)?;
            let token_program = next_account_info(iter)?;
            let ata_program = next_account_info(iter)?;
            invoke(
                &spl_associated_token_account::instruction::create_associated_token_account(
                    payer.key,
                    vault_info.key,
                    mint.key,
                    token_program.key,
                ),
                &[
                    payer.clone(),
                    ata.clone(),
                    vault_info.clone(),
                    mint.clone(),
                    system.clone(),
                    token_program.clone(),
                    ata_program.clone(),
                ],
            )
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

/// Writes its instruction data into the record account (which it owns) if the first account
/// signed, and returns the stack height it ran at.
fn callee(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let iter = &mut accounts.iter();
    let authority = next_account_info(iter)?;
    let record = next_account_info(iter)?;
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    record.try_borrow_mut_data()?[..data.len()].copy_from_slice(data);
    let height = solana_program::instruction::get_stack_height() as u8;
    set_return_data(&[height]);
    Ok(())
}

struct Env {
    svm: LiteSVM,
    payer: Keypair,
}

impl Env {
    fn new() -> Self {
        let mut svm = LiteSVM::new();
        add_native_program(&mut svm, CALLER, caller);
        add_native_program(&mut svm, CALLEE, callee);
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 10_000_000_000)
            .expect("airdrop");
        Env { svm, payer }
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        extra_signers: &[&Keypair],
    ) -> TransactionResult {
        let mut signers = vec![&self.payer];
        signers.extend_from_slice(extra_signers);
        let tx = Transaction::new(
            &signers,
            Message::new(instructions, Some(&self.payer.pubkey())),
            self.svm.latest_blockhash(),
        );
        let result = self.svm.send_transaction(tx);
        self.svm.expire_blockhash();
        result
    }

    fn vault(&self) -> Pubkey {
        Pubkey::find_program_address(&[VAULT_SEED], &CALLER).0
    }

    /// An account owned by CALLEE holding `len` zero bytes.
    fn callee_record(&mut self, len: usize) -> Pubkey {
        let key = Pubkey::new_unique();
        self.set_account(key, CALLEE, vec![0; len]);
        key
    }

    fn set_account(&mut self, key: Pubkey, owner: Pubkey, data: Vec<u8>) {
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len());
        self.svm
            .set_account(
                key,
                solana_account::Account {
                    lamports,
                    data,
                    owner,
                    executable: false,
                    rent_epoch: 0,
                },
            )
            .expect("set account");
    }
}

fn ix(program_id: Pubkey, data: Vec<u8>, accounts: Vec<AccountMeta>) -> Instruction {
    Instruction {
        program_id,
        accounts,
        data,
    }
}

fn logs_of(result: &TransactionResult) -> Vec<String> {
    match result {
        Ok(meta) => meta.logs.clone(),
        Err(failed) => failed.meta.logs.clone(),
    }
}

fn consumed_line(logs: &[String], program: &Pubkey) -> String {
    logs.iter()
        .find(|line| line.starts_with(&format!("Program {program} consumed ")))
        .cloned()
        .unwrap_or_else(|| panic!("no consumed line for {program} in {logs:#?}"))
}

#[test]
fn logs_are_exactly_the_validators() {
    let mut env = Env::new();
    let result = env.send(&[ix(CALLER, vec![op::LOG], vec![])], &[]);
    let logs = logs_of(&result);
    let meta = result.expect("LOG succeeds");
    assert_eq!(
        logs,
        vec![
            format!("Program {CALLER} invoke [1]"),
            "Program log: hello from native".to_string(),
            format!(
                "Program data: {} {}",
                BASE64_STANDARD.encode(b"event"),
                BASE64_STANDARD.encode([1, 2, 3])
            ),
            consumed_line(&logs, &CALLER),
            format!(
                "Program return: {CALLER} {}",
                BASE64_STANDARD.encode(b"returned")
            ),
            format!("Program {CALLER} success"),
        ]
    );
    assert_eq!(meta.return_data.program_id, CALLER);
    assert_eq!(meta.return_data.data, b"returned");
    assert!(meta.compute_units_consumed >= iogrid_svm::NATIVE_INVOCATION_COST);
    assert!(consumed_line(&logs, &CALLER).ends_with(" of 200000 compute units"));
}

#[test]
fn program_errors_fail_the_instruction_with_the_programs_code() {
    let mut env = Env::new();
    let result = env.send(&[ix(CALLER, vec![op::FAIL], vec![])], &[]);
    let logs = logs_of(&result);
    let failed = result.expect_err("FAIL fails");
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::Custom(42))
    );
    assert_eq!(logs[1], "Program log: about to fail");
    assert_eq!(
        logs.last().unwrap(),
        &format!("Program {CALLER} failed: custom program error: 0x2a")
    );
}

#[test]
fn a_panic_is_a_clean_failure_with_the_panic_message_logged() {
    let mut env = Env::new();
    let result = env.send(&[ix(CALLER, vec![op::PANIC], vec![])], &[]);
    let logs = logs_of(&result);
    let failed = result.expect_err("PANIC fails");
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete)
    );
    assert!(
        logs[1].starts_with("Program log: panicked at localnet/svm/tests/native.rs:")
            && logs[1].ends_with("deliberate panic 7"),
        "{logs:#?}"
    );
    assert_eq!(
        logs.last().unwrap(),
        &format!("Program {CALLER} failed: SBF program panicked")
    );
    // The chain keeps working after a panic.
    env.send(&[ix(CALLER, vec![op::LOG], vec![])], &[])
        .expect("LOG after PANIC");
}

#[test]
fn sysvars_are_read_from_the_chain() {
    let mut env = Env::new();
    let mut clock = env.svm.get_sysvar::<Clock>();
    clock.slot = 4_242;
    clock.unix_timestamp = 1_800_000_000;
    env.svm.set_sysvar(&clock);
    let meta = env
        .send(&[ix(CALLER, vec![op::SYSVARS], vec![])], &[])
        .expect("SYSVARS");
    let data = meta.return_data.data;
    let word = |i: usize| u64::from_le_bytes(data[i * 8..i * 8 + 8].try_into().unwrap());
    assert_eq!(word(0), 4_242);
    assert_eq!(word(1) as i64, 1_800_000_000);
    assert_eq!(word(2), env.svm.get_sysvar::<Rent>().lamports_per_byte_year);
    assert_eq!(
        word(3),
        env.svm.get_sysvar::<EpochSchedule>().slots_per_epoch
    );
}

#[test]
fn the_instructions_sysvar_describes_the_transaction() {
    let mut env = Env::new();
    let memo = ix(spl_memo_id(), b"first".to_vec(), vec![]);
    let introspect = ix(
        CALLER,
        vec![op::INTROSPECT],
        vec![AccountMeta::new_readonly(sysvar::instructions::ID, false)],
    );
    let meta = env.send(&[memo, introspect], &[]).expect("INTROSPECT");
    let data = meta.return_data.data;
    assert_eq!(
        u16::from_le_bytes([data[0], data[1]]),
        1,
        "current instruction index"
    );
    assert_eq!(&data[2..34], spl_memo_id().as_ref());
    assert_eq!(&data[34..], b"first");
}

fn spl_memo_id() -> Pubkey {
    Pubkey::from_str_const("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
}

#[test]
fn cpi_native_to_native_signs_for_a_pda_and_returns_data() {
    let mut env = Env::new();
    let record = env.callee_record(8);
    let vault = env.vault();
    let call = ix(
        CALLER,
        vec![op::CALL_CALLEE_AS_PDA, 9, 8, 7],
        vec![
            AccountMeta::new_readonly(vault, false),
            AccountMeta::new(record, false),
            AccountMeta::new_readonly(CALLEE, false),
        ],
    );
    let result = env.send(&[call], &[]);
    let logs = logs_of(&result);
    result.expect("CPI with PDA signer");
    assert_eq!(
        env.svm.get_account(&record).unwrap().data[..4],
        [9, 8, 7, 0]
    );
    let expected = [
        format!("Program {CALLER} invoke [1]"),
        format!("Program {CALLEE} invoke [2]"),
        consumed_line(&logs, &CALLEE),
        format!("Program return: {CALLEE} {}", BASE64_STANDARD.encode([2])),
        format!("Program {CALLEE} success"),
        "Program log: record after cpi: [9, 8, 7]".to_string(),
        format!("Program log: callee {CALLEE} returned [2]"),
        consumed_line(&logs, &CALLER),
        format!("Program return: {CALLER} {}", BASE64_STANDARD.encode([2])),
        format!("Program {CALLER} success"),
    ];
    assert_eq!(logs, expected);
}

#[test]
fn cpi_without_the_pda_signature_is_a_privilege_escalation() {
    let mut env = Env::new();
    let record = env.callee_record(8);
    let vault = env.vault();
    let call = ix(
        CALLER,
        vec![op::CALL_CALLEE_UNSIGNED, 1],
        vec![
            AccountMeta::new_readonly(vault, false),
            AccountMeta::new(record, false),
            AccountMeta::new_readonly(CALLEE, false),
        ],
    );
    let result = env.send(&[call], &[]);
    let logs = logs_of(&result);
    assert_eq!(
        result.expect_err("unsigned CPI").err,
        TransactionError::InstructionError(0, InstructionError::PrivilegeEscalation)
    );
    assert!(
        logs.contains(&format!("{vault}'s signer privilege escalated")),
        "{logs:#?}"
    );
    assert_eq!(
        env.svm.get_account(&record).unwrap().data,
        vec![0; 8],
        "nothing written"
    );
}

#[test]
fn cpi_to_the_system_program_creates_a_pda_account_usable_at_once() {
    let mut env = Env::new();
    let vault = env.vault();
    let payer = env.payer.pubkey();
    let create = ix(
        CALLER,
        vec![op::CREATE_PDA_ACCOUNT],
        vec![
            AccountMeta::new(payer, true),
            AccountMeta::new(vault, false),
            AccountMeta::new_readonly(system_program::ID, false),
        ],
    );
    let balance_before = env.svm.get_balance(&payer).unwrap();
    env.send(std::slice::from_ref(&create), &[])
        .expect("create PDA account");
    let account = env.svm.get_account(&vault).expect("vault exists");
    let rent = env.svm.minimum_balance_for_rent_exemption(64);
    assert_eq!(account.owner, CALLER);
    assert_eq!(account.lamports, rent);
    assert_eq!(account.data.len(), 64);
    assert_eq!(&account.data[..4], b"iogr");
    assert_eq!(
        env.svm.get_balance(&payer).unwrap(),
        balance_before - rent - 5_000
    );

    // Creating it again fails inside the system program, and the caller fails with its error.
    let failed = env
        .send(&[create], &[])
        .expect_err("account already in use");
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::Custom(0))
    );
}

const TOKEN_2022: Pubkey = Pubkey::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

struct TokenSetup {
    program_id: Pubkey,
    mint: Pubkey,
    source: Pubkey,
    destination: Pubkey,
}

/// A mint of `program_id` (SPL Token or Token-2022, whose base layouts are the same), a
/// vault-owned (PDA) token account holding 1,000 units and an empty destination.
fn token_setup(env: &mut Env, program_id: Pubkey) -> TokenSetup {
    let mint = Pubkey::new_unique();
    let mut mint_data = vec![0; spl_token::state::Mint::LEN];
    spl_token::state::Mint {
        mint_authority: Some(env.payer.pubkey()).into(),
        supply: 1_000,
        decimals: 6,
        is_initialized: true,
        freeze_authority: None.into(),
    }
    .pack_into_slice(&mut mint_data);
    env.set_account(mint, program_id, mint_data);
    let token_account = |env: &mut Env, owner: Pubkey, amount: u64| {
        let key = Pubkey::new_unique();
        let mut data = vec![0; spl_token::state::Account::LEN];
        spl_token::state::Account {
            mint,
            owner,
            amount,
            state: spl_token::state::AccountState::Initialized,
            ..Default::default()
        }
        .pack_into_slice(&mut data);
        env.set_account(key, program_id, data);
        key
    };
    let vault = env.vault();
    let source = token_account(env, vault, 1_000);
    let destination = token_account(env, Pubkey::new_unique(), 0);
    TokenSetup {
        program_id,
        mint,
        source,
        destination,
    }
}

fn token_amount(env: &Env, account: &Pubkey) -> u64 {
    spl_token::state::Account::unpack(&env.svm.get_account(account).unwrap().data)
        .unwrap()
        .amount
}

fn token_transfer(opcode: u8, setup: &TokenSetup, vault: Pubkey, amount: u64) -> Instruction {
    let mut data = vec![opcode];
    data.extend_from_slice(&amount.to_le_bytes());
    ix(
        CALLER,
        data,
        vec![
            AccountMeta::new(setup.source, false),
            AccountMeta::new(setup.destination, false),
            AccountMeta::new_readonly(vault, false),
            AccountMeta::new_readonly(setup.program_id, false),
        ],
    )
}

fn transfer_from_the_vault_through(program_id: Pubkey) {
    let mut env = Env::new();
    let setup = token_setup(&mut env, program_id);
    let vault = env.vault();
    let result = env.send(
        &[token_transfer(
            op::TOKEN_TRANSFER_FROM_PDA,
            &setup,
            vault,
            250,
        )],
        &[],
    );
    let logs = logs_of(&result);
    result.expect("token transfer signed by the PDA");
    assert_eq!(token_amount(&env, &setup.source), 750);
    assert_eq!(token_amount(&env, &setup.destination), 250);
    assert_eq!(logs[1], format!("Program {program_id} invoke [2]"));
    assert_eq!(logs[2], "Program log: Instruction: Transfer");
    assert!(logs[3].starts_with(&format!("Program {program_id} consumed ")));
    assert_eq!(logs[4], format!("Program {program_id} success"));
}

#[test]
fn cpi_native_to_sbf_spl_token_with_a_pda_authority() {
    transfer_from_the_vault_through(spl_token::ID);
}

#[test]
fn cpi_native_to_sbf_token_2022_with_a_pda_authority() {
    transfer_from_the_vault_through(TOKEN_2022);
}

#[test]
fn cpi_native_to_sbf_ata_which_itself_calls_token_and_system() {
    let mut env = Env::new();
    let setup = token_setup(&mut env, spl_token::ID);
    let vault = env.vault();
    let ata = spl_associated_token_account::get_associated_token_address(&vault, &setup.mint);
    let create = ix(
        CALLER,
        vec![op::CREATE_VAULT_ATA],
        vec![
            AccountMeta::new(env.payer.pubkey(), true),
            AccountMeta::new(ata, false),
            AccountMeta::new_readonly(vault, false),
            AccountMeta::new_readonly(setup.mint, false),
            AccountMeta::new_readonly(system_program::ID, false),
            AccountMeta::new_readonly(spl_token::ID, false),
            AccountMeta::new_readonly(spl_associated_token_account::ID, false),
        ],
    );
    let result = env.send(&[create], &[]);
    let logs = logs_of(&result);
    result.expect("ATA created through a native caller");
    let account =
        spl_token::state::Account::unpack(&env.svm.get_account(&ata).unwrap().data).unwrap();
    assert_eq!(
        (account.mint, account.owner, account.amount),
        (setup.mint, vault, 0)
    );
    let depth_3 = logs
        .iter()
        .filter(|line| line.ends_with(" invoke [3]"))
        .count();
    assert!(depth_3 >= 2, "ATA's own CPIs run at depth 3: {logs:#?}");
}

#[test]
fn a_failed_cpi_aborts_the_caller_even_if_it_ignores_the_error() {
    let mut env = Env::new();
    let setup = token_setup(&mut env, spl_token::ID);
    let vault = env.vault();
    let result = env.send(
        &[token_transfer(
            op::TOKEN_TRANSFER_IGNORING_ERROR,
            &setup,
            vault,
            5_000,
        )],
        &[],
    );
    let logs = logs_of(&result);
    let failed = result.expect_err("insufficient funds");
    // spl-token's TokenError::InsufficientFunds = 1, surfaced as the caller's failure too.
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::Custom(1))
    );
    assert!(logs.contains(&format!(
        "Program {} failed: custom program error: 0x1",
        spl_token::ID
    )));
    assert_eq!(
        logs.last().unwrap(),
        &format!("Program {CALLER} failed: custom program error: 0x1")
    );
    assert_eq!(token_amount(&env, &setup.source), 1_000, "no tokens moved");
}

#[test]
fn writing_an_account_the_program_does_not_own_is_rejected() {
    let mut env = Env::new();
    let foreign = env.callee_record(4);
    let result = env.send(
        &[ix(
            CALLER,
            vec![op::WRITE_FOREIGN_ACCOUNT],
            vec![AccountMeta::new(foreign, false)],
        )],
        &[],
    );
    assert_eq!(
        result.expect_err("foreign write").err,
        TransactionError::InstructionError(0, InstructionError::ExternalAccountDataModified)
    );
    assert_eq!(env.svm.get_account(&foreign).unwrap().data, vec![0; 4]);
}

#[test]
fn a_program_may_grow_its_account_by_at_most_10_kib_per_instruction() {
    let mut env = Env::new();
    let own = Pubkey::new_unique();
    env.set_account(own, CALLER, vec![0; 16]);
    env.svm
        .airdrop(&own, 1_000_000_000)
        .expect("fund for rent of the larger size");
    let resize = |len: u32| {
        let mut data = vec![op::RESIZE_OWN_ACCOUNT];
        data.extend_from_slice(&len.to_le_bytes());
        ix(CALLER, data, vec![AccountMeta::new(own, false)])
    };
    env.send(&[resize(16 + 10_240)], &[])
        .expect("grow by 10 KiB");
    assert_eq!(env.svm.get_account(&own).unwrap().data.len(), 16 + 10_240);
    let failed = env
        .send(&[resize(16 + 2 * 10_240 + 1)], &[])
        .expect_err("grow by more than 10 KiB");
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::InvalidRealloc)
    );
}
