//! Pure arithmetic of the token program: constants with their units, checked math, the emission
//! schedule, prices and the circuit breaker. No accounts here, so every formula is unit-tested
//! beside its definition and mirrored one-to-one in `sdk/src/iotoken/math.ts`.

pub mod emission;
pub mod presets;
pub mod price;
mod safe_math;
#[cfg(test)]
mod vectors;

use crate::errors::IotokenError;

/// IO has 8 decimals: `IO` base units are one IO.
pub const IO_DECIMALS: u8 = 8;
pub const IO: u64 = 100_000_000;
/// IOSD has 6 decimals: 1_000_000 base units are one IOSD, pegged to one USD.
pub const IOSD_DECIMALS: u8 = 6;
/// Prices are USD per whole IO with 8 decimals: 100_000_000 = 1 USD per IO.
pub const PRICE_DECIMALS: u8 = 8;
/// IOSD base units = IO base units x price / this (10^(8 + 8 - 6)).
pub const IOSD_PER_IO_PRICE_DIVISOR: u128 =
    10u128.pow(IO_DECIMALS as u32 + PRICE_DECIMALS as u32 - IOSD_DECIMALS as u32);

/// No IO is ever minted past this supply: 800,000,000 IO.
pub const IO_SUPPLY_CAP: u64 = 800_000_000 * IO;
/// Minted once, at genesis, to the five allocation accounts: 500,000,000 IO.
pub const GENESIS_SUPPLY: u64 = 500_000_000 * IO;
/// What the emission schedule may mint over its whole life: 300,000,000 IO.
pub const EMISSION_BUDGET: u64 = IO_SUPPLY_CAP - GENESIS_SUPPLY;
/// Genesis allocation in basis points, in the order of `mint_genesis`'s accounts: community,
/// R&D / ecosystem, core contributors, seed, series A.
pub const GENESIS_ALLOCATION_BPS: [u64; 5] = [5_000, 1_600, 1_130, 1_250, 1_020];

/// An emission epoch is one hour.
pub const EPOCH_SECS: i64 = 3_600;
pub const BPS_DENOMINATOR: u64 = 10_000;

crate::define_safe_math!(IotokenError::MathOverflow);

/// The genesis amount of each allocation account; they sum to `GENESIS_SUPPLY` exactly.
pub fn genesis_allocations() -> [u64; 5] {
    GENESIS_ALLOCATION_BPS.map(|bps| GENESIS_SUPPLY / BPS_DENOMINATOR * bps)
}

#[cfg(test)]
mod tests {
    use {super::*, anchor_lang::prelude::*};

    #[test]
    fn genesis_allocations_sum_to_genesis_supply() {
        let allocations = genesis_allocations();
        assert_eq!(allocations.iter().sum::<u64>(), GENESIS_SUPPLY);
        assert_eq!(allocations[0], 250_000_000 * IO);
        assert_eq!(allocations[2], 56_500_000 * IO);
        assert_eq!(allocations[4], 51_000_000 * IO);
    }

    #[test]
    fn bps_of_rounds_down_and_checks_overflow() {
        assert_eq!(bps_of(10_001, 5_000).unwrap(), 5_000);
        assert_eq!(bps_of(u64::MAX, 10_000).unwrap(), u64::MAX);
        assert!(bps_of(u64::MAX, 10_001).is_err());
        assert_eq!(
            1u64.safe_sub(2).unwrap_err(),
            error!(IotokenError::MathOverflow)
        );
    }
}
