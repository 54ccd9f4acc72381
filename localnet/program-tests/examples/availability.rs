//! Benchmark (not a test): what availability costs per device-hour, per-device attestations
//! against the Merkle-root prototype, at 1,000 and 100,000 devices (or `--devices a,b,...`).
//!
//! Runs the real programs natively inside LiteSVM, set up as the availability tests set them up
//! (iotoken emitting, registry rewards linked, staking initialised): registers the devices, then
//! - per-device: two keepers each pass every device for one epoch (the default rule attests a
//!   device on its second pass), two devices per legacy transaction (the most that fit), each
//!   with its agent's Ed25519 signature;
//! - roots: one keeper posts one root per 8,192-device shard of the ended epoch, and every
//!   device's leaf is proven once (one transaction per device).
//!
//! Lamports are measured as balance changes of the paying keys (fees and rent), bytes as wire
//! sizes of the transactions sent. Times are single-threaded native execution, not a validator's.
//!
//! Usage: cargo run -q -p iogrid-program-tests --example availability [-- --devices 1000,100000]

// The tests' harness, used in part here.
#![allow(dead_code, unused_imports, clippy::result_large_err)]

#[path = "../tests/availability/common.rs"]
mod common;

use {
    common::*,
    registry::{
        merkle::{tree, MAX_LEAVES_PER_SHARD},
        state::AvailabilityParams,
        UpdateConfigArgs,
    },
    solana_signer::Signer,
    std::time::Instant,
};

/// One variant's totals for one epoch of `devices` devices.
#[derive(Default)]
struct Cost {
    transactions: u64,
    bytes: u64,
    lamports: u64,
    seconds: f64,
}

impl std::ops::Add<&Cost> for &Cost {
    type Output = Cost;

    fn add(self, other: &Cost) -> Cost {
        Cost {
            transactions: self.transactions + other.transactions,
            bytes: self.bytes + other.bytes,
            lamports: self.lamports + other.lamports,
            seconds: self.seconds + other.seconds,
        }
    }
}

impl Cost {
    fn print(&self, name: &str, devices: u64) {
        let per_device = |value: u64| value as f64 / devices as f64;
        let rate = if self.seconds > 0.0 {
            format!("{:.0} devices/s", devices as f64 / self.seconds)
        } else {
            String::new()
        };
        println!(
            "  {name:<28} {:>7} txs {:>11} bytes {:>13} lamports | per device-hour: {:>5.3} txs {:>6.1} bytes {:>7.1} lamports | {rate}",
            self.transactions,
            self.bytes,
            self.lamports,
            per_device(self.transactions),
            per_device(self.bytes),
            per_device(self.lamports),
        );
    }
}

fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip_while(|arg| arg != "--devices")
        .nth(1)
        .unwrap_or_else(|| "1000,100000".to_string())
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .expect("--devices takes counts like 1000,100000")
        })
        .collect();
    println!("availability cost per epoch (one hour), measured on the native programs");
    for count in counts {
        run(count);
    }
}

fn run(count: usize) {
    let mut chain = Chain::new();
    // Every device owner is funded from LiteSVM's faucet; 100,000 of them need more than its
    // default balance.
    chain.svm = std::mem::take(&mut chain.svm).with_lamports(u64::MAX / 4);
    let keeper = chain.keeper();
    let started = Instant::now();
    let devices: Vec<TestDevice> = (0..count).map(|_| chain.register_device(H100, 8)).collect();
    println!(
        "\n{count} devices (registered in {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    // Per-device attestations: every device, two per transaction, in one epoch, by two keepers
    // (the default rule attests a device on its second pass by a distinct assigned keeper; the
    // bench's grid puts every keeper on every committee).
    let authority = chain.authority.pubkey();
    let default_rule = UpdateConfigArgs {
        availability: Some(AvailabilityParams {
            passes_required: 2,
            ..grid_rules()
        }),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::registry_update_config(&authority, None, default_rule)));
    chain.open_epoch();
    let second = chain.keeper();
    let mut passes = Vec::with_capacity(2);
    for attester in [&keeper, &second] {
        let payer = attester.authority.pubkey();
        let before = chain.balance(&payer);
        let started = Instant::now();
        let mut cost = Cost::default();
        for batch in devices.chunks(2) {
            let batch: Vec<&TestDevice> = batch.iter().collect();
            let signed = chain.signed_probes(&attester.key, &batch);
            let attest = ix::attest(&payer, chain.epoch(), &pool_pairs(&batch), &[]);
            let instructions = [ed25519_instruction(&signed), attest];
            let (bytes, _) = wire_size(&transaction_of(
                &chain.svm,
                &instructions,
                &[&attester.authority],
            ));
            succeeded(chain.send_all(&instructions, &[&attester.authority]));
            cost.transactions += 1;
            cost.bytes += bytes as u64;
        }
        cost.seconds = started.elapsed().as_secs_f64();
        cost.lamports = before - chain.balance(&payer);
        passes.push(cost);
    }
    let one_pass = &passes[0];
    let two_passes = one_pass + &passes[1];
    let payer = keeper.authority.pubkey();

    // Roots: the ended epoch's devices in shards, one root each, then one proof per device.
    let epoch = chain.epoch();
    chain.next_epoch();
    let leaves: Vec<_> = devices
        .iter()
        .map(|device| (device.key, device.weight))
        .collect();
    let prover = chain.funded_keypair();
    let before = (chain.balance(&payer), chain.balance(&prover.pubkey()));
    let started = Instant::now();
    let mut roots = Cost::default();
    let mut proofs = Cost::default();
    for (shard, leaves) in leaves.chunks(MAX_LEAVES_PER_SHARD as usize).enumerate() {
        let shard = shard as u16;
        let (root, shard_proofs) = tree(leaves);
        let total_weight = leaves.iter().map(|(_, weight)| weight).sum();
        let post = ix::post_availability_root(
            &payer,
            epoch,
            shard,
            root,
            leaves.len() as u32,
            total_weight,
        );
        let (bytes, _) = wire_size(&transaction_of(
            &chain.svm,
            std::slice::from_ref(&post),
            &[&keeper.authority],
        ));
        succeeded(chain.send(post, &[&keeper.authority]));
        roots.transactions += 1;
        roots.bytes += bytes as u64;
        for (index, ((device, weight), proof)) in leaves.iter().zip(shard_proofs).enumerate() {
            let prove = ix::prove_availability_leaf(
                &prover.pubkey(),
                &pda::availability_root(epoch, shard, &keeper.key),
                device,
                index as u32,
                *weight,
                proof,
            );
            let (bytes, _) = wire_size(&transaction_of(
                &chain.svm,
                std::slice::from_ref(&prove),
                &[&prover],
            ));
            succeeded(chain.send(prove, &[&prover]));
            proofs.transactions += 1;
            proofs.bytes += bytes as u64;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    roots.lamports = before.0 - chain.balance(&payer);
    proofs.lamports = before.1 - chain.balance(&prover.pubkey());
    let both = Cost {
        seconds,
        ..&roots + &proofs
    };
    // With leaves carrying cumulative weight (the production design in the README), a device
    // proves once per claim, not per epoch: roots every hour, one proof per device per day.
    let daily_proofs = Cost {
        transactions: roots.transactions + proofs.transactions / 24,
        bytes: roots.bytes + proofs.bytes / 24,
        lamports: roots.lamports + proofs.lamports / 24,
        seconds: 0.0,
    };

    let devices = count as u64;
    one_pass.print("per-device: one pass", devices);
    two_passes.print("per-device: two passes", devices);
    roots.print("roots: posting", devices);
    proofs.print("roots: one proof per device", devices);
    both.print("roots: total, proof hourly", devices);
    daily_proofs.print("roots: proof daily (modeled)", devices);
}
