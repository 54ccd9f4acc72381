use {
    crate::{
        errors::MarketError,
        escrow::{check_invariant, pay_out},
        events::ReservationClosed,
        reservation_seeds,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{close_account, CloseAccount, Token, TokenAccount},
    iotoken::state::TREASURY_SEED,
};

/// The renter closes a reservation whose bookings are all settled and whose refunds are claimed
/// (`claim_refund`, which may go first in the same transaction): whatever the vault holds
/// beyond its ledger (tokens sent to it from outside the market, never the renter's) is swept to
/// iotoken's treasury account of the payment mint, then the empty vault and the reservation are
/// closed and their rent returned to the renter. Once the reservation has been idle for
/// `PUBLIC_CLOSE_DELAY_SECS` anyone may close it (keepers do), the rent still going to the renter.
#[derive(Accounts)]
pub struct CloseReservation<'info> {
    /// The renter, or anyone once the reservation is idle.
    pub caller: Signer<'info>,
    /// CHECK: the reservation's renter (`has_one`), who receives the rent.
    #[account(mut)]
    pub renter: UncheckedAccount<'info>,
    #[account(
        mut,
        close = renter,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
        has_one = renter @ MarketError::NotRenter,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(mut, seeds = [VAULT_SEED, reservation.key().as_ref()], bump = reservation.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    /// iotoken's treasury account of the payment mint: the surplus goes there.
    #[account(
        mut,
        seeds = [TREASURY_SEED, reservation.payment_mint.as_ref()],
        bump,
        seeds::program = iotoken::ID,
    )]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CloseReservation>) -> Result<()> {
    let accounts = ctx.accounts;
    accounts
        .reservation
        .check_closer(accounts.caller.key, Clock::get()?.unix_timestamp)?;
    require!(
        accounts.reservation.bookings_open == 0,
        MarketError::BookingsOpen
    );
    require!(
        accounts.reservation.ledger.refund_owed() == Some(0),
        MarketError::RefundsUnclaimed
    );
    let surplus = check_invariant(&mut accounts.vault, &accounts.reservation)?;
    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.treasury.to_account_info(),
        &accounts.reservation,
        surplus,
    )?;
    // Nothing is owed any more, so the vault must now be empty.
    require!(
        check_invariant(&mut accounts.vault, &accounts.reservation)? == 0
            && accounts.vault.amount == 0,
        MarketError::VaultInvariantViolated
    );
    let reservation = &accounts.reservation;
    close_account(CpiContext::new_with_signer(
        accounts.token_program.to_account_info(),
        CloseAccount {
            account: accounts.vault.to_account_info(),
            destination: accounts.renter.to_account_info(),
            authority: reservation.to_account_info(),
        },
        &[reservation_seeds!(reservation)],
    ))?;
    emit!(ReservationClosed {
        reservation: reservation.key(),
        renter: reservation.renter,
        closed_by: accounts.caller.key(),
        ledger: reservation.ledger,
        surplus_swept: surplus,
        treasury: accounts.treasury.key(),
    });
    Ok(())
}
