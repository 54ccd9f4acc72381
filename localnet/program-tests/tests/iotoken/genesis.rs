//! `initialize_pools` creates the four reward pool vaults; `mint_genesis` mints the 500M IO genesis
//! supply to the five allocation accounts, once, at the authority's request only.

use {
    crate::common::*,
    anchor_lang::prelude::Pubkey,
    anchor_lang::solana_program::program_pack::Pack,
    iotoken::{
        errors::IotokenError,
        events::GenesisMinted,
        math::{GENESIS_SUPPLY, IO},
    },
    solana_signer::Signer,
};

/// 250M / 80M / 56.5M / 62.5M / 51M IO.
const ALLOCATIONS: [u64; 5] = [
    250_000_000 * IO,
    80_000_000 * IO,
    56_500_000 * IO,
    62_500_000 * IO,
    51_000_000 * IO,
];

/// Five empty IO accounts, the first owned by the holder and the others by the authority.
fn destinations(chain: &mut Chain) -> [Pubkey; 5] {
    let io_mint = pda::io_mint();
    let holder = chain.holder.pubkey();
    let authority = chain.authority.pubkey();
    let community = chain.create_token_account(&io_mint, &holder);
    [
        community,
        chain.create_token_account(&io_mint, &authority),
        chain.create_token_account(&io_mint, &authority),
        chain.create_token_account(&io_mint, &authority),
        chain.create_token_account(&io_mint, &authority),
    ]
}

fn pools_and_destinations() -> (Chain, [Pubkey; 5]) {
    let mut chain = Chain::initialized();
    chain.create_pools();
    let destinations = destinations(&mut chain);
    (chain, destinations)
}

#[test]
fn initialize_pools_creates_four_empty_io_vaults_owned_by_the_config() {
    let mut chain = Chain::initialized();
    let payer = chain.funded_keypair();
    let before = chain.balance(&payer.pubkey());

    succeeded(chain.send(ix::initialize_pools(&payer.pubkey()), &[&payer]));

    let mut bumps = [0u8; 4];
    for index in 0..4u8 {
        let (key, bump) = Pubkey::find_program_address(&[b"pool", &[index]], &iotoken::ID);
        let pool = chain.token_account(&key);
        assert_eq!(pool.mint, pda::io_mint());
        assert_eq!(pool.owner, pda::config());
        assert_eq!(pool.amount, 0);
        bumps[index as usize] = bump;
    }
    assert_eq!(chain.config().pool_bumps, bumps);
    let vault_rent = chain.rent(spl_token::state::Account::LEN);
    assert_eq!(
        before - chain.balance(&payer.pubkey()),
        4 * vault_rent + FEE_PER_SIGNATURE
    );

    let again = chain.send(ix::initialize_pools(&payer.pubkey()), &[&payer]);
    assert_fails(again, Expected::AccountAlreadyInUse);
}

#[test]
fn mint_genesis_mints_exactly_the_five_allocations_once() {
    let (mut chain, destinations) = pools_and_destinations();
    let authority = chain.authority.pubkey();

    let meta = succeeded(chain.send_as_authority(ix::mint_genesis(&authority, destinations)));

    for (destination, amount) in destinations.iter().zip(ALLOCATIONS) {
        assert_eq!(chain.token_balance(destination), amount);
    }
    assert_eq!(ALLOCATIONS.iter().sum::<u64>(), GENESIS_SUPPLY);
    assert_eq!(chain.io_supply(), 500_000_000 * IO);
    assert_eq!(chain.io_supply(), 50_000_000_000_000_000);
    assert!(chain.config().genesis_minted);
    assert_eq!(chain.iosd_supply(), 0);
    let event: GenesisMinted = only_event(&meta);
    assert_eq!(event.destinations, destinations);
    assert_eq!(event.amounts, ALLOCATIONS);
    assert_eq!(event.supply_after, GENESIS_SUPPLY);

    // A second genesis, even into fresh accounts, is refused.
    let fresh = self::destinations(&mut chain);
    let again = chain.send_as_authority(ix::mint_genesis(&authority, fresh));
    assert_fails(again, IotokenError::GenesisAlreadyMinted);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY);
    for account in fresh {
        assert_eq!(chain.token_balance(&account), 0);
    }
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn mint_genesis_by_anyone_but_the_authority_fails_with_not_config_authority() {
    let (mut chain, destinations) = pools_and_destinations();
    let stranger = chain.funded_keypair();

    let result = chain.send(
        ix::mint_genesis(&stranger.pubkey(), destinations),
        &[&stranger],
    );

    assert_fails(result, IotokenError::NotConfigAuthority);
    assert_eq!(chain.io_supply(), 0);
    assert!(!chain.config().genesis_minted);
}

#[test]
fn mint_genesis_into_an_account_of_another_mint_fails_with_wrong_mint() {
    let (mut chain, mut destinations) = pools_and_destinations();
    let authority = chain.authority.pubkey();
    let foreign = chain.create_foreign_mint(8);
    for (position, mint) in [(0, pda::iosd_mint()), (4, foreign)] {
        let original = destinations[position];
        destinations[position] = chain.create_token_account(&mint, &authority);

        let result = chain.send_as_authority(ix::mint_genesis(&authority, destinations));

        assert_fails(result, IotokenError::WrongMint);
        destinations[position] = original;
    }
    assert_eq!(chain.io_supply(), 0);
    assert_eq!(chain.iosd_supply(), 0);
}

#[test]
fn mint_genesis_to_one_account_twice_fails_with_duplicate_allocation_account() {
    let (mut chain, destinations) = pools_and_destinations();
    let authority = chain.authority.pubkey();
    for (a, b) in [(0, 1), (2, 4), (3, 4)] {
        let mut duplicated = destinations;
        duplicated[b] = duplicated[a];

        let result = chain.send_as_authority(ix::mint_genesis(&authority, duplicated));

        assert_fails(result, IotokenError::DuplicateAllocationAccount);
    }
    assert_eq!(chain.io_supply(), 0);
    for destination in destinations {
        assert_eq!(chain.token_balance(&destination), 0);
    }
}
