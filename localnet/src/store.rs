//! `--state-dir` persistence: a snapshot of the whole chain plus an append-only journal of what
//! happened since (slots and committed transactions with the accounts they wrote). Every entry is
//! written before the client is answered, so a chain killed at any point restarts where it stopped.
//!
//! Journal framing: `u32` little-endian length, then the bincode of an [`Entry`]. A torn last
//! entry (the process died mid-write) is dropped on the next start.

use {
    crate::history::TransactionRecord,
    anyhow::{Context, Result},
    serde::{Deserialize, Serialize},
    solana_account::Account,
    solana_clock::{Clock, Slot},
    solana_hash::Hash,
    solana_pubkey::Pubkey,
    std::{
        fs::{self, File, OpenOptions},
        io::{BufReader, BufWriter, Read, Write},
        path::{Path, PathBuf},
    },
};

/// Compact the journal into a new snapshot once it grows past this many bytes.
const COMPACT_AFTER_BYTES: u64 = 64 << 20;

#[derive(Clone, Serialize, Deserialize)]
pub struct Genesis {
    pub genesis_hash: Hash,
    /// The faucet keypair behind `requestAirdrop` (ed25519 secret + public key).
    pub faucet: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
pub enum Entry {
    Slot {
        clock: Clock,
        blockhash: Hash,
    },
    Transaction {
        record: Box<TransactionRecord>,
        /// Post-transaction state of every account it may have written (0 lamports = deleted).
        accounts: Vec<(Pubkey, Account)>,
        airdrop: bool,
    },
}

#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub genesis: Genesis,
    pub clock: Clock,
    /// Recent blockhashes by slot, oldest first.
    pub blockhashes: Vec<(Slot, Hash)>,
    pub accounts: Vec<(Pubkey, Account)>,
    pub records: Vec<TransactionRecord>,
    pub transaction_count: u64,
    pub airdrop_count: u64,
}

pub struct Store {
    dir: PathBuf,
    journal: BufWriter<File>,
    journal_bytes: u64,
}

impl Store {
    /// Opens (creating if needed) a state directory, returning what it holds.
    pub fn open(dir: &Path) -> Result<(Store, Option<Snapshot>, Vec<Entry>)> {
        fs::create_dir_all(dir).with_context(|| format!("creating state dir {}", dir.display()))?;
        let snapshot_path = dir.join("snapshot.bin");
        let snapshot = if snapshot_path.exists() {
            let file = File::open(&snapshot_path)
                .with_context(|| format!("opening {}", snapshot_path.display()))?;
            Some(
                bincode::deserialize_from(BufReader::new(file))
                    .with_context(|| format!("reading {}", snapshot_path.display()))?,
            )
        } else {
            None
        };

        let journal_path = dir.join("journal.bin");
        let (entries, valid_bytes) = read_journal(&journal_path)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&journal_path)
            .with_context(|| format!("opening {}", journal_path.display()))?;
        // Drop a torn tail so the next entry starts at a frame boundary.
        file.set_len(valid_bytes)?;
        let mut journal = BufWriter::new(file);
        use std::io::Seek;
        journal.seek(std::io::SeekFrom::End(0))?;
        Ok((
            Store {
                dir: dir.to_path_buf(),
                journal,
                journal_bytes: valid_bytes,
            },
            snapshot,
            entries,
        ))
    }

    pub fn append(&mut self, entry: &Entry) -> Result<()> {
        let bytes = bincode::serialize(entry)?;
        let len = u32::try_from(bytes.len()).context("journal entry larger than 4 GiB")?;
        self.journal.write_all(&len.to_le_bytes())?;
        self.journal.write_all(&bytes)?;
        // Into the kernel before the client hears back: survives the process being killed.
        self.journal.flush()?;
        self.journal_bytes += 4 + bytes.len() as u64;
        Ok(())
    }

    pub fn wants_compaction(&self) -> bool {
        self.journal_bytes >= COMPACT_AFTER_BYTES
    }

    /// Replaces the snapshot atomically and empties the journal.
    pub fn write_snapshot(&mut self, snapshot: &Snapshot) -> Result<()> {
        let path = self.dir.join("snapshot.bin");
        let temporary = self.dir.join("snapshot.bin.tmp");
        {
            let mut writer = BufWriter::new(File::create(&temporary)?);
            bincode::serialize_into(&mut writer, snapshot)?;
            writer.flush()?;
            writer.get_ref().sync_all()?;
        }
        fs::rename(&temporary, &path)?;
        File::open(&self.dir)?.sync_all()?;
        self.journal.flush()?;
        self.journal.get_ref().set_len(0)?;
        use std::io::Seek;
        self.journal.seek(std::io::SeekFrom::Start(0))?;
        self.journal_bytes = 0;
        Ok(())
    }
}

/// Reads every complete entry; returns them and the byte length they occupy.
fn read_journal(path: &Path) -> Result<(Vec<Entry>, u64)> {
    let Ok(file) = File::open(path) else {
        return Ok((Vec::new(), 0));
    };
    let mut reader = BufReader::new(file);
    let mut entries = Vec::new();
    let mut valid_bytes = 0u64;
    loop {
        let mut len = [0u8; 4];
        if reader.read_exact(&mut len).is_err() {
            break;
        }
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        if reader.read_exact(&mut bytes).is_err() {
            break;
        }
        match bincode::deserialize::<Entry>(&bytes) {
            Ok(entry) => entries.push(entry),
            Err(_) => break,
        }
        valid_bytes += 4 + bytes.len() as u64;
    }
    Ok((entries, valid_bytes))
}
