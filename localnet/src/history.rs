//! Executed transactions: their status and metadata (what `getTransaction`, `getSignatureStatuses`
//! and `getSignaturesForAddress` answer), and the signature cache that keeps a transaction from
//! executing twice.

use {
    serde::{Deserialize, Serialize},
    solana_clock::Slot,
    solana_message::{inner_instruction::InnerInstructionsList, v0::LoadedAddresses},
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    solana_transaction::versioned::VersionedTransaction,
    solana_transaction_context::TransactionReturnData,
    solana_transaction_error::TransactionError,
    std::collections::{HashMap, VecDeque},
};

/// A token account's balance before or after a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBalance {
    /// Index of the account in the transaction's account keys.
    pub account_index: u8,
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub program_id: Pubkey,
    pub amount: u64,
    pub decimals: u8,
}

/// A transaction that landed (successfully or with an error that still charged its fee).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TransactionRecord {
    pub signature: Signature,
    pub slot: Slot,
    /// Unix seconds of the slot.
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    pub logs: Vec<String>,
    pub inner_instructions: InnerInstructionsList,
    pub return_data: TransactionReturnData,
    pub compute_units_consumed: u64,
    pub loaded_addresses: LoadedAddresses,
    /// Every account the transaction referenced, static keys first then loaded ones.
    pub account_keys: Vec<Pubkey>,
    /// Text of the memo instructions, `[len] text` joined with "; ", as the validator reports it.
    pub memo: Option<String>,
}

/// The last `limit` landed transactions, indexed by signature and by account.
pub struct History {
    limit: usize,
    records: HashMap<Signature, TransactionRecord>,
    order: VecDeque<Signature>,
    by_address: HashMap<Pubkey, VecDeque<Signature>>,
}

impl History {
    pub fn new(limit: usize) -> Self {
        History {
            limit: limit.max(1),
            records: HashMap::new(),
            order: VecDeque::new(),
            by_address: HashMap::new(),
        }
    }

    pub fn get(&self, signature: &Signature) -> Option<&TransactionRecord> {
        self.records.get(signature)
    }

    pub fn contains(&self, signature: &Signature) -> bool {
        self.records.contains_key(signature)
    }

    pub fn records(&self) -> impl Iterator<Item = &TransactionRecord> {
        self.order
            .iter()
            .filter_map(|signature| self.records.get(signature))
    }

    pub fn insert(&mut self, record: TransactionRecord) {
        if self.records.contains_key(&record.signature) {
            return;
        }
        for key in &record.account_keys {
            self.by_address
                .entry(*key)
                .or_default()
                .push_back(record.signature);
        }
        self.order.push_back(record.signature);
        self.records.insert(record.signature, record);
        while self.order.len() > self.limit {
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) {
        let Some(signature) = self.order.pop_front() else {
            return;
        };
        let Some(record) = self.records.remove(&signature) else {
            return;
        };
        for key in &record.account_keys {
            if let Some(signatures) = self.by_address.get_mut(key) {
                // The oldest record is the oldest entry of every address it touched.
                if signatures.front() == Some(&signature) {
                    signatures.pop_front();
                }
                if signatures.is_empty() {
                    self.by_address.remove(key);
                }
            }
        }
    }

    /// Signatures of transactions that referenced `address`, newest first, starting after
    /// `before` (exclusive) and stopping at `until` (exclusive).
    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
    ) -> Vec<&TransactionRecord> {
        let Some(signatures) = self.by_address.get(address) else {
            return Vec::new();
        };
        let mut newest_first = signatures.iter().rev().peekable();
        if let Some(before) = before {
            // Skip down to and including `before`; an unknown `before` yields nothing, as no
            // transaction is known to precede it.
            if !signatures.contains(before) {
                return Vec::new();
            }
            for signature in newest_first.by_ref() {
                if signature == before {
                    break;
                }
            }
        }
        newest_first
            .take_while(|signature| Some(*signature) != until)
            .filter_map(|signature| self.records.get(signature))
            .take(limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use {super::*, solana_transaction::versioned::VersionedTransaction};

    fn record(n: u8, keys: &[Pubkey]) -> TransactionRecord {
        TransactionRecord {
            signature: Signature::from([n; 64]),
            slot: n as u64,
            block_time: 0,
            transaction: VersionedTransaction::default(),
            err: None,
            fee: 5_000,
            pre_balances: vec![],
            post_balances: vec![],
            pre_token_balances: vec![],
            post_token_balances: vec![],
            logs: vec![],
            inner_instructions: vec![],
            return_data: Default::default(),
            compute_units_consumed: 0,
            loaded_addresses: Default::default(),
            account_keys: keys.to_vec(),
            memo: None,
        }
    }

    fn slots(records: Vec<&TransactionRecord>) -> Vec<u64> {
        records.iter().map(|r| r.slot).collect()
    }

    #[test]
    fn signatures_for_address_are_newest_first_with_before_until_and_limit() {
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let mut history = History::new(100);
        for n in 1..=5 {
            let keys = if n % 2 == 0 { vec![a, b] } else { vec![a] };
            history.insert(record(n, &keys));
        }
        assert_eq!(
            slots(history.signatures_for_address(&a, None, None, 10)),
            [5, 4, 3, 2, 1]
        );
        assert_eq!(
            slots(history.signatures_for_address(&b, None, None, 10)),
            [4, 2]
        );
        assert_eq!(
            slots(history.signatures_for_address(&a, None, None, 2)),
            [5, 4]
        );
        let before = Signature::from([4; 64]);
        let until = Signature::from([1; 64]);
        assert_eq!(
            slots(history.signatures_for_address(&a, Some(&before), None, 10)),
            [3, 2, 1]
        );
        assert_eq!(
            slots(history.signatures_for_address(&a, Some(&before), Some(&until), 10)),
            [3, 2]
        );
        assert!(history
            .signatures_for_address(&Pubkey::new_unique(), None, None, 10)
            .is_empty());
    }

    #[test]
    fn the_oldest_records_are_evicted_beyond_the_limit_with_their_index_entries() {
        let a = Pubkey::new_unique();
        let mut history = History::new(3);
        for n in 1..=5 {
            history.insert(record(n, &[a]));
        }
        assert_eq!(history.records().count(), 3);
        assert!(!history.contains(&Signature::from([2; 64])));
        assert_eq!(
            slots(history.signatures_for_address(&a, None, None, 10)),
            [5, 4, 3]
        );
        history.insert(record(5, &[a]));
        assert_eq!(
            history.records().count(),
            3,
            "a known signature is not inserted twice"
        );
    }
}
