use {
    crate::{errors::IotokenError, events::PoolDistributorSet, state::*},
    anchor_lang::prelude::*,
};

/// Names the program that pays reward pool `pool` out: its `["distributor"]` PDA becomes the only
/// signer of `draw_epoch_pool` for that pool. `Pubkey::default()` stops all draws from the pool.
#[derive(Accounts)]
pub struct SetPoolDistributor<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ IotokenError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
}

pub fn handler(ctx: Context<SetPoolDistributor>, pool: u8, program: Pubkey) -> Result<()> {
    let index = usize::from(pool);
    require!(index < RewardPool::ALL.len(), IotokenError::InvalidPool);
    let distributor = if program == Pubkey::default() {
        Pubkey::default()
    } else {
        Pubkey::find_program_address(&[DISTRIBUTOR_SEED], &program).0
    };
    let config = &mut ctx.accounts.config;
    let before = config.pool_distributors[index];
    require_keys_neq!(before, distributor, IotokenError::NothingToUpdate);
    config.pool_distributors[index] = distributor;
    emit!(PoolDistributorSet {
        pool,
        program,
        distributor_before: before,
        distributor_after: distributor,
    });
    Ok(())
}
