//! Shared test vectors: the Rust side computes them here, `sdk/test-vectors/iotoken.json` holds
//! them, and the sdk's tests assert its TypeScript mirror produces the same numbers. This test
//! fails when the file is stale; `IOGRID_WRITE_VECTORS=1 cargo test -p iotoken --lib` rewrites it.

use {
    super::{emission::*, presets::*, price::*, *},
    crate::{
        shared_vectors::{check, list},
        state::EmissionRow,
    },
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

    let mut breakers = Vec::new();
    for (start, minted, now, window, max, amount) in [
        (1_000_000i64, 0u64, 1_000_050i64, 100i64, 10u64, 10u64),
        (1_000_000, 10, 1_000_099, 100, 10, 1),
        (1_000_000, 10, 1_000_100, 100, 10, 1),
        (0, 0, 1_767_225_599, 86_400, 5_000_000_000, 4_999_999_999),
    ] {
        let after = match breaker_after_mint(start, minted, now, window, max, amount) {
            Ok((s, m)) => format!("{{\"windowStart\": {s}, \"minted\": \"{m}\"}}"),
            Err(_) => "null".to_string(),
        };
        breakers.push(format!(
            "{{\"windowStart\": {start}, \"minted\": \"{minted}\", \"now\": {now}, \"window\": {window}, \"max\": \"{max}\", \"amount\": \"{amount}\", \"after\": {after}}}"
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
        "{{\n  \"decayStart\": {DECAY_START},\n  \"decay\": {},\n  \"halving\": {},\n  \"genesisAllocations\": {:?},\n  \"emission\": {},\n  \"epochMintParams\": {{\"splitBps\": [6000, 2500, 1000, 500], \"crankTip\": \"{}\", \"netSmoothingEpochs\": \"24\", \"netCapPerEpoch\": \"{}\"}},\n  \"epochMints\": {},\n  \"conversions\": {},\n  \"prices\": {},\n  \"emas\": {},\n  \"breakers\": {},\n  \"netDraws\": {}\n}}\n",
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
        list(breakers),
        list(nets),
    )
}

#[test]
fn shared_test_vectors_are_fresh() {
    check("iotoken.json", &vectors(), "iotoken");
}
