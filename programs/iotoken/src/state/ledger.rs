use {
    crate::math::{price::BreakerState, SafeMath},
    anchor_lang::prelude::*,
};

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
    /// Burned IO of closed epochs awaiting re-emission.
    pub net_backlog: u64,
    /// The latest epoch whose burns are in `burned_in_burn_epoch`: they join the backlog once
    /// this epoch is closed, so no epoch re-emits its own burns (or later ones).
    pub burn_epoch: u64,
    pub burned_in_burn_epoch: u64,
    /// IO base units burned by `mint_iosd`, ever.
    pub total_io_burned: u64,
    /// IOSD base units minted by `mint_iosd`, ever.
    pub total_iosd_minted: u64,
    /// The circuit breaker's count: IOSD base units counted as of `breaker_updated_at`, draining
    /// continuously (see `math::price::breaker_after_mint`).
    pub breaker_updated_at: i64,
    pub breaker_used: u64,
    pub last_buyback_at: i64,
    /// IO base units burned by `buyback_burn`, ever.
    pub total_buyback_burned: u64,
    pub bump: u8,
}

impl EmissionLedger {
    /// Moves the waiting burns into the backlog if their epoch is before `epoch` (`end_epoch`
    /// passes the epoch it closes).
    pub fn roll_burns(&mut self, epoch: u64) {
        if self.burn_epoch < epoch {
            self.net_backlog = self.net_backlog.saturating_add(self.burned_in_burn_epoch);
            self.burned_in_burn_epoch = 0;
            self.burn_epoch = epoch;
        }
    }

    /// Records `amount` IO burned during `epoch` (the wall-clock epoch, never before
    /// `next_epoch`). Waiting burns of closed epochs join the backlog first; burns of an epoch
    /// still open wait with this one until `epoch` is closed. A burn is so re-emitted only by an
    /// epoch after its own, however far `end_epoch` lags (a lagging crank only delays it).
    pub fn record_burn(&mut self, epoch: u64, amount: u64) -> Result<()> {
        self.roll_burns(self.next_epoch);
        self.burn_epoch = self.burn_epoch.max(epoch);
        self.burned_in_burn_epoch = self.burned_in_burn_epoch.safe_add(amount)?;
        Ok(())
    }

    pub fn breaker(&self) -> BreakerState {
        BreakerState {
            used: self.breaker_used,
            updated_at: self.breaker_updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(next_epoch: u64) -> EmissionLedger {
        EmissionLedger {
            next_epoch,
            first_epoch: 0,
            cumulative_scheduled: 0,
            cumulative_net: 0,
            net_backlog: 0,
            burn_epoch: 0,
            burned_in_burn_epoch: 0,
            total_io_burned: 0,
            total_iosd_minted: 0,
            breaker_updated_at: 0,
            breaker_used: 0,
            last_buyback_at: 0,
            total_buyback_burned: 0,
            bump: 0,
        }
    }

    #[test]
    fn burns_wait_until_their_epoch_is_closed() {
        // The crank is prompt: epoch 5 running, epochs before it closed.
        let mut prompt = ledger(5);
        prompt.record_burn(5, 10).unwrap();
        prompt.roll_burns(5);
        assert_eq!((prompt.net_backlog, prompt.burned_in_burn_epoch), (0, 10));
        prompt.next_epoch = 6;
        prompt.record_burn(6, 1).unwrap();
        assert_eq!((prompt.net_backlog, prompt.burn_epoch), (10, 6));

        // The crank lags: epoch 5 is still open while burns happen in epochs 5 and 7.
        let mut lagging = ledger(5);
        lagging.record_burn(5, 10).unwrap();
        lagging.record_burn(7, 3).unwrap();
        assert_eq!(lagging.net_backlog, 0, "epoch 5 is not closed");
        assert_eq!((lagging.burn_epoch, lagging.burned_in_burn_epoch), (7, 13));
        // Closing 5, 6 and 7 re-emits none of it; closing 8 takes it all.
        for epoch in 5..=7 {
            lagging.roll_burns(epoch);
            assert_eq!(lagging.net_backlog, 0, "epoch {epoch}");
        }
        lagging.roll_burns(8);
        assert_eq!((lagging.net_backlog, lagging.burned_in_burn_epoch), (13, 0));
        assert!(ledger(0).record_burn(0, u64::MAX).is_ok());
    }
}
