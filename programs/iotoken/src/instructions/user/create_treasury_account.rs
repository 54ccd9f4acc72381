use {
    crate::{events::TreasuryAccountCreated, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

/// Creates the treasury's token account for `mint` (`["treasury", mint]`, owned by the config
/// PDA), where the other programs pay protocol fees in that mint. Anyone may pay for it.
#[derive(Accounts)]
pub struct CreateTreasuryAccount<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [TREASURY_SEED, mint.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = config,
        token::token_program = token_program,
    )]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateTreasuryAccount>) -> Result<()> {
    emit!(TreasuryAccountCreated {
        mint: ctx.accounts.mint.key(),
        account: ctx.accounts.treasury.key(),
    });
    Ok(())
}
