use {
    crate::{
        errors::IotokenError,
        events::PricePublished,
        math::{
            price::{bounded_ema, deviation_within, next_ema},
            SafeMath,
        },
        state::*,
    },
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

/// An authorised updater publishes the IO/USD price; the feed's EMA follows on chain, at most
/// `guards.ema_step_bps_per_hour` per hour since the last price and `guards.max_ema_step_bps`
/// per update. The price is stored whatever its distance from the EMA, with the deviation bound
/// its readers apply (`PriceFeed::usable_price`): a bad print stops conversions rather than
/// being used, and a real move is followed by the EMA at the bounded rate. Allowed while halted,
/// so the feed is fresh when it resumes.
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
    let config = &ctx.accounts.config;
    let guards = config.guards;
    let elapsed = args.publish_time.safe_sub(feed.publish_time)?;
    let window = config.oracle.ema_window_secs;
    let ema_before = feed.ema;
    let ema_target = next_ema(ema_before, args.price, elapsed, window);
    feed.ema = bounded_ema(
        ema_before,
        args.price,
        elapsed,
        window,
        guards.ema_step_bps_per_hour.into(),
        guards.max_ema_step_bps.into(),
    );
    feed.price = args.price;
    feed.confidence = args.confidence;
    feed.publish_time = args.publish_time;
    feed.max_deviation_bps = guards.max_deviation_bps;
    feed.last_updater = ctx.accounts.updater.key();
    emit!(PricePublished {
        updater: feed.last_updater,
        price: feed.price,
        confidence: feed.confidence,
        ema_before,
        ema_target,
        ema_after: feed.ema,
        publish_time: feed.publish_time,
        max_deviation_bps: feed.max_deviation_bps,
        within_deviation: deviation_within(feed.price, feed.ema, feed.max_deviation_bps.into()),
    });
    Ok(())
}
