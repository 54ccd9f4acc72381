use {
    super::OracleParams,
    crate::{
        errors::IotokenError,
        math::{
            price::{confidence_within, conservative_price},
            SafeMath,
        },
    },
    anchor_lang::prelude::*,
};

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

impl PriceFeed {
    /// The conservative price, if the feed may be used at `now`: not halted, not stale and not
    /// too uncertain under `oracle`. Burn-mint and the market's IO payments read it this way.
    pub fn usable_price(&self, oracle: &OracleParams, now: i64) -> Result<u64> {
        require!(!self.halted, IotokenError::PriceFeedHalted);
        require!(
            self.publish_time > 0 && now.safe_sub(self.publish_time)? <= oracle.max_staleness_secs,
            IotokenError::PriceStale
        );
        require!(
            confidence_within(
                self.price,
                self.confidence,
                oracle.max_confidence_bps.into()
            ),
            IotokenError::PriceTooUncertain
        );
        conservative_price(self.price, self.ema, self.confidence)
            .ok_or_else(|| error!(IotokenError::PriceNotPositive))
    }
}
