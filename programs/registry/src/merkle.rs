//! The Merkle-root variant of availability (a prototype; see the registry README, "Scale path"):
//! a keeper posts one root per epoch shard over the shard's attested devices, and a device proves
//! its leaf instead of being attested in its own transaction. Mirrored in `sdk/src/merkle.ts`.
//!
//! Leaf `i`: `sha256(0x00 | i u32 LE | device | weight u64 LE)`; node: `sha256(0x01 | left |
//! right)`; the tree is padded with all-zero leaves to a power of two. The leaf's index is part of
//! its hash and picks the side at every level, so one leaf cannot be proven under two indices, and
//! the 0x00/0x01 prefixes keep a node from passing as a leaf.

use anchor_lang::{prelude::*, solana_program::hash::hashv};

/// Leaves one shard may hold: a 1 KiB proven-leaf bitmap and 13-hash proofs.
pub const MAX_LEAVES_PER_SHARD: u32 = 8_192;

pub fn leaf_hash(index: u32, device: &Pubkey, weight: u64) -> [u8; 32] {
    hashv(&[
        &[0],
        &index.to_le_bytes(),
        device.as_ref(),
        &weight.to_le_bytes(),
    ])
    .to_bytes()
}

pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    hashv(&[&[1], left, right]).to_bytes()
}

/// Whether `proof` (sibling hashes, leaf level first) leads from leaf `index` to `root`.
pub fn verify_proof(root: &[u8; 32], leaf: [u8; 32], index: u32, proof: &[[u8; 32]]) -> bool {
    let mut node = leaf;
    let mut position = index;
    for sibling in proof {
        node = if position & 1 == 0 {
            node_hash(&node, sibling)
        } else {
            node_hash(sibling, &node)
        };
        position >>= 1;
    }
    // Leftover index bits would let `index + 2^depth` prove the same leaf twice.
    position == 0 && node == *root
}

/// Depth of the tree over `leaf_count` leaves: the proof length every leaf needs.
pub fn depth(leaf_count: u32) -> usize {
    leaf_count.max(1).next_power_of_two().trailing_zeros() as usize
}

#[cfg(not(target_os = "solana"))]
/// The root and every leaf's proof of `leaves` (device, weight), as a keeper builds them
/// (off-chain only).
pub fn tree(leaves: &[(Pubkey, u64)]) -> ([u8; 32], Vec<Vec<[u8; 32]>>) {
    let width = leaves.len().max(1).next_power_of_two();
    let mut level: Vec<[u8; 32]> = (0..width)
        .map(|i| {
            leaves.get(i).map_or([0; 32], |(device, weight)| {
                leaf_hash(i as u32, device, *weight)
            })
        })
        .collect();
    let mut proofs = vec![Vec::new(); leaves.len()];
    while level.len() > 1 {
        for (i, proof) in proofs.iter_mut().enumerate() {
            let position = i >> proof.len();
            proof.push(level[position ^ 1]);
        }
        level = level
            .chunks(2)
            .map(|pair| node_hash(&pair[0], &pair[1]))
            .collect();
    }
    (level[0], proofs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_proves_under_its_index_only() {
        for count in [1usize, 2, 3, 5, 8, 13] {
            let leaves: Vec<(Pubkey, u64)> = (0..count)
                .map(|i| (Pubkey::new_unique(), 100 * (i as u64 + 1)))
                .collect();
            let (root, proofs) = tree(&leaves);
            assert_eq!(proofs[0].len(), depth(count as u32));
            for (i, (device, weight)) in leaves.iter().enumerate() {
                let index = i as u32;
                let leaf = leaf_hash(index, device, *weight);
                assert!(verify_proof(&root, leaf, index, &proofs[i]));
                // Another weight, another index, or the same path with a high bit set: refused.
                assert!(!verify_proof(
                    &root,
                    leaf_hash(index, device, weight + 1),
                    index,
                    &proofs[i]
                ));
                let aliased = index + (1 << proofs[i].len());
                assert!(!verify_proof(
                    &root,
                    leaf_hash(aliased, device, *weight),
                    aliased,
                    &proofs[i]
                ));
                if count > 1 {
                    let other = (index + 1) % count as u32;
                    assert!(!verify_proof(
                        &root,
                        leaf_hash(other, device, *weight),
                        other,
                        &proofs[i]
                    ));
                }
            }
        }
    }
}
