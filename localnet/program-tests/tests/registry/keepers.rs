//! Keepers bond `keeper_bond_amount` of the bond mint (a real SPL Token mint) into a vault owned by
//! their keeper PDA, ask for it back, and withdraw it after the cooldown, recovering every token
//! and every lamport of rent.

use {
    crate::common::*,
    anchor_lang::{
        error::ErrorCode as AnchorErrorCode,
        prelude::Pubkey,
        solana_program::{instruction::Instruction, program_pack::Pack},
        InstructionData, Space, ToAccountMetas,
    },
    registry::{
        errors::RegistryError,
        events::{KeeperBondWithdrawn, KeeperRegistered, KeeperUnbondRequested},
        state::{Keeper, KeeperActivity},
        UpdateConfigArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// What a would-be keeper holds beyond the bond.
const SPARE: u64 = 250_000;

fn keeper_rent(chain: &Chain) -> u64 {
    chain.rent(8 + Keeper::INIT_SPACE)
}

fn vault_rent(chain: &Chain) -> u64 {
    chain.rent(spl_token::state::Account::LEN)
}

/// A funded key holding `amount` of `mint` in a token account of its own.
fn holder(chain: &mut Chain, mint: &Pubkey, amount: u64) -> (Keypair, Pubkey) {
    let keypair = chain.funded_keypair();
    let source = chain.create_token_account(mint, &keypair.pubkey(), amount);
    (keypair, source)
}

/// A keeper registered with the default bond, and the token account it bonded from.
fn registered_keeper(chain: &mut Chain) -> (Keypair, Pubkey) {
    let mint = chain.bond_mint;
    let (keeper, source) = holder(chain, &mint, BOND_AMOUNT + SPARE);
    succeeded(chain.send(
        ix::register_keeper(&keeper.pubkey(), &mint, &source, BOND_AMOUNT),
        &[&keeper],
    ));
    (keeper, source)
}

/// Asserts that registering failed without creating the keeper or moving tokens.
#[track_caller]
fn assert_not_registered(chain: &Chain, authority: &Pubkey, source: &Pubkey, source_balance: u64) {
    let keeper = pda::keeper(authority);
    assert!(!chain.exists(&keeper), "no keeper account");
    assert!(!chain.exists(&pda::bond_vault(&keeper)), "no bond vault");
    assert_eq!(
        chain.token_balance(source),
        source_balance,
        "no tokens moved"
    );
}

// register_keeper

#[test]
fn register_keeper_moves_exactly_the_bond_into_a_vault_owned_by_the_keeper_pda() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (authority, source) = holder(&mut chain, &mint, BOND_AMOUNT + SPARE);
    let lamports_before = chain.balance(&authority.pubkey());
    let supply_before = spl_token::state::Mint::unpack(&chain.account(&mint).data)
        .expect("mint")
        .supply;

    let meta = succeeded(chain.send(
        ix::register_keeper(&authority.pubkey(), &mint, &source, BOND_AMOUNT),
        &[&authority],
    ));

    let (keeper_key, keeper_bump) =
        Pubkey::find_program_address(&[b"keeper", authority.pubkey().as_ref()], &registry::ID);
    let (vault_key, vault_bump) =
        Pubkey::find_program_address(&[b"keeper_bond", keeper_key.as_ref()], &registry::ID);
    assert_eq!(chain.token_balance(&source), SPARE);
    let vault = chain.token_account(&vault_key);
    assert_eq!(vault.mint, mint);
    assert_eq!(
        vault.owner, keeper_key,
        "the keeper PDA is the vault's token authority"
    );
    assert_eq!(vault.amount, BOND_AMOUNT);
    assert_eq!(vault.delegate, None.into(), "nobody else may move the bond");
    assert_eq!(vault.close_authority, None.into());
    let supply_after = spl_token::state::Mint::unpack(&chain.account(&mint).data)
        .expect("mint")
        .supply;
    assert_eq!(
        supply_after, supply_before,
        "tokens moved, none minted or burnt"
    );

    let keeper = chain.keeper(&keeper_key);
    assert_eq!(keeper.authority, authority.pubkey());
    assert_eq!(keeper.bond_mint, mint);
    assert_eq!(keeper.bond_amount, BOND_AMOUNT);
    assert_eq!(keeper.registered_at, NOW);
    assert_eq!(
        (keeper.unbond_requested_at, keeper.withdrawable_at),
        (0, 0),
        "active"
    );
    assert_eq!(
        (keeper.bump, keeper.bond_vault_bump),
        (keeper_bump, vault_bump)
    );
    assert_eq!(
        keeper.activity,
        KeeperActivity::default(),
        "nothing attested yet"
    );

    assert_eq!(chain.balance(&keeper_key), keeper_rent(&chain));
    assert_eq!(chain.balance(&vault_key), vault_rent(&chain));
    assert_eq!(
        lamports_before - chain.balance(&authority.pubkey()),
        keeper_rent(&chain) + vault_rent(&chain) + FEE_PER_SIGNATURE,
        "the keeper pays both accounts' rent and the fee"
    );

    let event: KeeperRegistered = only_event(&meta);
    assert_eq!(event.keeper, keeper_key);
    assert_eq!(event.authority, authority.pubkey());
    assert_eq!(event.bond_mint, mint);
    assert_eq!(event.bond_amount, BOND_AMOUNT);
    assert_eq!(event.registered_at, NOW);
}

#[test]
fn register_keeper_in_another_mint_fails_with_bond_mint_mismatch() {
    let mut chain = Chain::new();
    let bond_mint = chain.bond_mint;
    let other_mint = chain.create_mint(BOND_DECIMALS);
    let (authority, other_source) = holder(&mut chain, &other_mint, BOND_AMOUNT);

    let other_mint_named = chain.send(
        ix::register_keeper(&authority.pubkey(), &other_mint, &other_source, BOND_AMOUNT),
        &[&authority],
    );
    assert_fails(other_mint_named, RegistryError::BondMintMismatch);

    let source_of_other_mint = chain.send(
        ix::register_keeper(&authority.pubkey(), &bond_mint, &other_source, BOND_AMOUNT),
        &[&authority],
    );
    assert_fails(source_of_other_mint, RegistryError::BondMintMismatch);

    assert_not_registered(&chain, &authority.pubkey(), &other_source, BOND_AMOUNT);
}

#[test]
fn register_keeper_with_less_than_the_bond_fails_with_insufficient_bond() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (authority, source) = holder(&mut chain, &mint, BOND_AMOUNT - 1);

    let result = chain.send(
        ix::register_keeper(&authority.pubkey(), &mint, &source, BOND_AMOUNT),
        &[&authority],
    );

    assert_fails(result, RegistryError::InsufficientBond);
    assert_not_registered(&chain, &authority.pubkey(), &source, BOND_AMOUNT - 1);
}

#[test]
fn register_keeper_from_someone_elses_token_account_fails_with_token_account_owner_mismatch() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (_victim, victims_source) = holder(&mut chain, &mint, 10 * BOND_AMOUNT);
    let thief = chain.funded_keypair();

    let result = chain.send(
        ix::register_keeper(&thief.pubkey(), &mint, &victims_source, BOND_AMOUNT),
        &[&thief],
    );

    assert_fails(result, RegistryError::TokenAccountOwnerMismatch);
    assert_not_registered(&chain, &thief.pubkey(), &victims_source, 10 * BOND_AMOUNT);
}

#[test]
fn registering_twice_fails_and_keeps_the_first_bond() {
    let mut chain = Chain::new();
    let (authority, first_source) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    let second_source = chain.create_token_account(&mint, &authority.pubkey(), BOND_AMOUNT);
    let keeper_key = pda::keeper(&authority.pubkey());
    chain.set_time(NOW + 1);

    let result = chain.send(
        ix::register_keeper(&authority.pubkey(), &mint, &second_source, BOND_AMOUNT),
        &[&authority],
    );

    assert_fails(result, Expected::AccountAlreadyInUse);
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT
    );
    assert_eq!(chain.token_balance(&first_source), SPARE);
    assert_eq!(chain.token_balance(&second_source), BOND_AMOUNT);
    assert_eq!(chain.keeper(&keeper_key).registered_at, NOW);
}

#[test]
fn a_keeper_deposits_exactly_the_bond_it_names_and_never_less_than_the_bond_in_force() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (keeper, source) = holder(&mut chain, &mint, 5 * BOND_AMOUNT);
    // The authority doubles the bond while the keeper's registration is in flight.
    let config_authority = chain.authority.pubkey();
    let raise = UpdateConfigArgs {
        keeper_bond_amount: Some(2 * BOND_AMOUNT),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::update_config(&config_authority, None, raise)));

    let result = chain.send(
        ix::register_keeper(&keeper.pubkey(), &mint, &source, BOND_AMOUNT),
        &[&keeper],
    );
    assert_fails(result, RegistryError::BondBelowMinimum);
    assert_not_registered(&chain, &keeper.pubkey(), &source, 5 * BOND_AMOUNT);
    // More than the source holds.
    let result = chain.send(
        ix::register_keeper(&keeper.pubkey(), &mint, &source, 6 * BOND_AMOUNT),
        &[&keeper],
    );
    assert_fails(result, RegistryError::InsufficientBond);
    assert_not_registered(&chain, &keeper.pubkey(), &source, 5 * BOND_AMOUNT);

    // A larger bond than the minimum is a larger assignment weight, deposited in full.
    succeeded(chain.send(
        ix::register_keeper(&keeper.pubkey(), &mint, &source, 3 * BOND_AMOUNT),
        &[&keeper],
    ));
    assert_eq!(chain.token_balance(&source), 2 * BOND_AMOUNT);
    let keeper_key = pda::keeper(&keeper.pubkey());
    assert_eq!(chain.keeper(&keeper_key).bond_amount, 3 * BOND_AMOUNT);
    let config = chain.config();
    assert_eq!(
        (config.keeper_count, config.keeper_bond_total),
        (1, 3 * BOND_AMOUNT)
    );
}

#[test]
fn add_bond_tops_a_keeper_up_and_counts_in_the_registrys_total() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (authority, source) = registered_keeper(&mut chain);
    let keeper_key = pda::keeper(&authority.pubkey());

    let zero = ix::add_bond(&authority.pubkey(), &mint, &source, 0);
    assert_fails(chain.send(zero, &[&authority]), RegistryError::ZeroBond);
    succeeded(chain.send(
        ix::add_bond(&authority.pubkey(), &mint, &source, SPARE),
        &[&authority],
    ));

    assert_eq!(chain.token_balance(&source), 0);
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT + SPARE
    );
    let keeper = chain.keeper(&keeper_key);
    assert_eq!(keeper.bond_amount, BOND_AMOUNT + SPARE);
    let config = chain.config();
    assert_eq!(
        (config.keeper_count, config.keeper_bond_total),
        (1, BOND_AMOUNT + SPARE)
    );

    // An unbonding keeper leaves the total and may not top up.
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    let config = chain.config();
    assert_eq!((config.keeper_count, config.keeper_bond_total), (0, 0));
    let late = chain.create_token_account(&mint, &authority.pubkey(), SPARE);
    let result = chain.send(
        ix::add_bond(&authority.pubkey(), &mint, &late, SPARE),
        &[&authority],
    );
    assert_fails(result, RegistryError::KeeperUnbonding);
    assert_eq!(chain.token_balance(&late), SPARE);
}

#[test]
fn add_bond_from_another_mint_or_anothers_account_is_refused_by_name() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (authority, _) = registered_keeper(&mut chain);
    let keeper_key = pda::keeper(&authority.pubkey());
    let other_mint = chain.create_mint(BOND_DECIMALS);
    let foreign = chain.create_token_account(&other_mint, &authority.pubkey(), SPARE);
    let (someone, theirs) = holder(&mut chain, &mint, SPARE);

    // The other mint named as the bond mint, or its account passed as the source.
    let as_mint = ix::add_bond(&authority.pubkey(), &other_mint, &foreign, SPARE);
    assert_fails(
        chain.send(as_mint, &[&authority]),
        RegistryError::BondMintMismatch,
    );
    let as_source = ix::add_bond(&authority.pubkey(), &mint, &foreign, SPARE);
    assert_fails(
        chain.send(as_source, &[&authority]),
        RegistryError::BondMintMismatch,
    );
    // Someone else's account of the bond mint: the keeper cannot spend it.
    let from_theirs = ix::add_bond(&authority.pubkey(), &mint, &theirs, SPARE);
    assert_fails(
        chain.send(from_theirs, &[&authority]),
        RegistryError::TokenAccountOwnerMismatch,
    );

    assert_eq!(chain.keeper(&keeper_key).bond_amount, BOND_AMOUNT);
    assert_eq!(chain.token_balance(&foreign), SPARE);
    assert_eq!(chain.token_balance(&theirs), SPARE);
    assert!(chain.balance(&someone.pubkey()) > 0);
}

#[test]
fn a_keeper_registering_again_after_withdrawing_starts_afresh() {
    let mut chain = Chain::new();
    let mint = chain.bond_mint;
    let (authority, source) = registered_keeper(&mut chain);
    let keeper_key = pda::keeper(&authority.pubkey());
    // Its record as the withdrawn keeper left it: some activity.
    chain.modify_keeper(&keeper_key, |keeper| {
        keeper.activity.passes_attested = 7;
        keeper.activity.failures_reported = 2;
    });
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    chain.set_time(NOW + COOLDOWN_SECS);
    succeeded(chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &source, false),
        &[&authority],
    ));
    assert!(!chain.exists(&keeper_key), "the keeper account is closed");

    succeeded(chain.send(
        ix::register_keeper(&authority.pubkey(), &mint, &source, BOND_AMOUNT),
        &[&authority],
    ));
    let keeper = chain.keeper(&keeper_key);
    assert_eq!(keeper.activity, KeeperActivity::default());
    assert_eq!((keeper.bond_amount, keeper.forfeited), (BOND_AMOUNT, 0));
    assert_eq!((keeper.unbond_requested_at, keeper.withdrawable_at), (0, 0));
    assert_eq!(keeper.registered_at, NOW + COOLDOWN_SECS);
}

// request_unbond

#[test]
fn request_unbond_starts_the_cooldown_once() {
    let mut chain = Chain::new();
    let (authority, _) = registered_keeper(&mut chain);
    let keeper_key = pda::keeper(&authority.pubkey());
    chain.set_time(NOW + 3_600);

    let meta = succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));

    let keeper = chain.keeper(&keeper_key);
    assert_eq!(keeper.unbond_requested_at, NOW + 3_600);
    assert_eq!(keeper.withdrawable_at, NOW + 3_600 + COOLDOWN_SECS);
    assert_eq!(keeper.bond_amount, BOND_AMOUNT);
    let event: KeeperUnbondRequested = only_event(&meta);
    assert_eq!(event.keeper, keeper_key);
    assert_eq!(event.authority, authority.pubkey());
    assert_eq!(event.requested_at, NOW + 3_600);
    assert_eq!(event.withdrawable_at, NOW + 3_600 + COOLDOWN_SECS);

    chain.set_time(NOW + 7_200);
    let again = chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]);
    assert_fails(again, RegistryError::KeeperUnbonding);
    let keeper = chain.keeper(&keeper_key);
    assert_eq!(
        keeper.unbond_requested_at,
        NOW + 3_600,
        "the cooldown does not restart"
    );
    assert_eq!(keeper.withdrawable_at, NOW + 3_600 + COOLDOWN_SECS);
}

#[test]
fn the_cooldown_in_force_at_the_request_applies() {
    let mut chain = Chain::new();
    let (authority, _) = registered_keeper(&mut chain);
    let keeper_key = pda::keeper(&authority.pubkey());
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));

    let no_cooldown = UpdateConfigArgs {
        keeper_unbond_cooldown_secs: Some(3_600),
        ..Default::default()
    };
    let config_authority = chain.authority.pubkey();
    succeeded(chain.send_as_authority(ix::update_config(&config_authority, None, no_cooldown)));

    assert_eq!(
        chain.keeper(&keeper_key).withdrawable_at,
        NOW + COOLDOWN_SECS
    );
    let mint = chain.bond_mint;
    let destination = chain.create_token_account(&mint, &authority.pubkey(), 0);
    chain.set_time(NOW + COOLDOWN_SECS - 1);
    let early = chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &destination, false),
        &[&authority],
    );
    assert_fails(early, RegistryError::CooldownNotElapsed);
    chain.set_time(NOW + COOLDOWN_SECS);
    succeeded(chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &destination, false),
        &[&authority],
    ));
    assert_eq!(chain.token_balance(&destination), BOND_AMOUNT);
}

// withdraw_bond

#[test]
fn withdraw_bond_before_asking_for_it_fails_with_keeper_not_unbonding() {
    let mut chain = Chain::new();
    let (authority, source) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    chain.set_time(NOW + 10 * COOLDOWN_SECS);

    let result = chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &source, false),
        &[&authority],
    );

    assert_fails(result, RegistryError::KeeperNotUnbonding);
    let keeper_key = pda::keeper(&authority.pubkey());
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT
    );
    assert_eq!(chain.token_balance(&source), SPARE);
}

#[test]
fn withdraw_bond_before_the_cooldown_fails_with_cooldown_not_elapsed() {
    let mut chain = Chain::new();
    let (authority, source) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));

    for now in [NOW, NOW + COOLDOWN_SECS - 1] {
        chain.set_time(now);
        let result = chain.send(
            ix::withdraw_bond(&authority.pubkey(), &mint, &source, false),
            &[&authority],
        );
        assert_fails(result, RegistryError::CooldownNotElapsed);
    }
    let keeper_key = pda::keeper(&authority.pubkey());
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT
    );
    assert_eq!(chain.token_balance(&source), SPARE);
}

#[test]
fn withdraw_bond_after_the_cooldown_returns_the_whole_bond_and_all_the_rent() {
    let mut chain = Chain::new();
    let (authority, _) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    let keeper_key = pda::keeper(&authority.pubkey());
    let vault_key = pda::bond_vault(&keeper_key);
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    let destination = chain.create_token_account(&mint, &authority.pubkey(), 7);
    let rent_held = chain.balance(&keeper_key) + chain.balance(&vault_key);
    assert_eq!(rent_held, keeper_rent(&chain) + vault_rent(&chain));
    let lamports_before = chain.balance(&authority.pubkey());
    chain.set_time(NOW + COOLDOWN_SECS);

    let meta = succeeded(chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &destination, false),
        &[&authority],
    ));

    assert_eq!(chain.token_balance(&destination), 7 + BOND_AMOUNT);
    assert!(!chain.exists(&vault_key), "the vault is closed");
    assert!(!chain.exists(&keeper_key), "the keeper account is closed");
    assert_eq!(
        chain.balance(&authority.pubkey()),
        lamports_before + rent_held - FEE_PER_SIGNATURE,
        "both accounts' rent goes back to the keeper"
    );
    let event: KeeperBondWithdrawn = only_event(&meta);
    assert_eq!(event.keeper, keeper_key);
    assert_eq!(event.authority, authority.pubkey());
    assert_eq!(event.bond_mint, mint);
    assert_eq!(event.bond_amount, BOND_AMOUNT);

    // Gone for good: a second withdrawal finds no keeper, and the key may register afresh.
    let again = chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &destination, false),
        &[&authority],
    );
    assert_fails(again, AnchorErrorCode::AccountNotInitialized);
    succeeded(chain.send(
        ix::register_keeper(&authority.pubkey(), &mint, &destination, BOND_AMOUNT),
        &[&authority],
    ));
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT
    );
    assert_eq!(chain.keeper(&keeper_key).registered_at, NOW + COOLDOWN_SECS);
}

#[test]
fn withdraw_bond_into_another_mints_account_fails_with_bond_mint_mismatch() {
    let mut chain = Chain::new();
    let (authority, _) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    let other_mint = chain.create_mint(BOND_DECIMALS);
    let foreign_destination = chain.create_token_account(&other_mint, &authority.pubkey(), 0);
    succeeded(chain.send(ix::request_unbond(&authority.pubkey()), &[&authority]));
    chain.set_time(NOW + COOLDOWN_SECS);

    let result = chain.send(
        ix::withdraw_bond(&authority.pubkey(), &mint, &foreign_destination, false),
        &[&authority],
    );
    assert_fails(result, RegistryError::BondMintMismatch);
    let result = chain.send(
        ix::withdraw_bond(
            &authority.pubkey(),
            &other_mint,
            &foreign_destination,
            false,
        ),
        &[&authority],
    );
    assert_fails(result, RegistryError::BondMintMismatch);

    let keeper_key = pda::keeper(&authority.pubkey());
    assert_eq!(
        chain.token_balance(&pda::bond_vault(&keeper_key)),
        BOND_AMOUNT
    );
}

#[test]
fn nobody_but_the_keeper_can_unbond_or_withdraw_its_bond() {
    let mut chain = Chain::new();
    let (keeper_authority, _) = registered_keeper(&mut chain);
    let mint = chain.bond_mint;
    let thief = chain.funded_keypair();
    let thiefs_account = chain.create_token_account(&mint, &thief.pubkey(), 0);
    let victim_keeper = pda::keeper(&keeper_authority.pubkey());
    let victim_vault = pda::bond_vault(&victim_keeper);

    let unbond = Instruction {
        program_id: registry::ID,
        accounts: registry::accounts::RequestUnbond {
            authority: thief.pubkey(),
            config: pda::config(),
            keeper: victim_keeper,
        }
        .to_account_metas(None),
        data: registry::instruction::RequestUnbond {}.data(),
    };
    assert_fails(
        chain.send(unbond, &[&thief]),
        AnchorErrorCode::ConstraintSeeds,
    );

    succeeded(chain.send(
        ix::request_unbond(&keeper_authority.pubkey()),
        &[&keeper_authority],
    ));
    chain.set_time(NOW + COOLDOWN_SECS);
    let withdraw = Instruction {
        program_id: registry::ID,
        accounts: registry::accounts::WithdrawBond {
            authority: thief.pubkey(),
            keeper: victim_keeper,
            bond_mint: mint,
            bond_vault: victim_vault,
            destination: thiefs_account,
            treasury: None,
            token_program: spl_token::ID,
        }
        .to_account_metas(None),
        data: registry::instruction::WithdrawBond {}.data(),
    };
    assert_fails(
        chain.send(withdraw, &[&thief]),
        AnchorErrorCode::ConstraintSeeds,
    );

    assert_eq!(chain.token_balance(&victim_vault), BOND_AMOUNT);
    assert_eq!(chain.token_balance(&thiefs_account), 0);
    assert!(chain.exists(&victim_keeper));
}

#[test]
fn a_new_bond_mint_applies_to_new_keepers_while_bonded_keepers_keep_theirs() {
    let mut chain = Chain::new();
    let old_mint = chain.bond_mint;
    let (veteran, _) = registered_keeper(&mut chain);
    let new_mint = chain.create_mint(9);
    let new_bond = 3_000_000_000_000;
    let config_authority = chain.authority.pubkey();
    let switch = UpdateConfigArgs {
        keeper_bond_amount: Some(new_bond),
        ..Default::default()
    };
    succeeded(chain.send_as_authority(ix::update_config(
        &config_authority,
        Some(new_mint),
        switch,
    )));

    // Newcomers bond the new amount of the new mint.
    let (newcomer, old_source) = holder(&mut chain, &old_mint, new_bond);
    let result = chain.send(
        ix::register_keeper(&newcomer.pubkey(), &old_mint, &old_source, new_bond),
        &[&newcomer],
    );
    assert_fails(result, RegistryError::BondMintMismatch);
    let new_source = chain.create_token_account(&new_mint, &newcomer.pubkey(), new_bond + 1);
    succeeded(chain.send(
        ix::register_keeper(&newcomer.pubkey(), &new_mint, &new_source, new_bond),
        &[&newcomer],
    ));
    let newcomer_keeper = chain.keeper(&pda::keeper(&newcomer.pubkey()));
    assert_eq!(
        (newcomer_keeper.bond_mint, newcomer_keeper.bond_amount),
        (new_mint, new_bond)
    );
    assert_eq!(chain.token_balance(&new_source), 1);

    // The veteran withdraws its bond in the mint it bonded in.
    let veteran_keeper = pda::keeper(&veteran.pubkey());
    assert_eq!(chain.keeper(&veteran_keeper).bond_mint, old_mint);
    succeeded(chain.send(ix::request_unbond(&veteran.pubkey()), &[&veteran]));
    chain.set_time(NOW + COOLDOWN_SECS);
    let destination = chain.create_token_account(&old_mint, &veteran.pubkey(), 0);
    let wrong_mint = chain.send(
        ix::withdraw_bond(&veteran.pubkey(), &new_mint, &destination, false),
        &[&veteran],
    );
    assert_fails(wrong_mint, RegistryError::BondMintMismatch);
    succeeded(chain.send(
        ix::withdraw_bond(&veteran.pubkey(), &old_mint, &destination, false),
        &[&veteran],
    ));
    assert_eq!(chain.token_balance(&destination), BOND_AMOUNT);
}
