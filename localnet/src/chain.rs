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
    agave_feature_set::FeatureSet,
    agave_reserved_account_keys::ReservedAccountKeys,
    anyhow::{bail, Context, Result},
    litesvm::LiteSVM,
    solana_account::{Account, AccountSharedData, ReadableAccount, WritableAccount},
    solana_clock::{Clock, Slot},
    solana_commitment_config::CommitmentLevel,
    solana_compute_budget_instruction::instructions_processor::process_compute_budget_instructions,
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
    solana_svm_transaction::svm_message::SVMMessage,
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
    /// Whether it got past the fee payer and ran, so that sent it would land (with `err`).
    pub executed: bool,
    /// Base plus prioritization fee, in lamports.
    pub fee: u64,
    /// Micro-lamports per compute unit, from its ComputeBudget instructions.
    pub compute_unit_price: u64,
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
    /// Seconds the Clock runs ahead of the wall clock, after `warp_clock`.
    time_offset: i64,
    /// Recent blockhashes by slot, oldest first; the last `MAX_PROCESSING_AGE + 1` are valid.
    blockhashes: VecDeque<(Slot, Hash)>,
    history: History,
    prioritization_fees: BTreeMap<Slot, SlotFees>,
    transaction_count: u64,
    airdrop_count: u64,
    store: Option<Store>,
    events: broadcast::Sender<Arc<ChainEvent>>,
    /// The feature set LiteSVM runs with (all features enabled), for fee and compute-budget rules.
    feature_set: Arc<FeatureSet>,
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
            time_offset: 0,
            blockhashes: VecDeque::new(),
            history: History::new(options.history_limit),
            prioritization_fees: BTreeMap::new(),
            transaction_count: 0,
            airdrop_count: 0,
            store,
            events,
            genesis,
            feature_set: Arc::new(FeatureSet::all_enabled()),
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
        // A chain warped ahead resumes its own time rather than falling back to the wall clock's.
        chain.time_offset = (chain.clock.unix_timestamp - unix_now()).max(0);
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

    /// The slot (and block height) at a commitment level: `processed` is the slot being filled;
    /// `confirmed` and `finalized` are the last completed one, as on a validator, whose hash is
    /// already in SlotHashes (address lookup tables, for one, need a slot from there).
    pub fn committed_slot(&self, commitment: CommitmentLevel) -> Slot {
        match commitment {
            CommitmentLevel::Processed => self.clock.slot,
            CommitmentLevel::Confirmed | CommitmentLevel::Finalized => {
                self.clock.slot.saturating_sub(1)
            }
        }
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

    /// The accounts `owner` owns that pass `keep`, sorted by address.
    pub fn accounts_owned_by(
        &self,
        owner: &Pubkey,
        keep: impl Fn(&AccountSharedData) -> bool,
    ) -> Vec<(&Pubkey, &AccountSharedData)> {
        let mut accounts: Vec<_> = self
            .svm
            .accounts_db()
            .inner
            .iter()
            .filter(|(_, account)| account.owner() == owner && keep(account))
            .collect();
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

    /// The fee the chain charges for `message` (see `fee`). `None` if the message is invalid.
    pub fn fee_for_message(&self, message: VersionedMessage) -> Option<u64> {
        let message = SanitizedMessage::try_new(
            SanitizedVersionedMessage::try_new(message).ok()?,
            self.svm.accounts_db(),
            &ReservedAccountKeys::empty_key_set(),
        )
        .ok()?;
        let limits = process_compute_budget_instructions(
            SVMMessage::program_instructions_iter(&message),
            &self.feature_set,
        )
        .ok()?;
        Some(self.fee(&message, limits.get_prioritization_fee()))
    }

    /// 5,000 lamports per signature (precompile signatures included) plus the prioritization fee.
    fn fee(&self, message: &SanitizedMessage, prioritization_fee: u64) -> u64 {
        solana_fee::calculate_fee(
            message,
            false,
            LAMPORTS_PER_SIGNATURE,
            prioritization_fee,
            solana_fee::FeeFeatures::from(self.feature_set.as_ref()),
        )
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
        let unix_timestamp = (unix_now() + self.time_offset).max(self.clock.unix_timestamp);
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

    /// Moves the Clock forward to `unix_timestamp` (local chains only: tests that need hours or
    /// years to pass) and starts a new slot with it, so the next transaction sees the new time.
    /// Time then keeps running from there.
    pub fn warp_clock(&mut self, unix_timestamp: i64) -> Result<&Clock> {
        if unix_timestamp < self.clock.unix_timestamp {
            bail!(
                "the clock only moves forward: it is at {}, asked for {unix_timestamp}",
                self.clock.unix_timestamp
            );
        }
        self.time_offset = unix_timestamp - unix_now();
        self.advance_slot()?;
        Ok(&self.clock)
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
        &mut self,
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
        let pre_state = self.capture(
            &sanitized
                .message()
                .account_keys()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
        );
        let mut simulation = self.execute(&sanitized, transaction, &pre_state);
        simulation.replacement_blockhash = replacement_blockhash;
        Ok(simulation)
    }

    /// Runs a transaction without committing it, with the checks a validator's bank makes
    /// (status cache, blockhash age, compute budget, fee payer, rent states of written accounts).
    /// `pre_state` is the current state of the transaction's accounts, in key order.
    fn execute(
        &mut self,
        sanitized: &SanitizedTransaction,
        transaction: VersionedTransaction,
        pre_state: &[Option<AccountSharedData>],
    ) -> Simulation {
        let account_keys: Vec<Pubkey> =
            sanitized.message().account_keys().iter().copied().collect();
        let rejected = |err| Simulation {
            err: Some(err),
            executed: false,
            fee: 0,
            compute_unit_price: 0,
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
        let limits = match process_compute_budget_instructions(
            SVMMessage::program_instructions_iter(sanitized),
            &self.feature_set,
        ) {
            Ok(limits) => limits,
            Err(err) => return rejected(err),
        };
        let fee = self.fee(sanitized.message(), limits.get_prioritization_fee());
        let base_fee = self.fee(sanitized.message(), 0);

        // LiteSVM charges (and checks the payer can afford) the base fee only; the priority part
        // is taken from the payer beforehand so both are validated as the validator does.
        let payer = *sanitized.message().fee_payer();
        let payer_account = pre_state.first().cloned().flatten();
        let priority_fee = fee - base_fee;
        if priority_fee > 0 {
            match &payer_account {
                Some(account) if account.lamports() >= priority_fee => {
                    let mut charged = account.clone();
                    charged.set_lamports(account.lamports() - priority_fee);
                    self.svm
                        .set_account(payer, charged.into())
                        .expect("a system account is valid");
                }
                _ => return rejected(TransactionError::InsufficientFundsForFee),
            }
        }
        let result = self.svm.simulate_transaction(transaction);
        if let (true, Some(account)) = (priority_fee > 0, &payer_account) {
            self.svm
                .set_account(payer, account.clone().into())
                .expect("restoring the payer");
        }

        let (mut err, meta, post_accounts) = match result {
            Ok(info) => (None, info.meta, info.post_accounts),
            Err(failed) => (Some(failed.err), failed.meta, Vec::new()),
        };
        if err.is_none() {
            err = self.rent_state_violation(&account_keys, pre_state, &post_accounts);
        }
        // Failures after the fee payer was validated are included in a block, fee charged.
        let executed = matches!(
            err,
            None | Some(
                TransactionError::InstructionError(..)
                    | TransactionError::InsufficientFundsForRent { .. }
                    | TransactionError::UnbalancedTransaction
            )
        );
        Simulation {
            err,
            executed,
            fee,
            compute_unit_price: limits.compute_unit_price,
            logs: meta.logs,
            units_consumed: meta.compute_units_consumed,
            return_data: Some(meta.return_data).filter(|data| !data.data.is_empty()),
            inner_instructions: meta.inner_instructions,
            account_keys,
            post_accounts,
            replacement_blockhash: None,
        }
    }

    /// The validator's rent-state rule: a written account may not end up rent-paying unless it
    /// already was, with the same size and no more lamports. (LiteSVM checks only accounts with
    /// data; this covers all of them.)
    fn rent_state_violation(
        &self,
        keys: &[Pubkey],
        pre_state: &[Option<AccountSharedData>],
        post_accounts: &[(Pubkey, AccountSharedData)],
    ) -> Option<TransactionError> {
        let rent_paying = |account: &AccountSharedData| {
            let exempt = self.minimum_balance_for_rent_exemption(account.data().len());
            (account.lamports() > 0 && account.lamports() < exempt)
                .then_some((account.lamports(), account.data().len()))
        };
        post_accounts.iter().find_map(|(pubkey, after)| {
            let (lamports_after, size_after) = rent_paying(after)?;
            if solana_sdk_ids::incinerator::check_id(pubkey) {
                return None;
            }
            let index = keys.iter().position(|key| key == pubkey)?;
            let allowed = pre_state[index].as_ref().and_then(rent_paying).is_some_and(
                |(lamports_before, size_before)| {
                    size_before == size_after && lamports_after <= lamports_before
                },
            );
            (!allowed).then_some(TransactionError::InsufficientFundsForRent {
                account_index: index as u8,
            })
        })
    }

    /// Submits a transaction as `sendTransaction` does. With preflight, a transaction that would
    /// fail is rejected (nothing is charged); without, it lands with its error and pays its fee.
    /// Either way a transaction already processed, with an expired blockhash, or whose fee payer
    /// cannot pay is never executed.
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
        let simulation = self.execute(&sanitized, transaction.clone(), &pre_state);

        match &simulation.err {
            None => {
                for (pubkey, account) in &simulation.post_accounts {
                    self.svm
                        .set_account(*pubkey, Account::from(account.clone()))
                        .expect("accounts produced by execution are valid");
                }
            }
            Some(_) if !skip_preflight => return Err(SendError::Preflight(Box::new(simulation))),
            // What a validator drops without executing: the client only ever sees the signature
            // it computed itself.
            Some(_) if !simulation.executed => return Ok(signature),
            Some(_) => {
                // Landed with its error: only the fee moves.
                let payer = pre_state[0]
                    .clone()
                    .expect("an executed transaction has a payer");
                let mut charged = payer;
                charged.set_lamports(charged.lamports() - simulation.fee);
                self.svm
                    .set_account(account_keys[0], charged.into())
                    .expect("a fee payer account is valid");
            }
        }

        let post_state = self.capture(&account_keys);
        let message = sanitized.message();
        let record = TransactionRecord {
            signature,
            slot: self.slot(),
            block_time: self.clock.unix_timestamp,
            err: simulation.err.clone(),
            fee: simulation.fee,
            pre_balances: pre_state.iter().map(lamports_of).collect(),
            post_balances: post_state.iter().map(lamports_of).collect(),
            pre_token_balances: self.token_balances(&account_keys, &pre_state),
            post_token_balances: self.token_balances(&account_keys, &post_state),
            logs: simulation.logs,
            inner_instructions: simulation.inner_instructions,
            return_data: simulation.return_data.unwrap_or_default(),
            compute_units_consumed: simulation.units_consumed,
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

        self.record_prioritization_fee(message, simulation.compute_unit_price);
        self.transaction_count += 1;
        self.airdrop_count += u64::from(airdrop);
        let event = TransactionEvent {
            signature,
            slot: record.slot,
            err: record.err.clone(),
            logs: record.logs.clone(),
            account_keys,
            changed_accounts: changed.clone(),
        };
        if self.store.is_some() {
            let entry = Entry::Transaction {
                record: Box::new(record.clone()),
                accounts: changed
                    .into_iter()
                    .map(|(pubkey, account)| (pubkey, Account::from(account)))
                    .collect(),
                airdrop,
            };
            if let Err(error) = self.journal(entry) {
                // The transaction is committed in memory; losing the state dir is an operator
                // problem worth shouting about, not a reason to tell the client it failed.
                eprintln!("localnet: failed to persist transaction {signature}: {error:#}");
            }
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

    fn record_prioritization_fee(&mut self, message: &SanitizedMessage, price: u64) {
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
