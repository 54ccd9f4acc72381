use {
    crate::{errors::RegistryError, events::KeeperBondWithdrawn, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{
        close_account, transfer_checked, CloseAccount, Mint, TokenAccount, TokenInterface,
        TransferChecked,
    },
    iotoken::state::TREASURY_SEED,
};

/// After the cooldown, returns the bond to a token account of the keeper's choosing and sends
/// what it forfeited for contradicted failure reports to iotoken's treasury account of the bond
/// mint (both signed by the keeper PDA; anything else in the vault goes back to the keeper too),
/// then closes the vault and the keeper account, returning their rent.
#[derive(Accounts)]
pub struct WithdrawBond<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut,
        close = authority,
        seeds = [KEEPER_SEED, authority.key().as_ref()],
        bump = keeper.bump,
        has_one = authority,
        has_one = bond_mint @ RegistryError::BondMintMismatch,
        constraint = !keeper.activity.earnings.is_owed() @ RegistryError::UnclaimedRewards,
    )]
    pub keeper: Account<'info, Keeper>,
    #[account(mint::token_program = token_program)]
    pub bond_mint: InterfaceAccount<'info, Mint>,
    #[account(
        mut,
        seeds = [KEEPER_BOND_SEED, keeper.key().as_ref()],
        bump = keeper.bond_vault_bump,
    )]
    pub bond_vault: InterfaceAccount<'info, TokenAccount>,
    #[account(
        mut,
        constraint = destination.mint == bond_mint.key() @ RegistryError::BondMintMismatch,
    )]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    /// iotoken's treasury account of the bond mint (`["treasury", mint]` under iotoken); needed
    /// only when the keeper forfeited part of its bond.
    #[account(
        mut,
        seeds = [TREASURY_SEED, bond_mint.key().as_ref()],
        bump,
        seeds::program = iotoken::ID,
    )]
    pub treasury: Option<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawBond<'_> {
    fn validate(&self) -> Result<()> {
        require!(!self.keeper.is_active(), RegistryError::KeeperNotUnbonding);
        require!(
            Clock::get()?.unix_timestamp >= self.keeper.withdrawable_at,
            RegistryError::CooldownNotElapsed
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate())]
pub fn handler(ctx: Context<WithdrawBond>) -> Result<()> {
    let accounts = &ctx.accounts;
    let authority_key = accounts.authority.key();
    let keeper_seeds: &[&[u8]] = &[KEEPER_SEED, authority_key.as_ref(), &[accounts.keeper.bump]];
    let signer_seeds = &[keeper_seeds];
    let forfeited = accounts.keeper.forfeited.min(accounts.bond_vault.amount);
    let amount = accounts.bond_vault.amount.saturating_sub(forfeited);

    let treasury = match (&accounts.treasury, forfeited) {
        (_, 0) => None,
        (Some(treasury), _) => Some(treasury.to_account_info()),
        (None, _) => return err!(RegistryError::TreasuryMismatch),
    };
    for (to, value) in [
        (treasury, forfeited),
        (Some(accounts.destination.to_account_info()), amount),
    ] {
        let Some(to) = to.filter(|_| value > 0) else {
            continue;
        };
        transfer_checked(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                TransferChecked {
                    from: accounts.bond_vault.to_account_info(),
                    mint: accounts.bond_mint.to_account_info(),
                    to,
                    authority: accounts.keeper.to_account_info(),
                },
                signer_seeds,
            ),
            value,
            accounts.bond_mint.decimals,
        )?;
    }
    close_account(CpiContext::new_with_signer(
        accounts.token_program.to_account_info(),
        CloseAccount {
            account: accounts.bond_vault.to_account_info(),
            destination: accounts.authority.to_account_info(),
            authority: accounts.keeper.to_account_info(),
        },
        signer_seeds,
    ))?;

    emit!(KeeperBondWithdrawn {
        keeper: accounts.keeper.key(),
        authority: authority_key,
        bond_mint: accounts.bond_mint.key(),
        bond_amount: amount,
        forfeited,
    });
    Ok(())
}
