use {
    crate::{
        errors::StakingError, events::AuthorityChanged, validation::validate_authority,
        UpdateConfig,
    },
    anchor_lang::prelude::*,
};

/// Hands the config to a new authority: the migration hands it to the governance PDA.
pub fn handler(ctx: Context<UpdateConfig>, new_authority: Pubkey) -> Result<()> {
    validate_authority(&new_authority)?;
    let config = &mut ctx.accounts.config;
    require_keys_neq!(
        new_authority,
        config.authority,
        StakingError::NothingToUpdate
    );
    let before = config.authority;
    config.authority = new_authority;
    emit!(AuthorityChanged {
        before,
        after: new_authority,
    });
    Ok(())
}
