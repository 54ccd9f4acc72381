use {
    crate::{math::*, state::*},
    anchor_lang::prelude::*,
    iotoken::state::{PriceFeed, TokenConfig},
};

/// The fee rates and conversion a reservation's charges are quoted with now: iotoken's fees for
/// the payment token and, for IO, its price feed's conservative price (refused while halted,
/// stale or too uncertain).
pub fn payment_terms(
    payment_token: PaymentToken,
    token_config: &TokenConfig,
    price_feed: &PriceFeed,
    now: i64,
) -> Result<(QuoteRates, Conversion)> {
    let fees = &token_config.fees;
    let (payment_fee_bps, conversion) = match payment_token {
        PaymentToken::Iosd => (fees.iosd_payment_fee_bps, Conversion::Par),
        PaymentToken::Usdc => (fees.usdc_payment_fee_bps, Conversion::Par),
        PaymentToken::Io => (
            fees.io_payment_fee_bps,
            Conversion::Io {
                price: price_feed.usable_price(&token_config.oracle, now)?,
            },
        ),
    };
    let rates = QuoteRates {
        reservation_fee_bps: fees.reservation_fee_bps,
        payment_fee_bps,
        settle_tip: fees.settle_tip,
    };
    Ok((rates, conversion))
}
