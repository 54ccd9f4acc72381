//! The scale-path prototype: a bonded keeper posts one Merkle root per shard of an ended epoch,
//! and each device proves its leaf once against it. Roots pay nothing (see the registry README).

use {
    crate::common::*,
    anchor_lang::error::ErrorCode as AnchorErrorCode,
    registry::{
        errors::RegistryError,
        events::{AvailabilityLeafProven, AvailabilityRootPosted},
        merkle::{tree, MAX_LEAVES_PER_SHARD},
        state::AvailabilityRoot,
    },
    solana_signer::Signer,
};

struct Shard {
    devices: Vec<TestDevice>,
    root: [u8; 32],
    proofs: Vec<Vec<[u8; 32]>>,
    total_weight: u64,
}

/// `count` registered devices (weights of their class) and the tree over them.
fn shard(chain: &mut Chain, count: usize) -> Shard {
    let devices: Vec<TestDevice> = (0..count)
        .map(|i| chain.register_device(if i % 2 == 0 { H100 } else { RTX_4090 }, 1 + i as u16))
        .collect();
    let leaves: Vec<_> = devices.iter().map(|d| (d.key, d.weight)).collect();
    let (root, proofs) = tree(&leaves);
    Shard {
        total_weight: leaves.iter().map(|(_, weight)| weight).sum(),
        devices,
        root,
        proofs,
    }
}

fn post(
    chain: &mut Chain,
    keeper: &TestKeeper,
    epoch: u64,
    shard: &Shard,
) -> litesvm::types::TransactionResult {
    let instruction = ix::post_availability_root(
        &keeper.authority.pubkey(),
        epoch,
        0,
        shard.root,
        shard.devices.len() as u32,
        shard.total_weight,
    );
    chain.send(instruction, &[&keeper.authority])
}

fn prove(
    chain: &mut Chain,
    payer: &TestKeeper,
    epoch: u64,
    device: &TestDevice,
    index: u32,
    weight: u64,
    proof: Vec<[u8; 32]>,
) -> litesvm::types::TransactionResult {
    // The payer proves against the root it posted itself.
    let instruction = ix::prove_availability_leaf(
        &payer.authority.pubkey(),
        &pda::availability_root(epoch, 0, &payer.key),
        &device.key,
        index,
        weight,
        proof,
    );
    chain.send(instruction, &[&payer.authority])
}

#[test]
fn a_keeper_posts_a_shard_root_and_every_device_proves_its_leaf_once() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let shard = shard(&mut chain, 5);
    chain.next_epoch();

    let meta = succeeded(post(&mut chain, &keeper, 0, &shard));
    let posted: AvailabilityRootPosted = only_event(&meta);
    assert_eq!(
        (
            posted.epoch,
            posted.shard,
            posted.root,
            posted.leaf_count,
            posted.keeper
        ),
        (0, 0, shard.root, 5, keeper.key)
    );
    let root: AvailabilityRoot =
        chain.program_account(&registry::ID, &pda::availability_root(0, 0, &keeper.key));
    assert_eq!(
        (root.total_weight, root.leaves_proven),
        (shard.total_weight, 0)
    );
    assert_eq!(root.proven, vec![0u8]);

    for (index, device) in shard.devices.iter().enumerate() {
        let proof = shard.proofs[index].clone();
        let meta = succeeded(prove(
            &mut chain,
            &keeper,
            0,
            device,
            index as u32,
            device.weight,
            proof.clone(),
        ));
        let proven: AvailabilityLeafProven = only_event(&meta);
        assert_eq!(
            (
                proven.index,
                proven.device,
                proven.weight,
                proven.leaves_proven
            ),
            (index as u32, device.key, device.weight, index as u32 + 1)
        );
        let again = prove(
            &mut chain,
            &keeper,
            0,
            device,
            index as u32,
            device.weight,
            proof,
        );
        assert_fails(again, RegistryError::LeafAlreadyProven);
    }
    let root: AvailabilityRoot =
        chain.program_account(&registry::ID, &pda::availability_root(0, 0, &keeper.key));
    assert_eq!(
        (root.leaves_proven, root.proven.clone()),
        (5, vec![0b1_1111])
    );
}

#[test]
fn a_proof_of_another_weight_device_or_index_is_refused() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let shard = shard(&mut chain, 3);
    chain.next_epoch();
    succeeded(post(&mut chain, &keeper, 0, &shard));
    let (first, second) = (&shard.devices[0], &shard.devices[1]);
    let proof = shard.proofs[0].clone();

    let heavier = prove(
        &mut chain,
        &keeper,
        0,
        first,
        0,
        first.weight + 1,
        proof.clone(),
    );
    assert_fails(heavier, RegistryError::InvalidMerkleProof);
    let other_device = prove(
        &mut chain,
        &keeper,
        0,
        second,
        0,
        first.weight,
        proof.clone(),
    );
    assert_fails(other_device, RegistryError::InvalidMerkleProof);
    let other_index = prove(
        &mut chain,
        &keeper,
        0,
        first,
        1,
        first.weight,
        proof.clone(),
    );
    assert_fails(other_index, RegistryError::InvalidMerkleProof);
    let short = prove(
        &mut chain,
        &keeper,
        0,
        first,
        0,
        first.weight,
        proof[..1].to_vec(),
    );
    assert_fails(short, RegistryError::InvalidMerkleProof);
    // Index 4 aliases index 0 in a tree of depth 2; the range check comes first.
    let aliased = prove(
        &mut chain,
        &keeper,
        0,
        first,
        4,
        first.weight,
        proof.clone(),
    );
    assert_fails(aliased, RegistryError::LeafIndexOutOfRange);
    let beyond = prove(
        &mut chain,
        &keeper,
        0,
        first,
        3,
        first.weight,
        proof.clone(),
    );
    assert_fails(beyond, RegistryError::LeafIndexOutOfRange);
    succeeded(prove(&mut chain, &keeper, 0, first, 0, first.weight, proof));
}

#[test]
fn roots_are_posted_once_by_bonded_keepers_for_ended_epochs_only() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let shard = shard(&mut chain, 2);

    assert_fails(
        post(&mut chain, &keeper, 0, &shard),
        RegistryError::EpochNotEnded,
    );
    chain.next_epoch();
    assert_fails(
        post(&mut chain, &keeper, 1, &shard),
        RegistryError::EpochNotEnded,
    );

    for leaf_count in [0, MAX_LEAVES_PER_SHARD + 1] {
        let instruction = ix::post_availability_root(
            &keeper.authority.pubkey(),
            0,
            0,
            shard.root,
            leaf_count,
            shard.total_weight,
        );
        assert_fails(
            chain.send(instruction, &[&keeper.authority]),
            RegistryError::InvalidLeafCount,
        );
    }

    let stranger = chain.funded_keypair();
    let unbonded = ix::post_availability_root(&stranger.pubkey(), 0, 0, shard.root, 2, 1);
    assert_fails(
        chain.send(unbonded, &[&stranger]),
        AnchorErrorCode::AccountNotInitialized,
    );

    succeeded(post(&mut chain, &keeper, 0, &shard));
    let replaced = post(&mut chain, &keeper, 0, &shard);
    assert!(replaced.is_err(), "a posted root cannot be replaced");
    // Roots are per keeper: another keeper's root of the same shard stands beside it, so no
    // keeper can take a shard's root slot before an honest one.
    let other = chain.keeper();
    succeeded(post(&mut chain, &other, 0, &shard));
    for poster in [&keeper, &other] {
        let root: AvailabilityRoot =
            chain.program_account(&registry::ID, &pda::availability_root(0, 0, &poster.key));
        assert_eq!(root.posted_by, poster.key);
    }

    let unbond = ix::request_unbond(&keeper.authority.pubkey());
    succeeded(chain.send(unbond, &[&keeper.authority]));
    chain.next_epoch();
    assert_fails(
        post(&mut chain, &keeper, 1, &shard),
        RegistryError::KeeperUnbonding,
    );
}
