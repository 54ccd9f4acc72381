//! Co-stake positions: opened empty, filled with shares at the pool's share value while the
//! operator accepts co-stake, locked for 14 days to 4 years (only ever extended, nothing unstaked
//! meanwhile), unstaked into a cooldown (by value, or every active share with `UNSTAKE_ALL`) and
//! withdrawn at the value the shares have then.

use {
    crate::common::*,
    anchor_lang::{error::ErrorCode as AnchorErrorCode, prelude::Pubkey, Space},
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{LockExtended, PositionClosed, PositionOpened, Staked, Unstaked, Withdrawn},
        instructions::staker::unstake::UNSTAKE_ALL,
        math::{MAX_LOCK_SECS, MIN_LOCK_SECS},
        state::StakePosition,
    },
};

#[test]
fn open_position_creates_an_empty_position_once() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let owner = chain.funded_keypair();
    let balance_before = chain.balance(&owner.pubkey());

    let instruction = ix::open_position(&owner.pubkey(), &pool.key);
    let meta = succeeded(chain.send(instruction.clone(), &[&owner]));

    let (key, bump) = Pubkey::find_program_address(
        &[b"position", pool.key.as_ref(), owner.pubkey().as_ref()],
        &staking::ID,
    );
    let position = chain.position(&key);
    assert_eq!(position.pool, pool.key);
    assert_eq!(position.owner, owner.pubkey());
    let amounts = [
        position.shares,
        position.cooling_shares,
        position.rewards_owed,
        position.rewards_claimed,
    ];
    assert_eq!(amounts, [0; 4]);
    assert_eq!(position.reward_debt, 0);
    assert_eq!(
        (
            position.cooldown_ends_at,
            position.lock_ends_at,
            position.vote_lock_until
        ),
        (0, 0, 0)
    );
    assert_eq!((position.created_at, position.bump), (NOW, bump));
    let space = 8 + StakePosition::INIT_SPACE;
    assert_eq!(
        balance_before - chain.balance(&owner.pubkey()),
        chain.rent(space) + FEE_PER_SIGNATURE
    );
    let event: PositionOpened = only_event(&meta);
    assert_eq!(
        (event.pool, event.position, event.owner),
        (pool.key, key, owner.pubkey())
    );

    assert_fails(
        chain.send(instruction, &[&owner]),
        Expected::AccountAlreadyInUse,
    );
}

#[test]
fn stake_mints_shares_at_the_pools_share_value() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let first = chain.staker(&pool, 1_000 * IO);
    let second = chain.staker(&pool, 1_000 * IO);

    let meta = succeeded(chain.stake(&first, 600 * IO));
    let event: Staked = only_event(&meta);
    assert_eq!((event.amount, event.shares), (600 * IO, 600 * IO), "1:1");
    assert_eq!(event.position, first.position);
    assert_eq!(event.position_shares_after, 600 * IO);
    assert_eq!(
        (event.costake_total_after, event.costake_shares_after),
        (600 * IO, 600 * IO)
    );

    // A slash of 60 IO (10%) from the co-stake: 600 IO of shares now hold 540 IO, so 270 IO buys
    // 300 IO of shares.
    succeeded(chain.slash(&pool.key, 60 * IO));
    let meta = succeeded(chain.stake(&second, 270 * IO));
    let event: Staked = only_event(&meta);
    assert_eq!(event.shares, 300 * IO);

    let state = chain.pool(&pool.key);
    assert_eq!(
        (
            state.costake_total,
            state.costake_shares,
            state.active_shares
        ),
        (810 * IO, 900 * IO, 900 * IO)
    );
    assert_eq!(chain.position(&second.position).shares, 300 * IO);
    assert_eq!(chain.position_value(&first), (540 * IO, 0));
    assert_eq!(chain.position_value(&second), (270 * IO, 0));
    assert_eq!(chain.token_balance(&first.io), 400 * IO);
    assert_eq!(chain.token_balance(&second.io), 730 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 810 * IO);
    chain.assert_vault_balanced(&pool);

    // 1 base unit now buys floor(1 x 900 / 810) = 1 share.
    succeeded(chain.stake(&second, 1));
    assert_eq!(chain.position(&second.position).shares, 300 * IO + 1);
}

#[test]
fn stake_refuses_zero_and_pools_closed_to_co_stake() {
    let mut chain = Chain::new();
    let pool = chain.open_pool_with(POOL_SHARE_BPS, false);
    let staker = chain.staker(&pool, 100 * IO);
    let operator = pool.operator.pubkey();

    assert_fails(chain.stake(&staker, 10 * IO), StakingError::CoStakingClosed);
    let reopen = ix::set_pool_terms(&operator, &pool.key, POOL_SHARE_BPS, true);
    succeeded(chain.send(reopen, &[&pool.operator]));
    assert_fails(chain.stake(&staker, 0), StakingError::ZeroAmount);
    succeeded(chain.stake(&staker, 10 * IO));

    // Closing again keeps the position: it can leave, not grow.
    let close = ix::set_pool_terms(&operator, &pool.key, POOL_SHARE_BPS, false);
    succeeded(chain.send(close, &[&pool.operator]));
    assert_fails(chain.stake(&staker, 10 * IO), StakingError::CoStakingClosed);
    succeeded(chain.unstake(&staker, 10 * IO));
    assert_eq!(chain.position(&staker.position).cooling_shares, 10 * IO);
}

#[test]
fn a_lock_lasts_14_days_to_4_years_and_can_only_be_extended() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 100 * IO);

    assert_fails(
        chain.lock(&staker, MIN_LOCK_SECS - 1),
        StakingError::LockTooShort,
    );
    assert_fails(
        chain.lock(&staker, MAX_LOCK_SECS + 1),
        StakingError::LockTooLong,
    );
    assert_eq!((MIN_LOCK_SECS, MAX_LOCK_SECS), (14 * DAY, 4 * 365 * DAY));

    let meta = succeeded(chain.lock(&staker, 30 * DAY));
    assert_eq!(
        chain.position(&staker.position).lock_ends_at,
        NOW + 30 * DAY
    );
    let event: LockExtended = only_event(&meta);
    assert_eq!(event.position, staker.position);
    assert_eq!(
        (event.lock_ends_at_before, event.lock_ends_at_after),
        (0, NOW + 30 * DAY)
    );

    // Ending at the same time, or earlier, is not an extension.
    chain.advance(10 * DAY);
    for duration in [20 * DAY, MIN_LOCK_SECS] {
        assert_fails(
            chain.lock(&staker, duration),
            StakingError::LockCannotShorten,
        );
    }
    succeeded(chain.lock(&staker, 20 * DAY + 1));
    assert_eq!(
        chain.position(&staker.position).lock_ends_at,
        NOW + 30 * DAY + 1
    );
    succeeded(chain.lock(&staker, MAX_LOCK_SECS));
    assert_eq!(
        chain.position(&staker.position).lock_ends_at,
        NOW + 10 * DAY + MAX_LOCK_SECS
    );
}

#[test]
fn nothing_is_unstaked_while_locked() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staker(&pool, 105 * IO);
    succeeded(chain.stake(&staker, 100 * IO));
    succeeded(chain.lock(&staker, MIN_LOCK_SECS));

    chain.set_time(NOW + MIN_LOCK_SECS - 1);
    assert_fails(chain.unstake(&staker, IO), StakingError::StakeLocked);
    // Stake added while locked is locked with the rest.
    succeeded(chain.stake(&staker, 5 * IO));
    for amount in [IO, UNSTAKE_ALL] {
        assert_fails(chain.unstake(&staker, amount), StakingError::StakeLocked);
    }

    chain.set_time(NOW + MIN_LOCK_SECS);
    succeeded(chain.unstake(&staker, 105 * IO));
    assert_eq!(chain.position(&staker.position).cooling_shares, 105 * IO);
}

#[test]
fn unstake_then_withdraw_after_the_cooldown_pays_exactly_the_value() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 1_000 * IO);
    let other = chain.staked(&pool, 500 * IO);
    assert_fails(chain.withdraw(&staker), StakingError::NothingToWithdraw);

    let meta = succeeded(chain.unstake(&staker, 400 * IO + 7));
    let position = chain.position(&staker.position);
    assert_eq!(
        (position.shares, position.cooling_shares),
        (600 * IO - 7, 400 * IO + 7)
    );
    assert_eq!(position.cooldown_ends_at, NOW + COOLDOWN);
    let state = chain.pool(&pool.key);
    assert_eq!(
        (
            state.costake_total,
            state.costake_shares,
            state.active_shares
        ),
        (1_500 * IO, 1_500 * IO, 1_100 * IO - 7),
        "cooling co-stake stays in the pool, inactive"
    );
    let event: Unstaked = only_event(&meta);
    assert_eq!((event.amount, event.shares), (400 * IO + 7, 400 * IO + 7));
    assert_eq!(event.cooling_shares_after, 400 * IO + 7);
    assert_eq!(event.cooldown_ends_at, NOW + COOLDOWN);

    // A second unstake restarts the cooldown of everything cooling.
    chain.advance(DAY);
    succeeded(chain.unstake(&staker, 100 * IO));
    let ends_at = NOW + DAY + COOLDOWN;
    assert_eq!(chain.position(&staker.position).cooldown_ends_at, ends_at);

    chain.set_time(ends_at - 1);
    assert_fails(chain.withdraw(&staker), StakingError::CooldownNotElapsed);
    chain.set_time(ends_at);
    let meta = succeeded(chain.withdraw(&staker));
    let event: Withdrawn = only_event(&meta);
    assert_eq!(
        (event.position, event.amount, event.shares),
        (staker.position, 500 * IO + 7, 500 * IO + 7)
    );
    assert_eq!(chain.token_balance(&staker.io), 500 * IO + 7);
    assert_eq!(chain.token_balance(&pool.vault), 1_000 * IO - 7);
    let state = chain.pool(&pool.key);
    assert_eq!(
        (
            state.costake_total,
            state.costake_shares,
            state.active_shares
        ),
        (1_000 * IO - 7, 1_000 * IO - 7, 1_000 * IO - 7)
    );
    chain.assert_vault_balanced(&pool);
    assert_fails(chain.withdraw(&staker), StakingError::NothingToWithdraw);
    assert_eq!(chain.position_value(&other), (500 * IO, 0));
}

#[test]
fn an_emptied_position_closes_and_returns_its_rent_once() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 1_000 * IO);
    chain.staked(&pool, 1_000 * IO);
    assert_fails(
        chain.close_position(&staker),
        StakingError::PositionNotEmpty,
    );

    // Rewards earned before unstaking keep the position open until claimed.
    let depositor = chain.funded_keypair();
    let source = chain.io_account(&depositor.pubkey(), 10 * IO);
    succeeded(chain.send(
        ix::deposit_rewards(&depositor.pubkey(), &pool.key, &source, 10 * IO),
        &[&depositor],
    ));
    succeeded(chain.unstake(&staker, UNSTAKE_ALL));
    assert_fails(
        chain.close_position(&staker),
        StakingError::PositionNotEmpty,
    );
    chain.advance(COOLDOWN);
    succeeded(chain.withdraw(&staker));
    assert_fails(
        chain.close_position(&staker),
        StakingError::PositionNotEmpty,
    );
    succeeded(chain.claim(&staker));
    assert_eq!(chain.token_balance(&staker.io), 1_005 * IO);

    let owner = staker.owner.pubkey();
    let lamports_before = chain.balance(&owner);
    let meta = succeeded(chain.close_position(&staker));
    assert!(!chain.exists(&staker.position));
    assert_eq!(
        chain.balance(&owner) - lamports_before,
        chain.rent(8 + StakePosition::INIT_SPACE) - FEE_PER_SIGNATURE
    );
    let event: PositionClosed = only_event(&meta);
    assert_eq!(
        (
            event.pool,
            event.position,
            event.owner,
            event.rewards_claimed
        ),
        (pool.key, staker.position, owner, 5 * IO)
    );
    assert_fails(
        chain.close_position(&staker),
        AnchorErrorCode::AccountNotInitialized,
    );
    chain.assert_vault_balanced(&pool);

    // Reopened at the same address, the position starts empty.
    succeeded(chain.send(ix::open_position(&owner, &pool.key), &[&staker.owner]));
    assert_eq!(chain.position(&staker.position).rewards_claimed, 0);
}

#[test]
fn unstake_all_cools_every_active_share_and_withdraw_pays_their_value() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 1_000 * IO);
    let other = chain.staked(&pool, 500 * IO);
    // A slash of 100 IO + 1 leaves 1,500 IO of shares holding 1,400 IO - 1: the staker's are
    // worth floor(2/3 of it).
    succeeded(chain.slash(&pool.key, 100 * IO + 1));
    let value = 933 * IO + 33_333_332;
    assert_eq!(chain.position_value(&staker), (value, 0));

    let meta = succeeded(chain.unstake(&staker, UNSTAKE_ALL));
    let position = chain.position(&staker.position);
    assert_eq!((position.shares, position.cooling_shares), (0, 1_000 * IO));
    assert_eq!(position.cooldown_ends_at, NOW + COOLDOWN);
    assert_eq!(chain.pool(&pool.key).active_shares, 500 * IO);
    let event: Unstaked = only_event(&meta);
    assert_eq!((event.amount, event.shares), (value, 1_000 * IO));
    assert_eq!(event.cooling_shares_after, 1_000 * IO);

    chain.advance(COOLDOWN);
    let meta = succeeded(chain.withdraw(&staker));
    let event: Withdrawn = only_event(&meta);
    assert_eq!((event.amount, event.shares), (value, 1_000 * IO));
    assert_eq!(chain.token_balance(&staker.io), value);
    let state = chain.pool(&pool.key);
    assert_eq!(
        (
            state.costake_total,
            state.costake_shares,
            state.active_shares
        ),
        (1_400 * IO - 1 - value, 500 * IO, 500 * IO)
    );
    chain.assert_vault_balanced(&pool);
    // The rounding stays in the pool, with the remaining shares.
    assert_eq!(chain.position_value(&other), (466 * IO + 66_666_667, 0));
}

/// Nothing is unstaked from a position without active shares, whatever the amount asked: not
/// even in a pool without co-stake, where no amount has a price in shares.
#[test]
fn unstake_of_a_position_without_active_shares_fails_with_insufficient_stake() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let empty = chain.staker(&pool, 100 * IO);
    for amount in [1, 100 * IO, UNSTAKE_ALL] {
        assert_fails(
            chain.unstake(&empty, amount),
            StakingError::InsufficientStake,
        );
    }

    // Every share cooling: nothing active left.
    let leaving = chain.staked(&pool, 100 * IO);
    succeeded(chain.unstake(&leaving, UNSTAKE_ALL));
    for staker in [&empty, &leaving] {
        for amount in [1, UNSTAKE_ALL] {
            assert_fails(
                chain.unstake(staker, amount),
                StakingError::InsufficientStake,
            );
        }
    }
    let position = chain.position(&leaving.position);
    assert_eq!((position.shares, position.cooling_shares), (0, 100 * IO));
}

#[test]
fn unstake_refuses_zero_and_more_than_the_active_value() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 100 * IO);
    succeeded(chain.unstake(&staker, 30 * IO));

    assert_fails(chain.unstake(&staker, 0), StakingError::ZeroAmount);
    assert_fails(
        chain.unstake(&staker, 70 * IO + 1),
        StakingError::InsufficientStake,
    );
    succeeded(chain.unstake(&staker, 70 * IO));
    assert_eq!(chain.position(&staker.position).shares, 0);
    assert_fails(chain.unstake(&staker, 1), StakingError::InsufficientStake);
}

/// Positions move only IO, and never between the vault and itself.
#[test]
fn positions_move_only_io() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let staker = chain.staked(&pool, 100 * IO);
    succeeded(chain.deposit(&pool.key, 10 * IO));
    succeeded(chain.unstake(&staker, 50 * IO));
    chain.advance(COOLDOWN);
    let owner = staker.owner.pubkey();
    let foreign = chain.foreign_token_account(&owner, 100 * IO);

    for (account, error) in [
        (foreign, StakingError::WrongMint),
        (pool.vault, StakingError::VaultAsCounterparty),
    ] {
        for instruction in [
            ix::stake(&owner, &pool.key, &account, IO),
            ix::withdraw(&owner, &pool.key, &account),
            ix::claim_rewards(&owner, &pool.key, &account),
        ] {
            assert_fails(chain.send(instruction, &[&staker.owner]), error);
        }
    }
    assert_eq!(chain.token_balance(&foreign), 100 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 110 * IO);
    let position = chain.position(&staker.position);
    assert_eq!(
        (position.shares, position.cooling_shares),
        (50 * IO, 50 * IO)
    );
    assert_eq!(position.rewards_claimed, 0);
}

/// A position's address is derived from its pool and its owner, so a signer presenting someone
/// else's position, or its own position in another pool, fails Anchor's address check
/// (`ConstraintSeeds`): the seeds are the only owner and pool check the program needs.
#[test]
fn only_the_owner_changes_a_position_and_only_in_its_own_pool() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let other_pool = chain.open_pool();
    let victim = chain.staked(&pool, 100 * IO);
    let thief = chain.staker(&pool, 150 * IO);
    succeeded(chain.stake(&thief, 100 * IO));
    let thief_elsewhere = chain.position_in(&other_pool, &thief);
    succeeded(chain.stake(&thief_elsewhere, 50 * IO));
    let me = thief.owner.pubkey();

    let attempts = [
        // Someone else's position in the same pool.
        with_account(
            ix::unstake(&me, &pool.key, IO),
            &thief.position,
            &victim.position,
        ),
        with_account(
            ix::withdraw(&me, &pool.key, &thief.io),
            &thief.position,
            &victim.position,
        ),
        with_account(
            ix::lock(&me, &pool.key, MIN_LOCK_SECS),
            &thief.position,
            &victim.position,
        ),
        // The signer's own position, but in another pool.
        with_account(
            ix::unstake(&me, &pool.key, IO),
            &thief.position,
            &thief_elsewhere.position,
        ),
        with_account(
            ix::claim_rewards(&me, &pool.key, &thief.io),
            &thief.position,
            &thief_elsewhere.position,
        ),
    ];
    for instruction in attempts {
        assert_fails(
            chain.send(instruction, &[&thief.owner]),
            AnchorErrorCode::ConstraintSeeds,
        );
    }
    assert_eq!(chain.position(&victim.position).shares, 100 * IO);
    assert_eq!(chain.position(&victim.position).lock_ends_at, 0);
    assert_eq!(chain.position(&thief_elsewhere.position).shares, 50 * IO);
}
