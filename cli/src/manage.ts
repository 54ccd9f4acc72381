/**
 * A reservation after `reserve`: `status` (one, or every reservation of the wallet), `extend`
 * (more hours for every running booking, at each booking's fixed price) and `cancel` (the refund
 * shown first; then cancelled, its bookings settled by the renter itself, which gets the settle
 * tips back, the refund claimed and the reservation closed, its rent returned).
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";

import {
  EXTEND_BOOKINGS_PER_TX,
  SETTLE_BOOKINGS_PER_TX,
  bookingHours,
  cancelRefunds,
  cancelReservationIx,
  claimRefundIx,
  closeReservationIx,
  extendBookingsBatches,
  fetchMarketSnapshot,
  fetchReservations,
  paymentDecimals,
  paymentTerms,
  paymentTokenName,
  quoteExtension,
  refundOwed,
  settleBookingsBatches,
} from "@iogrid/sdk";
import type { Booking, BookingEntry, Reservation } from "@iogrid/sdk";

import { intArg, pubkeyArg } from "./args.js";
import {
  chainNow,
  checkFunds,
  checkRenter,
  confirm,
  fetchReservation,
  fittedBatches,
  market,
  openBookings,
  tokenBalance,
} from "./chain.js";
import type { GlobalOptions, WalletContext } from "./context.js";
import { loadWallet, readContext, walletContext } from "./context.js";
import { CliError, EXIT, sendOrFail } from "./errors.js";
import { printJson, progress, table, time, tokenAmount } from "./format.js";
import { loadPlan } from "./plan.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());

function chargesTotal(b: Booking): bigint {
  return big(b.charges.time) + big(b.charges.reservationFee) + big(b.charges.paymentFee);
}

/** What a booking is doing at `now`, in a word. */
function bookingState(b: Booking, r: Reservation, now: bigint): string {
  const started = big(b.startedAt) !== 0n;
  if (big(r.cancelledAt) !== 0n) return "cancelled";
  if (now >= big(b.endsAt)) return "ended";
  if (started) return "running";
  return now > big(b.ackDeadline) ? "no-show" : "starting";
}

/** The fields every view of a reservation prints. */
function reservationSummary(address: PublicKey, r: Reservation, plan: ReturnType<typeof loadPlan>) {
  return {
    reservation: address,
    id: big(r.id),
    token: paymentTokenName(r.paymentToken),
    hours: r.hours,
    createdAt: big(r.createdAt),
    cancelledAt: big(r.cancelledAt),
    lastEndsAt: big(r.lastEndsAt),
    bookingsMade: r.bookingsMade,
    bookingsOpen: r.bookingsOpen,
    devicesAsked: plan?.devices ?? null,
  };
}

function reservationJson(
  address: PublicKey,
  r: Reservation,
  bookings: BookingEntry[],
  now: bigint,
): Record<string, unknown> {
  const l = r.ledger;
  return {
    ...reservationSummary(address, r, loadPlan(address)),
    renter: r.renter,
    paymentMint: r.paymentMint,
    decimals: paymentDecimals(paymentTokenName(r.paymentToken)),
    workload: {
      kind: Object.keys(r.workload.kind)[0],
      image: r.workload.image,
      ports: r.workload.ports,
    },
    ledger: {
      deposited: big(l.deposited),
      escrowOpen: big(l.escrowOpen),
      devicePayouts: big(l.devicePayouts),
      refunds: big(l.refunds),
      refundsClaimed: big(l.refundsClaimed),
      refundOwed: refundOwed(l),
    },
    now,
    devices: bookings.map(({ address: booking, booking: b }) => ({
      device: b.device,
      booking,
      state: bookingState(b, r, now),
      pricePerHour: big(b.pricePerHour),
      hours: bookingHours(b),
      bookedAt: big(b.bookedAt),
      ackDeadline: big(b.ackDeadline),
      startedAt: big(b.startedAt),
      endsAt: big(b.endsAt),
      charges: {
        time: big(b.charges.time),
        reservationFee: big(b.charges.reservationFee),
        paymentFee: big(b.charges.paymentFee),
        tip: big(b.charges.tip),
      },
      total: chargesTotal(b),
    })),
  };
}

/** `iogrid status [R]`. */
export async function status(reservationArg: string | undefined, o: GlobalOptions): Promise<void> {
  const { connection } = readContext(o);
  if (reservationArg === undefined) {
    const renter = loadWallet(o).publicKey;
    const [entries, now] = await Promise.all([
      fetchReservations(connection, { renter }),
      chainNow(connection),
    ]);
    const rows = entries.map(({ address, reservation: r }) => {
      const plan = loadPlan(address);
      return {
        ...reservationSummary(address, r, plan),
        escrowOpen: big(r.ledger.escrowOpen),
        refundOwed: refundOwed(r.ledger),
        state:
          big(r.cancelledAt) !== 0n
            ? "cancelled"
            : r.bookingsMade > 0 && now >= big(r.lastEndsAt)
              ? "ended"
              : plan && r.bookingsMade < plan.devices
                ? "incomplete"
                : r.bookingsOpen > 0
                  ? "active"
                  : "empty",
      };
    });
    if (o.json) return printJson({ renter, now, reservations: rows });
    if (rows.length === 0) {
      console.log(`no reservations for ${renter.toBase58()}`);
      return;
    }
    console.log(
      table(
        ["RESERVATION", "STATE", "DEVICES", "HOURS", "PAY", "ENDS", "ESCROW"],
        rows.map((row) => [
          row.reservation.toBase58(),
          row.state,
          `${row.bookingsOpen}/${row.devicesAsked ?? row.bookingsMade}`,
          String(row.hours),
          row.token.toUpperCase(),
          time(row.lastEndsAt),
          tokenAmount(row.escrowOpen, row.token),
        ]),
      ),
    );
    return;
  }
  const address = pubkeyArg("reservation", reservationArg);
  const r = await fetchReservation(connection, address);
  const [bookings, now] = await Promise.all([
    openBookings(connection, address),
    chainNow(connection),
  ]);
  const json = reservationJson(address, r, bookings, now);
  if (o.json) return printJson(json);
  const pay = paymentTokenName(r.paymentToken);
  console.log(
    `reservation ${address.toBase58()} (id ${r.id.toString()}) of ${r.renter.toBase58()}`,
  );
  console.log(
    `  ${r.workload.image} [${Object.keys(r.workload.kind)[0]}] ports ${r.workload.ports.join(",") || "-"}; ${r.hours} h per device, paid in ${pay.toUpperCase()}`,
  );
  console.log(
    `  created ${time(big(r.createdAt))}${big(r.cancelledAt) !== 0n ? `, cancelled ${time(big(r.cancelledAt))}` : ""}; ${r.bookingsOpen} open of ${r.bookingsMade} booked; in escrow ${tokenAmount(big(r.ledger.escrowOpen), pay)}`,
  );
  if (bookings.length > 0) {
    console.log(
      table(
        ["DEVICE", "STATE", "STARTED", "ENDS", "PAID"],
        bookings.map(({ booking: b }) => [
          b.device.toBase58(),
          bookingState(b, r, now),
          time(big(b.startedAt)),
          time(big(b.endsAt)),
          tokenAmount(chargesTotal(b), pay),
        ]),
      ),
    );
  }
}

/** `iogrid extend R --hours H`. */
export async function extend(
  reservationArg: string,
  o: GlobalOptions & { hours?: string },
): Promise<void> {
  const address = pubkeyArg("reservation", reservationArg);
  if (o.hours === undefined) throw new CliError("--hours: how many hours to add", EXIT.usage);
  const extra = intArg("--hours", o.hours, 1, 365 * 24);
  const ctx = walletContext(o);
  const r = await fetchReservation(ctx.connection, address);
  checkRenter(r, address, ctx.wallet.publicKey);
  if (big(r.cancelledAt) !== 0n) {
    throw new CliError(`ReservationCancelled: ${address.toBase58()} was cancelled`, EXIT.failed);
  }
  const snapshot = await fetchMarketSnapshot(ctx.connection);
  const bookings = (await openBookings(ctx.connection, address)).filter(
    (b) => snapshot.now < big(b.booking.endsAt),
  );
  if (bookings.length === 0) {
    throw new CliError(
      `BookingEnded: reservation ${address.toBase58()} has no running booking to extend`,
      EXIT.failed,
    );
  }
  const max = snapshot.marketConfig.maxReservationHours;
  const longest = Math.max(...bookings.map((b) => bookingHours(b.booking)));
  if (longest + extra > max) {
    throw new CliError(
      `--hours: InvalidHours: a booking may last ${max} hours; ${longest} booked, ${extra} more asked`,
      EXIT.usage,
    );
  }
  const pay = paymentTokenName(r.paymentToken);
  let terms: ReturnType<typeof paymentTerms>;
  try {
    terms = paymentTerms(snapshot.tokenConfig, snapshot.priceFeed, pay, snapshot.now);
  } catch (e) {
    throw new CliError(`PriceUnusable: ${(e as Error).message}`, EXIT.failed);
  }
  const q = quoteExtension(
    bookings.map((b) => b.booking),
    extra,
    terms.rates,
    terms.ioPrice,
  );
  const { account, balance } = await tokenBalance(
    ctx.connection,
    r.paymentMint,
    ctx.wallet.publicKey,
  );
  checkFunds(
    q.total,
    balance,
    (v) => tokenAmount(v, pay),
    `extending ${bookings.length} device${bookings.length === 1 ? "" : "s"} by ${extra} h`,
  );
  if (!o.json) {
    console.log(
      `extend ${bookings.length} device${bookings.length === 1 ? "" : "s"} by ${extra} h: ${tokenAmount(q.total, pay)}`,
    );
  }
  await confirm(`extend by ${extra} h for ${tokenAmount(q.total, pay)}?`, o.yes);
  const totals = new Map(q.devices.map((d) => [d.device.toBase58(), d.total]));
  const ixs = await fittedBatches(ctx.wallet.publicKey, EXTEND_BOOKINGS_PER_TX, (perTx) =>
    extendBookingsBatches(market(), {
      reservation: address,
      renter: ctx.wallet.publicKey,
      paymentSource: account,
      devices: bookings.map((b) => b.booking.device),
      extraHours: extra,
      perTx,
      maxPayment: (batch) => batch.reduce((s, d) => s + totals.get(d.toBase58())!, 0n),
    }),
  );
  const signatures: string[] = [];
  for (const ix of ixs) signatures.push(await sendOrFail(ctx.sender, "extend_bookings", [ix]));
  const after = await openBookings(ctx.connection, address);
  const devices = after.map((b) => ({
    device: b.booking.device,
    endsAt: big(b.booking.endsAt),
    hours: bookingHours(b.booking),
  }));
  if (o.json)
    return printJson({
      reservation: address,
      token: pay,
      extraHours: extra,
      paid: q.total,
      devices,
      signatures,
    });
  console.log(`extended by ${extra} h, paid ${tokenAmount(q.total, pay)}`);
  for (const d of devices)
    console.log(`  device ${d.device.toBase58()}  ends ${time(d.endsAt)} (${d.hours} h)`);
}

/** `iogrid cancel R`. */
export async function cancel(reservationArg: string, o: GlobalOptions): Promise<void> {
  const address = pubkeyArg("reservation", reservationArg);
  const ctx = walletContext(o);
  const r = await fetchReservation(ctx.connection, address);
  checkRenter(r, address, ctx.wallet.publicKey);
  const pay = paymentTokenName(r.paymentToken);
  const bookings = await openBookings(ctx.connection, address);
  const now = await chainNow(ctx.connection);
  const cancelled = big(r.cancelledAt) !== 0n;
  // Nothing booked, or every booking ended: nothing to cancel (the market's ReservationEnded);
  // what is open is settled and the reservation closed all the same.
  const ended = r.bookingsMade === 0 || now >= big(r.lastEndsAt);
  const toCancel = !cancelled && !ended;
  const expected = cancelRefunds(
    bookings.map((b) => b.booking),
    cancelled ? big(r.cancelledAt) : ended ? big(r.lastEndsAt) : now,
  );
  const owedBefore = refundOwed(r.ledger) ?? 0n;
  if (!o.json) {
    for (const d of expected.devices) {
      console.log(
        `  device ${d.device.toBase58()}  ${d.outcome}, ${d.deliveredSecs} s paid, refund ${tokenAmount(d.refund, pay)}`,
      );
    }
    console.log(
      `${toCancel ? "cancelling now" : cancelled ? "already cancelled" : "nothing left to cancel"}: refunds ${tokenAmount(expected.refund + owedBefore, pay)} and returns the settle tips ${tokenAmount(expected.tips, pay)} (reservation and payment fees are kept)`,
    );
  }
  if (toCancel) {
    await confirm(`cancel ${address.toBase58()}?`, o.yes);
  }
  const { account, balance: before } = await tokenBalance(
    ctx.connection,
    r.paymentMint,
    ctx.wallet.publicKey,
  );
  const signatures: string[] = [];
  if (toCancel) {
    signatures.push(
      await sendOrFail(ctx.sender, "cancel_reservation", [
        await cancelReservationIx(market(), { reservation: address, renter: ctx.wallet.publicKey }),
      ]),
    );
    progress(`reservation ${address.toBase58()}: cancelled`);
  }
  signatures.push(...(await settleAndClose(ctx, address, r, bookings, account)));
  const { balance: afterBalance } = await tokenBalance(
    ctx.connection,
    r.paymentMint,
    ctx.wallet.publicKey,
  );
  const received = afterBalance - before;
  const closed = !(await ctx.connection.getAccountInfo(address, "confirmed"));
  const result = {
    reservation: address,
    token: pay,
    expected: { refund: expected.refund + owedBefore, tips: expected.tips },
    received,
    closed,
    signatures,
  };
  if (o.json) return printJson(result);
  console.log(
    `received ${tokenAmount(received, pay)} into ${account.toBase58()}${closed ? "; reservation closed" : ""}`,
  );
}

/** Settles every open booking (the renter as settler), claims the refunds, closes. */
async function settleAndClose(
  ctx: WalletContext,
  address: PublicKey,
  r: Reservation,
  bookings: BookingEntry[],
  tipAccount: PublicKey,
): Promise<string[]> {
  const signatures: string[] = [];
  const renter = ctx.wallet.publicKey;
  if (bookings.length > 0) {
    const owners = [...new Set(bookings.map((b) => b.booking.owner.toBase58()))].map(
      (o) => bookings.find((b) => b.booking.owner.toBase58() === o)!.booking.owner,
    );
    const payees = owners.map((owner) => getAssociatedTokenAddressSync(r.paymentMint, owner, true));
    const infos = await ctx.connection.getMultipleAccountsInfo(payees, "confirmed");
    const create = payees.flatMap((payee, i) =>
      infos[i]
        ? []
        : [
            createAssociatedTokenAccountIdempotentInstruction(
              renter,
              payee,
              owners[i]!,
              r.paymentMint,
            ),
          ],
    );
    for (let i = 0; i < create.length; i += 4) {
      signatures.push(
        await sendOrFail(ctx.sender, "create payee accounts", create.slice(i, i + 4)),
      );
    }
    const ixs = await fittedBatches(renter, SETTLE_BOOKINGS_PER_TX, (perTx) =>
      settleBookingsBatches(market(), {
        reservation: address,
        settler: renter,
        tipAccount,
        renter,
        paymentMint: r.paymentMint,
        bookings: bookings.map((b) => ({ device: b.booking.device, owner: b.booking.owner })),
        perTx,
      }),
    );
    for (const ix of ixs) signatures.push(await sendOrFail(ctx.sender, "settle_bookings", [ix]));
    progress(`${bookings.length} booking${bookings.length === 1 ? "" : "s"} settled`);
  }
  const now = await fetchReservation(ctx.connection, address);
  if ((refundOwed(now.ledger) ?? 0n) > 0n) {
    signatures.push(
      await sendOrFail(ctx.sender, "claim_refund", [
        await claimRefundIx(market(), { reservation: address, renter, paymentMint: r.paymentMint }),
      ]),
    );
    progress("refund claimed");
  }
  if (now.bookingsOpen === 0) {
    signatures.push(
      await sendOrFail(ctx.sender, "close_reservation", [
        await closeReservationIx(market(), {
          reservation: address,
          renter,
          paymentMint: r.paymentMint,
        }),
      ]),
    );
    progress("reservation closed, its rent returned");
  }
  return signatures;
}
