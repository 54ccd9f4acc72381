//! Paying the reward pools out: the config authority names, per pool, the program whose
//! `["distributor"]` PDA may draw it (`set_pool_distributor`); that PDA alone draws each closed
//! epoch's share of the pool, exactly the amount the epoch minted into it, once
//! (`draw_epoch_pool`). A test program stands in for the registry (see `distributor_program`).

use {
    crate::common::*,
    anchor_lang::{error::ErrorCode as AnchorErrorCode, prelude::Pubkey},
    iotoken::{
        errors::IotokenError,
        events::{EpochPoolDrawn, PoolDistributorSet},
        state::RewardPool,
    },
    litesvm::types::TransactionResult,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const AVAILABILITY: u8 = RewardPool::Availability as u8;
const KEEPERS: u8 = RewardPool::Keepers as u8;

fn set_distributor(chain: &mut Chain, pool: u8, program: &Pubkey) -> TransactionResult {
    let authority = chain.authority.pubkey();
    chain.send_as_authority(ix::set_pool_distributor(&authority, pool, program))
}

/// The test distributing program at `program` draws `pool`'s share of `epoch` into
/// `destination`; the authority pays.
fn draw_through(
    chain: &mut Chain,
    program: &Pubkey,
    pool: u8,
    epoch: u64,
    destination: &Pubkey,
) -> TransactionResult {
    chain.send_as_authority(ix::draw_through(program, pool, epoch, destination))
}

/// An emitting chain with epochs 0-2 closed, the test program distributing the availability and
/// keepers pools, and an empty IO account of its own to draw into.
fn drawing_chain() -> (Chain, Pubkey) {
    let mut chain = Chain::emitting();
    chain.set_time(ORIGIN + 3 * HOUR);
    chain.crank_checked(3);
    for pool in [AVAILABILITY, KEEPERS] {
        succeeded(set_distributor(&mut chain, pool, &DISTRIBUTOR_PROGRAM));
    }
    let destination =
        chain.create_token_account(&pda::io_mint(), &pda::distributor(&DISTRIBUTOR_PROGRAM));
    (chain, destination)
}

// set_pool_distributor

#[test]
fn set_pool_distributor_stores_the_programs_distributor_pda_and_reports_it() {
    let mut chain = Chain::initialized();
    let distributor = pda::distributor(&DISTRIBUTOR_PROGRAM);

    let meta = succeeded(set_distributor(&mut chain, KEEPERS, &DISTRIBUTOR_PROGRAM));

    let mut expected = [Pubkey::default(); 4];
    expected[KEEPERS as usize] = distributor;
    assert_eq!(chain.config().pool_distributors, expected);
    let event: PoolDistributorSet = only_event(&meta);
    assert_eq!((event.pool, event.program), (KEEPERS, DISTRIBUTOR_PROGRAM));
    assert_eq!(
        (event.distributor_before, event.distributor_after),
        (Pubkey::default(), distributor)
    );

    // Another program replaces it; the all-zero program stops all draws from the pool.
    let other = pda::distributor(&OTHER_DISTRIBUTOR_PROGRAM);
    let meta = succeeded(set_distributor(
        &mut chain,
        KEEPERS,
        &OTHER_DISTRIBUTOR_PROGRAM,
    ));
    let event: PoolDistributorSet = only_event(&meta);
    assert_eq!(
        (event.distributor_before, event.distributor_after),
        (distributor, other)
    );
    let meta = succeeded(set_distributor(&mut chain, KEEPERS, &Pubkey::default()));
    let event: PoolDistributorSet = only_event(&meta);
    assert_eq!(
        (
            event.program,
            event.distributor_before,
            event.distributor_after
        ),
        (Pubkey::default(), other, Pubkey::default())
    );
    assert_eq!(chain.config().pool_distributors, [Pubkey::default(); 4]);
}

#[test]
fn set_pool_distributor_is_the_authoritys_for_pools_0_to_3_and_must_change_something() {
    let mut chain = Chain::initialized();
    let intruder = chain.funded_keypair();
    let by_intruder =
        ix::set_pool_distributor(&intruder.pubkey(), AVAILABILITY, &DISTRIBUTOR_PROGRAM);
    assert_fails(
        chain.send(by_intruder, &[&intruder]),
        IotokenError::NotConfigAuthority,
    );
    for pool in [4, u8::MAX] {
        assert_fails(
            set_distributor(&mut chain, pool, &DISTRIBUTOR_PROGRAM),
            IotokenError::InvalidPool,
        );
    }
    assert_fails(
        set_distributor(&mut chain, AVAILABILITY, &Pubkey::default()),
        IotokenError::NothingToUpdate,
    );
    assert_eq!(chain.config().pool_distributors, [Pubkey::default(); 4]);

    succeeded(set_distributor(
        &mut chain,
        AVAILABILITY,
        &DISTRIBUTOR_PROGRAM,
    ));
    assert_fails(
        set_distributor(&mut chain, AVAILABILITY, &DISTRIBUTOR_PROGRAM),
        IotokenError::NothingToUpdate,
    );
}

// draw_epoch_pool

#[test]
fn the_distributor_draws_exactly_one_epochs_share_of_its_pool() {
    let (mut chain, destination) = drawing_chain();
    let record = chain.epoch_record(1);
    let pools_before = chain.pool_balances();
    assert_eq!(
        pools_before[AVAILABILITY as usize],
        3 * record.pools[AVAILABILITY as usize],
        "three epochs minted alike"
    );

    let meta = succeeded(draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        1,
        &destination,
    ));

    let share = record.pools[AVAILABILITY as usize];
    assert!(share > 0);
    assert_eq!(chain.token_balance(&destination), share);
    let mut expected = pools_before;
    expected[AVAILABILITY as usize] -= share;
    assert_eq!(
        chain.pool_balances(),
        expected,
        "only the availability pool"
    );
    let after = chain.epoch_record(1);
    assert_eq!(after.drawn, [true, false, false, false]);
    assert_eq!(
        after.pools, record.pools,
        "the record keeps what was minted"
    );
    for other in [0, 2] {
        assert_eq!(chain.epoch_record(other).drawn, [false; 4]);
    }
    let event: EpochPoolDrawn = only_event(&meta);
    assert_eq!(
        (event.pool, event.epoch, event.amount),
        (AVAILABILITY, 1, share)
    );
    assert_eq!(event.distributor, pda::distributor(&DISTRIBUTOR_PROGRAM));
    assert_eq!(event.destination, destination);

    // The keepers pool of the same epoch is drawn separately, after its crank tip.
    succeeded(draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        KEEPERS,
        1,
        &destination,
    ));
    let keepers_share = record.pools[KEEPERS as usize];
    assert_eq!(chain.token_balance(&destination), share + keepers_share);
    assert_eq!(chain.epoch_record(1).drawn, [true, false, false, true]);
    assert_eq!(
        chain.pool_balances()[KEEPERS as usize],
        pools_before[KEEPERS as usize] - keepers_share
    );
}

#[test]
fn an_epochs_share_is_drawn_once() {
    let (mut chain, destination) = drawing_chain();
    succeeded(draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        0,
        &destination,
    ));
    let balance = chain.token_balance(&destination);
    let pools = chain.pool_balances();

    let again = draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        0,
        &destination,
    );
    assert_fails(again, IotokenError::PoolAlreadyDrawn);
    // Elsewhere, too: the flag is the epoch's, whatever the destination.
    let elsewhere = chain.create_token_account(&pda::io_mint(), &Pubkey::new_unique());
    let again = draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        0,
        &elsewhere,
    );
    assert_fails(again, IotokenError::PoolAlreadyDrawn);

    assert_eq!(chain.token_balance(&destination), balance);
    assert_eq!(chain.token_balance(&elsewhere), 0);
    assert_eq!(chain.pool_balances(), pools);
}

#[test]
fn nobody_but_the_named_distributor_draws_a_pool() {
    let (mut chain, destination) = drawing_chain();
    let pools = chain.pool_balances();

    // A wallet signing for itself, the authority included.
    let wallet = chain.funded_keypair();
    let by_wallet = ix::draw_epoch_pool(
        &wallet.pubkey(),
        AVAILABILITY,
        AVAILABILITY,
        0,
        &destination,
    );
    assert_fails(
        chain.send(by_wallet, &[&wallet]),
        IotokenError::NotPoolDistributor,
    );
    let authority = chain.authority.pubkey();
    let by_authority = ix::draw_epoch_pool(&authority, AVAILABILITY, AVAILABILITY, 0, &destination);
    assert_fails(
        chain.send_as_authority(by_authority),
        IotokenError::NotPoolDistributor,
    );
    // Another program's distributor PDA.
    let by_other = draw_through(
        &mut chain,
        &OTHER_DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        0,
        &destination,
    );
    assert_fails(by_other, IotokenError::NotPoolDistributor);
    // The right program for a pool it was not named for (compute has no distributor).
    let unnamed = draw_through(&mut chain, &DISTRIBUTOR_PROGRAM, 1, 0, &destination);
    assert_fails(unnamed, IotokenError::NotPoolDistributor);
    // A distributor withdrawn by the authority.
    succeeded(set_distributor(&mut chain, KEEPERS, &Pubkey::default()));
    let withdrawn = draw_through(&mut chain, &DISTRIBUTOR_PROGRAM, KEEPERS, 0, &destination);
    assert_fails(withdrawn, IotokenError::NotPoolDistributor);

    assert_eq!(chain.pool_balances(), pools);
    assert_eq!(chain.token_balance(&destination), 0);
    assert_eq!(chain.epoch_record(0).drawn, [false; 4]);
}

#[test]
fn draw_epoch_pool_refuses_a_bad_pool_destination_or_epoch_by_name() {
    let (mut chain, destination) = drawing_chain();
    let pools = chain.pool_balances();
    let distributor = pda::distributor(&DISTRIBUTOR_PROGRAM);

    // Pool 4 does not exist (its vault is passed as the availability pool's).
    let mut invalid = ix::draw_through(&DISTRIBUTOR_PROGRAM, AVAILABILITY, 0, &destination);
    invalid.data = ix::draw_epoch_pool(&distributor, 4, AVAILABILITY, 0, &destination).data;
    assert_fails(chain.send_as_authority(invalid), IotokenError::InvalidPool);
    // The pool's own vault as the destination.
    let into_itself = draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        0,
        &pda::pool(AVAILABILITY),
    );
    assert_fails(into_itself, IotokenError::PoolAsDestination);
    // Another pool's vault is accepted by the seeds of no pool but its own.
    let mut swapped = ix::draw_through(&DISTRIBUTOR_PROGRAM, AVAILABILITY, 0, &destination);
    swapped.accounts[3].pubkey = pda::pool(KEEPERS);
    assert_fails(
        chain.send_as_authority(swapped),
        AnchorErrorCode::ConstraintSeeds,
    );
    // A destination of another mint.
    let iosd = chain.create_token_account(&pda::iosd_mint(), &distributor);
    let wrong_mint = draw_through(&mut chain, &DISTRIBUTOR_PROGRAM, AVAILABILITY, 0, &iosd);
    assert_fails(wrong_mint, IotokenError::WrongMint);
    // An epoch iotoken has not closed has no record.
    let open = draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        3,
        &destination,
    );
    assert_fails(open, AnchorErrorCode::AccountNotInitialized);

    assert_eq!(chain.pool_balances(), pools);
    assert_eq!(chain.token_balance(&destination), 0);
}

#[test]
fn an_epoch_that_minted_nothing_is_drawn_as_zero() {
    // One epoch at RATE_A, then the schedule's end.
    let rows = vec![row(ORIGIN, RATE_A), row(ORIGIN + HOUR, 0)];
    let mut chain = Chain::with_genesis();
    chain.seal(&rows);
    chain.set_time(ORIGIN + 2 * HOUR);
    chain.crank_checked(2);
    succeeded(set_distributor(
        &mut chain,
        AVAILABILITY,
        &DISTRIBUTOR_PROGRAM,
    ));
    let destination = chain.create_token_account(&pda::io_mint(), &Keypair::new().pubkey());
    let pools = chain.pool_balances();
    assert_eq!(chain.epoch_record(1).pools, [0; 4]);

    let meta = succeeded(draw_through(
        &mut chain,
        &DISTRIBUTOR_PROGRAM,
        AVAILABILITY,
        1,
        &destination,
    ));

    let event: EpochPoolDrawn = only_event(&meta);
    assert_eq!((event.epoch, event.amount), (1, 0));
    assert!(chain.epoch_record(1).drawn[AVAILABILITY as usize]);
    assert_eq!(chain.pool_balances(), pools);
    assert_eq!(chain.token_balance(&destination), 0);
}
