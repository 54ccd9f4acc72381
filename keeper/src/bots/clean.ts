/**
 * The `clean` bot: closes the reservations their renters left behind. Once a reservation has no
 * open booking and has been idle for the market's public close delay (7 days past its creation
 * and its latest booking's end), anyone may pay its unclaimed refunds into the renter's
 * associated token account and close it, the rent of the reservation and its vault going back
 * to the renter: this bot does both in one transaction per reservation (several reservations
 * packed per transaction), oldest first. A renter without an associated token account in the
 * payment mint keeps its refund waiting (the keeper does not pay to open one); a reservation
 * another keeper closed first is a no-op.
 *
 * Everything else anyone may close is closed where it is settled: bookings by `settle_bookings`
 * (their rent to the renter), availability epochs by the epoch bot. The keeper earns nothing
 * here; it pays 5,000 lamports per transaction so that renters get their rent and refunds back.
 */
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { TransactionInstruction } from "@solana/web3.js";

import {
  claimRefundIx,
  closeReservationIx,
  fetchReservations,
  marketProgram,
  publicCloseAt,
  refundOwed,
} from "@iogrid/sdk";
import type { Market, ReservationEntry } from "@iogrid/sdk";
import { fitsTransaction } from "@iogrid/sdk/node";
import type { Program } from "@coral-xyz/anchor";

import type { Bot, BotHealth, TickSummary } from "../bot.js";
import type { KeeperContext } from "../context.js";

/** A reservation to close, with the instructions that do it. */
interface Closable {
  entry: ReservationEntry;
  instructions: TransactionInstruction[];
}

export class CleanBot implements Bot {
  readonly name = "clean" as const;
  readonly intervalMs: number;
  private readonly market: Program<Market> = marketProgram();

  constructor(private readonly ctx: KeeperContext) {
    this.intervalMs = ctx.config.clean.intervalMs;
  }

  async init(): Promise<void> {}

  health(): BotHealth {
    return { ok: true };
  }

  async tick(): Promise<TickSummary> {
    const { closable, waiting } = await this.closable();
    let closed = 0;
    let at = 0;
    while (at < closable.length) {
      let take = 1;
      while (
        at + take < closable.length &&
        fitsTransaction(
          this.ctx.wallet.publicKey,
          closable.slice(at, at + take + 1).flatMap((c) => c.instructions),
        )
      ) {
        take += 1;
      }
      const batch = closable.slice(at, at + take);
      const outcome = await this.ctx.sender(this.name).send({
        label: "close_reservation",
        instructions: batch.flatMap((c) => c.instructions),
        // Another keeper closed one of them first: the whole transaction is refused by name.
        benign: ["AccountNotInitialized"],
      });
      if (outcome.status === "confirmed") {
        closed += take;
        this.ctx.metrics.cleaned.inc({}, take);
      } else if (take > 1 && (outcome.status === "noop" || outcome.status === "refused")) {
        // One of them was closed elsewhere (or refused): the others go one by one.
        closed += await this.closeEach(batch);
      }
      at += take;
    }
    return { closable: closable.length, closed, waitingForRenterAccount: waiting };
  }

  private async closeEach(batch: Closable[]): Promise<number> {
    let closed = 0;
    for (const one of batch) {
      const outcome = await this.ctx.sender(this.name).send({
        label: "close_reservation",
        instructions: one.instructions,
        benign: ["AccountNotInitialized"],
      });
      if (outcome.status === "confirmed") {
        closed += 1;
        this.ctx.metrics.cleaned.inc({}, 1);
      }
    }
    return closed;
  }

  /**
   * Idle reservations with no open booking, oldest first, up to `maxPerTick`; and how many of
   * them wait for their renter to open an account for the refund.
   */
  private async closable(): Promise<{ closable: Closable[]; waiting: number }> {
    const ctx = this.ctx;
    const { now } = await ctx.chainNow();
    const idle = (await fetchReservations(ctx.connection, { commitment: ctx.commitment }))
      .filter(
        ({ reservation }) => reservation.bookingsOpen === 0 && publicCloseAt(reservation) <= now,
      )
      .slice(0, ctx.config.clean.maxPerTick);
    const refunds = idle.map(({ reservation }) => refundOwed(reservation.ledger) ?? 0n);
    const accounts = idle.map(({ reservation }) =>
      getAssociatedTokenAddressSync(reservation.paymentMint, reservation.renter, true),
    );
    const exists = new Set<string>();
    for (let i = 0; i < accounts.length; i += 100) {
      const chunk = accounts.slice(i, i + 100);
      const infos = await ctx.connection.getMultipleAccountsInfo(chunk, ctx.commitment);
      infos.forEach((info, n) => info && exists.add(chunk[n]!.toBase58()));
    }
    const closable: Closable[] = [];
    let waiting = 0;
    for (const [n, entry] of idle.entries()) {
      const refund = refunds[n]!;
      if (refund > 0n && !exists.has(accounts[n]!.toBase58())) {
        waiting += 1;
        continue;
      }
      const params = {
        reservation: entry.address,
        renter: entry.reservation.renter,
        paymentMint: entry.reservation.paymentMint,
        caller: ctx.wallet.publicKey,
      };
      const instructions = [await closeReservationIx(this.market, params)];
      if (refund > 0n) instructions.unshift(await claimRefundIx(this.market, params));
      closable.push({ entry, instructions });
    }
    if (waiting > 0) {
      ctx.log
        .child(this.name)
        .debug(`${waiting} idle reservations owe a refund to a renter with no token account`);
    }
    return { closable, waiting };
  }
}
