/**
 * @iogrid/sdk/node: Node-only helpers (files, environment, sending). Never imported by the sdk's
 * browser-safe entry, so the web bundle does not pull in `node:` modules.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { utils } from "@coral-xyz/anchor";
import { Keypair, Transaction, TransactionExpiredBlockheightExceededError } from "@solana/web3.js";
import type {
  Commitment,
  Connection,
  Signer,
  TransactionError,
  TransactionSignature,
  VersionedTransaction,
} from "@solana/web3.js";

/** The Solana CLI's default wallet, `~/.config/solana/id.json`. */
export function defaultWalletPath(): string {
  return resolve(homedir(), ".config", "solana", "id.json");
}

/** Expands a leading `~/` to the home directory and resolves the path. */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  return resolve(path);
}

/** A keypair from the Solana CLI's JSON format (an array of 64 byte values). */
export function keypairFromJson(json: string, origin = "keypair"): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(json);
  } catch (e) {
    throw new Error(`${origin}: not JSON (${(e as Error).message})`);
  }
  if (
    !Array.isArray(bytes) ||
    bytes.length !== 64 ||
    !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new Error(`${origin}: expected a JSON array of 64 byte values`);
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** Loads a keypair file in the Solana CLI's JSON format. */
export function loadKeypair(path: string): Keypair {
  const file = expandHome(path);
  let json: string;
  try {
    json = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read keypair file ${file}: ${(e as Error).message}`);
  }
  return keypairFromJson(json, file);
}

/** Writes a keypair in the Solana CLI's JSON format, readable by its owner only. */
export function saveKeypair(path: string, keypair: Keypair): void {
  const file = expandHome(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(Array.from(keypair.secretKey)) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Loads the keypair at `path`, or generates and saves one there. */
export function loadOrCreateKeypair(path: string): { keypair: Keypair; created: boolean } {
  if (existsSync(expandHome(path))) return { keypair: loadKeypair(path), created: false };
  const keypair = Keypair.generate();
  saveKeypair(path, keypair);
  return { keypair, created: true };
}

/**
 * The keypair named by environment variable `name`: either a path to a keypair file or the
 * JSON array itself. Falls back to `fallbackPath` when the variable is unset; throws when
 * neither is available.
 */
export function keypairFromEnv(name: string, fallbackPath?: string): Keypair {
  const value = process.env[name]?.trim();
  if (value) {
    return value.startsWith("[") ? keypairFromJson(value, `$${name}`) : loadKeypair(value);
  }
  if (fallbackPath !== undefined) return loadKeypair(fallbackPath);
  throw new Error(`set ${name} to a keypair file path or a JSON array of 64 bytes`);
}

/** A transaction that landed with an error; `logs` are its program logs. */
export class TransactionFailedError extends Error {
  constructor(
    readonly signature: TransactionSignature,
    readonly err: TransactionError,
    readonly logs: string[],
  ) {
    super(
      `transaction ${signature} failed: ${JSON.stringify(err)}` +
        (logs.length > 0 ? `\n${logs.map((l) => `  ${l}`).join("\n")}` : ""),
    );
    this.name = "TransactionFailedError";
  }
}

export interface SendAndConfirmOptions {
  /** Commitment to wait for; default "confirmed". */
  commitment?: Commitment;
  /** Skip preflight simulation on the first send; default false. Re-broadcasts always skip it. */
  skipPreflight?: boolean;
  /** How often the same signed bytes are sent again until confirmed; default 2000 ms. */
  rebroadcastIntervalMs?: number;
  /** How often the signature's status is polled; default 250 ms. */
  pollIntervalMs?: number;
  /**
   * Last block height at which the transaction's blockhash is valid. Known automatically when
   * this function sets the blockhash; otherwise expiry is detected with `isBlockhashValid`.
   */
  lastValidBlockHeight?: number;
  /** Stops waiting (the transaction may still land). */
  signal?: AbortSignal;
}

const COMMITMENT_RANK: Record<string, number> = { processed: 0, confirmed: 1, finalized: 2 };

function rank(commitment: Commitment | undefined): number {
  if (commitment === "finalized" || commitment === "max" || commitment === "root") return 2;
  if (commitment === "processed" || commitment === "recent" || commitment === "single") return 0;
  return 1;
}

/**
 * Signs (if `signers` are given), sends, and waits for `tx` to reach the commitment, sending the
 * same signed bytes again every `rebroadcastIntervalMs` until it is confirmed or its blockhash
 * expires. A legacy `Transaction` without a blockhash gets the latest one, and without a fee
 * payer the first signer. Resolves to the signature; rejects with the preflight error (web3.js
 * `SendTransactionError`), a `TransactionFailedError` carrying the logs, or a
 * `TransactionExpiredBlockheightExceededError`.
 */
export async function sendAndConfirm(
  connection: Connection,
  tx: Transaction | VersionedTransaction,
  signers: Signer[],
  options: SendAndConfirmOptions = {},
): Promise<TransactionSignature> {
  const commitment = options.commitment ?? "confirmed";
  const rebroadcastMs = options.rebroadcastIntervalMs ?? 2000;
  const pollMs = options.pollIntervalMs ?? 250;
  let lastValidBlockHeight = options.lastValidBlockHeight;
  let blockhash: string;

  if (tx instanceof Transaction) {
    if (!tx.recentBlockhash) {
      const latest = await connection.getLatestBlockhash(commitment);
      tx.recentBlockhash = latest.blockhash;
      lastValidBlockHeight = latest.lastValidBlockHeight;
    }
    if (!tx.feePayer) {
      const payer = signers[0];
      if (!payer) throw new Error("a transaction without a fee payer needs at least one signer");
      tx.feePayer = payer.publicKey;
    }
    if (signers.length > 0) tx.partialSign(...signers);
    blockhash = tx.recentBlockhash;
  } else {
    if (signers.length > 0) tx.sign(signers);
    blockhash = tx.message.recentBlockhash;
  }

  const raw = tx.serialize();
  const firstSignature = tx instanceof Transaction ? tx.signature : tx.signatures[0];
  if (!firstSignature || firstSignature.every((b) => b === 0)) {
    throw new Error("the transaction is not signed by its fee payer");
  }
  const signature = utils.bytes.bs58.encode(firstSignature);

  await connection.sendRawTransaction(raw, {
    skipPreflight: options.skipPreflight ?? false,
    preflightCommitment: commitment,
    maxRetries: 0,
  });
  let lastSend = Date.now();

  for (;;) {
    options.signal?.throwIfAborted();
    const { value } = await connection.getSignatureStatuses([signature]);
    const status = value[0];
    if (status) {
      if (status.err) {
        throw new TransactionFailedError(
          signature,
          status.err,
          await transactionLogs(connection, signature),
        );
      }
      const reached = status.confirmationStatus
        ? (COMMITMENT_RANK[status.confirmationStatus] ?? 0)
        : 0;
      if (reached >= rank(commitment)) return signature;
    } else if (await expired(connection, blockhash, lastValidBlockHeight, commitment)) {
      // One last look: it may have landed in the meantime.
      const { value: last } = await connection.getSignatureStatuses([signature], {
        searchTransactionHistory: true,
      });
      if (!last[0]) throw new TransactionExpiredBlockheightExceededError(signature);
      continue;
    }
    if (Date.now() - lastSend >= rebroadcastMs) {
      lastSend = Date.now();
      await connection
        .sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 })
        .catch(() => undefined); // e.g. "already processed": the status poll decides.
    }
    await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

async function expired(
  connection: Connection,
  blockhash: string,
  lastValidBlockHeight: number | undefined,
  commitment: Commitment,
): Promise<boolean> {
  if (lastValidBlockHeight !== undefined) {
    return (await connection.getBlockHeight(commitment)) > lastValidBlockHeight;
  }
  return !(await connection.isBlockhashValid(blockhash, { commitment })).value;
}

async function transactionLogs(
  connection: Connection,
  signature: TransactionSignature,
): Promise<string[]> {
  const tx = await connection
    .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
    .catch(() => null);
  return tx?.meta?.logMessages ?? [];
}

export * from "./benchmark.js";
export * from "./cli.js";
export * from "./config.js";
export * from "./epoch.js";
export * from "./files.js";
export * from "./http.js";
export * from "./keys.js";
export * from "./log.js";
export * from "./metrics.js";
export * from "./rpc.js";
export * from "./send.js";
export * from "./solana-config.js";
export * from "./stake.js";
