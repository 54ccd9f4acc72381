use anchor_lang::prelude::*;

#[error_code]
pub enum StakingError {
    // Config and authority.
    #[msg("Only the config authority may do this")]
    NotConfigAuthority,
    #[msg("The authority cannot be the all-zero key")]
    InvalidAuthority,
    #[msg("The change leaves every value as it was")]
    NothingToUpdate,
    #[msg("This change applies to another program's config; it can only be made by a proposal")]
    ChangeTargetsOtherProgram,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The token account or mint is not the IO mint")]
    WrongMint,
    #[msg("Minimum stake base must be 1-100,000 IO and the unstake cooldown 1-90 days")]
    InvalidStakeParams,
    #[msg("Slash cap must be 1-10,000 bps and the window 1 hour to 30 days")]
    InvalidSlashParams,
    #[msg("Governance parameters out of bounds")]
    InvalidGovernanceParams,
    #[msg("GPU classes: at most 16, patterns 1-24 printable ASCII and distinct, multipliers 0.10x-20.00x")]
    InvalidGpuClasses,
    #[msg("Slashers: at most 4 distinct program ids, none the all-zero key")]
    InvalidSlashers,
    #[msg("Fee parameters out of iotoken's bounds")]
    InvalidFeeParams,
    #[msg("Price updaters: at most 8 distinct keys, none the all-zero key")]
    InvalidOracleUpdaters,
    #[msg("Keeper bond must be positive and its cooldown 0-365 days")]
    InvalidKeeperBond,

    // Pools and positions.
    #[msg("The account is not a registry device")]
    NotRegistryDevice,
    #[msg("Only the device's owner may open its pool")]
    NotDeviceOwner,
    #[msg("The stakers' share is outside iotoken's bounds")]
    StakerShareOutOfBounds,
    #[msg("Only the pool's operator may do this")]
    NotPoolOperator,
    #[msg("The pool's operator does not accept co-stake")]
    CoStakingClosed,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount too small to be worth one share")]
    AmountTooSmall,
    #[msg("Slashing took all the pool's co-stake; it takes no new co-stake")]
    CoStakeWipedOut,
    #[msg("Not that much active stake")]
    InsufficientStake,
    #[msg("The stake is locked")]
    StakeLocked,
    #[msg("The unstake cooldown has not elapsed")]
    CooldownNotElapsed,
    #[msg("Nothing is cooling down")]
    NothingToWithdraw,
    #[msg("The position voted on a proposal whose vote has not ended; its stake stays until then")]
    VoteLocked,
    #[msg("A lock lasts at least 14 days")]
    LockTooShort,
    #[msg("A lock lasts at most 4 years")]
    LockTooLong,
    #[msg("A lock can only be extended")]
    LockCannotShorten,
    #[msg("No rewards to claim")]
    NothingToClaim,
    #[msg("The pool has no active co-stake to reward")]
    NoActiveCoStake,
    #[msg("The vault holds less than the pool accounts for")]
    VaultInvariantViolated,

    // Slashing.
    #[msg("Only a registered slasher program's PDA may slash")]
    NotSlashAuthority,
    #[msg("The slash exceeds what the pool's window still allows")]
    SlashCapExceeded,
    #[msg("The slash exceeds the pool's stake")]
    SlashExceedsStake,

    // Governance.
    #[msg("A title is 1-64 bytes without control characters")]
    InvalidProposalTitle,
    #[msg("The proposer's position has less active stake than proposals require")]
    ProposerStakeTooLow,
    #[msg("This change needs an account that was not passed")]
    MissingTargetAccount,
    #[msg("No emission row at that index")]
    EmissionRowNotFound,
    #[msg("That emission row has started")]
    EmissionRowStarted,
    #[msg("An emission row can only be lowered")]
    EmissionRowNotLowered,
    #[msg("Voting on this proposal has ended")]
    VotingEnded,
    #[msg("The position has no active stake to vote with")]
    NoVotingWeight,
    #[msg("This position already voted on this proposal")]
    AlreadyVoted,
    #[msg("Voting has not ended")]
    VotingNotEnded,
    #[msg("The proposal's vote was already finalised")]
    ProposalNotVoting,
    #[msg("The proposal's vote has not been finalised")]
    ProposalNotFinalized,
    #[msg("The proposal did not pass")]
    ProposalDefeated,
    #[msg("The proposal was already executed")]
    ProposalAlreadyExecuted,
    #[msg("The timelock has not elapsed")]
    TimelockNotElapsed,
    #[msg("The proposal's execution window has passed")]
    ProposalExpired,
    #[msg("The governance PDA is not this config's authority")]
    GovernanceNotAuthority,
    #[msg("The pool's own vault cannot be the other side of a transfer")]
    VaultAsCounterparty,
    #[msg("Token parameters: at least one group, each within iotoken's bounds")]
    InvalidTokenParams,
    #[msg("The position still holds shares or unclaimed rewards")]
    PositionNotEmpty,
    #[msg("Failure quorum must be 2 to 5 keepers and probe age 1 to 512 slots")]
    InvalidAvailabilityParams,
    #[msg("iotoken has no reward pool with this index")]
    InvalidPoolIndex,
    #[msg("The device account is not the pool's device")]
    DeviceMismatch,
    #[msg("The device is reserved; its self-stake stays until the reservation is settled")]
    DeviceReserved,
    #[msg("Only the program's deployer may initialise: its upgrade authority, or the program id's own key where it has none")]
    NotDeployer,
    #[msg("The program or ProgramData account is not this program's")]
    ProgramDataMismatch,
    #[msg("The position's stake or lock grew after the proposal's creation: no vote on it")]
    WeightAddedAfterProposal,
}
