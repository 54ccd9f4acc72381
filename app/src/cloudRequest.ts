/** The Cloud page's pure parts: the filter form as sdk criteria, ports, batch fitting, states. */
import { PACKET_DATA_SIZE, Transaction } from "@solana/web3.js";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";
import { IOSD_DECIMALS } from "@iogrid/sdk";
import type { Booking, DeviceCriteria } from "@iogrid/sdk";
import { big, parseUnits } from "./format.js";

/** The filter form as typed (empty fields match all). */
export interface CloudFilter {
  gpuModel: string;
  /** Fewest GPUs per device. */
  minGpus: string;
  /** Least VRAM per GPU, GiB. */
  minVramGib: string;
  region: string;
  /** Highest price per GPU-hour, IOSD. */
  maxPrice: string;
  /** Lowest reputation, percent. */
  minReputation: string;
}

export const NO_FILTER: CloudFilter = {
  gpuModel: "",
  minGpus: "",
  minVramGib: "",
  region: "",
  maxPrice: "",
  minReputation: "",
};

/** The sdk's `DeviceCriteria` of `filter`, or the first field that is not a number. */
export function criteriaOf(
  filter: CloudFilter,
): { ok: true; criteria: DeviceCriteria } | { ok: false; field: string } {
  const criteria: DeviceCriteria = {};
  if (filter.gpuModel !== "") criteria.gpuModel = filter.gpuModel;
  if (filter.region !== "") criteria.region = filter.region;
  const int = (text: string): number | null =>
    /^\s*\d+\s*$/.test(text) ? Number(text.trim()) : null;
  if (filter.minGpus.trim() !== "") {
    const v = int(filter.minGpus);
    if (v === null) return { ok: false, field: "GPUs per device" };
    criteria.minGpuCount = v;
  }
  if (filter.minVramGib.trim() !== "") {
    const v = int(filter.minVramGib);
    if (v === null) return { ok: false, field: "VRAM per GPU" };
    criteria.minVramMib = v * 1024;
  }
  if (filter.maxPrice.trim() !== "") {
    const v = parseUnits(filter.maxPrice, IOSD_DECIMALS);
    if (v === null) return { ok: false, field: "max price" };
    criteria.maxPricePerGpuHour = v;
  }
  if (filter.minReputation.trim() !== "") {
    const v = parseUnits(filter.minReputation, 2);
    if (v === null || v > 10_000n) return { ok: false, field: "min reputation" };
    criteria.minReputationBps = Number(v);
  }
  return { ok: true, criteria };
}

/** "8000, 8080" as ports (distinct, 1-65535, at most 16); null when not that. */
export function parsePorts(text: string): number[] | null {
  if (text.trim() === "") return [];
  const ports = text.split(",").map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p.trim()) : NaN));
  const ok =
    ports.length <= 16 &&
    new Set(ports).size === ports.length &&
    ports.every((p) => Number.isInteger(p) && p > 0 && p < 65_536);
  return ok ? ports : null;
}

const PLACEHOLDER_BLOCKHASH = "11111111111111111111111111111111";

/** Whether `instructions` fit one legacy transaction signed by `payer` alone. */
export function fitsTransaction(payer: PublicKey, instructions: TransactionInstruction[]): boolean {
  try {
    const tx = new Transaction({ feePayer: payer, recentBlockhash: PLACEHOLDER_BLOCKHASH });
    tx.add(...instructions);
    return tx.serializeMessage().length + 1 + 64 <= PACKET_DATA_SIZE;
  } catch {
    return false;
  }
}

/**
 * The most items per transaction, from `start` down, for which every instruction `build` makes
 * fits a transaction with `prefix` (the compute limit), and those instructions.
 */
export async function fittedBatches(
  payer: PublicKey,
  start: number,
  prefix: TransactionInstruction[],
  build: (perTx: number) => Promise<TransactionInstruction[]>,
): Promise<TransactionInstruction[]> {
  for (let perTx = start; perTx >= 1; perTx--) {
    const ixs = await build(perTx);
    if (ixs.every((ix) => fitsTransaction(payer, [...prefix, ix]))) return ixs;
  }
  throw new Error("even one device does not fit a transaction");
}

/** A booking's state in a word: booked (waiting for the agent), started, ended or a no-show. */
export function bookingStatus(
  b: Pick<Booking, "startedAt" | "endsAt" | "ackDeadline">,
  cancelled: boolean,
  now: bigint,
): string {
  const started = big(b.startedAt) !== 0n;
  if (cancelled) return "cancelled, to settle";
  if (now >= big(b.endsAt)) return "ended, to settle";
  if (started) return "started";
  return now > big(b.ackDeadline) ? "no start by the deadline" : "booked";
}
