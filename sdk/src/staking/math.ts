/**
 * The staking program's arithmetic in BigInt, mirrored one-to-one from
 * `programs/staking/src/math/{mod,shares,rewards,stake,slashing,governance}.rs`: co-stake shares,
 * the reward-per-share index, the minimum stake of a device, voting weight, the slash window and
 * the split of a slash, and the outcome of a vote. Every function rounds, clamps and fails
 * exactly where the Rust does (where the Rust returns `Err`, this throws `StakingMathError`
 * carrying the program error's name), so the sdk predicts on-chain amounts to the unit. Checked
 * by `tests/staking-math.test.ts` against the vectors the Rust tests write to
 * `sdk/test-vectors/staking.json`. Browser-safe.
 *
 * Units: IO amounts are IO base units (`IO` = 1e8 = one IO); shares are the pool's own unit
 * (the first deposit mints one share per base unit); the reward index is IO base units per
 * share times `REWARD_INDEX_SCALE`; GPU class multipliers are hundredths (400 = 4.00x); voting
 * weight is IO base units times the lock multiplier; times are unix seconds.
 */
import { BPS_DENOMINATOR } from "../iotoken/math.js";
import { checkedMath, I64_MAX, I64_MIN } from "../ints.js";

/** Precision of the reward index: IO base units per share, times 10^12. */
export const REWARD_INDEX_SCALE = 1_000_000_000_000n;
export const DAY_SECS = 86_400n;
/** Shortest lock: 14 days. */
export const MIN_LOCK_SECS = 14n * DAY_SECS;
/** Longest lock, and the remaining lock at which voting weight reaches its cap: 4 x 365 days. */
export const MAX_LOCK_SECS = 4n * 365n * DAY_SECS;
/** Voting weight of unlocked stake, in basis points of its IO (1x)... */
export const BASE_WEIGHT_BPS = 10_000n;
/** ...plus up to this much more with 4 years of lock remaining (4x in total). */
export const MAX_LOCK_BONUS_BPS = 30_000n;
/** GPU class multipliers are in hundredths; a class never lowers the minimum stake below 1x. */
export const MULTIPLIER_ONE = 100;

/**
 * A failed computation, named as the program's `StakingError` variant it mirrors
 * ("MathOverflow", "CoStakeWipedOut").
 */
export class StakingMathError extends Error {
  constructor(readonly errorName: string) {
    super(`staking math: ${errorName}`);
    this.name = "StakingMathError";
  }
}

function fail(name: string): never {
  throw new StakingMathError(name);
}

const { u64, u128, mulDivFloor, mulDivCeil, bpsOf: bpsOfStake } = checkedMath(fail);
const div = (a: bigint, b: bigint): bigint => (b === 0n ? fail("MathOverflow") : a / b);
const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);
/** `i64::saturating_sub`. */
const saturatingSubI64 = (a: bigint, b: bigint): bigint => {
  const d = a - b;
  return d < I64_MIN ? I64_MIN : d > I64_MAX ? I64_MAX : d;
};
/** `i64::saturating_add`. */
const saturatingAddI64 = (a: bigint, b: bigint): bigint => saturatingSubI64(a, -b);

// Shares (shares.rs): a position owns `shares` of the pool's `costake_shares`, worth that
// fraction of `costake_total` IO; every rounding favours the pool.

/** Shares minted for depositing `amount` IO, rounded down. The first deposit mints 1:1. */
export function sharesForDeposit(amount: bigint, total: bigint, totalShares: bigint): bigint {
  if (totalShares === 0n) return amount;
  // Shares exist but slashing took all their IO: new IO would be worth nothing in them.
  if (!(total > 0n)) fail("CoStakeWipedOut");
  return mulDivFloor(amount, totalShares, total);
}

/** IO that `shares` are worth, rounded down. */
export function valueOfShares(shares: bigint, total: bigint, totalShares: bigint): bigint {
  if (totalShares === 0n) return 0n;
  return mulDivFloor(shares, total, totalShares);
}

/** Shares to give up for `amount` IO of value, rounded up. */
export function sharesForAmount(amount: bigint, total: bigint, totalShares: bigint): bigint {
  if (!(total > 0n)) fail("CoStakeWipedOut");
  return mulDivCeil(amount, totalShares, total);
}

// Rewards (rewards.rs): depositing raises the index by `amount x SCALE / active_shares`; a
// position is owed `(shares x index - debt) / SCALE`; both round down.

/** How much a deposit of `amount` raises the index over `activeShares` (> 0). */
export function indexIncrease(amount: bigint, activeShares: bigint): bigint {
  return div(u128(amount * REWARD_INDEX_SCALE), activeShares);
}

/** The debt of `shares` at `index`: what they would have been owed had they been there from the start. */
export function rewardDebt(shares: bigint, index: bigint): bigint {
  return u128(shares * index);
}

/** IO base units newly owed to `shares` since their debt was `debt`. */
export function pendingRewards(shares: bigint, index: bigint, debt: bigint): bigint {
  const accrued = u128(rewardDebt(shares, index) - debt) / REWARD_INDEX_SCALE;
  return u64(accrued);
}

// Minimum stake and voting weight (stake.rs).

/** A row of the GPU class table: `pattern` and its multiplier in hundredths (400 = 4.00x). */
export interface GpuClassLike {
  pattern: string;
  multiplierCenti: number;
}

/** Rust's `to_ascii_lowercase`: only A-Z change. */
const asciiLowercase = (s: string): string =>
  s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/**
 * The class multiplier (hundredths) of a GPU model: the first class whose pattern occurs in the
 * model ignoring ASCII case, or 1.00.
 */
export function gpuClassMultiplier(classes: readonly GpuClassLike[], gpuModel: string): number {
  const model = asciiLowercase(gpuModel);
  const found = classes.find((c) => model.includes(asciiLowercase(c.pattern)));
  return found ? found.multiplierCenti : MULTIPLIER_ONE;
}

/**
 * IO base units a device must have staked to earn availability rewards:
 * `base x max(1, multiplier) x gpuCount`.
 */
export function minimumStake(base: bigint, multiplierCenti: number, gpuCount: number): bigint {
  const multiplier = BigInt(Math.max(multiplierCenti, MULTIPLIER_ONE));
  return u64(u128(u128(base * multiplier) * BigInt(gpuCount)) / BigInt(MULTIPLIER_ONE));
}

/**
 * Voting weight multiplier in basis points for `lockRemainingSecs`: 1x unlocked, rising linearly
 * to 4x at 4 years remaining.
 */
export function weightMultiplierBps(lockRemainingSecs: bigint): bigint {
  const remaining =
    lockRemainingSecs < 0n
      ? 0n
      : lockRemainingSecs > MAX_LOCK_SECS
        ? MAX_LOCK_SECS
        : lockRemainingSecs;
  return BASE_WEIGHT_BPS + (MAX_LOCK_BONUS_BPS * remaining) / MAX_LOCK_SECS;
}

/** Voting weight of `stake` IO base units locked until `lockEndsAt`, at `now`. */
export function votingWeight(stake: bigint, lockEndsAt: bigint, now: bigint): bigint {
  const multiplier = weightMultiplierBps(saturatingSubI64(lockEndsAt, now));
  return u64(u128(stake * multiplier) / BPS_DENOMINATOR);
}

// Slashing (slashing.rs).

/** A pool's slash window: its start, what it may slash in total and what it slashed. */
export interface SlashWindow {
  start: bigint;
  /** IO base units this window may slash in total. */
  cap: bigint;
  slashed: bigint;
}

/** `SlashWindow::at` and `SlashWindow::remaining`. */
export const SlashWindow = Object.freeze({
  /**
   * The window in force at `now`: the stored one while it lasts, else a new one starting now
   * whose cap is `maxSlashBps` of `totalStake`.
   */
  at(
    stored: SlashWindow,
    now: bigint,
    windowSecs: bigint,
    maxSlashBps: number | bigint,
    totalStake: bigint,
  ): SlashWindow {
    const ended = stored.start === 0n || now >= saturatingAddI64(stored.start, windowSecs);
    if (!ended) return { ...stored };
    return { start: now, cap: bpsOfStake(totalStake, BigInt(maxSlashBps)), slashed: 0n };
  },
  /** IO base units that may still be slashed in `window`. */
  remaining(window: SlashWindow): bigint {
    return window.cap > window.slashed ? window.cap - window.slashed : 0n;
  },
});

/**
 * Where a slash is taken from, in order: the operator's cooling self-stake, the operator's active
 * self-stake, then the co-stake (all positions pro-rata through the share value).
 */
export interface SlashSplit {
  fromOperatorCooling: bigint;
  fromOperatorStake: bigint;
  fromCostake: bigint;
}

/** The split of a slash of `amount`, or `null` if the pool does not hold that much. */
export function splitSlash(
  amount: bigint,
  operatorCooling: bigint,
  operatorStake: bigint,
  costakeTotal: bigint,
): SlashSplit | null {
  const fromOperatorCooling = minOf(amount, operatorCooling);
  const rest = amount - fromOperatorCooling;
  const fromOperatorStake = minOf(rest, operatorStake);
  const fromCostake = rest - fromOperatorStake;
  if (fromCostake > costakeTotal) return null;
  return { fromOperatorCooling, fromOperatorStake, fromCostake };
}

// Governance (governance.rs).

/** The rules a vote is counted by (a proposal's `rules`). */
export interface VoteRules {
  quorumWeight: bigint;
  passThresholdBps: number | bigint;
}

/** Quorum over all votes cast (yes, no and abstain); threshold over yes + no, strictly exceeded. */
export function proposalPasses(
  yes: bigint,
  no: bigint,
  abstain: bigint,
  rules: VoteRules,
): boolean {
  const quorum = yes + no + abstain >= rules.quorumWeight;
  const threshold = yes * 10_000n > BigInt(rules.passThresholdBps) * (yes + no);
  return quorum && threshold;
}
