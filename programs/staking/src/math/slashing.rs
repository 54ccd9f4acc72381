//! Slashing: a windowed cap per pool, and the split of a slash between operator and co-stakers.

use {
    super::{bps_of, SafeMath},
    anchor_lang::prelude::*,
};

/// A pool's slash window after advancing it to `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlashWindow {
    pub start: i64,
    /// IO base units this window may slash in total.
    pub cap: u64,
    pub slashed: u64,
}

impl SlashWindow {
    /// The window in force at `now`: the stored one while it lasts, else a new one starting now
    /// whose cap is `max_slash_bps` of `total_stake`.
    pub fn at(
        stored: SlashWindow,
        now: i64,
        window_secs: i64,
        max_slash_bps: u16,
        total_stake: u64,
    ) -> Result<SlashWindow> {
        let ended = stored.start == 0 || now >= stored.start.saturating_add(window_secs);
        if !ended {
            return Ok(stored);
        }
        Ok(SlashWindow {
            start: now,
            cap: bps_of(total_stake, max_slash_bps as u64)?,
            slashed: 0,
        })
    }

    /// IO base units that may still be slashed in this window.
    pub fn remaining(&self) -> u64 {
        self.cap.saturating_sub(self.slashed)
    }
}

/// Where a slash of `amount` is taken from, in order: the operator's cooling self-stake, the
/// operator's active self-stake, then the co-stake (all positions pro-rata through the share value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlashSplit {
    pub from_operator_cooling: u64,
    pub from_operator_stake: u64,
    pub from_costake: u64,
}

pub fn split_slash(
    amount: u64,
    operator_cooling: u64,
    operator_stake: u64,
    costake_total: u64,
) -> Result<Option<SlashSplit>> {
    let from_operator_cooling = amount.min(operator_cooling);
    let rest = amount.safe_sub(from_operator_cooling)?;
    let from_operator_stake = rest.min(operator_stake);
    let from_costake = rest.safe_sub(from_operator_stake)?;
    if from_costake > costake_total {
        return Ok(None);
    }
    Ok(Some(SlashSplit {
        from_operator_cooling,
        from_operator_stake,
        from_costake,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_is_slashed_before_co_stakers() {
        let split = split_slash(150, 20, 100, 1_000).unwrap().unwrap();
        assert_eq!(
            split,
            SlashSplit {
                from_operator_cooling: 20,
                from_operator_stake: 100,
                from_costake: 30
            }
        );
        assert_eq!(split_slash(1_121, 20, 100, 1_000).unwrap(), None);
    }

    #[test]
    fn a_window_caps_slashing_until_it_ends() {
        let fresh = SlashWindow::at(
            SlashWindow {
                start: 0,
                cap: 0,
                slashed: 0,
            },
            1_000,
            86_400,
            1_000,
            5_000,
        )
        .unwrap();
        assert_eq!(
            fresh,
            SlashWindow {
                start: 1_000,
                cap: 500,
                slashed: 0
            }
        );
        let used = SlashWindow {
            slashed: 400,
            ..fresh
        };
        assert_eq!(
            SlashWindow::at(used, 50_000, 86_400, 1_000, 9_000).unwrap(),
            used
        );
        assert_eq!(used.remaining(), 100);
        let next = SlashWindow::at(used, 87_400, 86_400, 1_000, 9_000).unwrap();
        assert_eq!(
            next,
            SlashWindow {
                start: 87_400,
                cap: 900,
                slashed: 0
            }
        );
    }
}
