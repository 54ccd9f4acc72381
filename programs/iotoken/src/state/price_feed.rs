use {
    super::{OracleParams, MAX_PRICE_UPDATERS},
    crate::{
        errors::IotokenError,
        math::{
            price::{confidence_within, conservative_price, deviation_within, halt_in_force},
            SafeMath,
        },
    },
    anchor_lang::prelude::*,
};

/// When one price updater last halted the feed; `Pubkey::default()` for an unused entry.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct UpdaterHalt {
    pub updater: Pubkey,
    /// Unix time the halt began.
    pub halted_at: i64,
}

/// The IO/USD price, written only by the config's updaters. Prices are USD per whole IO with
/// `PRICE_DECIMALS` (8) decimals.
#[account]
#[derive(InitSpace, Debug)]
pub struct PriceFeed {
    pub price: u64,
    /// One standard deviation of the price, same units.
    pub confidence: u64,
    /// Exponential moving average, maintained on chain (see `math::price::bounded_ema`).
    pub ema: u64,
    /// Unix time of the last published price; 0 before the first.
    pub publish_time: i64,
    pub last_updater: Pubkey,
    /// Set by a halt, cleared by the authority's resume. The feed is halted while this is set and
    /// `halt_expires_at` has not passed (`is_halted`).
    pub halted: bool,
    pub bump: u8,
    /// How far (basis points of the EMA) the spot may be from the EMA for the price to be used:
    /// the config's `GuardParams::max_deviation_bps` when the price was published.
    pub max_deviation_bps: u16,
    /// When the current halt ends by itself: the end of the latest updater's halt; 0 for the
    /// authority's halt, which lasts until it resumes.
    pub halt_expires_at: i64,
    /// Each updater's latest halt, for `GuardParams::updater_halt_cooldown_secs`.
    pub updater_halts: [UpdaterHalt; MAX_PRICE_UPDATERS],
    /// Kept for fields added before a layout migration is worth it.
    pub _reserved: [u8; 64],
}

impl PriceFeed {
    /// Whether a halt is in force at `now`: the authority's until it resumes, an updater's until
    /// `halt_expires_at`.
    pub fn is_halted(&self, now: i64) -> bool {
        halt_in_force(self.halted, self.halt_expires_at, now)
    }

    /// Whether the halt in force (if any) is the authority's, which only a resume ends.
    pub fn is_halted_by_authority(&self) -> bool {
        self.halted && self.halt_expires_at == 0
    }

    /// The conservative price, if the feed may be used at `now`: not halted, not stale, not too
    /// uncertain under `oracle`, and the spot within `max_deviation_bps` of the EMA. Burn-mint
    /// and the market's IO payments read it this way.
    pub fn usable_price(&self, oracle: &OracleParams, now: i64) -> Result<u64> {
        require!(!self.is_halted(now), IotokenError::PriceFeedHalted);
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
        require!(
            deviation_within(self.price, self.ema, self.max_deviation_bps.into()),
            IotokenError::PriceDeviatesFromEma
        );
        conservative_price(self.price, self.ema, self.confidence)
            .ok_or_else(|| error!(IotokenError::PriceNotPositive))
    }

    /// Records `updater`'s halt at `now`, refusing it (`HaltCooldown`) within `cooldown_secs` of
    /// its previous one. An updater without an entry takes one of a key that is no longer an
    /// updater (there is always one: at most `MAX_PRICE_UPDATERS` updaters, entries unique).
    pub fn record_updater_halt(
        &mut self,
        updater: &Pubkey,
        now: i64,
        cooldown_secs: i64,
        updaters: &[Pubkey],
    ) -> Result<()> {
        let index = match self
            .updater_halts
            .iter()
            .position(|h| h.updater == *updater)
        {
            Some(index) => {
                let last = self.updater_halts[index].halted_at;
                require!(
                    now >= last.safe_add(cooldown_secs)?,
                    IotokenError::HaltCooldown
                );
                index
            }
            None => self
                .updater_halts
                .iter()
                .position(|h| h.updater == Pubkey::default() || !updaters.contains(&h.updater))
                .ok_or_else(|| error!(IotokenError::NotPriceUpdater))?,
        };
        self.updater_halts[index] = UpdaterHalt {
            updater: *updater,
            halted_at: now,
        };
        Ok(())
    }
}
