//! An on-chain property test: a seeded pseudo-random sequence of stakes, unstakes, deposits,
//! claims, slashes and withdrawals by four co-stakers of one pool (whose operator has self-stake
//! to be slashed first). Each step's outcome is predicted from the pool's state with the
//! program's own formulas, success or named refusal; after every step no more rewards have been
//! paid than deposited and the vault holds exactly the stake plus the unclaimed rewards. At the
//! end, what rounding left unowed is at most one unit per staker per deposit.

use {
    crate::common::*,
    iotoken::math::IO,
    litesvm::types::TransactionResult,
    staking::{
        errors::StakingError,
        math::{
            shares::{shares_for_amount, shares_for_deposit, value_of_shares},
            slashing::{split_slash, SlashWindow},
        },
    },
};

/// Marsaglia's xorshift64: the same seed gives the same sequence on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// In `0..n`, for `n > 0` (the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const STEPS: usize = 150;
const STAKERS: usize = 4;
const WALLET: u64 = 100_000 * IO;
const OPS: [&str; 6] = ["stake", "unstake", "deposit", "claim", "slash", "withdraw"];

/// Asserts that `result` succeeded if `refusal` is `None`, else that it failed with it; whether
/// it succeeded.
#[track_caller]
fn outcome(result: TransactionResult, refusal: Option<StakingError>) -> bool {
    match refusal {
        None => {
            succeeded(result);
            true
        }
        Some(error) => {
            assert_fails(result, error);
            false
        }
    }
}

#[test]
fn random_sequences_never_pay_more_than_was_deposited_or_leave_the_vault_short() {
    let mut rng = XorShift(SEED);
    let mut chain = Chain::new();
    let pool = chain.open_pool();
    succeeded(chain.stake_self(&pool, 500 * IO));
    let stakers: Vec<Staker> = (0..STAKERS).map(|_| chain.staker(&pool, WALLET)).collect();
    let (mut deposited, mut claimed, mut deposits) = (0u64, 0u64, 0u64);
    // Per operation: [refused, done].
    let mut tally = [[0u32; 2]; OPS.len()];

    for step in 0..STEPS {
        chain.advance(rng.below(2 * DAY as u64) as i64);
        let now = chain.now();
        let staker = &stakers[rng.below(STAKERS as u64) as usize];
        let state = chain.pool(&pool.key);
        let position = chain.position(&staker.position);
        let wallet = chain.token_balance(&staker.io);
        let op = rng.below(OPS.len() as u64) as usize;
        let done = match OPS[op] {
            "stake" => {
                let amount = 1 + rng.below(2_000 * IO);
                let minted = shares_for_deposit(amount, state.costake_total, state.costake_shares);
                let refusal = match minted {
                    Err(_) => Some(StakingError::CoStakeWipedOut),
                    Ok(0) => Some(StakingError::AmountTooSmall),
                    Ok(_) => None,
                };
                let done = outcome(chain.stake(staker, amount), refusal);
                if done {
                    assert_eq!(wallet - chain.token_balance(&staker.io), amount);
                }
                done
            }
            "unstake" => {
                let (active, _) = chain.position_value(staker);
                let amount = 1 + rng.below(active.max(1));
                let shares = shares_for_amount(amount, state.costake_total, state.costake_shares);
                // A position without active shares is refused before the amount is priced.
                let refusal = match shares {
                    _ if position.shares == 0 => Some(StakingError::InsufficientStake),
                    Err(_) => Some(StakingError::CoStakeWipedOut),
                    Ok(shares) if shares > position.shares => Some(StakingError::InsufficientStake),
                    Ok(_) => None,
                };
                outcome(chain.unstake(staker, amount), refusal)
            }
            "deposit" => {
                let amount = 1 + rng.below(50 * IO);
                let refusal = (state.active_shares == 0).then_some(StakingError::NoActiveCoStake);
                let done = outcome(chain.deposit(&pool.key, amount), refusal);
                if done {
                    deposited += amount;
                    deposits += 1;
                }
                done
            }
            "claim" => {
                let owed = chain.claimable(staker);
                let refusal = (owed == 0).then_some(StakingError::NothingToClaim);
                let done = outcome(chain.claim(staker), refusal);
                if done {
                    assert_eq!(chain.token_balance(&staker.io) - wallet, owed);
                    claimed += owed;
                }
                done
            }
            "slash" => {
                let stored = SlashWindow {
                    start: state.slash_window_start,
                    cap: state.slash_window_cap,
                    slashed: state.slashed_in_window,
                };
                let total_stake = state.total_stake().expect("the stake fits a u64");
                let window = SlashWindow::at(stored, now, SLASH_WINDOW, MAX_SLASH_BPS, total_stake)
                    .expect("a slash window");
                let remaining = window.remaining();
                let amount = 1 + rng.below(remaining.max(1));
                let split = split_slash(
                    amount,
                    state.operator_cooling,
                    state.operator_stake,
                    state.costake_total,
                )
                .expect("a split");
                let refusal = if amount > remaining {
                    Some(StakingError::SlashCapExceeded)
                } else if split.is_none() {
                    Some(StakingError::SlashExceedsStake)
                } else {
                    None
                };
                let treasury = chain.token_balance(&chain.treasury);
                let done = outcome(chain.slash(&pool.key, amount), refusal);
                if done {
                    assert_eq!(chain.token_balance(&chain.treasury) - treasury, amount);
                }
                done
            }
            "withdraw" => {
                let refusal = if position.cooling_shares == 0 {
                    Some(StakingError::NothingToWithdraw)
                } else if now < position.cooldown_ends_at {
                    Some(StakingError::CooldownNotElapsed)
                } else {
                    None
                };
                let done = outcome(chain.withdraw(staker), refusal);
                if done {
                    let value = value_of_shares(
                        position.cooling_shares,
                        state.costake_total,
                        state.costake_shares,
                    )
                    .expect("a value");
                    assert_eq!(chain.token_balance(&staker.io) - wallet, value);
                }
                done
            }
            _ => unreachable!(),
        };
        tally[op][done as usize] += 1;

        let state = chain.pool(&pool.key);
        assert!(claimed <= deposited, "step {step}: claims exceed deposits");
        assert!(
            state.rewards_claimed <= state.rewards_deposited,
            "step {step}: the pool paid more than it received"
        );
        assert_eq!(
            (state.rewards_deposited, state.rewards_claimed),
            (deposited, claimed),
            "step {step}: the pool counts what the wallets saw"
        );
        chain.assert_vault_balanced(&pool);
    }

    let owed: u64 = stakers.iter().map(|staker| chain.claimable(staker)).sum();
    let dust = deposited
        .checked_sub(claimed + owed)
        .expect("positions are owed no more than was deposited");
    println!("{STEPS} steps: {deposits} deposits, {claimed} claimed, {owed} owed, {dust} dust");
    for (name, [refused, done]) in OPS.iter().zip(tally) {
        println!("  {name}: {done} done, {refused} refused");
        assert!(done > 0, "the sequence exercises {name}");
    }
    assert!(
        dust <= STAKERS as u64 * deposits,
        "rounding leaves at most a unit per staker per deposit: {dust}"
    );
}
