use anchor_lang::prelude::*;

/// Emission progress and the running totals of burn-mint. Written by `end_epoch`, `mint_iosd`
/// and `buyback_burn`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EmissionLedger {
    /// The first epoch not yet closed; `end_epoch` closes epochs strictly in order.
    pub next_epoch: u64,
    /// The epoch running when the schedule was sealed; earlier epochs are never minted.
    pub first_epoch: u64,
    /// IO base units minted by the schedule so far (never above `EMISSION_BUDGET`).
    pub cumulative_scheduled: u64,
    /// IO base units re-emitted from burns so far.
    pub cumulative_net: u64,
    /// Burned IO of earlier epochs awaiting re-emission.
    pub net_backlog: u64,
    /// The epoch whose burns are in `burned_in_burn_epoch` (they join the backlog once an
    /// epoch after it is closed or burns in).
    pub burn_epoch: u64,
    pub burned_in_burn_epoch: u64,
    /// IO base units burned by `mint_iosd`, ever.
    pub total_io_burned: u64,
    /// IOSD base units minted by `mint_iosd`, ever.
    pub total_iosd_minted: u64,
    pub breaker_window_start: i64,
    /// IOSD base units minted in the breaker window starting at `breaker_window_start`.
    pub breaker_minted: u64,
    pub last_buyback_at: i64,
    /// IO base units burned by `buyback_burn`, ever.
    pub total_buyback_burned: u64,
    pub bump: u8,
}

impl EmissionLedger {
    /// Moves the burns of epochs before `epoch` into the backlog.
    pub fn roll_burns(&mut self, epoch: u64) {
        if self.burn_epoch < epoch {
            self.net_backlog = self.net_backlog.saturating_add(self.burned_in_burn_epoch);
            self.burned_in_burn_epoch = 0;
            self.burn_epoch = epoch;
        }
    }
}
