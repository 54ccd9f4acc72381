use {
    crate::{errors::IotokenError, events::PricePublished, math::price::next_ema, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PublishPriceArgs {
    /// USD per whole IO, 8 decimals.
    pub price: u64,
    /// One standard deviation, same units; below `price`.
    pub confidence: u64,
    /// When the price was observed; not in the future and newer than the feed's.
    pub publish_time: i64,
}

/// An authorised updater publishes the IO/USD price; the feed's EMA follows on chain. Allowed
/// while halted, so the feed is fresh when it resumes.
#[derive(Accounts)]
pub struct PublishPrice<'info> {
    pub updater: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.is_price_updater(&updater.key()) @ IotokenError::NotPriceUpdater,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(mut, seeds = [PRICE_FEED_SEED], bump = price_feed.bump)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
}

pub fn handler(ctx: Context<PublishPrice>, args: PublishPriceArgs) -> Result<()> {
    require!(
        args.price > 0 && args.confidence < args.price,
        IotokenError::InvalidPrice
    );
    require!(
        args.publish_time <= Clock::get()?.unix_timestamp,
        IotokenError::PublishTimeInFuture
    );
    let feed = &mut ctx.accounts.price_feed;
    require!(
        args.publish_time > feed.publish_time,
        IotokenError::PublishTimeNotNewer
    );
    let ema_before = feed.ema;
    feed.ema = next_ema(
        feed.ema,
        args.price,
        args.publish_time - feed.publish_time,
        ctx.accounts.config.oracle.ema_window_secs,
    );
    feed.price = args.price;
    feed.confidence = args.confidence;
    feed.publish_time = args.publish_time;
    feed.last_updater = ctx.accounts.updater.key();
    emit!(PricePublished {
        updater: feed.last_updater,
        price: feed.price,
        confidence: feed.confidence,
        ema_before,
        ema_after: feed.ema,
        publish_time: feed.publish_time,
    });
    Ok(())
}
