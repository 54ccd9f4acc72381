//! Pools: one per registry device, opened by the device's owner (who becomes its operator) with a
//! stakers' share inside iotoken's bounds, and its terms changed by the operator only.

use {
    crate::common::*,
    anchor_lang::{prelude::Pubkey, solana_program::program_pack::Pack, Space},
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        errors::StakingError,
        events::{PoolOpened, PoolTermsSet},
        state::StakePool,
    },
};

fn open(chain: &mut Chain, device: &TestDevice, share: u16) -> litesvm::types::TransactionResult {
    let instruction = ix::open_pool(&device.owner.pubkey(), &device.key, share, true);
    chain.send(instruction, &[&device.owner])
}

#[test]
fn open_pool_makes_the_device_owner_its_operator_and_creates_an_empty_vault() {
    let mut chain = Chain::new();
    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    let operator = device.owner.pubkey();
    let balance_before = chain.balance(&operator);

    let instruction = ix::open_pool(&operator, &device.key, 150, false);
    let meta = succeeded(chain.send(instruction, &[&device.owner]));

    let (pool_key, bump) = Pubkey::find_program_address(
        &[b"pool", device.key.as_ref(), operator.as_ref()],
        &staking::ID,
    );
    let (vault_key, vault_bump) =
        Pubkey::find_program_address(&[b"vault", pool_key.as_ref()], &staking::ID);
    let pool = chain.pool(&pool_key);
    assert_eq!(pool.device, device.key);
    assert_eq!(pool.operator, operator);
    assert_eq!(pool.staker_share_bps, 150);
    assert!(!pool.costaking_open);
    let amounts = [
        pool.operator_stake,
        pool.operator_cooling,
        pool.costake_total,
        pool.costake_shares,
        pool.active_shares,
        pool.rewards_deposited,
        pool.rewards_claimed,
        pool.slash_window_cap,
        pool.slashed_in_window,
        pool.total_slashed,
    ];
    assert_eq!(amounts, [0; 10]);
    assert_eq!(pool.reward_index, 0);
    assert_eq!(
        (pool.operator_cooldown_ends_at, pool.slash_window_start),
        (0, 0)
    );
    assert_eq!(pool.created_at, NOW);
    assert_eq!((pool.bump, pool.vault_bump), (bump, vault_bump));

    let vault = chain.token_account(&vault_key);
    assert_eq!(vault.mint, pda::io_mint());
    assert_eq!(vault.owner, pool_key, "the pool PDA owns its vault");
    assert_eq!(vault.amount, 0);

    let pool_space = 8 + StakePool::INIT_SPACE;
    let vault_space = spl_token::state::Account::LEN;
    assert_eq!(chain.account(&pool_key).data.len(), pool_space);
    assert_eq!(
        balance_before - chain.balance(&operator),
        chain.rent(pool_space) + chain.rent(vault_space) + FEE_PER_SIGNATURE,
        "the operator pays the pool's and the vault's rent and the fee"
    );

    let event: PoolOpened = only_event(&meta);
    assert_eq!(event.pool, pool_key);
    assert_eq!(event.device, device.key);
    assert_eq!(event.operator, operator);
    assert_eq!(event.staker_share_bps, 150);
    assert!(!event.costaking_open);
}

#[test]
fn only_the_device_owner_opens_its_pool() {
    let mut chain = Chain::new();
    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    let stranger = chain.funded_keypair();

    let instruction = ix::open_pool(&stranger.pubkey(), &device.key, POOL_SHARE_BPS, true);
    assert_fails(
        chain.send(instruction, &[&stranger]),
        StakingError::NotDeviceOwner,
    );
    assert!(!chain.exists(&pda::pool(&device.key, &stranger.pubkey())));
    assert!(!chain.exists(&pda::pool(&device.key, &device.owner.pubkey())));
}

#[test]
fn open_pool_refuses_accounts_that_are_not_registry_devices() {
    let mut chain = Chain::new();
    let operator = chain.funded_keypair();
    let wallet = chain.funded_keypair().pubkey();
    let io_account = chain.io_account(&operator.pubkey(), 0);
    let not_devices = [
        // A system account.
        wallet,
        // iotoken's config, and an SPL Token account.
        pda::token_config(),
        io_account,
        // Owned by the registry, but its config rather than a device.
        pda::registry_config(),
    ];

    for account in not_devices {
        let instruction = ix::open_pool(&operator.pubkey(), &account, POOL_SHARE_BPS, true);
        assert_fails(
            chain.send(instruction, &[&operator]),
            StakingError::NotRegistryDevice,
        );
        assert!(!chain.exists(&pda::pool(&account, &operator.pubkey())));
    }
}

#[test]
fn the_stakers_share_must_lie_within_iotokens_bounds() {
    let mut chain = Chain::new();
    let fees = chain.token_config().fees;
    assert_eq!(
        (fees.staker_share_min_bps, fees.staker_share_max_bps),
        (SHARE_MIN_BPS, SHARE_MAX_BPS)
    );

    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    for share in [0, SHARE_MIN_BPS - 1, SHARE_MAX_BPS + 1, 10_000] {
        assert_fails(
            open(&mut chain, &device, share),
            StakingError::StakerShareOutOfBounds,
        );
    }
    for share in [SHARE_MIN_BPS, SHARE_MAX_BPS] {
        let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
        succeeded(open(&mut chain, &device, share));
        let pool = pda::pool(&device.key, &device.owner.pubkey());
        assert_eq!(chain.pool(&pool).staker_share_bps, share);
    }
}

#[test]
fn a_device_has_one_pool() {
    let mut chain = Chain::new();
    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    succeeded(open(&mut chain, &device, POOL_SHARE_BPS));

    assert_fails(
        open(&mut chain, &device, SHARE_MAX_BPS),
        Expected::AccountAlreadyInUse,
    );
    let pool = chain.pool(&pda::pool(&device.key, &device.owner.pubkey()));
    assert_eq!(pool.staker_share_bps, POOL_SHARE_BPS);
}

#[test]
fn a_device_id_registered_again_by_someone_else_gets_a_pool_of_its_own() {
    let mut chain = Chain::new();
    let first = chain.open_pool();
    succeeded(chain.stake_self(&first, 100 * IO));
    let first_owner = first.operator.insecure_clone();
    // The first device this chain registered.
    let id = "device-1";
    assert_eq!(pda::device(id), first.device);
    let deregister = ix::deregister_device(&first_owner.pubkey(), id);
    succeeded(chain.send(deregister, &[&first_owner]));

    let successor = chain.funded_keypair();
    let device = chain.register_device_as(id, successor, "NVIDIA H100 80GB HBM3", 8);
    assert_eq!(device.key, first.device, "the same device address");
    succeeded(open(&mut chain, &device, SHARE_MIN_BPS));

    let pool = pda::pool(&device.key, &device.owner.pubkey());
    assert_ne!(pool, first.key);
    assert_eq!(chain.pool(&pool).operator, device.owner.pubkey());
    assert_eq!(chain.pool(&pool).operator_stake, 0);
    let old = chain.pool(&first.key);
    assert_eq!(
        old.operator,
        first_owner.pubkey(),
        "the old pool stays its operator's"
    );
    assert_eq!(old.operator_stake, 100 * IO);
    // The old pool keeps its address, so its operator cannot open it afresh.
    let reopen = ix::open_pool(&first_owner.pubkey(), &device.key, SHARE_MIN_BPS, true);
    assert_fails(
        chain.send(reopen, &[&first_owner]),
        Expected::AccountAlreadyInUse,
    );
}

#[test]
fn set_pool_terms_changes_the_share_and_the_openness_within_bounds() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let operator = pool.operator.pubkey();
    let set = |chain: &mut Chain, share: u16, open: bool| {
        let instruction = ix::set_pool_terms(&operator, &pool.key, share, open);
        chain.send(instruction, &[&pool.operator])
    };

    let meta = succeeded(set(&mut chain, SHARE_MAX_BPS, false));
    let state = chain.pool(&pool.key);
    assert_eq!(state.staker_share_bps, SHARE_MAX_BPS);
    assert!(!state.costaking_open);
    let event: PoolTermsSet = only_event(&meta);
    assert_eq!(event.pool, pool.key);
    assert_eq!(
        (event.staker_share_bps_before, event.staker_share_bps_after),
        (POOL_SHARE_BPS, SHARE_MAX_BPS)
    );
    assert_eq!(
        (event.costaking_open_before, event.costaking_open_after),
        (true, false)
    );

    succeeded(set(&mut chain, SHARE_MAX_BPS, true));
    assert!(chain.pool(&pool.key).costaking_open);
    assert_fails(
        set(&mut chain, SHARE_MAX_BPS, true),
        StakingError::NothingToUpdate,
    );
    assert_fails(
        set(&mut chain, SHARE_MAX_BPS + 1, true),
        StakingError::StakerShareOutOfBounds,
    );
    assert_eq!(chain.pool(&pool.key).staker_share_bps, SHARE_MAX_BPS);
}

#[test]
fn only_the_operator_sets_the_pool_terms() {
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    let stranger = chain.funded_keypair();

    let instruction = ix::set_pool_terms(&stranger.pubkey(), &pool.key, SHARE_MIN_BPS, false);
    assert_fails(
        chain.send(instruction, &[&stranger]),
        StakingError::NotPoolOperator,
    );
    let state = chain.pool(&pool.key);
    assert_eq!(state.staker_share_bps, POOL_SHARE_BPS);
    assert!(state.costaking_open);
}
