//! Bounds of every parameter and of every typed change; each check returns its named error.
//! Proposals are checked here when created, and again when applied.

use {
    crate::{
        errors::StakingError,
        math::{DAY_SECS, IO},
        state::*,
    },
    anchor_lang::prelude::*,
    iotoken::{state::EmissionSchedule, validation as token_bounds},
};

const HOUR_SECS: i64 = 3_600;
/// The registry's bound on the keeper unbond cooldown (`registry::state::MAX_UNBOND_COOLDOWN_SECS`).
pub const MAX_KEEPER_UNBOND_COOLDOWN_SECS: i64 = 365 * DAY_SECS;
/// At least one epoch, as the registry requires (a reporter stays until a pass can contradict it).
pub const MIN_KEEPER_UNBOND_COOLDOWN_SECS: i64 = 3_600;
/// The registry's bounds of its availability rules (`registry::validation::validate_availability`,
/// checked equal by a program test).
pub const MIN_FAILURE_QUORUM: u8 = 2;
pub const MAX_FAILURE_QUORUM: u8 = 5;
pub const MAX_PROBE_AGE_SLOTS: u64 = 512;
/// The registry's other availability bounds (`registry::validation::validate_availability`):
/// committee 1..=16 keepers, 1..=4 passes, reports opening 10 to 55 minutes into an epoch, a
/// contradicted report costing at most 10% of a bond.
pub const MAX_COMMITTEE_SIZE: u8 = 16;
pub const MAX_PASSES_REQUIRED: u8 = 4;
pub const MIN_REPORT_AFTER_SECS: u32 = 600;
pub const MAX_REPORT_AFTER_SECS: u32 = 3_300;
pub const MAX_REPORT_PENALTY_BPS: u16 = 1_000;

pub fn validate_stake_params(params: &StakeParams) -> Result<()> {
    let within = (IO..=100_000 * IO).contains(&params.min_stake_base)
        && (DAY_SECS..=90 * DAY_SECS).contains(&params.unstake_cooldown_secs);
    require!(within, StakingError::InvalidStakeParams);
    Ok(())
}

pub fn validate_slash_params(params: &SlashParams) -> Result<()> {
    let within = (1..=10_000).contains(&params.max_slash_bps)
        && (HOUR_SECS..=30 * DAY_SECS).contains(&params.window_secs);
    require!(within, StakingError::InvalidSlashParams);
    Ok(())
}

pub fn validate_governance_params(params: &GovernanceParams) -> Result<()> {
    let within = (HOUR_SECS..=30 * DAY_SECS).contains(&params.voting_period_secs)
        && (0..=30 * DAY_SECS).contains(&params.timelock_secs)
        && (HOUR_SECS..=30 * DAY_SECS).contains(&params.execution_window_secs)
        && params.quorum_weight > 0
        && (5_000..=9_900).contains(&params.pass_threshold_bps);
    require!(within, StakingError::InvalidGovernanceParams);
    Ok(())
}

pub fn validate_gpu_classes(classes: &[GpuClass]) -> Result<()> {
    require!(
        classes.len() <= MAX_GPU_CLASSES,
        StakingError::InvalidGpuClasses
    );
    for (index, class) in classes.iter().enumerate() {
        let pattern = &class.pattern;
        let valid = !pattern.is_empty()
            && pattern.len() <= MAX_GPU_CLASS_PATTERN_LEN
            && pattern.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && pattern.trim() == pattern
            && (10..=2_000).contains(&class.multiplier_centi)
            && !classes[..index]
                .iter()
                .any(|earlier| earlier.pattern.eq_ignore_ascii_case(pattern));
        require!(valid, StakingError::InvalidGpuClasses);
    }
    Ok(())
}

pub fn validate_slasher_programs(programs: &[Pubkey]) -> Result<()> {
    require!(
        programs.len() <= MAX_SLASHERS,
        StakingError::InvalidSlashers
    );
    for (index, program) in programs.iter().enumerate() {
        require!(
            *program != Pubkey::default() && !programs[..index].contains(program),
            StakingError::InvalidSlashers
        );
    }
    Ok(())
}

pub fn validate_authority(authority: &Pubkey) -> Result<()> {
    require_keys_neq!(
        *authority,
        Pubkey::default(),
        StakingError::InvalidAuthority
    );
    Ok(())
}

/// The slashers of `programs`: each with its `["slasher"]` PDA.
pub fn slashers_of(programs: &[Pubkey]) -> Vec<Slasher> {
    programs
        .iter()
        .map(|program| Slasher {
            program: *program,
            authority: Pubkey::find_program_address(&[SLASHER_SEED], program).0,
        })
        .collect()
}

impl ParameterChange {
    /// Checks the change against its bounds at `now`. `schedule` is iotoken's emission schedule,
    /// needed only to check a row lowering.
    pub fn validate(&self, now: i64, schedule: Option<&EmissionSchedule>) -> Result<()> {
        match self {
            Self::Fees { fees } => token_bounds::validate_fees(fees)
                .map_err(|_| error!(StakingError::InvalidFeeParams)),
            Self::OracleUpdaters { updaters } => token_bounds::validate_updaters(updaters)
                .map_err(|_| error!(StakingError::InvalidOracleUpdaters)),
            Self::LowerEmissionRow {
                index,
                emission_per_epoch,
            } => {
                let schedule =
                    schedule.ok_or_else(|| error!(StakingError::MissingTargetAccount))?;
                let row = schedule
                    .rows
                    .get(*index as usize)
                    .ok_or_else(|| error!(StakingError::EmissionRowNotFound))?;
                require!(row.start_time > now, StakingError::EmissionRowStarted);
                require!(
                    *emission_per_epoch < row.emission_per_epoch,
                    StakingError::EmissionRowNotLowered
                );
                Ok(())
            }
            Self::KeeperBond {
                amount,
                unbond_cooldown_secs,
            } => {
                require!(
                    *amount > 0
                        && (MIN_KEEPER_UNBOND_COOLDOWN_SECS..=MAX_KEEPER_UNBOND_COOLDOWN_SECS)
                            .contains(unbond_cooldown_secs),
                    StakingError::InvalidKeeperBond
                );
                Ok(())
            }
            Self::RegistryAvailability {
                failure_quorum,
                max_probe_age_slots,
                committee_size,
                passes_required,
                report_after_secs,
                false_report_penalty_bps,
            } => {
                require!(
                    (MIN_FAILURE_QUORUM..=MAX_FAILURE_QUORUM).contains(failure_quorum)
                        && (1..=MAX_PROBE_AGE_SLOTS).contains(max_probe_age_slots)
                        && (1..=MAX_COMMITTEE_SIZE).contains(committee_size)
                        && (1..=MAX_PASSES_REQUIRED).contains(passes_required)
                        && passes_required <= committee_size
                        && (MIN_REPORT_AFTER_SECS..=MAX_REPORT_AFTER_SECS)
                            .contains(report_after_secs)
                        && *false_report_penalty_bps <= MAX_REPORT_PENALTY_BPS,
                    StakingError::InvalidAvailabilityParams
                );
                Ok(())
            }
            Self::GpuClasses { classes } => validate_gpu_classes(classes),
            Self::MinStakeBase { amount } => validate_stake_params(&StakeParams {
                min_stake_base: *amount,
                unstake_cooldown_secs: DAY_SECS,
            }),
            Self::UnstakeCooldown { secs } => validate_stake_params(&StakeParams {
                min_stake_base: IO,
                unstake_cooldown_secs: *secs,
            }),
            Self::Slashing { params } => validate_slash_params(params),
            Self::Slashers { programs } => validate_slasher_programs(programs),
            Self::Governance { params } => validate_governance_params(params),
            Self::TokenParams {
                emission,
                oracle,
                breaker,
                buyback,
            } => {
                let any = emission.is_some()
                    || oracle.is_some()
                    || breaker.is_some()
                    || buyback.is_some();
                let within = any
                    && emission
                        .map_or(Ok(()), |p| token_bounds::validate_emission(&p))
                        .is_ok()
                    && oracle
                        .map_or(Ok(()), |p| token_bounds::validate_oracle(&p))
                        .is_ok()
                    && breaker
                        .map_or(Ok(()), |p| token_bounds::validate_breaker(&p))
                        .is_ok()
                    && buyback
                        .map_or(Ok(()), |p| token_bounds::validate_buyback(&p))
                        .is_ok();
                require!(within, StakingError::InvalidTokenParams);
                Ok(())
            }
            Self::PoolDistributor { pool, .. } => {
                require!(
                    usize::from(*pool) < iotoken::state::RewardPool::ALL.len(),
                    StakingError::InvalidPoolIndex
                );
                Ok(())
            }
            Self::ResumePriceFeed | Self::RegistryMarket { .. } => Ok(()),
        }
    }

    /// Applies a change of this program's own parameters to `config`. The change must have been
    /// validated and must target staking.
    pub fn apply_to(&self, config: &mut StakingConfig) -> Result<()> {
        let changed = match self {
            Self::GpuClasses { classes } => replace(&mut config.gpu_classes, classes.clone()),
            Self::MinStakeBase { amount } => replace(&mut config.stake.min_stake_base, *amount),
            Self::UnstakeCooldown { secs } => {
                replace(&mut config.stake.unstake_cooldown_secs, *secs)
            }
            Self::Slashing { params } => replace(&mut config.slashing, *params),
            Self::Slashers { programs } => replace(&mut config.slashers, slashers_of(programs)),
            Self::Governance { params } => replace(&mut config.governance, *params),
            _ => return err!(StakingError::ChangeTargetsOtherProgram),
        };
        require!(changed, StakingError::NothingToUpdate);
        Ok(())
    }
}

/// Sets `slot` to `value`; whether that changed it.
fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    let changed = *slot != value;
    *slot = value;
    changed
}
