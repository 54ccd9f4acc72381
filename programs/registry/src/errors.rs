use anchor_lang::prelude::*;

#[error_code]
pub enum RegistryError {
    #[msg("Only the config authority may do this")]
    NotConfigAuthority,
    #[msg("Keeper bond amount must be greater than zero")]
    InvalidBondAmount,
    #[msg("Keeper unbond cooldown must be between 0 seconds and 365 days")]
    InvalidCooldown,
    #[msg("The update changes nothing")]
    NothingToUpdate,
    #[msg("Device id must be 1 to 64 bytes of printable ASCII")]
    InvalidDeviceId,
    #[msg("Name must be 1 to 32 bytes, without control characters or surrounding spaces")]
    InvalidName,
    #[msg("GPU model must be 1 to 48 bytes, without control characters or surrounding spaces")]
    InvalidGpuModel,
    #[msg("Region must be 1 to 16 bytes of lowercase letters, digits and dashes")]
    InvalidRegion,
    #[msg("Endpoint must be at most 96 bytes of printable ASCII")]
    InvalidEndpoint,
    #[msg("GPU count must be between 1 and 64")]
    InvalidGpuCount,
    #[msg("VRAM per GPU must be between 1 MiB and 1 TiB")]
    InvalidVram,
    #[msg("CPU cores must be between 1 and 4096")]
    InvalidCpuCores,
    #[msg("RAM must be between 1 MiB and 64 TiB")]
    InvalidRam,
    #[msg("Storage must be at most 1 PiB")]
    InvalidStorage,
    #[msg("Price per GPU-hour must be between 1 and 1,000,000,000 IOSD base units (1,000 USD)")]
    InvalidPrice,
    #[msg("The agent key must not be the default (all-zero) key")]
    InvalidAgentKey,
    #[msg("Only the device owner may do this")]
    NotDeviceOwner,
    #[msg("Only the device owner or its agent may do this")]
    NotDeviceOwnerOrAgent,
    #[msg("The device is locked to a reservation")]
    DeviceReserved,
    #[msg("The device is already paused")]
    DeviceAlreadyPaused,
    #[msg("The device is not paused")]
    DeviceNotPaused,
    #[msg("The new name equals the current name")]
    NameUnchanged,
    #[msg("The bond mint does not match")]
    BondMintMismatch,
    #[msg("The bond source holds less than the keeper bond")]
    InsufficientBond,
    #[msg("The token account does not belong to the keeper")]
    TokenAccountOwnerMismatch,
    #[msg("The keeper has already asked for its bond back")]
    KeeperUnbonding,
    #[msg("The keeper has not asked for its bond back")]
    KeeperNotUnbonding,
    #[msg("The unbond cooldown has not elapsed")]
    CooldownNotElapsed,
    #[msg("No market program is configured to lock devices")]
    MarketNotConfigured,
    #[msg("Only the market program's lock authority may do this")]
    NotMarketAuthority,
    #[msg("A paused device cannot be reserved")]
    DevicePaused,
    #[msg("The reservation key must not be the default (all-zero) key")]
    InvalidReservation,
    #[msg("The device is not locked to this reservation")]
    ReservationMismatch,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The config authority must not be the default (all-zero) key")]
    InvalidAuthority,
    #[msg("The keeper bond in force exceeds the most the keeper agreed to deposit")]
    BondAboveMaximum,
}
