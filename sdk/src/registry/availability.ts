/**
 * The registry's availability arithmetic in BigInt, mirrored from
 * `programs/registry/src/state/availability.rs`, `math.rs` and `validation.rs`: the epoch a time
 * falls in, a device's attested weight, the pro-rata share of an epoch's pool, how claims settle
 * unsettled epochs, the staker share of a claim, and reputation. Rounds and fails where the Rust
 * does (where the Rust returns `Err`, this throws `AvailabilityMathError` carrying the registry
 * error's name). Checked against `sdk/test-vectors/probe.json` by `tests/probe.test.ts`.
 * Browser-safe.
 *
 * Units: pots and amounts are IO base units; weights are GPU class multipliers in hundredths
 * times GPU count (an 8x H100 at 4.00x weighs 3,200); reputation is basis points.
 */
import { BPS_DENOMINATOR, EPOCH_SECS } from "../iotoken/math.js";
import { checkedMath, toBigInt } from "../ints.js";
import { gpuClassMultiplier } from "../staking/math.js";
import type { GpuClassLike } from "../staking/math.js";

/** Most failure reports counted per device and epoch: the largest quorum governance may set. */
export const MAX_FAILURE_QUORUM = 5;
/** Smallest failure quorum: one keeper alone never fails a device. */
export const MIN_FAILURE_QUORUM = 2;
/** Oldest slot a probe may be bound to, at most: the SlotHashes sysvar holds 512. */
export const MAX_PROBE_AGE_SLOTS = 512n;
/** Epochs a device or keeper may have earned in and not yet settled. */
export const MAX_UNSETTLED_EPOCHS = 4;
/** "No epoch yet" in the epoch fields of a device's availability record (`u64::MAX`). */
export const NO_EPOCH = (1n << 64n) - 1n;
/** Devices one `attest_availability` carries at most (two fit a legacy transaction). */
export const MAX_DEVICES_PER_ATTESTATION = 8;

/** Most passes a device may need in an epoch (`MAX_PASSES_REQUIRED`). */
export const MAX_PASSES_REQUIRED = 4;
/** Largest expected committee governance may set (`MAX_COMMITTEE_SIZE`). */
export const MAX_COMMITTEE_SIZE = 16;
/** Bounds of `reportAfterSecs`: 10 and 55 minutes into an epoch. */
export const MIN_REPORT_AFTER_SECS = 600;
export const MAX_REPORT_AFTER_SECS = 3_300;
/** Most of its bond a keeper forfeits per contradicted report: 10%. */
export const MAX_REPORT_PENALTY_BPS = 1_000;

/** The registry's probe, assignment and failure rules (`AvailabilityParams`), bigint form. */
export interface AvailabilityParamsLike {
  failureQuorum: number;
  maxProbeAgeSlots: bigint;
  committeeSize: number;
  passesRequired: number;
  reportAfterSecs: number;
  falseReportPenaltyBps: number;
}

/**
 * `DEFAULT_AVAILABILITY`: six keepers assigned per device and epoch in expectation, two passes
 * for a reward, three reports make a failure quorum, reports count from the epoch's second half,
 * a contradicted report costs 0.1% of the bond; probes live 150 slots.
 */
export const DEFAULT_AVAILABILITY: Readonly<AvailabilityParamsLike> = Object.freeze({
  failureQuorum: 3,
  maxProbeAgeSlots: 150n,
  committeeSize: 6,
  passesRequired: 2,
  reportAfterSecs: 1_800,
  falseReportPenaltyBps: 10,
});

/** A refusal of the availability math, named as the registry error it mirrors. */
export class AvailabilityMathError extends Error {
  constructor(readonly errorName: string) {
    super(`registry availability: ${errorName}`);
    this.name = "AvailabilityMathError";
  }
}

function fail(name: string): never {
  throw new AvailabilityMathError(name);
}

const { u64, mulDivFloor } = checkedMath(fail);

type Num = bigint | number | { toString(): string };
const big = toBigInt;

/** The epoch running at `now`, counted from iotoken's emission origin (`current_epoch`). */
export function availabilityEpochAt(origin: bigint, now: bigint): bigint {
  if (now < origin) fail("EmissionsNotStarted");
  return (now - origin) / EPOCH_SECS;
}

/**
 * `validate_availability`: quorum 2 to 5 keepers, probe age 1 to 512 slots, committee 1 to 16,
 * 1 to 4 passes (at most the committee), reports opening 10 to 55 minutes into an epoch, a
 * penalty of at most 10%.
 */
export function validateAvailability(params: AvailabilityParamsLike): void {
  if (params.failureQuorum < MIN_FAILURE_QUORUM || params.failureQuorum > MAX_FAILURE_QUORUM) {
    fail("InvalidFailureQuorum");
  }
  if (params.maxProbeAgeSlots < 1n || params.maxProbeAgeSlots > MAX_PROBE_AGE_SLOTS) {
    fail("InvalidProbeAge");
  }
  if (params.committeeSize < 1 || params.committeeSize > MAX_COMMITTEE_SIZE) {
    fail("InvalidCommitteeSize");
  }
  if (
    params.passesRequired < 1 ||
    params.passesRequired > MAX_PASSES_REQUIRED ||
    params.passesRequired > params.committeeSize
  ) {
    fail("InvalidPassesRequired");
  }
  if (
    params.reportAfterSecs < MIN_REPORT_AFTER_SECS ||
    params.reportAfterSecs > MAX_REPORT_AFTER_SECS
  ) {
    fail("InvalidReportWindow");
  }
  if (params.falseReportPenaltyBps < 0 || params.falseReportPenaltyBps > MAX_REPORT_PENALTY_BPS) {
    fail("InvalidReportPenalty");
  }
}

/**
 * The weight a qualified pass of the device adds to its epoch: its GPU class multiplier
 * (hundredths, from staking's classes, not raised to 1x as the minimum stake is) times its GPU
 * count.
 */
export function deviceWeight(
  classes: readonly GpuClassLike[],
  gpuModel: string,
  gpuCount: number,
): bigint {
  return u64(BigInt(gpuClassMultiplier(classes, gpuModel)) * BigInt(gpuCount));
}

/** `pot x weight / total`, rounded down; 0 when nothing was earned (`pro_rata`). */
export function proRata(pot: bigint, weight: bigint, total: bigint): bigint {
  if (total === 0n) return 0n;
  if (weight > total) fail("WeightExceedsTotal");
  return mulDivFloor(pot, weight, total);
}

/**
 * Reputation in basis points:
 * `10_000 x (passes + 2 x completed) / (passes + 2 x completed + 8 x failures + 24)`.
 */
export function reputationBps(
  passes: number | bigint,
  failures: number | bigint,
  reservationsCompleted: number | bigint,
): number {
  const good = BigInt(passes) + 2n * BigInt(reservationsCompleted);
  const total = good + 8n * BigInt(failures) + 24n;
  return Number((good * 10_000n) / total);
}

/** Which pot of a closed epoch an earner's weight draws on. */
export type EpochShare = "devices" | "keepers";

/** An `UnsettledEpoch` as decoded (BN) or in bigints; weight 0 marks a free slot. */
export interface UnsettledEpochLike {
  epoch: Num;
  weight: Num;
}

/** `Earnings` as decoded (BN fields) or in bigints. */
export interface EarningsLike {
  unsettled: readonly UnsettledEpochLike[];
  accrued: Num;
  claimed: Num;
}

/** The fields of a closed `AvailabilityEpoch` settlement reads. */
export interface ClosedEpochLike {
  epoch: Num;
  closed: boolean;
  totalWeight: Num;
  qualifiedPasses: Num;
  deviceRewards: Num;
  keeperRewards: Num;
}

/** The pot and total of `record` that `share` draws on (`AvailabilityEpoch::share`). */
export function epochShareOf(record: ClosedEpochLike, share: EpochShare): [bigint, bigint] {
  return share === "devices"
    ? [big(record.deviceRewards), big(record.totalWeight)]
    : [big(record.keeperRewards), big(record.qualifiedPasses)];
}

/**
 * `Earnings::settle`: every unsettled epoch whose closed record is in `closed` pays
 * `pot x weight / total` (rounded down) into `accrued`; returns the earnings after, what was
 * added and how many epochs settled. Records not closed are ignored here; the program refuses
 * them (`EpochNotClosed`).
 */
export function settleEarnings(
  earnings: EarningsLike,
  closed: readonly ClosedEpochLike[],
  share: EpochShare,
): {
  earnings: { unsettled: { epoch: bigint; weight: bigint }[]; accrued: bigint; claimed: bigint };
  added: bigint;
  settled: number;
} {
  let added = 0n;
  let settled = 0;
  const unsettled = earnings.unsettled.map((entry) => {
    const epoch = big(entry.epoch);
    const weight = big(entry.weight);
    const record = closed.find((r) => r.closed && big(r.epoch) === epoch);
    if (weight === 0n || !record) return { epoch, weight };
    const [pot, total] = epochShareOf(record, share);
    added = u64(added + proRata(pot, weight, total));
    settled += 1;
    return { epoch: 0n, weight: 0n };
  });
  return {
    earnings: {
      unsettled,
      accrued: u64(big(earnings.accrued) + added),
      claimed: big(earnings.claimed),
    },
    added,
    settled,
  };
}

/** IO base units a claim pays with `closed` passed: everything accrued after settling them. */
export function claimableEarnings(
  earnings: EarningsLike,
  closed: readonly ClosedEpochLike[],
  share: EpochShare,
): bigint {
  return settleEarnings(earnings, closed, share).earnings.accrued;
}

/** The epochs of `earnings` still unsettled (to pass their closed records when claiming). */
export function unsettledEpochs(earnings: EarningsLike): bigint[] {
  return earnings.unsettled.filter((e) => big(e.weight) > 0n).map((e) => big(e.epoch));
}

/**
 * How `claim_availability_rewards` splits `amount`: the stake pool's staker share (rounded down)
 * is deposited for its co-stakers when it has active co-stake shares, the rest goes to the owner.
 */
export function splitAvailabilityClaim(
  amount: bigint,
  pool: { stakerShareBps: number; activeShares: Num },
): { toStakers: bigint; toOwner: bigint } {
  const toStakers =
    big(pool.activeShares) > 0n ? (amount * BigInt(pool.stakerShareBps)) / BPS_DENOMINATOR : 0n;
  return { toStakers, toOwner: amount - toStakers };
}

/** The fields of a device's `DeviceAvailability` its failure state reads. */
export interface FailureStateLike {
  reportEpoch: Num;
  quorumReached: boolean;
  firstReportAt: Num;
  lockFailureAt: Num;
}

/**
 * `DeviceAvailability::lock_failure` as of `epoch` (the running one): the first failure since
 * the device was locked (`final`, found down at `at`), a quorum the running epoch may still
 * override (`pending`), or none.
 */
export type LockFailure =
  { kind: "none" } | { kind: "final"; at: bigint } | { kind: "pending"; at: bigint };

export function lockFailure(availability: FailureStateLike, epoch: Num): LockFailure {
  const lockFailureAt = big(availability.lockFailureAt);
  if (lockFailureAt !== 0n) return { kind: "final", at: lockFailureAt };
  if (!availability.quorumReached) return { kind: "none" };
  const at = big(availability.firstReportAt);
  return big(availability.reportEpoch) < big(epoch)
    ? { kind: "final", at }
    : { kind: "pending", at };
}

/** `failing_in`: a failure quorum reached in `epoch` that a pass may still override. */
export function failingIn(availability: FailureStateLike, epoch: Num): boolean {
  return availability.quorumReached && big(availability.reportEpoch) === big(epoch);
}
