//! Keeper tips: each closed epoch's keepers pool is shared by the qualified passes each keeper
//! attested (a pass of a device below its minimum stake earns nothing), settled from the closed
//! records passed to the keeper's next attestation or claim. Nothing owed may be abandoned: a
//! keeper withdraws its bond, and an owner deregisters its device, only once everything earned
//! was settled and claimed.

use {
    crate::common::*,
    registry::{errors::RegistryError, events::KeeperTipsClaimed},
    solana_signer::Signer,
};

/// `pot x weight / total`, rounded down.
fn share(pot: u64, weight: u64, total: u64) -> u64 {
    (pot as u128 * weight as u128 / total as u128) as u64
}

/// Claims the keeper's tips, checking its wallet and the event against `expected`.
#[track_caller]
fn claim_tips_checked(chain: &mut Chain, keeper: &TestKeeper, closed: &[u64], expected: u64) {
    let before = chain.token_balance(&keeper.tips);
    let claimed_before = chain.keeper_state(keeper).activity.earnings.claimed;
    let meta = succeeded(chain.claim_tips(keeper, closed));
    assert_eq!(chain.token_balance(&keeper.tips) - before, expected);
    let event: KeeperTipsClaimed = only_event(&meta);
    assert_eq!(event.keeper, keeper.key);
    assert_eq!(
        (event.amount, event.claimed_total),
        (expected, claimed_before + expected)
    );
    let earnings = chain.keeper_state(keeper).activity.earnings;
    assert_eq!(
        (earnings.accrued, earnings.claimed),
        (0, claimed_before + expected)
    );
}

#[test]
fn the_keepers_pool_is_shared_by_qualified_passes() {
    let mut chain = Chain::new();
    let (k1, k2) = (chain.keeper(), chain.keeper());
    let a = chain.staked_device(H100, 8);
    let b = chain.staked_device(RTX_4090, 2);
    let c = chain.staked_device(MI300X, 4);
    let unstaked = chain.register_device(H100, 8);

    // Epoch 0: k1 attests two qualified passes, k2 one and one that does not qualify.
    succeeded(chain.attest(&k1, &[&a, &b], &[]));
    succeeded(chain.attest(&k2, &[&c, &unstaked], &[]));
    // Epoch 1: k1 alone.
    chain.enter_epoch(1);
    succeeded(chain.attest(&k1, &[&a], &[]));
    chain.enter_epoch(2);
    chain.close_epochs(&[0, 1]);

    let record0 = chain.availability_epoch(0);
    assert_eq!(
        (record0.qualified_passes, record0.unqualified_passes),
        (3, 1)
    );
    let (pot0, pot1) = (
        record0.keeper_rewards,
        chain.availability_epoch(1).keeper_rewards,
    );
    assert_eq!(pot0, chain.iotoken_epoch(0).pools[3]);
    assert_eq!(pot1, chain.iotoken_epoch(1).pools[3]);
    assert_eq!(chain.vaults().1, pot0 + pot1);
    assert_eq!(chain.keeper_state(&k2).activity.passes_attested, 2);

    claim_tips_checked(&mut chain, &k2, &[0, 1], share(pot0, 1, 3));
    let k1_total = share(pot0, 2, 3) + pot1;
    claim_tips_checked(&mut chain, &k1, &[0, 1], k1_total);
    let paid = share(pot0, 1, 3) + k1_total;
    assert_eq!(chain.vaults().1, pot0 + pot1 - paid);
    assert!(pot0 + pot1 - paid < 2);

    for keeper in [&k1, &k2] {
        assert_fails(
            chain.claim_tips(keeper, &[0, 1]),
            RegistryError::NothingToClaim,
        );
    }
}

#[test]
fn a_keeper_withdraws_its_bond_only_once_its_tips_are_claimed() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&device], &[]));
    let authority = keeper.authority.insecure_clone();
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    chain.set_time(chain.now() + KEEPER_COOLDOWN);
    let bond_back = chain.io_account(&authority.pubkey(), 0);
    let withdraw = ix::withdraw_bond(&authority.pubkey(), &pda::io_mint(), &bond_back, false);

    // Owed: unsettled while the epoch is open, then unsettled while it is closed but not
    // claimed from.
    assert_fails(
        chain.send(withdraw.clone(), &[&authority]),
        RegistryError::UnclaimedRewards,
    );
    let epoch = 0;
    chain.close_epochs(&[epoch]);
    assert_fails(
        chain.send(withdraw.clone(), &[&authority]),
        RegistryError::UnclaimedRewards,
    );

    // An unbonding keeper still claims.
    let pot = chain.availability_epoch(epoch).keeper_rewards;
    claim_tips_checked(&mut chain, &keeper, &[epoch], pot);
    succeeded(chain.send(withdraw, &[&authority]));
    assert_eq!(chain.token_balance(&bond_back), KEEPER_BOND);
    assert!(!chain.exists(&keeper.key));
}

#[test]
fn a_keeper_with_only_unqualified_passes_owes_nothing() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let unstaked = chain.register_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&unstaked], &[]));
    assert!(!chain.keeper_state(&keeper).activity.earnings.is_owed());
    let authority = keeper.authority.insecure_clone();
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    chain.set_time(chain.now() + KEEPER_COOLDOWN);
    let bond_back = chain.io_account(&authority.pubkey(), 0);
    succeeded(chain.send(
        ix::withdraw_bond(&authority.pubkey(), &pda::io_mint(), &bond_back, false),
        &[&authority],
    ));
    assert_eq!(chain.token_balance(&bond_back), KEEPER_BOND);
}

#[test]
fn a_device_deregisters_only_once_its_rewards_are_claimed() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let unstaked = chain.register_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&device, &unstaked], &[]));
    let deregister = ix::deregister_device(&device.owner.pubkey(), &device.device_id);

    assert_fails(
        chain.send(deregister.clone(), &[&device.owner]),
        RegistryError::UnclaimedRewards,
    );
    chain.next_epoch();
    chain.close_epochs(&[0]);
    assert_fails(
        chain.send(deregister.clone(), &[&device.owner]),
        RegistryError::UnclaimedRewards,
    );
    // Settled into `accrued` by a pass, still unclaimed.
    succeeded(chain.attest(&keeper, &[&device], &[0]));
    chain.next_epoch();
    chain.close_epochs(&[1]);
    succeeded(chain.claim(&device, &[1]));
    succeeded(chain.send(deregister, &[&device.owner]));
    assert!(!chain.exists(&device.key));

    // A device that never earned weight leaves after its passes.
    let leave = ix::deregister_device(&unstaked.owner.pubkey(), &unstaked.device_id);
    succeeded(chain.send(leave, &[&unstaked.owner]));
}

#[test]
fn an_epoch_that_paid_nothing_still_settles_so_devices_and_keepers_can_leave() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    // The schedule ends after `EMITTING_EPOCHS`: from then on epochs mint nothing.
    chain.enter_epoch(EMITTING_EPOCHS);
    succeeded(chain.attest(&keeper, &[&device], &[]));
    chain.next_epoch();
    chain.close_epochs(&[EMITTING_EPOCHS]);
    let record = chain.availability_epoch(EMITTING_EPOCHS);
    assert_eq!((record.device_rewards, record.keeper_rewards), (0, 0));
    assert_eq!(record.total_weight, 3_200);

    // The claims settle the epoch (and pay nothing) rather than fail and leave it owed forever.
    let meta = succeeded(chain.claim(&device, &[EMITTING_EPOCHS]));
    let event: registry::events::AvailabilityRewardsClaimed = only_event_of(&meta);
    assert_eq!(
        (event.epochs_settled, event.to_owner, event.to_stakers),
        (1, 0, 0)
    );
    assert!(!chain.device_state(&device).availability.earnings.is_owed());
    claim_tips_checked(&mut chain, &keeper, &[EMITTING_EPOCHS], 0);
    assert!(!chain.keeper_state(&keeper).activity.earnings.is_owed());
    // Once settled, there is nothing to claim.
    assert_fails(
        chain.claim(&device, &[EMITTING_EPOCHS]),
        RegistryError::NothingToClaim,
    );
    assert_fails(
        chain.claim_tips(&keeper, &[EMITTING_EPOCHS]),
        RegistryError::NothingToClaim,
    );

    let deregister = ix::deregister_device(&device.owner.pubkey(), &device.device_id);
    succeeded(chain.send(deregister, &[&device.owner]));
    let authority = keeper.authority.insecure_clone();
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    chain.set_time(chain.now() + KEEPER_COOLDOWN);
    let bond_back = chain.io_account(&authority.pubkey(), 0);
    succeeded(chain.send(
        ix::withdraw_bond(&authority.pubkey(), &pda::io_mint(), &bond_back, false),
        &[&authority],
    ));
    assert_eq!(chain.token_balance(&bond_back), KEEPER_BOND);
}

#[test]
fn tips_claimed_into_another_mints_account_fail_with_reward_mint_mismatch() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&device], &[]));
    chain.next_epoch();
    chain.close_epochs(&[0]);
    let foreign = chain.foreign_token_account(&keeper.authority.pubkey());

    let claim = ix::claim_keeper_tips(&keeper.authority.pubkey(), &foreign, &[0]);
    assert_fails(
        chain.send(claim, &[&keeper.authority]),
        RegistryError::RewardMintMismatch,
    );
    assert_eq!(chain.keeper_state(&keeper).activity.earnings.claimed, 0);
    assert_eq!(chain.token_balance(&foreign), 0);
    succeeded(chain.claim_tips(&keeper, &[0]));
    assert!(chain.token_balance(&keeper.tips) > 0);
}
