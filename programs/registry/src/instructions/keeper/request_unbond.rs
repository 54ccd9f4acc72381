use {
    crate::{errors::RegistryError, events::KeeperUnbondRequested, state::*},
    anchor_lang::prelude::*,
};

/// Stops the keeper (it may no longer attest or crank as a bonded keeper, and leaves the bond
/// total assignments are drawn against) and starts the cooldown after which the bond can be
/// withdrawn. The cooldown in force now applies.
#[derive(Accounts)]
pub struct RequestUnbond<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        mut,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        has_one = authority,
        constraint = keeper.is_active() @ RegistryError::KeeperUnbonding,
    )]
    pub keeper: Account<'info, Keeper>,
}

pub fn handler(ctx: Context<RequestUnbond>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let withdrawable_at = now
        .checked_add(ctx.accounts.config.keeper_unbond_cooldown_secs)
        .ok_or_else(|| error!(RegistryError::MathOverflow))?;
    let config = &mut ctx.accounts.config;
    let keeper = &mut ctx.accounts.keeper;
    config.keeper_bond_total = config
        .keeper_bond_total
        .saturating_sub(keeper.counted_bond());
    config.keeper_count = config.keeper_count.saturating_sub(1);
    keeper.unbond_requested_at = now;
    keeper.withdrawable_at = withdrawable_at;
    emit!(KeeperUnbondRequested {
        keeper: keeper.key(),
        authority: keeper.authority,
        requested_at: now,
        withdrawable_at,
    });
    Ok(())
}
