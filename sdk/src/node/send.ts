/**
 * Sending transactions as a long-running bot must (the keeper's every bot, any daemon paying its
 * own fees): simulate first and stop on a program error, named through the sdk's error tables;
 * set the compute-unit limit from the simulation plus a margin; price the compute from recent
 * prioritization fees (or Helius' estimate), capped per compute unit and per transaction; send,
 * re-broadcast the same signed bytes until confirmed or the blockhash expires (`sendAndConfirm`),
 * then rebuild from a fresh simulation; retry transport failures with backoff; report every
 * outcome. In dry-run it simulates and reports, and sends nothing.
 */
import { setTimeout as sleep } from "node:timers/promises";

import {
  ComputeBudgetProgram,
  Ed25519Program,
  PublicKey,
  Secp256k1Program,
  SendTransactionError,
  TransactionExpiredBlockheightExceededError,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import type {
  AddressLookupTableAccount,
  Commitment,
  Connection,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";

import { transactionErrorName } from "../errors.js";
import { TransactionFailedError, sendAndConfirm } from "./index.js";
import { backoffDelay, errorText, isTransportError } from "./rpc.js";

/** Most compute units one transaction may ask for. */
export const MAX_COMPUTE_UNITS = 1_400_000;
/** Largest serialized transaction (a packet). */
export const MAX_TRANSACTION_BYTES = 1232;
/** Lamports per signature. */
export const LAMPORTS_PER_SIGNATURE = 5000;

/** Where the priority fee comes from. */
export type PriorityFeeSource = "recent" | "helius" | "fixed";
/** Helius' priority levels. */
export const HELIUS_PRIORITY_LEVELS = [
  "Min",
  "Low",
  "Medium",
  "High",
  "VeryHigh",
  "UnsafeMax",
] as const;
export type HeliusPriorityLevel = (typeof HELIUS_PRIORITY_LEVELS)[number];

export interface PriorityFeeOptions {
  /**
   * `recent`: a percentile of `getRecentPrioritizationFees` for the transaction's writable
   * accounts; `helius`: Helius' `getPriorityFeeEstimate` (JSON-RPC at `heliusUrl`), falling back
   * to `recent`; `fixed`: `fixedMicroLamports`. Any estimate that fails falls back, in that order,
   * to the fixed fee: never fatal.
   */
  source: PriorityFeeSource;
  /** Percentile (0-100) of the recent fees; default 50. */
  percentile?: number;
  /** A Helius RPC URL with its api key, for `source: helius`. */
  heliusUrl?: string;
  heliusLevel?: HeliusPriorityLevel;
  /** Micro-lamports per compute unit when nothing better is known; default 0. */
  fixedMicroLamports?: number;
  /** Highest price per compute unit paid, micro-lamports. */
  maxMicroLamportsPerCu: number;
  /** Highest priority fee per transaction, lamports (on top of the signature fees). */
  maxLamportsPerTx: number;
  /** How long one estimate is reused; default 10 s. */
  cacheMs?: number;
  /** Timeout of a Helius request; default 5 s. */
  timeoutMs?: number;
}

/** A price per compute unit and where it came from. */
export interface PriorityFee {
  microLamports: number;
  source: PriorityFeeSource;
}

/** The `p`-th percentile (0-100, nearest rank) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

/** The price per compute unit under both caps for a transaction asking `units`. */
export function cappedPrice(
  microLamports: number,
  units: number,
  caps: Pick<PriorityFeeOptions, "maxMicroLamportsPerCu" | "maxLamportsPerTx">,
): number {
  const perTx = units > 0 ? Math.floor((caps.maxLamportsPerTx * 1_000_000) / units) : 0;
  return Math.max(0, Math.floor(Math.min(microLamports, caps.maxMicroLamportsPerCu, perTx)));
}

/** Lamports a transaction of `signatures` signatures asking `units` at `microLamports` costs. */
export function transactionFee(signatures: number, units: number, microLamports: number): number {
  return signatures * LAMPORTS_PER_SIGNATURE + Math.ceil((microLamports * units) / 1_000_000);
}

/** The signature verification programs whose instructions the base fee counts per signature. */
const PRECOMPILES = [
  Ed25519Program.programId,
  Secp256k1Program.programId,
  new PublicKey("Secp256r1SigVerify1111111111111111111111111"),
];

/**
 * The signatures the base fee charges for: the transaction's own plus every signature a
 * precompile instruction verifies (its data's first byte), as the runtime counts them.
 */
export function feeSignatures(
  signers: number,
  instructions: readonly TransactionInstruction[],
): number {
  let total = signers;
  for (const ix of instructions) {
    if (PRECOMPILES.some((id) => id.equals(ix.programId))) total += ix.data[0] ?? 0;
  }
  return total;
}

/** Estimates the priority fee (see `PriorityFeeOptions`). */
export class PriorityFeeEstimator {
  private cached: { key: string; at: number; fee: PriorityFee } | undefined;

  constructor(
    private readonly connection: Connection,
    readonly options: PriorityFeeOptions,
    private readonly onFallback?: (from: PriorityFeeSource, error: unknown) => void,
  ) {}

  /** The price per compute unit for a transaction writing `writable` (before the caps). */
  async estimate(writable: readonly PublicKey[]): Promise<PriorityFee> {
    const key = writable
      .map((k) => k.toBase58())
      .sort()
      .join(",");
    const cacheMs = this.options.cacheMs ?? 10_000;
    if (this.cached && this.cached.key === key && Date.now() - this.cached.at < cacheMs) {
      return this.cached.fee;
    }
    const fee = await this.fresh(writable);
    this.cached = { key, at: Date.now(), fee };
    return fee;
  }

  private async fresh(writable: readonly PublicKey[]): Promise<PriorityFee> {
    const fixed: PriorityFee = {
      microLamports: this.options.fixedMicroLamports ?? 0,
      source: "fixed",
    };
    if (this.options.source === "fixed") return fixed;
    if (this.options.source === "helius" && this.options.heliusUrl) {
      try {
        return { microLamports: await this.helius(writable), source: "helius" };
      } catch (error) {
        this.onFallback?.("helius", error);
      }
    }
    try {
      const fees = await this.connection.getRecentPrioritizationFees({
        lockedWritableAccounts: writable.slice(0, 128) as PublicKey[],
      });
      return {
        microLamports: percentile(
          fees.map((f) => f.prioritizationFee),
          this.options.percentile ?? 50,
        ),
        source: "recent",
      };
    } catch (error) {
      this.onFallback?.("recent", error);
      return fixed;
    }
  }

  /**
   * Helius' documented JSON-RPC method `getPriorityFeeEstimate` with the writable accounts,
   * called directly: `helius-sdk` would bring a second Solana client stack (@solana/kit).
   */
  private async helius(writable: readonly PublicKey[]): Promise<number> {
    const response = await fetch(this.options.heliusUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "getPriorityFeeEstimate",
        params: [
          {
            accountKeys: writable.map((k) => k.toBase58()),
            options: { priorityLevel: this.options.heliusLevel ?? "Medium" },
          },
        ],
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    const body = (await response.json()) as {
      result?: { priorityFeeEstimate?: unknown };
      error?: { message?: string };
    };
    const estimate = body.result?.priorityFeeEstimate;
    if (typeof estimate !== "number" || !Number.isFinite(estimate) || estimate < 0) {
      throw new Error(`getPriorityFeeEstimate: ${body.error?.message ?? "no estimate"}`);
    }
    return Math.ceil(estimate);
  }
}

/** What became of one `send`. */
export interface SendOutcome {
  /** The request's label (e.g. "end_epoch"). */
  label: string;
  /**
   * `confirmed`: landed and succeeded; `dry-run`: simulated, not sent; `noop`: a named error
   * the request called benign (the work was done already, by this keeper or another);
   * `refused`: a program error before sending (simulation or preflight: no fee paid);
   * `failed`: landed with an error (fee paid); `expired`: not confirmed after every rebuild;
   * `error`: the RPC could not be reached or answered nonsense.
   */
  status: "confirmed" | "dry-run" | "noop" | "refused" | "failed" | "expired" | "error";
  signature?: TransactionSignature;
  /** The error's name (a program's, the runtime's), when there was one. */
  errorName?: string;
  /** Where the error showed: simulation, preflight or the landed transaction. */
  stage?: "simulation" | "preflight" | "landed";
  logs?: string[];
  /** The compute-unit limit set (from the simulation). */
  computeUnits?: number;
  /** The price per compute unit paid, micro-lamports. */
  microLamports?: number;
  /** Lamports this send cost (0 unless a transaction landed). */
  feeLamports: number;
  /** Transactions built (1 plus rebuilds after expiry). */
  builds: number;
  /** A one-line description of a non-program failure. */
  message?: string;
}

export interface SenderOptions {
  connection: Connection;
  /** Pays the fees and signs first. */
  payer: Signer;
  fees: PriorityFeeEstimator;
  commitment?: Commitment;
  /** Compute-unit limit = units the simulation used x margin (default 1.2) + 1,000. */
  computeUnitMargin?: number;
  rebroadcastIntervalMs?: number;
  pollIntervalMs?: number;
  /** New transactions built after the blockhash expired unconfirmed; default 2. */
  maxRebuilds?: number;
  /** Longest one transaction is waited for before it counts as expired; default 90 s. */
  confirmTimeoutMs?: number;
  /** Simulate and report only. */
  dryRun?: boolean;
  /** Called with every outcome (metrics, logs). */
  onOutcome?: (outcome: SendOutcome) => void;
}

/** One transaction to land. */
export interface SendRequest {
  label: string;
  /** The instructions (compute-budget instructions are added by the sender). */
  instructions: readonly TransactionInstruction[];
  /** Signers besides the payer. */
  signers?: readonly Signer[];
  /** With lookup tables the transaction is v0; without, legacy. */
  lookupTables?: readonly AddressLookupTableAccount[];
  /** Error names meaning the work is done already: the outcome is `noop`, not a failure. */
  benign?: readonly string[];
}

/** The compute-budget instructions the sender puts first. */
function budget(units: number, microLamports: number): TransactionInstruction[] {
  return [
    ComputeBudgetProgram.setComputeUnitLimit({ units }),
    ComputeBudgetProgram.setComputeUnitPrice({ microLamports }),
  ];
}

/**
 * The compiled message of `instructions` paid by `payer` (v0 with `lookupTables`, else legacy)
 * with a placeholder blockhash.
 */
function compile(
  payer: PublicKey,
  instructions: readonly TransactionInstruction[],
  blockhash: string,
  lookupTables?: readonly AddressLookupTableAccount[],
): VersionedTransaction {
  const message = new TransactionMessage({
    payerKey: payer,
    recentBlockhash: blockhash,
    instructions: [...instructions],
  });
  return new VersionedTransaction(
    lookupTables && lookupTables.length > 0
      ? message.compileToV0Message([...lookupTables])
      : message.compileToLegacyMessage(),
  );
}

/** A placeholder blockhash for sizing and simulating (the simulation replaces it). */
const PLACEHOLDER_BLOCKHASH = "11111111111111111111111111111111";

/**
 * Bytes the transaction of `instructions` (with the sender's two compute-budget instructions)
 * takes serialized and signed; `Infinity` when it does not even compile into a packet.
 */
export function transactionSize(
  payer: PublicKey,
  instructions: readonly TransactionInstruction[],
  lookupTables?: readonly AddressLookupTableAccount[],
): number {
  try {
    const tx = compile(
      payer,
      [...budget(MAX_COMPUTE_UNITS, 1), ...instructions],
      PLACEHOLDER_BLOCKHASH,
      lookupTables,
    );
    return tx.serialize().length;
  } catch {
    return Infinity;
  }
}

/** Whether the transaction of `instructions` fits a packet (see `transactionSize`). */
export function fitsTransaction(
  payer: PublicKey,
  instructions: readonly TransactionInstruction[],
  lookupTables?: readonly AddressLookupTableAccount[],
): boolean {
  return transactionSize(payer, instructions, lookupTables) <= MAX_TRANSACTION_BYTES;
}

/** Sends transactions (see the module's description). */
export class TransactionSender {
  private readonly commitment: Commitment;

  constructor(readonly options: SenderOptions) {
    this.commitment = options.commitment ?? "confirmed";
  }

  get payer(): PublicKey {
    return this.options.payer.publicKey;
  }

  get dryRun(): boolean {
    return this.options.dryRun ?? false;
  }

  /** Lands `request` (or simulates it in dry-run); never throws, the outcome says what happened. */
  async send(request: SendRequest): Promise<SendOutcome> {
    const outcome = await this.attempt(request).catch((error: unknown): SendOutcome => ({
      label: request.label,
      status: "error",
      feeLamports: 0,
      builds: 0,
      message: errorText(error),
    }));
    this.options.onOutcome?.(outcome);
    return outcome;
  }

  private programIds(request: SendRequest): PublicKey[] {
    const cb = ComputeBudgetProgram.programId;
    return [cb, cb, ...request.instructions.map((ix) => ix.programId)];
  }

  private async attempt(request: SendRequest): Promise<SendOutcome> {
    const { connection } = this.options;
    const benign = new Set(request.benign ?? []);
    const programIds = this.programIds(request);
    const signers = [this.options.payer, ...(request.signers ?? [])];
    const base = { label: request.label, feeLamports: 0 };
    const maxRebuilds = this.options.maxRebuilds ?? 2;
    let feeLamports = 0;

    for (let builds = 1; ; builds++) {
      // Simulate with the most compute a transaction may have; size the limit from what it used.
      const probe = compile(
        this.payer,
        [...budget(MAX_COMPUTE_UNITS, 0), ...request.instructions],
        PLACEHOLDER_BLOCKHASH,
        request.lookupTables,
      );
      const simulation = await withTransportRetries(() =>
        connection.simulateTransaction(probe, {
          sigVerify: false,
          replaceRecentBlockhash: true,
          commitment: this.commitment,
        }),
      );
      const sim = simulation.value;
      if (sim.err) {
        const errorName =
          transactionErrorName(sim.err, { logs: sim.logs ?? [], programIds }) ?? "Unknown";
        return {
          ...base,
          feeLamports,
          builds,
          status: benign.has(errorName) ? "noop" : "refused",
          errorName,
          stage: "simulation",
          logs: sim.logs ?? [],
        };
      }
      const used = sim.unitsConsumed ?? MAX_COMPUTE_UNITS;
      const units = Math.min(
        MAX_COMPUTE_UNITS,
        Math.ceil(used * (this.options.computeUnitMargin ?? 1.2)) + 1_000,
      );
      const writable = writableAccounts(request.instructions, this.payer);
      const fee = await this.options.fees.estimate(writable);
      const microLamports = cappedPrice(fee.microLamports, units, this.options.fees.options);
      if (this.dryRun) {
        return {
          ...base,
          feeLamports,
          builds,
          status: "dry-run",
          computeUnits: units,
          microLamports,
          logs: sim.logs ?? [],
        };
      }

      const latest = await withTransportRetries(() =>
        connection.getLatestBlockhash(this.commitment),
      );
      const tx = compile(
        this.payer,
        [...budget(units, microLamports), ...request.instructions],
        latest.blockhash,
        request.lookupTables,
      );
      tx.sign(signers);
      const cost = transactionFee(
        feeSignatures(signers.length, request.instructions),
        units,
        microLamports,
      );
      const landed = await this.confirm(tx, latest.lastValidBlockHeight);
      const info = { ...base, builds, computeUnits: units, microLamports };
      switch (landed.kind) {
        case "confirmed":
          return {
            ...info,
            feeLamports: feeLamports + cost,
            status: "confirmed",
            signature: landed.signature,
          };
        case "failed": {
          feeLamports += cost;
          const errorName =
            transactionErrorName(landed.error.err, { logs: landed.error.logs, programIds }) ??
            "Unknown";
          return {
            ...info,
            feeLamports,
            status: benign.has(errorName) ? "noop" : "failed",
            signature: landed.error.signature,
            errorName,
            stage: "landed",
            logs: landed.error.logs,
          };
        }
        case "refused": {
          const errorName =
            transactionErrorName(landed.error, { logs: landed.error.logs ?? [], programIds }) ??
            "Unknown";
          if (!/blockhash not found/i.test(landed.error.message)) {
            return {
              ...info,
              feeLamports,
              status: benign.has(errorName) ? "noop" : "refused",
              errorName,
              stage: "preflight",
              logs: landed.error.logs ?? [],
            };
          }
          break; // the node does not know the blockhash yet: build again
        }
        case "expired":
          break;
      }
      if (builds > maxRebuilds) {
        return {
          ...info,
          feeLamports,
          status: "expired",
          message: `not confirmed before its blockhash expired, ${builds} times`,
        };
      }
    }
  }

  /**
   * Sends the signed `tx` until it is confirmed, lands with an error, is refused in preflight
   * or its blockhash expires; a transport failure re-sends the same bytes (never a second
   * transaction) after a backoff.
   */
  private async confirm(
    tx: VersionedTransaction,
    lastValidBlockHeight: number,
  ): Promise<
    | { kind: "confirmed"; signature: TransactionSignature }
    | { kind: "failed"; error: TransactionFailedError }
    | { kind: "refused"; error: SendTransactionError }
    | { kind: "expired" }
  > {
    const deadline = Date.now() + (this.options.confirmTimeoutMs ?? 90_000);
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: "expired" };
      try {
        const signature = await sendAndConfirm(this.options.connection, tx, [], {
          commitment: this.commitment,
          lastValidBlockHeight,
          // A re-send after a transport failure may meet the first copy already processed.
          skipPreflight: attempt > 0,
          rebroadcastIntervalMs: this.options.rebroadcastIntervalMs,
          pollIntervalMs: this.options.pollIntervalMs,
          signal: AbortSignal.timeout(remaining),
        });
        return { kind: "confirmed", signature };
      } catch (error) {
        if (error instanceof TransactionFailedError) return { kind: "failed", error };
        if (error instanceof TransactionExpiredBlockheightExceededError) return { kind: "expired" };
        if (error instanceof SendTransactionError && !isTransportError(error)) {
          return { kind: "refused", error };
        }
        if ((error as Error)?.name === "TimeoutError" && Date.now() >= deadline) {
          return { kind: "expired" };
        }
        if (!isTransportError(error)) throw error;
        await sleep(Math.min(backoffDelay(attempt, 250, 4_000), Math.max(0, remaining)));
      }
    }
  }
}

/** Repeats a read a few times over transport failures. */
async function withTransportRetries<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt + 1 >= attempts || !isTransportError(error)) throw error;
      await sleep(backoffDelay(attempt, 250, 4_000));
    }
  }
}

/** The accounts `instructions` write (the fee payer included), for fee estimates. */
export function writableAccounts(
  instructions: readonly TransactionInstruction[],
  payer: PublicKey,
): PublicKey[] {
  const seen = new Map<string, PublicKey>([[payer.toBase58(), payer]]);
  for (const ix of instructions) {
    for (const key of ix.keys) if (key.isWritable) seen.set(key.pubkey.toBase58(), key.pubkey);
  }
  return [...seen.values()];
}
