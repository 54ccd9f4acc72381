/**
 * The iotoken program's arithmetic in BigInt, mirrored one-to-one from
 * `programs/iotoken/src/math/{mod,emission,price}.rs`: constants with their units, the emission
 * schedule, the epoch mint, prices, the EMA's step bound, the deviation bound, halts and the
 * circuit breaker. Every function rounds, clamps and
 * fails exactly where the Rust does (a failure throws `IotokenMathError` carrying the program
 * error's name), so the sdk predicts on-chain amounts to the unit. Checked by
 * `tests/iotoken-math.test.ts` against the vectors the Rust tests write to
 * `sdk/test-vectors/iotoken.json`. Browser-safe.
 *
 * Units: IO amounts are IO base units (`IO` = 1e8 = one IO), IOSD amounts IOSD base units (1e6 =
 * one USD), prices USD per whole IO with 8 decimals (1e8 = 1 USD per IO), times unix seconds.
 */
import { checkedMath, I64_MAX, U64_MAX } from "../ints.js";

/** IO has 8 decimals. */
export const IO_DECIMALS = 8;
/** IO base units in one IO. */
export const IO = 100_000_000n;
/** Prices are USD per whole IO with 8 decimals: 100_000_000 = 1 USD per IO. */
export const PRICE_DECIMALS = 8;
/** IOSD base units = IO base units x price / this (10^(8 + 8 - 6)). */
export const IOSD_PER_IO_PRICE_DIVISOR = 10n ** 10n;

/** No IO is ever minted past this supply: 800,000,000 IO. */
export const IO_SUPPLY_CAP = 800_000_000n * IO;
/** Minted once, at genesis, to the five allocation accounts: 500,000,000 IO. */
export const GENESIS_SUPPLY = 500_000_000n * IO;
/** What the emission schedule may mint over its whole life: 300,000,000 IO. */
export const EMISSION_BUDGET = IO_SUPPLY_CAP - GENESIS_SUPPLY;
/**
 * Genesis allocation in basis points, in the order of `mint_genesis`'s accounts: community,
 * R&D / ecosystem, core contributors, seed, series A.
 */
export const GENESIS_ALLOCATION_BPS: readonly bigint[] = Object.freeze([
  5_000n,
  1_600n,
  1_130n,
  1_250n,
  1_020n,
]);

/** An emission epoch is one hour. */
export const EPOCH_SECS = 3_600n;
export const BPS_DENOMINATOR = 10_000n;
/** Reward pools, in the order of `RewardSplit` and of the pool vault seeds. */
export const POOL_COUNT = 4;
/** Epochs one `end_epoch` may close (`MAX_EPOCHS_PER_CRANK`). */
export const MAX_EPOCHS_PER_CRANK = 12;
/** Rows a schedule may hold (`MAX_SCHEDULE_ROWS`). */
export const MAX_SCHEDULE_ROWS = 256;
/** Most price updaters the config holds (`MAX_PRICE_UPDATERS`). */
export const MAX_PRICE_UPDATERS = 8;

/**
 * A failed computation, named as the program's `IotokenError` variant it mirrors
 * (e.g. "MathOverflow", "ScheduleExceedsBudget", "CircuitBreakerTripped").
 */
export class IotokenMathError extends Error {
  constructor(readonly errorName: string) {
    super(`iotoken math: ${errorName}`);
    this.name = "IotokenMathError";
  }
}

function fail(name: string): never {
  throw new IotokenMathError(name);
}

const checked = checkedMath(fail);
const { u64, i64, u128 } = checked;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const saturatingSub = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n);

/** From `startTime` on (an epoch boundary), each epoch emits `emissionPerEpoch` IO base units. */
export interface EmissionRow {
  startTime: bigint;
  emissionPerEpoch: bigint;
}

/** `amount x bps / 10_000`, rounded down. */
export const bpsOf = checked.bpsOf;

/** The genesis amount of each allocation account; they sum to `GENESIS_SUPPLY` exactly. */
export function genesisAllocations(): bigint[] {
  return GENESIS_ALLOCATION_BPS.map((bps) => (GENESIS_SUPPLY / BPS_DENOMINATOR) * bps);
}

/** Unix time at which `epoch` starts, for a schedule whose epoch 0 starts at `origin`. */
export function epochStart(origin: bigint, epoch: bigint): bigint {
  const e = i64(u64(epoch));
  return i64(origin + i64(e * EPOCH_SECS));
}

/** The epoch running at `time` (epoch 0 for any time before `origin`). */
export function epochAt(origin: bigint, time: bigint): bigint {
  if (time <= origin) return 0n;
  return (time - origin) / EPOCH_SECS;
}

/**
 * Checks rows as they are appended: at least one, each starting on an epoch boundary of the
 * first, in strictly increasing order.
 */
export function checkRows(rows: readonly EmissionRow[]): void {
  const first = rows[0] ?? fail("ScheduleEmpty");
  for (let i = 1; i < rows.length; i++) {
    if (!(rows[i]!.startTime > rows[i - 1]!.startTime)) fail("ScheduleRowsNotIncreasing");
  }
  for (const row of rows) {
    if ((row.startTime - first.startTime) % EPOCH_SECS !== 0n) fail("ScheduleRowMisaligned");
  }
}

/**
 * Everything a complete schedule will ever mint; the last row must be zero (an end), and the
 * total must fit `EMISSION_BUDGET`.
 */
export function scheduleTotal(rows: readonly EmissionRow[]): bigint {
  checkRows(rows);
  if (rows[rows.length - 1]!.emissionPerEpoch !== 0n) fail("ScheduleWithoutEnd");
  let total = 0n;
  for (let i = 1; i < rows.length; i++) {
    const epochs = (rows[i]!.startTime - rows[i - 1]!.startTime) / EPOCH_SECS;
    total = u128(total + u128(epochs * rows[i - 1]!.emissionPerEpoch));
  }
  if (total > EMISSION_BUDGET) fail("ScheduleExceedsBudget");
  return total;
}

/** The scheduled emission of `epoch`: the rate of the last row starting at or before it. */
export function scheduledEmission(rows: readonly EmissionRow[], epoch: bigint): bigint {
  const first = rows[0];
  if (!first) return 0n;
  const start = epochStart(first.startTime, epoch);
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i]!.startTime <= start) return rows[i]!.emissionPerEpoch;
  }
  return 0n;
}

/** Scheduled emission of epochs `from..to` (before clamping), computed per row. */
export function cumulativeEmission(rows: readonly EmissionRow[], from: bigint, to: bigint): bigint {
  const first = rows[0];
  if (!first) return 0n;
  let total = 0n;
  rows.forEach((row, index) => {
    const rowFirst = epochAt(first.startTime, row.startTime);
    const next = rows[index + 1];
    const rowEnd = next ? epochAt(first.startTime, next.startTime) : U64_MAX;
    const lo = max(rowFirst, from);
    const hi = min(rowEnd, to);
    if (hi > lo) total = u128(total + u128((hi - lo) * row.emissionPerEpoch));
  });
  return total;
}

/**
 * Net emission of one epoch: `ceil(backlog / smoothingEpochs)`, at most `capPerEpoch`.
 */
export function netEmissionDraw(
  backlog: bigint,
  smoothingEpochs: bigint,
  capPerEpoch: bigint,
): bigint {
  if (backlog === 0n || smoothingEpochs === 0n) return 0n;
  return min((backlog + smoothingEpochs - 1n) / smoothingEpochs, capPerEpoch);
}

/** What closing one epoch mints, by destination. */
export interface EpochMint {
  /** The schedule's rate, clamped by the budget left and the supply cap. */
  scheduled: bigint;
  /** Re-emitted burned IO, clamped by the supply cap. */
  net: bigint;
  /** Reward pools: availability, compute, stakers, keepers (the keepers' pool after the tip). */
  pools: [bigint, bigint, bigint, bigint];
  /** To the keeper that cranked, taken from the keepers' share. */
  crankTip: bigint;
  /** `scheduled + net`. */
  total: bigint;
}

/** The parameters of an epoch's mint, from the token config. */
export interface EpochMintParams {
  /** Basis points of each pool (availability, compute, stakers, keepers); they sum to 10_000. */
  splitBps: readonly [bigint, bigint, bigint, bigint];
  crankTip: bigint;
  netSmoothingEpochs: bigint;
  netCapPerEpoch: bigint;
}

/**
 * Splits one epoch's emission. `cumulativeScheduled` is what the schedule has minted so far,
 * `backlog` the burned IO awaiting re-emission and `supply` the IO supply before this mint. The
 * availability pool takes the rounding remainder, so the pools and the tip sum to the total.
 */
export function epochMint(
  rate: bigint,
  cumulativeScheduled: bigint,
  backlog: bigint,
  supply: bigint,
  params: EpochMintParams,
): EpochMint {
  const room = saturatingSub(IO_SUPPLY_CAP, supply);
  const scheduled = min(min(rate, saturatingSub(EMISSION_BUDGET, cumulativeScheduled)), room);
  const net = min(
    netEmissionDraw(backlog, params.netSmoothingEpochs, params.netCapPerEpoch),
    room - scheduled,
  );
  const total = scheduled + net;
  const pools: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (let index = 1; index < POOL_COUNT; index++) {
    pools[index] = bpsOf(total, params.splitBps[index]!);
  }
  pools[0] = u64(total - (pools[1] + pools[2] + pools[3]));
  const crankTip = min(params.crankTip, pools[3]);
  pools[3] -= crankTip;
  return { scheduled, net, pools, crankTip, total };
}

/**
 * The price burn-mint values IO at: the lower of spot and EMA, minus twice the confidence.
 * `null` when nothing positive is left.
 */
export function conservativePrice(price: bigint, ema: bigint, confidence: bigint): bigint | null {
  const twice = confidence * 2n;
  if (twice > U64_MAX) return null;
  const lower = min(price, ema);
  if (twice > lower) return null;
  const result = lower - twice;
  return result > 0n ? result : null;
}

/** Whether `confidence` is within `maxConfidenceBps` of `price`. */
export function confidenceWithin(
  price: bigint,
  confidence: bigint,
  maxConfidenceBps: bigint,
): boolean {
  return confidence * BPS_DENOMINATOR <= price * maxConfidenceBps;
}

/** IOSD base units for `ioAmount` IO base units at `price`, rounded down. */
export function iosdForIo(ioAmount: bigint, price: bigint): bigint {
  return u64(u128(ioAmount * price) / IOSD_PER_IO_PRICE_DIVISOR);
}

/** IO base units that pay for `iosdAmount` at `price`, rounded up (the payer never pays less). */
export function ioForIosd(iosdAmount: bigint, price: bigint): bigint {
  if (!(price > 0n)) fail("PriceNotPositive");
  const scaled = u128(iosdAmount * IOSD_PER_IO_PRICE_DIVISOR);
  return u64((scaled + price - 1n) / price);
}

/**
 * The EMA after a new price: it moves toward `price` by `elapsedSecs / windowSecs` of the gap
 * (all the way once a whole window has passed), truncating toward zero as Rust's i128 division
 * does, i.e. toward the previous EMA. Unbounded in the gap: the feed stores `boundedEma`.
 */
export function nextEma(
  previousEma: bigint,
  price: bigint,
  elapsedSecs: bigint,
  windowSecs: bigint,
): bigint {
  if (previousEma === 0n || windowSecs <= 0n || elapsedSecs >= windowSecs) return price;
  const elapsed = max(elapsedSecs, 0n);
  const gap = price - previousEma;
  // BigInt division truncates toward zero, like Rust's; `as u64` keeps the low 64 bits.
  return BigInt.asUintN(64, previousEma + (gap * elapsed) / windowSecs);
}

const HOUR_SECS = 3_600n;

/**
 * The most one update may move the EMA: `stepBpsPerHour` of `previousEma` per hour elapsed since
 * the previous update, at most `maxStepBps` of it, rounded down (saturating at `U64_MAX`).
 */
export function emaStepBound(
  previousEma: bigint,
  elapsedSecs: bigint,
  stepBpsPerHour: bigint,
  maxStepBps: bigint,
): bigint {
  const share = min(stepBpsPerHour * max(elapsedSecs, 0n), maxStepBps * HOUR_SECS);
  return min((previousEma * share) / (BPS_DENOMINATOR * HOUR_SECS), U64_MAX);
}

/**
 * The EMA the feed stores after a new price (`GuardParams`' step bounds): `nextEma`, moved at most
 * `emaStepBound` from the previous EMA; the first price sets it.
 */
export function boundedEma(
  previousEma: bigint,
  price: bigint,
  elapsedSecs: bigint,
  windowSecs: bigint,
  stepBpsPerHour: bigint,
  maxStepBps: bigint,
): bigint {
  const target = nextEma(previousEma, price, elapsedSecs, windowSecs);
  if (previousEma === 0n) return target;
  const bound = emaStepBound(previousEma, elapsedSecs, stepBpsPerHour, maxStepBps);
  return min(max(target, saturatingSub(previousEma, bound)), min(previousEma + bound, U64_MAX));
}

/** Whether `price` is within `maxDeviationBps` of `ema` (inclusive), either side. */
export function deviationWithin(price: bigint, ema: bigint, maxDeviationBps: bigint): boolean {
  const gap = price > ema ? price - ema : ema - price;
  return gap * BPS_DENOMINATOR <= ema * maxDeviationBps;
}

/**
 * Whether a halt is in force at `now`: `halted` and either the authority's (`expiresAt` 0, until
 * it resumes) or an updater's that has not expired.
 */
export function haltInForce(halted: boolean, expiresAt: bigint, now: bigint): boolean {
  return halted && (expiresAt === 0n || now < expiresAt);
}

/**
 * When the feed's halt ends after an updater halts at `now` for `durationSecs`: that long from
 * now, or later if another updater's halt in force ends later.
 */
export function updaterHaltUntil(
  halted: boolean,
  expiresAt: bigint,
  now: bigint,
  durationSecs: bigint,
): bigint {
  const until = i64(now + durationSecs);
  return haltInForce(halted, expiresAt, now) ? max(until, expiresAt) : until;
}

/** The price feed's fields `usablePrice` reads (`PriceFeed`), bigint form. */
export interface PriceFeedState {
  price: bigint;
  confidence: bigint;
  ema: bigint;
  publishTime: bigint;
  halted: boolean;
  haltExpiresAt: bigint;
  maxDeviationBps: bigint;
}

/**
 * The conservative price burn-mint and the market's IO payments use at `now`
 * (`PriceFeed::usable_price`); throws `PriceFeedHalted`, `PriceStale`, `PriceTooUncertain`,
 * `PriceDeviatesFromEma` or `PriceNotPositive`, checked in that order.
 */
export function usablePrice(
  feed: PriceFeedState,
  oracle: { maxStalenessSecs: bigint; maxConfidenceBps: bigint },
  now: bigint,
): bigint {
  if (haltInForce(feed.halted, feed.haltExpiresAt, now)) fail("PriceFeedHalted");
  if (!(feed.publishTime > 0n && i64(now - feed.publishTime) <= oracle.maxStalenessSecs)) {
    fail("PriceStale");
  }
  if (!confidenceWithin(feed.price, feed.confidence, oracle.maxConfidenceBps)) {
    fail("PriceTooUncertain");
  }
  if (!deviationWithin(feed.price, feed.ema, feed.maxDeviationBps)) fail("PriceDeviatesFromEma");
  return conservativePrice(feed.price, feed.ema, feed.confidence) ?? fail("PriceNotPositive");
}

/** The circuit breaker's count: `used` IOSD base units as of `updatedAt`. */
export interface BreakerState {
  used: bigint;
  updatedAt: bigint;
}

/**
 * The breaker's burst (what can be minted at once, `burstBps` of the window's limit, rounded
 * down) and its refill per window (the rest of the limit).
 */
export function breakerCapacity(
  maxPerWindow: bigint,
  burstBps: bigint,
): { burst: bigint; refill: bigint } {
  const burst = bpsOf(maxPerWindow, min(burstBps, BPS_DENOMINATOR));
  return { burst, refill: maxPerWindow - burst };
}

/**
 * The breaker's count at `now`: drained by `refillPerWindow / windowSecs` per second since
 * `updatedAt`, rounded down, to no less than zero; kept as it is while less than a unit drained.
 */
export function breakerDrained(
  state: BreakerState,
  now: bigint,
  windowSecs: bigint,
  refillPerWindow: bigint,
): BreakerState {
  const elapsed = min(max(now - state.updatedAt, 0n), I64_MAX);
  const drained = (refillPerWindow * elapsed) / max(windowSecs, 1n);
  if (drained >= state.used) return { used: 0n, updatedAt: max(now, state.updatedAt) };
  if (drained === 0n) return { ...state };
  return { used: state.used - drained, updatedAt: now };
}

/**
 * The breaker after minting `amount` IOSD at `now`; throws `CircuitBreakerTripped` past the burst.
 * At most the burst at once and `maxPerWindow` in any `windowSecs`-long interval.
 */
export function breakerAfterMint(
  state: BreakerState,
  now: bigint,
  windowSecs: bigint,
  maxPerWindow: bigint,
  burstBps: bigint,
  amount: bigint,
): BreakerState {
  const { burst, refill } = breakerCapacity(maxPerWindow, burstBps);
  const drained = breakerDrained(state, now, windowSecs, refill);
  const used = u64(drained.used + amount);
  if (used > burst) fail("CircuitBreakerTripped");
  return { used, updatedAt: drained.updatedAt };
}

/**
 * What `mint_iosd` can mint at `now` before the breaker trips (IOSD base units): the burst less
 * the drained count.
 */
export function breakerRoom(
  state: BreakerState,
  now: bigint,
  windowSecs: bigint,
  maxPerWindow: bigint,
  burstBps: bigint,
): bigint {
  const { burst, refill } = breakerCapacity(maxPerWindow, burstBps);
  return saturatingSub(burst, breakerDrained(state, now, windowSecs, refill).used);
}
