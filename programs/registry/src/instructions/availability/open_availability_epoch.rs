use {
    crate::{
        epoch_record::{advance_seed, load_record, open_record, store_record, SeedProgress},
        errors::RegistryError,
        events::AvailabilitySeedRearmed,
        math::current_epoch,
        state::*,
    },
    anchor_lang::{prelude::*, solana_program::sysvar},
};

/// Opens the current epoch's availability record (permissionless; the opener pays its rent),
/// snapshotting the active keepers' bonds and the rules in force and choosing the slot whose hash
/// will seed the epoch's keeper assignment; called again once that slot has passed, it fixes the
/// seed (attestations and reports also fix it when they find it due). A seed slot left without a
/// hash (skipped, or aged out of SlotHashes) is replaced by a new one.
#[derive(Accounts)]
pub struct OpenAvailabilityEpoch<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    /// CHECK: the current epoch's `["availability", epoch]` record, checked (and created if
    /// missing) by the handler: the epoch comes from the clock, not from the caller.
    #[account(mut)]
    pub epoch_record: UncheckedAccount<'info>,
    /// CHECK: the SlotHashes sysvar, by address.
    #[account(address = sysvar::slot_hashes::ID)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<OpenAvailabilityEpoch>) -> Result<()> {
    let accounts = ctx.accounts;
    let clock = Clock::get()?;
    let epoch = current_epoch(accounts.config.epoch_origin, clock.unix_timestamp)?;
    let info = accounts.epoch_record.to_account_info();
    if info.owner != &crate::ID {
        let record = open_record(
            &info,
            epoch,
            clock.slot,
            &accounts.config,
            &accounts.payer,
            &accounts.system_program,
        )?;
        return store_record(&info, &record);
    }

    let mut record = load_record(&info, epoch)?;
    require!(!record.seed_fixed, RegistryError::EpochSeedAlreadyFixed);
    let seed_slot_before = record.seed_slot;
    match advance_seed(
        &mut record,
        clock.slot,
        &accounts.slot_hashes.try_borrow_data()?,
    ) {
        SeedProgress::Waiting => return err!(RegistryError::EpochSeedNotFixed),
        SeedProgress::Rearmed => emit!(AvailabilitySeedRearmed {
            epoch,
            seed_slot_before,
            seed_slot_after: record.seed_slot,
        }),
        SeedProgress::Fixed => {}
    }
    store_record(&info, &record)
}
