use {
    crate::{
        errors::RegistryError, events::KeeperBondAdded, math::SafeMath, state::*,
        validation::deposit_epoch,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{
        transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
    },
};

/// An active keeper adds `amount` to its bond: to meet a raised bond in force or to make up for
/// forfeits, or to be assigned more devices. The added bond weighs in assignments from the next
/// epoch on (see `assignment`).
#[derive(Accounts)]
pub struct AddBond<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RegistryConfig>,
    #[account(
        mut,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        has_one = authority,
        has_one = bond_mint @ RegistryError::BondMintMismatch,
        constraint = keeper.is_active() @ RegistryError::KeeperUnbonding,
    )]
    pub keeper: Account<'info, Keeper>,
    #[account(mint::token_program = token_program)]
    pub bond_mint: InterfaceAccount<'info, Mint>,
    #[account(
        mut,
        constraint = bond_source.mint == bond_mint.key() @ RegistryError::BondMintMismatch,
        constraint = bond_source.owner == authority.key() @ RegistryError::TokenAccountOwnerMismatch,
    )]
    pub bond_source: InterfaceAccount<'info, TokenAccount>,
    #[account(
        mut,
        seeds = [KEEPER_BOND_SEED, keeper.key().as_ref()],
        bump = keeper.bond_vault_bump,
    )]
    pub bond_vault: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

pub fn handler(ctx: Context<AddBond>, amount: u64) -> Result<()> {
    require!(amount > 0, RegistryError::ZeroBond);
    require!(
        ctx.accounts.bond_source.amount >= amount,
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
        amount,
        ctx.accounts.bond_mint.decimals,
    )?;

    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let keeper = &mut ctx.accounts.keeper;
    let bond_before = keeper.bond_amount;
    keeper.deposit(amount, deposit_epoch(config, now))?;
    config.keeper_bond_total = config.keeper_bond_total.safe_add(amount)?;
    emit!(KeeperBondAdded {
        keeper: keeper.key(),
        authority: keeper.authority,
        amount,
        bond_before,
        bond_after: keeper.bond_amount,
    });
    Ok(())
}
