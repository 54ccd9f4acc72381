use {
    crate::{errors::RegistryError, state::*},
    anchor_lang::prelude::*,
};

/// Accounts of the reservation lock instructions: only the configured market program, signing
/// with its `registry_lock` PDA, may lock or release a device.
#[derive(Accounts)]
pub struct MarketLock<'info> {
    #[account(
        constraint = config.market_is_set() @ RegistryError::MarketNotConfigured,
        constraint = market_authority.key() == config.market_lock_authority
            @ RegistryError::NotMarketAuthority,
    )]
    pub market_authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
    )]
    pub device: Account<'info, Device>,
}
