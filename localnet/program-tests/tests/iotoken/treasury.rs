//! The treasury's token accounts (`["treasury", mint]`, owned by the config PDA), created by anyone;
//! `buyback_burn` burns `burn_bps` of the treasury's IO, at most once per interval.

use {
    crate::common::*,
    anchor_lang::solana_program::program_pack::Pack,
    iotoken::{
        errors::IotokenError,
        events::{BuybackBurned, TreasuryAccountCreated},
        math::{GENESIS_SUPPLY, IO},
    },
    solana_signer::Signer,
};

fn chain_with_treasury(io: u64) -> Chain {
    let mut chain = Chain::with_genesis();
    let payer = chain.funded_keypair();
    let io_mint = pda::io_mint();
    succeeded(chain.send(
        ix::create_treasury_account(&payer.pubkey(), &io_mint),
        &[&payer],
    ));
    if io > 0 {
        chain.give_io(&pda::treasury(&io_mint), io);
    }
    chain
}

fn buyback(chain: &mut Chain) -> litesvm::types::TransactionResult {
    let caller = chain.cranker.insecure_clone();
    chain.send(ix::buyback_burn(&caller.pubkey()), &[&caller])
}

#[test]
fn anyone_creates_the_treasury_account_of_a_mint_once() {
    let mut chain = Chain::with_genesis();
    let payer = chain.funded_keypair();
    let usdc = chain.create_foreign_mint(6);
    let account_rent = chain.rent(spl_token::state::Account::LEN);

    for mint in [pda::io_mint(), pda::iosd_mint(), usdc] {
        let before = chain.balance(&payer.pubkey());
        let meta = succeeded(chain.send(
            ix::create_treasury_account(&payer.pubkey(), &mint),
            &[&payer],
        ));

        let key = pda::treasury(&mint);
        let treasury = chain.token_account(&key);
        assert_eq!(treasury.mint, mint);
        assert_eq!(treasury.owner, pda::config(), "only the program moves it");
        assert_eq!(treasury.amount, 0);
        assert_eq!(treasury.delegate, None.into());
        assert_eq!(
            before - chain.balance(&payer.pubkey()),
            account_rent + FEE_PER_SIGNATURE
        );
        let event: TreasuryAccountCreated = only_event(&meta);
        assert_eq!((event.mint, event.account), (mint, key));

        let again = chain.send(
            ix::create_treasury_account(&payer.pubkey(), &mint),
            &[&payer],
        );
        assert_fails(again, Expected::AccountAlreadyInUse);
    }
}

#[test]
fn buyback_burns_exactly_its_share_of_the_treasury_once_per_interval() {
    let funded = 12_345 * IO + 67;
    let mut chain = chain_with_treasury(funded);
    let treasury = pda::treasury(&pda::io_mint());
    let first = funded / 100; // 1% rounded down
    assert_eq!(first, 12_345_000_000);

    let meta = succeeded(buyback(&mut chain));

    assert_eq!(chain.token_balance(&treasury), funded - first);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY - first);
    let ledger = chain.ledger();
    assert_eq!(
        (ledger.last_buyback_at, ledger.total_buyback_burned),
        (NOW, first)
    );
    let event: BuybackBurned = only_event(&meta);
    assert_eq!(event.by, chain.cranker.pubkey());
    assert_eq!(event.io_burned, first);
    assert_eq!(event.treasury_balance_after, funded - first);
    assert_eq!(event.supply_after, GENESIS_SUPPLY - first);

    for time in [NOW, NOW + BUYBACK_INTERVAL - 1] {
        chain.set_time(time);
        assert_fails(buyback(&mut chain), IotokenError::BuybackTooSoon);
    }
    assert_eq!(chain.token_balance(&treasury), funded - first);

    chain.set_time(NOW + BUYBACK_INTERVAL);
    succeeded(buyback(&mut chain));
    let second = (funded - first) * 100 / 10_000;
    assert_eq!(second, 12_221_550_000);
    assert_eq!(chain.token_balance(&treasury), funded - first - second);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY - first - second);
    let ledger = chain.ledger();
    assert_eq!(
        (ledger.last_buyback_at, ledger.total_buyback_burned),
        (NOW + BUYBACK_INTERVAL, first + second)
    );
    chain.assert_iosd_only_from_burn_mint();
}

#[test]
fn buyback_of_an_empty_treasury_fails_with_nothing_to_burn() {
    let mut chain = chain_with_treasury(0);
    assert_fails(buyback(&mut chain), IotokenError::NothingToBurn);

    // 99 base units: 1% of them rounds to nothing.
    chain.give_io(&pda::treasury(&pda::io_mint()), 99);
    assert_fails(buyback(&mut chain), IotokenError::NothingToBurn);
    assert_eq!(chain.ledger().last_buyback_at, 0);

    chain.give_io(&pda::treasury(&pda::io_mint()), 1);
    succeeded(buyback(&mut chain));
    assert_eq!(chain.token_balance(&pda::treasury(&pda::io_mint())), 99);
    assert_eq!(chain.io_supply(), GENESIS_SUPPLY - 1);
}
