use anchor_lang::prelude::*;

/// `["availability_root", epoch u64 LE, shard u16 LE, keeper]`: a keeper's Merkle root over one shard of an
/// epoch's attested devices (prototype of the scale path; see `merkle`). Devices prove their leaf
/// against it once; the bitmap records which leaves were proven.
#[account]
#[derive(Debug)]
pub struct AvailabilityRoot {
    pub epoch: u64,
    pub shard: u16,
    pub root: [u8; 32],
    pub leaf_count: u32,
    /// Sum of the leaves' weights, as posted.
    pub total_weight: u64,
    /// The keeper (account) that posted it.
    pub posted_by: Pubkey,
    pub posted_at: i64,
    pub leaves_proven: u32,
    pub bump: u8,
    /// Bit `i` set once leaf `i` was proven; `ceil(leaf_count / 8)` bytes.
    pub proven: Vec<u8>,
}

impl AvailabilityRoot {
    /// Account size for `leaf_count` leaves, discriminator included.
    pub fn space(leaf_count: u32) -> usize {
        8 + 8 + 2 + 32 + 4 + 8 + 32 + 8 + 4 + 1 + 4 + (leaf_count as usize).div_ceil(8)
    }

    pub fn is_proven(&self, index: u32) -> bool {
        self.proven[(index / 8) as usize] & (1 << (index % 8)) != 0
    }

    pub fn mark_proven(&mut self, index: u32) {
        self.proven[(index / 8) as usize] |= 1 << (index % 8);
        self.leaves_proven += 1;
    }
}
