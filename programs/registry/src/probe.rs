//! The availability probe: the message a device's agent signs, and how an attestation proves the
//! signature was checked. Mirrored byte for byte in `sdk/src/probe.ts`; the format is described in
//! the registry README.
//!
//! Message v1, 125 bytes:
//! `"iogrid/probe" (12) | version = 1 (1) | device (32) | epoch u64 LE (8) | slot u64 LE (8) |
//!  challenge (32) | benchmark result hash (32)`,
//! where `challenge = sha256("iogrid/challenge" | version | device | epoch LE | slot LE |
//! hash of slot)`. The slot's hash comes from the SlotHashes sysvar, so no challenge exists
//! before its slot and none stays valid once the slot is older than the configured age.

use {
    crate::errors::RegistryError,
    anchor_lang::{
        prelude::*,
        solana_program::{
            ed25519_program, hash::hashv, sysvar::instructions::load_instruction_at_checked,
        },
    },
};

pub const PROBE_DOMAIN: &[u8; 12] = b"iogrid/probe";
pub const CHALLENGE_DOMAIN: &[u8; 16] = b"iogrid/challenge";
pub const PROBE_VERSION: u8 = 1;
pub const PROBE_MESSAGE_LEN: usize = 12 + 1 + 32 + 8 + 8 + 32 + 32;

/// A probe message's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeMessage {
    pub device: Pubkey,
    pub epoch: u64,
    pub slot: u64,
    pub challenge: [u8; 32],
    pub benchmark_hash: [u8; 32],
}

impl ProbeMessage {
    pub fn to_bytes(&self) -> [u8; PROBE_MESSAGE_LEN] {
        let mut bytes = [0u8; PROBE_MESSAGE_LEN];
        let parts: [&[u8]; 7] = [
            PROBE_DOMAIN,
            &[PROBE_VERSION],
            self.device.as_ref(),
            &self.epoch.to_le_bytes(),
            &self.slot.to_le_bytes(),
            &self.challenge,
            &self.benchmark_hash,
        ];
        let mut at = 0;
        for part in parts {
            bytes[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        bytes
    }

    /// Parses a v1 message; anything else is `InvalidProbeMessage` (wrong length or domain) or
    /// `UnsupportedProbeVersion`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        require!(
            bytes.len() == PROBE_MESSAGE_LEN && bytes[..12] == PROBE_DOMAIN[..],
            RegistryError::InvalidProbeMessage
        );
        require!(
            bytes[12] == PROBE_VERSION,
            RegistryError::UnsupportedProbeVersion
        );
        let array32 = |at: usize| -> [u8; 32] { bytes[at..at + 32].try_into().unwrap_or_default() };
        let u64_at = |at: usize| -> u64 {
            u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
        };
        Ok(Self {
            device: Pubkey::new_from_array(array32(13)),
            epoch: u64_at(45),
            slot: u64_at(53),
            challenge: array32(61),
            benchmark_hash: array32(93),
        })
    }
}

/// The challenge of `device` for `epoch` at `slot`, whose bank hash is `slot_hash`.
pub fn probe_challenge(device: &Pubkey, epoch: u64, slot: u64, slot_hash: &[u8; 32]) -> [u8; 32] {
    hashv(&[
        CHALLENGE_DOMAIN,
        &[PROBE_VERSION],
        device.as_ref(),
        &epoch.to_le_bytes(),
        &slot.to_le_bytes(),
        slot_hash,
    ])
    .to_bytes()
}

/// A signature the Ed25519 program verified in this transaction: the key and the exact bytes.
pub struct VerifiedSignature<'a> {
    pub public_key: &'a [u8],
    pub message: &'a [u8],
}

/// Layout of the Ed25519 program's instruction data: `[count u8, padding u8]`, then `count`
/// entries of seven little-endian u16 (signature offset and instruction index, public key offset
/// and instruction index, message offset, size and instruction index).
const ED25519_HEADER_LEN: usize = 2;
const ED25519_OFFSETS_LEN: usize = 14;
/// An instruction index meaning "the Ed25519 instruction's own data".
const THIS_INSTRUCTION: u16 = u16::MAX;

/// The Ed25519 instruction right before instruction `current_index` of this transaction, with
/// exactly `expected` signatures.
pub fn load_ed25519_instruction(
    instructions_sysvar: &AccountInfo,
    current_index: u16,
    expected: usize,
) -> Result<Vec<u8>> {
    let index = current_index
        .checked_sub(1)
        .ok_or(RegistryError::MissingEd25519Instruction)?;
    let instruction = load_instruction_at_checked(index as usize, instructions_sysvar)
        .map_err(|_| error!(RegistryError::MissingEd25519Instruction))?;
    require_keys_eq!(
        instruction.program_id,
        ed25519_program::ID,
        RegistryError::MissingEd25519Instruction
    );
    let data = instruction.data;
    require!(
        data.len() >= ED25519_HEADER_LEN && data[0] as usize == expected,
        RegistryError::SignatureCountMismatch
    );
    Ok(data)
}

/// Signature `n` of an Ed25519 instruction's `data`. Every part of it must lie in that same
/// instruction's data: an entry pointing into another instruction would let the program verify
/// bytes other than the ones read here, the classic way to forge a "verified" signature.
pub fn verified_signature(data: &[u8], n: usize) -> Result<VerifiedSignature<'_>> {
    let at = ED25519_HEADER_LEN + n * ED25519_OFFSETS_LEN;
    let entry = data
        .get(at..at + ED25519_OFFSETS_LEN)
        .ok_or(RegistryError::Ed25519LayoutMismatch)?;
    let field = |i: usize| u16::from_le_bytes([entry[2 * i], entry[2 * i + 1]]);
    let (signature_ix, key_offset, key_ix) = (field(1), field(2) as usize, field(3));
    let (message_offset, message_len, message_ix) =
        (field(4) as usize, field(5) as usize, field(6));
    require!(
        signature_ix == THIS_INSTRUCTION && key_ix == THIS_INSTRUCTION && message_ix == THIS_INSTRUCTION,
        RegistryError::Ed25519LayoutMismatch
    );
    let public_key = data
        .get(key_offset..key_offset + 32)
        .ok_or(RegistryError::Ed25519LayoutMismatch)?;
    let message = data
        .get(message_offset..message_offset + message_len)
        .ok_or(RegistryError::Ed25519LayoutMismatch)?;
    Ok(VerifiedSignature {
        public_key,
        message,
    })
}

/// The hash of `slot` in the SlotHashes sysvar's data (`count u64`, then `(slot u64, hash)`
/// entries, newest first), or `None` if the sysvar no longer (or does not yet) hold it. Read from
/// the raw data by binary search: deserializing all 512 entries would cost far more.
pub fn slot_hash(slot_hashes_data: &[u8], slot: u64) -> Option<[u8; 32]> {
    const ENTRY_LEN: usize = 40;
    let count = u64::from_le_bytes(slot_hashes_data.get(..8)?.try_into().ok()?) as usize;
    let entry = |i: usize| -> Option<(u64, &[u8])> {
        let at = 8 + i * ENTRY_LEN;
        let bytes = slot_hashes_data.get(at..at + ENTRY_LEN)?;
        Some((u64::from_le_bytes(bytes[..8].try_into().ok()?), &bytes[8..]))
    };
    let (mut low, mut high) = (0usize, count);
    while low < high {
        let mid = (low + high) / 2;
        let (mid_slot, hash) = entry(mid)?;
        match mid_slot.cmp(&slot) {
            std::cmp::Ordering::Equal => return hash.try_into().ok(),
            // Newest first: a larger slot lies before the one looked for.
            std::cmp::Ordering::Greater => low = mid + 1,
            std::cmp::Ordering::Less => high = mid,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_round_trips() {
        let message = ProbeMessage {
            device: Pubkey::new_unique(),
            epoch: 42,
            slot: 1_000_007,
            challenge: [7; 32],
            benchmark_hash: [9; 32],
        };
        let bytes = message.to_bytes();
        assert_eq!(bytes.len(), PROBE_MESSAGE_LEN);
        assert_eq!(ProbeMessage::parse(&bytes).unwrap(), message);
        let mut other_version = bytes;
        other_version[12] = 2;
        assert!(ProbeMessage::parse(&other_version).is_err());
        assert!(ProbeMessage::parse(&bytes[..PROBE_MESSAGE_LEN - 1]).is_err());
    }

    #[test]
    fn slot_hash_finds_every_entry_and_nothing_else() {
        let slots: Vec<u64> = vec![90, 88, 87, 80, 12];
        let mut data = (slots.len() as u64).to_le_bytes().to_vec();
        for slot in &slots {
            data.extend_from_slice(&slot.to_le_bytes());
            data.extend_from_slice(&[*slot as u8; 32]);
        }
        for slot in &slots {
            assert_eq!(slot_hash(&data, *slot), Some([*slot as u8; 32]));
        }
        for missing in [0, 11, 13, 89, 91, u64::MAX] {
            assert_eq!(slot_hash(&data, missing), None);
        }
    }
}
