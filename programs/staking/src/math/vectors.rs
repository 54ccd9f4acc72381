//! Shared test vectors: the Rust side computes them here, `sdk/test-vectors/staking.json` holds
//! them, and the sdk's tests assert its TypeScript mirror produces the same numbers. This test
//! fails when the file is stale; `IOGRID_WRITE_VECTORS=1 cargo test -p staking --lib` rewrites it.

use {
    super::{governance::*, rewards::*, shares::*, slashing::*, stake::*, *},
    crate::state::{GovernanceParams, GpuClass},
    iotoken::shared_vectors::{check, list},
};

/// A result as JSON: the number as a string, or `null` for an error.
fn num<T: ToString>(value: anchor_lang::Result<T>) -> String {
    value.map_or("null".into(), |v| format!("\"{}\"", v.to_string()))
}

fn gpu_classes() -> Vec<GpuClass> {
    [
        ("H200", 500),
        ("H100", 400),
        ("A100", 300),
        ("RTX 4090", 150),
        ("T4", 50),
    ]
    .map(|(pattern, multiplier_centi)| GpuClass {
        pattern: pattern.into(),
        multiplier_centi,
    })
    .to_vec()
}

fn vectors() -> String {
    let mut shares = Vec::new();
    for (amount, total, total_shares) in [
        (500u64, 0u64, 0u64),
        (400, 800, 1_000),
        (1, 10, 3),
        (4, 10, 3),
        (123_456_789_012, 987_654_321, 1_000_000_007),
        (100, 0, 50),
        (u64::MAX / 2, u64::MAX / 3, u64::MAX / 5),
    ] {
        shares.push(format!(
            "{{\"amount\": \"{amount}\", \"total\": \"{total}\", \"totalShares\": \"{total_shares}\", \"sharesForDeposit\": {}, \"valueOfShares\": {}, \"sharesForAmount\": {}}}",
            num(shares_for_deposit(amount, total, total_shares)),
            num(value_of_shares(amount, total, total_shares)),
            num(shares_for_amount(amount, total, total_shares)),
        ));
    }

    let mut rewards = Vec::new();
    for (amount, active_shares, shares, debt_index) in [
        (100u64, 3u64, 1u64, 0u128),
        (100, 3, 2, 0),
        (1_000 * IO + 7, 123_456_789, 5_000_000, 17),
        (1, 1_000_000_000_000, 999_999_999_999, 0),
        (u64::MAX, 1, 1, 0),
    ] {
        let increase = index_increase(amount, active_shares).unwrap();
        let debt = reward_debt(shares, debt_index).unwrap();
        rewards.push(format!(
            "{{\"amount\": \"{amount}\", \"activeShares\": \"{active_shares}\", \"indexIncrease\": \"{increase}\", \"shares\": \"{shares}\", \"debtIndex\": \"{debt_index}\", \"pending\": {}}}",
            num(pending_rewards(shares, increase + debt_index, debt)),
        ));
    }

    let mut weights = Vec::new();
    for (stake, lock_remaining) in [
        (1_000u64, 0i64),
        (1_000, -5),
        (1_000, MIN_LOCK_SECS),
        (1_000, MAX_LOCK_SECS / 2),
        (1_000, MAX_LOCK_SECS),
        (1_000, MAX_LOCK_SECS * 3),
        (123_456_789_012, 365 * DAY_SECS + 17),
    ] {
        weights.push(format!(
            "{{\"stake\": \"{stake}\", \"lockRemainingSecs\": {lock_remaining}, \"multiplierBps\": {}, \"weight\": {}}}",
            weight_multiplier_bps(lock_remaining),
            num(voting_weight(stake, 1_000_000 + lock_remaining, 1_000_000)),
        ));
    }

    let classes = gpu_classes();
    let mut minimums = Vec::new();
    for (model, gpu_count) in [
        ("NVIDIA H100 80GB HBM3", 8u16),
        ("nvidia h200", 1),
        ("NVIDIA A100-SXM4-40GB", 4),
        ("GeForce RTX 4090", 2),
        ("Tesla T4", 4),
        ("AMD Instinct MI300X", 8),
    ] {
        let multiplier = gpu_class_multiplier(&classes, model);
        minimums.push(format!(
            "{{\"model\": \"{model}\", \"gpuCount\": {gpu_count}, \"multiplierCenti\": {multiplier}, \"minimumStake\": {}}}",
            num(minimum_stake(200 * IO, multiplier, gpu_count)),
        ));
    }
    let classes_json: Vec<String> = classes
        .iter()
        .map(|c| format!("[\"{}\", {}]", c.pattern, c.multiplier_centi))
        .collect();

    let mut slashes = Vec::new();
    for (amount, cooling, stake, costake) in [
        (150u64, 20u64, 100u64, 1_000u64),
        (50, 0, 100, 0),
        (1_121, 20, 100, 1_000),
        (500, 0, 0, 500),
    ] {
        let split = match split_slash(amount, cooling, stake, costake).unwrap() {
            Some(s) => format!(
                "[\"{}\", \"{}\", \"{}\"]",
                s.from_operator_cooling, s.from_operator_stake, s.from_costake
            ),
            None => "null".into(),
        };
        slashes.push(format!(
            "{{\"amount\": \"{amount}\", \"operatorCooling\": \"{cooling}\", \"operatorStake\": \"{stake}\", \"costakeTotal\": \"{costake}\", \"split\": {split}}}"
        ));
    }
    let mut windows = Vec::new();
    for (stored, now, total) in [
        ((0i64, 0u64, 0u64), 1_000i64, 5_000u64),
        ((1_000, 500, 400), 50_000, 9_000),
        ((1_000, 500, 400), 87_400, 9_000),
        ((1_000, 500, 500), 87_399, 9_000),
    ] {
        let stored = SlashWindow {
            start: stored.0,
            cap: stored.1,
            slashed: stored.2,
        };
        let window = SlashWindow::at(stored, now, DAY_SECS, 1_000, total).unwrap();
        windows.push(format!(
            "{{\"stored\": [{}, \"{}\", \"{}\"], \"now\": {now}, \"windowSecs\": {DAY_SECS}, \"maxSlashBps\": 1000, \"totalStake\": \"{total}\", \"window\": [{}, \"{}\", \"{}\"], \"remaining\": \"{}\"}}",
            stored.start, stored.cap, stored.slashed, window.start, window.cap, window.slashed, window.remaining()
        ));
    }

    let mut votes = Vec::new();
    for (yes, no, abstain, quorum, threshold) in [
        (51u64, 49u64, 0u64, 100u64, 5_000u16),
        (50, 50, 0, 100, 5_000),
        (2, 1, 97, 100, 5_000),
        (2, 1, 96, 100, 5_000),
        (67, 33, 0, 100, 6_667),
        (66, 34, 0, 100, 6_667),
        (u64::MAX, u64::MAX, u64::MAX, u64::MAX, 9_900),
    ] {
        let rules = GovernanceParams {
            voting_period_secs: 3_600,
            timelock_secs: 0,
            execution_window_secs: 3_600,
            quorum_weight: quorum,
            pass_threshold_bps: threshold,
            proposal_min_stake: 0,
        };
        votes.push(format!(
            "{{\"yes\": \"{yes}\", \"no\": \"{no}\", \"abstain\": \"{abstain}\", \"quorumWeight\": \"{quorum}\", \"passThresholdBps\": {threshold}, \"passes\": {}}}",
            proposal_passes(yes, no, abstain, &rules)
        ));
    }

    format!(
        "{{\n  \"rewardIndexScale\": \"{REWARD_INDEX_SCALE}\",\n  \"minLockSecs\": {MIN_LOCK_SECS},\n  \"maxLockSecs\": {MAX_LOCK_SECS},\n  \"shares\": {},\n  \"rewards\": {},\n  \"weights\": {},\n  \"gpuClasses\": [{}],\n  \"minimumStakes\": {},\n  \"slashSplits\": {},\n  \"slashWindows\": {},\n  \"votes\": {}\n}}\n",
        list(shares),
        list(rewards),
        list(weights),
        classes_json.join(", "),
        list(minimums),
        list(slashes),
        list(windows),
        list(votes),
    )
}

#[test]
fn shared_vectors_are_current() {
    check("staking.json", &vectors(), "staking");
}
