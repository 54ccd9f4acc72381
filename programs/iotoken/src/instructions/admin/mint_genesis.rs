use {
    crate::{errors::IotokenError, events::GenesisMinted, math::*, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token::{mint_to, Mint, MintTo, Token, TokenAccount},
};

/// Mints the 500,000,000 IO genesis supply to the five allocation accounts, exactly once.
#[derive(Accounts)]
pub struct MintGenesis<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ IotokenError::NotConfigAuthority,
        constraint = !config.genesis_minted @ IotokenError::GenesisAlreadyMinted,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [IO_MINT_SEED], bump = config.io_mint_bump)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(mut, constraint = community.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub community: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = ecosystem.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub ecosystem: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = core_contributors.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub core_contributors: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = seed.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub seed: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = series_a.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub series_a: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<MintGenesis>) -> Result<()> {
    let accounts = ctx.accounts;
    let supply_before = accounts.io_mint.supply;
    require!(
        supply_before.safe_add(GENESIS_SUPPLY)? <= IO_SUPPLY_CAP,
        IotokenError::SupplyCapExceeded
    );
    let destinations = [
        accounts.community.to_account_info(),
        accounts.ecosystem.to_account_info(),
        accounts.core_contributors.to_account_info(),
        accounts.seed.to_account_info(),
        accounts.series_a.to_account_info(),
    ];
    for (index, destination) in destinations.iter().enumerate() {
        require!(
            destinations[..index]
                .iter()
                .all(|other| other.key != destination.key),
            IotokenError::DuplicateAllocationAccount
        );
    }
    let amounts = genesis_allocations();
    let signer: &[&[&[u8]]] = &[&[CONFIG_SEED, &[accounts.config.bump]]];
    for (destination, amount) in destinations.iter().zip(amounts) {
        mint_to(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                MintTo {
                    mint: accounts.io_mint.to_account_info(),
                    to: destination.clone(),
                    authority: accounts.config.to_account_info(),
                },
                signer,
            ),
            amount,
        )?;
    }
    accounts.config.genesis_minted = true;

    accounts.io_mint.reload()?;
    let supply_after = accounts.io_mint.supply;
    require!(
        supply_after == supply_before + GENESIS_SUPPLY && supply_after <= IO_SUPPLY_CAP,
        IotokenError::SupplyCapExceeded
    );
    emit!(GenesisMinted {
        destinations: destinations.map(|account| account.key()),
        amounts,
        supply_after,
    });
    Ok(())
}
