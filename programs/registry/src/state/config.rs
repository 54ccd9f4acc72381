use {super::AvailabilityParams, anchor_lang::prelude::*};

/// Upper bound of the keeper unbond cooldown: 365 days, in seconds.
pub const MAX_UNBOND_COOLDOWN_SECS: i64 = 365 * 24 * 60 * 60;
/// Defaults of the availability rules: six keepers assigned per device and epoch in expectation,
/// two of them must pass it for a reward, three make a failure quorum, reports count from the
/// epoch's second half, a contradicted report costs 0.1% of the bond; a probe may be bound to a
/// slot up to 150 slots (about a minute) old.
pub const DEFAULT_AVAILABILITY: AvailabilityParams = AvailabilityParams {
    failure_quorum: 3,
    max_probe_age_slots: 150,
    committee_size: 6,
    passes_required: 2,
    report_after_secs: 1_800,
    false_report_penalty_bps: 10,
};

/// Registry-wide parameters, and the total of keeper bonds. Read by the per-device and
/// per-epoch instructions; written by its authority and by keeper registration, top-ups and
/// unbonding only, so attestations never write-lock it.
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
    /// The lock authority of the market configured before the current one: it may still release
    /// the devices it locked, so changing the market strands no reservation.
    pub previous_market_lock_authority: Pubkey,
    pub availability: AvailabilityParams,
    /// Unix time at which epoch 0 starts: iotoken's emission origin, copied by
    /// `initialize_rewards` (0 before).
    pub epoch_origin: i64,
    /// Set by `initialize_rewards`: the reward vaults exist and attestations are accepted.
    pub rewards_initialized: bool,
    pub distributor_bump: u8,
    pub availability_vault_bump: u8,
    pub keeper_tips_vault_bump: u8,
    pub bump: u8,
    /// Sum of the active keepers' `Keeper::counted_bond`: the assignment's denominator.
    pub keeper_bond_total: u64,
    /// Active keepers.
    pub keeper_count: u32,
    /// Kept for parameters added before a layout migration is worth it (e.g. device limits).
    pub _reserved: [u8; 52],
}

impl RegistryConfig {
    pub fn market_is_set(&self) -> bool {
        self.market_program != Pubkey::default()
    }

    /// Whether `authority` may release devices: the current market's lock authority, or the
    /// previous market's for the devices it still holds.
    pub fn may_release(&self, authority: &Pubkey) -> bool {
        (self.market_is_set() && *authority == self.market_lock_authority)
            || (*authority != Pubkey::default()
                && *authority == self.previous_market_lock_authority)
    }
}
