/**
 * The market's quote and settlement arithmetic in BigInt, mirrored from
 * `programs/market/src/math.rs`: a booking's charges (`quote`), how a booking ends and the time
 * it delivered (`ending`, `failedAt`), and where its time charge goes (`splitTime`). Rounds and
 * fails where the Rust does (where the Rust returns `Err`, this throws `MarketMathError` carrying
 * the market error's name). Checked against `sdk/test-vectors/market-quote.json` by
 * `tests/market-math.test.ts`. Browser-safe.
 *
 * Units: prices are IOSD base units per device-hour (1e6 = 1 USD); charges are base units of the
 * payment token (IOSD and USDC 1:1, IO converted at a price with 8 decimals, rounded up); fee
 * rates basis points; times unix seconds.
 */
import { checkedMath, I64_MAX, U64_MAX, toBigInt } from "../ints.js";
import { IOSD_PER_IO_PRICE_DIVISOR, ioForIosd } from "../iotoken/math.js";
import type { LockFailure } from "../registry/availability.js";

/** Seconds in an hour of booking. */
export const SECS_PER_HOUR = 3_600n;
/** Devices one `book_devices`, `extend_bookings` or `settle_bookings` carries at most. */
export const MAX_BATCH_DEVICES = 16;
/**
 * Most of a booking's reservation fee its settlement tip may take (basis points): half, so a
 * renter settling its own bookings still pays the other half.
 */
export const MAX_TIP_SHARE_BPS = 5_000n;
/**
 * What a fault (no-show, failure quorum) slashes: this share (basis points) of the booking's
 * undelivered value in IO, within staking's window and the pool.
 */
export const FAULT_SLASH_BPS = 10_000n;
/**
 * Least delivered time charge (IOSD base units, at the booked price) for a completed booking to
 * count toward the device's reputation: 5 USD.
 */
export const MIN_CREDITED_COMPLETION = 5_000_000n;
/** The shortest booking: one hour. */
export const MIN_BOOKING_SECS = SECS_PER_HOUR;
/** Longest start-acknowledgement grace period the market accepts: half the shortest booking. */
export const MAX_ACK_GRACE_SECS = MIN_BOOKING_SECS / 2n;
/** Longest reservation the market's config may allow, in hours: 365 days. */
export const MAX_RESERVATION_HOURS_LIMIT = 365 * 24;
/**
 * How long a reservation must have been idle (past its creation and its latest booking's end)
 * before anyone, not only its renter, may claim its refunds into the renter's associated token
 * account and close it, the rent going to the renter: 7 days.
 */
export const PUBLIC_CLOSE_DELAY_SECS = 7n * 24n * SECS_PER_HOUR;

/** Unix seconds from which anyone may claim a reservation's refunds for its renter and close it. */
export function publicCloseAt(reservation: {
  createdAt: bigint | number | { toString(): string };
  lastEndsAt: bigint | number | { toString(): string };
}): bigint {
  const createdAt = toBigInt(reservation.createdAt);
  const lastEndsAt = toBigInt(reservation.lastEndsAt);
  return (createdAt > lastEndsAt ? createdAt : lastEndsAt) + PUBLIC_CLOSE_DELAY_SECS;
}

/** An error the Rust returns as `MarketError::<errorName>`. */
export class MarketMathError extends Error {
  constructor(readonly errorName: string) {
    super(`market math: ${errorName}`);
    this.name = "MarketMathError";
  }
}

function fail(name: string): never {
  throw new MarketMathError(name);
}

const { u64, bpsOf, bpsCeil, mulDivFloor } = checkedMath(fail);

/** What a booking is charged, in payment-token base units (the `BookingCharges` account type). */
export interface BookingChargesLike {
  time: bigint;
  reservationFee: bigint;
  paymentFee: bigint;
  tip: bigint;
}

/** Fee rates a quote is made with (iotoken's `FeeParams` for the payment token). */
export interface QuoteRates {
  reservationFeeBps: bigint | number;
  paymentFeeBps: bigint | number;
  /** IOSD base units of the settlement tip. */
  settleTip: bigint;
}

/**
 * How USD amounts become payment-token amounts: `null` for par (IOSD, USDC), else the IO
 * price (USD per IO, 8 decimals) converted at, rounded up.
 */
export type IoPrice = bigint | null;

/** `usd` in the payment token. */
export function toToken(usd: bigint, ioPrice: IoPrice): bigint {
  if (ioPrice === null) return u64(usd);
  try {
    return ioForIosd(usd, ioPrice);
  } catch {
    return fail("MathOverflow");
  }
}

/** IOSD base units per device-hour: price per GPU-hour x GPU count. */
export function deviceHourPrice(pricePerGpuHour: bigint, gpuCount: number | bigint): bigint {
  return u64(pricePerGpuHour * BigInt(gpuCount));
}

/**
 * The charges for `hours` of a device at `pricePerHour` (IOSD base units per device-hour):
 * time = price x hours; reservation fee = time x rate (up); payment fee = (time + reservation
 * fee) x rate (up); each converted to the payment token (up); the tip is the converted settle
 * tip, at most half the reservation fee (down).
 */
export function quote(
  pricePerHour: bigint,
  hours: bigint | number,
  rates: QuoteRates,
  ioPrice: IoPrice,
): BookingChargesLike {
  const conversion = ioPrice;
  const timeUsd = u64(pricePerHour * BigInt(hours));
  const reservationFeeUsd = bpsCeil(timeUsd, rates.reservationFeeBps);
  const paymentFeeUsd = bpsCeil(u64(timeUsd + reservationFeeUsd), rates.paymentFeeBps);
  const reservationFee = toToken(reservationFeeUsd, conversion);
  const tip = toToken(rates.settleTip, conversion);
  const tipCap = bpsOf(reservationFee, MAX_TIP_SHARE_BPS);
  return {
    time: toToken(timeUsd, conversion),
    reservationFee,
    paymentFee: toToken(paymentFeeUsd, conversion),
    tip: tip < tipCap ? tip : tipCap,
  };
}

/** Everything the renter pays for `charges`. */
export function chargesTotal(charges: BookingChargesLike): bigint {
  return u64(charges.time + charges.reservationFee + charges.paymentFee);
}

/** `charges` with an extension's `extra` added; the tip stays (a booking settles once). */
export function addCharges(
  charges: BookingChargesLike,
  extra: BookingChargesLike,
): BookingChargesLike {
  return {
    time: u64(charges.time + extra.time),
    reservationFee: u64(charges.reservationFee + extra.reservationFee),
    paymentFee: u64(charges.paymentFee + extra.paymentFee),
    tip: charges.tip,
  };
}

/** The times that decide a booking's settlement (a decoded `Booking` has them all). */
export interface BookingTimesLike {
  bookedAt: bigint | number | { toString(): string };
  ackDeadline: bigint | number | { toString(): string };
  endsAt: bigint | number | { toString(): string };
  /** 0 if the agent never acknowledged. */
  startedAt: bigint | number | { toString(): string };
}

interface BookingTimes {
  bookedAt: bigint;
  ackDeadline: bigint;
  endsAt: bigint;
  startedAt: bigint;
}

function timesOf(t: BookingTimesLike): BookingTimes {
  return {
    bookedAt: toBigInt(t.bookedAt),
    ackDeadline: toBigInt(t.ackDeadline),
    endsAt: toBigInt(t.endsAt),
    startedAt: toBigInt(t.startedAt),
  };
}

/**
 * When a keeper failure quorum cut the booking short: the device's first failure since it was
 * locked (`lockFailure`'s `final`, found down at its first report) if that came before the
 * booking's end, no earlier than the booking; else `null`. A `pending` quorum is no failure yet.
 */
export function failedAt(booking: BookingTimesLike, failure: LockFailure): bigint | null {
  if (failure.kind !== "final") return null;
  const t = timesOf(booking);
  if (failure.at >= t.endsAt) return null;
  return failure.at > t.bookedAt ? failure.at : t.bookedAt;
}

/**
 * Whether a provisional quorum may still become this booking's failure (`failure_pending`):
 * the booking then neither extends nor settles until its epoch ends (`FailurePending`).
 */
export function failurePending(booking: BookingTimesLike, failure: LockFailure): boolean {
  return failure.kind === "pending" && failure.at < timesOf(booking).endsAt;
}

/** How a booking ended, by its `ReservationOutcome` name (as `ending` decides it). */
export type BookingOutcomeName = "completed" | "cancelled" | "failed" | "noShow";
/** What the market reports to the registry: an ending, or a completion it does not credit. */
export type ReportedOutcomeName = BookingOutcomeName | "completedUncredited";

export interface BookingEnding {
  outcome: BookingOutcomeName;
  /** Seconds of device time the renter pays for. */
  deliveredSecs: bigint;
}

/** Seconds from `from` to `to`, 0 if `to` is not after `from` (`secs_between`). */
export function secsBetween(from: bigint, to: bigint): bigint {
  return to > from ? to - from : 0n;
}

/**
 * How the booking settles at `now`, or `null` while it may not settle yet (the program's
 * `ReservationNotEnded`). Never started: cancelled by the start deadline -> cancelled; else,
 * once the deadline passed, a failure quorum or a later cancellation -> noShow. Started: a
 * failure ends it at `failedAt` -> failed; a cancellation at the later of the cancellation and
 * one hour after booking -> cancelled, whichever comes first; else completed at the end. A
 * cancellation at or after the booking's end changes nothing. In
 * any order of the times, the delivered time is never negative nor longer than from the start to
 * the end.
 */
export function ending(
  booking: BookingTimesLike,
  now: bigint,
  cancelledAt: bigint | null,
  failedAtTime: bigint | null,
): BookingEnding | null {
  const t = timesOf(booking);
  // A cancellation at or after the booking's end comes too late to change it.
  const cancelled = cancelledAt !== null && cancelledAt < t.endsAt ? cancelledAt : null;
  if (t.startedAt === 0n) {
    if (cancelled !== null && cancelled <= t.ackDeadline) {
      return { outcome: "cancelled", deliveredSecs: 0n };
    }
    if (now > t.ackDeadline || failedAtTime !== null || cancelled !== null) {
      return { outcome: "noShow", deliveredSecs: 0n };
    }
    return null;
  }
  // Into [startedAt, endsAt]; at the start when the start is not before the end.
  const within = (at: bigint): bigint => {
    const capped = at < t.endsAt ? at : t.endsAt;
    return capped > t.startedAt ? capped : t.startedAt;
  };
  const failureStop = failedAtTime === null ? null : within(failedAtTime);
  let cancelStop: bigint | null = null;
  if (cancelled !== null) {
    const firstHour = t.bookedAt + SECS_PER_HOUR > I64_MAX ? I64_MAX : t.bookedAt + SECS_PER_HOUR;
    cancelStop = within(cancelled > firstHour ? cancelled : firstHour);
  }
  let outcome: BookingOutcomeName;
  let stop: bigint;
  if (failureStop !== null && cancelStop !== null && cancelStop < failureStop) {
    [outcome, stop] = ["cancelled", cancelStop];
  } else if (failureStop !== null) {
    [outcome, stop] = ["failed", failureStop];
  } else if (cancelStop !== null) {
    [outcome, stop] = ["cancelled", cancelStop];
  } else if (now >= t.endsAt) {
    [outcome, stop] = ["completed", within(t.endsAt)];
  } else {
    return null;
  }
  return { outcome, deliveredSecs: secsBetween(t.startedAt, stop) };
}

/** Where a booking's time charge goes. */
export interface TimeSplit {
  /** The delivered share of the time charge (`time x delivered / booked`, down). */
  gross: bigint;
  /** Of `gross`, to the treasury (up). */
  networkFee: bigint;
  /** Of `gross - networkFee`, to the device's co-stakers (down; IO payments only). */
  stakerShare: bigint;
  /** The rest of `gross`, to the device's owner. */
  ownerPay: bigint;
  /** `time - gross`, back to the renter. */
  refund: bigint;
}

export function splitTime(
  time: bigint,
  deliveredSecs: bigint,
  bookedSecs: bigint,
  networkFeeBps: bigint | number,
  stakerShareBps: bigint | number,
): TimeSplit {
  const delivered = deliveredSecs < bookedSecs ? deliveredSecs : bookedSecs;
  const gross = mulDivFloor(time, delivered, bookedSecs);
  const networkFee = bpsCeil(gross, networkFeeBps);
  const net = u64(gross - networkFee);
  const stakerShare = bpsOf(net, stakerShareBps);
  return {
    gross,
    networkFee,
    stakerShare,
    ownerPay: u64(net - stakerShare),
    refund: u64(time - gross),
  };
}

const saturate = (value: bigint): bigint => (value > U64_MAX ? U64_MAX : value);

/**
 * What a faulty booking's undelivered time (its `refund`, in the payment token) is worth in IO
 * base units, the basis of its slash (`undelivered_io`): for IO payments the refund itself; for
 * IOSD and USDC at `ioPrice` (USD per IO, 8 decimals: iotoken's conservative price at the
 * settlement), rounded down, saturating; `null` without a usable price (nothing is slashed).
 */
export function undeliveredIo(
  refund: bigint,
  paidInIo: boolean,
  ioPrice: bigint | null,
): bigint | null {
  if (paidInIo) return refund;
  if (ioPrice === null || ioPrice <= 0n) return null;
  return saturate((refund * IOSD_PER_IO_PRICE_DIVISOR) / ioPrice);
}

/**
 * IO base units a fault worth `undeliveredIoValue` is slashed (`fault_slash`): `FAULT_SLASH_BPS`
 * of it (down), at most what staking's window still allows (`windowRemaining`) and the pool's
 * stake; 0 without a basis.
 */
export function faultSlash(
  undeliveredIoValue: bigint | null,
  windowRemaining: bigint,
  totalStake: bigint,
): bigint {
  if (undeliveredIoValue === null) return 0n;
  let amount = saturate((undeliveredIoValue * FAULT_SLASH_BPS) / 10_000n);
  if (amount > windowRemaining) amount = windowRemaining;
  return amount > totalStake ? totalStake : amount;
}

/**
 * The delivered time's value in IOSD base units at the booked price (`delivered_value`):
 * `pricePerHour x min(delivered, booked) / 3600`, rounded down.
 */
export function deliveredValue(
  pricePerHour: bigint,
  deliveredSecs: bigint,
  bookedSecs: bigint,
): bigint {
  return mulDivFloor(
    pricePerHour,
    deliveredSecs < bookedSecs ? deliveredSecs : bookedSecs,
    SECS_PER_HOUR,
  );
}

/**
 * The outcome the market reports to the registry for a booking that ended `outcome`
 * (`reported_outcome`): a completion counts toward the device's reputation only when its
 * delivered time was worth at least `MIN_CREDITED_COMPLETION` and the renter is neither the
 * device's owner nor its agent key; otherwise `completedUncredited`.
 */
export function reportedOutcome(
  outcome: BookingOutcomeName,
  deliveredValueIosd: bigint,
  renterIsDevice: boolean,
): ReportedOutcomeName {
  if (outcome === "completed" && (renterIsDevice || deliveredValueIosd < MIN_CREDITED_COMPLETION)) {
    return "completedUncredited";
  }
  return outcome;
}
