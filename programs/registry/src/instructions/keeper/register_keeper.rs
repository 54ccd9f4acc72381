use {
    crate::{
        errors::RegistryError, events::KeeperRegistered, math::SafeMath, state::*,
        validation::deposit_epoch,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{
        transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
    },
};

/// Registers the signer as a keeper, moving `bond_amount` (at least the bond in force) into a
/// vault the keeper PDA owns. The larger the bond, the more devices the keeper is assigned each
/// epoch; it counts from the epoch after this one (see `assignment`). The keeper states exactly
/// what it deposits, so a bond raised by the config authority while the transaction is in flight
/// refuses it rather than taking more.
#[derive(Accounts)]
pub struct RegisterKeeper<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        init,
        payer = authority,
        space = 8 + Keeper::INIT_SPACE,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump,
    )]
    pub keeper: Account<'info, Keeper>,
    #[account(
        address = config.bond_mint @ RegistryError::BondMintMismatch,
        mint::token_program = token_program,
    )]
    pub bond_mint: InterfaceAccount<'info, Mint>,
    #[account(
        mut,
        constraint = bond_source.mint == bond_mint.key() @ RegistryError::BondMintMismatch,
        constraint = bond_source.owner == authority.key() @ RegistryError::TokenAccountOwnerMismatch,
    )]
    pub bond_source: InterfaceAccount<'info, TokenAccount>,
    #[account(
        init,
        payer = authority,
        seeds = [KEEPER_BOND_SEED, keeper.key().as_ref()],
        bump,
        token::mint = bond_mint,
        token::authority = keeper,
        token::token_program = token_program,
    )]
    pub bond_vault: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RegisterKeeper>, bond_amount: u64) -> Result<()> {
    require!(
        bond_amount >= ctx.accounts.config.keeper_bond_amount,
        RegistryError::BondBelowMinimum
    );
    require!(
        ctx.accounts.bond_source.amount >= bond_amount,
        RegistryError::InsufficientBond
    );
    transfer_checked(
        CpiContext::new(
            ctx.accounts.token_program.to_account_info(),
            TransferChecked {
                from: ctx.accounts.bond_source.to_account_info(),
                mint: ctx.accounts.bond_mint.to_account_info(),
                to: ctx.accounts.bond_vault.to_account_info(),
                authority: ctx.accounts.authority.to_account_info(),
            },
        ),
        bond_amount,
        ctx.accounts.bond_mint.decimals,
    )?;

    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let keeper = &mut ctx.accounts.keeper;
    keeper.set_inner(Keeper {
        authority: ctx.accounts.authority.key(),
        bond_mint: ctx.accounts.bond_mint.key(),
        bond_amount: 0,
        registered_at: now,
        unbond_requested_at: 0,
        withdrawable_at: 0,
        bump: ctx.bumps.keeper,
        bond_vault_bump: ctx.bumps.bond_vault,
        activity: KeeperActivity::default(),
        bond_changed_epoch: 0,
        prior_bond: 0,
        forfeited: 0,
        _reserved: [0; 40],
    });
    keeper.deposit(bond_amount, deposit_epoch(config, now))?;
    config.keeper_bond_total = config.keeper_bond_total.safe_add(bond_amount)?;
    config.keeper_count = config.keeper_count.saturating_add(1);
    emit!(KeeperRegistered {
        keeper: keeper.key(),
        authority: keeper.authority,
        bond_mint: keeper.bond_mint,
        bond_amount,
        registered_at: now,
    });
    Ok(())
}
