use {
    anchor_lang::prelude::*,
    iotoken::state::{
        BreakerParams, BuybackParams, EmissionParams, FeeParams, OracleParams, MAX_PRICE_UPDATERS,
    },
};

/// GPU classes the table holds.
pub const MAX_GPU_CLASSES: usize = 16;
/// Longest pattern of a GPU class, in bytes.
pub const MAX_GPU_CLASS_PATTERN_LEN: usize = 24;
/// Programs allowed to slash (registry and market, with room for one successor each).
pub const MAX_SLASHERS: usize = 4;
pub const MAX_PROPOSAL_TITLE_LEN: usize = 64;
/// Seconds a passed critical change (`ParameterChange::is_critical`) waits beyond the proposal's
/// timelock: 5 days, so even with a zero timelock stakers have time to exit (L13).
pub const CRITICAL_EXTRA_TIMELOCK_SECS: i64 = 5 * 86_400;

/// A GPU model family and its weight. A device's class is the first row whose `pattern` occurs,
/// ignoring ASCII case, in the device's GPU model ("H100" matches "NVIDIA H100 80GB HBM3"), so
/// more specific patterns go first. Models matching no row weigh 1.00.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, PartialEq, Eq)]
pub struct GpuClass {
    #[max_len(MAX_GPU_CLASS_PATTERN_LEN)]
    pub pattern: String,
    /// Hundredths: 400 = 4.00x.
    pub multiplier_centi: u16,
}

/// Staking rules.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StakeParams {
    /// IO base units per unit of weight a device must have staked to earn availability rewards
    /// (default 200 IO): minimum = base x max(1, class multiplier) x GPU count.
    pub min_stake_base: u64,
    /// Between an unstake and the withdrawal of that stake (default 14 days).
    pub unstake_cooldown_secs: i64,
}

/// How much slashing a pool can suffer: at most `max_slash_bps` of the pool's stake (as it stood
/// at the window's first slash) per `window_secs`.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlashParams {
    pub max_slash_bps: u16,
    pub window_secs: i64,
}

/// Governance rules; each proposal keeps the values in force when it was created.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GovernanceParams {
    pub voting_period_secs: i64,
    /// Between the end of a successful vote and the earliest execution.
    pub timelock_secs: i64,
    /// After the timelock, how long a passed proposal stays executable.
    pub execution_window_secs: i64,
    /// Weight (IO base units x lock multiplier) that must vote, yes, no and abstain together.
    pub quorum_weight: u64,
    /// A proposal passes when yes x 10_000 > threshold x (yes + no).
    pub pass_threshold_bps: u16,
    /// Active stake (IO base units) of the position a proposer presents.
    pub proposal_min_stake: u64,
}

/// A program allowed to slash, and its `["slasher"]` PDA (derived once, when the set is changed).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slasher {
    pub program: Pubkey,
    pub authority: Pubkey,
}

#[account]
#[derive(InitSpace, Debug)]
pub struct StakingConfig {
    /// May change this config directly; the governance PDA once the migration hands it over.
    pub authority: Pubkey,
    /// The IO mint (iotoken's `["io_mint"]`); every vault holds it.
    pub io_mint: Pubkey,
    pub stake: StakeParams,
    pub slashing: SlashParams,
    pub governance: GovernanceParams,
    #[max_len(MAX_GPU_CLASSES)]
    pub gpu_classes: Vec<GpuClass>,
    #[max_len(MAX_SLASHERS)]
    pub slashers: Vec<Slasher>,
    /// Proposals created so far; the next proposal's id.
    pub proposal_count: u64,
    pub bump: u8,
    pub governance_bump: u8,
    /// Kept for parameters added before a layout migration is worth it.
    pub _reserved: [u8; 128],
}

impl StakingConfig {
    pub fn is_slash_authority(&self, key: &Pubkey) -> bool {
        self.slashers
            .iter()
            .any(|slasher| slasher.authority == *key)
    }
}

/// A typed change of protocol parameters: what a proposal carries and, for this program's own
/// parameters, what the config authority applies directly. Each is validated against the same
/// bounds when a proposal is created and again when it is applied.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, PartialEq, Eq)]
pub enum ParameterChange {
    /// iotoken: every fee, including the bounds of the stakers' share.
    Fees { fees: FeeParams },
    /// iotoken: the price updater set.
    OracleUpdaters {
        #[max_len(MAX_PRICE_UPDATERS)]
        updaters: Vec<Pubkey>,
    },
    /// iotoken: lower one emission row that has not started.
    LowerEmissionRow { index: u32, emission_per_epoch: u64 },
    /// registry: the keeper bond and its unbond cooldown.
    KeeperBond {
        amount: u64,
        unbond_cooldown_secs: i64,
    },
    /// staking: the GPU class table.
    GpuClasses {
        #[max_len(MAX_GPU_CLASSES)]
        classes: Vec<GpuClass>,
    },
    /// staking: the minimum stake base.
    MinStakeBase { amount: u64 },
    /// staking: the unstake cooldown.
    UnstakeCooldown { secs: i64 },
    /// staking: the slashing cap.
    Slashing { params: SlashParams },
    /// staking: the programs whose `["slasher"]` PDA may slash.
    Slashers {
        #[max_len(MAX_SLASHERS)]
        programs: Vec<Pubkey>,
    },
    /// staking: the governance rules themselves (for proposals created afterwards).
    Governance { params: GovernanceParams },
    /// iotoken: emission split and crank tip, oracle checks, circuit breaker, buyback rule; each
    /// `Some` group replaces the current one.
    TokenParams {
        emission: Option<EmissionParams>,
        oracle: Option<OracleParams>,
        breaker: Option<BreakerParams>,
        buyback: Option<BuybackParams>,
    },
    /// iotoken: resume a price feed halted by an updater (only the config authority can).
    ResumePriceFeed,
    /// registry: the market program whose lock PDA may lock devices (all-zero disables locking).
    RegistryMarket { program: Pubkey },
    /// registry: its availability rules (`AvailabilityParams`, field for field): the failure
    /// quorum, the oldest slot a probe may be bound to, the expected keepers per device, the
    /// passes a device needs, when reports open in an epoch and what a contradicted report costs.
    RegistryAvailability {
        failure_quorum: u8,
        max_probe_age_slots: u64,
        committee_size: u8,
        passes_required: u8,
        report_after_secs: u32,
        false_report_penalty_bps: u16,
    },
    /// iotoken: the program paying reward pool `pool` out (all-zero stops its draws).
    PoolDistributor { pool: u8, program: Pubkey },
}

/// Which program's config a change is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeTarget {
    Iotoken,
    Registry,
    Staking,
}

impl ParameterChange {
    /// Changes that decide who can take stake or rewards, or how fast governance itself acts:
    /// the slashing cap, the slasher set, a reward pool's distributor, the market that locks
    /// devices, and the governance rules (a zero timelock). They wait
    /// `CRITICAL_EXTRA_TIMELOCK_SECS` beyond the timelock (L13).
    pub fn is_critical(&self) -> bool {
        matches!(
            self,
            Self::Slashing { .. }
                | Self::Slashers { .. }
                | Self::PoolDistributor { .. }
                | Self::RegistryMarket { .. }
                | Self::Governance { .. }
        )
    }

    /// Seconds a passed proposal of this change waits after its vote under `rules`.
    pub fn timelock_secs(&self, rules: &GovernanceParams) -> i64 {
        let extra = if self.is_critical() {
            CRITICAL_EXTRA_TIMELOCK_SECS
        } else {
            0
        };
        rules.timelock_secs.saturating_add(extra)
    }

    pub fn target(&self) -> ChangeTarget {
        match self {
            Self::Fees { .. }
            | Self::OracleUpdaters { .. }
            | Self::LowerEmissionRow { .. }
            | Self::TokenParams { .. }
            | Self::ResumePriceFeed
            | Self::PoolDistributor { .. } => ChangeTarget::Iotoken,
            Self::KeeperBond { .. }
            | Self::RegistryMarket { .. }
            | Self::RegistryAvailability { .. } => ChangeTarget::Registry,
            _ => ChangeTarget::Staking,
        }
    }
}

/// The fault a slashing program proved.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlashReason {
    /// A keeper quorum found the device down during a reservation.
    FailedProbesDuringReservation,
    /// The device's operator abandoned a reservation.
    AbandonedReservation,
}
