//! Pure checks of user-supplied device fields; each returns the field's named error.

use {
    crate::{
        errors::RegistryError,
        math::{current_epoch, EPOCH_SECS},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Free text shown to people (names, GPU models): non-empty, bounded, no control characters and
/// no leading or trailing whitespace (which would make two names look alike).
fn is_clean_label(value: &str, max_len: usize) -> bool {
    !value.is_empty()
        && value.len() <= max_len
        && !value.chars().any(char::is_control)
        && value.trim() == value
}

pub fn validate_device_id(device_id: &str) -> Result<()> {
    let valid = !device_id.is_empty()
        && device_id.len() <= MAX_DEVICE_ID_LEN
        && device_id.bytes().all(|b| b.is_ascii_graphic());
    require!(valid, RegistryError::InvalidDeviceId);
    Ok(())
}

pub fn validate_name(name: &str) -> Result<()> {
    require!(
        is_clean_label(name, MAX_NAME_LEN),
        RegistryError::InvalidName
    );
    Ok(())
}

pub fn validate_gpu_model(gpu_model: &str) -> Result<()> {
    require!(
        is_clean_label(gpu_model, MAX_GPU_MODEL_LEN),
        RegistryError::InvalidGpuModel
    );
    Ok(())
}

pub fn validate_region(region: &str) -> Result<()> {
    let valid = !region.is_empty()
        && region.len() <= MAX_REGION_LEN
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    require!(valid, RegistryError::InvalidRegion);
    Ok(())
}

/// Empty means "not reachable directly" (the agent uses the relay).
pub fn validate_endpoint(endpoint: &str) -> Result<()> {
    let valid =
        endpoint.len() <= MAX_ENDPOINT_LEN && endpoint.bytes().all(|b| b.is_ascii_graphic());
    require!(valid, RegistryError::InvalidEndpoint);
    Ok(())
}

pub fn validate_specs(specs: &DeviceSpecs) -> Result<()> {
    require!(
        (1..=MAX_GPUS_PER_DEVICE).contains(&specs.gpu_count),
        RegistryError::InvalidGpuCount
    );
    require!(
        (1..=MAX_VRAM_MIB).contains(&specs.vram_mib),
        RegistryError::InvalidVram
    );
    require!(
        (1..=MAX_CPU_CORES).contains(&specs.cpu_cores),
        RegistryError::InvalidCpuCores
    );
    require!(
        (1..=MAX_RAM_MIB).contains(&specs.ram_mib),
        RegistryError::InvalidRam
    );
    require!(
        specs.storage_gib <= MAX_STORAGE_GIB,
        RegistryError::InvalidStorage
    );
    Ok(())
}

pub fn validate_price(price_per_gpu_hour: u64) -> Result<()> {
    require!(
        (1..=MAX_PRICE_PER_GPU_HOUR).contains(&price_per_gpu_hour),
        RegistryError::InvalidPrice
    );
    Ok(())
}

/// The cooldown lasts at least one epoch, so a keeper cannot report a device and take its bond
/// away before a pass in the same epoch can contradict the report.
pub fn validate_bond_terms(
    keeper_bond_amount: u64,
    keeper_unbond_cooldown_secs: i64,
) -> Result<()> {
    require!(keeper_bond_amount > 0, RegistryError::InvalidBondAmount);
    require!(
        (EPOCH_SECS..=MAX_UNBOND_COOLDOWN_SECS).contains(&keeper_unbond_cooldown_secs),
        RegistryError::InvalidCooldown
    );
    Ok(())
}

/// The epoch a keeper's deposit at `now` counts against (`Keeper::deposit`): the running one, or
/// none before epochs begin (a bond placed before the network starts weighs from its start).
pub fn deposit_epoch(config: &RegistryConfig, now: i64) -> Option<u64> {
    if !config.rewards_initialized {
        return None;
    }
    current_epoch(config.epoch_origin, now).ok()
}

/// sha256 of the device id: the device PDA's seed, so ids of any allowed length fit a seed.
pub fn device_id_hash(device_id: &str) -> [u8; 32] {
    anchor_lang::solana_program::hash::hash(device_id.as_bytes()).to_bytes()
}

/// Failure quorum 2..=5 keepers (one keeper alone must never fail a device); probe age 1..=512
/// slots (SlotHashes holds 512); a committee of 1..=16 keepers, of which 1..=4 (and at most the
/// committee) must pass a device; reports open 10 to 55 minutes into an epoch (a device gets at
/// least ten minutes to pass, keepers at least five to report); a contradicted report costs at
/// most 10% of a bond.
pub fn validate_availability(params: &AvailabilityParams) -> Result<()> {
    require!(
        (2..=MAX_FAILURE_QUORUM as u8).contains(&params.failure_quorum),
        RegistryError::InvalidFailureQuorum
    );
    require!(
        (1..=512).contains(&params.max_probe_age_slots),
        RegistryError::InvalidProbeAge
    );
    require!(
        (1..=MAX_COMMITTEE_SIZE).contains(&params.committee_size),
        RegistryError::InvalidCommitteeSize
    );
    require!(
        (1..=MAX_PASSES_REQUIRED as u8).contains(&params.passes_required)
            && params.passes_required <= params.committee_size,
        RegistryError::InvalidPassesRequired
    );
    require!(
        (MIN_REPORT_AFTER_SECS..=MAX_REPORT_AFTER_SECS).contains(&params.report_after_secs),
        RegistryError::InvalidReportWindow
    );
    require!(
        params.false_report_penalty_bps <= MAX_REPORT_PENALTY_BPS,
        RegistryError::InvalidReportPenalty
    );
    Ok(())
}

/// Bounds of `report_after_secs`: 10 and 55 minutes.
pub const MIN_REPORT_AFTER_SECS: u32 = 600;
pub const MAX_REPORT_AFTER_SECS: u32 = 3_300;
/// Most of its bond a keeper forfeits per contradicted report: 10%.
pub const MAX_REPORT_PENALTY_BPS: u16 = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> DeviceSpecs {
        DeviceSpecs {
            gpu_count: 8,
            vram_mib: 81_920,
            cpu_cores: 96,
            ram_mib: 1_048_576,
            storage_gib: 7_680,
            bandwidth_tier: BandwidthTier::High,
        }
    }

    /// The name of the registry error a check failed with.
    fn error_of(result: Result<()>) -> String {
        match result {
            Err(Error::AnchorError(error)) => error.error_name,
            other => panic!("expected a registry error, got {other:?}"),
        }
    }

    #[test]
    fn labels_reject_empty_long_control_and_padded_values() {
        assert!(validate_name("rig-01 · 8×H100").is_ok());
        assert_eq!(
            error_of(validate_name("")),
            RegistryError::InvalidName.name()
        );
        assert_eq!(
            error_of(validate_name(&"x".repeat(33))),
            RegistryError::InvalidName.name()
        );
        assert!(validate_name(&"x".repeat(32)).is_ok());
        assert_eq!(
            error_of(validate_name("a\nb")),
            RegistryError::InvalidName.name()
        );
        assert_eq!(
            error_of(validate_name(" padded")),
            RegistryError::InvalidName.name()
        );
        assert_eq!(
            error_of(validate_gpu_model("")),
            RegistryError::InvalidGpuModel.name()
        );
        assert!(validate_gpu_model("NVIDIA H100 80GB HBM3").is_ok());
    }

    #[test]
    fn ids_regions_and_endpoints_have_their_own_alphabets() {
        assert!(validate_device_id("5f0c2a9e-3b1d-4e7a-9c8b-2d6f1a0e4b3c").is_ok());
        assert_eq!(
            error_of(validate_device_id("has space")),
            RegistryError::InvalidDeviceId.name()
        );
        assert_eq!(
            error_of(validate_device_id(&"a".repeat(65))),
            RegistryError::InvalidDeviceId.name()
        );
        assert!(validate_region("us-east-1").is_ok());
        assert_eq!(
            error_of(validate_region("US-East")),
            RegistryError::InvalidRegion.name()
        );
        assert_eq!(
            error_of(validate_region("")),
            RegistryError::InvalidRegion.name()
        );
        assert!(validate_endpoint("").is_ok());
        assert!(validate_endpoint("https://203.0.113.7:7443/probe").is_ok());
        assert_eq!(
            error_of(validate_endpoint("http://a b")),
            RegistryError::InvalidEndpoint.name()
        );
    }

    #[test]
    fn specs_bounds_are_inclusive() {
        assert!(validate_specs(&specs()).is_ok());
        let with = |f: fn(&mut DeviceSpecs)| {
            let mut s = specs();
            f(&mut s);
            validate_specs(&s)
        };
        assert_eq!(
            error_of(with(|s| s.gpu_count = 0)),
            RegistryError::InvalidGpuCount.name()
        );
        assert_eq!(
            error_of(with(|s| s.gpu_count = 65)),
            RegistryError::InvalidGpuCount.name()
        );
        assert!(with(|s| s.gpu_count = 64).is_ok());
        assert_eq!(
            error_of(with(|s| s.vram_mib = 0)),
            RegistryError::InvalidVram.name()
        );
        assert_eq!(
            error_of(with(|s| s.cpu_cores = 0)),
            RegistryError::InvalidCpuCores.name()
        );
        assert_eq!(
            error_of(with(|s| s.ram_mib = 0)),
            RegistryError::InvalidRam.name()
        );
        assert_eq!(
            error_of(with(|s| s.storage_gib = MAX_STORAGE_GIB + 1)),
            RegistryError::InvalidStorage.name()
        );
        assert!(with(|s| s.storage_gib = 0).is_ok());
    }

    #[test]
    fn price_bounds() {
        assert_eq!(
            error_of(validate_price(0)),
            RegistryError::InvalidPrice.name()
        );
        assert!(validate_price(1).is_ok());
        assert!(validate_price(MAX_PRICE_PER_GPU_HOUR).is_ok());
        assert_eq!(
            error_of(validate_price(MAX_PRICE_PER_GPU_HOUR + 1)),
            RegistryError::InvalidPrice.name()
        );
    }

    #[test]
    fn bond_terms_bounds() {
        assert!(validate_bond_terms(1, EPOCH_SECS).is_ok());
        assert!(validate_bond_terms(1, MAX_UNBOND_COOLDOWN_SECS).is_ok());
        assert_eq!(
            error_of(validate_bond_terms(0, EPOCH_SECS)),
            RegistryError::InvalidBondAmount.name()
        );
        // Shorter than an epoch: a reporter could leave before a pass contradicts it.
        assert_eq!(
            error_of(validate_bond_terms(1, EPOCH_SECS - 1)),
            RegistryError::InvalidCooldown.name()
        );
        assert_eq!(
            error_of(validate_bond_terms(1, 0)),
            RegistryError::InvalidCooldown.name()
        );
        assert_eq!(
            error_of(validate_bond_terms(1, MAX_UNBOND_COOLDOWN_SECS + 1)),
            RegistryError::InvalidCooldown.name()
        );
    }

    #[test]
    fn availability_bounds() {
        assert!(validate_availability(&DEFAULT_AVAILABILITY).is_ok());
        let with = |change: fn(&mut AvailabilityParams)| {
            let mut params = DEFAULT_AVAILABILITY;
            change(&mut params);
            validate_availability(&params)
        };
        for (result, name) in [
            (
                with(|p| p.failure_quorum = 1),
                RegistryError::InvalidFailureQuorum,
            ),
            (
                with(|p| p.failure_quorum = 6),
                RegistryError::InvalidFailureQuorum,
            ),
            (
                with(|p| p.max_probe_age_slots = 513),
                RegistryError::InvalidProbeAge,
            ),
            (
                with(|p| p.committee_size = 0),
                RegistryError::InvalidCommitteeSize,
            ),
            (
                with(|p| p.committee_size = 17),
                RegistryError::InvalidCommitteeSize,
            ),
            (
                with(|p| p.passes_required = 0),
                RegistryError::InvalidPassesRequired,
            ),
            (
                with(|p| p.passes_required = 5),
                RegistryError::InvalidPassesRequired,
            ),
            (
                with(|p| {
                    p.committee_size = 1;
                    p.passes_required = 2;
                }),
                RegistryError::InvalidPassesRequired,
            ),
            (
                with(|p| p.report_after_secs = 599),
                RegistryError::InvalidReportWindow,
            ),
            (
                with(|p| p.report_after_secs = 3_301),
                RegistryError::InvalidReportWindow,
            ),
            (
                with(|p| p.false_report_penalty_bps = 1_001),
                RegistryError::InvalidReportPenalty,
            ),
        ] {
            assert_eq!(error_of(result), name.name());
        }
        assert!(with(|p| p.report_after_secs = 600).is_ok());
        assert!(with(|p| p.report_after_secs = 3_300).is_ok());
        assert!(with(|p| p.false_report_penalty_bps = 1_000).is_ok());
    }

    #[test]
    fn device_id_hash_is_sha256() {
        // sha256("abc"), FIPS 180-2 test vector.
        assert_eq!(device_id_hash("abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}
