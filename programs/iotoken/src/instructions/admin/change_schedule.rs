use {
    crate::{errors::IotokenError, state::*},
    anchor_lang::prelude::*,
};

/// The config authority editing the emission schedule (`append_schedule_rows`,
/// `lower_schedule_row`).
#[derive(Accounts)]
pub struct ChangeSchedule<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ IotokenError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [SCHEDULE_SEED], bump = schedule.bump)]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
}
