use {crate::state::*, anchor_lang::prelude::*};

/// Accounts of the reservation lock instructions: only a market program, signing with its
/// `registry_lock` PDA, may lock or release a device — the configured market locks, and it or
/// the market configured before it releases (see `RegistryConfig::may_release`).
#[derive(Accounts)]
pub struct MarketLock<'info> {
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
