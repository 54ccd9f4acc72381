use {
    crate::{
        errors::StakingError,
        events::LockExtended,
        math::{SafeMath, MAX_LOCK_SECS, MIN_LOCK_SECS},
        ChangePosition,
    },
    anchor_lang::prelude::*,
};

/// Locks the position for `duration_secs` from now (14 days to 4 years). A lock can only be
/// extended; while it lasts nothing can be unstaked, and its remaining time raises voting weight.
pub fn handler(ctx: Context<ChangePosition>, duration_secs: i64) -> Result<()> {
    require!(duration_secs >= MIN_LOCK_SECS, StakingError::LockTooShort);
    require!(duration_secs <= MAX_LOCK_SECS, StakingError::LockTooLong);
    let now = Clock::get()?.unix_timestamp;
    let position = &mut ctx.accounts.position;
    let ends_at = now.safe_add(duration_secs)?;
    require!(
        ends_at > position.lock_ends_at,
        StakingError::LockCannotShorten
    );
    let before = position.lock_ends_at;
    position.lock_ends_at = ends_at;
    position.weight_changed_at = now;
    emit!(LockExtended {
        position: position.key(),
        lock_ends_at_before: before,
        lock_ends_at_after: ends_at,
    });
    Ok(())
}
