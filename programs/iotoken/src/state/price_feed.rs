use anchor_lang::prelude::*;

/// The IO/USD price, written only by the config's updaters. Prices are USD per whole IO with
/// `PRICE_DECIMALS` (8) decimals.
#[account]
#[derive(InitSpace, Debug)]
pub struct PriceFeed {
    pub price: u64,
    /// One standard deviation of the price, same units.
    pub confidence: u64,
    /// Exponential moving average, maintained on chain (see `math::price::next_ema`).
    pub ema: u64,
    /// Unix time of the last published price; 0 before the first.
    pub publish_time: i64,
    pub last_updater: Pubkey,
    /// While set, burn-mint is refused.
    pub halted: bool,
    pub bump: u8,
}
