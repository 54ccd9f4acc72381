//! Events, one per state change. Prices are IOSD base units (1e6 = 1 USD) per device-hour; token
//! amounts are base units of the reservation's payment mint; times are unix seconds.

use {crate::state::*, anchor_lang::prelude::*, registry::state::ReservationOutcome};

#[event]
pub struct MarketConfigInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub usdc_mint: Pubkey,
    pub ack_grace_secs: i64,
    pub max_reservation_hours: u32,
}

#[event]
pub struct MarketConfigUpdated {
    pub config: Pubkey,
    pub authority_before: Pubkey,
    pub authority_after: Pubkey,
    pub usdc_mint_before: Pubkey,
    pub usdc_mint_after: Pubkey,
    pub ack_grace_secs_before: i64,
    pub ack_grace_secs_after: i64,
    pub max_reservation_hours_before: u32,
    pub max_reservation_hours_after: u32,
}

#[event]
pub struct ReservationCreated {
    pub reservation: Pubkey,
    pub renter: Pubkey,
    pub id: u64,
    pub payment_mint: Pubkey,
    pub payment_token: PaymentToken,
    pub hours: u32,
    pub workload: WorkloadSpec,
}

#[event]
pub struct DeviceBooked {
    pub reservation: Pubkey,
    pub booking: Pubkey,
    pub device: Pubkey,
    pub price_per_hour: u64,
    pub hours: u32,
    pub ends_at: i64,
    pub ack_deadline: i64,
    pub charges: BookingCharges,
}

/// One per batch: what the renter paid into the vault for it.
#[event]
pub struct BatchPaid {
    pub reservation: Pubkey,
    pub devices: u32,
    pub amount: u64,
    /// IO price (USD, 8 decimals) the batch was converted at; 0 for IOSD and USDC.
    pub io_price: u64,
    pub vault_after: u64,
}

#[event]
pub struct StartAcknowledged {
    pub reservation: Pubkey,
    pub booking: Pubkey,
    pub device: Pubkey,
    pub agent: Pubkey,
    pub started_at: i64,
}

#[event]
pub struct BookingExtended {
    pub reservation: Pubkey,
    pub booking: Pubkey,
    pub extra_hours: u32,
    pub ends_at: i64,
    pub added: BookingCharges,
}

#[event]
pub struct ReservationCancelled {
    pub reservation: Pubkey,
    pub cancelled_at: i64,
    pub bookings_open: u32,
}

#[event]
pub struct BookingSettled {
    pub reservation: Pubkey,
    pub booking: Pubkey,
    pub device: Pubkey,
    pub settler: Pubkey,
    /// The outcome reported to the registry (`CompletedUncredited` for a completion that does
    /// not count toward the device's reputation).
    pub outcome: ReservationOutcome,
    pub delivered_secs: u64,
    pub booked_secs: u64,
    pub owner_pay: u64,
    pub staker_share: u64,
    pub network_fee: u64,
    pub reservation_fee: u64,
    pub payment_fee: u64,
    /// Undelivered time owed back to the renter, accrued in the ledger (`claim_refund`).
    pub refund: u64,
    pub tip: u64,
    /// What the slash of a fault (failed or abandoned) was sized on: the undelivered time's value
    /// in IO base units (0 when nothing was slashed for want of a usable price, or no fault).
    pub slash_basis: u64,
    /// The IO price (USD per IO, 8 decimals) an IOSD or USDC refund was valued at for the slash;
    /// 0 for IO payments, no fault, or no usable price.
    pub slash_io_price: u64,
    /// IO base units slashed from the device's stake, to the treasury: `FAULT_SLASH_BPS` of the
    /// basis, within staking's window and the pool.
    pub slashed: u64,
}

/// The renter claimed the refunds settlement accrued for it.
#[event]
pub struct RefundClaimed {
    pub reservation: Pubkey,
    pub renter: Pubkey,
    /// The renter, or whoever claimed for it into its associated token account.
    pub claimed_by: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub refunds_claimed_after: u64,
    pub vault_after: u64,
}

#[event]
pub struct ReservationClosed {
    pub reservation: Pubkey,
    pub renter: Pubkey,
    /// The renter, or whoever closed it once idle.
    pub closed_by: Pubkey,
    pub ledger: ReservationLedger,
    /// Tokens the vault held beyond its ledger (sent from outside the market), swept to
    /// `treasury`, iotoken's treasury account of the payment mint.
    pub surplus_swept: u64,
    pub treasury: Pubkey,
}
