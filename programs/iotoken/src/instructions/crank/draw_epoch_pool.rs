use {
    crate::{
        errors::IotokenError, events::EpochPoolDrawn, state::*, token_transfer::transfer_tokens,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{Token, TokenAccount},
};

/// Moves what one closed epoch minted into reward pool `pool` to the pool's distributor, once.
/// The distributor program then owes it to the devices or keepers that earned it that epoch; an
/// epoch nobody earned in is never drawn, so its share stays in the pool.
#[derive(Accounts)]
#[instruction(pool: u8)]
pub struct DrawEpochPool<'info> {
    /// The `["distributor"]` PDA of the program named for this pool.
    pub distributor: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = usize::from(pool) < RewardPool::ALL.len() @ IotokenError::InvalidPool,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(
        mut,
        seeds = [EPOCH_SEED, &epoch_record.epoch.to_le_bytes()],
        bump = epoch_record.bump,
    )]
    pub epoch_record: Box<Account<'info, EpochRecord>>,
    #[account(
        mut,
        seeds = [POOL_SEED, &[pool]],
        bump = config.pool_bumps[usize::from(pool)],
    )]
    pub pool_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = destination.mint == config.io_mint @ IotokenError::WrongMint,
        constraint = destination.key() != pool_vault.key() @ IotokenError::PoolAsDestination,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<DrawEpochPool>, pool: u8) -> Result<()> {
    let index = usize::from(pool);
    let accounts = ctx.accounts;
    let distributor = accounts.config.pool_distributors[index];
    require!(
        distributor != Pubkey::default() && accounts.distributor.key() == distributor,
        IotokenError::NotPoolDistributor
    );
    let record = &mut accounts.epoch_record;
    require!(!record.drawn[index], IotokenError::PoolAlreadyDrawn);
    record.drawn[index] = true;
    let amount = record.pools[index];
    let epoch = record.epoch;

    transfer_tokens(
        &accounts.token_program.to_account_info(),
        &accounts.pool_vault.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.config.to_account_info(),
        &[&[CONFIG_SEED, &[accounts.config.bump]]],
        amount,
    )?;
    emit!(EpochPoolDrawn {
        pool,
        epoch,
        amount,
        distributor: accounts.distributor.key(),
        destination: accounts.destination.key(),
    });
    Ok(())
}
