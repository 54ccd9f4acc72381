//! What the integration tests of every workspace program share (see `tests/`): sending one
//! instruction per transaction (or several, where an instruction needs a sibling, such as an
//! Ed25519 signature check), setting the clock, writing and reading SPL Token accounts directly,
//! and asserting a transaction's success, its failure with a named error (by name, code and log
//! line), and the Anchor events it emitted; and the program-derived addresses (`pda`), the
//! instructions (`ix`), the chain set-up (`setup`) and iotoken's test configuration
//! (`iotoken_defaults`) more than one program's tests use.

use {
    anchor_lang::{
        error::ErrorCode as AnchorErrorCode,
        prelude::{Clock, Pubkey},
        solana_program::{
            instruction::{Instruction, InstructionError},
            program_pack::Pack,
        },
        AccountDeserialize, AccountSerialize, AnchorDeserialize, Discriminator,
    },
    base64::{prelude::BASE64_STANDARD, Engine},
    iotoken::errors::IotokenError,
    litesvm::{
        types::{TransactionMetadata, TransactionResult},
        LiteSVM,
    },
    market::errors::MarketError,
    registry::errors::RegistryError,
    solana_account::Account,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signer::Signer,
    solana_transaction::Transaction,
    solana_transaction_error::TransactionError,
    spl_token::error::TokenError,
    staking::errors::StakingError,
    std::any::type_name,
};

pub mod figures;
pub mod grid;
pub mod iotoken_defaults;
pub mod ix;
pub mod pda;
pub mod setup;

// Transactions and the clock.

/// A legacy transaction carrying `instruction`, paid by the first signer.
pub fn transaction(svm: &LiteSVM, instruction: Instruction, signers: &[&Keypair]) -> Transaction {
    transaction_of(svm, &[instruction], signers)
}

/// A legacy transaction carrying `instructions` in order, paid by the first signer. Where an
/// instruction names one of the four programs' ids as a signer (the deployer of an `initialize`),
/// that program's keypair from `keys/` signs too, as the deployment scripts do.
pub fn transaction_of(
    svm: &LiteSVM,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Transaction {
    let payer = signers
        .first()
        .expect("a transaction needs a fee payer")
        .pubkey();
    let mut deployers: Vec<Keypair> = Vec::new();
    for meta in instructions.iter().flat_map(|ix| &ix.accounts) {
        let named = deployers.iter().any(|key| key.pubkey() == meta.pubkey)
            || signers.iter().any(|key| key.pubkey() == meta.pubkey);
        if meta.is_signer && !named {
            deployers.extend(program_keypair(&meta.pubkey));
        }
    }
    let all: Vec<&Keypair> = signers.iter().copied().chain(&deployers).collect();
    Transaction::new(
        &all,
        Message::new(instructions, Some(&payer)),
        svm.latest_blockhash(),
    )
}

/// The keypair of `program_id` if it is one of the workspace programs (`keys/<name>-keypair.json`,
/// public: it fixes the program ids of local and test deployments).
pub fn program_keypair(program_id: &Pubkey) -> Option<Keypair> {
    let name = [
        (iotoken::ID, "iotoken"),
        (registry::ID, "registry"),
        (staking::ID, "staking"),
        (market::ID, "market"),
    ]
    .into_iter()
    .find_map(|(id, name)| (id == *program_id).then_some(name))?;
    let path = format!(
        "{}/../../keys/{name}-keypair.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let bytes: Vec<u8> = text
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|byte| {
            byte.trim()
                .parse()
                .expect("a keypair file is a JSON byte array")
        })
        .collect();
    let keypair = Keypair::try_from(bytes.as_slice()).expect("a 64-byte keypair");
    assert_eq!(
        keypair.pubkey(),
        *program_id,
        "{path} holds the program's key"
    );
    Some(keypair)
}

/// Bytes of `transaction` serialized (the wire format; at most 1,232 fit a packet) and the number
/// of accounts its message names.
pub fn wire_size(transaction: &Transaction) -> (usize, usize) {
    let signatures = transaction.signatures.len();
    assert!(signatures < 128, "one-byte length prefix");
    let bytes = 1 + 64 * signatures + transaction.message.serialize().len();
    (bytes, transaction.message.account_keys.len())
}

/// Sends `instruction` in its own transaction, paid by the first signer. Test chains keep no
/// transaction history (see `setup::programs_svm`), so an identical transaction can be sent again.
#[allow(clippy::result_large_err)] // LiteSVM's own result type, carrying the failed metadata
pub fn send(
    svm: &mut LiteSVM,
    instruction: Instruction,
    signers: &[&Keypair],
) -> TransactionResult {
    send_all(svm, &[instruction], signers)
}

/// Sends `instructions` together in one transaction, paid by the first signer (see [`send`]).
#[allow(clippy::result_large_err)]
pub fn send_all(
    svm: &mut LiteSVM,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> TransactionResult {
    svm.send_transaction(transaction_of(svm, instructions, signers))
}

pub fn set_time(svm: &mut LiteSVM, unix_timestamp: i64) {
    let mut clock = svm.get_sysvar::<Clock>();
    clock.unix_timestamp = unix_timestamp;
    svm.set_sysvar(&clock);
}

// SPL Token accounts, written directly in the token program's layout.

/// A token account of `mint` owned by `owner` holding `amount` (the mint's supply is left as is).
pub fn put_token_account(svm: &mut LiteSVM, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
    put_token_account_at(svm, Pubkey::new_unique(), mint, owner, amount)
}

/// `owner`'s associated token account of `mint` (SPL Token), holding `amount`.
pub fn put_associated_token_account(
    svm: &mut LiteSVM,
    mint: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Pubkey {
    let key = anchor_spl::associated_token::get_associated_token_address(owner, mint);
    put_token_account_at(svm, key, mint, owner, amount)
}

/// A token account at `key`, as `put_token_account` makes one.
pub fn put_token_account_at(
    svm: &mut LiteSVM,
    key: Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Pubkey {
    let mut data = vec![0; spl_token::state::Account::LEN];
    spl_token::state::Account {
        mint: *mint,
        owner: *owner,
        amount,
        state: spl_token::state::AccountState::Initialized,
        ..Default::default()
    }
    .pack_into_slice(&mut data);
    put_token_program_account(svm, key, data);
    key
}

/// A new mint of `decimals` with no supply, whose mint authority is `authority` (no freeze
/// authority).
pub fn put_mint(svm: &mut LiteSVM, authority: &Pubkey, decimals: u8) -> Pubkey {
    let mint = Pubkey::new_unique();
    let mut data = vec![0; spl_token::state::Mint::LEN];
    spl_token::state::Mint {
        mint_authority: Some(*authority).into(),
        supply: 0,
        decimals,
        is_initialized: true,
        freeze_authority: None.into(),
    }
    .pack_into_slice(&mut data);
    put_token_program_account(svm, mint, data);
    mint
}

/// `data` at `key`, owned by SPL Token and rent-exempt.
pub fn put_token_program_account(svm: &mut LiteSVM, key: Pubkey, data: Vec<u8>) {
    let account = Account {
        lamports: svm.minimum_balance_for_rent_exemption(data.len()),
        data,
        owner: spl_token::ID,
        executable: false,
        rent_epoch: 0,
    };
    svm.set_account(key, account)
        .expect("LiteSVM accepts the token account");
}

pub fn token_account(svm: &LiteSVM, key: &Pubkey) -> spl_token::state::Account {
    let account = svm
        .get_account(key)
        .unwrap_or_else(|| panic!("account {key} exists"));
    assert_eq!(account.owner, spl_token::ID, "{key} is owned by SPL Token");
    spl_token::state::Account::unpack(&account.data).expect("an SPL Token account")
}

// One suite's chain.

/// The chain a test suite drives: a LiteSVM holding the programs it needs. Each suite's `Chain`
/// gives access to its LiteSVM and gets sending, the clock, lamports and account reads from here.
pub trait TestChain {
    /// Lamports every new test key starts with.
    const STARTING_LAMPORTS: u64;

    fn svm(&self) -> &LiteSVM;
    fn svm_mut(&mut self) -> &mut LiteSVM;

    /// A new key holding `STARTING_LAMPORTS`.
    fn funded_keypair(&mut self) -> Keypair {
        let keypair = Keypair::new();
        self.fund(&keypair.pubkey());
        keypair
    }

    fn fund(&mut self, key: &Pubkey) {
        self.svm_mut()
            .airdrop(key, Self::STARTING_LAMPORTS)
            .expect("the airdrop faucet has lamports");
    }

    /// Sends `instruction` in its own transaction, paid by the first signer (see [`send`]).
    #[allow(clippy::result_large_err)]
    fn send(&mut self, instruction: Instruction, signers: &[&Keypair]) -> TransactionResult {
        send(self.svm_mut(), instruction, signers)
    }

    /// Sends `instructions` in one transaction, paid by the first signer (see [`send_all`]).
    #[allow(clippy::result_large_err)]
    fn send_all(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> TransactionResult {
        send_all(self.svm_mut(), instructions, signers)
    }

    fn set_time(&mut self, unix_timestamp: i64) {
        set_time(self.svm_mut(), unix_timestamp);
    }

    fn advance(&mut self, secs: i64) {
        let now = self.now();
        self.set_time(now + secs);
    }

    fn now(&self) -> i64 {
        self.svm().get_sysvar::<Clock>().unix_timestamp
    }

    fn balance(&self, key: &Pubkey) -> u64 {
        self.svm().get_balance(key).unwrap_or(0)
    }

    fn rent(&self, data_len: usize) -> u64 {
        self.svm().minimum_balance_for_rent_exemption(data_len)
    }

    fn account(&self, key: &Pubkey) -> Account {
        self.svm()
            .get_account(key)
            .unwrap_or_else(|| panic!("account {key} exists"))
    }

    /// Whether `key` holds lamports (a closed account may linger empty).
    fn exists(&self, key: &Pubkey) -> bool {
        self.svm()
            .get_account(key)
            .is_some_and(|account| account.lamports > 0)
    }

    /// Decodes an account of `program`, checking that the program owns it.
    fn program_account<T: AccountDeserialize>(&self, program: &Pubkey, key: &Pubkey) -> T {
        let account = self.account(key);
        assert_eq!(account.owner, *program, "{key} is owned by {program}");
        T::try_deserialize(&mut account.data.as_slice())
            .unwrap_or_else(|error| panic!("{key} holds a {}: {error}", type_name::<T>()))
    }

    /// Rewrites the account of `program` at `key` with `change`: state as an earlier program,
    /// config or history left it, which no instruction can produce now.
    fn rewrite_program_account<T: AccountDeserialize + AccountSerialize>(
        &mut self,
        program: &Pubkey,
        key: &Pubkey,
        change: impl FnOnce(&mut T),
    ) {
        let mut state: T = self.program_account(program, key);
        change(&mut state);
        let mut account = self.account(key);
        let mut data = Vec::new();
        state
            .try_serialize(&mut data)
            .unwrap_or_else(|error| panic!("a {} serialises: {error}", type_name::<T>()));
        assert!(data.len() <= account.data.len(), "the change fits {key}");
        account.data[..data.len()].copy_from_slice(&data);
        self.svm_mut()
            .set_account(*key, account)
            .expect("LiteSVM takes the rewritten account");
    }

    fn token_account(&self, key: &Pubkey) -> spl_token::state::Account {
        token_account(self.svm(), key)
    }

    fn token_balance(&self, key: &Pubkey) -> u64 {
        self.token_account(key).amount
    }
}

/// Implements [`TestChain`] for a suite's chain type that keeps its LiteSVM in a field `svm`;
/// new keys start with `lamports`, by default [`setup::STARTING_LAMPORTS`].
#[macro_export]
macro_rules! test_chain {
    ($chain:ty) => {
        $crate::test_chain!($chain, $crate::setup::STARTING_LAMPORTS);
    };
    ($chain:ty, $lamports:expr) => {
        impl $crate::TestChain for $chain {
            const STARTING_LAMPORTS: u64 = $lamports;

            fn svm(&self) -> &::litesvm::LiteSVM {
                &self.svm
            }

            fn svm_mut(&mut self) -> &mut ::litesvm::LiteSVM {
                &mut self.svm
            }
        }
    };
}

// Outcomes.

/// The metadata of a transaction that must have succeeded; its logs are shown if it did not.
#[track_caller]
pub fn succeeded(result: TransactionResult) -> TransactionMetadata {
    match result {
        Ok(meta) => meta,
        Err(failed) => panic!(
            "transaction failed with {:?}; logs: {:#?}",
            failed.err, failed.meta.logs
        ),
    }
}

/// An error an instruction is expected to fail with.
#[derive(Debug, Clone)]
pub enum Expected {
    Market(MarketError),
    Registry(RegistryError),
    Iotoken(IotokenError),
    Staking(StakingError),
    /// Anchor's own account and constraint checks.
    Anchor(AnchorErrorCode),
    /// SPL Token refused the instruction.
    Token(TokenError),
    /// The system program refused to create an account that exists (`init` of an existing PDA):
    /// `SystemError::AccountAlreadyInUse`, custom error 0.
    AccountAlreadyInUse,
}

impl From<MarketError> for Expected {
    fn from(error: MarketError) -> Self {
        Expected::Market(error)
    }
}

impl From<RegistryError> for Expected {
    fn from(error: RegistryError) -> Self {
        Expected::Registry(error)
    }
}

impl From<IotokenError> for Expected {
    fn from(error: IotokenError) -> Self {
        Expected::Iotoken(error)
    }
}

impl From<StakingError> for Expected {
    fn from(error: StakingError) -> Self {
        Expected::Staking(error)
    }
}

impl From<AnchorErrorCode> for Expected {
    fn from(error: AnchorErrorCode) -> Self {
        Expected::Anchor(error)
    }
}

impl Expected {
    fn name(&self) -> String {
        match self {
            Expected::Market(error) => error.name(),
            Expected::Registry(error) => error.name(),
            Expected::Iotoken(error) => error.name(),
            Expected::Staking(error) => error.name(),
            Expected::Anchor(error) => error.name(),
            Expected::Token(error) => format!("{error:?}"),
            Expected::AccountAlreadyInUse => "AccountAlreadyInUse".to_string(),
        }
    }

    fn code(&self) -> u32 {
        match self {
            Expected::Market(error) => u32::from(*error),
            Expected::Registry(error) => u32::from(*error),
            Expected::Iotoken(error) => u32::from(*error),
            Expected::Staking(error) => u32::from(*error),
            Expected::Anchor(error) => u32::from(*error),
            Expected::Token(error) => error.clone() as u32,
            Expected::AccountAlreadyInUse => 0,
        }
    }

    /// The log line (or part of it) that states the error.
    fn log_text(&self) -> String {
        match self {
            Expected::AccountAlreadyInUse => "already in use".to_string(),
            Expected::Token(_) => format!("failed: custom program error: {:#x}", self.code()),
            _ => format!(
                "Error Code: {}. Error Number: {}.",
                self.name(),
                self.code()
            ),
        }
    }
}

/// The name of the error the logs report (`... Error Code: <Name>. Error Number: <n>. ...`),
/// or the failure line itself for errors that are not Anchor's.
fn logged_error_name(logs: &[String]) -> String {
    logs.iter()
        .find_map(|line| {
            let (_, rest) = line.split_once("Error Code: ")?;
            rest.split_once('.').map(|(name, _)| name.to_string())
        })
        .or_else(|| logs.iter().find(|line| line.contains(" failed: ")).cloned())
        .unwrap_or_else(|| "no error in the logs".to_string())
}

/// Asserts that the transaction failed in its (only) instruction with `expected`, by name and
/// code, and that its logs state the error; returns the failed transaction's metadata.
#[track_caller]
pub fn assert_fails(
    result: TransactionResult,
    expected: impl Into<Expected>,
) -> TransactionMetadata {
    assert_fails_at(result, 0, expected)
}

/// Asserts that the transaction failed in its instruction `index` with `expected` (see
/// [`assert_fails`]).
#[track_caller]
pub fn assert_fails_at(
    result: TransactionResult,
    index: u8,
    expected: impl Into<Expected>,
) -> TransactionMetadata {
    let expected = expected.into();
    let failed = match result {
        Ok(meta) => panic!(
            "expected {} but the transaction succeeded; logs: {:#?}",
            expected.name(),
            meta.logs
        ),
        Err(failed) => failed,
    };
    let logs = &failed.meta.logs;
    let TransactionError::InstructionError(at, InstructionError::Custom(code)) = failed.err else {
        panic!(
            "expected {} but the transaction failed with {:?}; logs: {logs:#?}",
            expected.name(),
            failed.err
        );
    };
    assert_eq!(
        at,
        index,
        "expected instruction {index} to fail with {}, but instruction {at} failed; logs: {logs:#?}",
        expected.name()
    );
    assert!(
        code == expected.code(),
        "expected {} ({}) but the transaction failed with {} ({code}); logs: {logs:#?}",
        expected.name(),
        expected.code(),
        logged_error_name(logs),
    );
    let log_text = expected.log_text();
    assert!(
        logs.iter().any(|line| line.contains(&log_text)),
        "no log line contains {log_text:?}: {logs:#?}"
    );
    failed.meta
}

/// Asserts that the transaction failed in instruction `index` with the runtime's `expected`
/// (e.g. a precompile's or a builtin's error, which carry no Anchor name).
#[track_caller]
pub fn assert_instruction_error(
    result: TransactionResult,
    index: u8,
    expected: InstructionError,
) -> TransactionMetadata {
    match result {
        Ok(meta) => panic!(
            "expected {expected:?} but the transaction succeeded; logs: {:#?}",
            meta.logs
        ),
        Err(failed) => {
            assert_eq!(
                failed.err,
                TransactionError::InstructionError(index, expected),
                "logs: {:#?}",
                failed.meta.logs
            );
            failed.meta
        }
    }
}

// Events.

/// The payloads of every `Program data:` log line (Anchor events), in order.
pub fn event_payloads(logs: &[String]) -> Vec<Vec<u8>> {
    logs.iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .map(|data| BASE64_STANDARD.decode(data).expect("event data is base64"))
        .collect()
}

/// Every event of the transaction, each of which must be an `E`.
#[track_caller]
pub fn events<E: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> Vec<E> {
    event_payloads(&meta.logs)
        .iter()
        .map(|payload| {
            let (discriminator, body) = payload.split_at(8);
            assert_eq!(
                discriminator,
                E::DISCRIMINATOR,
                "the event is a {}",
                type_name::<E>()
            );
            E::try_from_slice(body)
                .unwrap_or_else(|error| panic!("a {} decodes: {error}", type_name::<E>()))
        })
        .collect()
}

/// Every event of type `E` the transaction emitted, skipping events of other types (those of a
/// program it called, or a second event type of its own).
#[track_caller]
pub fn events_of<E: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> Vec<E> {
    event_payloads(&meta.logs)
        .iter()
        .filter(|payload| payload.starts_with(E::DISCRIMINATOR))
        .map(|payload| {
            E::try_from_slice(&payload[E::DISCRIMINATOR.len()..])
                .unwrap_or_else(|error| panic!("a {} decodes: {error}", type_name::<E>()))
        })
        .collect()
}

/// The transaction's only event of type `E`, among events of any type.
#[track_caller]
pub fn only_event_of<E: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> E {
    let mut all = events_of::<E>(meta);
    assert_eq!(all.len(), 1, "exactly one {}", type_name::<E>());
    all.remove(0)
}

/// The transaction's only event, which must be an `E`.
#[track_caller]
pub fn only_event<E: AnchorDeserialize + Discriminator>(meta: &TransactionMetadata) -> E {
    let mut all = events::<E>(meta);
    assert_eq!(all.len(), 1, "exactly one event; logs: {:#?}", meta.logs);
    all.remove(0)
}
