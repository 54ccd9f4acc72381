//! Rewards: a deposit raises the pool's reward index by `floor(amount x 1e12 / active_shares)`;
//! a position is owed `floor((shares x index - debt) / 1e12)`, settled whenever its shares change
//! and paid by `claim_rewards`. Expected figures are worked out by hand in the comments.

use {
    crate::common::*,
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{RewardsClaimed, RewardsDeposited},
    },
};

#[test]
fn deposits_need_active_co_stake() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    assert_fails(chain.deposit(&pool.key, IO), StakingError::NoActiveCoStake);

    // Self-stake earns the operator's own share of the device's rewards, not deposits.
    succeeded(chain.stake_self(&pool, 500 * IO));
    assert_fails(chain.deposit(&pool.key, IO), StakingError::NoActiveCoStake);

    // Cooling co-stake earns nothing either.
    let staker = chain.staked(&pool, 100 * IO);
    succeeded(chain.unstake(&staker, 100 * IO));
    assert_fails(chain.deposit(&pool.key, IO), StakingError::NoActiveCoStake);

    assert_eq!(chain.pool(&pool.key).rewards_deposited, 0);
    assert_eq!(chain.token_balance(&chain.rewarder_io), REWARDER_IO);
}

#[test]
fn deposits_refuse_zero_foreign_tokens_and_the_vault_itself() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    chain.staked(&pool, 100 * IO);
    let rewarder = chain.rewarder.insecure_clone();
    let foreign = chain.foreign_token_account(&rewarder.pubkey(), 100 * IO);

    assert_fails(chain.deposit(&pool.key, 0), StakingError::ZeroAmount);
    let from_foreign = ix::deposit_rewards(&rewarder.pubkey(), &pool.key, &foreign, IO);
    assert_fails(
        chain.send(from_foreign, &[&rewarder]),
        StakingError::WrongMint,
    );
    let from_vault = ix::deposit_rewards(&rewarder.pubkey(), &pool.key, &pool.vault, IO);
    assert_fails(
        chain.send(from_vault, &[&rewarder]),
        StakingError::VaultAsCounterparty,
    );
    assert_eq!(chain.pool(&pool.key).rewards_deposited, 0);
    assert_eq!(chain.token_balance(&pool.vault), 100 * IO);
}

/// Claims `staker`'s rewards, checks that its wallet received exactly `expected` and that a
/// second claim finds nothing.
#[track_caller]
fn claim_exactly(chain: &mut Chain, staker: &Staker, expected: u64) {
    assert_eq!(chain.claimable(staker), expected, "claimable before");
    let wallet_before = chain.token_balance(&staker.io);
    let claimed_before = chain.position(&staker.position).rewards_claimed;
    let meta = succeeded(chain.claim(staker));
    assert_eq!(chain.token_balance(&staker.io) - wallet_before, expected);
    let position = chain.position(&staker.position);
    assert_eq!(position.rewards_claimed - claimed_before, expected);
    assert_eq!(position.rewards_owed, 0);
    let event: RewardsClaimed = only_event(&meta);
    assert_eq!(
        (event.pool, event.position, event.amount),
        (staker.pool, staker.position, expected)
    );
    assert_fails(chain.claim(staker), StakingError::NothingToClaim);
}

#[test]
fn rewards_follow_active_shares_to_the_unit() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let a = chain.staked(&pool, 1_000 * IO);
    let b = chain.staked(&pool, 3_000 * IO);
    assert_fails(chain.claim(&a), StakingError::NothingToClaim);

    // D1 = 1_000_000_007 over 4e11 active shares: the index rises by
    // floor(1_000_000_007 x 1e12 / 4e11) = floor(2_500_000_017.5) = 2_500_000_017.
    let d1 = 1_000_000_007;
    let meta = succeeded(chain.deposit(&pool.key, d1));
    let event: RewardsDeposited = only_event(&meta);
    assert_eq!(event.pool, pool.key);
    assert_eq!(event.depositor, chain.rewarder.pubkey());
    assert_eq!(event.amount, d1);
    assert_eq!(event.active_shares, 4_000 * IO);
    assert_eq!(event.reward_index_after, 2_500_000_017);
    assert_eq!(chain.token_balance(&pool.vault), 4_000 * IO + d1);
    assert_eq!(chain.token_balance(&chain.rewarder_io), REWARDER_IO - d1);

    // B: floor(3e11 x 2_500_000_017 / 1e12) = floor(750_000_005.1).
    claim_exactly(&mut chain, &b, 750_000_005);

    // C joins after D1 and earns only what comes later. A unstakes half, which settles
    // floor(1e11 x 2_500_000_017 / 1e12) = 250_000_001 into its owed rewards; its 5e10 cooling
    // shares earn nothing from now on. Active: 5e10 + 3e11 + 2e11 = 5.5e11 shares.
    let c = chain.staked(&pool, 2_000 * IO);
    succeeded(chain.unstake(&a, 500 * IO));
    assert_eq!(chain.position(&a.position).rewards_owed, 250_000_001);
    assert_eq!(chain.pool(&pool.key).active_shares, 5_500 * IO);

    // D2 = 33_300_000_001 over 5.5e11: the index rises by
    // floor(33_300_000_001 x 1e12 / 5.5e11) = floor(60_545_454_547.27) = 60_545_454_547.
    let d2 = 33_300_000_001;
    let meta = succeeded(chain.deposit(&pool.key, d2));
    let event: RewardsDeposited = only_event(&meta);
    assert_eq!(event.reward_index_after, 2_500_000_017 + 60_545_454_547);

    // A: 250_000_001 + floor(5e10 x 60_545_454_547 / 1e12) = 250_000_001 + 3_027_272_727.
    claim_exactly(&mut chain, &a, 3_277_272_728);
    // B: floor(3e11 x 60_545_454_547 / 1e12) = floor(18_163_636_364.1).
    claim_exactly(&mut chain, &b, 18_163_636_364);
    // C: floor(2e11 x 60_545_454_547 / 1e12) = floor(12_109_090_909.4).
    claim_exactly(&mut chain, &c, 12_109_090_909);

    // Each deposit left one unit of rounding in the vault.
    let claimed = 3_277_272_728 + 750_000_005 + 18_163_636_364 + 12_109_090_909;
    let state = chain.pool(&pool.key);
    assert_eq!(state.rewards_deposited, d1 + d2);
    assert_eq!(state.rewards_claimed, claimed);
    assert_eq!(d1 + d2 - claimed, 2);
    assert_eq!(chain.token_balance(&pool.vault), 6_000 * IO + 2);
    chain.assert_vault_balanced(&pool);

    // Everyone leaves: deposits are refused, and the stake comes back whole.
    succeeded(chain.unstake(&a, 500 * IO));
    succeeded(chain.unstake(&b, 3_000 * IO));
    succeeded(chain.unstake(&c, 2_000 * IO));
    assert_fails(chain.deposit(&pool.key, IO), StakingError::NoActiveCoStake);
    chain.advance(COOLDOWN);
    for staker in [&a, &b, &c] {
        succeeded(chain.withdraw(staker));
        assert_fails(chain.claim(staker), StakingError::NothingToClaim);
    }
    assert_eq!(chain.token_balance(&a.io), 1_000 * IO + 3_277_272_728);
    assert_eq!(
        chain.token_balance(&b.io),
        3_000 * IO + 750_000_005 + 18_163_636_364
    );
    assert_eq!(chain.token_balance(&c.io), 2_000 * IO + 12_109_090_909);
    assert_eq!(
        chain.token_balance(&pool.vault),
        2,
        "only the rounding stays"
    );
}

#[test]
fn unclaimed_rewards_survive_unstaking_withdrawing_and_restaking() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let a = chain.staked(&pool, 300 * IO);
    let b = chain.staker(&pool, 200 * IO);
    succeeded(chain.stake(&b, 100 * IO));

    // 40 IO over 4e10 shares raises the index by 4e9 x 1e12 / 4e10 = 1e11: 30 IO to A, 10 to B.
    succeeded(chain.deposit(&pool.key, 40 * IO));
    succeeded(chain.unstake(&a, 300 * IO));
    chain.advance(COOLDOWN);
    succeeded(chain.withdraw(&a));
    // B tops up to 2e10 shares; a second 40 IO all goes to B.
    succeeded(chain.stake(&b, 100 * IO));
    succeeded(chain.deposit(&pool.key, 40 * IO));

    claim_exactly(&mut chain, &a, 30 * IO);
    claim_exactly(&mut chain, &b, 50 * IO);
    assert_eq!(chain.token_balance(&a.io), 330 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 200 * IO);
    chain.assert_vault_balanced(&pool);
}
