/**
 * The `attest` bot: each tick it lists the devices the registry assigns to this keeper in the
 * running epoch (the sdk's mirror of the program's sortition, so ten keepers do not all pay to
 * attest the same device), skips those it passed already or that have every pass they need,
 * probes the rest at their on-chain endpoints, checks each answer locally, and lands the valid
 * probes in as few `attest_availability` transactions as fit. A device that stays unreachable or
 * answers a forged, foreign or stale probe after every retry is reported with `report_failure`
 * once the epoch's report window opened: a failure counts only when a quorum of assigned keepers
 * reports it, so every keeper reports what it saw.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { PublicKey } from "@solana/web3.js";
import type { AddressLookupTableAccount, TransactionInstruction } from "@solana/web3.js";

import {
  EPOCH_SECS,
  MAX_DEVICES_PER_ATTESTATION,
  attestAvailability,
  failingIn,
  isAssigned,
  passReporters,
  recentSlotHash,
  reportFailureIx,
  unsettledEpochs,
} from "@iogrid/sdk";
import type { AttestedDevice, AvailabilityEpoch, Keeper } from "@iogrid/sdk";
import { backoffDelay, fitsTransaction } from "@iogrid/sdk/node";

import { ClosedEpochs, ensureAvailabilityEpoch } from "../availability.js";
import type { Bot, BotHealth, TickSummary } from "../bot.js";
import type { KeeperContext } from "../context.js";
import { keeperIneligibility } from "../context.js";
import { DeviceIndex } from "../devices.js";
import type { DeviceEntry } from "../devices.js";
import { AttestLookupTable } from "../lookup-table.js";
import { probeAgent } from "../probe.js";
import type { ProbeResult } from "../probe.js";

/** A device whose probe passed, with the probe to land. */
type PassedProbe = { entry: DeviceEntry; result: ProbeResult & { ok: true } };

const big = (v: { toString(): string }): bigint => BigInt(v.toString());

/** The device's passers in `epoch` (keeper accounts). */
function passersIn(entry: DeviceEntry, epoch: bigint): PublicKey[] {
  const a = entry.device.availability;
  return big(a.passEpoch) === epoch ? a.passers.slice(0, a.passCount) : [];
}

/** The device's failure reporters in `epoch` (keeper accounts). */
function reportersIn(entry: DeviceEntry, epoch: bigint): PublicKey[] {
  const a = entry.device.availability;
  return big(a.reportEpoch) === epoch ? a.failureReporters.slice(0, a.reportCount) : [];
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pooled<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class AttestBot implements Bot {
  readonly name = "attest" as const;
  readonly intervalMs: number;
  private readonly devices: DeviceIndex;
  private readonly closed: ClosedEpochs;
  private readonly lookupTable: AttestLookupTable | undefined;
  /** Why the last tick could not attest (health detail), if it could not. */
  private problem: string | undefined;

  constructor(private readonly ctx: KeeperContext) {
    this.intervalMs = ctx.config.attest.intervalMs;
    this.devices = new DeviceIndex(ctx, ctx.config.attest.refreshMs);
    this.closed = new ClosedEpochs(ctx);
    if (ctx.config.attest.lookupTable) this.lookupTable = new AttestLookupTable(ctx, this.name);
  }

  async init(): Promise<void> {
    await this.devices.init();
  }

  health(): BotHealth {
    return this.problem ? { ok: false, detail: this.problem } : { ok: true };
  }

  async close(): Promise<void> {
    await this.devices.close();
  }

  async tick(): Promise<TickSummary> {
    const ctx = this.ctx;
    const chain = await ctx.chainNow();
    if (chain.epoch === undefined) return { epoch: "none" };
    const epoch = chain.epoch;
    const keeper = await ctx.keeper();
    this.problem = keeperIneligibility(keeper, chain.config, ctx.wallet.publicKey);
    if (this.problem || !keeper) throw new Error(this.problem);

    const record = await ensureAvailabilityEpoch(ctx, ctx.sender(this.name), epoch);
    if (!record) return { epoch: epoch.toString(), seedFixed: false };
    await this.devices.refreshIfStale();
    const assigned = this.assigned(record, keeper, this.devices.all());
    const todo = assigned.filter((e) => this.needsPass(e, epoch, record.passesRequired));
    const summary: TickSummary = {
      epoch: epoch.toString(),
      assigned: assigned.length,
      skipped: assigned.length - todo.length,
    };
    if (todo.length === 0) return { ...summary, probed: 0 };

    // A probe signs over a recent slot and the chain takes it for `max_probe_age_slots` only, so
    // the devices go in rounds small enough that every pass lands while its challenge is fresh.
    const round = this.ctx.config.attest.concurrency * 8;
    let passed = 0;
    let attested = 0;
    const failed: { entry: DeviceEntry; reason: string }[] = [];
    for (let at = 0; at < todo.length; at += round) {
      const result = await this.probeWithRetries(todo.slice(at, at + round), epoch, (ok) =>
        this.attest(ok, epoch, keeper, record.passesRequired),
      );
      passed += result.passed;
      attested += result.attested;
      failed.push(...result.failed);
    }
    summary.probed = todo.length;
    summary.passed = passed;
    summary.failed = failed.length;
    summary.attested = attested;
    const windowOpens =
      big(chain.config.epochOrigin) +
      epoch * EPOCH_SECS +
      BigInt(chain.config.availability.reportAfterSecs);
    const { now } = await ctx.chainNow();
    summary.reported =
      ctx.config.attest.report && now >= windowOpens ? await this.report(failed, epoch) : 0;
    return summary;
  }

  /** The devices this keeper may attest in `record`'s epoch: assigned, usable, not its own. */
  private assigned(
    record: AvailabilityEpoch,
    keeper: Keeper,
    devices: readonly DeviceEntry[],
  ): DeviceEntry[] {
    const wallet = this.ctx.wallet.publicKey;
    return devices.filter(({ address, device, registeredSlot }) => {
      const usable = "active" in device.status || !device.reservation.equals(PublicKey.default);
      const linked = device.owner.equals(wallet) || device.agent.equals(wallet);
      return (
        usable &&
        !linked &&
        isAssigned(record, address, registeredSlot, this.ctx.keeperAccount, keeper)
      );
    });
  }

  /** Whether the device still needs this keeper's pass in `epoch`. */
  private needsPass(entry: DeviceEntry, epoch: bigint, passesRequired: number): boolean {
    const passers = passersIn(entry, epoch);
    return (
      passers.length < passesRequired && !passers.some((p) => p.equals(this.ctx.keeperAccount))
    );
  }

  /**
   * Probes `devices`, retrying the failures with backoff, and hands each attempt's passes to
   * `land` at once (a pass kept through the retries of others would go stale); the passes and
   * attestations counted, and the failures with the last reason of each.
   */
  private async probeWithRetries(
    devices: readonly DeviceEntry[],
    epoch: bigint,
    land: (passed: PassedProbe[]) => Promise<number>,
  ): Promise<{
    passed: number;
    attested: number;
    failed: { entry: DeviceEntry; reason: string }[];
  }> {
    const cfg = this.ctx.config.attest;
    let passed = 0;
    let attested = 0;
    let pending = [...devices];
    let last = new Map<string, string>();
    for (let attempt = 0; attempt < cfg.probeAttempts && pending.length > 0; attempt++) {
      if (attempt > 0)
        await sleep(backoffDelay(attempt - 1, cfg.retryDelayMs, cfg.retryDelayMs * 8));
      const { slot, hash } = await recentSlotHash(this.ctx.connection);
      const results = await pooled(pending, cfg.concurrency, (entry) =>
        probeAgent(
          { device: entry.address, agent: entry.device.agent, endpoint: entry.device.endpoint },
          {
            epoch,
            slot,
            slotHash: hash,
            keeperWallet: this.ctx.wallet.publicKey,
            keeperAccount: this.ctx.keeperAccount,
            timeoutMs: cfg.probeTimeoutMs,
            benchmark: cfg.benchmark,
          },
        ),
      );
      const retry: DeviceEntry[] = [];
      const ok: PassedProbe[] = [];
      last = new Map();
      results.forEach((result, n) => {
        const entry = pending[n]!;
        this.ctx.metrics.probes.inc({ result: result.ok ? "passed" : result.kind });
        if (result.ok) ok.push({ entry, result });
        else {
          retry.push(entry);
          last.set(entry.address.toBase58(), `${result.kind}: ${result.reason}`);
        }
      });
      passed += ok.length;
      attested += await land(ok);
      pending = retry;
    }
    const failed = pending.map((entry) => {
      const reason = last.get(entry.address.toBase58()) ?? "no answer";
      this.ctx.log.child(this.name).info(`probe of ${entry.address.toBase58()} failed`, { reason });
      return { entry, reason };
    });
    return { passed, attested, failed };
  }

  /** Lands the passed probes, packed into as few transactions as fit; returns devices attested. */
  private async attest(
    passed: readonly PassedProbe[],
    epoch: bigint,
    keeper: Keeper,
    passesRequired: number,
  ): Promise<number> {
    if (passed.length === 0) return 0;
    // Re-read the devices: their passes and reporters decide the accounts the program expects.
    const fresh = new Map(
      (await this.devices.reread(passed.map((p) => p.entry.address))).map((e) => [
        e.address.toBase58(),
        e,
      ]),
    );
    const entries: { entry: DeviceEntry; attested: AttestedDevice }[] = [];
    for (const { entry, result } of passed) {
      const now = fresh.get(entry.address.toBase58());
      if (!now || !this.needsPass(now, epoch, passesRequired)) continue;
      entries.push({
        entry: now,
        attested: {
          probe: result.probe,
          owner: now.device.owner,
          device: now.address,
          reporters: passReporters(now.device, epoch, this.ctx.keeperAccount),
        },
      });
    }
    // Three probes fit a v0 transaction through the lookup table, two a legacy one: the table
    // pays for itself once a third device waits.
    const tables: AddressLookupTableAccount[] = [];
    if (this.lookupTable && entries.length >= 3) {
      const table = await this.lookupTable.forEpoch(epoch);
      if (table) tables.push(table);
    }
    const batches: { ixs: TransactionInstruction[]; size: number }[] = [];
    let at = 0;
    while (at < entries.length) {
      // The longest run from `at` that fits one transaction.
      let take = 1;
      let ixs = await this.attestIxs(entries.slice(at, at + 1), keeper, epoch);
      while (take < MAX_DEVICES_PER_ATTESTATION && at + take < entries.length) {
        const more = await this.attestIxs(entries.slice(at, at + take + 1), keeper, epoch);
        if (!fitsTransaction(this.ctx.wallet.publicKey, more, tables)) break;
        ixs = more;
        take += 1;
      }
      batches.push({ ixs, size: take });
      at += take;
    }
    // Several in flight: each waits for its confirmation, the chain orders them.
    const landed = await pooled(batches, this.ctx.config.attest.sendConcurrency, async (batch) => {
      const outcome = await this.ctx.sender(this.name).send({
        label: "attest_availability",
        instructions: batch.ixs,
        lookupTables: tables,
        // Another pass landed first (this keeper's, in an earlier send, or the last one needed).
        benign: ["AlreadyAttested", "PassesComplete"],
      });
      if (outcome.status !== "confirmed") return 0;
      this.ctx.metrics.attested.inc({}, batch.size);
      return batch.size;
    });
    return landed.reduce((a, b) => a + b, 0);
  }

  private async attestIxs(
    batch: readonly { entry: DeviceEntry; attested: AttestedDevice }[],
    keeper: Keeper,
    epoch: bigint,
  ) {
    // Closed epochs in which the devices or this keeper have unsettled earnings: the program
    // settles them first, so no earner runs out of unsettled slots.
    const epochs = [
      ...unsettledEpochs(keeper.activity.earnings),
      ...batch.flatMap((b) => unsettledEpochs(b.entry.device.availability.earnings)),
    ];
    const closed = await this.closed.of(epochs);
    return attestAvailability(this.ctx.registry, {
      authority: this.ctx.wallet.publicKey,
      epoch,
      devices: batch.map((b) => b.attested),
      closedEpochs: closed.map((r) => big(r.epoch)),
    });
  }

  /** Reports the devices that failed every probe; returns the reports landed. */
  private async report(failed: readonly { entry: DeviceEntry }[], epoch: bigint): Promise<number> {
    if (failed.length === 0) return 0;
    const fresh = await this.devices.reread(failed.map((f) => f.entry.address));
    let reported = 0;
    for (const entry of fresh) {
      const a = entry.device.availability;
      const passed = passersIn(entry, epoch).length > 0;
      const mine = reportersIn(entry, epoch).some((r) => r.equals(this.ctx.keeperAccount));
      if (passed || mine || failingIn(a, epoch)) continue;
      const outcome = await this.ctx.sender(this.name).send({
        label: "report_failure",
        instructions: [
          await reportFailureIx(this.ctx.registry, {
            authority: this.ctx.wallet.publicKey,
            epoch,
            device: entry.address,
          }),
        ],
        // Already reported, the quorum complete, or a pass landed meanwhile.
        benign: ["DuplicateFailureReport", "FailureQuorumReached", "DeviceAttestedThisEpoch"],
      });
      if (outcome.status === "confirmed") {
        reported += 1;
        this.ctx.metrics.reported.inc();
      }
    }
    return reported;
  }
}
