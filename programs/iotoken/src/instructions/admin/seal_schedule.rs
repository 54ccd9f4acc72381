use {
    crate::{
        errors::IotokenError,
        events::ScheduleSealed,
        math::emission::{epoch_at, schedule_total},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Seals the schedule after checking it ends within the emission budget, and starts emission:
/// the epoch running now is the first `end_epoch` will close (earlier epochs are never minted).
#[derive(Accounts)]
pub struct SealSchedule<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ IotokenError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(
        mut,
        seeds = [SCHEDULE_SEED],
        bump = schedule.bump,
        constraint = !schedule.sealed @ IotokenError::ScheduleSealed,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump)]
    pub ledger: Box<Account<'info, EmissionLedger>>,
}

pub fn handler(ctx: Context<SealSchedule>) -> Result<()> {
    let schedule = &mut ctx.accounts.schedule;
    let total_emission = schedule_total(&schedule.rows)?;
    schedule.sealed = true;
    schedule.total_emission = total_emission;

    let first_epoch = epoch_at(schedule.origin(), Clock::get()?.unix_timestamp);
    let ledger = &mut ctx.accounts.ledger;
    ledger.first_epoch = first_epoch;
    ledger.next_epoch = first_epoch;
    ledger.burn_epoch = first_epoch;
    emit!(ScheduleSealed {
        row_count: schedule.rows.len() as u32,
        total_emission,
        first_epoch,
    });
    Ok(())
}
