//! Figures, printed rather than asserted (run with `--nocapture` to see them): transaction sizes
//! (legacy, signatures included), account counts, the compute units LiteSVM reports (a lower
//! bound for a native program: only syscall costs and a fixed entry cost are charged) and the
//! size and rent of the accounts availability adds.

use {
    crate::common::*,
    anchor_lang::{
        solana_program::{instruction::Instruction, program_pack::Pack},
        Space,
    },
    iogrid_program_tests::figures::{print_accounts, Figures, PACKET},
    iotoken::math::IO,
    registry::{
        attest_availability::MAX_DEVICES_PER_ATTESTATION,
        state::{AvailabilityEpoch, Device, Keeper, RegistryConfig},
    },
    solana_signer::Signer,
};

/// The Ed25519 check and the attestation of `devices`' current probes by `keeper`.
fn attestation(chain: &Chain, keeper: &TestKeeper, devices: &[&TestDevice]) -> Vec<Instruction> {
    let signed = chain.signed_probes(&keeper.key, devices);
    let attest = ix::attest(
        &keeper.authority.pubkey(),
        chain.epoch(),
        &pool_pairs(devices),
        &[],
    );
    vec![ed25519_instruction(&signed), attest]
}

#[test]
fn figures_compute_sizes_and_rent() {
    let mut figures = Figures::default();
    let mut chain = Chain::without_rewards();
    // Bonded before rewards begin, the keepers weigh from epoch 0.
    let keeper = chain.keeper();
    let other_keeper = chain.keeper();
    let authority = chain.authority.insecure_clone();
    let instruction = ix::initialize_rewards(&authority.pubkey());
    figures.measure(&mut chain, "initialize_rewards", instruction, &[&authority]);

    let signer = keeper.authority.insecure_clone();
    let x = chain.staked_device(H100, 8);
    let y = chain.staked_device(RTX_4090, 2);
    let z = chain.staked_device(MI300X, 4);
    for device in [&x, &y] {
        chain.co_stake(device, 1_000 * IO);
    }

    // How many devices one legacy transaction carries.
    let spare: Vec<TestDevice> = (0..MAX_DEVICES_PER_ATTESTATION)
        .map(|_| chain.register_device(H100, 8))
        .collect();
    let mut sizes = Vec::new();
    for count in 1..=MAX_DEVICES_PER_ATTESTATION {
        let devices: Vec<&TestDevice> = spare.iter().take(count).collect();
        let instructions = attestation(&chain, &keeper, &devices);
        sizes.push(wire_size(&transaction_of(
            &chain.svm,
            &instructions,
            &[&signer],
        )));
    }
    let fit = sizes.iter().filter(|(bytes, _)| *bytes <= PACKET).count();

    let cranker = chain.cranker.insecure_clone();
    let open = ix::open_availability_epoch(&cranker.pubkey(), chain.epoch());
    figures.measure(
        &mut chain,
        "open_availability_epoch (creates the epoch's record)",
        open.clone(),
        &[&cranker],
    );
    chain.set_slot(chain.slot() + 5);
    figures.measure(
        &mut chain,
        "open_availability_epoch (fixes its seed)",
        open,
        &[&cranker],
    );
    let instructions = attestation(&chain, &keeper, &[&x]);
    figures.measure_all(
        &mut chain,
        "attest_availability, 1 device",
        &instructions,
        &[&signer],
    );
    let instructions = attestation(&chain, &keeper, &[&y, &z]);
    figures.measure_all(
        &mut chain,
        "attest_availability, 2 devices",
        &instructions,
        &[&signer],
    );
    for epoch in 1..4 {
        chain.enter_epoch(epoch);
        succeeded(chain.attest(&keeper, &[&x, &y], &[]));
        succeeded(chain.attest(&keeper, &[&z], &[]));
    }
    chain.enter_epoch(4);
    chain.end_iotoken_epochs();
    let cranker = chain.cranker.insecure_clone();
    let instruction = ix::close_availability_epoch(&cranker.pubkey(), 0);
    figures.measure(
        &mut chain,
        "close_availability_epoch (draws both pools)",
        instruction,
        &[&cranker],
    );
    for epoch in 1..4 {
        succeeded(chain.close_epoch(epoch));
    }
    chain.open_epoch();
    chain.open_report_window();
    let instruction = ix::report_failure(&other_keeper.authority.pubkey(), &x.key, chain.epoch());
    figures.measure(
        &mut chain,
        "report_failure",
        instruction,
        &[&other_keeper.authority],
    );

    for (device, closed, name) in [
        (
            &x,
            vec![0],
            "claim_availability_rewards, 1 closed epoch, co-stakers",
        ),
        (
            &y,
            vec![0, 1, 2, 3],
            "claim_availability_rewards, 4 closed epochs, co-stakers",
        ),
        (
            &z,
            vec![0, 1, 2, 3],
            "claim_availability_rewards, 4 closed epochs, no co-stake",
        ),
    ] {
        let instruction = ix::claim_availability_rewards(
            &device.owner.pubkey(),
            &device.key,
            &device.owner_io,
            &device.pool(),
            &closed,
        );
        figures.measure(&mut chain, name, instruction, &[&device.owner]);
    }
    let instruction = ix::claim_keeper_tips(&signer.pubkey(), &keeper.tips, &[0, 1, 2, 3]);
    figures.measure(
        &mut chain,
        "claim_keeper_tips, 4 closed epochs",
        instruction,
        &[&signer],
    );

    figures.print();

    println!();
    println!("| devices per attestation | tx bytes (Ed25519 check + attest) | accounts | fits {PACKET} |");
    println!("|---:|---:|---:|---|");
    for (count, (bytes, accounts)) in sizes.iter().enumerate() {
        let fits = if *bytes <= PACKET { "yes" } else { "no" };
        println!("| {} | {bytes} | {accounts} | {fits} |", count + 1);
    }
    println!("Most devices one legacy transaction attests: {fit}");

    print_accounts(
        &chain,
        &[
            ("Device", 8 + Device::INIT_SPACE),
            ("Keeper", 8 + Keeper::INIT_SPACE),
            ("AvailabilityEpoch", 8 + AvailabilityEpoch::INIT_SPACE),
            ("RegistryConfig", 8 + RegistryConfig::INIT_SPACE),
            (
                "reward vault (SPL Token account)",
                spl_token::state::Account::LEN,
            ),
        ],
    );
}
