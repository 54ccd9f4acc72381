use {
    crate::{
        errors::MarketError,
        escrow::{check_invariant, pay_out},
        events::RefundClaimed,
        math::SafeMath,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::{
        associated_token::get_associated_token_address_with_program_id,
        token::{Token, TokenAccount},
    },
};

/// The renter claims the refunds settlement accrued for it (undelivered time), paid from the
/// vault into any token account of its own in the payment mint. Settlement never pays the renter
/// directly, so nothing the renter controls (a closed or frozen account) can stop a booking from
/// settling, its device from being released or its owner from being paid. Once the reservation
/// has been idle for `PUBLIC_CLOSE_DELAY_SECS`, anyone may claim for the renter, into the
/// renter's associated token account only, so that keepers can close forgotten reservations.
#[derive(Accounts)]
pub struct ClaimRefund<'info> {
    /// The renter, or anyone once the reservation is idle.
    pub caller: Signer<'info>,
    /// CHECK: the reservation's renter (`has_one`); only its key is read.
    pub renter: UncheckedAccount<'info>,
    #[account(
        mut,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
        has_one = renter @ MarketError::NotRenter,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(mut, seeds = [VAULT_SEED, reservation.key().as_ref()], bump = reservation.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    /// The renter's own account in the payment mint.
    #[account(
        mut,
        constraint = destination.owner == renter.key() @ MarketError::InvalidRenterAccount,
        constraint = destination.mint == reservation.payment_mint @ MarketError::InvalidRenterAccount,
        constraint = destination.key() != vault.key() @ MarketError::InvalidRenterAccount,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ClaimRefund>) -> Result<()> {
    let accounts = ctx.accounts;
    accounts
        .reservation
        .check_closer(accounts.caller.key, Clock::get()?.unix_timestamp)?;
    if accounts.caller.key() != accounts.renter.key() {
        let renters_own = get_associated_token_address_with_program_id(
            accounts.renter.key,
            &accounts.reservation.payment_mint,
            accounts.token_program.key,
        );
        require_keys_eq!(
            accounts.destination.key(),
            renters_own,
            MarketError::InvalidRenterAccount
        );
    }
    let owed = accounts
        .reservation
        .ledger
        .refund_owed()
        .ok_or_else(|| error!(MarketError::VaultInvariantViolated))?;
    require!(owed > 0, MarketError::NoRefundOwed);
    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.destination.to_account_info(),
        &accounts.reservation,
        owed,
    )?;
    let ledger = &mut accounts.reservation.ledger;
    ledger.refunds_claimed = ledger.refunds_claimed.safe_add(owed)?;
    let refunds_claimed = ledger.refunds_claimed;
    check_invariant(&mut accounts.vault, &accounts.reservation)?;
    emit!(RefundClaimed {
        reservation: accounts.reservation.key(),
        renter: accounts.renter.key(),
        claimed_by: accounts.caller.key(),
        destination: accounts.destination.key(),
        amount: owed,
        refunds_claimed_after: refunds_claimed,
        vault_after: accounts.vault.amount,
    });
    Ok(())
}
