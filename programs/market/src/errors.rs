use anchor_lang::prelude::*;

#[error_code]
pub enum MarketError {
    #[msg("Only the config authority may do this")]
    NotConfigAuthority,
    #[msg(
        "Start grace period must be between 1 second and 30 minutes (half the shortest booking)"
    )]
    InvalidAckGrace,
    #[msg("Longest reservation must be between 1 hour and 365 days")]
    InvalidMaxHours,
    #[msg("The update changes nothing")]
    NothingToUpdate,
    #[msg("Hours must be at least 1 and, with what is already booked, within the market's longest reservation")]
    InvalidHours,
    #[msg("Payment must be in IOSD, IO or the configured USDC mint")]
    UnsupportedPaymentMint,
    #[msg("The payment or refund account must be the renter's, in the reservation's mint")]
    InvalidRenterAccount,
    #[msg("Workload image or command must be 1 to 256 bytes of printable ASCII")]
    InvalidWorkloadImage,
    #[msg("Workload ports must be at most 16, distinct and non-zero")]
    InvalidWorkloadPorts,
    #[msg("A batch takes 1 to 16 devices, each with all of its accounts")]
    InvalidBatch,
    #[msg("The account is not a registered device")]
    DeviceNotRegistered,
    #[msg("The device is paused")]
    DevicePaused,
    #[msg("The device is already reserved")]
    DeviceReserved,
    #[msg("The device's stake is below its minimum")]
    DeviceUnderStaked,
    #[msg("A keeper quorum found the device down this epoch")]
    DeviceFailedThisEpoch,
    #[msg("The device has no price")]
    DeviceUnpriced,
    #[msg("The booking account is not this device's booking in this reservation")]
    BookingMismatch,
    #[msg("The device is not locked to this reservation")]
    DeviceNotInReservation,
    #[msg("The quote is above the most the renter agreed to pay")]
    PaymentBelowQuote,
    #[msg("The reservation was cancelled")]
    ReservationCancelled,
    #[msg(
        "Every booking of the reservation has ended (or none was made): there is nothing to cancel"
    )]
    ReservationEnded,
    #[msg("Only the reservation's renter may do this")]
    NotRenter,
    #[msg("Only the device's agent key may acknowledge the start")]
    WrongAgentKey,
    #[msg("The start was already acknowledged")]
    AlreadyStarted,
    #[msg("The start deadline has passed")]
    StartDeadlinePassed,
    #[msg("The booking has ended")]
    BookingEnded,
    #[msg("A keeper quorum found the device down during the booking")]
    DeviceFailed,
    #[msg("The booking may not be settled yet: it has not ended, failed, been cancelled or missed its start")]
    ReservationNotEnded,
    #[msg("Every booking passed was already settled")]
    AlreadySettled,
    #[msg("The payee must be the device owner's token account in the reservation's mint")]
    InvalidPayee,
    #[msg("The account is not the device's staking pool or its vault")]
    StakePoolMismatch,
    #[msg("The treasury account is not iotoken's treasury for this mint")]
    InvalidTreasury,
    #[msg("Bookings are still open; settle them first")]
    BookingsOpen,
    #[msg("Refunds are owed to the renter; claim them first")]
    RefundsUnclaimed,
    #[msg("No refund is owed to the renter")]
    NoRefundOwed,
    #[msg("The reservation's vault does not hold what its ledger says")]
    VaultInvariantViolated,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg(
        "A keeper failure quorum on the device is provisional until its epoch ends: settle then"
    )]
    FailurePending,
    #[msg("Only the renter may do this until the reservation has been idle for 7 days")]
    ReservationNotIdle,
    #[msg("Only the program's deployer may initialise: its upgrade authority, or the program id's own key where it has none")]
    NotDeployer,
    #[msg("The program or ProgramData account is not this program's")]
    ProgramDataMismatch,
    #[msg("The config authority cannot be the all-zero key")]
    InvalidAuthority,
    #[msg("The USDC mint cannot be the all-zero key or one of iotoken's mints (IO, IOSD)")]
    InvalidUsdcMint,
}
