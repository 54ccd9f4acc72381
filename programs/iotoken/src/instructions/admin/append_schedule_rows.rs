use {
    crate::{
        errors::IotokenError,
        events::ScheduleRowsAppended,
        math::emission::check_rows,
        state::{EmissionRow, MAX_SCHEDULE_ROWS},
        ChangeSchedule,
    },
    anchor_lang::prelude::*,
};

/// Appends rows to an unsealed schedule (a full preset takes several transactions).
pub fn handler(ctx: Context<ChangeSchedule>, rows: Vec<EmissionRow>) -> Result<()> {
    let schedule = &mut ctx.accounts.schedule;
    require!(!schedule.sealed, IotokenError::ScheduleSealed);
    require!(!rows.is_empty(), IotokenError::ScheduleEmpty);
    require!(
        schedule.rows.len() + rows.len() <= MAX_SCHEDULE_ROWS,
        IotokenError::ScheduleFull
    );
    let first_index = schedule.rows.len() as u32;
    schedule.rows.extend_from_slice(&rows);
    check_rows(&schedule.rows)?;
    emit!(ScheduleRowsAppended { first_index, rows });
    Ok(())
}
