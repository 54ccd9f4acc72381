use {
    crate::{errors::RegistryError, events::AvailabilityEpochClosed, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    iotoken::{
        cpi::{accounts::DrawEpochPool, draw_epoch_pool},
        program::Iotoken,
        state::{EpochRecord, RewardPool, EPOCH_SEED},
    },
};

/// Closes an ended epoch's availability record (permissionless): once iotoken has closed the
/// epoch, draws the epoch's availability pool (if any device earned weight) and keepers pool (if
/// any keeper attested a qualified pass) into the registry's vaults. From then on every device and
/// keeper of the epoch can settle its share. Runs once per epoch.
#[derive(Accounts)]
pub struct CloseAvailabilityEpoch<'info> {
    pub cranker: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    #[account(
        mut,
        seeds = [AVAILABILITY_EPOCH_SEED, &epoch_record.epoch.to_le_bytes()],
        bump = epoch_record.bump,
        constraint = !epoch_record.closed @ RegistryError::EpochAlreadyClosed,
    )]
    pub epoch_record: Box<Account<'info, AvailabilityEpoch>>,
    /// iotoken's record of the same epoch: it exists only once the epoch ended and was minted.
    #[account(
        mut,
        seeds = [EPOCH_SEED, &epoch_record.epoch.to_le_bytes()],
        bump = iotoken_epoch.bump,
        seeds::program = iotoken::ID,
    )]
    pub iotoken_epoch: Box<Account<'info, EpochRecord>>,
    /// CHECK: iotoken's config, checked by iotoken.
    pub iotoken_config: UncheckedAccount<'info>,
    /// CHECK: iotoken's availability pool, checked by iotoken.
    #[account(mut)]
    pub availability_pool: UncheckedAccount<'info>,
    /// CHECK: iotoken's keepers pool, checked by iotoken.
    #[account(mut)]
    pub keepers_pool: UncheckedAccount<'info>,
    /// CHECK: the data-less `["distributor"]` PDA, signing the draws.
    #[account(seeds = [DISTRIBUTOR_SEED], bump = config.distributor_bump)]
    pub distributor: UncheckedAccount<'info>,
    #[account(mut, seeds = [AVAILABILITY_VAULT_SEED], bump = config.availability_vault_bump)]
    pub availability_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [KEEPER_TIPS_VAULT_SEED], bump = config.keeper_tips_vault_bump)]
    pub keeper_tips_vault: Box<Account<'info, TokenAccount>>,
    pub iotoken_program: Program<'info, Iotoken>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CloseAvailabilityEpoch>) -> Result<()> {
    let accounts = ctx.accounts;
    let device_rewards = draw(
        accounts,
        accounts.epoch_record.total_weight > 0,
        RewardPool::Availability,
        accounts.availability_pool.to_account_info(),
        accounts.availability_vault.to_account_info(),
    )?;
    let keeper_rewards = draw(
        accounts,
        accounts.epoch_record.qualified_passes > 0,
        RewardPool::Keepers,
        accounts.keepers_pool.to_account_info(),
        accounts.keeper_tips_vault.to_account_info(),
    )?;

    let record = &mut accounts.epoch_record;
    record.closed = true;
    record.closed_at = Clock::get()?.unix_timestamp;
    record.device_rewards = device_rewards;
    record.keeper_rewards = keeper_rewards;
    emit!(AvailabilityEpochClosed {
        epoch: record.epoch,
        total_weight: record.total_weight,
        qualified_passes: record.qualified_passes,
        device_rewards,
        keeper_rewards,
    });
    Ok(())
}

/// Draws the epoch's share of iotoken's `pool` (held in `pool_vault`) into `destination` if
/// anyone `earned` in it; returns the IO base units drawn.
fn draw<'info>(
    accounts: &CloseAvailabilityEpoch<'info>,
    earned: bool,
    pool: RewardPool,
    pool_vault: AccountInfo<'info>,
    destination: AccountInfo<'info>,
) -> Result<u64> {
    if !earned {
        return Ok(0);
    }
    draw_epoch_pool(
        CpiContext::new_with_signer(
            accounts.iotoken_program.to_account_info(),
            DrawEpochPool {
                distributor: accounts.distributor.to_account_info(),
                config: accounts.iotoken_config.to_account_info(),
                epoch_record: accounts.iotoken_epoch.to_account_info(),
                pool_vault,
                destination,
                token_program: accounts.token_program.to_account_info(),
            },
            &[&[DISTRIBUTOR_SEED, &[accounts.config.distributor_bump]]],
        ),
        pool as u8,
    )?;
    Ok(accounts.iotoken_epoch.pools[pool as usize])
}
