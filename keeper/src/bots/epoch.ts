/**
 * The `epoch` bot: ends each hour's emission epoch as soon as it ended (iotoken's `end_epoch`,
 * catching up missed hours 12 to a transaction, its crank tip to this keeper), opens the running
 * hour's availability record and fixes its seed, closes the availability records of ended
 * epochs (drawing their pools), and claims this keeper's tips. Everything it sends is
 * permissionless and idempotent on chain: another keeper doing it first is a `noop`.
 */
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import type { TransactionInstruction } from "@solana/web3.js";

import {
  DEVICE_ACCOUNT_SIZE,
  REGISTRY_PROGRAM_ID,
  availabilityEpochPda,
  claimKeeperTipsIx,
  claimableEarnings,
  closeAvailabilityEpochIx,
  decodeAvailabilityEpoch,
  decodeEmissionLedger,
  decodeEmissionSchedule,
  decodeEpochRecord,
  endEpochIx,
  endableEpochs,
  epochRecordPda,
  ioMintPda,
  ledgerPda,
  schedulePda,
} from "@iogrid/sdk";
import type { EmissionSchedule } from "@iogrid/sdk";

import { ClosedEpochs, ensureAvailabilityEpoch } from "../availability.js";
import type { Bot, BotHealth, TickSummary } from "../bot.js";
import type { KeeperContext } from "../context.js";

/** Most `end_epoch` transactions one tick sends (12 epochs each). */
const MAX_END_EPOCH_TXS = 20;

/** `createAssociatedTokenAccountIdempotent` for the keeper's IO account when it is missing. */
export async function ioAccountIxs(ctx: KeeperContext): Promise<TransactionInstruction[]> {
  const info = await ctx.connection.getAccountInfo(ctx.ioAccount, ctx.commitment);
  if (info) return [];
  return [
    createAssociatedTokenAccountIdempotentInstruction(
      ctx.wallet.publicKey,
      ctx.ioAccount,
      ctx.wallet.publicKey,
      ioMintPda().address,
    ),
  ];
}

/**
 * Claims this keeper's tips when at least `minimum` IO base units are claimable: the keeper's
 * unsettled epochs that are closed are settled and everything accrued is paid to its IO account.
 * Returns the amount claimed (0 when nothing was, or in dry-run).
 */
export async function claimTips(
  ctx: KeeperContext,
  bot: string,
  closed: ClosedEpochs,
  minimum: bigint,
): Promise<bigint> {
  const keeper = await ctx.keeper();
  if (!keeper) return 0n;
  const earnings = keeper.activity.earnings;
  const records = await closed.settling(earnings);
  const claimable = claimableEarnings(earnings, records, "keepers");
  const claimed = BigInt(earnings.claimed.toString());
  if (claimable === 0n || claimable < minimum) return 0n;
  const outcome = await ctx.sender(bot).send({
    label: "claim_keeper_tips",
    instructions: [
      ...(await ioAccountIxs(ctx)),
      await claimKeeperTipsIx(ctx.registry, {
        authority: ctx.wallet.publicKey,
        destination: ctx.ioAccount,
        closedEpochs: records.map((r) => BigInt(r.epoch.toString())),
      }),
    ],
    benign: ["NothingToClaim"],
  });
  if (outcome.status !== "confirmed") return 0n;
  const after = await ctx.keeper();
  const paid = after ? BigInt(after.activity.earnings.claimed.toString()) - claimed : claimable;
  ctx.metrics.tips.inc({ kind: "keeper", mint: "IO" }, Number(paid));
  return paid;
}

export class EpochBot implements Bot {
  readonly name = "epoch" as const;
  readonly intervalMs: number;
  private schedule: EmissionSchedule | undefined;
  private readonly closed: ClosedEpochs;

  constructor(private readonly ctx: KeeperContext) {
    this.intervalMs = ctx.config.epoch.intervalMs;
    this.closed = new ClosedEpochs(ctx);
  }

  async init(): Promise<void> {
    // The schedule is sealed before emissions start and never changes after: read it once.
    const info = await this.ctx.connection.getAccountInfo(
      schedulePda().address,
      this.ctx.commitment,
    );
    if (!info) throw new Error("iotoken's emission schedule does not exist on this chain");
    const schedule = decodeEmissionSchedule(info.data);
    if (!schedule.sealed) throw new Error("iotoken's emission schedule is not sealed yet");
    this.schedule = schedule;
  }

  health(): BotHealth {
    return { ok: true };
  }

  async tick(): Promise<TickSummary> {
    const summary: TickSummary = {};
    summary.endedEpochs = await this.endEpochs();
    const chain = await this.ctx.chainNow();
    if (chain.epoch !== undefined && this.ctx.config.epoch.openAvailability) {
      summary.opened = await this.openCurrent(chain.epoch);
    }
    if (chain.epoch !== undefined) summary.closed = await this.closeEnded(chain.epoch);
    if (this.ctx.config.epoch.claimTips) {
      summary.tipsClaimed = (
        await claimTips(this.ctx, this.name, this.closed, this.ctx.config.epoch.minClaimIo)
      ).toString();
    }
    return summary;
  }

  /** `end_epoch` for every ended epoch, 12 a transaction; returns how many this keeper ended. */
  private async endEpochs(): Promise<number> {
    const sender = this.ctx.sender(this.name);
    let ended = 0;
    for (let txs = 0; txs < MAX_END_EPOCH_TXS; txs++) {
      const { now } = await this.ctx.chainNow();
      const ledgerInfo = await this.ctx.connection.getAccountInfo(
        ledgerPda().address,
        this.ctx.commitment,
      );
      if (!ledgerInfo) throw new Error("iotoken's emission ledger does not exist on this chain");
      const ledger = decodeEmissionLedger(ledgerInfo.data);
      const epochs = endableEpochs(ledger, this.schedule!, now);
      this.ctx.metrics.epochLag.set(epochs.length);
      if (epochs.length === 0) return ended;
      const outcome = await sender.send({
        label: "end_epoch",
        instructions: [
          ...(await ioAccountIxs(this.ctx)),
          await endEpochIx(this.ctx.iotoken, {
            cranker: this.ctx.wallet.publicKey,
            tipDestination: this.ctx.ioAccount,
            epochs,
          }),
        ],
        // Another keeper ended them first: the ledger moved past the records passed.
        benign: ["EpochRecordMismatch"],
      });
      if (outcome.status === "confirmed") {
        ended += epochs.length;
        await this.countCrankTips(epochs);
        continue;
      }
      if (outcome.status === "noop") continue; // re-read the ledger and go on from there
      return ended; // dry-run, or a failure the next tick retries
    }
    return ended;
  }

  private async countCrankTips(epochs: readonly bigint[]): Promise<void> {
    const infos = await this.ctx.connection.getMultipleAccountsInfo(
      epochs.map((e) => epochRecordPda(e).address),
      this.ctx.commitment,
    );
    for (const info of infos) {
      if (!info) continue;
      const record = decodeEpochRecord(info.data);
      if (record.crankedBy.equals(this.ctx.wallet.publicKey)) {
        this.ctx.metrics.tips.inc({ kind: "crank", mint: "IO" }, Number(record.crankTip));
      }
    }
  }

  /** Opens the running epoch's availability record and fixes its seed, when devices exist. */
  private async openCurrent(epoch: bigint): Promise<boolean> {
    const existing = await this.ctx.connection.getAccountInfo(
      availabilityEpochPda(epoch).address,
      this.ctx.commitment,
    );
    if (existing && decodeAvailabilityEpoch(existing.data).seedFixed) return false;
    if (!existing) {
      // The record costs rent: not worth it for a registry without a device.
      const devices = await this.ctx.connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
        commitment: this.ctx.commitment,
        dataSlice: { offset: 0, length: 0 },
        filters: [{ dataSize: DEVICE_ACCOUNT_SIZE }],
      });
      if (devices.length === 0) return false;
    }
    const record = await ensureAvailabilityEpoch(this.ctx, this.ctx.sender(this.name), epoch);
    return record !== null;
  }

  /**
   * `close_availability_epoch` for each opened, unclosed record of an ended epoch iotoken has
   * closed, over the last `lookbackEpochs` epochs; returns how many this keeper closed.
   */
  private async closeEnded(current: bigint): Promise<number> {
    const lookback = BigInt(this.ctx.config.epoch.lookbackEpochs);
    const first = current > lookback ? current - lookback : 0n;
    const epochs: bigint[] = [];
    for (let e = first; e < current; e++) epochs.push(e);
    let closed = 0;
    for (let i = 0; i < epochs.length; i += 50) {
      const chunk = epochs.slice(i, i + 50);
      const infos = await this.ctx.connection.getMultipleAccountsInfo(
        chunk.flatMap((e) => [availabilityEpochPda(e).address, epochRecordPda(e).address]),
        this.ctx.commitment,
      );
      for (const [n, epoch] of chunk.entries()) {
        const record = infos[2 * n];
        const minted = infos[2 * n + 1];
        if (!record || !minted || decodeAvailabilityEpoch(record.data).closed) continue;
        const outcome = await this.ctx.sender(this.name).send({
          label: "close_availability_epoch",
          instructions: [
            await closeAvailabilityEpochIx(this.ctx.registry, {
              cranker: this.ctx.wallet.publicKey,
              epoch,
            }),
          ],
          benign: ["EpochAlreadyClosed"],
        });
        if (outcome.status === "confirmed") closed += 1;
      }
    }
    return closed;
  }
}
