use {
    super::DeviceHistory,
    crate::{errors::RegistryError, math::SafeMath, probe::ProbeMessage},
    anchor_lang::prelude::*,
};

/// Most failure reports counted per device and epoch: the largest quorum governance may set.
pub const MAX_FAILURE_QUORUM: usize = 5;
/// Most passes a device may need in an epoch: the largest `passes_required` governance may set.
pub const MAX_PASSES_REQUIRED: usize = 4;
/// Largest expected committee (keepers assigned per device and epoch) governance may set.
pub const MAX_COMMITTEE_SIZE: u8 = 16;
/// Epochs a device or keeper may have earned in but not yet settled. Settling needs the epoch
/// closed (after iotoken's `end_epoch`), so in steady state at most the previous and the current
/// epoch are unsettled; the rest is slack for cranks running late.
pub const MAX_UNSETTLED_EPOCHS: usize = 4;
/// "No epoch yet" in epoch fields (epoch 0 is a real epoch).
pub const NO_EPOCH: u64 = u64::MAX;

/// Probe, assignment and failure rules, set by the config authority (governance). See the
/// README's "Who may attest, who may fail a device".
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvailabilityParams {
    /// Distinct assigned keepers whose failure reports, in an epoch the device gets no pass,
    /// make that epoch a failure on its record.
    pub failure_quorum: u8,
    /// How many slots old the slot a probe is bound to may be when the attestation lands.
    pub max_probe_age_slots: u64,
    /// Keepers assigned to each device per epoch, in expectation: each bonded keeper is drawn
    /// for a device with probability `min(1, committee_size x its bond / all bonds)`.
    pub committee_size: u8,
    /// Passes by distinct assigned keepers a device needs in an epoch to earn its weight (fewer
    /// when fewer keepers are bonded: `min(passes_required, bonded keepers)`).
    pub passes_required: u8,
    /// Seconds into an epoch before failure reports count: the window in which the device gets
    /// its chance to pass.
    pub report_after_secs: u32,
    /// Share of its bond (basis points) a keeper forfeits for each failure report that a later
    /// pass of the device in the same epoch contradicts.
    pub false_report_penalty_bps: u16,
}

/// One closed-or-not epoch in which a device (weight) or a keeper (passes attested) earned.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct UnsettledEpoch {
    pub epoch: u64,
    /// Device: attested weight; keeper: qualified passes. 0 marks a free slot.
    pub weight: u64,
}

/// Which share of a closed epoch an earner's weight draws on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochShare {
    /// The availability pool, over the epoch's total attested weight.
    Devices,
    /// The keepers pool, over the epoch's qualified passes.
    Keepers,
}

/// Epochs earned in and not yet settled (in no particular slot order). Settling an
/// epoch moves `pot x weight / total` (rounded down, so an epoch never pays out more than it drew)
/// into the earner's accrued amount and frees the slot, so each epoch is paid exactly once.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct Earnings {
    pub unsettled: [UnsettledEpoch; MAX_UNSETTLED_EPOCHS],
    /// IO base units settled and not yet claimed.
    pub accrued: u64,
    /// IO base units claimed, ever.
    pub claimed: u64,
}

impl Earnings {
    /// Adds `weight` earned in `epoch` (merging with that epoch's entry, if any).
    pub fn add(&mut self, epoch: u64, weight: u64) -> Result<()> {
        if weight == 0 {
            return Ok(());
        }
        if let Some(entry) = self
            .unsettled
            .iter_mut()
            .find(|entry| entry.weight > 0 && entry.epoch == epoch)
        {
            entry.weight = entry.weight.safe_add(weight)?;
            return Ok(());
        }
        let free = self
            .unsettled
            .iter_mut()
            .find(|entry| entry.weight == 0)
            .ok_or(RegistryError::TooManyUnsettledEpochs)?;
        *free = UnsettledEpoch { epoch, weight };
        Ok(())
    }

    /// Settles every unsettled epoch whose closed record is among `closed` into `accrued`;
    /// returns how many epochs it settled.
    pub fn settle(&mut self, closed: &[AvailabilityEpoch], share: EpochShare) -> Result<u32> {
        let mut settled = 0u32;
        for entry in self.unsettled.iter_mut().filter(|entry| entry.weight > 0) {
            let Some(record) = closed.iter().find(|record| record.epoch == entry.epoch) else {
                continue;
            };
            let (pot, total) = record.share(share);
            self.accrued = self.accrued.safe_add(pro_rata(pot, entry.weight, total)?)?;
            settled += 1;
            *entry = UnsettledEpoch::default();
        }
        Ok(settled)
    }

    /// Whether anything earned is still unsettled or unclaimed.
    pub fn is_owed(&self) -> bool {
        self.accrued > 0 || self.unsettled.iter().any(|entry| entry.weight > 0)
    }

    /// A claim: settles what `closed` allows, then empties `accrued` into `claimed`; returns the
    /// amount to pay and the epochs settled. An epoch that paid nothing (emissions over, or a
    /// share rounding down to zero) still settles, or it would stay owed forever and block
    /// leaving; a claim that settles no epoch and pays nothing is `NothingToClaim`.
    pub fn claim(&mut self, closed: &[AvailabilityEpoch], share: EpochShare) -> Result<(u64, u32)> {
        let epochs_settled = self.settle(closed, share)?;
        let amount = self.accrued;
        require!(
            amount > 0 || epochs_settled > 0,
            RegistryError::NothingToClaim
        );
        self.claimed = self.claimed.safe_add(amount)?;
        self.accrued = 0;
        Ok((amount, epochs_settled))
    }
}

/// `pot x weight / total`, rounded down; 0 when nothing was earned.
pub fn pro_rata(pot: u64, weight: u64, total: u64) -> Result<u64> {
    if total == 0 {
        return Ok(0);
    }
    require!(weight <= total, RegistryError::WeightExceedsTotal);
    crate::math::mul_div_floor(pot, weight, total)
}

/// A device's availability record: rewards earned, probe results and the counters its reputation
/// derives from.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceAvailability {
    pub earnings: Earnings,
    /// Epochs with a pass, ever.
    pub passes: u32,
    /// Epochs a quorum of keepers found the device down (with no pass), ever.
    pub failures: u32,
    /// Consecutive epochs with a pass, up to the last one; a missed epoch or a failure resets it.
    pub uptime_streak: u32,
    pub longest_uptime_streak: u32,
    /// Reservations the device completed (counted by the market).
    pub reservations_completed: u32,
    /// `reputation_bps(...)` of the counters above, kept current.
    pub reputation_bps: u16,
    /// Last epoch the device was attested in (`passes_required` passes), or `NO_EPOCH`.
    pub last_pass_epoch: u64,
    /// Slot the last pass's probe was bound to.
    pub last_probe_slot: u64,
    /// The agent's benchmark result hash in the last pass.
    pub last_benchmark_hash: [u8; 32],
    /// The keeper (account) that attested the last pass.
    pub last_attested_by: Pubkey,
    /// Epoch whose passes `passers` holds, or `NO_EPOCH`.
    pub pass_epoch: u64,
    pub pass_count: u8,
    /// Assigned keepers (accounts) that passed the device in `pass_epoch`, first `pass_count`.
    pub passers: [Pubkey; MAX_PASSES_REQUIRED],
    /// Epoch whose failure reports `failure_reporters` holds, or `NO_EPOCH`.
    pub report_epoch: u64,
    pub report_count: u8,
    /// Keepers (accounts) that reported the device down in `report_epoch`, first `report_count`.
    pub failure_reporters: [Pubkey; MAX_FAILURE_QUORUM],
    /// Unix time of the first report counted in `report_epoch`: when the device was found down.
    pub first_report_at: i64,
    /// The reports of `report_epoch` reached the quorum. Provisional while that epoch runs (a
    /// later pass in it overrides them); once it has ended, a failure (see `settle_failure`).
    pub quorum_reached: bool,
    /// Last epoch that became a failure, or `NO_EPOCH`.
    pub last_failure_epoch: u64,
    /// When the first failure since the device was locked to its current reservation began
    /// (`first_report_at` of that failure); 0 if none. What a market pays up to and slashes for.
    pub lock_failure_at: i64,
}

impl Default for DeviceAvailability {
    fn default() -> Self {
        Self {
            earnings: Earnings::default(),
            passes: 0,
            failures: 0,
            uptime_streak: 0,
            longest_uptime_streak: 0,
            reservations_completed: 0,
            reputation_bps: 0,
            last_pass_epoch: NO_EPOCH,
            last_probe_slot: 0,
            last_benchmark_hash: [0; 32],
            last_attested_by: Pubkey::default(),
            pass_epoch: NO_EPOCH,
            pass_count: 0,
            passers: [Pubkey::default(); MAX_PASSES_REQUIRED],
            report_epoch: NO_EPOCH,
            report_count: 0,
            failure_reporters: [Pubkey::default(); MAX_FAILURE_QUORUM],
            first_report_at: 0,
            quorum_reached: false,
            last_failure_epoch: NO_EPOCH,
            lock_failure_at: 0,
        }
    }
}

/// What a device's record says about failures since it was locked to its reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockFailure {
    None,
    /// A failure, found at this unix time (its first report).
    Final(i64),
    /// A quorum reached in the running epoch, its first report at this unix time: a pass before
    /// the epoch ends may still override it.
    Pending(i64),
}

impl DeviceAvailability {
    /// Whether the device had any assigned pass in `epoch` (failure reports are then refused).
    pub fn passed_in(&self, epoch: u64) -> bool {
        self.pass_epoch == epoch && self.pass_count > 0
    }

    /// The assigned keepers that passed the device in `epoch`.
    pub fn passers_in(&self, epoch: u64) -> &[Pubkey] {
        if self.pass_epoch == epoch {
            &self.passers[..usize::from(self.pass_count)]
        } else {
            &[]
        }
    }

    /// Failure reports counted in `epoch` (only the running epoch's are kept).
    pub fn reporters_in(&self, epoch: u64) -> &[Pubkey] {
        if self.report_epoch == epoch {
            &self.failure_reporters[..usize::from(self.report_count)]
        } else {
            &[]
        }
    }

    /// A quorum reached in `epoch` that is still provisional (the epoch is running).
    pub fn failing_in(&self, epoch: u64) -> bool {
        self.quorum_reached && self.report_epoch == epoch
    }

    /// Turns a quorum of an epoch that has ended (before `epoch`) into a failure on the record:
    /// no pass overrode it in time. Every instruction that reads or changes the device's
    /// failures calls this first, so a quorum is counted exactly once, whenever it is next
    /// touched. Returns the epoch that became a failure, if any.
    pub fn settle_failure(&mut self, epoch: u64, locked: bool) -> Option<u64> {
        if !self.quorum_reached || self.report_epoch >= epoch {
            return None;
        }
        let failed = self.report_epoch;
        self.quorum_reached = false;
        self.failures = self.failures.saturating_add(1);
        self.uptime_streak = 0;
        self.last_failure_epoch = failed;
        if locked && self.lock_failure_at == 0 {
            self.lock_failure_at = self.first_report_at;
        }
        self.update_reputation();
        Some(failed)
    }

    /// Failures since the device was locked, as of `epoch` (the running one); `settle_failure`
    /// need not have run.
    pub fn lock_failure(&self, epoch: u64) -> LockFailure {
        if self.lock_failure_at != 0 {
            LockFailure::Final(self.lock_failure_at)
        } else if !self.quorum_reached {
            LockFailure::None
        } else if self.report_epoch < epoch {
            LockFailure::Final(self.first_report_at)
        } else {
            LockFailure::Pending(self.first_report_at)
        }
    }

    /// A device registered again under an id that was deregistered resumes its counters.
    pub fn restore(&mut self, past: &DeviceHistory) {
        self.passes = past.passes;
        self.failures = past.failures;
        self.reservations_completed = past.reservations_completed;
        self.longest_uptime_streak = past.longest_uptime_streak;
        self.last_failure_epoch = past.last_failure_epoch;
        self.update_reputation();
    }

    /// The device is locked to a new reservation: failures are counted against it from now on.
    pub fn start_lock(&mut self) {
        self.lock_failure_at = 0;
    }

    /// Records `keeper`'s assigned pass in `epoch`; returns the pass's number in the epoch
    /// (1 for the first). The caller has checked that `keeper` has not passed the device in
    /// `epoch` and that the epoch still needs passes.
    pub fn add_pass(&mut self, epoch: u64, keeper: Pubkey) -> u8 {
        if self.pass_epoch != epoch {
            self.pass_epoch = epoch;
            self.pass_count = 0;
            self.passers = [Pubkey::default(); MAX_PASSES_REQUIRED];
        }
        self.passers[usize::from(self.pass_count)] = keeper;
        self.pass_count += 1;
        self.pass_count
    }

    /// The first pass of `epoch` contradicts its failure reports: they are dropped (and a
    /// provisional quorum with them). Returns the keepers that had reported.
    pub fn override_reports(&mut self, epoch: u64) -> Vec<Pubkey> {
        let reporters = self.reporters_in(epoch).to_vec();
        if !reporters.is_empty() {
            self.report_count = 0;
            self.failure_reporters = [Pubkey::default(); MAX_FAILURE_QUORUM];
            self.quorum_reached = false;
        }
        reporters
    }

    /// Counts `keeper`'s failure report at `now` in `epoch` (the caller checked it is new);
    /// returns the reports counted in the epoch, and whether they now reach `quorum`.
    pub fn add_report(&mut self, epoch: u64, keeper: Pubkey, now: i64, quorum: u8) -> (u8, bool) {
        if self.report_epoch != epoch {
            self.report_epoch = epoch;
            self.report_count = 0;
            self.failure_reporters = [Pubkey::default(); MAX_FAILURE_QUORUM];
            self.first_report_at = now;
            self.quorum_reached = false;
        }
        self.failure_reporters[usize::from(self.report_count)] = keeper;
        self.report_count += 1;
        let reached = !self.quorum_reached && self.report_count >= quorum;
        if reached {
            self.quorum_reached = true;
        }
        (self.report_count, reached)
    }

    /// Records that the device was attested in `epoch` (its passes reached what the epoch
    /// requires), the last of them `probe`, by `keeper`: counters, streaks, reputation.
    pub fn record_pass(&mut self, epoch: u64, probe: &ProbeMessage, keeper: Pubkey) {
        let consecutive =
            self.last_pass_epoch != NO_EPOCH && self.last_pass_epoch.checked_add(1) == Some(epoch);
        self.uptime_streak = if consecutive {
            self.uptime_streak.saturating_add(1)
        } else {
            1
        };
        self.longest_uptime_streak = self.longest_uptime_streak.max(self.uptime_streak);
        self.passes = self.passes.saturating_add(1);
        self.last_pass_epoch = epoch;
        self.last_probe_slot = probe.slot;
        self.last_benchmark_hash = probe.benchmark_hash;
        self.last_attested_by = keeper;
        self.update_reputation();
    }

    /// Records how a reservation ended for the device: a completed one raises its reputation, an
    /// abandoned one (the agent never acknowledged the start) counts as a failure. A failed one was
    /// already counted by the keepers' quorum; a cancelled one says nothing about the device, nor
    /// does a completion the market does not credit (unpaid, or booked by the device's own owner
    /// or agent).
    pub fn record_reservation(&mut self, outcome: ReservationOutcome) {
        match outcome {
            ReservationOutcome::Completed => {
                self.reservations_completed = self.reservations_completed.saturating_add(1);
            }
            ReservationOutcome::NoShow => {
                self.failures = self.failures.saturating_add(1);
                self.uptime_streak = 0;
            }
            ReservationOutcome::Failed
            | ReservationOutcome::Cancelled
            | ReservationOutcome::CompletedUncredited => return,
        }
        self.update_reputation();
    }

    fn update_reputation(&mut self) {
        self.reputation_bps =
            reputation_bps(self.passes, self.failures, self.reservations_completed);
    }
}

/// How a reservation ended for one device, as the market reports it when releasing the device.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReservationOutcome {
    /// The device ran until the reservation's end.
    Completed,
    /// The renter cancelled.
    Cancelled,
    /// A keeper quorum found the device down during the reservation.
    Failed,
    /// The agent did not acknowledge the start within the grace period.
    NoShow,
    /// The device ran until the reservation's end, but the booking paid too little for its time,
    /// or its renter was the device's own owner or agent: recorded, without raising reputation.
    CompletedUncredited,
}

/// Reputation in basis points:
/// `10_000 x (passes + 2 x completed) / (passes + 2 x completed + 8 x failures + 24)`.
/// A new device starts at 0 and needs a day of passes to reach 50%, nine days for 90%; one failure
/// weighs as much as eight passes and a completed reservation as two.
pub fn reputation_bps(passes: u32, failures: u32, reservations_completed: u32) -> u16 {
    let good = passes as u64 + 2 * reservations_completed as u64;
    let total = good + 8 * failures as u64 + 24;
    (good * 10_000 / total) as u16
}

/// A keeper's probing record and the tips it earned.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct KeeperActivity {
    /// Tips: this keeper's qualified passes per epoch, over the keepers pool.
    pub earnings: Earnings,
    pub passes_attested: u64,
    pub failures_reported: u64,
}

/// `["availability", epoch]`: what an epoch's attestations add up to, created by its first pass
/// and closed (pools drawn from iotoken) once the epoch has ended and iotoken closed it.
#[account]
#[derive(InitSpace, Debug)]
pub struct AvailabilityEpoch {
    pub epoch: u64,
    /// The slot the record opened in.
    pub opened_slot: u64,
    /// The slot whose hash seeds the epoch's keeper assignment: chosen a few slots after the
    /// record opened, so nobody knew the hash when keepers' bonds and devices were fixed.
    pub seed_slot: u64,
    /// sha256 of that slot's hash (all zero until `seed_fixed`).
    pub seed: [u8; 32],
    pub seed_fixed: bool,
    /// Bonds of the active keepers when the record opened (the assignment's denominator).
    pub keeper_bond_total: u64,
    /// Active keepers when the record opened.
    pub keeper_count: u32,
    /// The rules in force when the record opened: expected keepers per device, and the passes a
    /// device needs (`min(passes_required, keeper_count)`, at least 1).
    pub committee_size: u8,
    pub passes_required: u8,
    /// Sum of the weights (class multiplier in hundredths x GPU count) of qualified passes.
    pub total_weight: u64,
    /// Passes of devices meeting their minimum stake; each earns its keeper a share of tips.
    pub qualified_passes: u32,
    /// Passes of devices below their minimum stake (uptime only, no reward).
    pub unqualified_passes: u32,
    /// Devices attested this epoch (that reached `passes_required`), qualified or not.
    pub devices_attested: u32,
    pub closed: bool,
    /// IO base units drawn from iotoken's availability pool at closing, shared by weight.
    pub device_rewards: u64,
    /// IO base units drawn from iotoken's keepers pool at closing, shared by qualified passes.
    pub keeper_rewards: u64,
    pub closed_at: i64,
    pub bump: u8,
}

impl AvailabilityEpoch {
    pub fn share(&self, share: EpochShare) -> (u64, u64) {
        match share {
            EpochShare::Devices => (self.device_rewards, self.total_weight),
            EpochShare::Keepers => (self.keeper_rewards, self.qualified_passes as u64),
        }
    }
}
