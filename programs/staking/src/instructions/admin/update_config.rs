use {
    crate::{errors::StakingError, events::ConfigChanged, state::*},
    anchor_lang::prelude::*,
};

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ StakingError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, StakingConfig>>,
}

/// Applies one typed change of this program's parameters, within the same bounds a proposal
/// meets. Changes of other programs' configs go through proposals only.
pub fn handler(ctx: Context<UpdateConfig>, change: ParameterChange) -> Result<()> {
    require!(
        change.target() == ChangeTarget::Staking,
        StakingError::ChangeTargetsOtherProgram
    );
    change.validate(Clock::get()?.unix_timestamp, None)?;
    change.apply_to(&mut ctx.accounts.config)?;
    emit!(ConfigChanged {
        change,
        proposal: Pubkey::default(),
    });
    Ok(())
}
