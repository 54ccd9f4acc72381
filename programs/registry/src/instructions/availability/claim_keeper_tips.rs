use {
    crate::{
        errors::RegistryError,
        events::KeeperTipsClaimed,
        rewards::{pay_from_vault, read_closed_epochs},
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// A keeper claims its tips: its share of each closed epoch's keepers pool, by qualified passes
/// attested, settled from the closed availability records passed as remaining accounts. An
/// unbonding keeper may still claim (and must, before withdrawing its bond).
#[derive(Accounts)]
pub struct ClaimKeeperTips<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [KEEPER_SEED, authority.key().as_ref()], bump = keeper.bump)]
    pub keeper: Box<Account<'info, Keeper>>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.rewards_initialized @ RegistryError::RewardsNotInitialized,
    )]
    pub config: Box<Account<'info, RegistryConfig>>,
    /// CHECK: the data-less `["distributor"]` PDA, owner of the vault.
    #[account(seeds = [DISTRIBUTOR_SEED], bump = config.distributor_bump)]
    pub distributor: UncheckedAccount<'info>,
    #[account(mut, seeds = [KEEPER_TIPS_VAULT_SEED], bump = config.keeper_tips_vault_bump)]
    pub keeper_tips_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = destination.mint == keeper_tips_vault.mint @ RegistryError::RewardMintMismatch,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler<'info>(ctx: Context<'_, '_, 'info, 'info, ClaimKeeperTips<'info>>) -> Result<()> {
    let closed = read_closed_epochs(ctx.remaining_accounts)?;
    let accounts = ctx.accounts;
    let earnings = &mut accounts.keeper.activity.earnings;
    let (amount, epochs_settled) = earnings.claim(&closed, EpochShare::Keepers)?;
    let claimed_total = earnings.claimed;
    pay_from_vault(
        &accounts.token_program.to_account_info(),
        &accounts.keeper_tips_vault.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.distributor.to_account_info(),
        accounts.config.distributor_bump,
        amount,
    )?;
    emit!(KeeperTipsClaimed {
        keeper: accounts.keeper.key(),
        epochs_settled,
        amount,
        claimed_total,
    });
    Ok(())
}
