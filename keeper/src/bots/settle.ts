/**
 * The `settle` bot: finds every open booking the market lets anyone settle now (ended, cut short
 * by a keeper failure quorum, cancelled, or never acknowledged by the start deadline: a no-show,
 * which releases the device) and settles them, a reservation's bookings packed into as few
 * `settle_bookings` transactions as fit. The owners' token accounts in the payment mint are
 * created first when missing (the program pays only into them), and the tips go to this keeper's
 * account in that mint. Another keeper settling first is `AlreadySettled`: a no-op.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import type { TransactionInstruction } from "@solana/web3.js";

import {
  MAX_BATCH_DEVICES,
  availabilityEpochAt,
  decodeDevice,
  decodeReservation,
  fetchOpenBookings,
  marketProgram,
  settleBookingsIx,
  settlementAt,
} from "@iogrid/sdk";
import type { BookingEntry, Device, Market, Reservation } from "@iogrid/sdk";
import { fitsTransaction } from "@iogrid/sdk/node";
import type { Program } from "@coral-xyz/anchor";

import type { Bot, BotHealth, TickSummary } from "../bot.js";
import type { KeeperContext } from "../context.js";

/** Most associated token accounts created in one transaction. */
const ATA_CREATES_PER_TX = 4;

/** Bookings of one reservation that settle now. */
interface DueReservation {
  reservation: PublicKey;
  account: Reservation;
  bookings: { entry: BookingEntry; device: Device }[];
}

export class SettleBot implements Bot {
  readonly name = "settle" as const;
  readonly intervalMs: number;
  private readonly market: Program<Market> = marketProgram();

  constructor(private readonly ctx: KeeperContext) {
    this.intervalMs = ctx.config.settle.intervalMs;
  }

  async init(): Promise<void> {}

  health(): BotHealth {
    return { ok: true };
  }

  async tick(): Promise<TickSummary> {
    const due = await this.due();
    const backlog = due.reduce((n, r) => n + r.bookings.length, 0);
    this.ctx.metrics.settleBacklog.set(backlog);
    let settled = 0;
    for (const reservation of due) settled += await this.settle(reservation);
    return { due: backlog, reservations: due.length, settled };
  }

  /** Open bookings that settle now, by reservation, oldest first. */
  private async due(): Promise<DueReservation[]> {
    const ctx = this.ctx;
    const { now, config } = await ctx.chainNow();
    const origin = BigInt(config.epochOrigin.toString());
    const epoch = now >= origin ? availabilityEpochAt(origin, now) : 0n;
    const open = await fetchOpenBookings(ctx.connection, ctx.commitment);
    if (open.length === 0) return [];
    const keys = [
      ...new Set(
        open.flatMap((e) => [e.booking.reservation.toBase58(), e.booking.device.toBase58()]),
      ),
    ].map((k) => new PublicKey(k));
    const accounts = new Map<string, Uint8Array>();
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const infos = await ctx.connection.getMultipleAccountsInfo(chunk, ctx.commitment);
      infos.forEach((info, n) => info && accounts.set(chunk[n]!.toBase58(), info.data));
    }
    const byReservation = new Map<string, DueReservation>();
    let pending = 0;
    for (const entry of open) {
      const rKey = entry.booking.reservation.toBase58();
      const rData = accounts.get(rKey);
      const dData = accounts.get(entry.booking.device.toBase58());
      if (!rData || !dData) continue;
      const reservation = byReservation.get(rKey)?.account ?? decodeReservation(rData);
      const device = decodeDevice(dData);
      const settlement = settlementAt({ booking: entry.booking, reservation, device, now, epoch });
      if (settlement === "failurePending") pending += 1;
      if (settlement === null || settlement === "failurePending") continue;
      let r = byReservation.get(rKey);
      if (!r) {
        r = { reservation: entry.booking.reservation, account: reservation, bookings: [] };
        byReservation.set(rKey, r);
      }
      r.bookings.push({ entry, device });
    }
    if (pending > 0) {
      ctx.log
        .child(this.name)
        .debug(`${pending} bookings wait for their device's failure quorum to settle`);
    }
    return [...byReservation.values()];
  }

  /** Settles `due`'s bookings; returns how many this keeper settled. */
  private async settle(due: DueReservation): Promise<number> {
    const ctx = this.ctx;
    const mint = due.account.paymentMint;
    const tipAccount = getAssociatedTokenAddressSync(mint, ctx.wallet.publicKey, true);
    await this.createMissingAccounts(mint, [
      ctx.wallet.publicKey,
      ...due.bookings.map((b) => b.entry.booking.owner),
    ]);
    const tipsBefore = await this.balance(tipAccount);
    const ix = (bookings: DueReservation["bookings"]): Promise<TransactionInstruction> =>
      settleBookingsIx(this.market, {
        reservation: due.reservation,
        settler: ctx.wallet.publicKey,
        tipAccount,
        renter: due.account.renter,
        paymentMint: mint,
        bookings: bookings.map((b) => ({
          device: b.entry.booking.device,
          owner: b.entry.booking.owner,
        })),
      });
    let settled = 0;
    let at = 0;
    while (at < due.bookings.length) {
      let take = 1;
      let instruction = await ix(due.bookings.slice(at, at + 1));
      while (take < MAX_BATCH_DEVICES && at + take < due.bookings.length) {
        const more = await ix(due.bookings.slice(at, at + take + 1));
        if (!fitsTransaction(ctx.wallet.publicKey, [more])) break;
        instruction = more;
        take += 1;
      }
      const outcome = await ctx.sender(this.name).send({
        label: "settle_bookings",
        instructions: [instruction],
        benign: ["AlreadySettled"],
      });
      if (outcome.status === "confirmed") {
        settled += take;
        ctx.metrics.settled.inc({}, take);
      }
      at += take;
    }
    if (settled > 0) {
      const earned = (await this.balance(tipAccount)) - tipsBefore;
      if (earned > 0n)
        ctx.metrics.tips.inc({ kind: "settle", mint: mint.toBase58() }, Number(earned));
    }
    return settled;
  }

  /** Creates the associated token accounts in `mint` of `owners` that do not exist yet. */
  private async createMissingAccounts(
    mint: PublicKey,
    owners: readonly PublicKey[],
  ): Promise<void> {
    const ctx = this.ctx;
    const unique = [...new Set(owners.map((o) => o.toBase58()))].map((o) => new PublicKey(o));
    const atas = unique.map((owner) => getAssociatedTokenAddressSync(mint, owner, true));
    const infos = await ctx.connection.getMultipleAccountsInfo(atas, ctx.commitment);
    const missing = unique.filter((_, n) => !infos[n]);
    for (let i = 0; i < missing.length; i += ATA_CREATES_PER_TX) {
      await ctx.sender(this.name).send({
        label: "create_payee_accounts",
        instructions: missing
          .slice(i, i + ATA_CREATES_PER_TX)
          .map((owner) =>
            createAssociatedTokenAccountIdempotentInstruction(
              ctx.wallet.publicKey,
              getAssociatedTokenAddressSync(mint, owner, true),
              owner,
              mint,
            ),
          ),
      });
    }
  }

  private async balance(account: PublicKey): Promise<bigint> {
    const info = await this.ctx.connection.getAccountInfo(account, this.ctx.commitment);
    if (!info || info.data.length < 72) return 0n;
    return Buffer.from(info.data).readBigUInt64LE(64);
  }
}
