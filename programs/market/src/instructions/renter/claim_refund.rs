use {
    crate::{
        errors::MarketError,
        escrow::{check_invariant, pay_out},
        events::RefundClaimed,
        math::SafeMath,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// The renter claims the refunds settlement accrued for it (undelivered time), paid from the
/// vault into any token account of its own in the payment mint. Settlement never pays the renter
/// directly, so nothing the renter controls (a closed or frozen account) can stop a booking from
/// settling, its device from being released or its owner from being paid.
#[derive(Accounts)]
pub struct ClaimRefund<'info> {
    pub renter: Signer<'info>,
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
        destination: accounts.destination.key(),
        amount: owed,
        refunds_claimed_after: refunds_claimed,
        vault_after: accounts.vault.amount,
    });
    Ok(())
}
