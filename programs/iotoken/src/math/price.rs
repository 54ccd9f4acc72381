//! IO/USD prices (8 decimals, USD per whole IO), the conservative price burn-mint uses, the
//! on-chain EMA, and the IOSD circuit breaker. Rounding always favours the protocol.

use {
    super::{SafeMath, BPS_DENOMINATOR, IOSD_PER_IO_PRICE_DIVISOR},
    crate::errors::IotokenError,
    anchor_lang::prelude::*,
};

/// The price burn-mint values IO at: the lower of spot and EMA, minus twice the confidence
/// (Helium's data-credit rule, made stricter by also taking the spot when it is lower). `None`
/// when nothing positive is left.
pub fn conservative_price(price: u64, ema: u64, confidence: u64) -> Option<u64> {
    price
        .min(ema)
        .checked_sub(confidence.checked_mul(2)?)
        .filter(|price| *price > 0)
}

/// Whether `confidence` is within `max_confidence_bps` of `price`.
pub fn confidence_within(price: u64, confidence: u64, max_confidence_bps: u64) -> bool {
    (confidence as u128) * (BPS_DENOMINATOR as u128)
        <= (price as u128) * (max_confidence_bps as u128)
}

/// IOSD base units for `io_amount` IO base units at `price`, rounded down.
pub fn iosd_for_io(io_amount: u64, price: u64) -> Result<u64> {
    let iosd = (io_amount as u128).safe_mul(price as u128)? / IOSD_PER_IO_PRICE_DIVISOR;
    u64::try_from(iosd).map_err(|_| error!(IotokenError::MathOverflow))
}

/// IO base units that pay for `iosd_amount` at `price`, rounded up (the payer never pays less).
pub fn io_for_iosd(iosd_amount: u64, price: u64) -> Result<u64> {
    require!(price > 0, IotokenError::PriceNotPositive);
    let io = (iosd_amount as u128)
        .safe_mul(IOSD_PER_IO_PRICE_DIVISOR)?
        .div_ceil(price as u128);
    u64::try_from(io).map_err(|_| error!(IotokenError::MathOverflow))
}

/// The EMA after a new price: it moves toward `price` by `elapsed / window` of the gap (all the
/// way once a whole window has passed), truncating toward the previous EMA. A single bad update
/// therefore moves the EMA only as far as the time since the last one allows.
pub fn next_ema(previous_ema: u64, price: u64, elapsed_secs: i64, window_secs: i64) -> u64 {
    if previous_ema == 0 || window_secs <= 0 || elapsed_secs >= window_secs {
        return price;
    }
    let elapsed = elapsed_secs.max(0) as i128;
    let gap = price as i128 - previous_ema as i128;
    (previous_ema as i128 + gap * elapsed / window_secs as i128) as u64
}

/// Start of the fixed circuit-breaker window containing `now`.
pub fn breaker_window_start(now: i64, window_secs: i64) -> i64 {
    now - now.rem_euclid(window_secs)
}

/// The breaker's `(window_start, minted_in_window)` after minting `amount` IOSD at `now`, or
/// `CircuitBreakerTripped` if the window's limit would be passed.
pub fn breaker_after_mint(
    window_start: i64,
    minted_in_window: u64,
    now: i64,
    window_secs: i64,
    max_per_window: u64,
    amount: u64,
) -> Result<(i64, u64)> {
    let current = breaker_window_start(now, window_secs);
    let already = if current == window_start {
        minted_in_window
    } else {
        0
    };
    let minted = already.safe_add(amount)?;
    require!(
        minted <= max_per_window,
        IotokenError::CircuitBreakerTripped
    );
    Ok((current, minted))
}

#[cfg(test)]
mod tests {
    use {super::*, crate::math::IO};

    /// 1.25 USD per IO.
    const PRICE: u64 = 125_000_000;

    #[test]
    fn conservative_price_takes_the_lower_side() {
        assert_eq!(
            conservative_price(PRICE, 120_000_000, 1_000_000),
            Some(118_000_000)
        );
        assert_eq!(conservative_price(110_000_000, PRICE, 0), Some(110_000_000));
        assert_eq!(conservative_price(PRICE, PRICE, PRICE / 2), None);
        assert_eq!(conservative_price(PRICE, PRICE, u64::MAX), None);
    }

    #[test]
    fn confidence_bound_is_inclusive() {
        assert!(confidence_within(PRICE, PRICE / 100, 100));
        assert!(!confidence_within(PRICE, PRICE / 100 + 1, 100));
        assert!(confidence_within(u64::MAX, u64::MAX, 10_000));
    }

    #[test]
    fn iosd_conversion_rounds_in_the_protocols_favour() {
        // 1 IO at 1.25 USD = 1.25 IOSD.
        assert_eq!(iosd_for_io(IO, PRICE).unwrap(), 1_250_000);
        // 1 base unit of IO is worth 1.25e-8 USD; one IOSD base unit (1e-6 USD) takes 80.
        assert_eq!(iosd_for_io(1, PRICE).unwrap(), 0);
        assert_eq!(iosd_for_io(79, PRICE).unwrap(), 0);
        assert_eq!(iosd_for_io(80, PRICE).unwrap(), 1);
        assert_eq!(io_for_iosd(1_250_000, PRICE).unwrap(), IO);
        assert_eq!(io_for_iosd(1, PRICE).unwrap(), 80);
        assert_eq!(io_for_iosd(2, 300_000_000).unwrap(), 67);
        assert!(iosd_for_io(u64::MAX, u64::MAX).is_err());
        // Round trip never creates value: IOSD back to IO costs at least the IO burned.
        for io in [1u64, 79, 80, 123_456_789, 987 * IO + 1] {
            let iosd = iosd_for_io(io, PRICE).unwrap();
            assert!(io_for_iosd(iosd, PRICE).unwrap() <= io);
        }
    }

    #[test]
    fn ema_moves_by_elapsed_share_of_the_window() {
        assert_eq!(next_ema(0, PRICE, 0, 3_600), PRICE);
        assert_eq!(next_ema(100_000_000, 200_000_000, 900, 3_600), 125_000_000);
        assert_eq!(next_ema(200_000_000, 100_000_000, 900, 3_600), 175_000_000);
        assert_eq!(
            next_ema(100_000_000, 200_000_000, 3_600, 3_600),
            200_000_000
        );
        assert_eq!(next_ema(100_000_000, 100_000_007, 1, 3_600), 100_000_000);
        assert_eq!(next_ema(100_000_007, 100_000_000, 1, 3_600), 100_000_007);
    }

    #[test]
    fn breaker_counts_per_fixed_window() {
        let start = breaker_window_start(1_000_050, 100);
        assert_eq!(start, 1_000_000);
        assert_eq!(
            breaker_after_mint(start, 0, 1_000_050, 100, 10, 10).unwrap(),
            (start, 10)
        );
        assert_eq!(
            breaker_after_mint(start, 10, 1_000_099, 100, 10, 1).unwrap_err(),
            error!(IotokenError::CircuitBreakerTripped)
        );
        assert_eq!(
            breaker_after_mint(start, 10, 1_000_100, 100, 10, 1).unwrap(),
            (1_000_100, 1)
        );
    }
}
