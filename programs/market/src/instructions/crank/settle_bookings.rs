use {
    crate::{
        batch::device_batch,
        errors::MarketError,
        escrow::{check_invariant, pay_out},
        events::BookingSettled,
        instructions::renter::book_devices::read_device,
        math::*,
        reservation_seeds,
        state::*,
    },
    anchor_lang::{prelude::*, AccountsClose},
    anchor_spl::token::{Token, TokenAccount},
    iotoken::state::{
        PriceFeed, TokenConfig, CONFIG_SEED as IOTOKEN_CONFIG_SEED, PRICE_FEED_SEED, TREASURY_SEED,
    },
    registry::{
        program::Registry,
        state::{RegistryConfig, ReservationOutcome, CONFIG_SEED as REGISTRY_CONFIG_SEED},
    },
    staking::{
        math::slashing::SlashWindow,
        program::Staking,
        state::{
            SlashReason, StakePool, StakingConfig, CONFIG_SEED as STAKING_CONFIG_SEED,
            VAULT_SEED as STAKE_VAULT_SEED,
        },
    },
};

/// Accounts per booking in `settle_bookings`' remaining accounts.
const ACCOUNTS_PER_BOOKING: usize = 5;

/// Settles bookings that may settle (ended, failed by a keeper quorum, missed their start, or
/// cancelled): each device is paid for the time it delivered, less the network fee (treasury)
/// and its co-stakers' share (deposited into its staking pool, IO payments only); undelivered
/// time is owed back to the renter (accrued in the reservation's ledger, claimed by the renter
/// with `claim_refund`, so no token account of the renter's takes part in settlement); the
/// settler gets each booking's tip; a failed or abandoned device is slashed to the treasury by
/// the value it did not deliver; the device is released with the outcome recorded in its
/// reputation (a completion credited only when paid by an unrelated renter) and the booking
/// closed (rent to the renter). Anyone may call it; bookings already
/// settled are skipped, so keepers racing on the same batch settle each booking once.
/// Remaining accounts, per booking: the booking, the device, the owner's token account in the
/// payment mint (any account when nothing is owed to the owner), the device's staking pool and
/// that pool's vault, all writable.
#[derive(Accounts)]
pub struct SettleBookings<'info> {
    pub settler: Signer<'info>,
    /// Where the settler's tips go (payment mint).
    #[account(
        mut,
        constraint = tip_account.mint == reservation.payment_mint @ MarketError::InvalidPayee,
        constraint = tip_account.key() != vault.key() @ MarketError::InvalidPayee,
    )]
    pub tip_account: Box<Account<'info, TokenAccount>>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, MarketConfig>>,
    #[account(
        mut,
        seeds = [RESERVATION_SEED, reservation.renter.as_ref(), &reservation.id.to_le_bytes()],
        bump = reservation.bump,
    )]
    pub reservation: Box<Account<'info, Reservation>>,
    #[account(mut, seeds = [VAULT_SEED, reservation.key().as_ref()], bump = reservation.vault_bump)]
    pub vault: Box<Account<'info, TokenAccount>>,
    /// CHECK: the renter, who paid the bookings' rent and gets it back.
    #[account(mut, address = reservation.renter @ MarketError::NotRenter)]
    pub renter: UncheckedAccount<'info>,
    #[account(
        mut,
        seeds = [TREASURY_SEED, reservation.payment_mint.as_ref()],
        bump,
        seeds::program = iotoken::ID,
    )]
    pub treasury: Box<Account<'info, TokenAccount>>,
    /// iotoken's IO treasury account: slashed stake goes there.
    #[account(
        mut,
        seeds = [TREASURY_SEED, token_config.io_mint.as_ref()],
        bump,
        seeds::program = iotoken::ID,
    )]
    pub io_treasury: Box<Account<'info, TokenAccount>>,
    #[account(seeds = [IOTOKEN_CONFIG_SEED], bump = token_config.bump, seeds::program = iotoken::ID)]
    pub token_config: Box<Account<'info, TokenConfig>>,
    /// iotoken's IO price feed: a fault in an IOSD or USDC reservation is slashed at its
    /// conservative price (the slash is skipped while the feed is unusable).
    #[account(seeds = [PRICE_FEED_SEED], bump = price_feed.bump, seeds::program = iotoken::ID)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
    #[account(seeds = [REGISTRY_CONFIG_SEED], bump = registry_config.bump, seeds::program = registry::ID)]
    pub registry_config: Box<Account<'info, RegistryConfig>>,
    #[account(seeds = [STAKING_CONFIG_SEED], bump = staking_config.bump, seeds::program = staking::ID)]
    pub staking_config: Box<Account<'info, StakingConfig>>,
    /// CHECK: the market's `["registry_lock"]` PDA, signing the registry's `release_device`.
    #[account(seeds = [REGISTRY_LOCK_SEED], bump = config.registry_lock_bump)]
    pub registry_lock: UncheckedAccount<'info>,
    /// CHECK: the market's `["slasher"]` PDA, signing staking's `slash`.
    #[account(seeds = [SLASHER_SEED], bump = config.slasher_bump)]
    pub slasher: UncheckedAccount<'info>,
    pub registry_program: Program<'info, Registry>,
    pub staking_program: Program<'info, Staking>,
    pub token_program: Program<'info, Token>,
}

/// What one batch moves out of the vault in aggregate (refunds stay in it, owed to the renter).
#[derive(Default)]
struct BatchTotals {
    treasury: u64,
    tips: u64,
}

pub fn handler<'info>(ctx: Context<'_, '_, 'info, 'info, SettleBookings<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let mut totals = BatchTotals::default();
    let mut settled = 0u32;
    for booking_accounts in device_batch(remaining, ACCOUNTS_PER_BOOKING)? {
        let [booking_info, device_info, payee_info, pool_info, stake_vault_info] = booking_accounts
        else {
            return err!(MarketError::InvalidBatch);
        };
        // Closed by an earlier settlement (another keeper's, or earlier in this batch).
        if booking_info.owner != &crate::ID || booking_info.data_is_empty() {
            continue;
        }
        settle_one(
            accounts,
            BookingAccounts {
                booking: booking_info,
                device: device_info,
                payee: payee_info,
                pool: pool_info,
                stake_vault: stake_vault_info,
            },
            now,
            &mut totals,
        )?;
        settled += 1;
    }
    require!(settled > 0, MarketError::AlreadySettled);

    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.treasury.to_account_info(),
        &accounts.reservation,
        totals.treasury,
    )?;
    pay_out(
        &accounts.token_program,
        &accounts.vault,
        &accounts.tip_account.to_account_info(),
        &accounts.reservation,
        totals.tips,
    )?;
    check_invariant(&mut accounts.vault, &accounts.reservation).map(|_| ())
}

/// One booking's remaining accounts.
struct BookingAccounts<'info> {
    booking: &'info AccountInfo<'info>,
    device: &'info AccountInfo<'info>,
    payee: &'info AccountInfo<'info>,
    pool: &'info AccountInfo<'info>,
    stake_vault: &'info AccountInfo<'info>,
}

fn settle_one<'info>(
    accounts: &mut SettleBookings<'info>,
    booking_accounts: BookingAccounts<'info>,
    now: i64,
    totals: &mut BatchTotals,
) -> Result<()> {
    let BookingAccounts {
        booking: booking_info,
        device: device_info,
        payee,
        pool: pool_info,
        stake_vault,
    } = booking_accounts;
    let reservation_key = accounts.reservation.key();
    let booking = Account::<Booking>::try_from(booking_info)
        .map_err(|_| error!(MarketError::BookingMismatch))?;
    require!(
        booking.reservation == reservation_key && booking.device == device_info.key(),
        MarketError::BookingMismatch
    );
    let device = read_device(device_info)?;
    let times = BookingTimes::from(&*booking);
    let failure = device
        .availability
        .lock_failure(running_epoch(&accounts.registry_config, now));
    require!(
        !failure_pending(&times, failure),
        MarketError::FailurePending
    );
    let failed = failed_at(&times, failure);
    let cancelled = accounts
        .reservation
        .is_cancelled()
        .then_some(accounts.reservation.cancelled_at);
    let end = ending(times, now, cancelled, failed)
        .ok_or_else(|| error!(MarketError::ReservationNotEnded))?;

    let pool = read_pool(pool_info, stake_vault, &booking)?;
    let staker_share_bps = match &pool {
        Some(pool)
            if accounts.reservation.payment_token == PaymentToken::Io && pool.active_shares > 0 =>
        {
            pool.staker_share_bps
        }
        _ => 0,
    };
    let booked_secs = u64::try_from(booking.ends_at.safe_sub(booking.booked_at)?)
        .map_err(|_| error!(MarketError::MathOverflow))?;
    let split = split_time(
        booking.charges.time,
        end.delivered_secs,
        booked_secs,
        accounts.token_config.fees.network_fee_bps,
        staker_share_bps,
    )?;

    if split.owner_pay > 0 {
        let payee_account = Account::<TokenAccount>::try_from(payee)
            .map_err(|_| error!(MarketError::InvalidPayee))?;
        require!(
            payee_account.owner == booking.owner
                && payee_account.mint == accounts.reservation.payment_mint
                && payee.key() != accounts.vault.key(),
            MarketError::InvalidPayee
        );
        pay_out(
            &accounts.token_program,
            &accounts.vault,
            payee,
            &accounts.reservation,
            split.owner_pay,
        )?;
    }
    if split.staker_share > 0 {
        let reservation = &accounts.reservation;
        staking::cpi::deposit_rewards(
            CpiContext::new_with_signer(
                accounts.staking_program.to_account_info(),
                staking::cpi::accounts::DepositRewards {
                    depositor: reservation.to_account_info(),
                    config: accounts.staking_config.to_account_info(),
                    pool: pool_info.clone(),
                    vault: stake_vault.clone(),
                    source: accounts.vault.to_account_info(),
                    token_program: accounts.token_program.to_account_info(),
                },
                &[reservation_seeds!(reservation)],
            ),
            split.staker_share,
        )?;
    }
    let slash_reason = match end.outcome {
        ReservationOutcome::Failed => Some(SlashReason::FailedProbesDuringReservation),
        ReservationOutcome::NoShow => Some(SlashReason::AbandonedReservation),
        ReservationOutcome::Completed
        | ReservationOutcome::Cancelled
        | ReservationOutcome::CompletedUncredited => None,
    };
    // A completion counts toward the device's reputation only when paid, by a renter that is not
    // the device's own owner or agent (L3).
    let renter = accounts.reservation.renter;
    let renter_is_device =
        renter == device.owner || renter == booking.owner || renter == device.agent;
    let reported = reported_outcome(
        end.outcome,
        delivered_value(booking.price_per_hour, end.delivered_secs, booked_secs)?,
        renter_is_device,
    );
    let (mut slash_basis, mut slash_io_price) = (0, 0);
    let slashed = match (slash_reason, &pool) {
        (Some(reason), Some(pool)) => {
            let paid_in_io = accounts.reservation.payment_token == PaymentToken::Io;
            // An unusable price (halted, stale, too uncertain) must not stop settlement.
            let io_price = (!paid_in_io)
                .then(|| {
                    accounts
                        .price_feed
                        .usable_price(&accounts.token_config.oracle, now)
                        .ok()
                })
                .flatten();
            let basis = undelivered_io(split.refund, paid_in_io, io_price);
            slash_basis = basis.unwrap_or(0);
            slash_io_price = io_price.unwrap_or(0);
            slash(
                accounts,
                pool,
                pool_info,
                stake_vault,
                basis,
                reason,
                booking.key(),
                now,
            )?
        }
        _ => 0,
    };
    registry::cpi::release_device(
        CpiContext::new_with_signer(
            accounts.registry_program.to_account_info(),
            registry::cpi::accounts::MarketLock {
                market_authority: accounts.registry_lock.to_account_info(),
                config: accounts.registry_config.to_account_info(),
                device: device_info.clone(),
            },
            &[&[REGISTRY_LOCK_SEED, &[accounts.config.registry_lock_bump]]],
        ),
        reservation_key,
        reported,
    )?;

    let charges = booking.charges;
    let reservation_fee = charges.reservation_fee.safe_sub(charges.tip)?;
    let reservation = &mut accounts.reservation;
    let ledger = &mut reservation.ledger;
    ledger.device_payouts = ledger.device_payouts.safe_add(split.owner_pay)?;
    ledger.staker_shares = ledger.staker_shares.safe_add(split.staker_share)?;
    ledger.network_fees = ledger.network_fees.safe_add(split.network_fee)?;
    ledger.reservation_fees = ledger.reservation_fees.safe_add(reservation_fee)?;
    ledger.payment_fees = ledger.payment_fees.safe_add(charges.payment_fee)?;
    ledger.refunds = ledger.refunds.safe_add(split.refund)?;
    ledger.tips = ledger.tips.safe_add(charges.tip)?;
    ledger.escrow_open = ledger.escrow_open.safe_sub(charges.total()?)?;
    reservation.bookings_open = reservation.bookings_open.saturating_sub(1);
    totals.treasury = totals
        .treasury
        .safe_add(split.network_fee)?
        .safe_add(reservation_fee)?
        .safe_add(charges.payment_fee)?;
    totals.tips = totals.tips.safe_add(charges.tip)?;

    emit!(BookingSettled {
        reservation: reservation_key,
        booking: booking.key(),
        device: booking.device,
        settler: accounts.settler.key(),
        outcome: reported,
        delivered_secs: end.delivered_secs,
        booked_secs,
        owner_pay: split.owner_pay,
        staker_share: split.staker_share,
        network_fee: split.network_fee,
        reservation_fee,
        payment_fee: charges.payment_fee,
        refund: split.refund,
        tip: charges.tip,
        slash_basis,
        slash_io_price,
        slashed,
    });
    booking.close(accounts.renter.to_account_info())
}

/// The booking's staking pool, if it still is one, with its vault's address checked.
fn read_pool(
    pool_info: &AccountInfo,
    stake_vault: &AccountInfo,
    booking: &Booking,
) -> Result<Option<StakePool>> {
    require_keys_eq!(
        pool_info.key(),
        booking.stake_pool,
        MarketError::StakePoolMismatch
    );
    if pool_info.owner != &staking::ID {
        return Ok(None);
    }
    let pool = StakePool::try_deserialize(&mut &pool_info.try_borrow_data()?[..])?;
    let vault = Pubkey::create_program_address(
        &[STAKE_VAULT_SEED, pool_info.key.as_ref(), &[pool.vault_bump]],
        &staking::ID,
    )
    .map_err(|_| error!(MarketError::StakePoolMismatch))?;
    require_keys_eq!(stake_vault.key(), vault, MarketError::StakePoolMismatch);
    Ok(Some(pool))
}

/// Slashes a failed or abandoning device's pool to the treasury, sized to the fault
/// (`math::fault_slash` of the booking's undelivered value in IO, `undelivered_io`): at most what
/// staking's rate limit still allows in the pool's current window (`max_slash_bps` of its stake
/// per window) and the pool's stake; nothing without a basis (no usable price) or if the market is
/// not one of staking's slashers. Whatever it cannot size it skips, so it never stops the
/// settlement. Returns the IO base units slashed.
#[allow(clippy::too_many_arguments)]
fn slash<'info>(
    accounts: &SettleBookings<'info>,
    pool: &StakePool,
    pool_info: &AccountInfo<'info>,
    stake_vault: &AccountInfo<'info>,
    undelivered_io: Option<u64>,
    reason: SlashReason,
    evidence: Pubkey,
    now: i64,
) -> Result<u64> {
    if !accounts
        .staking_config
        .is_slash_authority(&accounts.slasher.key())
    {
        return Ok(0);
    }
    let params = accounts.staking_config.slashing;
    let Some(total_stake) = pool.total_stake() else {
        return Ok(0);
    };
    let Ok(window) = SlashWindow::at(
        SlashWindow {
            start: pool.slash_window_start,
            cap: pool.slash_window_cap,
            slashed: pool.slashed_in_window,
        },
        now,
        params.window_secs,
        params.max_slash_bps,
        total_stake,
    ) else {
        return Ok(0);
    };
    let amount = fault_slash(undelivered_io, window.remaining(), total_stake);
    if amount == 0 {
        return Ok(0);
    }
    staking::cpi::slash(
        CpiContext::new_with_signer(
            accounts.staking_program.to_account_info(),
            staking::cpi::accounts::Slash {
                slasher: accounts.slasher.to_account_info(),
                config: accounts.staking_config.to_account_info(),
                pool: pool_info.clone(),
                vault: stake_vault.clone(),
                destination: accounts.io_treasury.to_account_info(),
                token_program: accounts.token_program.to_account_info(),
            },
            &[&[SLASHER_SEED, &[accounts.config.slasher_bump]]],
        ),
        staking::SlashArgs {
            amount,
            reason,
            evidence,
        },
    )?;
    Ok(amount)
}
