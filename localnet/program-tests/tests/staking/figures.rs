//! Figures, printed rather than asserted (run with `--nocapture` to see them): transaction sizes,
//! the compute units LiteSVM reports (a lower bound for a native program: only syscall costs and a
//! fixed entry cost are charged), and the size and rent of every account the program owns.

use {
    crate::common::*,
    anchor_lang::{solana_program::program_pack::Pack, Space},
    iogrid_program_tests::figures::{print_accounts, Figures},
    iotoken::math::IO,
    solana_signer::Signer,
    staking::{
        state::{Proposal, StakePool, StakePosition, StakingConfig, VoteRecord},
        ParameterChange, VoteSide,
    },
};

#[test]
fn figures_compute_sizes_and_rent() {
    let mut figures = Figures::default();
    let mut chain = Chain::uninitialized();
    let authority = chain.authority.insecure_clone();
    let me = authority.pubkey();
    let instruction = ix::initialize(&me, default_args());
    figures.measure(&mut chain, "initialize", instruction, &[&authority]);

    let device = chain.register_device("NVIDIA H100 80GB HBM3", 8);
    let operator = device.owner.insecure_clone();
    let instruction = ix::open_pool(&operator.pubkey(), &device.key, POOL_SHARE_BPS, true);
    figures.measure(&mut chain, "open_pool", instruction, &[&operator]);
    let pool = pda::pool(&device.key, &operator.pubkey());
    let operator_io = chain.io_account(&operator.pubkey(), OPERATOR_IO);
    let instruction = ix::stake_self(&operator.pubkey(), &pool, &operator_io, 500 * IO);
    figures.measure(&mut chain, "stake_self", instruction, &[&operator]);
    let instruction = ix::unstake_self(&operator.pubkey(), &pool, &device.key, 100 * IO);
    figures.measure(&mut chain, "unstake_self", instruction, &[&operator]);
    let instruction = ix::set_pool_terms(&operator.pubkey(), &pool, SHARE_MAX_BPS, true);
    figures.measure(&mut chain, "set_pool_terms", instruction, &[&operator]);

    let staker = chain.funded_keypair();
    let owner = staker.pubkey();
    let wallet = chain.io_account(&owner, 2_000 * IO);
    let instruction = ix::open_position(&owner, &pool);
    figures.measure(&mut chain, "open_position", instruction, &[&staker]);
    let instruction = ix::stake(&owner, &pool, &wallet, 1_500 * IO);
    figures.measure(&mut chain, "stake", instruction, &[&staker]);
    let instruction = ix::lock(&owner, &pool, 14 * DAY);
    figures.measure(&mut chain, "lock", instruction, &[&staker]);

    let rewarder = chain.rewarder.insecure_clone();
    let instruction = ix::deposit_rewards(&rewarder.pubkey(), &pool, &chain.rewarder_io, IO);
    figures.measure(&mut chain, "deposit_rewards", instruction, &[&rewarder]);
    let instruction = ix::claim_rewards(&owner, &pool, &wallet);
    figures.measure(&mut chain, "claim_rewards", instruction, &[&staker]);
    let args = slash_args(10 * IO);
    let instruction = ix::slash_through(&SLASHER_PROGRAM, &pool, &chain.treasury, args);
    figures.measure(
        &mut chain,
        "slash (CPI from the test slashing program)",
        instruction,
        &[&authority],
    );

    let whale = Staker {
        owner: staker.insecure_clone(),
        io: wallet,
        pool,
        position: pda::position(&pool, &owner),
    };
    chain.hand_staking_to_governance();
    let change = ParameterChange::MinStakeBase { amount: 300 * IO };
    let instruction =
        ix::create_proposal(&owner, &pool, 0, "Raise the minimum stake", change, false);
    figures.measure(&mut chain, "create_proposal", instruction, &[&staker]);
    let instruction = ix::cast_vote(&owner, &pool, 0, VoteSide::Yes);
    figures.measure(&mut chain, "cast_vote", instruction, &[&staker]);
    chain.set_time(chain.proposal(0).voting_ends_at);
    figures.measure(
        &mut chain,
        "finalize_proposal",
        ix::finalize_proposal(0),
        &[&authority],
    );
    chain.set_time(chain.proposal(0).executable_at);
    let instruction = ix::execute_proposal(&me, 0, Targets::NONE);
    figures.measure(
        &mut chain,
        "execute_proposal (staking: MinStakeBase)",
        instruction,
        &[&authority],
    );

    chain.hand_iotoken_to_governance();
    let mut fees = default_fees();
    fees.network_fee_bps = 600;
    let id = chain.pass(&whale, ParameterChange::Fees { fees });
    let instruction = ix::execute_proposal(&me, id, Targets::of(&chain.proposal(id).change));
    figures.measure(
        &mut chain,
        "execute_proposal (iotoken: Fees, CPI)",
        instruction,
        &[&authority],
    );
    chain.hand_registry_to_governance();
    let change = ParameterChange::KeeperBond {
        amount: 2 * KEEPER_BOND,
        unbond_cooldown_secs: KEEPER_COOLDOWN,
    };
    let id = chain.pass(&whale, change);
    let instruction = ix::execute_proposal(&me, id, Targets::of(&chain.proposal(id).change));
    figures.measure(
        &mut chain,
        "execute_proposal (registry: KeeperBond, CPI)",
        instruction,
        &[&authority],
    );

    let instruction = ix::unstake(&owner, &pool, 500 * IO);
    figures.measure(&mut chain, "unstake", instruction, &[&staker]);
    chain.advance(COOLDOWN);
    let instruction = ix::withdraw(&owner, &pool, &wallet);
    figures.measure(&mut chain, "withdraw", instruction, &[&staker]);
    let instruction = ix::withdraw_self(&operator.pubkey(), &pool, &device.key, &operator_io);
    figures.measure(&mut chain, "withdraw_self", instruction, &[&operator]);

    figures.print();
    print_accounts(
        &chain,
        &[
            ("StakingConfig", 8 + StakingConfig::INIT_SPACE),
            ("StakePool", 8 + StakePool::INIT_SPACE),
            ("vault (SPL Token account)", spl_token::state::Account::LEN),
            ("StakePosition", 8 + StakePosition::INIT_SPACE),
            ("Proposal", 8 + Proposal::INIT_SPACE),
            ("VoteRecord", 8 + VoteRecord::INIT_SPACE),
        ],
    );
}
