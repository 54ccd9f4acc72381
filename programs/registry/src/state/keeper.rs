use {
    super::{KeeperActivity, RegistryConfig},
    crate::math::{bps_of, SafeMath},
    anchor_lang::prelude::*,
};

/// A keeper: anyone who bonds at least `keeper_bond_amount` may probe devices and crank the
/// protocol; the larger its bond, the more devices it is assigned (see `assignment`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Keeper {
    /// The keeper's signing key.
    pub authority: Pubkey,
    /// Mint of the bond held in the keeper's bond vault (fixed at registration, so a later
    /// change of `RegistryConfig::bond_mint` cannot strand it).
    pub bond_mint: Pubkey,
    /// Bond deposited and not forfeited, in `bond_mint` base units: the keeper's assignment weight
    /// and what it gets back.
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
    /// Epoch of the last deposit (registration, top-up); 0 if all came before epochs began.
    pub bond_changed_epoch: u64,
    /// `bond_amount` when that epoch began (0 after registration): the assignment weight in
    /// `bond_changed_epoch` itself.
    pub prior_bond: u64,
    /// Bond forfeited for failure reports that passes contradicted: still in the bond vault,
    /// sent to iotoken's treasury when the bond is withdrawn.
    pub forfeited: u64,
    /// Kept for fields added later.
    pub _reserved: [u8; 40],
}

impl Keeper {
    pub fn is_active(&self) -> bool {
        self.unbond_requested_at == 0
    }

    /// Whether the keeper may attest and report under `config`: active, bonded in the mint in
    /// force, and with at least the bond in force (a bond raised by governance, or lowered by
    /// forfeits, must be topped up).
    pub fn is_eligible(&self, config: &RegistryConfig) -> bool {
        self.is_active()
            && self.bond_mint == config.bond_mint
            && self.bond_amount >= config.keeper_bond_amount
    }

    /// What the keeper adds to the registry's bond total while active: its deposits, forfeits
    /// included (the total is not rewritten by every forfeit, so it errs high, which only makes
    /// assignment draws rarer).
    pub fn counted_bond(&self) -> u64 {
        self.bond_amount.saturating_add(self.forfeited)
    }

    /// Records a deposit of `amount` in `epoch` (see `assignment::keeper_weight`): it weighs from
    /// the next epoch on, and a second deposit in the same epoch keeps the weight the epoch began
    /// with. A deposit before epochs begin (`None`) weighs from the first epoch.
    pub fn deposit(&mut self, amount: u64, epoch: Option<u64>) -> Result<()> {
        match epoch {
            Some(epoch) => {
                if self.bond_changed_epoch < epoch {
                    self.prior_bond = self.bond_amount;
                }
                self.bond_changed_epoch = self.bond_changed_epoch.max(epoch);
            }
            None => self.prior_bond = self.prior_bond.safe_add(amount)?,
        }
        self.bond_amount = self.bond_amount.safe_add(amount)?;
        Ok(())
    }

    /// Takes `penalty_bps` of the bond for a contradicted report; returns the amount forfeited.
    pub fn forfeit(&mut self, penalty_bps: u16) -> Result<u64> {
        let penalty = bps_of(self.bond_amount, u64::from(penalty_bps))?;
        self.bond_amount = self.bond_amount.safe_sub(penalty)?;
        self.forfeited = self.forfeited.safe_add(penalty)?;
        Ok(penalty)
    }
}
