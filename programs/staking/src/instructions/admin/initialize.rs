use {
    crate::{events::ConfigInitialized, state::*, validation::*},
    anchor_lang::prelude::*,
    anchor_spl::token::Mint,
    iotoken::state::IO_MINT_SEED,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    pub stake: StakeParams,
    pub slashing: SlashParams,
    pub governance: GovernanceParams,
    pub gpu_classes: Vec<GpuClass>,
    /// Programs whose `["slasher"]` PDA may slash (registry, market); may be empty until they exist.
    pub slasher_programs: Vec<Pubkey>,
}

/// Creates the config. The signer becomes its authority until the migration hands it to the
/// governance PDA.
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init,
        payer = authority,
        space = 8 + StakingConfig::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Box<Account<'info, StakingConfig>>,
    #[account(seeds = [IO_MINT_SEED], bump, seeds::program = iotoken::ID)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: data-less PDA; only its address and bump are recorded.
    #[account(seeds = [GOVERNANCE_SEED], bump)]
    pub governance: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    validate_stake_params(&args.stake)?;
    validate_slash_params(&args.slashing)?;
    validate_governance_params(&args.governance)?;
    validate_gpu_classes(&args.gpu_classes)?;
    validate_slasher_programs(&args.slasher_programs)?;

    let config = &mut ctx.accounts.config;
    config.authority = ctx.accounts.authority.key();
    config.io_mint = ctx.accounts.io_mint.key();
    config.stake = args.stake;
    config.slashing = args.slashing;
    config.governance = args.governance;
    config.gpu_classes = args.gpu_classes;
    config.slashers = slashers_of(&args.slasher_programs);
    config.proposal_count = 0;
    config.bump = ctx.bumps.config;
    config.governance_bump = ctx.bumps.governance;

    emit!(ConfigInitialized {
        config: config.key(),
        authority: config.authority,
        io_mint: config.io_mint,
        governance: ctx.accounts.governance.key(),
    });
    Ok(())
}
