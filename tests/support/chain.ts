/**
 * Small helpers shared by the integration tests: funding, waiting, collecting callbacks, telling
 * repeated transactions apart.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { getAccount } from "@solana/spl-token";
import { BANDWIDTH_TIER } from "@iogrid/sdk";
import type { DeviceSpecs } from "@iogrid/sdk";
import { sendAndConfirm } from "@iogrid/sdk/node";
import {
  ComputeBudgetProgram,
  Keypair,
  LAMPORTS_PER_SOL,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
} from "@solana/web3.js";
import type {
  Connection,
  PublicKey,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";

export { sleep };

/** An 8x H100 80GB server: VRAM and RAM in MiB, storage in GiB. */
export const H100_SERVER_SPECS: DeviceSpecs = {
  gpuCount: 8,
  vramMib: 81_920,
  cpuCores: 96,
  ramMib: 1_048_576,
  storageGib: 7_680,
  bandwidthTier: BANDWIDTH_TIER.high,
};

/** Solana's base fee: lamports per signature. */
export const FEE_PER_SIGNATURE = 5000;

/** Airdrops `lamports` to `to` and waits until the airdrop is confirmed. */
export async function airdrop(
  connection: Connection,
  to: PublicKey,
  lamports: number,
): Promise<TransactionSignature> {
  const signature = await connection.requestAirdrop(to, lamports);
  const latest = await connection.getLatestBlockhash();
  const { value } = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (value.err) throw new Error(`airdrop ${signature} failed: ${JSON.stringify(value.err)}`);
  return signature;
}

/** A new keypair holding `sol` SOL. */
export async function fundedKeypair(connection: Connection, sol = 10): Promise<Keypair> {
  const keypair = Keypair.generate();
  await airdrop(connection, keypair.publicKey, sol * LAMPORTS_PER_SOL);
  return keypair;
}

/** A tuple of `N` keypairs. */
type Keypairs<N extends number, A extends Keypair[] = []> = A["length"] extends N
  ? A
  : Keypairs<N, [...A, Keypair]>;

/** `count` new keypairs holding `sol` SOL each, as a tuple to destructure. */
export async function fundedKeypairs<N extends number>(
  connection: Connection,
  count: N,
  sol = 10,
): Promise<Keypairs<N>> {
  const keypairs: Keypair[] = [];
  for (let i = 0; i < count; i++) keypairs.push(await fundedKeypair(connection, sol));
  return keypairs as Keypairs<N>;
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Collects callback invocations; `next()` waits for the next one not yet taken. */
export class Collector<T> {
  readonly items: T[] = [];
  private taken = 0;
  private waiters: (() => void)[] = [];

  /** The callback to hand to a subscription. */
  readonly push = (item: T): void => {
    this.items.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  };

  /** Waits for an item matching `match` (skipping earlier non-matching ones). */
  async next(
    what: string,
    match: (item: T) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.taken < this.items.length) {
        const item = this.items[this.taken++]!;
        if (match(item)) return item;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get count(): number {
    return this.items.length;
  }
}

let distinctCount = 0;
/**
 * A compute-budget instruction that makes a repeated call's transaction differ from an identical
 * earlier one: the same signed bytes within a blockhash's lifetime are deduplicated as "already
 * processed", as on any validator, before the program could answer.
 */
export function distinct(): TransactionInstruction {
  distinctCount += 1;
  return ComputeBudgetProgram.setComputeUnitLimit({ units: 400_000 - distinctCount });
}

/** Sends `ix` in a transaction of its own (made `distinct`) and waits for its confirmation. */
export function sendDistinct(
  connection: Connection,
  ix: TransactionInstruction,
  signers: Signer[],
): Promise<TransactionSignature> {
  return sendAndConfirm(connection, new Transaction().add(distinct(), ix), signers);
}

/** The amount an SPL Token account holds, in base units. */
export async function tokenBalance(connection: Connection, account: PublicKey): Promise<bigint> {
  return (await getAccount(connection, account)).amount;
}

/** The rejection of `promise`, failing if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** The chain's `Clock::unix_timestamp`, from the clock sysvar. */
export async function chainTime(connection: Connection): Promise<number> {
  const info = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (!info) throw new Error("no clock sysvar");
  return Number(info.data.readBigInt64LE(32));
}

/**
 * Moves the local chain's Clock forward to `unixTimestamp` and starts a new slot with it
 * (`localnet_warpClock`, local chains only; the Clock never goes back). Blockhashes stay valid:
 * their lifetime is counted in slots, not time.
 */
export async function warpClock(
  rpcUrl: string,
  unixTimestamp: number,
): Promise<{ slot: number; unixTimestamp: number }> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "localnet_warpClock",
      params: [unixTimestamp],
    }),
  });
  const body = (await response.json()) as {
    result?: { slot: number; unixTimestamp: number };
    error?: { message: string };
  };
  if (body.error || !body.result) {
    throw new Error(`localnet_warpClock(${unixTimestamp}): ${body.error?.message ?? "no result"}`);
  }
  return body.result;
}

/** `warpClock` to a time after the chain's, checking the chain's Clock got there. */
export async function warpTo(
  connection: Connection,
  rpcUrl: string,
  unixTimestamp: bigint,
): Promise<void> {
  const now = await chainTime(connection);
  if (Number(unixTimestamp) <= now) throw new Error(`warp to ${unixTimestamp} from ${now}`);
  await warpClock(rpcUrl, Number(unixTimestamp));
  const after = await chainTime(connection);
  if (after < Number(unixTimestamp))
    throw new Error(`warped to ${unixTimestamp}, clock at ${after}`);
}
