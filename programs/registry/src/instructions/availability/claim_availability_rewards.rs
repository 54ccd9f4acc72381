use {
    crate::{
        errors::RegistryError,
        events::AvailabilityRewardsClaimed,
        math::{SafeMath, BPS_DENOMINATOR},
        rewards::{pay_from_vault, read_closed_epochs},
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
    staking::{
        cpi::{accounts::DepositRewards, deposit_rewards},
        program::Staking,
        state::StakePool,
    },
};

/// The owner claims its device's availability rewards: every unsettled epoch among the closed
/// availability records passed as remaining accounts is settled first (each exactly once), then
/// everything accrued is paid: the pool's staker share deposited for its co-stakers by CPI (when
/// it has any), the rest to `destination`. Many epochs of accrual cost one transaction.
#[derive(Accounts)]
pub struct ClaimAvailabilityRewards<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.device_id_hash.as_ref()],
        bump = device.bump,
        has_one = owner @ RegistryError::NotDeviceOwner,
    )]
    pub device: Box<Account<'info, Device>>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    /// CHECK: the data-less `["distributor"]` PDA, owner of the vault.
    #[account(seeds = [DISTRIBUTOR_SEED], bump = config.distributor_bump)]
    pub distributor: UncheckedAccount<'info>,
    #[account(mut, seeds = [AVAILABILITY_VAULT_SEED], bump = config.availability_vault_bump)]
    pub availability_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = destination.mint == availability_vault.mint @ RegistryError::RewardMintMismatch,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = stake_pool.device == device.key() && stake_pool.operator == device.owner
            @ RegistryError::StakePoolMismatch,
    )]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the pool's vault, checked by staking.
    #[account(mut)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: staking's config, checked by staking.
    pub staking_config: UncheckedAccount<'info>,
    pub staking_program: Program<'info, Staking>,
    pub token_program: Program<'info, Token>,
}

pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, ClaimAvailabilityRewards<'info>>,
) -> Result<()> {
    let closed = read_closed_epochs(ctx.remaining_accounts)?;
    let accounts = ctx.accounts;
    let earnings = &mut accounts.device.availability.earnings;
    let (amount, epochs_settled) = earnings.claim(&closed, EpochShare::Devices)?;
    let claimed_total = earnings.claimed;

    let pool = &accounts.stake_pool;
    // Without active co-stake there is nobody to share with (and staking would refuse).
    let to_stakers = if pool.active_shares > 0 {
        let share =
            (amount as u128).safe_mul(pool.staker_share_bps as u128)? / BPS_DENOMINATOR as u128;
        u64::try_from(share).map_err(|_| crate::math::overflow())?
    } else {
        0
    };
    let to_owner = amount.safe_sub(to_stakers)?;
    let bump = accounts.config.distributor_bump;

    if to_stakers > 0 {
        deposit_rewards(
            CpiContext::new_with_signer(
                accounts.staking_program.to_account_info(),
                DepositRewards {
                    depositor: accounts.distributor.to_account_info(),
                    config: accounts.staking_config.to_account_info(),
                    pool: accounts.stake_pool.to_account_info(),
                    vault: accounts.stake_vault.to_account_info(),
                    source: accounts.availability_vault.to_account_info(),
                    token_program: accounts.token_program.to_account_info(),
                },
                &[&[DISTRIBUTOR_SEED, &[bump]]],
            ),
            to_stakers,
        )?;
    }
    pay_from_vault(
        &accounts.token_program.to_account_info(),
        &accounts.availability_vault.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.distributor.to_account_info(),
        bump,
        to_owner,
    )?;
    emit!(AvailabilityRewardsClaimed {
        device: accounts.device.key(),
        owner: accounts.owner.key(),
        epochs_settled,
        to_owner,
        to_stakers,
        claimed_total,
    });
    Ok(())
}
