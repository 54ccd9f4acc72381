/**
 * A device's history for its owner, read back from the chain: its jobs (every booking it took,
 * open or settled, with the renter, hours and pay) and its availability epochs (the weight it
 * attested in each, and the IO that weight earns once the epoch is closed), from the device's
 * own transactions (`getSignaturesForAddress` on the device, then `getTransaction`: booking,
 * extension, settlement, attestation and claim all write the device) and its open bookings and
 * the epochs' records (`getProgramAccounts`, `getMultipleAccounts`). And the profitability those
 * figures give: utilisation, pay per GPU-hour, the month projected at the current rate and the
 * stake's yield. Browser-safe.
 */
import { PublicKey } from "@solana/web3.js";
import type { Connection, VersionedTransactionResponse } from "@solana/web3.js";

import { fetchDeviceBookings } from "./bookings.js";
import { toBigInt } from "./ints.js";
import { parseMarketEvents } from "./market.js";
import type { MarketEvents, PaymentTokenName } from "./market.js";
import { availabilityEpochPda, ioMintPda, iosdMintPda } from "./pda.js";
import { decodeAvailabilityEpoch, parseRegistryEvents } from "./registry.js";
import type { RegistryEvents } from "./registry.js";
import { epochShareOf, proRata } from "./registry/availability.js";
import type { ClosedEpochLike } from "./registry/availability.js";
import { allSignatures, fetchTransactions } from "./receipts.js";

/** One booking a device took, in its payment token's base units. */
export interface DeviceJob {
  booking: PublicKey;
  reservation: PublicKey;
  /** Who paid (the owner of the token account the booking's payment left); null if unseen. */
  renter: PublicKey | null;
  paymentToken: PaymentTokenName | null;
  /** Payment token base units per hour for the whole device. */
  pricePerHour: bigint;
  /** Hours booked, extensions included. */
  hours: number;
  /** Unix seconds (block time of the booking). */
  bookedAt: bigint | null;
  endsAt: bigint;
  /** `open`: booked, not started; `running`: started and not settled; `settled`. */
  state: "open" | "running" | "settled";
  /** The market's outcome once settled (completed, cancelled, failed, noShow, completedUncredited). */
  outcome: string | null;
  deliveredSecs: bigint;
  /** Paid to the device's owner at settlement (0 before). */
  ownerPay: bigint;
  /** Paid to the device's stake pool at settlement. */
  stakerShare: bigint;
  settledAt: bigint | null;
}

/** What the device attested in one availability epoch and what it earns there. */
export interface EpochEarning {
  epoch: bigint;
  /** Its weight in the epoch (0 when it never qualified). */
  weight: bigint;
  /** Passes it got in the epoch. */
  passes: number;
  qualified: boolean;
  /** IO base units its weight earns of the epoch's device pot; null while the epoch is not closed. */
  reward: bigint | null;
}

/** A claim of availability rewards (`claim_availability_rewards`). */
export interface AvailabilityClaim {
  signature: string;
  blockTime: number | null;
  epochsSettled: number;
  toOwner: bigint;
  toStakers: bigint;
}

export interface DeviceHistory {
  device: PublicKey;
  /** Oldest first. */
  jobs: DeviceJob[];
  /** Oldest first. */
  epochs: EpochEarning[];
  claims: AvailabilityClaim[];
}

/** The payment token `mint` is: IO and IOSD by their PDAs, anything else the market's USDC. */
export function paymentTokenOfMint(mint: string): PaymentTokenName {
  if (mint === iosdMintPda().address.toBase58()) return "iosd";
  if (mint === ioMintPda().address.toBase58()) return "io";
  return "usdc";
}

/** The owner and mint of the token account a transaction took the most from, if any. */
function payerOf(tx: VersionedTransactionResponse): { owner: string; mint: string } | null {
  const pre = tx.meta?.preTokenBalances ?? [];
  const post = tx.meta?.postTokenBalances ?? [];
  let best: { owner: string; mint: string; change: bigint } | null = null;
  for (const after of post) {
    const before = pre.find((b) => b.accountIndex === after.accountIndex);
    const change = BigInt(after.uiTokenAmount.amount) - BigInt(before?.uiTokenAmount.amount ?? "0");
    if (change < 0n && after.owner && (!best || change < best.change))
      best = { owner: after.owner, mint: after.mint, change };
  }
  return best;
}

/**
 * The jobs and epochs of `device` from its landed transactions (oldest first) and its open
 * bookings' start times (`startedAt` by booking address; a started booking is `running`).
 * Pure: the closed epochs' records give the rewards.
 */
export function deviceHistoryOf(
  device: PublicKey,
  txs: readonly VersionedTransactionResponse[],
  started: ReadonlyMap<string, bigint>,
  closedEpochs: readonly ClosedEpochLike[],
): DeviceHistory {
  const jobs = new Map<string, DeviceJob>();
  const epochs = new Map<string, EpochEarning>();
  const claims: AvailabilityClaim[] = [];
  const id = device.toBase58();
  for (const tx of txs) {
    if (tx.meta?.err) continue;
    const logs = tx.meta?.logMessages ?? [];
    const blockTime = tx.blockTime === null || tx.blockTime === undefined ? null : tx.blockTime;
    for (const event of parseMarketEvents(logs)) {
      if (event.name === "deviceBooked") {
        const e = event.data as MarketEvents["deviceBooked"];
        if (!e.device.equals(device)) continue;
        const payer = payerOf(tx);
        jobs.set(e.booking.toBase58(), {
          booking: e.booking,
          reservation: e.reservation,
          renter: payer ? new PublicKey(payer.owner) : null,
          paymentToken: payer ? paymentTokenOfMint(payer.mint) : null,
          pricePerHour: toBigInt(e.pricePerHour),
          hours: e.hours,
          bookedAt: blockTime === null ? null : BigInt(blockTime),
          endsAt: toBigInt(e.endsAt),
          state: started.has(e.booking.toBase58()) ? "running" : "open",
          outcome: null,
          deliveredSecs: 0n,
          ownerPay: 0n,
          stakerShare: 0n,
          settledAt: null,
        });
      } else if (event.name === "bookingExtended") {
        const e = event.data as MarketEvents["bookingExtended"];
        const job = jobs.get(e.booking.toBase58());
        if (!job) continue;
        job.hours += e.extraHours;
        job.endsAt = toBigInt(e.endsAt);
      } else if (event.name === "bookingSettled") {
        const e = event.data as MarketEvents["bookingSettled"];
        const job = jobs.get(e.booking.toBase58());
        if (!job || !e.device.equals(device)) continue;
        job.state = "settled";
        job.outcome = Object.keys(e.outcome)[0] ?? "unknown";
        job.deliveredSecs = toBigInt(e.deliveredSecs);
        job.ownerPay = toBigInt(e.ownerPay);
        job.stakerShare = toBigInt(e.stakerShare);
        job.settledAt = blockTime === null ? null : BigInt(blockTime);
      }
    }
    for (const event of parseRegistryEvents(logs)) {
      if (event.name === "deviceAttested") {
        const e = event.data as RegistryEvents["deviceAttested"];
        if (e.device.toBase58() !== id) continue;
        const epoch = toBigInt(e.epoch);
        epochs.set(String(epoch), {
          epoch,
          weight: e.qualified ? toBigInt(e.weight) : 0n,
          passes: e.passNumber,
          qualified: e.qualified,
          reward: null,
        });
      } else if (event.name === "availabilityRewardsClaimed") {
        const e = event.data as RegistryEvents["availabilityRewardsClaimed"];
        if (e.device.toBase58() !== id) continue;
        claims.push({
          signature: tx.transaction.signatures[0]!,
          blockTime,
          epochsSettled: e.epochsSettled,
          toOwner: toBigInt(e.toOwner),
          toStakers: toBigInt(e.toStakers),
        });
      }
    }
  }
  const byEpoch = [...epochs.values()].sort((a, b) => (a.epoch < b.epoch ? -1 : 1));
  return {
    device,
    jobs: [...jobs.values()],
    epochs: withEpochRewards(byEpoch, closedEpochs),
    claims,
  };
}

/** `epochs` with the reward of each one `records` holds closed: its weight's share of the device pot. */
export function withEpochRewards(
  epochs: readonly EpochEarning[],
  records: readonly ClosedEpochLike[],
): EpochEarning[] {
  return epochs.map((earning) => {
    const record = records.find((r) => r.closed && toBigInt(r.epoch) === earning.epoch);
    if (!record) return { ...earning, reward: null };
    const [pot, total] = epochShareOf(record, "devices");
    return { ...earning, reward: earning.weight === 0n ? 0n : proRata(pot, earning.weight, total) };
  });
}

/**
 * `device`'s history: its signatures (pages of 1,000), its transactions (100 per request), its
 * open bookings (one getProgramAccounts) and the records of the epochs it attested in (one
 * getMultipleAccounts per 100).
 */
export async function fetchDeviceHistory(
  connection: Connection,
  device: PublicKey,
  commitment: "confirmed" | "finalized" = "confirmed",
): Promise<DeviceHistory> {
  const [signatures, open] = await Promise.all([
    allSignatures(connection, device, commitment),
    fetchDeviceBookings(connection, device, commitment),
  ]);
  const ordered = signatures.filter((s) => s.err === null).reverse();
  const txs = await fetchTransactions(connection, ordered, commitment, true);
  const started = new Map<string, bigint>();
  for (const { address, booking } of open) {
    const at = toBigInt(booking.startedAt);
    if (at !== 0n) started.set(address.toBase58(), at);
  }
  const history = deviceHistoryOf(device, txs, started, []);
  const keys = history.epochs.map((e) => availabilityEpochPda(e.epoch).address);
  const records: ClosedEpochLike[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    const infos = await connection.getMultipleAccountsInfo(keys.slice(i, i + 100), commitment);
    for (const info of infos) if (info) records.push(decodeAvailabilityEpoch(info.data));
  }
  return { ...history, epochs: withEpochRewards(history.epochs, records) };
}

/** Seconds in the month the profitability view projects (30 days). */
export const MONTH_SECS = 30n * 24n * 3_600n;
/** Seconds in the year stake yield annualises over (365 days). */
export const YEAR_SECS = 365n * 24n * 3_600n;

/** What the profitability view shows, from a device's history over a window. */
export interface Profitability {
  /** Seconds of the window: from `since` to `now`. */
  windowSecs: bigint;
  /** Seconds delivered to renters in the window (settled jobs' delivered time, open jobs so far). */
  bookedSecs: bigint;
  /** bookedSecs / windowSecs in basis points (0 for an empty window). */
  utilisationBps: number;
  /** Owner pay of settled jobs in the window, payment token base units. */
  jobPay: bigint;
  /** jobPay per GPU-hour delivered (base units; 0 when nothing was delivered). */
  payPerGpuHour: bigint;
  /** jobPay at the window's rate over 30 days. */
  projectedMonthPay: bigint;
  /** Availability IO earned in closed epochs of the window (base units). */
  availabilityIo: bigint;
  /** availabilityIo at the window's rate over 30 days. */
  projectedMonthIo: bigint;
  /** availabilityIo at the window's rate over a year, per IO staked, in basis points (null unstaked). */
  stakeYieldBps: number | null;
}

/**
 * Profitability of `history` between `since` and `now` (Unix seconds): job pay counts the jobs
 * settled in the window, booked time what was delivered in it (a running job up to `now`),
 * availability the closed epochs that started in it (`epochStart(epoch)`). Projections scale the
 * window's totals linearly; the yield is the availability IO a year at that rate over `staked`.
 */
export function profitability(params: {
  history: Pick<DeviceHistory, "jobs" | "epochs">;
  gpuCount: number;
  since: bigint;
  now: bigint;
  staked: bigint;
  epochStart: (epoch: bigint) => bigint;
}): Profitability {
  const { history, gpuCount, since, now, staked, epochStart } = params;
  const windowSecs = now > since ? now - since : 0n;
  let bookedSecs = 0n;
  let jobPay = 0n;
  for (const job of history.jobs) {
    if (job.state === "settled") {
      if (job.settledAt !== null && job.settledAt >= since && job.settledAt <= now) {
        bookedSecs += job.deliveredSecs;
        jobPay += job.ownerPay;
      }
    } else if (job.state === "running" && job.bookedAt !== null) {
      const start = job.bookedAt > since ? job.bookedAt : since;
      const end = job.endsAt < now ? job.endsAt : now;
      if (end > start) bookedSecs += end - start;
    }
  }
  if (bookedSecs > windowSecs) bookedSecs = windowSecs;
  let availabilityIo = 0n;
  for (const e of history.epochs) {
    const start = epochStart(e.epoch);
    if (e.reward !== null && start >= since && start <= now) availabilityIo += e.reward;
  }
  const rate = (amount: bigint, over: bigint): bigint =>
    windowSecs === 0n ? 0n : (amount * over) / windowSecs;
  const gpuSecs = bookedSecs * BigInt(gpuCount);
  return {
    windowSecs,
    bookedSecs,
    utilisationBps: windowSecs === 0n ? 0 : Number((bookedSecs * 10_000n) / windowSecs),
    jobPay,
    payPerGpuHour: gpuSecs === 0n ? 0n : (jobPay * 3_600n) / gpuSecs,
    projectedMonthPay: rate(jobPay, MONTH_SECS),
    availabilityIo,
    projectedMonthIo: rate(availabilityIo, MONTH_SECS),
    stakeYieldBps:
      staked === 0n ? null : Number((rate(availabilityIo, YEAR_SECS) * 10_000n) / staked),
  };
}
