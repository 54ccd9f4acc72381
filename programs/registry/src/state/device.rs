use {super::DeviceAvailability, anchor_lang::prelude::*};

/// Longest accepted device id, in bytes. The id is hashed into the PDA seed, so its length is
/// bounded only to keep the account small.
pub const MAX_DEVICE_ID_LEN: usize = 64;
pub const MAX_NAME_LEN: usize = 32;
pub const MAX_GPU_MODEL_LEN: usize = 48;
pub const MAX_REGION_LEN: usize = 16;
pub const MAX_ENDPOINT_LEN: usize = 96;

/// GPUs in one device (one machine); the largest servers carry 16, so this leaves headroom.
pub const MAX_GPUS_PER_DEVICE: u16 = 64;
/// 1 TiB of VRAM per GPU, in MiB.
pub const MAX_VRAM_MIB: u32 = 1 << 20;
pub const MAX_CPU_CORES: u16 = 4_096;
/// 64 TiB of RAM, in MiB.
pub const MAX_RAM_MIB: u32 = 64 << 20;
/// 1 PiB of storage, in GiB.
pub const MAX_STORAGE_GIB: u32 = 1 << 20;
/// 1,000 USD per GPU-hour, in IOSD base units (1e6 = 1 USD).
pub const MAX_PRICE_PER_GPU_HOUR: u64 = 1_000_000_000;

/// A GPU machine offered to the network. Fixed-size fields come first so that clients can filter
/// on them by offset (see `sdk/src/registry.ts`); strings follow.
#[account]
#[derive(InitSpace, Debug)]
pub struct Device {
    /// The only key that may change the device or take it off the network.
    pub owner: Pubkey,
    /// The host agent's key: signs probes and may change operational fields (status, endpoint).
    pub agent: Pubkey,
    /// sha256 of `device_id`; the PDA seed.
    pub device_id_hash: [u8; 32],
    pub status: DeviceStatus,
    /// The reservation the device is locked to, or `Pubkey::default()` when free.
    pub reservation: Pubkey,
    /// IOSD base units (1e6 = 1 USD) per GPU per hour.
    pub price_per_gpu_hour: u64,
    pub specs: DeviceSpecs,
    /// Unix seconds.
    pub registered_at: i64,
    /// Unix seconds of the last change by owner or agent.
    pub updated_at: i64,
    pub bump: u8,
    /// Probe results, reputation counters and availability rewards.
    pub availability: DeviceAvailability,
    /// Slot of registration: the device is assigned keepers only in epochs seeded after it.
    pub registered_slot: u64,
    /// Kept for fixed-size fields added later (ahead of the strings, so offsets stay fixed).
    pub _reserved: [u8; 56],
    #[max_len(MAX_DEVICE_ID_LEN)]
    pub device_id: String,
    #[max_len(MAX_NAME_LEN)]
    pub name: String,
    /// Marketing name of the GPU, as the agent detects it (e.g. "NVIDIA H100 80GB HBM3").
    #[max_len(MAX_GPU_MODEL_LEN)]
    pub gpu_model: String,
    /// Region code, lowercase letters, digits and dashes (e.g. "us-east", "de-fra").
    #[max_len(MAX_REGION_LEN)]
    pub region: String,
    /// Where keepers reach the agent for probes (URL or relay address); may be empty.
    #[max_len(MAX_ENDPOINT_LEN)]
    pub endpoint: String,
}

impl Device {
    pub fn is_reserved(&self) -> bool {
        self.reservation != Pubkey::default()
    }

    pub fn is_owner_or_agent(&self, key: &Pubkey) -> bool {
        *key == self.owner || *key == self.agent
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, PartialEq, Eq, Debug)]
pub enum DeviceStatus {
    /// Offered to renters and probed for availability.
    Active,
    /// Withheld from new reservations by its owner or agent; an ongoing reservation continues.
    Paused,
}

/// Network bandwidth class of the machine's uplink.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, PartialEq, Eq, Debug)]
pub enum BandwidthTier {
    /// Under 100 Mbit/s.
    Basic,
    /// 100 Mbit/s to 1 Gbit/s.
    Standard,
    /// 1 to 10 Gbit/s.
    High,
    /// 10 Gbit/s and more.
    Ultra,
}

/// Hardware of a device (fixed-size part; the GPU model and region are strings on `Device`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, PartialEq, Eq, Debug)]
pub struct DeviceSpecs {
    pub gpu_count: u16,
    /// VRAM per GPU, MiB.
    pub vram_mib: u32,
    pub cpu_cores: u16,
    /// System memory, MiB.
    pub ram_mib: u32,
    /// Disk available to workloads, GiB.
    pub storage_gib: u32,
    pub bandwidth_tier: BandwidthTier,
}
