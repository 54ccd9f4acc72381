use {
    crate::{errors::MarketError, events::ReservationCreated, state::*, validation::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Mint, Token, TokenAccount},
    iotoken::state::{TokenConfig, CONFIG_SEED as IOTOKEN_CONFIG_SEED},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateReservationArgs {
    /// Any number the renter has not used for another open reservation.
    pub id: u64,
    /// Hours each device will be booked for.
    pub hours: u32,
    pub workload: WorkloadSpec,
}

/// Opens a reservation and its escrow vault in the payment mint; devices are then added in
/// batches with `book_devices`.
#[derive(Accounts)]
#[instruction(args: CreateReservationArgs)]
pub struct CreateReservation<'info> {
    #[account(mut)]
    pub renter: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, MarketConfig>>,
    #[account(seeds = [IOTOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = iotoken::ID)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    pub payment_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = renter,
        space = 8 + Reservation::INIT_SPACE,
        seeds = [RESERVATION_SEED, renter.key().as_ref(), &args.id.to_le_bytes()],
        bump,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(
        init,
        payer = renter,
        seeds = [VAULT_SEED, reservation.key().as_ref()],
        bump,
        token::mint = payment_mint,
        token::authority = reservation,
        token::token_program = token_program,
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateReservation>, args: CreateReservationArgs) -> Result<()> {
    let accounts = ctx.accounts;
    validate_hours(0, args.hours, &accounts.config)?;
    validate_workload(&args.workload)?;
    let mint = accounts.payment_mint.key();
    let payment_token = if mint == accounts.token_config.iosd_mint {
        PaymentToken::Iosd
    } else if mint == accounts.token_config.io_mint {
        PaymentToken::Io
    } else if mint == accounts.config.usdc_mint {
        PaymentToken::Usdc
    } else {
        return err!(MarketError::UnsupportedPaymentMint);
    };
    accounts.reservation.set_inner(Reservation {
        renter: accounts.renter.key(),
        id: args.id,
        payment_mint: mint,
        payment_token,
        hours: args.hours,
        created_at: Clock::get()?.unix_timestamp,
        cancelled_at: 0,
        last_ends_at: 0,
        bookings_made: 0,
        bookings_open: 0,
        ledger: ReservationLedger::default(),
        bump: ctx.bumps.reservation,
        vault_bump: ctx.bumps.vault,
        _reserved: [0; 32],
        workload: args.workload,
    });
    let reservation = &accounts.reservation;
    emit!(ReservationCreated {
        reservation: reservation.key(),
        renter: reservation.renter,
        id: reservation.id,
        payment_mint: mint,
        payment_token,
        hours: reservation.hours,
        workload: reservation.workload.clone(),
    });
    Ok(())
}
