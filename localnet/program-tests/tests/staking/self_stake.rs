//! The operator's self-stake: paid into the pool's vault, unstaked into a cooldown (restarted by
//! every unstake), and withdrawn whole once the cooldown has elapsed. Only the operator moves it,
//! and only in IO.

use {
    crate::common::*,
    iotoken::math::IO,
    solana_signer::Signer,
    spl_token::error::TokenError,
    staking::{
        errors::StakingError,
        events::{SelfStaked, SelfUnstaked, SelfWithdrawn},
    },
};

#[test]
fn stake_self_moves_io_from_the_operators_wallet_into_the_vault() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();

    let meta = succeeded(chain.stake_self(&pool, 1_234 * IO + 5));
    succeeded(chain.stake_self(&pool, 66 * IO));

    let staked = 1_300 * IO + 5;
    assert_eq!(chain.pool(&pool.key).operator_stake, staked);
    assert_eq!(chain.token_balance(&pool.vault), staked);
    assert_eq!(chain.token_balance(&pool.operator_io), OPERATOR_IO - staked);
    chain.assert_vault_balanced(&pool);
    let event: SelfStaked = only_event(&meta);
    assert_eq!(event.pool, pool.key);
    assert_eq!(event.amount, 1_234 * IO + 5);
    assert_eq!(event.operator_stake_after, 1_234 * IO + 5);
}

#[test]
fn unstake_self_starts_a_cooldown_that_every_unstake_restarts() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 1_000 * IO));

    let meta = succeeded(chain.unstake_self(&pool, 300 * IO));
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (700 * IO, 300 * IO)
    );
    assert_eq!(state.operator_cooldown_ends_at, NOW + COOLDOWN);
    assert_eq!(chain.token_balance(&pool.vault), 1_000 * IO, "nothing left");
    let event: SelfUnstaked = only_event(&meta);
    assert_eq!(event.amount, 300 * IO);
    assert_eq!(event.operator_stake_after, 700 * IO);
    assert_eq!(event.operator_cooling_after, 300 * IO);
    assert_eq!(event.cooldown_ends_at, NOW + COOLDOWN);

    chain.advance(5 * DAY);
    succeeded(chain.unstake_self(&pool, 100 * IO));
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (600 * IO, 400 * IO)
    );
    assert_eq!(state.operator_cooldown_ends_at, NOW + 5 * DAY + COOLDOWN);
}

#[test]
fn withdraw_self_pays_everything_cooling_once_the_cooldown_has_elapsed() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 1_000 * IO));
    assert_fails(chain.withdraw_self(&pool), StakingError::NothingToWithdraw);
    succeeded(chain.unstake_self(&pool, 250 * IO + 1));

    chain.set_time(NOW + COOLDOWN - 1);
    assert_fails(chain.withdraw_self(&pool), StakingError::CooldownNotElapsed);

    chain.set_time(NOW + COOLDOWN);
    let meta = succeeded(chain.withdraw_self(&pool));
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (750 * IO - 1, 0)
    );
    assert_eq!(chain.token_balance(&pool.vault), 750 * IO - 1);
    assert_eq!(
        chain.token_balance(&pool.operator_io),
        OPERATOR_IO - 750 * IO + 1
    );
    chain.assert_vault_balanced(&pool);
    let event: SelfWithdrawn = only_event(&meta);
    assert_eq!((event.pool, event.amount), (pool.key, 250 * IO + 1));

    assert_fails(chain.withdraw_self(&pool), StakingError::NothingToWithdraw);
}

#[test]
fn self_stake_refuses_zero_and_more_than_the_active_stake() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    assert_fails(chain.stake_self(&pool, 0), StakingError::ZeroAmount);
    succeeded(chain.stake_self(&pool, 100 * IO));

    assert_fails(chain.unstake_self(&pool, 0), StakingError::ZeroAmount);
    assert_fails(
        chain.unstake_self(&pool, 100 * IO + 1),
        StakingError::InsufficientStake,
    );
    succeeded(chain.unstake_self(&pool, 60 * IO));
    assert_fails(
        chain.unstake_self(&pool, 40 * IO + 1),
        StakingError::InsufficientStake,
    );
    assert_fails(
        chain.stake_self(&pool, OPERATOR_IO),
        Expected::Token(TokenError::InsufficientFunds),
    );
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (40 * IO, 60 * IO)
    );
}

#[test]
fn only_the_operator_moves_self_stake() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    succeeded(chain.unstake_self(&pool, 50 * IO));
    chain.advance(COOLDOWN);
    let stranger = chain.funded_keypair();
    let stranger_io = chain.io_account(&stranger.pubkey(), 100 * IO);

    for instruction in [
        ix::stake_self(&stranger.pubkey(), &pool.key, &stranger_io, IO),
        ix::unstake_self(&stranger.pubkey(), &pool.key, &pool.device, IO),
        ix::withdraw_self(&stranger.pubkey(), &pool.key, &pool.device, &stranger_io),
    ] {
        assert_fails(
            chain.send(instruction, &[&stranger]),
            StakingError::NotPoolOperator,
        );
    }
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (50 * IO, 50 * IO)
    );
    assert_eq!(chain.token_balance(&stranger_io), 100 * IO);
}

/// Self-stake moves only IO, and never between the vault and itself.
#[test]
fn self_stake_moves_only_io() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    succeeded(chain.unstake_self(&pool, 50 * IO));
    chain.advance(COOLDOWN);
    let operator = pool.operator.pubkey();
    let foreign = chain.foreign_token_account(&operator, 100 * IO);

    for instruction in [
        ix::stake_self(&operator, &pool.key, &foreign, IO),
        ix::withdraw_self(&operator, &pool.key, &pool.device, &foreign),
    ] {
        assert_fails(
            chain.send(instruction, &[&pool.operator]),
            StakingError::WrongMint,
        );
    }
    for instruction in [
        ix::stake_self(&operator, &pool.key, &pool.vault, IO),
        ix::withdraw_self(&operator, &pool.key, &pool.device, &pool.vault),
    ] {
        assert_fails(
            chain.send(instruction, &[&pool.operator]),
            StakingError::VaultAsCounterparty,
        );
    }
    assert_eq!(chain.token_balance(&foreign), 100 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 100 * IO);
    let state = chain.pool(&pool.key);
    assert_eq!(
        (state.operator_stake, state.operator_cooling),
        (50 * IO, 50 * IO)
    );
}
