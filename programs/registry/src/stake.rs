//! A device's stake against its minimum, read from its staking pool: availability rewards need
//! it (registry) and so does booking the device (market).

use {
    crate::{errors::RegistryError, math::SafeMath, state::Device},
    anchor_lang::prelude::*,
    staking::{
        math::stake::{gpu_class_multiplier, minimum_stake},
        state::{StakePool, StakingConfig, POOL_SEED},
    },
};

/// A device's stake against its minimum, and the weight it earns with when qualified.
pub struct DeviceStake {
    /// IO base units counted towards the minimum (active self-stake and co-stake).
    pub amount: u64,
    /// The device's minimum stake, IO base units.
    pub minimum: u64,
    /// Class multiplier (hundredths) x GPU count.
    pub weight: u64,
}

/// Reads the device's staking pool: an existing pool must be the device's (same device and
/// operator); a missing one must sit at the device's pool address, so that no keeper can pass a
/// stranger account to make a staked device look unstaked.
pub fn device_stake(
    config: &StakingConfig,
    device: &Account<Device>,
    pool_info: &AccountInfo,
) -> Result<DeviceStake> {
    let multiplier = gpu_class_multiplier(&config.gpu_classes, &device.gpu_model);
    let gpu_count = device.specs.gpu_count;
    let minimum = minimum_stake(config.stake.min_stake_base, multiplier, gpu_count)?;
    let amount = if pool_info.owner == &staking::ID {
        let pool = StakePool::try_deserialize(&mut &pool_info.try_borrow_data()?[..])?;
        require!(
            pool.device == device.key() && pool.operator == device.owner,
            RegistryError::StakePoolMismatch
        );
        pool.qualifying_stake()?
    } else {
        let (address, _) = Pubkey::find_program_address(
            &[POOL_SEED, device.key().as_ref(), device.owner.as_ref()],
            &staking::ID,
        );
        require_keys_eq!(pool_info.key(), address, RegistryError::StakePoolMismatch);
        0
    };
    Ok(DeviceStake {
        amount,
        minimum,
        weight: u64::from(multiplier).safe_mul(u64::from(gpu_count))?,
    })
}
