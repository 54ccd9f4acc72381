use {
    crate::{errors::IotokenError, events::PriceFeedHaltChanged, state::*},
    anchor_lang::prelude::*,
};

/// Halts burn-mint (the config authority or any price updater, so whoever sees a bad market
/// first can stop it) or resumes it (the config authority only).
#[derive(Accounts)]
pub struct SetPriceHalted<'info> {
    pub signer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [PRICE_FEED_SEED], bump = price_feed.bump)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
}

pub fn handler(ctx: Context<SetPriceHalted>, halted: bool) -> Result<()> {
    let signer = ctx.accounts.signer.key();
    let config = &ctx.accounts.config;
    let feed = &mut ctx.accounts.price_feed;
    if halted {
        require!(
            signer == config.authority || config.is_price_updater(&signer),
            IotokenError::NotAuthorityOrUpdater
        );
        require!(!feed.halted, IotokenError::PriceFeedAlreadyHalted);
    } else {
        require_keys_eq!(signer, config.authority, IotokenError::NotConfigAuthority);
        require!(feed.halted, IotokenError::PriceFeedNotHalted);
    }
    feed.halted = halted;
    emit!(PriceFeedHaltChanged { by: signer, halted });
    Ok(())
}
