/**
 * Availability reads and cranks: the running epoch's record opened and its seed fixed, and the
 * closed records tip claims settle (immutable once closed, so cached).
 */
import { setTimeout as sleep } from "node:timers/promises";

import {
  availabilityEpochPda,
  decodeAvailabilityEpoch,
  openAvailabilityEpochIx,
  unsettledEpochs,
} from "@iogrid/sdk";
import type { AvailabilityEpoch, EarningsLike } from "@iogrid/sdk";
import type { TransactionSender } from "@iogrid/sdk/node";

import type { KeeperContext } from "./context.js";

/** The availability record of `epoch`, or null when nobody opened it. */
export async function fetchAvailabilityEpoch(
  ctx: KeeperContext,
  epoch: bigint,
): Promise<AvailabilityEpoch | null> {
  const info = await ctx.connection.getAccountInfo(
    availabilityEpochPda(epoch).address,
    ctx.commitment,
  );
  return info ? decodeAvailabilityEpoch(info.data) : null;
}

/**
 * The running `epoch`'s record with its seed fixed: opened if nobody has, the seed fixed once the
 * chain passed its seed slot (waiting up to `waitMs` for it). Null when it could not be done now
 * (dry-run, a refusal, the seed slot not passed yet); the next tick tries again. Another keeper
 * opening or fixing first is normal.
 */
export async function ensureAvailabilityEpoch(
  ctx: KeeperContext,
  sender: TransactionSender,
  epoch: bigint,
  waitMs = 10_000,
): Promise<AvailabilityEpoch | null> {
  const ix = () => openAvailabilityEpochIx(ctx.registry, { payer: ctx.wallet.publicKey, epoch });
  let record = await fetchAvailabilityEpoch(ctx, epoch);
  if (!record) {
    await sender.send({
      label: "open_availability_epoch",
      instructions: [await ix()],
      // Another keeper opened it first (and the seed slot passed or not yet), or the hour ended
      // since it was read: the program opens only the running hour's record.
      benign: ["EpochSeedAlreadyFixed", "EpochSeedNotFixed", "EpochRecordMismatch"],
    });
    record = await fetchAvailabilityEpoch(ctx, epoch);
    if (!record) return null;
  }
  if (record.seedFixed) return record;
  const seedSlot = BigInt(record.seedSlot.toString());
  const deadline = Date.now() + waitMs;
  while (BigInt(await ctx.connection.getSlot(ctx.commitment)) <= seedSlot) {
    if (Date.now() > deadline) return null;
    await sleep(200);
  }
  await sender.send({
    label: "fix_availability_seed",
    instructions: [await ix()],
    // Fixed by another keeper (or by an attestation in passing), the slot hash not there yet, or
    // the hour ended while this keeper waited for its seed slot.
    benign: ["EpochSeedAlreadyFixed", "EpochSeedNotFixed", "EpochRecordMismatch"],
  });
  record = await fetchAvailabilityEpoch(ctx, epoch);
  return record?.seedFixed ? record : null;
}

/** Closed availability records by epoch; a closed record never changes. */
export class ClosedEpochs {
  private readonly closed = new Map<string, AvailabilityEpoch>();

  constructor(private readonly ctx: KeeperContext) {}

  /** The closed records among `epochs` (the others are not closed yet or do not exist). */
  async of(epochs: readonly bigint[]): Promise<AvailabilityEpoch[]> {
    const missing = [...new Set(epochs.map(String))].filter((e) => !this.closed.has(e));
    for (let i = 0; i < missing.length; i += 100) {
      const chunk = missing.slice(i, i + 100);
      const infos = await this.ctx.connection.getMultipleAccountsInfo(
        chunk.map((e) => availabilityEpochPda(BigInt(e)).address),
        this.ctx.commitment,
      );
      infos.forEach((info, n) => {
        if (!info) return;
        const record = decodeAvailabilityEpoch(info.data);
        if (record.closed) this.closed.set(chunk[n]!, record);
      });
    }
    return epochs
      .map((e) => this.closed.get(String(e)))
      .filter((r): r is AvailabilityEpoch => r !== undefined);
  }

  /** The closed records among the unsettled epochs of `earnings`. */
  async settling(earnings: EarningsLike): Promise<AvailabilityEpoch[]> {
    return this.of(unsettledEpochs(earnings));
  }
}
