//! The availability probe: the message a device's agent signs, and how an attestation proves the
//! signature was checked. Mirrored byte for byte in `sdk/src/probe.ts`; the format is described in
//! the registry README.
//!
//! Message v1, 125 bytes:
//! `"iogrid/probe" (12) | version = 1 (1) | device (32) | epoch u64 LE (8) | slot u64 LE (8) |
//!  challenge (32) | benchmark result hash (32)`,
//! where `challenge = sha256("iogrid/challenge" | version | device | epoch LE | slot LE |
//! hash of slot | keeper)`. The slot's hash comes from the SlotHashes sysvar, so no challenge
//! exists before its slot and none stays valid once the slot is older than the configured age;
//! the keeper (its registry account) that asked for the probe is bound too, so another keeper
//! cannot copy a pending attestation's signature and take the pass (and its tip) as its own.

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

/// The challenge `keeper` (a registry `Keeper` account) puts to `device` for `epoch` at `slot`,
/// whose bank hash is `slot_hash`.
pub fn probe_challenge(
    device: &Pubkey,
    epoch: u64,
    slot: u64,
    slot_hash: &[u8; 32],
    keeper: &Pubkey,
) -> [u8; 32] {
    hashv(&[
        CHALLENGE_DOMAIN,
        &[PROBE_VERSION],
        device.as_ref(),
        &epoch.to_le_bytes(),
        &slot.to_le_bytes(),
        slot_hash,
        keeper.as_ref(),
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
        signature_ix == THIS_INSTRUCTION
            && key_ix == THIS_INSTRUCTION
            && message_ix == THIS_INSTRUCTION,
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
    use crate::state::{pro_rata, reputation_bps};
    use iotoken::shared_vectors::{check, list};

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

    /// An Ed25519 program instruction's data in the layout `verified_signature` reads (and the
    /// sdk's `ed25519Instruction` builds): the header, one offsets entry per signature, then each
    /// signature's public key, signature and message, every offset into this same data.
    fn ed25519_data(entries: &[([u8; 32], [u8; 64], Vec<u8>)]) -> Vec<u8> {
        let mut offsets = Vec::new();
        let mut payload = Vec::new();
        let start = ED25519_HEADER_LEN + entries.len() * ED25519_OFFSETS_LEN;
        for (key, signature, message) in entries {
            let at = |len: usize| (start + len) as u16;
            let key_offset = at(payload.len());
            payload.extend_from_slice(key);
            let signature_offset = at(payload.len());
            payload.extend_from_slice(signature);
            let message_offset = at(payload.len());
            payload.extend_from_slice(message);
            for field in [
                signature_offset,
                THIS_INSTRUCTION,
                key_offset,
                THIS_INSTRUCTION,
                message_offset,
                message.len() as u16,
                THIS_INSTRUCTION,
            ] {
                offsets.extend_from_slice(&field.to_le_bytes());
            }
        }
        let mut data = vec![entries.len() as u8, 0];
        data.extend(offsets);
        data.extend(payload);
        data
    }

    #[test]
    fn verified_signature_reads_each_entry_and_refuses_other_instructions() {
        let message = ProbeMessage {
            device: Pubkey::new_from_array([3; 32]),
            epoch: 1,
            slot: 2,
            challenge: [4; 32],
            benchmark_hash: [5; 32],
        }
        .to_bytes()
        .to_vec();
        let entries = [
            ([1u8; 32], [2u8; 64], message.clone()),
            ([6; 32], [7; 64], vec![8; 5]),
        ];
        let data = ed25519_data(&entries);
        for (n, (key, _, message)) in entries.iter().enumerate() {
            let verified = verified_signature(&data, n).unwrap();
            assert_eq!(verified.public_key, key);
            assert_eq!(verified.message, &message[..]);
        }
        assert!(verified_signature(&data, 2).is_err());
        // Each instruction index (signature, key, message) must be this instruction's.
        for field in [1usize, 3, 6] {
            let mut other = data.clone();
            let at = ED25519_HEADER_LEN + 2 * field;
            other[at..at + 2].copy_from_slice(&0u16.to_le_bytes());
            assert!(verified_signature(&other, 0).is_err(), "field {field}");
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The error name of a failed parse, as the sdk names it.
    fn error_name(error: anchor_lang::error::Error) -> String {
        match error {
            anchor_lang::error::Error::AnchorError(error) => error.error_name,
            other => panic!("not a program error: {other:?}"),
        }
    }

    /// Shared test vectors: computed here, held by `sdk/test-vectors/probe.json`, and asserted
    /// against the sdk's `probe.ts` and availability math by `tests/probe.test.ts`.
    fn vectors() -> String {
        let mut messages = Vec::new();
        for (seed, epoch, slot) in [
            (1u8, 0u64, 0u64),
            (0x5a, 42, 1_000_007),
            (0xff, u64::MAX, u64::MAX - 1),
        ] {
            let message = ProbeMessage {
                device: Pubkey::new_from_array([seed; 32]),
                epoch,
                slot,
                challenge: std::array::from_fn(|i| seed.wrapping_add(i as u8)),
                benchmark_hash: std::array::from_fn(|i| seed ^ (i as u8)),
            };
            messages.push(format!(
                "{{\"device\": \"{}\", \"epoch\": \"{epoch}\", \"slot\": \"{slot}\", \"challenge\": \"{}\", \"benchmarkHash\": \"{}\", \"bytes\": \"{}\"}}",
                message.device,
                hex(&message.challenge),
                hex(&message.benchmark_hash),
                hex(&message.to_bytes()),
            ));
        }

        let valid = ProbeMessage {
            device: Pubkey::new_from_array([9; 32]),
            epoch: 7,
            slot: 8,
            challenge: [1; 32],
            benchmark_hash: [2; 32],
        }
        .to_bytes();
        let mut other_domain = valid;
        other_domain[0] = b'I';
        let mut other_version = valid;
        other_version[12] = 2;
        let mut longer = valid.to_vec();
        longer.push(0);
        let mut invalid = Vec::new();
        for bytes in [
            &valid[..PROBE_MESSAGE_LEN - 1],
            &longer,
            &other_domain,
            &other_version,
            &[],
        ] {
            let error = error_name(ProbeMessage::parse(bytes).unwrap_err());
            invalid.push(format!(
                "{{\"bytes\": \"{}\", \"error\": \"{error}\"}}",
                hex(bytes)
            ));
        }

        let mut challenges = Vec::new();
        for (seed, epoch, slot) in [
            (1u8, 0u64, 0u64),
            (0x5a, 42, 1_000_007),
            (0xff, u64::MAX, 123_456_789),
        ] {
            let device = Pubkey::new_from_array([seed; 32]);
            let keeper = Pubkey::new_from_array([seed ^ 0x0f; 32]);
            let hash: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(seed));
            challenges.push(format!(
                "{{\"device\": \"{device}\", \"epoch\": \"{epoch}\", \"slot\": \"{slot}\", \"slotHash\": \"{}\", \"keeper\": \"{keeper}\", \"challenge\": \"{}\"}}",
                hex(&hash),
                hex(&probe_challenge(&device, epoch, slot, &hash, &keeper)),
            ));
        }

        // SlotHashes data: newest first, with gaps, as the sysvar holds it.
        let slots = [1_000u64, 999, 997, 900, 512, 3];
        let mut sysvar = (slots.len() as u64).to_le_bytes().to_vec();
        for slot in slots {
            sysvar.extend_from_slice(&slot.to_le_bytes());
            sysvar.extend_from_slice(&[(slot % 251) as u8; 32]);
        }
        let mut lookups = Vec::new();
        for slot in [1_000u64, 999, 998, 997, 900, 512, 3, 2, 1_001, 0] {
            let hash =
                slot_hash(&sysvar, slot).map_or("null".into(), |h| format!("\"{}\"", hex(&h)));
            lookups.push(format!("{{\"slot\": \"{slot}\", \"hash\": {hash}}}"));
        }

        let entries = [
            ([0x11u8; 32], [0x22u8; 64], valid.to_vec()),
            ([0x33; 32], [0x44; 64], other_version.to_vec()),
        ];
        let ed25519 = [&entries[..1], &entries[..]]
            .map(|entries| {
                let items: Vec<String> = entries
                    .iter()
                    .map(|(key, signature, message)| {
                        format!(
                            "{{\"publicKey\": \"{}\", \"signature\": \"{}\", \"message\": \"{}\"}}",
                            hex(key),
                            hex(signature),
                            hex(message)
                        )
                    })
                    .collect();
                format!(
                    "{{\"entries\": [{}], \"data\": \"{}\"}}",
                    items.join(", "),
                    hex(&ed25519_data(entries))
                )
            })
            .to_vec();

        let mut reputation = Vec::new();
        for (passes, failures, completed) in [
            (0u32, 0u32, 0u32),
            (1, 0, 0),
            (24, 0, 0),
            (216, 0, 0),
            (24, 1, 0),
            (10, 3, 5),
            (0, 1, 0),
            (1_000, 0, 1_000),
            (u32::MAX, 0, u32::MAX),
            (0, u32::MAX, 0),
            (u32::MAX, u32::MAX, u32::MAX),
        ] {
            reputation.push(format!(
                "{{\"passes\": {passes}, \"failures\": {failures}, \"reservationsCompleted\": {completed}, \"bps\": {}}}",
                reputation_bps(passes, failures, completed)
            ));
        }

        let mut shares = Vec::new();
        for (pot, weight, total) in [
            (1_000u64, 1u64, 3u64),
            (1_000, 2, 3),
            (482_806_328_731 * 6 / 10, 3_200, 3_800),
            (0, 5, 10),
            (7, 0, 10),
            (7, 0, 0),
            (7, 11, 10),
            (u64::MAX, u64::MAX - 1, u64::MAX),
        ] {
            let amount = pro_rata(pot, weight, total).map_or("null".into(), |a| format!("\"{a}\""));
            shares.push(format!(
                "{{\"pot\": \"{pot}\", \"weight\": \"{weight}\", \"total\": \"{total}\", \"amount\": {amount}}}"
            ));
        }

        format!(
            "{{\n  \"probeDomain\": \"{}\",\n  \"challengeDomain\": \"{}\",\n  \"version\": {PROBE_VERSION},\n  \"messageLen\": {PROBE_MESSAGE_LEN},\n  \"messages\": {},\n  \"invalidMessages\": {},\n  \"challenges\": {},\n  \"slotHashes\": {{\"data\": \"{}\", \"lookups\": {}}},\n  \"ed25519\": {},\n  \"reputation\": {},\n  \"proRata\": {}\n}}\n",
            std::str::from_utf8(PROBE_DOMAIN).unwrap(),
            std::str::from_utf8(CHALLENGE_DOMAIN).unwrap(),
            list(messages),
            list(invalid),
            list(challenges),
            hex(&sysvar),
            list(lookups),
            list(ed25519),
            list(reputation),
            list(shares),
        )
    }

    #[test]
    fn shared_vectors_are_current() {
        check("probe.json", &vectors(), "registry");
    }
}
