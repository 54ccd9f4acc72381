use anchor_lang::prelude::*;

#[error_code]
pub enum IotokenError {
    #[msg("Only the config authority may do this")]
    NotConfigAuthority,
    #[msg("The authority must not be the default (all-zero) key")]
    InvalidAuthority,
    #[msg("The update changes nothing")]
    NothingToUpdate,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The genesis supply has already been minted")]
    GenesisAlreadyMinted,
    #[msg("The genesis supply has not been minted yet")]
    GenesisNotMinted,
    #[msg("The five allocation accounts must be distinct")]
    DuplicateAllocationAccount,
    #[msg("The token account is not for the expected mint")]
    WrongMint,
    #[msg("The token account does not belong to the signer")]
    NotTokenAccountOwner,
    #[msg("Minting this would take the IO supply past its 800,000,000 IO cap")]
    SupplyCapExceeded,
    #[msg("The schedule is sealed; rows can only be lowered")]
    ScheduleSealed,
    #[msg("The schedule is not sealed yet")]
    ScheduleNotSealed,
    #[msg("The schedule has no rows")]
    ScheduleEmpty,
    #[msg("The schedule holds at most 256 rows")]
    ScheduleFull,
    #[msg("Every row must start a whole number of hours after the first")]
    ScheduleRowMisaligned,
    #[msg("Rows must start in strictly increasing order")]
    ScheduleRowsNotIncreasing,
    #[msg("The last row must emit zero, ending the schedule")]
    ScheduleWithoutEnd,
    #[msg("The schedule would emit more than the 300,000,000 IO emission budget")]
    ScheduleExceedsBudget,
    #[msg("No schedule row has that index")]
    ScheduleRowNotFound,
    #[msg("Only rows that have not started yet may change")]
    ScheduleRowStarted,
    #[msg("A row may only be lowered")]
    ScheduleRowNotLowered,
    #[msg("The epoch has not ended yet")]
    EpochNotEnded,
    #[msg("Pass between 1 and 12 epoch record accounts")]
    InvalidEpochCount,
    #[msg("An epoch record account is not the PDA of the epoch it closes")]
    EpochRecordMismatch,
    #[msg("The reward split must sum to 10,000 basis points")]
    InvalidRewardSplit,
    #[msg("Crank tip must be at most 1,000 IO")]
    InvalidCrankTip,
    #[msg("Net emission smoothing must be 1 to 8,760 epochs")]
    InvalidNetEmissionParams,
    #[msg(
        "A fee is above its bound (network 20%, payment 10%, reservation 5%, settle tip 10 IOSD)"
    )]
    InvalidFee,
    #[msg("Staker share bounds must satisfy min <= max <= 10%")]
    InvalidStakerShareBounds,
    #[msg("Oracle parameters out of bounds (staleness 1 s to 1 day, confidence 0.01% to 100%, EMA window 1 min to 7 days)")]
    InvalidOracleParams,
    #[msg("Circuit breaker window must be 1 minute to 30 days with a positive limit")]
    InvalidBreakerParams,
    #[msg("Buyback must burn 0.01% to 10% per interval of 1 hour to 30 days")]
    InvalidBuybackParams,
    #[msg("At most 8 price updaters")]
    TooManyUpdaters,
    #[msg("A price updater is listed twice")]
    DuplicateUpdater,
    #[msg("A price updater must not be the default (all-zero) key")]
    InvalidUpdater,
    #[msg("Only an authorised price updater may do this")]
    NotPriceUpdater,
    #[msg("Only the config authority or a price updater may do this")]
    NotAuthorityOrUpdater,
    #[msg("Price must be positive and confidence below the price")]
    InvalidPrice,
    #[msg("Publish time is in the future")]
    PublishTimeInFuture,
    #[msg("Publish time is not newer than the feed's")]
    PublishTimeNotNewer,
    #[msg("The price feed is halted")]
    PriceFeedHalted,
    #[msg("The price feed is already halted")]
    PriceFeedAlreadyHalted,
    #[msg("The price feed is not halted")]
    PriceFeedNotHalted,
    #[msg("The price is stale")]
    PriceStale,
    #[msg("The price's confidence interval is too wide")]
    PriceTooUncertain,
    #[msg("The conservative price is not positive")]
    PriceNotPositive,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("The IO amount is worth less than one IOSD base unit")]
    AmountTooSmall,
    #[msg("IOSD out is below the minimum asked for")]
    SlippageExceeded,
    #[msg("The IOSD mint limit of the current window is reached")]
    CircuitBreakerTripped,
    #[msg("The buyback interval has not elapsed")]
    BuybackTooSoon,
    #[msg("The treasury holds no IO to burn")]
    NothingToBurn,
    #[msg("No reward pool has this index")]
    InvalidPool,
    #[msg("Only the pool's distributor may draw from it")]
    NotPoolDistributor,
    #[msg("This pool's share of the epoch was already drawn")]
    PoolAlreadyDrawn,
    #[msg("A pool cannot be drawn into itself")]
    PoolAsDestination,
    #[msg("The price is further from its EMA than the configured deviation bound")]
    PriceDeviatesFromEma,
    #[msg("This updater halted the feed less than the halt cooldown ago")]
    HaltCooldown,
    #[msg("Guard parameters out of bounds (EMA step 1% to 1,000% per hour and 0.1% to 50% per update, deviation 0.1% to 50%, burst 1% to 90%, updater halt 5 minutes to 1 day with a cooldown of twice that to 30 days)")]
    InvalidGuardParams,
    #[msg("Only the program's deployer may initialise: its upgrade authority, or the program id's own key where it has none")]
    NotDeployer,
    #[msg("The program or ProgramData account is not this program's")]
    ProgramDataMismatch,
}
