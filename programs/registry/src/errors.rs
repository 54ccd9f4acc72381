use anchor_lang::prelude::*;

#[error_code]
pub enum RegistryError {
    #[msg("Only the config authority may do this")]
    NotConfigAuthority,
    #[msg("Keeper bond amount must be greater than zero")]
    InvalidBondAmount,
    #[msg("Keeper unbond cooldown must be between one epoch (1 hour) and 365 days")]
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
    #[msg("The agent key must not be the owner's key: the agent signs on the host, the owner holds the device")]
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
    #[msg("The bond is below the keeper bond in force")]
    BondBelowMinimum,
    #[msg("The reward vaults are already initialized")]
    RewardsAlreadyInitialized,
    #[msg("The reward vaults are not initialized yet (initialize_rewards)")]
    RewardsNotInitialized,
    #[msg("iotoken's emission schedule is not sealed")]
    EmissionsNotScheduled,
    #[msg("Emissions have not started: there is no epoch yet")]
    EmissionsNotStarted,
    #[msg("An attestation carries 1 to 8 devices")]
    InvalidDeviceCount,
    #[msg("Each device needs its account (writable) and its stake pool account")]
    MissingDeviceAccounts,
    #[msg("The instruction before the attestation must be an Ed25519 signature check")]
    MissingEd25519Instruction,
    #[msg("The Ed25519 instruction must verify exactly one signature per device")]
    SignatureCountMismatch,
    #[msg("An Ed25519 signature entry must point into its own instruction's data")]
    Ed25519LayoutMismatch,
    #[msg("The verified key is not the device's agent key")]
    AgentKeyMismatch,
    #[msg("The signed bytes are not a probe message")]
    InvalidProbeMessage,
    #[msg("The probe message version is not supported")]
    UnsupportedProbeVersion,
    #[msg("The probe was signed for another device")]
    ProbeDeviceMismatch,
    #[msg("The probe was signed for another epoch than the current one")]
    ProbeEpochMismatch,
    #[msg("The probe's slot is in the future or older than the allowed age")]
    StaleProbe,
    #[msg("The probe's slot is not in the SlotHashes sysvar")]
    UnknownProbeSlot,
    #[msg("The probe's challenge does not match its device, epoch, slot and keeper")]
    ChallengeMismatch,
    #[msg("The device already has a pass this epoch")]
    AlreadyAttested,
    #[msg("A failure quorum was already reached for the device this epoch")]
    FailureQuorumReached,
    #[msg("The device has a pass this epoch, so failures cannot count")]
    DeviceAttestedThisEpoch,
    #[msg("This keeper already reported the device this epoch")]
    DuplicateFailureReport,
    #[msg("The stake pool account is not the device's")]
    StakePoolMismatch,
    #[msg("The account is not this epoch's availability record")]
    EpochRecordMismatch,
    #[msg("The availability epoch is already closed")]
    EpochAlreadyClosed,
    #[msg("An epoch record passed for settlement is not a closed availability epoch")]
    EpochNotClosed,
    #[msg("Too many epochs are unsettled: close the ended epochs first")]
    TooManyUnsettledEpochs,
    #[msg("An earner's weight exceeds its epoch's total")]
    WeightExceedsTotal,
    #[msg("Nothing has been earned to claim")]
    NothingToClaim,
    #[msg("Rewards or tips are still unclaimed")]
    UnclaimedRewards,
    #[msg("The token account is not of the reward mint")]
    RewardMintMismatch,
    #[msg("Failure quorum must be between 2 and 5 keepers")]
    InvalidFailureQuorum,
    #[msg("Probe age must be between 1 and 512 slots")]
    InvalidProbeAge,
    #[msg("A shard root covers 1 to 8,192 leaves")]
    InvalidLeafCount,
    #[msg("Roots are posted only for ended epochs")]
    EpochNotEnded,
    #[msg("The leaf index is beyond the shard's leaves")]
    LeafIndexOutOfRange,
    #[msg("The Merkle proof does not lead to the shard's root")]
    InvalidMerkleProof,
    #[msg("This leaf was already proven")]
    LeafAlreadyProven,
    #[msg("Nobody opened this epoch's availability record yet (open_availability_epoch)")]
    EpochNotOpened,
    #[msg("The epoch's assignment seed is not fixed yet: its seed slot has not passed")]
    EpochSeedNotFixed,
    #[msg("The epoch's assignment seed is already fixed")]
    EpochSeedAlreadyFixed,
    #[msg("The keeper is not assigned to this device this epoch")]
    KeeperNotAssigned,
    #[msg("The keeper's authority is the device's owner or agent")]
    KeeperLinkedToDevice,
    #[msg("The keeper's bond is below the bond in force: top it up with add_bond")]
    KeeperBondTooLow,
    #[msg("The device already has every pass it needs this epoch")]
    PassesComplete,
    #[msg("Failure reports count only after the epoch's probe window")]
    ReportWindowNotOpen,
    #[msg("A reporter account is missing or not the keeper that reported")]
    ReporterAccountMismatch,
    #[msg("The device's failure quorum is still provisional: wait for the epoch to end")]
    FailurePending,
    #[msg("Committee size must be between 1 and 16 keepers")]
    InvalidCommitteeSize,
    #[msg("Passes required must be between 1 and 4, and at most the committee size")]
    InvalidPassesRequired,
    #[msg("Failure reports must open between 10 and 55 minutes into an epoch")]
    InvalidReportWindow,
    #[msg("The false-report penalty must be at most 10% of a bond")]
    InvalidReportPenalty,
    #[msg("The bond amount must be greater than zero")]
    ZeroBond,
    #[msg("Withdrawing forfeited bond needs iotoken's treasury account of the bond mint")]
    TreasuryMismatch,
    #[msg("The account is not this device id's history record")]
    DeviceHistoryMismatch,
    #[msg("The new agent key equals the current one")]
    AgentUnchanged,
    #[msg("Only the program's deployer may initialise: its upgrade authority, or the program id's own key where it has none")]
    NotDeployer,
    #[msg("The program or ProgramData account is not this program's")]
    ProgramDataMismatch,
}
