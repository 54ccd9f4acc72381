use {
    crate::{
        errors::IotokenError, events::PriceFeedHaltChanged, math::price::updater_halt_until,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Halts burn-mint and the market's IO conversions, or resumes them.
///
/// - The config authority halts until it resumes, and resumes any halt.
/// - A price updater halts for `guards.updater_halt_secs` (so whoever sees a bad market first can
///   stop it), at most once per `guards.updater_halt_cooldown_secs`; a halt by another updater
///   while one is in force extends it to the later end. So one rogue updater holds the feed
///   halted at most one halt's length per cooldown, and keeping it halted longer takes several
///   updaters or the authority. An updater cannot shorten or lift a halt.
#[derive(Accounts)]
pub struct SetPriceHalted<'info> {
    pub signer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [PRICE_FEED_SEED], bump = price_feed.bump)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
}

pub fn handler(ctx: Context<SetPriceHalted>, halted: bool) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let signer = ctx.accounts.signer.key();
    let config = &ctx.accounts.config;
    let feed = &mut ctx.accounts.price_feed;
    let halted_before = feed.is_halted(now);
    let expires_at_before = feed.halt_expires_at;
    if halted {
        require!(
            signer == config.authority || config.is_price_updater(&signer),
            IotokenError::NotAuthorityOrUpdater
        );
        require!(
            !feed.is_halted_by_authority(),
            IotokenError::PriceFeedAlreadyHalted
        );
        if signer == config.authority {
            feed.halt_expires_at = 0;
        } else {
            let guards = config.guards;
            feed.record_updater_halt(
                &signer,
                now,
                guards.updater_halt_cooldown_secs,
                &config.price_updaters,
            )?;
            feed.halt_expires_at = updater_halt_until(
                feed.halted,
                feed.halt_expires_at,
                now,
                guards.updater_halt_secs,
            )?;
        }
        feed.halted = true;
    } else {
        require_keys_eq!(signer, config.authority, IotokenError::NotConfigAuthority);
        // An updater's halt that has expired is still cleared (and its end forgotten).
        require!(feed.halted, IotokenError::PriceFeedNotHalted);
        feed.halted = false;
        feed.halt_expires_at = 0;
    }
    emit!(PriceFeedHaltChanged {
        by: signer,
        halted,
        halted_before,
        expires_at_before,
        expires_at_after: feed.halt_expires_at,
    });
    Ok(())
}
