//! The part of a registry `Device` account staking reads. The registry program depends on
//! staking (for deposits, the class table and stake checks), so staking reads the device by its
//! layout instead of through the registry crate; a program test checks this against the
//! registry's own type.

use anchor_lang::{
    prelude::*,
    solana_program::{hash::hash, pubkey},
};

/// The registry program's id.
pub const REGISTRY_PROGRAM_ID: Pubkey = pubkey!("REGJTqN4p17Fm1qS4Ew5M6gtafDvrKqMWSVJC6PWNbj");

/// Bytes of the registry's `Device::availability` (513) and `Device::registered_slot` with `_reserved` (64).
pub const DEVICE_AVAILABILITY_AND_RESERVED_LEN: usize = 577;

/// Leading fields of the registry's `Device`, in its order, up to the GPU model.
#[derive(AnchorDeserialize, Clone, Debug)]
pub struct RegistryDevice {
    pub owner: Pubkey,
    pub agent: Pubkey,
    pub device_id_hash: [u8; 32],
    pub status: u8,
    pub reservation: Pubkey,
    pub price_per_gpu_hour: u64,
    pub gpu_count: u16,
    pub vram_mib: u32,
    pub cpu_cores: u16,
    pub ram_mib: u32,
    pub storage_gib: u32,
    pub bandwidth_tier: u8,
    pub registered_at: i64,
    pub updated_at: i64,
    pub bump: u8,
    /// The device's availability record and reserved space, skipped.
    pub availability_and_reserved: [u8; DEVICE_AVAILABILITY_AND_RESERVED_LEN],
    pub device_id: String,
    pub name: String,
    pub gpu_model: String,
}

impl RegistryDevice {
    /// Reads `info` as a registry device, or `None` if it is not one (wrong owner or type).
    pub fn read(info: &AccountInfo) -> Option<Self> {
        if *info.owner != REGISTRY_PROGRAM_ID {
            return None;
        }
        let data = info.try_borrow_data().ok()?;
        let discriminator = &hash(b"account:Device").to_bytes()[..8];
        if data.len() < 8 || &data[..8] != discriminator {
            return None;
        }
        Self::deserialize(&mut &data[8..]).ok()
    }

    /// Whether `info` is `operator`'s device, locked by the market to a reservation. The pool's
    /// self-stake is what the booking relied on, so it stays (slashable) in the pool until the
    /// market releases the device. A deregistered device (closed), or the same id registered
    /// again by another owner, holds none of this operator's stake.
    pub fn reserved_for(info: &AccountInfo, operator: &Pubkey) -> bool {
        Self::read(info).is_some_and(|device| {
            device.owner == *operator && device.reservation != Pubkey::default()
        })
    }
}
