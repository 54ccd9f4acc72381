//! The chain: LiteSVM executing transactions (our programs natively, SPL programs as SBF), plus
//! what a single validator adds around it — slots and a rotating blockhash queue, a status cache
//! so a transaction never executes twice, transaction history, prioritization fees, the faucet,
//! and persistence. The RPC and websocket servers are thin layers over this type.

use {
    crate::{
        history::{History, TokenBalance, TransactionRecord},
        programs,
        store::{Entry, Genesis, Snapshot, Store},
        tokens,
    },
    agave_reserved_account_keys::ReservedAccountKeys,
    anyhow::{Context, Result},
    litesvm::{types::TransactionMetadata, LiteSVM},
    solana_account::{Account, AccountSharedData, ReadableAccount},
    solana_clock::{Clock, Slot},
    solana_epoch_schedule::EpochSchedule,
    solana_hash::Hash,
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_message::{
        inner_instruction::InnerInstructionsList, v0::LoadedAddresses, SanitizedMessage,
        SanitizedVersionedMessage, VersionedMessage,
    },
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    solana_signer::Signer,
    solana_slot_hashes::SlotHashes,
    solana_transaction::{
        sanitized::{MessageHash, SanitizedTransaction},
        versioned::VersionedTransaction,
        Transaction,
    },
    solana_transaction_context::TransactionReturnData,
    solana_transaction_error::TransactionError,
    std::{
        collections::{BTreeMap, HashMap, VecDeque},
        path::Path,
        sync::Arc,
        time::{SystemTime, UNIX_EPOCH},
    },
    tokio::sync::broadcast,
};

/// Slots a blockhash stays usable for new transactions (the validator's MAX_PROCESSING_AGE).
pub const MAX_PROCESSING_AGE: u64 = 150;
/// Entries the SlotHashes sysvar holds.
const SLOT_HASHES_LEN: usize = 512;
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
const FAUCET_LAMPORTS: u64 = 500_000_000 * 1_000_000_000;
/// Slots of prioritization fees kept for `getRecentPrioritizationFees`.
const PRIORITIZATION_FEE_SLOTS: u64 = 150;
const MEMO_PROGRAM_ID: Pubkey =
    solana_pubkey::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
const MEMO_V1_PROGRAM_ID: Pubkey =
    solana_pubkey::pubkey!("Memo1UhkJRfHyvLMcVucJwxXeuD728EQVDDwQDxFMNo");
const COMPUTE_BUDGET_PROGRAM_ID: Pubkey =
    solana_pubkey::pubkey!("ComputeBudget111111111111111111111111111111");

/// What subscribers hear about.
pub enum ChainEvent {
    Slot { slot: Slot, parent: Slot },
    Transaction(TransactionEvent),
}

pub struct TransactionEvent {
    pub signature: Signature,
    pub slot: Slot,
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub account_keys: Vec<Pubkey>,
    /// Accounts whose lamports, owner or data changed (a deleted account is a default one).
    pub changed_accounts: Vec<(Pubkey, AccountSharedData)>,
}

/// The outcome of executing a transaction without committing it.
#[derive(Debug)]
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub return_data: Option<TransactionReturnData>,
    pub inner_instructions: InnerInstructionsList,
    pub account_keys: Vec<Pubkey>,
    /// State of the transaction's writable accounts after execution.
    pub post_accounts: Vec<(Pubkey, AccountSharedData)>,
    /// Set when the simulation replaced the transaction's blockhash.
    pub replacement_blockhash: Option<(Hash, u64)>,
}

#[derive(Debug)]
pub enum SendError {
    /// The transaction cannot be decoded into a valid message (bad lookup table, etc.).
    Invalid(TransactionError),
    SignatureFailure,
    /// Preflight simulation failed; carries the simulation, as the validator does.
    Preflight(Box<Simulation>),
}

pub struct EpochInfo {
    pub absolute_slot: Slot,
    pub block_height: u64,
    pub epoch: u64,
    pub slot_index: u64,
    pub slots_in_epoch: u64,
    pub transaction_count: u64,
}

/// Minimum compute-unit price paid in a slot, overall and per writable account.
#[derive(Default)]
struct SlotFees {
    block_min: Option<u64>,
    by_account: HashMap<Pubkey, u64>,
}

pub struct Chain {
    svm: LiteSVM,
    genesis: Genesis,
    faucet: Keypair,
    clock: Clock,
    /// Recent blockhashes by slot, oldest first; the last `MAX_PROCESSING_AGE + 1` are valid.
    blockhashes: VecDeque<(Slot, Hash)>,
    history: History,
    prioritization_fees: BTreeMap<Slot, SlotFees>,
    transaction_count: u64,
    airdrop_count: u64,
    store: Option<Store>,
    events: broadcast::Sender<Arc<ChainEvent>>,
    /// Fee rules of the feature set LiteSVM runs with (all features enabled).
    fee_features: solana_fee::FeeFeatures,
}

pub struct ChainOptions<'a> {
    pub state_dir: Option<&'a Path>,
    pub history_limit: usize,
}

impl Chain {
    /// A new chain, or the one persisted in `state_dir`.
    pub fn open(
        options: ChainOptions,
        events: broadcast::Sender<Arc<ChainEvent>>,
    ) -> Result<Chain> {
        let svm = LiteSVM::new()
            .with_sigverify(false) // verified once, by `sanitize`, before LiteSVM sees it
            .with_blockhash_check(false) // our queue keeps the validator's 150-slot window
            .with_transaction_history(64);
        let (store, snapshot, entries) = match options.state_dir {
            Some(dir) => {
                let (store, snapshot, entries) = Store::open(dir)?;
                (Some(store), snapshot, entries)
            }
            None => (None, None, Vec::new()),
        };

        let genesis = match &snapshot {
            Some(snapshot) => snapshot.genesis.clone(),
            None => Genesis {
                genesis_hash: Hash::new_from_array(rand_bytes()),
                faucet: Keypair::new().to_bytes().to_vec(),
            },
        };
        let faucet = Keypair::try_from(genesis.faucet.as_slice()).context("faucet keypair")?;
        let mut chain = Chain {
            svm,
            faucet,
            clock: Clock::default(),
            blockhashes: VecDeque::new(),
            history: History::new(options.history_limit),
            prioritization_fees: BTreeMap::new(),
            transaction_count: 0,
            airdrop_count: 0,
            store,
            events,
            genesis,
            fee_features: solana_fee::FeeFeatures::from(
                &agave_feature_set::FeatureSet::all_enabled(),
            ),
        };

        match snapshot {
            Some(snapshot) => chain.restore(snapshot)?,
            None => {
                let clock = Clock {
                    unix_timestamp: unix_now(),
                    ..Clock::default()
                };
                let blockhash = solana_sha256_hasher::hashv(&[
                    chain.genesis.genesis_hash.as_ref(),
                    &0u64.to_le_bytes(),
                ]);
                chain.blockhashes.push_back((0, blockhash));
                chain.set_clock(clock);
                chain.svm.set_account(
                    chain.faucet.pubkey(),
                    Account {
                        lamports: FAUCET_LAMPORTS,
                        ..Account::default()
                    },
                )?;
            }
        }
        // Programs after the clock: LiteSVM makes a builtin visible from the current slot on.
        programs::load(&mut chain.svm);
        for entry in entries {
            chain.replay(entry)?;
        }
        if chain.store.is_some() {
            chain.compact()?;
        }
        Ok(chain)
    }

    fn restore(&mut self, snapshot: Snapshot) -> Result<()> {
        self.blockhashes = snapshot.blockhashes.into();
        self.set_clock(snapshot.clock);
        for (pubkey, account) in snapshot.accounts {
            self.svm.set_account(pubkey, account)?;
        }
        for record in snapshot.records {
            self.history.insert(record);
        }
        self.transaction_count = snapshot.transaction_count;
        self.airdrop_count = snapshot.airdrop_count;
        Ok(())
    }

    fn replay(&mut self, entry: Entry) -> Result<()> {
        match entry {
            Entry::Slot { clock, blockhash } => {
                self.push_blockhash(clock.slot, blockhash);
                self.set_clock(clock);
            }
            Entry::Transaction {
                record,
                accounts,
                airdrop,
            } => {
                for (pubkey, account) in accounts {
                    self.svm.set_account(pubkey, account)?;
                }
                self.transaction_count += 1;
                self.airdrop_count += u64::from(airdrop);
                self.history.insert(*record);
            }
        }
        Ok(())
    }

    /// Writes a snapshot and empties the journal.
    pub fn compact(&mut self) -> Result<()> {
        let Some(store) = &mut self.store else {
            return Ok(());
        };
        let snapshot = Snapshot {
            genesis: self.genesis.clone(),
            clock: self.clock.clone(),
            blockhashes: self.blockhashes.iter().copied().collect(),
            accounts: persistent_accounts(&self.svm),
            records: self.history.records().cloned().collect(),
            transaction_count: self.transaction_count,
            airdrop_count: self.airdrop_count,
        };
        store.write_snapshot(&snapshot)
    }

    fn journal(&mut self, entry: Entry) -> Result<()> {
        let Some(store) = &mut self.store else {
            return Ok(());
        };
        store.append(&entry)?;
        if store.wants_compaction() {
            self.compact()?;
        }
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChainEvent>> {
        self.events.subscribe()
    }

    pub fn slot(&self) -> Slot {
        self.clock.slot
    }

    /// Every slot produces a block on a single node, so the block height is the slot.
    pub fn block_height(&self) -> u64 {
        self.clock.slot
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn genesis_hash(&self) -> Hash {
        self.genesis.genesis_hash
    }

    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    pub fn epoch_schedule(&self) -> EpochSchedule {
        self.svm.get_sysvar::<EpochSchedule>()
    }

    pub fn epoch_info(&self) -> EpochInfo {
        let schedule = self.epoch_schedule();
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(self.slot());
        EpochInfo {
            absolute_slot: self.slot(),
            block_height: self.block_height(),
            epoch,
            slot_index,
            slots_in_epoch: schedule.get_slots_in_epoch(epoch),
            transaction_count: self.transaction_count,
        }
    }

    /// The newest blockhash and the last block height at which it is still accepted.
    pub fn latest_blockhash(&self) -> (Hash, u64) {
        let (slot, hash) = *self.blockhashes.back().expect("the queue is never empty");
        (hash, slot + MAX_PROCESSING_AGE)
    }

    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> bool {
        let oldest_valid = self.slot().saturating_sub(MAX_PROCESSING_AGE);
        self.blockhashes
            .iter()
            .rev()
            .take_while(|(slot, _)| *slot >= oldest_valid)
            .any(|(_, hash)| hash == blockhash)
    }

    pub fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> u64 {
        self.svm.minimum_balance_for_rent_exemption(data_len)
    }

    pub fn account(&self, pubkey: &Pubkey) -> Option<AccountSharedData> {
        self.svm.accounts_db().get_account(pubkey)
    }

    /// Every account, sorted by address.
    pub fn accounts(&self) -> Vec<(&Pubkey, &AccountSharedData)> {
        let mut accounts: Vec<_> = self.svm.accounts_db().inner.iter().collect();
        accounts.sort_unstable_by_key(|(pubkey, _)| **pubkey);
        accounts
    }

    pub fn transaction(&self, signature: &Signature) -> Option<&TransactionRecord> {
        self.history.get(signature)
    }

    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
    ) -> Vec<&TransactionRecord> {
        self.history
            .signatures_for_address(address, before, until, limit)
    }

    /// The fee the chain charges for `message`: 5,000 lamports per signature, counting the
    /// signatures verified by precompile instructions. `None` if the message is invalid.
    pub fn fee_for_message(&self, message: VersionedMessage) -> Option<u64> {
        let message = SanitizedMessage::try_new(
            SanitizedVersionedMessage::try_new(message).ok()?,
            self.svm.accounts_db(),
            &ReservedAccountKeys::empty_key_set(),
        )
        .ok()?;
        Some(self.fee(&message))
    }

    fn fee(&self, message: &SanitizedMessage) -> u64 {
        solana_fee::calculate_fee(message, false, LAMPORTS_PER_SIGNATURE, 0, self.fee_features)
    }

    fn sanitize(
        &self,
        transaction: &VersionedTransaction,
    ) -> Result<SanitizedTransaction, TransactionError> {
        SanitizedTransaction::try_create(
            transaction.clone(),
            MessageHash::Compute,
            Some(false),
            self.svm.accounts_db(),
            &ReservedAccountKeys::empty_key_set(),
        )
    }

    /// Advances to the next slot: a new blockhash, Clock and SlotHashes.
    pub fn advance_slot(&mut self) -> Result<()> {
        let parent = self.slot();
        let slot = parent + 1;
        let (previous_hash, _) = self.latest_blockhash();
        let blockhash = solana_sha256_hasher::hashv(&[previous_hash.as_ref(), &slot.to_le_bytes()]);
        let schedule = self.epoch_schedule();
        let epoch = schedule.get_epoch(slot);
        let unix_timestamp = unix_now().max(self.clock.unix_timestamp);
        let clock = Clock {
            slot,
            epoch_start_timestamp: if epoch == self.clock.epoch {
                self.clock.epoch_start_timestamp
            } else {
                unix_timestamp
            },
            epoch,
            leader_schedule_epoch: schedule.get_leader_schedule_epoch(slot),
            unix_timestamp,
        };
        self.push_blockhash(slot, blockhash);
        self.set_clock(clock.clone());
        let oldest_fee_slot = slot.saturating_sub(PRIORITIZATION_FEE_SLOTS);
        self.prioritization_fees = self.prioritization_fees.split_off(&oldest_fee_slot);
        self.journal(Entry::Slot { clock, blockhash })?;
        let _ = self
            .events
            .send(Arc::new(ChainEvent::Slot { slot, parent }));
        Ok(())
    }

    fn push_blockhash(&mut self, slot: Slot, blockhash: Hash) {
        self.blockhashes.push_back((slot, blockhash));
        while self.blockhashes.len() > SLOT_HASHES_LEN {
            self.blockhashes.pop_front();
        }
    }

    /// Sets the Clock and the SlotHashes sysvars (the hashes of the slots before this one).
    fn set_clock(&mut self, clock: Clock) {
        let slot_hashes: Vec<(Slot, Hash)> = self
            .blockhashes
            .iter()
            .rev()
            .filter(|(slot, _)| *slot < clock.slot)
            .copied()
            .collect();
        self.svm.set_sysvar(&SlotHashes::new(&slot_hashes));
        self.svm.set_sysvar(&clock);
        self.clock = clock;
    }

    pub fn simulate(
        &self,
        mut transaction: VersionedTransaction,
        sig_verify: bool,
        replace_recent_blockhash: bool,
    ) -> Result<Simulation, SendError> {
        let mut replacement_blockhash = None;
        if replace_recent_blockhash {
            let (blockhash, last_valid) = self.latest_blockhash();
            transaction.message.set_recent_blockhash(blockhash);
            replacement_blockhash = Some((blockhash, last_valid));
        }
        let sanitized = self.sanitize(&transaction).map_err(SendError::Invalid)?;
        if sig_verify && sanitized.verify().is_err() {
            return Err(SendError::SignatureFailure);
        }
        let mut simulation = self.execute_readonly(&sanitized, transaction);
        simulation.replacement_blockhash = replacement_blockhash;
        Ok(simulation)
    }

    /// Runs a sanitized transaction without committing it, with the checks a validator's bank
    /// makes first (status cache, blockhash age).
    fn execute_readonly(
        &self,
        sanitized: &SanitizedTransaction,
        transaction: VersionedTransaction,
    ) -> Simulation {
        let account_keys: Vec<Pubkey> =
            sanitized.message().account_keys().iter().copied().collect();
        let rejected = |err| Simulation {
            err: Some(err),
            logs: Vec::new(),
            units_consumed: 0,
            return_data: None,
            inner_instructions: Vec::new(),
            account_keys: account_keys.clone(),
            post_accounts: Vec::new(),
            replacement_blockhash: None,
        };
        if self.history.contains(sanitized.signature()) {
            return rejected(TransactionError::AlreadyProcessed);
        }
        if !self.is_blockhash_valid(sanitized.message().recent_blockhash()) {
            return rejected(TransactionError::BlockhashNotFound);
        }
        let (err, meta, post_accounts) = match self.svm.simulate_transaction(transaction) {
            Ok(info) => (None, info.meta, info.post_accounts),
            Err(failed) => (Some(failed.err), failed.meta, Vec::new()),
        };
        Simulation {
            err,
            logs: meta.logs,
            units_consumed: meta.compute_units_consumed,
            return_data: Some(meta.return_data).filter(|data| !data.data.is_empty()),
            inner_instructions: meta.inner_instructions,
            account_keys,
            post_accounts,
            replacement_blockhash: None,
        }
    }

    /// Submits a transaction as `sendTransaction` does. With preflight, a transaction that would
    /// fail is rejected (nothing is charged); without, it lands and pays its fee if it can.
    /// Either way a transaction already processed, or with an expired blockhash, is never executed.
    pub fn send_transaction(
        &mut self,
        transaction: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, SendError> {
        self.process(transaction, skip_preflight, false)
    }

    fn process(
        &mut self,
        transaction: VersionedTransaction,
        skip_preflight: bool,
        airdrop: bool,
    ) -> Result<Signature, SendError> {
        let sanitized = self.sanitize(&transaction).map_err(SendError::Invalid)?;
        if sanitized.verify().is_err() {
            return Err(SendError::SignatureFailure);
        }
        let signature = *sanitized.signature();
        let account_keys: Vec<Pubkey> =
            sanitized.message().account_keys().iter().copied().collect();
        let pre_state = self.capture(&account_keys);

        let (err, meta) = if skip_preflight {
            // A validator drops, without executing, what its status cache or blockhash queue
            // rejects; the client only ever sees the signature it computed itself.
            if self.history.contains(&signature)
                || !self.is_blockhash_valid(sanitized.message().recent_blockhash())
            {
                return Ok(signature);
            }
            match self.svm.send_transaction(transaction.clone()) {
                Ok(meta) => (None, meta),
                // Not included (the fee payer could not pay, a program account is missing...):
                // dropped, nothing charged.
                Err(_) if self.svm.get_transaction(&signature).is_none() => return Ok(signature),
                Err(failed) => (Some(failed.err), failed.meta),
            }
        } else {
            let simulation = self.execute_readonly(&sanitized, transaction.clone());
            if simulation.err.is_some() {
                return Err(SendError::Preflight(Box::new(simulation)));
            }
            for (pubkey, account) in &simulation.post_accounts {
                self.svm
                    .set_account(*pubkey, Account::from(account.clone()))
                    .expect("accounts produced by execution are valid");
            }
            let meta = TransactionMetadata {
                signature,
                logs: simulation.logs,
                inner_instructions: simulation.inner_instructions,
                compute_units_consumed: simulation.units_consumed,
                return_data: simulation.return_data.unwrap_or_default(),
            };
            (None, meta)
        };

        let post_state = self.capture(&account_keys);
        let message = sanitized.message();
        let record = TransactionRecord {
            signature,
            slot: self.slot(),
            block_time: self.clock.unix_timestamp,
            err: err.clone(),
            fee: self.fee(message),
            pre_balances: pre_state.iter().map(lamports_of).collect(),
            post_balances: post_state.iter().map(lamports_of).collect(),
            pre_token_balances: self.token_balances(&account_keys, &pre_state),
            post_token_balances: self.token_balances(&account_keys, &post_state),
            logs: meta.logs,
            inner_instructions: meta.inner_instructions,
            return_data: meta.return_data,
            compute_units_consumed: meta.compute_units_consumed,
            loaded_addresses: loaded_addresses(message),
            memo: memo_of(message),
            account_keys: account_keys.clone(),
            transaction,
        };
        let changed: Vec<(Pubkey, AccountSharedData)> = account_keys
            .iter()
            .zip(pre_state.iter().zip(post_state))
            .enumerate()
            .filter(|(index, (_, (before, after)))| message.is_writable(*index) && *before != after)
            .map(|(_, (pubkey, (_, after)))| (*pubkey, after.unwrap_or_default()))
            .collect();

        self.record_prioritization_fee(message);
        self.transaction_count += 1;
        self.airdrop_count += u64::from(airdrop);
        let event = TransactionEvent {
            signature,
            slot: record.slot,
            err,
            logs: record.logs.clone(),
            account_keys,
            changed_accounts: changed.clone(),
        };
        let journaled = self.journal(Entry::Transaction {
            record: Box::new(record.clone()),
            accounts: changed
                .into_iter()
                .map(|(pubkey, account)| (pubkey, Account::from(account)))
                .collect(),
            airdrop,
        });
        if let Err(error) = journaled {
            // The transaction is committed in memory; losing the state dir is an operator
            // problem worth shouting about, not a reason to tell the client it failed.
            eprintln!("localnet: failed to persist transaction {signature}: {error:#}");
        }
        self.history.insert(record);
        let _ = self.events.send(Arc::new(ChainEvent::Transaction(event)));
        Ok(signature)
    }

    fn capture(&self, keys: &[Pubkey]) -> Vec<Option<AccountSharedData>> {
        keys.iter().map(|key| self.account(key)).collect()
    }

    fn token_balances(
        &self,
        keys: &[Pubkey],
        accounts: &[Option<AccountSharedData>],
    ) -> Vec<TokenBalance> {
        keys.iter()
            .zip(accounts)
            .enumerate()
            .filter_map(|(index, (_, account))| {
                let account = account.as_ref()?;
                let token = tokens::token_account(account)?;
                let decimals = tokens::mint_decimals(&self.account(&token.mint)?)?;
                Some(TokenBalance {
                    account_index: u8::try_from(index).ok()?,
                    mint: token.mint,
                    owner: token.owner,
                    program_id: *account.owner(),
                    amount: token.amount,
                    decimals,
                })
            })
            .collect()
    }

    fn record_prioritization_fee(&mut self, message: &SanitizedMessage) {
        let price = compute_unit_price(message);
        let fees = self.prioritization_fees.entry(self.clock.slot).or_default();
        fees.block_min = Some(fees.block_min.map_or(price, |min| min.min(price)));
        for (index, key) in message.account_keys().iter().enumerate() {
            if message.is_writable(index) {
                let min = fees.by_account.entry(*key).or_insert(price);
                *min = (*min).min(price);
            }
        }
    }

    /// Per recent slot, the lowest compute-unit price (micro-lamports) a landed transaction
    /// paid, raised to the lowest price paid by transactions writing one of `accounts`.
    pub fn recent_prioritization_fees(&self, accounts: &[Pubkey]) -> Vec<(Slot, u64)> {
        let oldest = self.slot().saturating_sub(PRIORITIZATION_FEE_SLOTS - 1);
        (oldest..=self.slot())
            .map(|slot| {
                let fee = self.prioritization_fees.get(&slot).map_or(0, |fees| {
                    accounts
                        .iter()
                        .filter_map(|account| fees.by_account.get(account).copied())
                        .fold(fees.block_min.unwrap_or(0), u64::max)
                });
                (slot, fee)
            })
            .collect()
    }

    /// Sends `lamports` from the faucet, as `requestAirdrop` does.
    pub fn airdrop(&mut self, recipient: &Pubkey, lamports: u64) -> Result<Signature, String> {
        let (blockhash, _) = self.latest_blockhash();
        // The memo makes every airdrop a distinct transaction, even two identical requests
        // within one slot.
        let memo = Instruction {
            program_id: MEMO_PROGRAM_ID,
            accounts: Vec::new(),
            data: format!("iogrid localnet faucet #{}", self.airdrop_count + 1).into_bytes(),
        };
        let transfer = solana_system_interface::instruction::transfer(
            &self.faucet.pubkey(),
            recipient,
            lamports,
        );
        let transaction = Transaction::new_signed_with_payer(
            &[transfer, memo],
            Some(&self.faucet.pubkey()),
            &[&self.faucet],
            blockhash,
        );
        self.process(transaction.into(), false, true)
            .map_err(|error| match error {
                SendError::Preflight(simulation) => format!(
                    "airdrop of {lamports} lamports failed: {}",
                    simulation
                        .err
                        .map(|err| err.to_string())
                        .unwrap_or_default()
                ),
                SendError::Invalid(err) => format!("airdrop failed: {err}"),
                SendError::SignatureFailure => "airdrop failed: signature verification".to_string(),
            })
    }
}

fn lamports_of(account: &Option<AccountSharedData>) -> u64 {
    account.as_ref().map_or(0, |account| account.lamports())
}

fn loaded_addresses(message: &SanitizedMessage) -> LoadedAddresses {
    match message {
        SanitizedMessage::Legacy(_) => LoadedAddresses::default(),
        SanitizedMessage::V0(message) => message.loaded_addresses.as_ref().clone(),
    }
}

/// The compute-unit price (micro-lamports) set by a ComputeBudget instruction, or 0.
fn compute_unit_price(message: &SanitizedMessage) -> u64 {
    const SET_COMPUTE_UNIT_PRICE: u8 = 3;
    message
        .program_instructions_iter()
        .filter(|(program_id, _)| **program_id == COMPUTE_BUDGET_PROGRAM_ID)
        .find_map(|(_, instruction)| match instruction.data.as_slice() {
            [SET_COMPUTE_UNIT_PRICE, price @ ..] => {
                Some(u64::from_le_bytes(price.try_into().ok()?))
            }
            _ => None,
        })
        .unwrap_or(0)
}

/// Memo texts as the validator reports them in `getSignaturesForAddress`: `[len] text`, joined.
fn memo_of(message: &SanitizedMessage) -> Option<String> {
    let memos: Vec<String> = message
        .program_instructions_iter()
        .filter(|(program_id, _)| {
            **program_id == MEMO_PROGRAM_ID || **program_id == MEMO_V1_PROGRAM_ID
        })
        .map(|(_, instruction)| {
            let text = String::from_utf8_lossy(&instruction.data);
            format!("[{}] {}", text.len(), text)
        })
        .collect();
    (!memos.is_empty()).then(|| memos.join("; "))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

fn rand_bytes() -> [u8; 32] {
    Keypair::new().pubkey().to_bytes()
}

/// Accounts worth persisting: everything but builtins (re-created at start) and sysvars.
fn persistent_accounts(svm: &LiteSVM) -> Vec<(Pubkey, Account)> {
    svm.accounts_db()
        .inner
        .iter()
        .filter(|(_, account)| {
            !solana_sdk_ids::native_loader::check_id(account.owner())
                && !solana_sdk_ids::sysvar::check_id(account.owner())
        })
        .map(|(pubkey, account)| (*pubkey, Account::from(account.clone())))
        .collect()
}
