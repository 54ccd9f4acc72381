//! iogrid market: a renter reserves a cluster of devices for some hours. The reservation is
//! filled in batches; each device gets a booking, is locked to the reservation through the
//! registry (so it is never booked twice) and has its price fixed; payment waits in the
//! reservation's vault. Agents acknowledge the start; the renter may extend or cancel; anyone
//! settles bookings once they end, fail (keeper quorum) or miss their start, paying devices for
//! the time delivered, the treasury its fees, co-stakers their share and the settler a tip; the
//! rest is owed to the renter, who claims it. After every move the vault holds at least what the
//! reservation's ledger says (tokens sent to it from outside are swept to the treasury at close).

// Every instruction module exports its own `handler`; dispatch below names the module.
#![allow(ambiguous_glob_reexports)]
// `#[program]` emits, beside the module, IDL-account handlers that call `AccountInfo::realloc`,
// deprecated since solana-program 2.2; the attribute cannot be scoped to generated code.
#![allow(deprecated)]

use anchor_lang::prelude::*;

pub mod batch;
pub mod errors;
pub mod escrow;
pub mod events;
pub mod instructions;
pub mod math;
pub mod state;
pub mod validation;

pub use instructions::*;

declare_id!("MKFewuEbqPENT5T5b72S8YsLhTNbgMRnQ6h6nNXd63Y");

#[program]
pub mod market {
    use super::*;

    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        initialize::handler(ctx, args)
    }

    pub fn update_config(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
        update_config::handler(ctx, args)
    }

    pub fn create_reservation(
        ctx: Context<CreateReservation>,
        args: CreateReservationArgs,
    ) -> Result<()> {
        create_reservation::handler(ctx, args)
    }

    pub fn book_devices<'info>(
        ctx: Context<'_, '_, 'info, 'info, BookDevices<'info>>,
        max_payment: u64,
    ) -> Result<()> {
        book_devices::handler(ctx, max_payment)
    }

    pub fn acknowledge_start(ctx: Context<AcknowledgeStart>) -> Result<()> {
        acknowledge_start::handler(ctx)
    }

    pub fn extend_bookings<'info>(
        ctx: Context<'_, '_, 'info, 'info, ExtendBookings<'info>>,
        extra_hours: u32,
        max_payment: u64,
    ) -> Result<()> {
        extend_bookings::handler(ctx, extra_hours, max_payment)
    }

    pub fn cancel_reservation(ctx: Context<CancelReservation>) -> Result<()> {
        cancel_reservation::handler(ctx)
    }

    pub fn settle_bookings<'info>(
        ctx: Context<'_, '_, 'info, 'info, SettleBookings<'info>>,
    ) -> Result<()> {
        settle_bookings::handler(ctx)
    }

    pub fn claim_refund(ctx: Context<ClaimRefund>) -> Result<()> {
        claim_refund::handler(ctx)
    }

    pub fn close_reservation(ctx: Context<CloseReservation>) -> Result<()> {
        close_reservation::handler(ctx)
    }
}
