use {
    crate::{
        errors::IotokenError, events::ScheduleRowLowered, math::emission::schedule_total,
        ChangeSchedule,
    },
    anchor_lang::prelude::*,
};

/// Lowers the rate of a row that has not started. Lowering can only reduce what the schedule
/// mints, and never touches an epoch that has ended (cranked or not).
pub fn handler(ctx: Context<ChangeSchedule>, index: u32, emission_per_epoch: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let schedule = &mut ctx.accounts.schedule;
    let row = schedule
        .rows
        .get_mut(index as usize)
        .ok_or_else(|| error!(IotokenError::ScheduleRowNotFound))?;
    require!(row.start_time > now, IotokenError::ScheduleRowStarted);
    require!(
        emission_per_epoch < row.emission_per_epoch,
        IotokenError::ScheduleRowNotLowered
    );
    let before = row.emission_per_epoch;
    row.emission_per_epoch = emission_per_epoch;
    let start_time = row.start_time;
    if schedule.sealed {
        schedule.total_emission = schedule_total(&schedule.rows)?;
    }
    emit!(ScheduleRowLowered {
        index,
        start_time,
        emission_per_epoch_before: before,
        emission_per_epoch_after: emission_per_epoch,
        total_emission_after: schedule.total_emission,
    });
    Ok(())
}
