/**
 * What the benchmarks share to drive the local chain at speed: JSON-RPC over keep-alive HTTP,
 * confirmations through websocket `signatureSubscribe`, transactions signed with Node's native
 * Ed25519, packed to the legacy size limit and sent with bounded concurrency.
 */
import { createPrivateKey, sign as ed25519Sign } from "node:crypto";
import type { KeyObject } from "node:crypto";

import { utils } from "@coral-xyz/anchor";
import type { Program } from "@coral-xyz/anchor";
import { SystemProgram, Transaction } from "@solana/web3.js";
import type { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import WebSocket from "ws";
import { registerDeviceIx } from "@iogrid/sdk";
import type { RegisterDeviceParams, Registry } from "@iogrid/sdk";

import type { Localnet } from "../support/localnet.js";

/** The legacy transaction size limit. */
export const MAX_TX_BYTES = 1232;
/** Requests in flight by default. */
export const DEFAULT_CONCURRENCY = 64;

/** A signed transaction ready to send: its signature (base58) and wire bytes (base64). */
export interface SignedTransaction {
  signature: string;
  wire: string;
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC over keep-alive HTTP (Node's fetch pools connections per origin).

let rpcId = 0;
export async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.result as T;
}

// ---------------------------------------------------------------------------------------------
// Confirmations through signatureSubscribe.

export interface Confirmation {
  latencyMs: number;
  failed: boolean;
}

export class SignatureWatcher {
  private readonly sockets: WebSocket[] = [];
  private next = 0;
  private requestId = 0;
  private readonly acks = new Map<number, (subscription: number) => void>();
  private readonly bySubscription = new Map<string, (failed: boolean) => void>();

  static async open(url: string, count: number): Promise<SignatureWatcher> {
    const watcher = new SignatureWatcher();
    for (let i = 0; i < count; i++) {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      socket.on("message", (data: Buffer) => watcher.onMessage(i, data));
      watcher.sockets.push(socket);
    }
    return watcher;
  }

  private onMessage(socketIndex: number, data: Buffer): void {
    const message = JSON.parse(data.toString()) as {
      id?: number;
      result?: number;
      method?: string;
      params?: { subscription: number; result: { value: { err: unknown } } };
    };
    if (message.id !== undefined && typeof message.result === "number") {
      this.acks.get(message.id)?.(message.result);
      this.acks.delete(message.id);
    } else if (message.method === "signatureNotification" && message.params) {
      const key = `${socketIndex}:${message.params.subscription}`;
      const done = this.bySubscription.get(key);
      this.bySubscription.delete(key);
      done?.(message.params.result.value.err !== null);
    }
  }

  /** Subscribes (waiting for the server's acknowledgement); resolves `confirmed` on notification. */
  async subscribe(signature: string): Promise<{ confirmed: Promise<boolean> }> {
    const socketIndex = this.next++ % this.sockets.length;
    const id = ++this.requestId;
    const subscription = await new Promise<number>((resolve) => {
      this.acks.set(id, resolve);
      this.sockets[socketIndex]!.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "signatureSubscribe",
          params: [signature, { commitment: "confirmed" }],
        }),
      );
    });
    const confirmed = new Promise<boolean>((resolve) =>
      this.bySubscription.set(`${socketIndex}:${subscription}`, resolve),
    );
    return { confirmed };
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers to fund accounts and pack instructions into transactions.

export async function latestBlockhash(net: Localnet): Promise<string> {
  return (await net.connection.getLatestBlockhash("confirmed")).blockhash;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const nodeKeys = new WeakMap<Keypair, KeyObject>();

/** Node's native Ed25519 key for a keypair (web3.js signs and verifies in JavaScript, ~4 ms a tx). */
function nodeKey(keypair: Keypair): KeyObject {
  let key = nodeKeys.get(keypair);
  if (!key) {
    const seed = keypair.secretKey.subarray(0, 32);
    key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: "der",
      type: "pkcs8",
    });
    nodeKeys.set(keypair, key);
  }
  return key;
}

export function sign(tx: Transaction, blockhash: string, signers: Keypair[]): SignedTransaction {
  tx.recentBlockhash = blockhash;
  tx.feePayer = signers[0]!.publicKey;
  const message = tx.serializeMessage();
  for (const signer of signers) {
    tx.addSignature(signer.publicKey, ed25519Sign(null, message, nodeKey(signer)));
  }
  return {
    signature: utils.bytes.bs58.encode(tx.signature!),
    wire: tx.serialize({ verifySignatures: false }).toString("base64"),
  };
}

/** Sends prepared transactions (`concurrency` requests in flight) and waits for all to confirm. */
export async function sendAll(
  net: Localnet,
  watcher: SignatureWatcher,
  txs: SignedTransaction[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<{ failed: number; ms: number }> {
  const start = performance.now();
  let cursor = 0;
  let failed = 0;
  const confirmations: Promise<void>[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (cursor < txs.length) {
        const tx = txs[cursor++]!;
        const { confirmed } = await watcher.subscribe(tx.signature);
        await rpc(net.rpcUrl, "sendTransaction", [
          tx.wire,
          { encoding: "base64", skipPreflight: true, maxRetries: 0 },
        ]);
        confirmations.push(
          confirmed.then((f) => {
            if (f) failed++;
          }),
        );
      }
    }),
  );
  await Promise.all(confirmations);
  return { failed, ms: performance.now() - start };
}

/** Packs instructions into as few transactions as fit (`MAX_TX_BYTES`), all paid by `payer`. */
export function pack(
  instructions: TransactionInstruction[],
  blockhash: string,
  payer: Keypair,
  /** Keys that must also sign instruction `i` (e.g. a device's agent co-signing it). */
  cosigners: Keypair[][] = [],
): SignedTransaction[] {
  const out: SignedTransaction[] = [];
  let batch: TransactionInstruction[] = [];
  let signers: Keypair[] = [payer];
  const fits = (ixs: TransactionInstruction[], keys: Keypair[]) => {
    const tx = new Transaction().add(...ixs);
    tx.recentBlockhash = blockhash;
    tx.feePayer = payer.publicKey;
    return tx.serializeMessage().length + 1 + 64 * keys.length <= MAX_TX_BYTES;
  };
  const flush = () => {
    out.push(sign(new Transaction().add(...batch), blockhash, signers));
    batch = [];
    signers = [payer];
  };
  for (const [i, ix] of instructions.entries()) {
    const extra = (cosigners[i] ?? []).filter(
      (k) => !signers.some((s) => s.publicKey.equals(k.publicKey)),
    );
    if (batch.length > 0 && !fits([...batch, ix], [...signers, ...extra])) flush();
    batch.push(ix);
    for (const key of cosigners[i] ?? []) {
      if (!signers.some((s) => s.publicKey.equals(key.publicKey))) signers.push(key);
    }
  }
  if (batch.length > 0) flush();
  return out;
}

export async function fund(
  net: Localnet,
  watcher: SignatureWatcher,
  funder: Keypair,
  targets: PublicKey[],
  lamports: number,
): Promise<void> {
  const blockhash = await latestBlockhash(net);
  const ixs = targets.map((to) =>
    SystemProgram.transfer({ fromPubkey: funder.publicKey, toPubkey: to, lamports }),
  );
  const { failed } = await sendAll(net, watcher, pack(ixs, blockhash, funder));
  if (failed > 0) throw new Error(`${failed} funding transactions failed`);
}

/**
 * Registers devices `from` to `total - 1` (`params(i)`), device `i` owned by
 * `owners[i % owners.length]` and co-signed by `agentOf(owner)`: packed per owner, in chunks of
 * 2,000 devices each signed with a fresh blockhash. Returns the transactions sent and failed.
 */
export async function registerDevicesInChunks(
  net: Localnet,
  watcher: SignatureWatcher,
  program: Program<Registry>,
  owners: Keypair[],
  agentOf: (owner: Keypair) => Keypair,
  range: { from: number; total: number },
  params: (i: number) => Omit<RegisterDeviceParams, "owner" | "agent">,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<{ transactions: number; failed: number }> {
  const chunk = 2_000;
  let transactions = 0;
  let failed = 0;
  for (let base = range.from; base < range.total; base += chunk) {
    const blockhash = await latestBlockhash(net);
    const txs: SignedTransaction[] = [];
    for (const [o, owner] of owners.entries()) {
      const ixs: TransactionInstruction[] = [];
      for (let i = base + o; i < Math.min(base + chunk, range.total); i += owners.length) {
        ixs.push(
          await registerDeviceIx(program, {
            ...params(i),
            owner: owner.publicKey,
            agent: agentOf(owner).publicKey,
          }),
        );
      }
      txs.push(
        ...pack(
          ixs,
          blockhash,
          owner,
          ixs.map(() => [agentOf(owner)]),
        ),
      );
    }
    failed += (await sendAll(net, watcher, txs, concurrency)).failed;
    transactions += txs.length;
  }
  return { transactions, failed };
}
