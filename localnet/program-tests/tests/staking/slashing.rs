//! Slashing, signed by the `["slasher"]` PDA of a registered slashing program (here the test-only
//! program that forwards to staking): the operator's cooling self-stake goes first, then its
//! active self-stake, then the co-stake pro-rata through the share value; per pool at most
//! `max_slash_bps` of the stake at the window's first slash, per window.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{Slashed, Unstaked, Withdrawn},
        instructions::staker::unstake::UNSTAKE_ALL,
        state::{SlashParams, SlashReason},
        ParameterChange,
    },
};

/// Asserts the split of the slash `meta` reports, and the window after it.
#[track_caller]
fn assert_slashed(
    meta: &litesvm::types::TransactionMetadata,
    [cooling, stake, costake]: [u64; 3],
    [window_cap, window_slashed]: [u64; 2],
) {
    let event: Slashed = only_event(meta);
    assert_eq!(event.amount, cooling + stake + costake);
    assert_eq!(
        (
            event.from_operator_cooling,
            event.from_operator_stake,
            event.from_costake
        ),
        (cooling, stake, costake)
    );
    assert_eq!(
        (event.window_cap, event.window_slashed_after),
        (window_cap, window_slashed)
    );
}

#[test]
fn a_slash_takes_cooling_self_stake_then_self_stake_then_co_stake_pro_rata() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    succeeded(chain.unstake_self(&pool, 30 * IO));
    let a = chain.staked(&pool, 600 * IO);
    let b = chain.staked(&pool, 400 * IO);

    // 1,100 IO staked: this window may slash 10%, 110 IO.
    let meta = succeeded(chain.slash(&pool.key, 20 * IO));
    assert_slashed(&meta, [20 * IO, 0, 0], [110 * IO, 20 * IO]);
    let event: Slashed = only_event(&meta);
    assert_eq!(event.pool, pool.key);
    assert_eq!(event.slasher, pda::slasher(&SLASHER_PROGRAM));
    assert_eq!(event.reason, SlashReason::FailedProbesDuringReservation);
    assert_eq!(event.evidence, slash_args(0).evidence);
    assert_eq!(event.destination, chain.treasury);
    assert_eq!(chain.token_balance(&chain.treasury), 20 * IO);

    let meta = succeeded(chain.slash(&pool.key, 50 * IO));
    assert_slashed(&meta, [10 * IO, 40 * IO, 0], [110 * IO, 70 * IO]);
    let state = chain.pool(&pool.key);
    assert_eq!((state.operator_cooling, state.operator_stake), (0, 30 * IO));
    assert_eq!(
        (
            state.slash_window_start,
            state.slash_window_cap,
            state.slashed_in_window
        ),
        (NOW, 110 * IO, 70 * IO)
    );

    // 40 IO remain in this window, until it ends.
    assert_fails(
        chain.slash(&pool.key, 40 * IO + 1),
        StakingError::SlashCapExceeded,
    );
    chain.set_time(NOW + SLASH_WINDOW - 1);
    assert_fails(
        chain.slash(&pool.key, 40 * IO + 1),
        StakingError::SlashCapExceeded,
    );
    assert_fails(chain.slash(&pool.key, 0), StakingError::ZeroAmount);

    // A new window: 10% of the 1,030 IO staked now. The last 30 IO of self-stake go first, the
    // other 70 IO come out of the co-stake: 1,000 IO of shares now hold 930 IO.
    chain.set_time(NOW + SLASH_WINDOW);
    let meta = succeeded(chain.slash(&pool.key, 100 * IO));
    assert_slashed(&meta, [0, 30 * IO, 70 * IO], [103 * IO, 100 * IO]);
    let state = chain.pool(&pool.key);
    assert_eq!(state.slash_window_start, NOW + SLASH_WINDOW);
    assert_eq!(state.operator_stake, 0);
    assert_eq!(
        (state.costake_total, state.costake_shares),
        (930 * IO, 1_000 * IO)
    );
    assert_eq!(state.total_slashed, 170 * IO);
    assert_eq!(chain.token_balance(&chain.treasury), 170 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 930 * IO);
    chain.assert_vault_balanced(&pool);

    // Every position lost 7%: 600 -> 558 IO and 400 -> 372 IO, and that is what they withdraw.
    assert_eq!(chain.position_value(&a), (558 * IO, 0));
    assert_eq!(chain.position_value(&b), (372 * IO, 0));
    succeeded(chain.unstake(&a, 558 * IO));
    succeeded(chain.unstake(&b, 372 * IO));
    chain.advance(COOLDOWN);
    succeeded(chain.withdraw(&a));
    succeeded(chain.withdraw(&b));
    assert_eq!(chain.token_balance(&a.io), 558 * IO);
    assert_eq!(chain.token_balance(&b.io), 372 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 0);
    assert_fails(chain.withdraw_self(&pool), StakingError::NothingToWithdraw);
}

#[test]
fn cooling_co_stake_is_slashed_with_the_active() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let leaving = chain.staked(&pool, 500 * IO);
    let staying = chain.staked(&pool, 500 * IO);
    succeeded(chain.unstake(&leaving, 500 * IO));

    succeeded(chain.slash(&pool.key, 100 * IO));

    assert_eq!(chain.position_value(&leaving), (0, 450 * IO));
    assert_eq!(chain.position_value(&staying), (450 * IO, 0));
    chain.advance(COOLDOWN);
    succeeded(chain.withdraw(&leaving));
    assert_eq!(chain.token_balance(&leaving.io), 450 * IO);
    chain.assert_vault_balanced(&pool);
}

/// A chain whose slash cap is the pool's whole stake per window.
fn uncapped_chain() -> Chain {
    let mut chain = Chain::new();
    let authority = chain.authority.pubkey();
    let whole = ParameterChange::Slashing {
        params: SlashParams {
            max_slash_bps: 10_000,
            window_secs: SLASH_WINDOW,
        },
    };
    succeeded(chain.send_as_authority(ix::update_config(&authority, whole)));
    chain
}

#[test]
fn a_slash_beyond_what_the_pool_still_holds_fails_with_slash_exceeds_stake() {
    let mut chain = uncapped_chain();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    succeeded(chain.unstake_self(&pool, 90 * IO));
    chain.advance(COOLDOWN);

    // The window opens with a cap of all 100 IO; then 90 IO less than that leave the pool.
    succeeded(chain.slash(&pool.key, 1));
    succeeded(chain.withdraw_self(&pool));
    assert_eq!(
        chain.token_balance(&pool.operator_io),
        OPERATOR_IO - 10 * IO - 1,
        "the withdrawal pays what the slash left of the cooling stake"
    );

    assert_fails(
        chain.slash(&pool.key, 10 * IO + 1),
        StakingError::SlashExceedsStake,
    );
    succeeded(chain.slash(&pool.key, 10 * IO));
    let state = chain.pool(&pool.key);
    assert_eq!(state.operator_stake, 0);
    assert_eq!(state.total_slashed, 10 * IO + 1);
    assert_eq!(chain.token_balance(&pool.vault), 0);
}

#[test]
fn a_pool_whose_co_stake_was_slashed_to_nothing_takes_no_new_co_stake() {
    let mut chain = uncapped_chain();
    let pool = chain.open_pool();
    let wiped = chain.staked(&pool, 100 * IO);
    let newcomer = chain.staker(&pool, 100 * IO);

    succeeded(chain.slash(&pool.key, 100 * IO));
    let state = chain.pool(&pool.key);
    assert_eq!((state.costake_total, state.costake_shares), (0, 100 * IO));
    assert_eq!(chain.position_value(&wiped), (0, 0));

    // New IO would buy shares worth nothing: refused. No amount of IO has a price in the old
    // shares either (they leave only all at once, below).
    assert_fails(chain.stake(&newcomer, IO), StakingError::CoStakeWipedOut);
    assert_fails(chain.unstake(&wiped, 1), StakingError::CoStakeWipedOut);
    assert_eq!(chain.token_balance(&newcomer.io), 100 * IO);
    chain.assert_vault_balanced(&pool);
}

/// Shares the slashes left worth nothing still leave through `UNSTAKE_ALL`: the withdrawal pays
/// nothing and burns them, and once none are left the pool takes co-stake again, 1:1.
#[test]
fn shares_slashed_to_nothing_are_unstaked_all_and_withdrawn_for_nothing() {
    let mut chain = uncapped_chain();
    let pool = chain.open_pool();
    let first = chain.staked(&pool, 100 * IO);
    let second = chain.staked(&pool, 50 * IO);
    let newcomer = chain.staker(&pool, 100 * IO);
    succeeded(chain.slash(&pool.key, 150 * IO));

    for (staker, shares, pool_shares_after) in [(&first, 100 * IO, 50 * IO), (&second, 50 * IO, 0)]
    {
        let meta = succeeded(chain.unstake(staker, UNSTAKE_ALL));
        let event: Unstaked = only_event(&meta);
        assert_eq!((event.amount, event.shares), (0, shares));
        chain.advance(COOLDOWN);
        let meta = succeeded(chain.withdraw(staker));
        let event: Withdrawn = only_event(&meta);
        assert_eq!((event.amount, event.shares), (0, shares));

        assert_eq!(chain.token_balance(&staker.io), 0);
        let position = chain.position(&staker.position);
        assert_eq!((position.shares, position.cooling_shares), (0, 0));
        let state = chain.pool(&pool.key);
        assert_eq!(
            (
                state.costake_total,
                state.costake_shares,
                state.active_shares
            ),
            (0, pool_shares_after, pool_shares_after)
        );
        chain.assert_vault_balanced(&pool);
        // While worthless shares remain, new co-stake is still refused.
        if pool_shares_after > 0 {
            assert_fails(chain.stake(&newcomer, IO), StakingError::CoStakeWipedOut);
        }
    }

    succeeded(chain.stake(&newcomer, 10 * IO));
    assert_eq!(chain.position(&newcomer.position).shares, 10 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 10 * IO);
}

#[test]
fn only_a_registered_slashers_pda_may_slash() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    let impostor = chain.funded_keypair();

    let direct = ix::slash(
        &impostor.pubkey(),
        &pool.key,
        &chain.treasury,
        slash_args(IO),
    );
    assert_fails(
        chain.send(direct, &[&impostor]),
        StakingError::NotSlashAuthority,
    );
    assert_fails(
        chain.slash_through(&ROGUE_SLASHER_PROGRAM, &pool.key, IO),
        StakingError::NotSlashAuthority,
    );
    assert_eq!(chain.pool(&pool.key).operator_stake, 100 * IO);
    succeeded(chain.slash(&pool.key, IO));

    // The slasher set is replaced: the old program's PDA can no longer slash.
    let authority = chain.authority.pubkey();
    let replace = ParameterChange::Slashers {
        programs: vec![ROGUE_SLASHER_PROGRAM],
    };
    succeeded(chain.send_as_authority(ix::update_config(&authority, replace)));
    assert_fails(chain.slash(&pool.key, IO), StakingError::NotSlashAuthority);
    succeeded(chain.slash_through(&ROGUE_SLASHER_PROGRAM, &pool.key, IO));
    assert_eq!(chain.pool(&pool.key).operator_stake, 98 * IO);
    assert_eq!(chain.token_balance(&chain.treasury), 2 * IO);
}

#[test]
fn slashes_are_paid_in_io_and_never_to_the_vault_itself() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 100 * IO));
    let renter = Pubkey::new_unique();
    let foreign = chain.foreign_token_account(&renter, 0);
    let renter_io = chain.io_account(&renter, 0);

    for (destination, error) in [
        (foreign, StakingError::WrongMint),
        (pool.vault, StakingError::VaultAsCounterparty),
    ] {
        let instruction =
            ix::slash_through(&SLASHER_PROGRAM, &pool.key, &destination, slash_args(IO));
        assert_fails(chain.send_as_authority(instruction), error);
    }
    assert_eq!(chain.token_balance(&pool.vault), 100 * IO);

    // The slashing program chooses the destination: here, the renter the fault harmed.
    let instruction =
        ix::slash_through(&SLASHER_PROGRAM, &pool.key, &renter_io, slash_args(3 * IO));
    succeeded(chain.send_as_authority(instruction));
    assert_eq!(chain.token_balance(&renter_io), 3 * IO);
    assert_eq!(chain.token_balance(&pool.vault), 97 * IO);
}
