/**
 * What an observer of the network reads, beyond the device list: market prices per GPU model,
 * IO emitted and burned per epoch (iotoken's epoch records, and its burn events from the IO
 * mint's transactions), the clusters running, and one cluster's devices, time left, payments and
 * settlements (from the reservation, its open bookings and its receipts). Browser-safe.
 */
import type { Connection, VersionedTransactionResponse } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";

import type { BookingEntry, ReservationEntry } from "./bookings.js";
import { IOTOKEN_PROGRAM_ID } from "./constants.js";
import type { MarketDevice } from "./market.js";
import { epochAt } from "./iotoken/math.js";
import {
  EPOCH_RECORD_ACCOUNT_SIZE,
  decodeEpochRecord,
  iotokenCoder,
  parseIotokenEvents,
} from "./iotoken.js";
import type { EpochRecord, IotokenEvents } from "./iotoken.js";
import { toBigInt } from "./ints.js";
import { ioMintPda } from "./pda.js";
import { fetchTransactions } from "./receipts.js";
import type { ReservationReceipts } from "./receipts.js";

/** The prices asked for one GPU model (payment token base units per GPU-hour, IOSD). */
export interface ModelPrice {
  gpuModel: string;
  devices: number;
  gpus: number;
  lowest: bigint;
  /** The lower median of the devices' prices. */
  median: bigint;
  highest: bigint;
}

/** Prices per GPU model of `devices` (a market snapshot's: active and free), by model name. */
export function marketPricesByModel(
  devices: readonly Pick<MarketDevice, "device">[],
): ModelPrice[] {
  const byModel = new Map<string, { prices: bigint[]; gpus: number }>();
  for (const { device } of devices) {
    const entry = byModel.get(device.gpuModel) ?? { prices: [], gpus: 0 };
    entry.prices.push(toBigInt(device.pricePerGpuHour));
    entry.gpus += device.specs.gpuCount;
    byModel.set(device.gpuModel, entry);
  }
  return [...byModel]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([gpuModel, { prices, gpus }]) => {
      prices.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        gpuModel,
        devices: prices.length,
        gpus,
        lowest: prices[0]!,
        median: prices[Math.floor((prices.length - 1) / 2)]!,
        highest: prices[prices.length - 1]!,
      };
    });
}

/** IO burned by one transaction: for IOSD (`IosdMinted`) or by the buyback (`BuybackBurned`). */
export interface IoBurn {
  signature: string;
  kind: "iosd" | "buyback";
  /** The emission epoch it falls in (the event's for IOSD, the block time's for a buyback). */
  epoch: bigint;
  ioBurned: bigint;
}

/** One epoch of the token's history, IO base units. */
export interface TokenEpoch {
  epoch: bigint;
  /** Net emission minted when the epoch was ended; null while not ended. */
  emitted: bigint | null;
  burned: bigint;
  /** Supply right after the epoch was ended; null while not ended. */
  supplyAfter: bigint | null;
}

/** The burns of landed transactions `txs`; buybacks dated by block time against `origin`. */
export function ioBurnsOf(txs: readonly VersionedTransactionResponse[], origin: bigint): IoBurn[] {
  const out: IoBurn[] = [];
  for (const tx of txs) {
    if (tx.meta?.err) continue;
    const signature = tx.transaction.signatures[0]!;
    for (const event of parseIotokenEvents(tx.meta?.logMessages ?? [])) {
      if (event.name === "iosdMinted") {
        const e = event.data as IotokenEvents["iosdMinted"];
        out.push({
          signature,
          kind: "iosd",
          epoch: toBigInt(e.burnEpoch),
          ioBurned: toBigInt(e.ioBurned),
        });
      } else if (event.name === "buybackBurned") {
        const e = event.data as IotokenEvents["buybackBurned"];
        out.push({
          signature,
          kind: "buyback",
          epoch: epochAt(origin, BigInt(tx.blockTime ?? 0)),
          ioBurned: toBigInt(e.ioBurned),
        });
      }
    }
  }
  return out;
}

/** Emission and burns per epoch, oldest first: every ended epoch and every epoch with a burn. */
export function tokenHistory(
  records: readonly Pick<EpochRecord, "epoch" | "netEmission" | "supplyAfter">[],
  burns: readonly Pick<IoBurn, "epoch" | "ioBurned">[],
): TokenEpoch[] {
  const epochs = new Map<bigint, TokenEpoch>();
  const at = (epoch: bigint): TokenEpoch => {
    let e = epochs.get(epoch);
    if (!e) {
      e = { epoch, emitted: null, burned: 0n, supplyAfter: null };
      epochs.set(epoch, e);
    }
    return e;
  };
  for (const r of records) {
    const e = at(r.epoch);
    e.emitted = r.netEmission;
    e.supplyAfter = r.supplyAfter;
  }
  for (const b of burns) at(b.epoch).burned += b.ioBurned;
  return [...epochs.values()].sort((a, b) => (a.epoch < b.epoch ? -1 : 1));
}

/**
 * The token's history: every epoch record (one getProgramAccounts) and the burns in the IO
 * mint's newest `maxTransactions` transactions (one getSignaturesForAddress, then 100
 * transactions per request); `complete` says whether that reached the mint's first transaction.
 */
export async function fetchTokenHistory(
  connection: Connection,
  origin: bigint,
  options: { commitment?: "confirmed" | "finalized"; maxTransactions?: number } = {},
): Promise<{ epochs: TokenEpoch[]; burns: IoBurn[]; complete: boolean }> {
  const commitment = options.commitment ?? "confirmed";
  const limit = Math.min(options.maxTransactions ?? 1_000, 1_000);
  const [accounts, signatures] = await Promise.all([
    connection.getProgramAccounts(IOTOKEN_PROGRAM_ID, {
      commitment,
      filters: [
        { dataSize: EPOCH_RECORD_ACCOUNT_SIZE },
        {
          memcmp: iotokenCoder().accounts.memcmp("epochRecord") as {
            offset: number;
            bytes: string;
          },
        },
      ],
    }),
    connection.getSignaturesForAddress(ioMintPda().address, { limit }, commitment),
  ]);
  const records = accounts.map(({ account }) => decodeEpochRecord(account.data));
  const landed = signatures.filter((s) => s.err === null).reverse();
  const txs = await fetchTransactions(connection, landed, commitment, true);
  const burns = ioBurnsOf(txs, origin);
  return { epochs: tokenHistory(records, burns), burns, complete: signatures.length < limit };
}

/** A reservation is running while it is not cancelled, has open bookings and has time left. */
export function isRunning(reservation: ReservationEntry["reservation"], now: bigint): boolean {
  return (
    toBigInt(reservation.cancelledAt) === 0n &&
    reservation.bookingsOpen > 0 &&
    toBigInt(reservation.lastEndsAt) > now
  );
}

/** One device of a cluster as an observer sees it. */
export interface ClusterDevice {
  booking: PublicKey;
  device: PublicKey;
  /** `awaiting start` until the agent acknowledges, then `running`, `ended` after its end. */
  state: "awaiting start" | "running" | "ended";
  startedAt: bigint;
  endsAt: bigint;
  /** Seconds until the booking ends (0 once ended). */
  secondsLeft: bigint;
  pricePerHour: bigint;
}

/** A cluster's devices, payments and settlements. */
export interface ClusterView {
  state: "running" | "cancelled" | "ended" | "closed";
  devices: ClusterDevice[];
  /** Paid into the vault (bookings and extensions). */
  paid: bigint;
  /** Owner pay, staker share, fees, refunds and tips of every settled booking. */
  settlements: ReservationReceipts["receipts"][number]["settlements"];
  /** Seconds until the last booking ends (0 once ended). */
  secondsLeft: bigint;
}

/** The view of a reservation (null once closed) with its open bookings and receipts at `now`. */
export function clusterView(
  reservation: ReservationEntry["reservation"] | null,
  bookings: readonly BookingEntry[],
  receipts: Pick<ReservationReceipts, "receipts"> | null,
  now: bigint,
): ClusterView {
  const left = (end: bigint): bigint => (end > now ? end - now : 0n);
  const devices = bookings.map(({ address, booking }): ClusterDevice => {
    const startedAt = toBigInt(booking.startedAt);
    const endsAt = toBigInt(booking.endsAt);
    return {
      booking: address,
      device: booking.device,
      state: endsAt <= now ? "ended" : startedAt === 0n ? "awaiting start" : "running",
      startedAt,
      endsAt,
      secondsLeft: left(endsAt),
      pricePerHour: toBigInt(booking.pricePerHour),
    };
  });
  const all = receipts?.receipts ?? [];
  const state = !reservation
    ? "closed"
    : toBigInt(reservation.cancelledAt) !== 0n
      ? "cancelled"
      : isRunning(reservation, now)
        ? "running"
        : "ended";
  return {
    state,
    devices,
    paid: all.reduce((s, r) => s + r.paid, 0n),
    settlements: all.flatMap((r) => r.settlements),
    secondsLeft: reservation ? left(toBigInt(reservation.lastEndsAt)) : 0n,
  };
}
