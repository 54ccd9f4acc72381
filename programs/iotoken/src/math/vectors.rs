//! Shared test vectors: the Rust side computes them here, `sdk/test-vectors/iotoken.json` holds
//! them, and the sdk's tests assert its TypeScript mirror produces the same numbers. This test
//! fails when the file is stale; `IOGRID_WRITE_VECTORS=1 cargo test -p iotoken --lib` rewrites it.

use {
    super::{emission::*, presets::*, price::*, *},
    crate::{
        shared_vectors::{check, list},
        state::{EmissionRow, OracleParams, PriceFeed, UpdaterHalt, MAX_PRICE_UPDATERS},
    },
    anchor_lang::prelude::Pubkey,
};

/// The decay preset's start in the vectors (an hour boundary).
const DECAY_START: i64 = 1_767_225_600;

fn rows_json(rows: &[EmissionRow]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| format!("[{}, \"{}\"]", r.start_time, r.emission_per_epoch))
        .collect();
    format!("[{}]", rows.join(", "))
}

fn vectors() -> String {
    let decay = decay_preset(DECAY_START);
    let halving = halving_preset();
    let mut emission = Vec::new();
    for (name, rows) in [("decay", &decay), ("halving", &halving)] {
        for (from, to) in [
            (0u64, 1u64),
            (0, 8_760),
            (8_760, 17_520),
            (100_000, 150_000),
            (0, 400_000),
        ] {
            emission.push(format!(
                "{{\"preset\": \"{name}\", \"epoch\": {from}, \"rate\": \"{}\", \"to\": {to}, \"cumulative\": \"{}\"}}",
                scheduled_emission(rows, from).unwrap(),
                cumulative_emission(rows, from, to).unwrap()
            ));
        }
    }

    let params = EpochMintParams {
        split_bps: [6_000, 2_500, 1_000, 500],
        crank_tip: 10 * IO,
        net_smoothing_epochs: 24,
        net_cap_per_epoch: 1_000 * IO,
    };
    let mut mints = Vec::new();
    for (rate, cumulative, backlog, supply) in [
        (4_566_210_045_662u64, 0u64, 0u64, GENESIS_SUPPLY),
        (1_000 * IO + 7, 0, 123_456_789_012, GENESIS_SUPPLY),
        (100, EMISSION_BUDGET - 40, 0, GENESIS_SUPPLY),
        (100, 0, 1_000_000, IO_SUPPLY_CAP - 130),
        (3, 0, 5, GENESIS_SUPPLY),
    ] {
        let m = epoch_mint(rate, cumulative, backlog, supply, &params).unwrap();
        mints.push(format!(
            "{{\"rate\": \"{rate}\", \"cumulativeScheduled\": \"{cumulative}\", \"backlog\": \"{backlog}\", \"supply\": \"{supply}\", \"scheduled\": \"{}\", \"net\": \"{}\", \"pools\": [\"{}\", \"{}\", \"{}\", \"{}\"], \"crankTip\": \"{}\"}}",
            m.scheduled, m.net, m.pools[0], m.pools[1], m.pools[2], m.pools[3], m.crank_tip
        ));
    }

    let mut conversions = Vec::new();
    for (amount, price) in [
        (IO, 125_000_000u64),
        (79, 125_000_000),
        (80, 125_000_000),
        (123_456_789_012, 987_654_321),
        (1, 1),
        (50_000_000 * IO, 3_141_592_653),
    ] {
        conversions.push(format!(
            "{{\"amount\": \"{amount}\", \"price\": \"{price}\", \"iosdForIo\": \"{}\", \"ioForIosd\": \"{}\"}}",
            iosd_for_io(amount, price).unwrap(),
            io_for_iosd(amount, price).unwrap()
        ));
    }

    let mut prices = Vec::new();
    for (price, ema, confidence) in [
        (125_000_000u64, 120_000_000u64, 1_000_000u64),
        (110_000_000, 125_000_000, 0),
        (125_000_000, 125_000_000, 62_500_000),
        (99, 100, 49),
    ] {
        let conservative = conservative_price(price, ema, confidence)
            .map_or("null".to_string(), |p| format!("\"{p}\""));
        prices.push(format!(
            "{{\"price\": \"{price}\", \"ema\": \"{ema}\", \"confidence\": \"{confidence}\", \"conservative\": {conservative}, \"within100Bps\": {}}}",
            confidence_within(price, confidence, 100)
        ));
    }

    let mut emas = Vec::new();
    for (previous, price, elapsed, window) in [
        (0u64, 125_000_000u64, 0i64, 3_600i64),
        (100_000_000, 200_000_000, 900, 3_600),
        (200_000_000, 100_000_000, 900, 3_600),
        (100_000_007, 100_000_000, 1, 3_600),
        (123_456_789, 98_765_432, 1_234, 3_600),
        (5, 9, 7_200, 3_600),
    ] {
        emas.push(format!(
            "{{\"previous\": \"{previous}\", \"price\": \"{price}\", \"elapsed\": {elapsed}, \"window\": {window}, \"ema\": \"{}\"}}",
            next_ema(previous, price, elapsed, window)
        ));
    }

    let mut bounded_emas = Vec::new();
    for (previous, price, elapsed, window, rate, cap) in [
        (
            100_000_000u64,
            100_000_000_000u64,
            10i64,
            3_600i64,
            3_600u64,
            200u64,
        ),
        (100_000_000, 100_000, 10, 3_600, 3_600, 200),
        (100_000_000, 50_000_000, 3_600, 3_600, 3_600, 200),
        (120_000_000, 125_000_000, 900, 3_600, 3_600, 200),
        (0, 123, 0, 3_600, 3_600, 200),
        (123_456_789, 987_654_321, 77, 600, 100, 10),
        (u64::MAX, 1, i64::MAX, 60, 100_000, 5_000),
    ] {
        bounded_emas.push(format!(
            "{{\"previous\": \"{previous}\", \"price\": \"{price}\", \"elapsed\": \"{elapsed}\", \"window\": \"{window}\", \"stepBpsPerHour\": \"{rate}\", \"maxStepBps\": \"{cap}\", \"bound\": \"{}\", \"ema\": \"{}\"}}",
            ema_step_bound(previous, elapsed, rate, cap),
            bounded_ema(previous, price, elapsed, window, rate, cap)
        ));
    }

    let mut deviations = Vec::new();
    for (price, ema, bps) in [
        (110_000_000u64, 100_000_000u64, 1_000u64),
        (110_000_001, 100_000_000, 1_000),
        (89_999_999, 100_000_000, 1_000),
        (100_000_000_000, 100_100_000, 1_000),
        (1, 0, 10_000),
        (u64::MAX, u64::MAX / 2, 10_000),
    ] {
        deviations.push(format!(
            "{{\"price\": \"{price}\", \"ema\": \"{ema}\", \"maxDeviationBps\": \"{bps}\", \"within\": {}}}",
            deviation_within(price, ema, bps)
        ));
    }

    let mut halts = Vec::new();
    for (halted, expires_at, now, duration) in [
        (false, 0i64, 50i64, 3_600i64),
        (true, 0, 50, 3_600),
        (true, 9_000, 50, 3_600),
        (true, 1_000, 50, 3_600),
        (true, 50, 50, 3_600),
    ] {
        let until = updater_halt_until(halted, expires_at, now, duration).unwrap();
        halts.push(format!(
            "{{\"halted\": {halted}, \"expiresAt\": \"{expires_at}\", \"now\": \"{now}\", \"duration\": \"{duration}\", \"inForce\": {}, \"until\": \"{until}\"}}",
            halt_in_force(halted, expires_at, now)
        ));
    }

    // `PriceFeed::usable_price` as a whole: the oracle is 600 s staleness, 2% confidence.
    let oracle = OracleParams {
        max_staleness_secs: 600,
        max_confidence_bps: 200,
        ema_window_secs: 3_600,
    };
    let mut usable = Vec::new();
    for (price, confidence, ema, publish_time, halted, expires_at, deviation, now) in [
        (
            125_000_000u64,
            1_000_000u64,
            121_250_000u64,
            1_000i64,
            false,
            0i64,
            1_000u16,
            1_600i64,
        ),
        (
            125_000_000,
            1_000_000,
            121_250_000,
            1_000,
            false,
            0,
            1_000,
            1_601,
        ),
        (
            125_000_000,
            1_000_000,
            121_250_000,
            1_000,
            true,
            0,
            1_000,
            1_100,
        ),
        (
            125_000_000,
            1_000_000,
            121_250_000,
            1_000,
            true,
            1_100,
            1_000,
            1_099,
        ),
        (
            125_000_000,
            1_000_000,
            121_250_000,
            1_000,
            true,
            1_100,
            1_000,
            1_100,
        ),
        (
            125_000_000,
            2_500_001,
            125_000_000,
            1_000,
            false,
            0,
            1_000,
            1_000,
        ),
        (
            100_000_000_000,
            0,
            100_100_000,
            1_000,
            false,
            0,
            1_000,
            1_000,
        ),
        (110_000_000, 0, 100_000_000, 1_000, false, 0, 1_000, 1_000),
        (110_000_001, 0, 100_000_000, 1_000, false, 0, 1_000, 1_000),
        (125_000_000, 0, 125_000_000, 0, false, 0, 1_000, 100),
        (2, 1, 2, 1_000, false, 0, 1_000, 1_000),
    ] {
        let feed = PriceFeed {
            price,
            confidence,
            ema,
            publish_time,
            last_updater: Pubkey::default(),
            halted,
            bump: 0,
            max_deviation_bps: deviation,
            halt_expires_at: expires_at,
            updater_halts: [UpdaterHalt::default(); MAX_PRICE_UPDATERS],
            _reserved: [0; 64],
        };
        let result = match feed.usable_price(&oracle, now) {
            Ok(p) => format!("\"{p}\""),
            Err(anchor_lang::error::Error::AnchorError(e)) => format!("\"{}\"", e.error_name),
            Err(e) => panic!("{e}"),
        };
        usable.push(format!(
            "{{\"price\": \"{price}\", \"confidence\": \"{confidence}\", \"ema\": \"{ema}\", \"publishTime\": \"{publish_time}\", \"halted\": {halted}, \"haltExpiresAt\": \"{expires_at}\", \"maxDeviationBps\": {deviation}, \"now\": \"{now}\", \"usable\": {result}}}"
        ));
    }

    let mut breakers = Vec::new();
    for (used, updated_at, now, window, max, burst_bps, amount) in [
        (0u64, 0i64, 1_000i64, 100i64, 10_000u64, 5_000u64, 5_000u64),
        (5_000, 1_000, 1_000, 100, 10_000, 5_000, 1),
        (5_000, 1_000, 1_001, 100, 10_000, 5_000, 50),
        (5_000, 1_000, 1_001, 100, 10_000, 5_000, 51),
        (5_000, 1_000, 1_100, 100, 10_000, 5_000, 5_000),
        (3, 0, 2, 7, 6, 5_000, 1),
        (3, 0, 3, 7, 6, 5_000, 1),
        (3, 10, 5, 7, 6, 5_000, 0),
        (
            1_234_567,
            1_767_225_600,
            1_767_229_199,
            86_400,
            5_000_000_000,
            5_000,
            2_500_000_000,
        ),
        (
            0,
            0,
            1_767_225_599,
            3_600,
            1_000_000_000_000,
            9_000,
            900_000_000_000,
        ),
    ] {
        let state = BreakerState { used, updated_at };
        let (_, refill) = breaker_capacity(max, burst_bps).unwrap();
        let drained = breaker_drained(state, now, window, refill);
        let after = match breaker_after_mint(state, now, window, max, burst_bps, amount) {
            Ok(a) => format!(
                "{{\"used\": \"{}\", \"updatedAt\": \"{}\"}}",
                a.used, a.updated_at
            ),
            Err(_) => "null".to_string(),
        };
        breakers.push(format!(
            "{{\"used\": \"{used}\", \"updatedAt\": \"{updated_at}\", \"now\": \"{now}\", \"window\": \"{window}\", \"max\": \"{max}\", \"burstBps\": \"{burst_bps}\", \"amount\": \"{amount}\", \"drained\": {{\"used\": \"{}\", \"updatedAt\": \"{}\"}}, \"after\": {after}}}",
            drained.used, drained.updated_at
        ));
    }

    let nets: Vec<String> = [
        (0u64, 24u64, 100u64),
        (1, 24, 100),
        (241, 24, 100),
        (1_000_000, 24, 100),
    ]
    .iter()
    .map(|&(b, s, c)| {
        format!(
            "{{\"backlog\": \"{b}\", \"smoothing\": \"{s}\", \"cap\": \"{c}\", \"draw\": \"{}\"}}",
            net_emission_draw(b, s, c)
        )
    })
    .collect();

    format!(
        "{{\n  \"decayStart\": {DECAY_START},\n  \"decay\": {},\n  \"halving\": {},\n  \"genesisAllocations\": {:?},\n  \"emission\": {},\n  \"epochMintParams\": {{\"splitBps\": [6000, 2500, 1000, 500], \"crankTip\": \"{}\", \"netSmoothingEpochs\": \"24\", \"netCapPerEpoch\": \"{}\"}},\n  \"epochMints\": {},\n  \"conversions\": {},\n  \"prices\": {},\n  \"emas\": {},\n  \"boundedEmas\": {},\n  \"deviations\": {},\n  \"halts\": {},\n  \"usable\": {{\"maxStalenessSecs\": \"600\", \"maxConfidenceBps\": 200, \"cases\": {}}},\n  \"breakers\": {},\n  \"netDraws\": {}\n}}\n",
        rows_json(&decay),
        rows_json(&halving),
        genesis_allocations().map(|a| a.to_string()),
        list(emission),
        10 * IO,
        1_000 * IO,
        list(mints),
        list(conversions),
        list(prices),
        list(emas),
        list(bounded_emas),
        list(deviations),
        list(halts),
        list(usable),
        list(breakers),
        list(nets),
    )
}

#[test]
fn shared_test_vectors_are_fresh() {
    check("iotoken.json", &vectors(), "iotoken");
}
