use anchor_lang::prelude::*;

/// Upper bound of the keeper unbond cooldown: 365 days, in seconds.
pub const MAX_UNBOND_COOLDOWN_SECS: i64 = 365 * 24 * 60 * 60;

/// Registry-wide parameters. Read by instructions, written only by its authority, so it is never
/// a write-locked hot account.
#[account]
#[derive(InitSpace, Debug)]
pub struct RegistryConfig {
    /// May change this config (governance takes it over once staking exists).
    pub authority: Pubkey,
    /// Mint keepers bond in (the IO mint once iotoken is deployed).
    pub bond_mint: Pubkey,
    /// Bond a keeper deposits on registration, in `bond_mint` base units.
    pub keeper_bond_amount: u64,
    /// Seconds between a keeper's unbond request and the bond's withdrawal.
    pub keeper_unbond_cooldown_secs: i64,
    /// The market program whose `registry_lock` PDA may lock and release devices;
    /// `Pubkey::default()` until the market is deployed.
    pub market_program: Pubkey,
    /// `find_program_address(["registry_lock"], market_program)`, derived once when
    /// `market_program` is set.
    pub market_lock_authority: Pubkey,
    pub bump: u8,
    /// Kept for parameters added before a layout migration is worth it (e.g. device limits).
    pub _reserved: [u8; 64],
}

impl RegistryConfig {
    pub fn market_is_set(&self) -> bool {
        self.market_program != Pubkey::default()
    }
}
