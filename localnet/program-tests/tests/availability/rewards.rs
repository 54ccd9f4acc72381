//! Epoch rewards: once iotoken has closed an epoch, `close_availability_epoch` draws the epoch's
//! availability pool into the registry's vault (if any device earned weight) and its keepers pool
//! into the tips vault (if any pass qualified), once. Each device's share, `pool x weight / total
//! weight` rounded down, is settled from the closed records passed to its next attestation or
//! claim, and claimed by its owner: the pool's stakers' share deposited into staking for its
//! co-stakers (when it has any), the rest to the owner. The vaults both are drawn into are created
//! once, by `initialize_rewards`.

use {
    crate::common::*,
    anchor_lang::error::ErrorCode as AnchorErrorCode,
    iotoken::math::IO,
    registry::{
        errors::RegistryError,
        events::{AvailabilityEpochClosed, AvailabilityRewardsClaimed, RewardsInitialized},
    },
    solana_signer::Signer,
    staking::events::RewardsDeposited,
};

/// `pot x weight / total`, rounded down.
fn share(pot: u64, weight: u64, total: u64) -> u64 {
    (pot as u128 * weight as u128 / total as u128) as u64
}

/// The part of `amount` a pool offering `STAKER_SHARE_BPS` deposits for its co-stakers.
fn stakers_part(amount: u64) -> u64 {
    amount * STAKER_SHARE_BPS as u64 / 10_000
}

/// The availability pool `epoch` drew (checked equal to what iotoken minted into it).
#[track_caller]
fn device_pot(chain: &Chain, epoch: u64) -> u64 {
    let record = chain.availability_epoch(epoch);
    assert!(record.closed);
    assert_eq!(record.device_rewards, chain.iotoken_epoch(epoch).pools[0]);
    record.device_rewards
}

/// Claims the device's rewards, checking the owner's wallet, the pool's rewards and vault, and
/// the event against `expected` (the total) split by whether the pool has co-stakers. Returns
/// what the co-stakers got.
#[track_caller]
fn claim_checked(
    chain: &mut Chain,
    device: &TestDevice,
    closed: &[u64],
    epochs_settled: u32,
    expected: u64,
) -> u64 {
    let pool_before = chain.stake_pool(device);
    let stake_vault = pda::stake_vault(&device.pool());
    let vault_before = chain.token_balance(&stake_vault);
    let wallet_before = chain.token_balance(&device.owner_io);
    let claimed_before = chain.device_state(device).availability.earnings.claimed;
    let to_stakers = if pool_before.active_shares > 0 {
        stakers_part(expected)
    } else {
        0
    };

    let meta = succeeded(chain.claim(device, closed));

    let to_owner = expected - to_stakers;
    assert_eq!(
        chain.token_balance(&device.owner_io) - wallet_before,
        to_owner
    );
    assert_eq!(chain.token_balance(&stake_vault) - vault_before, to_stakers);
    let pool = chain.stake_pool(device);
    assert_eq!(
        pool.rewards_deposited - pool_before.rewards_deposited,
        to_stakers
    );
    let deposits: Vec<RewardsDeposited> = events_of(&meta);
    assert_eq!(deposits.len(), usize::from(to_stakers > 0));
    let event: AvailabilityRewardsClaimed = only_event_of(&meta);
    assert_eq!(
        (event.device, event.owner),
        (device.key, device.owner.pubkey())
    );
    assert_eq!(event.epochs_settled, epochs_settled);
    assert_eq!((event.to_owner, event.to_stakers), (to_owner, to_stakers));
    assert_eq!(event.claimed_total, claimed_before + expected);
    let earnings = chain.device_state(device).availability.earnings;
    assert_eq!(
        (earnings.accrued, earnings.claimed),
        (0, claimed_before + expected)
    );
    to_stakers
}

#[test]
fn rewards_are_initialized_once_even_with_lamports_sent_to_a_vault_beforehand() {
    let mut chain = Chain::without_rewards();
    // Lamports sent to a vault's address before it exists do not block its creation.
    chain.fund(&pda::availability_vault());
    let authority = chain.authority.insecure_clone();
    let payer = chain.funded_keypair();

    let meta = succeeded(chain.send(ix::initialize_rewards(&payer.pubkey()), &[&payer]));

    let vaults = [pda::availability_vault(), pda::keeper_tips_vault()];
    let event: RewardsInitialized = only_event(&meta);
    assert_eq!(event.epoch_origin, ORIGIN);
    assert_eq!([event.availability_vault, event.keeper_tips_vault], vaults);
    for vault in vaults {
        assert_eq!(chain.account(&vault).owner, spl_token::ID);
        let account = chain.token_account(&vault);
        assert_eq!(
            (account.mint, account.owner, account.amount),
            (pda::io_mint(), pda::distributor(), 0)
        );
    }
    assert_eq!(
        chain.balance(&pda::availability_vault()),
        STARTING_LAMPORTS,
        "already rent-exempt, so not topped up"
    );
    let config = chain.registry_config();
    assert!(config.rewards_initialized);
    assert_eq!(config.epoch_origin, ORIGIN);

    // Once: a second call, by the authority or anyone else, fails by name and changes nothing.
    for signer in [&authority, &payer] {
        assert_fails(
            chain.send(ix::initialize_rewards(&signer.pubkey()), &[signer]),
            RegistryError::RewardsAlreadyInitialized,
        );
    }
    let after = chain.registry_config();
    assert_eq!(after.epoch_origin, config.epoch_origin);
    assert_eq!(
        (after.availability_vault_bump, after.keeper_tips_vault_bump),
        (
            config.availability_vault_bump,
            config.keeper_tips_vault_bump
        )
    );
    assert_eq!(chain.vaults(), (0, 0));
}

#[test]
fn devices_are_paid_each_closed_epochs_pool_by_weight_to_the_unit() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let a = chain.staked_device(H100, 8);
    let b = chain.staked_device(RTX_4090, 2);
    let c = chain.staked_device(MI300X, 4);
    let staker = chain.co_stake(&a, 1_000 * IO);
    assert_eq!((a.weight, b.weight, c.weight), (3_200, 300, 400));

    // Epoch 0: a and b. Epoch 1: a, b and c. Epoch 2: nobody.
    succeeded(chain.attest(&keeper, &[&a, &b], &[]));
    chain.enter_epoch(1);
    succeeded(chain.attest(&keeper, &[&a, &b], &[]));
    succeeded(chain.attest(&keeper, &[&c], &[]));
    chain.enter_epoch(3);
    chain.close_epochs(&[0, 1]);
    let (pot0, pot1) = (device_pot(&chain, 0), device_pot(&chain, 1));
    assert_eq!(chain.vaults().0, pot0 + pot1);

    // b claims both epochs in one transaction (no co-stakers: all to its owner) and leaves.
    let b_total = share(pot0, 300, 3_500) + share(pot1, 300, 3_900);
    assert_eq!(claim_checked(&mut chain, &b, &[0, 1], 2, b_total), 0);
    let deregister = ix::deregister_device(&b.owner.pubkey(), &b.device_id);
    succeeded(chain.send(deregister, &[&b.owner]));
    assert!(!chain.exists(&b.key));

    // Epoch 3: a's pass settles its closed epochs into what it has accrued; c's does not.
    succeeded(chain.attest(&keeper, &[&a], &[0, 1]));
    succeeded(chain.attest(&keeper, &[&c], &[]));
    let a_early = share(pot0, 3_200, 3_500) + share(pot1, 3_200, 3_900);
    let earnings = chain.device_state(&a).availability.earnings;
    assert_eq!(earnings.accrued, a_early);
    assert_eq!(
        earnings.unsettled.iter().filter(|e| e.weight > 0).count(),
        1,
        "only epoch 3 is left"
    );
    assert_eq!(chain.device_state(&c).availability.earnings.accrued, 0);

    // Epoch 4: a, c and a newcomer d.
    chain.enter_epoch(4);
    let d = chain.staked_device(H100, 1);
    succeeded(chain.attest(&keeper, &[&a, &c], &[]));
    succeeded(chain.attest(&keeper, &[&d], &[]));
    chain.enter_epoch(5);
    chain.close_epochs(&[3, 4]);
    let (pot3, pot4) = (device_pot(&chain, 3), device_pot(&chain, 4));

    let a_total = a_early + share(pot3, 3_200, 3_600) + share(pot4, 3_200, 4_000);
    let to_stakers = claim_checked(&mut chain, &a, &[3, 4], 2, a_total);
    assert_eq!(to_stakers, stakers_part(a_total));
    assert!(to_stakers > 0);
    // c settles three epochs in one claim.
    let c_total = share(pot1, 400, 3_900) + share(pot3, 400, 3_600) + share(pot4, 400, 4_000);
    claim_checked(&mut chain, &c, &[1, 3, 4], 3, c_total);
    let d_total = share(pot4, 400, 4_000);
    claim_checked(&mut chain, &d, &[4], 1, d_total);

    // Every unit drawn is paid or left as rounding dust: never more than was drawn.
    let drawn = pot0 + pot1 + pot3 + pot4;
    let paid = a_total + b_total + c_total + d_total;
    assert!(paid <= drawn);
    assert_eq!(chain.vaults().0, drawn - paid);
    assert!(drawn - paid < 2 + 3 + 2 + 3, "at most one unit per share");
    // Epoch 2, which nobody earned in, was never drawn: its share stays in iotoken's pools.
    let epoch2 = chain.iotoken_epoch(2);
    assert_eq!(epoch2.drawn, [false; 4]);
    assert!(!chain.exists(&pda::availability_epoch(2)));
    assert_eq!(chain.iotoken_pools(), (epoch2.pools[0], epoch2.pools[3]));

    // Nothing is left to claim.
    for (device, closed) in [(&a, vec![3, 4]), (&c, vec![1, 3, 4]), (&d, vec![4])] {
        assert_fails(chain.claim(device, &closed), RegistryError::NothingToClaim);
        assert!(!chain.device_state(device).availability.earnings.is_owed());
    }
    // The co-staker takes what was deposited for it (less the index's rounding).
    let position_owner = staker.owner.pubkey();
    let claim = ix::claim_rewards(&position_owner, &a.pool(), &staker.io);
    succeeded(chain.send(claim, &[&staker.owner]));
    let got = chain.token_balance(&staker.io);
    assert!(
        got <= to_stakers && to_stakers - got <= 1,
        "{got} of {to_stakers}"
    );
}

#[test]
fn close_availability_epoch_draws_each_pool_once_after_iotoken_closed_the_epoch() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let staked = chain.staked_device(H100, 8);
    let unstaked = chain.register_device(RTX_4090, 2);
    succeeded(chain.attest(&keeper, &[&staked, &unstaked], &[]));

    // While the epoch runs, and once it ended but before iotoken closed it, iotoken has no
    // record of it.
    assert_fails(chain.close_epoch(0), AnchorErrorCode::AccountNotInitialized);
    chain.next_epoch();
    assert_fails(chain.close_epoch(0), AnchorErrorCode::AccountNotInitialized);

    chain.end_iotoken_epochs();
    let minted = chain.iotoken_epoch(0).pools;
    let pools_before = chain.iotoken_pools();
    let meta = succeeded(chain.close_epoch(0));

    let event: AvailabilityEpochClosed = only_event_of(&meta);
    assert_eq!(event.epoch, 0);
    assert_eq!((event.total_weight, event.qualified_passes), (3_200, 1));
    assert_eq!(
        (event.device_rewards, event.keeper_rewards),
        (minted[0], minted[3])
    );
    assert!(minted[0] > 0 && minted[3] > 0);
    let record = chain.availability_epoch(0);
    assert!(record.closed);
    assert_eq!(record.closed_at, chain.now());
    assert_eq!(
        (record.device_rewards, record.keeper_rewards),
        (minted[0], minted[3])
    );
    assert_eq!(record.unqualified_passes, 1);
    assert_eq!(chain.vaults(), (minted[0], minted[3]));
    assert_eq!(
        chain.iotoken_pools(),
        (pools_before.0 - minted[0], pools_before.1 - minted[3])
    );
    assert_eq!(chain.iotoken_epoch(0).drawn, [true, false, false, true]);

    assert_fails(chain.close_epoch(0), RegistryError::EpochAlreadyClosed);
    // Epoch 1 has no pass, so no record to close.
    chain.next_epoch();
    chain.end_iotoken_epochs();
    assert_fails(chain.close_epoch(1), AnchorErrorCode::AccountNotInitialized);
    assert_eq!(chain.vaults(), (minted[0], minted[3]));
}

#[test]
fn an_epoch_of_unqualified_passes_only_draws_nothing() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let unstaked = chain.register_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&unstaked], &[]));
    chain.next_epoch();
    chain.end_iotoken_epochs();
    let pools_before = chain.iotoken_pools();

    let meta = succeeded(chain.close_epoch(0));

    let event: AvailabilityEpochClosed = only_event_of(&meta);
    assert_eq!((event.total_weight, event.qualified_passes), (0, 0));
    assert_eq!((event.device_rewards, event.keeper_rewards), (0, 0));
    assert!(chain.availability_epoch(0).closed);
    assert_eq!(
        chain.iotoken_pools(),
        pools_before,
        "left in iotoken's pools"
    );
    assert_eq!(chain.iotoken_epoch(0).drawn, [false; 4]);
    assert_eq!(chain.vaults(), (0, 0));
}

#[test]
fn claims_are_the_owners_and_settle_closed_epochs_only() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let device = chain.staked_device(H100, 8);
    let other = chain.staked_device(H100, 8);
    succeeded(chain.attest(&keeper, &[&device], &[]));

    assert_fails(chain.claim(&device, &[]), RegistryError::NothingToClaim);
    // The epoch's record exists but is open, while the epoch runs and after iotoken closed it.
    assert_fails(chain.claim(&device, &[0]), RegistryError::EpochNotClosed);
    chain.next_epoch();
    chain.end_iotoken_epochs();
    assert_fails(chain.claim(&device, &[0]), RegistryError::EpochNotClosed);
    succeeded(chain.close_epoch(0));

    // Accounts that are not closed availability records: iotoken's record of the epoch, the
    // device itself, an address holding nothing.
    for account in [
        pda::iotoken_epoch(0),
        device.key,
        pda::availability_epoch(7),
    ] {
        let mut claim = ix::claim_availability_rewards(
            &device.owner.pubkey(),
            &device.key,
            &device.owner_io,
            &device.pool(),
            &[0],
        );
        claim.accounts.last_mut().expect("the record").pubkey = account;
        assert_fails(
            chain.send(claim, &[&device.owner]),
            RegistryError::EpochNotClosed,
        );
    }
    // A stranger, another mint, another device's pool.
    let stranger = chain.funded_keypair();
    let stranger_io = chain.io_account(&stranger.pubkey(), 0);
    let by_stranger = ix::claim_availability_rewards(
        &stranger.pubkey(),
        &device.key,
        &stranger_io,
        &device.pool(),
        &[0],
    );
    assert_fails(
        chain.send(by_stranger, &[&stranger]),
        RegistryError::NotDeviceOwner,
    );
    let foreign = chain.foreign_token_account(&device.owner.pubkey());
    let to_foreign = ix::claim_availability_rewards(
        &device.owner.pubkey(),
        &device.key,
        &foreign,
        &device.pool(),
        &[0],
    );
    assert_fails(
        chain.send(to_foreign, &[&device.owner]),
        RegistryError::RewardMintMismatch,
    );
    let wrong_pool = ix::claim_availability_rewards(
        &device.owner.pubkey(),
        &device.key,
        &device.owner_io,
        &other.pool(),
        &[0],
    );
    assert_fails(
        chain.send(wrong_pool, &[&device.owner]),
        RegistryError::StakePoolMismatch,
    );
    assert_eq!(chain.token_balance(&stranger_io), 0);

    let pot = device_pot(&chain, 0);
    claim_checked(&mut chain, &device, &[0], 1, pot);
    assert_fails(chain.claim(&device, &[0]), RegistryError::NothingToClaim);
    assert_eq!(chain.vaults().0, 0, "the only earner took the whole pool");
}

#[test]
fn four_unsettled_epochs_are_the_most_until_closed_ones_are_settled() {
    let mut chain = Chain::new();
    let keeper = chain.keeper();
    let a = chain.staked_device(H100, 8);
    let e = chain.staked_device(RTX_4090, 2);
    for epoch in 0..4 {
        if epoch > 0 {
            chain.enter_epoch(epoch);
        }
        succeeded(chain.attest(&keeper, &[&a, &e], &[]));
    }
    chain.enter_epoch(4);
    assert_fails_at(
        chain.attest(&keeper, &[&a], &[]),
        1,
        RegistryError::TooManyUnsettledEpochs,
    );

    // Closing alone is not enough: the closed records must be passed to settle.
    chain.close_epochs(&[0, 1, 2, 3]);
    assert_fails_at(
        chain.attest(&keeper, &[&a], &[]),
        1,
        RegistryError::TooManyUnsettledEpochs,
    );
    succeeded(chain.attest(&keeper, &[&a], &[0, 1, 2, 3]));
    let pots: Vec<u64> = (0..4).map(|epoch| device_pot(&chain, epoch)).collect();
    let earnings = chain.device_state(&a).availability.earnings;
    let a_early: u64 = pots.iter().map(|pot| share(*pot, 3_200, 3_500)).sum();
    assert_eq!(earnings.accrued, a_early);
    let keeper_earnings = chain.keeper_state(&keeper).activity.earnings;
    assert_eq!(
        keeper_earnings
            .unsettled
            .iter()
            .filter(|x| x.weight > 0)
            .count(),
        1,
        "the keeper settled its four epochs at the same time"
    );

    // e, which never passed a closed record, settles its four epochs in one claim.
    let e_total: u64 = pots.iter().map(|pot| share(*pot, 300, 3_500)).sum();
    claim_checked(&mut chain, &e, &[0, 1, 2, 3], 4, e_total);
    // a claims what it accrued, settling nothing new (epoch 4 is still open).
    claim_checked(&mut chain, &a, &[0, 1, 2, 3], 0, a_early);
}
