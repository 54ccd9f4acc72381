use anchor_lang::prelude::*;

/// Rows a schedule may hold: the decay preset needs 200, the halving preset 37.
pub const MAX_SCHEDULE_ROWS: usize = 256;

/// From `start_time` on (an epoch boundary), each epoch emits `emission_per_epoch` IO base units.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmissionRow {
    pub start_time: i64,
    pub emission_per_epoch: u64,
}

/// The emission schedule: rows appended by the config authority until sealed. Sealing checks the
/// whole schedule ends (last row zero) within the 300M budget; afterwards rows can only be
/// lowered, and only before they start, so no change can ever raise what is minted.
#[account]
#[derive(InitSpace, Debug)]
pub struct EmissionSchedule {
    pub sealed: bool,
    /// What the sealed schedule emits in total, in IO base units (lowered with its rows).
    pub total_emission: u64,
    #[max_len(MAX_SCHEDULE_ROWS)]
    pub rows: Vec<EmissionRow>,
    pub bump: u8,
}

impl EmissionSchedule {
    /// Unix time at which epoch 0 starts (the first row's start).
    pub fn origin(&self) -> i64 {
        self.rows.first().map_or(0, |row| row.start_time)
    }
}
