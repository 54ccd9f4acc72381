//! Which keepers may attest or fail a device in an epoch: sortition by bond over a seed nobody
//! knew in advance. Mirrored in `sdk/src/registry/assignment.ts` (shared vectors in
//! `sdk/test-vectors/assignment.json`), so a keeper can list the devices it is assigned.
//!
//! An epoch's record opens with a `seed_slot` a few slots ahead; once that slot has a hash in
//! SlotHashes, `seed = sha256("iogrid/seed" | epoch u64 LE | slot hash)`. Keeper `k` (its registry
//! account) is assigned device `d` when
//! `u64_le(sha256("iogrid/assign" | seed | d | k)[..8]) < 2^64 x min(1, c x bond_k / B)`,
//! with `c` the committee size, `bond_k` the keeper's bond as it stood when the epoch began and
//! `B` the active keepers' bonds when the record opened. Each
//! keeper's draw is independent, so a device has `c` assigned keepers in expectation, splitting a
//! bond into many keepers draws no more seats, and checking one keeper costs one hash: no loop
//! over keepers or devices.

use {
    crate::state::{AvailabilityEpoch, Device, Keeper},
    anchor_lang::{prelude::*, solana_program::hash::hashv},
};

pub const SEED_DOMAIN: &[u8; 11] = b"iogrid/seed";
pub const ASSIGNMENT_DOMAIN: &[u8; 13] = b"iogrid/assign";
/// Slots between opening an epoch's record and the slot whose hash seeds it: the opener cannot
/// know that hash when it opens.
pub const SEED_DELAY_SLOTS: u64 = 4;

/// The epoch's seed from its seed slot's hash.
pub fn epoch_seed(epoch: u64, seed_slot_hash: &[u8; 32]) -> [u8; 32] {
    hashv(&[SEED_DOMAIN, &epoch.to_le_bytes(), seed_slot_hash]).to_bytes()
}

/// Keeper `keeper`'s draw for `device` under `seed`: uniform over u64.
pub fn assignment_draw(seed: &[u8; 32], device: &Pubkey, keeper: &Pubkey) -> u64 {
    let digest = hashv(&[ASSIGNMENT_DOMAIN, seed, device.as_ref(), keeper.as_ref()]).to_bytes();
    let mut low = [0u8; 8];
    low.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(low)
}

/// Whether a keeper of assignment weight `weight` (its bond) is drawn for a device:
/// `draw < 2^64 x committee x weight / total`, always when that reaches 1, never with no weight.
pub fn drawn(draw: u64, weight: u64, total: u64, committee: u8) -> bool {
    if weight == 0 || total == 0 {
        return false;
    }
    let scaled = u128::from(committee) * u128::from(weight);
    if scaled >= u128::from(total) {
        return true;
    }
    // scaled < total <= u64::MAX, so the threshold is below 2^64.
    let threshold = (scaled << 64) / u128::from(total);
    u128::from(draw) < threshold
}

/// Passes a device needs in an epoch with `keeper_count` bonded keepers: `passes_required`,
/// fewer when fewer keepers exist, never 0.
pub fn effective_passes_required(passes_required: u8, keeper_count: u32) -> u8 {
    let bonded = u8::try_from(keeper_count).unwrap_or(u8::MAX);
    passes_required.min(bonded).max(1)
}

/// A keeper's assignment weight in `epoch`: its bond as it stood when the epoch began (a
/// registration or top-up counts from the next epoch, so no bond can be placed once a seed is
/// near), less what it forfeited since.
pub fn keeper_weight(keeper: &Keeper, epoch: u64) -> u64 {
    if keeper.bond_changed_epoch < epoch {
        keeper.bond_amount
    } else {
        keeper.prior_bond.min(keeper.bond_amount)
    }
}

/// Whether `keeper` (its registry account `keeper_key`) is assigned `device` (at `device_key`) in
/// the epoch of `record`, whose seed is fixed. The device must have been registered before the
/// seed slot, so that nobody chose its address knowing the seed.
pub fn is_assigned(
    record: &AvailabilityEpoch,
    device_key: &Pubkey,
    device: &Device,
    keeper_key: &Pubkey,
    keeper: &Keeper,
) -> bool {
    device.registered_slot < record.seed_slot
        && drawn(
            assignment_draw(&record.seed, device_key, keeper_key),
            keeper_weight(keeper, record.epoch),
            record.keeper_bond_total,
            record.committee_size,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_follows_the_bond_share() {
        // A keeper with all the bond, or c times its share at least 1, is always drawn.
        assert!(drawn(u64::MAX, 1_000, 1_000, 1));
        assert!(drawn(u64::MAX, 1_000, 6_000, 6));
        // Half the threshold space: 2^63.
        assert!(drawn((1u64 << 63) - 1, 1_000, 2_000, 1));
        assert!(!drawn(1u64 << 63, 1_000, 2_000, 1));
        // No bond, no keepers: never.
        assert!(!drawn(0, 0, 1_000, 6));
        assert!(!drawn(0, 1_000, 0, 6));
    }

    #[test]
    fn drawn_share_matches_its_probability() {
        // Over 20,000 devices a keeper with 10% of the bond and a committee of 6 is drawn for
        // about 60% of them.
        let seed = [7u8; 32];
        let keeper = Pubkey::new_unique();
        let hits = (0..20_000u32)
            .filter(|_| {
                let device = Pubkey::new_unique();
                drawn(assignment_draw(&seed, &device, &keeper), 100, 1_000, 6)
            })
            .count();
        assert!((11_600..12_400).contains(&hits), "{hits}");
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What the sdk's `assignment.ts` must reproduce: seeds, draws and selections, and the passes
    /// a device needs.
    #[test]
    fn shared_vectors_are_current() {
        use iotoken::shared_vectors::{check, list};
        let mut seeds = Vec::new();
        for (epoch, fill) in [(0u64, 0u8), (7, 0xab), (123_456, 0x5a)] {
            let slot_hash = [fill; 32];
            seeds.push(format!(
                "{{\"epoch\": \"{epoch}\", \"slotHash\": \"{}\", \"seed\": \"{}\"}}",
                hex(&slot_hash),
                hex(&epoch_seed(epoch, &slot_hash))
            ));
        }
        let mut draws = Vec::new();
        let seed = epoch_seed(42, &[3u8; 32]);
        for n in 0..12u8 {
            let device = Pubkey::new_from_array([n.wrapping_mul(17).wrapping_add(1); 32]);
            let keeper = Pubkey::new_from_array([n.wrapping_mul(29).wrapping_add(2); 32]);
            let draw = assignment_draw(&seed, &device, &keeper);
            let (weight, total, committee) = [
                (1_000u64, 1_000u64, 1u8),
                (1_000, 6_000, 6),
                (1_000, 10_000, 6),
                (100_000_000_000, 7_000_000_000_000, 6),
                (0, 1_000, 6),
                (1, u64::MAX, 16),
            ][usize::from(n) % 6];
            draws.push(format!(
                "{{\"seed\": \"{}\", \"device\": \"{device}\", \"keeper\": \"{keeper}\", \"draw\": \"{draw}\", \"weight\": \"{weight}\", \"total\": \"{total}\", \"committee\": {committee}, \"drawn\": {}}}",
                hex(&seed),
                drawn(draw, weight, total, committee)
            ));
        }
        let mut passes = Vec::new();
        for (required, keepers) in [(2u8, 0u32), (2, 1), (2, 2), (3, 1_000), (4, 300)] {
            passes.push(format!(
                "{{\"passesRequired\": {required}, \"keeperCount\": \"{keepers}\", \"effective\": {}}}",
                effective_passes_required(required, keepers)
            ));
        }
        let json = format!(
            "{{\n  \"seeds\": {},\n  \"draws\": {},\n  \"passesRequired\": {}\n}}\n",
            list(seeds),
            list(draws),
            list(passes)
        );
        check("assignment.json", &json, "registry");
    }

    #[test]
    fn passes_required_shrinks_with_few_keepers() {
        assert_eq!(effective_passes_required(2, 0), 1);
        assert_eq!(effective_passes_required(2, 1), 1);
        assert_eq!(effective_passes_required(2, 2), 2);
        assert_eq!(effective_passes_required(3, 1_000), 3);
    }
}
