//! The outcome of a vote.

use crate::state::GovernanceParams;

/// Quorum over all votes cast; threshold over yes + no, strictly exceeded.
pub fn proposal_passes(yes: u64, no: u64, abstain: u64, rules: &GovernanceParams) -> bool {
    let cast = yes as u128 + no as u128 + abstain as u128;
    let quorum = cast >= rules.quorum_weight as u128;
    let threshold =
        yes as u128 * 10_000 > rules.pass_threshold_bps as u128 * (yes as u128 + no as u128);
    quorum && threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(quorum_weight: u64, pass_threshold_bps: u16) -> GovernanceParams {
        GovernanceParams {
            voting_period_secs: 3_600,
            timelock_secs: 0,
            execution_window_secs: 3_600,
            quorum_weight,
            pass_threshold_bps,
            proposal_min_stake: 0,
        }
    }

    #[test]
    fn abstain_counts_for_quorum_only_and_the_threshold_is_strict() {
        assert!(proposal_passes(51, 49, 0, &rules(100, 5_000)));
        assert!(!proposal_passes(50, 50, 0, &rules(100, 5_000)));
        assert!(proposal_passes(2, 1, 97, &rules(100, 5_000)));
        assert!(!proposal_passes(2, 1, 96, &rules(100, 5_000)));
        assert!(!proposal_passes(66, 34, 0, &rules(100, 6_667)));
        assert!(proposal_passes(67, 33, 0, &rules(100, 6_667)));
    }
}
