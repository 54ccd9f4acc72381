use {super::KeeperActivity, anchor_lang::prelude::*};

/// A keeper: anyone who bonds `keeper_bond_amount` may probe devices and crank the protocol.
#[account]
#[derive(InitSpace, Debug)]
pub struct Keeper {
    /// The keeper's signing key.
    pub authority: Pubkey,
    /// Mint of the bond held in the keeper's bond vault (fixed at registration, so a later
    /// change of `RegistryConfig::bond_mint` cannot strand it).
    pub bond_mint: Pubkey,
    /// Bond deposited, in `bond_mint` base units.
    pub bond_amount: u64,
    /// Unix seconds.
    pub registered_at: i64,
    /// Unix seconds at which the keeper asked for its bond back; 0 while active.
    pub unbond_requested_at: i64,
    /// Unix seconds from which the bond may be withdrawn (request time + the cooldown then in
    /// force); 0 while active.
    pub withdrawable_at: i64,
    pub bump: u8,
    pub bond_vault_bump: u8,
    /// Passes attested, failures reported and tips earned.
    pub activity: KeeperActivity,
    /// Kept for fields added later.
    pub _reserved: [u8; 64],
}

impl Keeper {
    pub fn is_active(&self) -> bool {
        self.unbond_requested_at == 0
    }
}
