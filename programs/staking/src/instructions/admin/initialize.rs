use {
    crate::{errors::StakingError, events::ConfigInitialized, state::*, validation::*},
    anchor_lang::prelude::*,
    anchor_spl::token::Mint,
    iotoken::{deployer::expected_deployer, state::IO_MINT_SEED},
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

/// Creates the config; only the program's deployer may (co-signing). `authority` becomes its
/// authority until the migration hands it to the governance PDA.
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The program's deployer (see `iotoken::deployer`): its upgrade authority, or the program
    /// id's own key where it has none.
    pub deployer: Signer<'info>,
    /// CHECK: this program's account, read by `expected_deployer`.
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
    /// CHECK: the program's `ProgramData` address under the upgradeable loader (an empty account
    /// where it has none); `expected_deployer` checks it against the program account.
    pub program_data: UncheckedAccount<'info>,
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
    let expected = expected_deployer(
        &crate::ID,
        &ctx.accounts.program,
        &ctx.accounts.program_data,
    )
    .ok_or_else(|| error!(StakingError::ProgramDataMismatch))?;
    require_keys_eq!(
        ctx.accounts.deployer.key(),
        expected,
        StakingError::NotDeployer
    );
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
