//! Program-derived addresses of the four programs, from the seeds the sdk uses (written out here
//! rather than taken from the programs, so a change of seed breaks the tests).

use anchor_lang::{
    prelude::Pubkey,
    solana_program::{hash::hash, instruction::AccountMeta},
};

/// The registry's addresses.
pub mod registry {
    use super::*;

    fn find(seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &::registry::ID).0
    }

    pub fn config() -> Pubkey {
        find(&[b"config"])
    }

    /// `["device", sha256(device_id)]`.
    pub fn device(device_id: &str) -> Pubkey {
        find(&[b"device", hash(device_id.as_bytes()).as_ref()])
    }

    pub fn keeper(authority: &Pubkey) -> Pubkey {
        find(&[b"keeper", authority.as_ref()])
    }

    pub fn bond_vault(keeper: &Pubkey) -> Pubkey {
        find(&[b"keeper_bond", keeper.as_ref()])
    }

    /// `["availability", epoch as u64 little-endian]`.
    pub fn availability_epoch(epoch: u64) -> Pubkey {
        find(&[b"availability", &epoch.to_le_bytes()])
    }

    /// `["device_history", sha256(device_id)]`: the record a deregistered id leaves.
    pub fn device_history(device_id: &str) -> Pubkey {
        find(&[b"device_history", hash(device_id.as_bytes()).as_ref()])
    }

    /// `["availability_root", epoch, shard, keeper]`: one per keeper account.
    pub fn availability_root(epoch: u64, shard: u16, keeper: &Pubkey) -> Pubkey {
        find(&[
            b"availability_root",
            &epoch.to_le_bytes(),
            &shard.to_le_bytes(),
            keeper.as_ref(),
        ])
    }

    pub fn distributor() -> Pubkey {
        find(&[b"distributor"])
    }

    pub fn availability_vault() -> Pubkey {
        find(&[b"availability_vault"])
    }

    pub fn keeper_tips_vault() -> Pubkey {
        find(&[b"keeper_tips_vault"])
    }
}

/// iotoken's addresses.
pub mod iotoken {
    use super::*;

    fn find(seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &::iotoken::ID).0
    }

    pub fn config() -> Pubkey {
        find(&[b"config"])
    }

    pub fn io_mint() -> Pubkey {
        find(&[b"io_mint"])
    }

    pub fn iosd_mint() -> Pubkey {
        find(&[b"iosd_mint"])
    }

    pub fn schedule() -> Pubkey {
        find(&[b"schedule"])
    }

    pub fn ledger() -> Pubkey {
        find(&[b"ledger"])
    }

    pub fn price_feed() -> Pubkey {
        find(&[b"price_feed"])
    }

    /// `["pool", [index]]`: 0 availability, 1 compute, 2 stakers, 3 keepers.
    pub fn pool(index: u8) -> Pubkey {
        find(&[b"pool", &[index]])
    }

    /// `["epoch", epoch as u64 little-endian]`.
    pub fn epoch(epoch: u64) -> Pubkey {
        find(&[b"epoch", &epoch.to_le_bytes()])
    }

    /// Writable record metas for `epochs`, as `end_epoch` takes them.
    pub fn epoch_records(epochs: std::ops::Range<u64>) -> Vec<AccountMeta> {
        epochs.map(|e| AccountMeta::new(epoch(e), false)).collect()
    }

    pub fn treasury(mint: &Pubkey) -> Pubkey {
        find(&[b"treasury", mint.as_ref()])
    }
}

/// Staking's addresses.
pub mod staking {
    use super::*;

    fn find(seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &::staking::ID).0
    }

    pub fn config() -> Pubkey {
        find(&[b"config"])
    }

    pub fn governance() -> Pubkey {
        find(&[b"governance"])
    }

    /// `["pool", device, operator]`.
    pub fn pool(device: &Pubkey, operator: &Pubkey) -> Pubkey {
        find(&[b"pool", device.as_ref(), operator.as_ref()])
    }

    pub fn vault(pool: &Pubkey) -> Pubkey {
        find(&[b"vault", pool.as_ref()])
    }

    pub fn position(pool: &Pubkey, owner: &Pubkey) -> Pubkey {
        find(&[b"position", pool.as_ref(), owner.as_ref()])
    }

    /// `["proposal", id as u64 little-endian]`.
    pub fn proposal(id: u64) -> Pubkey {
        find(&[b"proposal", &id.to_le_bytes()])
    }

    pub fn vote(proposal: &Pubkey, position: &Pubkey) -> Pubkey {
        find(&[b"vote", proposal.as_ref(), position.as_ref()])
    }
}

/// The market's addresses.
pub mod market {
    use super::*;

    fn find(seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &::market::ID).0
    }

    pub fn config() -> Pubkey {
        find(&[b"config"])
    }

    /// `["reservation", renter, id as u64 little-endian]`.
    pub fn reservation(renter: &Pubkey, id: u64) -> Pubkey {
        find(&[b"reservation", renter.as_ref(), &id.to_le_bytes()])
    }

    /// The reservation's escrow token account.
    pub fn vault(reservation: &Pubkey) -> Pubkey {
        find(&[b"vault", reservation.as_ref()])
    }

    pub fn booking(reservation: &Pubkey, device: &Pubkey) -> Pubkey {
        find(&[b"booking", reservation.as_ref(), device.as_ref()])
    }

    /// The signer the registry accepts for the market's device locks.
    pub fn registry_lock() -> Pubkey {
        find(&[b"registry_lock"])
    }

    /// The signer staking accepts for the market's slashes.
    pub fn slasher() -> Pubkey {
        find(&[b"slasher"])
    }
}
