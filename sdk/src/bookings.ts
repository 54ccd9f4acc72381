/**
 * A device's bookings as its agent and the tunnel relay read them: the `Booking` account layout
 * for `memcmp` filters, fetching every booking of a device (or of a reservation), and the pure
 * decision of what a booking asks of the device's agent at a given chain time (start and
 * acknowledge, keep running, or stop), including whether the renter's payment sits in escrow.
 * Browser-safe.
 */
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";
import type { Commitment, Connection, GetProgramAccountsFilter } from "@solana/web3.js";

import { MARKET_PROGRAM_ID } from "./constants.js";
import { toBigInt } from "./ints.js";
import { decodeBooking, decodeReservation, marketCoder } from "./market.js";
import type { Booking, Reservation } from "./market.js";
import { chargesTotal, ending, failedAt, failurePending, splitTime } from "./market/math.js";
import type { BookingEnding } from "./market/math.js";
import { bookingPda } from "./pda.js";
import { decodeDevice } from "./registry.js";
import { lockFailure } from "./registry/availability.js";
import type { Device } from "./registry.js";

/**
 * Byte offsets of a `Booking` account (`programs/market/src/state/booking.rs`): 8-byte anchor
 * discriminator, then the Borsh fields in order.
 */
export const BOOKING_LAYOUT = (() => {
  const reservation = 8;
  const device = reservation + 32;
  const owner = device + 32;
  const stakePool = owner + 32;
  const pricePerHour = stakePool + 32;
  const bookedAt = pricePerHour + 8;
  const ackDeadline = bookedAt + 8;
  const endsAt = ackDeadline + 8;
  const startedAt = endsAt + 8;
  const charges = startedAt + 8;
  const bump = charges + 4 * 8;
  return {
    discriminator: 0,
    reservation,
    device,
    owner,
    stakePool,
    pricePerHour,
    bookedAt,
    ackDeadline,
    endsAt,
    startedAt,
    charges,
    bump,
  } as const;
})();

/** Bytes of every `Booking` account (8 + `Booking::INIT_SPACE`). */
export const BOOKING_ACCOUNT_SIZE = BOOKING_LAYOUT.bump + 1;

/** `memcmp` filter: accounts with the `Booking` discriminator. */
export function bookingDiscriminatorFilter(): GetProgramAccountsFilter {
  const { offset, bytes } = marketCoder().accounts.memcmp("booking") as {
    offset: number;
    bytes: string;
  };
  return { memcmp: { offset, bytes } };
}

/** `memcmp` filter: bookings of `device`. */
export function bookingDeviceFilter(device: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: BOOKING_LAYOUT.device, bytes: device.toBase58() } };
}

/** `memcmp` filter: bookings of `reservation`. */
export function bookingReservationFilter(reservation: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: BOOKING_LAYOUT.reservation, bytes: reservation.toBase58() } };
}

/** `memcmp` filter: accounts with the `Reservation` discriminator. */
export function reservationDiscriminatorFilter(): GetProgramAccountsFilter {
  const { offset, bytes } = marketCoder().accounts.memcmp("reservation") as {
    offset: number;
    bytes: string;
  };
  return { memcmp: { offset, bytes } };
}

/** `memcmp` filter: reservations of `renter` (the first field, after the discriminator). */
export function reservationRenterFilter(renter: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: 8, bytes: renter.toBase58() } };
}

/** A reservation with its address. */
export interface ReservationEntry {
  address: PublicKey;
  reservation: Reservation;
}

/** Every reservation on the market (or only `renter`'s), oldest first. */
export async function fetchReservations(
  connection: Connection,
  options: { renter?: PublicKey; commitment?: Commitment; programId?: PublicKey } = {},
): Promise<ReservationEntry[]> {
  const filters = [reservationDiscriminatorFilter()];
  if (options.renter) filters.push(reservationRenterFilter(options.renter));
  const accounts = await connection.getProgramAccounts(options.programId ?? MARKET_PROGRAM_ID, {
    commitment: options.commitment ?? "confirmed",
    filters,
  });
  return accounts
    .map(({ pubkey, account }) => ({
      address: pubkey,
      reservation: decodeReservation(account.data),
    }))
    .sort((a, b) => Number(toBigInt(a.reservation.createdAt) - toBigInt(b.reservation.createdAt)));
}

/** A booking with its address. */
export interface BookingEntry {
  address: PublicKey;
  booking: Booking;
}

async function fetchBookings(
  connection: Connection,
  filters: GetProgramAccountsFilter[],
  commitment: Commitment,
  programId: PublicKey,
): Promise<BookingEntry[]> {
  const accounts = await connection.getProgramAccounts(programId, {
    commitment,
    filters: [{ dataSize: BOOKING_ACCOUNT_SIZE }, bookingDiscriminatorFilter(), ...filters],
  });
  return accounts
    .map(({ pubkey, account }) => ({ address: pubkey, booking: decodeBooking(account.data) }))
    .sort((a, b) => Number(toBigInt(a.booking.bookedAt) - toBigInt(b.booking.bookedAt)));
}

/** Every open (not yet settled) booking of `device`, oldest first. */
export function fetchDeviceBookings(
  connection: Connection,
  device: PublicKey,
  commitment: Commitment = "confirmed",
  programId: PublicKey = MARKET_PROGRAM_ID,
): Promise<BookingEntry[]> {
  return fetchBookings(connection, [bookingDeviceFilter(device)], commitment, programId);
}

/** Every open (not yet settled) booking on the market, oldest first. */
export function fetchOpenBookings(
  connection: Connection,
  commitment: Commitment = "confirmed",
  programId: PublicKey = MARKET_PROGRAM_ID,
): Promise<BookingEntry[]> {
  return fetchBookings(connection, [], commitment, programId);
}

/** Every open booking of `reservation`, oldest first (ties by device address). */
export async function fetchReservationBookings(
  connection: Connection,
  reservation: PublicKey,
  commitment: Commitment = "confirmed",
  programId: PublicKey = MARKET_PROGRAM_ID,
): Promise<BookingEntry[]> {
  const entries = await fetchBookings(
    connection,
    [bookingReservationFilter(reservation)],
    commitment,
    programId,
  );
  return entries.sort((a, b) => {
    const at = toBigInt(a.booking.bookedAt) - toBigInt(b.booking.bookedAt);
    if (at !== 0n) return at < 0n ? -1 : 1;
    return a.booking.device.toBase58() < b.booking.device.toBase58() ? -1 : 1;
  });
}

/**
 * The first device of a reservation's bookings (earliest booked, then lowest device address):
 * where a multi-device workload (a Ray cluster) puts its head.
 */
export function firstBookedDevice(bookings: readonly BookingEntry[]): PublicKey | undefined {
  const sorted = [...bookings].sort((a, b) => {
    const at = toBigInt(a.booking.bookedAt) - toBigInt(b.booking.bookedAt);
    if (at !== 0n) return at < 0n ? -1 : 1;
    return a.booking.device.toBase58() < b.booking.device.toBase58() ? -1 : 1;
  });
  return sorted[0]?.booking.device;
}

/** The chain's `Clock::unix_timestamp` from the clock sysvar's data. */
export function clockUnixTimestamp(clockData: Uint8Array): bigint {
  const view = new DataView(clockData.buffer, clockData.byteOffset, clockData.byteLength);
  return view.getBigInt64(32, true);
}

/**
 * What a booking asks of its device's agent:
 * - `start`: run the workload, then acknowledge the start before `ackDeadline`;
 * - `run`: acknowledged and not ended: keep (or bring back) the workload running;
 * - `stop`: nothing may run for it any more (`reason` says why).
 */
export type BookingAction =
  | { action: "start"; ackDeadline: bigint; endsAt: bigint }
  | { action: "run"; endsAt: bigint }
  | { action: "stop"; reason: BookingStopReason };

export type BookingStopReason =
  | "settled"
  | "reservationClosed"
  | "cancelled"
  | "ended"
  | "startDeadlinePassed"
  | "deviceReleased"
  | "notThisDevice"
  | "notEscrowed";

/** What `bookingAction` reads: each account decoded, or null when it does not exist. */
export interface BookingView {
  /** The device the agent serves (its account address). */
  device: PublicKey;
  booking: Booking | null;
  reservation: Reservation | null;
  deviceAccount: Device | null;
  /** Base units the reservation's vault holds, when known. */
  vaultBalance?: bigint;
  /** The chain's clock. */
  now: bigint;
}

/**
 * The action a booking asks for at chain time `now`. A workload runs only for a booking of this
 * device, locked to its reservation, not cancelled, not ended, whose charges the reservation's
 * escrow still holds (its ledger's open escrow and, when given, the vault's balance cover them).
 */
export function bookingAction(view: BookingView): BookingAction {
  const { booking, reservation, deviceAccount, now } = view;
  if (!booking) return { action: "stop", reason: "settled" };
  if (!booking.device.equals(view.device)) return { action: "stop", reason: "notThisDevice" };
  if (!reservation) return { action: "stop", reason: "reservationClosed" };
  if (toBigInt(reservation.cancelledAt) !== 0n) return { action: "stop", reason: "cancelled" };
  if (!deviceAccount || !deviceAccount.reservation.equals(booking.reservation)) {
    return { action: "stop", reason: "deviceReleased" };
  }
  const endsAt = toBigInt(booking.endsAt);
  if (now >= endsAt) return { action: "stop", reason: "ended" };
  const total = chargesTotal({
    time: toBigInt(booking.charges.time),
    reservationFee: toBigInt(booking.charges.reservationFee),
    paymentFee: toBigInt(booking.charges.paymentFee),
    tip: toBigInt(booking.charges.tip),
  });
  const escrowOpen = toBigInt(reservation.ledger.escrowOpen);
  if (
    total === 0n ||
    escrowOpen < total ||
    (view.vaultBalance !== undefined && view.vaultBalance < total)
  ) {
    return { action: "stop", reason: "notEscrowed" };
  }
  if (toBigInt(booking.startedAt) !== 0n) return { action: "run", endsAt };
  const ackDeadline = toBigInt(booking.ackDeadline);
  if (now > ackDeadline) return { action: "stop", reason: "startDeadlinePassed" };
  return { action: "start", ackDeadline, endsAt };
}

/** The accounts `bookingAction` needs for `device` in `reservation`, in one request. */
export async function fetchBookingView(
  connection: Connection,
  params: { device: PublicKey; reservation: PublicKey; vault?: PublicKey },
  commitment: Commitment = "confirmed",
  programId: PublicKey = MARKET_PROGRAM_ID,
): Promise<BookingView> {
  const booking = bookingPda(params.reservation, params.device, programId).address;
  const keys = [booking, params.reservation, params.device, SYSVAR_CLOCK_PUBKEY];
  if (params.vault) keys.push(params.vault);
  const infos = await connection.getMultipleAccountsInfo(keys, commitment);
  const [b, r, d, clock, vault] = infos;
  if (!clock) throw new Error("the chain returned no clock sysvar");
  let vaultBalance: bigint | undefined;
  if (params.vault) {
    // An SPL token account's amount: u64 LE at byte 64.
    vaultBalance =
      vault && vault.data.length >= 72
        ? new DataView(
            vault.data.buffer,
            vault.data.byteOffset,
            vault.data.byteLength,
          ).getBigUint64(64, true)
        : 0n;
  }
  return {
    device: params.device,
    booking: b && b.owner.equals(programId) ? decodeBooking(b.data) : null,
    reservation: r && r.owner.equals(programId) ? decodeReservation(r.data) : null,
    deviceAccount: d && d.data.length > 8 ? safeDecodeDevice(d.data) : null,
    vaultBalance,
    now: clockUnixTimestamp(clock.data),
  };
}

function safeDecodeDevice(data: Uint8Array): Device | null {
  try {
    return decodeDevice(data);
  } catch {
    return null;
  }
}

/**
 * How `booking` settles at chain time `now` in availability epoch `epoch` (the running one), as
 * `settle_bookings` decides it: its ending, `"failurePending"` while a provisional failure quorum
 * of the device may still become the booking's failure (the program's `FailurePending`), or
 * null while it may not settle yet (`ReservationNotEnded`).
 */
export function settlementAt(params: {
  booking: Booking;
  reservation: Reservation;
  device: Device;
  now: bigint;
  epoch: bigint;
}): BookingEnding | "failurePending" | null {
  const { booking } = params;
  const failure = lockFailure(params.device.availability, params.epoch);
  if (failurePending(booking, failure)) return "failurePending";
  const cancelledAt = toBigInt(params.reservation.cancelledAt);
  return ending(
    booking,
    params.now,
    cancelledAt === 0n ? null : cancelledAt,
    failedAt(booking, failure),
  );
}

/** What settling one booking gives back (`settle_bookings`' split), in payment-token base units. */
export interface BookingReturn {
  booking: PublicKey;
  device: PublicKey;
  /** How it settles, or `"failurePending"` while settlement would refuse it. */
  ending: BookingEnding | "failurePending" | null;
  /** The undelivered part of its time charge, owed to the renter (0 unless it settles). */
  refund: bigint;
  /** Its settlement tip, paid to whoever settles it (0 unless it settles). */
  tip: bigint;
}

/**
 * What the renter gets back by cancelling `reservation` at chain time `now` (or, already
 * cancelled, at its cancellation) and settling every open booking at once, as
 * `cancel_reservation` then `settle_bookings` decide it: per booking the refund of its
 * undelivered time (started devices are paid up to the later of now and one hour after their
 * booking: the first hour is not refundable; fees are not refunded) and its tip, which goes to
 * the settler (the renter, when it settles its own bookings). `devices` holds each booking's
 * device account by address; `epoch` is the running availability epoch.
 */
export function cancellationReturns(params: {
  reservation: Reservation;
  bookings: readonly BookingEntry[];
  devices: ReadonlyMap<string, Device>;
  now: bigint;
  epoch: bigint;
}): { bookings: BookingReturn[]; refund: bigint; tips: bigint } {
  const cancelledAt =
    toBigInt(params.reservation.cancelledAt) === 0n ? params.now : params.reservation.cancelledAt;
  const reservation = { ...params.reservation, cancelledAt } as Reservation;
  const bookings = params.bookings.map(({ address, booking }): BookingReturn => {
    const device = params.devices.get(booking.device.toBase58());
    if (!device) throw new Error(`no device account for booking ${address.toBase58()}`);
    const end = settlementAt({
      booking,
      reservation,
      device,
      now: params.now,
      epoch: params.epoch,
    });
    if (end === null || end === "failurePending") {
      return { booking: address, device: booking.device, ending: end, refund: 0n, tip: 0n };
    }
    const bookedSecs = toBigInt(booking.endsAt) - toBigInt(booking.bookedAt);
    const { refund } = splitTime(
      toBigInt(booking.charges.time),
      end.deliveredSecs,
      bookedSecs,
      0,
      0,
    );
    return {
      booking: address,
      device: booking.device,
      ending: end,
      refund,
      tip: toBigInt(booking.charges.tip),
    };
  });
  return {
    bookings,
    refund: bookings.reduce((sum, b) => sum + b.refund, 0n),
    tips: bookings.reduce((sum, b) => sum + b.tip, 0n),
  };
}
