use anchor_lang::prelude::*;

/// Longest container image, Ray image or process command line, in bytes.
pub const MAX_WORKLOAD_IMAGE_LEN: usize = 256;
/// Ports a workload may expose.
pub const MAX_WORKLOAD_PORTS: usize = 16;
/// How long a reservation must have been idle (past its creation and its latest booking's end)
/// before anyone, not only the renter, may pay its refunds into the renter's associated token
/// account and close it, returning its rent to the renter. A week leaves the renter time to
/// claim elsewhere, book again or read the account before keepers tidy it up.
pub const PUBLIC_CLOSE_DELAY_SECS: i64 = 7 * 24 * 3600;

/// The token a reservation is paid in. Prices are USD (IOSD base units); IO is converted at
/// iotoken's conservative price when paid.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, PartialEq, Eq, Debug)]
pub enum PaymentToken {
    Iosd,
    Io,
    Usdc,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, PartialEq, Eq, Debug)]
pub enum WorkloadKind {
    /// An OCI image the agent runs with Docker (or its sandboxed runner).
    Container,
    /// A Ray cluster image: the first device is the head, the others join it.
    Ray,
    /// A command line run as a sandboxed process.
    Process,
}

/// What the renter runs on the devices. The environment itself stays off chain: only its hash
/// is recorded, so agents can check what they are given.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, InitSpace, PartialEq, Eq, Debug)]
pub struct WorkloadSpec {
    pub kind: WorkloadKind,
    /// Image reference (container, ray) or command line (process): printable ASCII, 1-256 bytes.
    #[max_len(MAX_WORKLOAD_IMAGE_LEN)]
    pub image: String,
    /// Ports the workload listens on: distinct, non-zero, at most 16.
    #[max_len(MAX_WORKLOAD_PORTS)]
    pub ports: Vec<u16>,
    /// sha256 of the environment the renter hands to the agents (all zero for none).
    pub env_hash: [u8; 32],
}

/// Where a reservation's money went, in payment-token base units. The vault always holds at
/// least `deposited - device_payouts - staker_shares - network_fees - reservation_fees -
/// payment_fees - refunds_claimed - tips`, which is also what the reservation still owes:
/// `escrow_open` (the charges of the bookings not yet settled) plus the refunds accrued and not
/// yet claimed (`refunds - refunds_claimed`); anything above is a surplus sent from outside,
/// swept at close.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, Default, PartialEq, Eq, Debug,
)]
pub struct ReservationLedger {
    pub deposited: u64,
    /// Paid to device owners (their pay net of the network fee and the stakers' share).
    pub device_payouts: u64,
    /// Deposited into devices' staking pools for their co-stakers.
    pub staker_shares: u64,
    /// Network fee (of delivered job value) paid to the treasury.
    pub network_fees: u64,
    /// Reservation fees paid to the treasury (what the settlement tips left of them).
    pub reservation_fees: u64,
    /// Payment fees (USDC) paid to the treasury.
    pub payment_fees: u64,
    /// Undelivered time owed back to the renter, accrued by settlement.
    pub refunds: u64,
    /// Of `refunds`, paid to the renter by `claim_refund`.
    pub refunds_claimed: u64,
    /// Paid to whoever settled bookings.
    pub tips: u64,
    /// Charges of the bookings not settled yet.
    pub escrow_open: u64,
}

impl ReservationLedger {
    /// What the vault holds by the flows recorded: `None` if they overdraw the deposits.
    pub fn held(&self) -> Option<u64> {
        self.deposited
            .checked_sub(self.device_payouts)?
            .checked_sub(self.staker_shares)?
            .checked_sub(self.network_fees)?
            .checked_sub(self.reservation_fees)?
            .checked_sub(self.payment_fees)?
            .checked_sub(self.refunds_claimed)?
            .checked_sub(self.tips)
    }

    /// Refunds accrued and not yet claimed: `None` if more was claimed than accrued.
    pub fn refund_owed(&self) -> Option<u64> {
        self.refunds.checked_sub(self.refunds_claimed)
    }

    /// What the reservation still owes out of its vault: the open bookings' charges and the
    /// unclaimed refunds.
    pub fn owed(&self) -> Option<u64> {
        self.escrow_open.checked_add(self.refund_owed()?)
    }

    /// What the vault must hold at least: what the flows leave (`held`) when it equals what the
    /// reservation still owes (`owed`); `None` when the ledger contradicts itself. The vault may
    /// hold more: tokens sent to it from outside the market (a surplus).
    pub fn expected_vault(&self) -> Option<u64> {
        let held = self.held()?;
        (Some(held) == self.owed()).then_some(held)
    }
}

/// One renter's cluster: devices are added to it in batches (`book_devices`), each getting its
/// own `Booking`; payment for all of them sits in the reservation's vault until settlement.
#[account]
#[derive(InitSpace, Debug)]
pub struct Reservation {
    pub renter: Pubkey,
    /// Chosen by the renter; part of the address, so a renter can hold many reservations.
    pub id: u64,
    pub payment_mint: Pubkey,
    pub payment_token: PaymentToken,
    /// Hours each device is booked for when added (extensions are per booking).
    pub hours: u32,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the renter's cancellation; 0 while not cancelled.
    pub cancelled_at: i64,
    /// Unix seconds: the latest end of any booking made (extensions included); 0 before the
    /// first. Once it has passed every booking has ended and there is nothing left to cancel.
    pub last_ends_at: i64,
    /// Bookings ever made, and those not settled yet.
    pub bookings_made: u32,
    pub bookings_open: u32,
    pub ledger: ReservationLedger,
    pub bump: u8,
    pub vault_bump: u8,
    /// Kept for fixed-size fields added later (ahead of the workload, so offsets stay fixed).
    pub _reserved: [u8; 32],
    pub workload: WorkloadSpec,
}

impl Reservation {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled_at != 0
    }

    /// Unix seconds from which anyone may claim its refunds for the renter and close it.
    pub fn public_close_at(&self) -> i64 {
        self.created_at
            .max(self.last_ends_at)
            .saturating_add(PUBLIC_CLOSE_DELAY_SECS)
    }

    /// The renter acts on its reservation at any time; anyone else once it is idle.
    pub fn check_closer(&self, caller: &Pubkey, now: i64) -> Result<()> {
        require!(
            *caller == self.renter || now >= self.public_close_at(),
            crate::errors::MarketError::ReservationNotIdle
        );
        Ok(())
    }
}
