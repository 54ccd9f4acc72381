/**
 * Local chain benchmark: sustained JSON-RPC throughput and confirmation latency for SOL transfers
 * and registry `update_device`, then the chain's memory with 10,000 registered devices.
 *
 * Starts its own chain (400 ms slots, like mainnet), pre-funds payers, pre-signs transactions,
 * then for a fixed window sends them over keep-alive HTTP with bounded concurrency (requests in
 * flight) and confirms each through a websocket `signatureSubscribe` taken before the send.
 * Prints figures only; nothing here asserts on timing.
 *
 * Usage: tsx tests/bench/localnet.ts [--seconds 10] [--concurrency 64] [--payers 256]
 *          [--devices 300] [--bulk-devices 10000] [--slot-ms 400] [--preflight]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import type { Program } from "@coral-xyz/anchor";
import { Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction } from "@solana/web3.js";

import {
  DEVICE_ACCOUNT_SIZE,
  REGISTRY_PROGRAM_ID,
  devicePda,
  deviceSizeFilter,
  registerDeviceIx,
  registryProgram,
  updateDeviceIx,
} from "@iogrid/sdk";
import type { Registry } from "@iogrid/sdk";

import { H100_SERVER_SPECS, sleep } from "../support/chain.js";
import { startLocalnet } from "../support/localnet.js";
import type { Localnet } from "../support/localnet.js";
import {
  SignatureWatcher,
  fund,
  latestBlockhash,
  pack,
  registerDevicesInChunks,
  rpc,
  sendAll,
  sign,
} from "./load.js";
import type { Confirmation, SignedTransaction } from "./load.js";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "64" },
    payers: { type: "string", default: "256" },
    devices: { type: "string", default: "300" },
    "bulk-devices": { type: "string", default: "10000" },
    "slot-ms": { type: "string", default: "400" },
    preflight: { type: "boolean", default: false },
  },
});
const WINDOW_MS = Number(flags.seconds) * 1000;
const CONCURRENCY = Number(flags.concurrency);
const PAYERS = Number(flags.payers);
const UPDATE_DEVICES = Number(flags.devices);
const BULK_DEVICES = Number(flags["bulk-devices"]);
const SLOT_MS = Number(flags["slot-ms"]);
const SKIP_PREFLIGHT = !flags.preflight;
/** Transactions signed ahead per phase: enough for 2,500/s over the window. */
const POOL = Math.ceil((2_500 * WINDOW_MS) / 1000);
/** Websocket connections the confirmations are spread over. */
const SOCKETS = 4;

const SPECS = H100_SERVER_SPECS;

// ---------------------------------------------------------------------------------------------
// The load loop shared by the phases.

interface PhaseResult {
  submitted: number;
  sendErrors: number;
  confirmations: Confirmation[];
  sendWindowMs: number;
  confirmWindowMs: number;
}

async function runLoad(
  net: Localnet,
  watcher: SignatureWatcher,
  pool: SignedTransaction[],
): Promise<PhaseResult> {
  const confirmations: Confirmation[] = [];
  const pending: Promise<void>[] = [];
  let cursor = 0;
  let submitted = 0;
  let sendErrors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + WINDOW_MS;
  let lastConfirmation = start;

  async function sender(): Promise<void> {
    while (performance.now() < deadline && cursor < pool.length) {
      const tx = pool[cursor++]!;
      const { confirmed } = await watcher.subscribe(tx.signature);
      const sentAt = performance.now();
      try {
        await rpc<string>(net.rpcUrl, "sendTransaction", [
          tx.wire,
          { encoding: "base64", skipPreflight: SKIP_PREFLIGHT, maxRetries: 0 },
        ]);
        submitted++;
        pending.push(
          confirmed.then((failed) => {
            const now = performance.now();
            lastConfirmation = Math.max(lastConfirmation, now);
            confirmations.push({ latencyMs: now - sentAt, failed });
          }),
        );
      } catch (e) {
        sendErrors++;
        firstError ??= (e as Error).message;
      }
    }
  }

  await Promise.all(Array.from({ length: CONCURRENCY }, () => sender()));
  const sendWindowMs = performance.now() - start;
  if (cursor >= pool.length) {
    console.log(`  (the ${pool.length} pre-signed transactions ran out before the window ended)`);
  }
  // Give the last transactions a few slots to confirm.
  await Promise.race([Promise.all(pending), sleep(Math.max(5_000, 10 * SLOT_MS))]);
  if (firstError) console.log(`  first send error: ${firstError}`);
  return {
    submitted,
    sendErrors,
    confirmations: [...confirmations],
    sendWindowMs,
    confirmWindowMs: lastConfirmation - start,
  };
}

/** One host agent key per owner: it co-signs every device that owner registers here. */
const agents = new Map<Keypair, Keypair>();
function agentOf(owner: Keypair): Keypair {
  let agent = agents.get(owner);
  if (!agent) agents.set(owner, (agent = Keypair.generate()));
  return agent;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function report(name: string, result: PhaseResult): void {
  const latencies = result.confirmations.map((c) => c.latencyMs).sort((a, b) => a - b);
  const failed = result.confirmations.filter((c) => c.failed).length;
  const unconfirmed = result.submitted - result.confirmations.length;
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "n/a");
  console.log(`${name}:`);
  console.log(
    `  submitted   ${result.submitted} in ${(result.sendWindowMs / 1000).toFixed(1)} s = ${fmt(
      (result.submitted * 1000) / result.sendWindowMs,
    )}/s (send errors ${result.sendErrors})`,
  );
  console.log(
    `  confirmed   ${result.confirmations.length} in ${(result.confirmWindowMs / 1000).toFixed(1)} s = ${fmt(
      (result.confirmations.length * 1000) / result.confirmWindowMs,
    )}/s (failed on chain ${failed}, unconfirmed ${unconfirmed})`,
  );
  console.log(
    `  latency     p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(
      latencies[latencies.length - 1] ?? NaN,
    )} ms (send -> signatureNotification, slot ${SLOT_MS} ms)`,
  );
}

function rssKib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(
    `iogrid local chain benchmark: ${WINDOW_MS / 1000} s windows, ${CONCURRENCY} requests in flight, ` +
      `${PAYERS} payers, slot ${SLOT_MS} ms, preflight ${SKIP_PREFLIGHT ? "skipped" : "on"}`,
  );
  const net = await startLocalnet({ slotMs: SLOT_MS, readyTimeoutMs: 120_000 });
  const watcher = await SignatureWatcher.open(net.wsUrl, SOCKETS);
  try {
    const funder = Keypair.generate();
    const signature = await net.connection.requestAirdrop(
      funder.publicKey,
      1_000_000 * LAMPORTS_PER_SOL,
    );
    await net.connection.confirmTransaction({
      signature,
      ...(await net.connection.getLatestBlockhash()),
    });

    // --- SOL transfers ------------------------------------------------------------------------
    const payers = Array.from({ length: PAYERS }, () => Keypair.generate());
    await fund(
      net,
      watcher,
      funder,
      payers.map((p) => p.publicKey),
      10 * LAMPORTS_PER_SOL,
    );
    let started = performance.now();
    let blockhash = await latestBlockhash(net);
    const transfers = Array.from({ length: POOL }, (_, i) => {
      const from = payers[i % PAYERS]!;
      const to = payers[(i + 1) % PAYERS]!.publicKey;
      // A distinct amount keeps every transaction's signature distinct.
      const tx = new Transaction().add(
        SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 1_000 + i }),
      );
      return sign(tx, blockhash, [from]);
    });
    console.log(
      `signed ${transfers.length} transfers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    report("SOL transfers", await runLoad(net, watcher, transfers));

    // --- registry update_device ---------------------------------------------------------------
    const program: Program<Registry> = registryProgram();
    const owners = payers.slice(0, Math.min(PAYERS, 64));
    const devices = Array.from({ length: UPDATE_DEVICES }, (_, i) => {
      const deviceId = `bench-${i}-${Keypair.generate().publicKey.toBase58().slice(0, 8)}`;
      return { owner: owners[i % owners.length]!, deviceId, device: devicePda(deviceId).address };
    });
    started = performance.now();
    blockhash = await latestBlockhash(net);
    const registrations: SignedTransaction[] = [];
    for (const owner of owners) {
      const mine = devices.filter((d) => d.owner === owner);
      const ixs = await Promise.all(
        mine.map((d) =>
          registerDeviceIx(program, {
            owner: owner.publicKey,
            deviceId: d.deviceId,
            name: d.deviceId.slice(0, 32),
            gpuModel: "NVIDIA H100 80GB HBM3",
            region: "us-east",
            specs: SPECS,
            pricePerGpuHour: 2_000_000,
            agent: agentOf(owner).publicKey,
          }),
        ),
      );
      registrations.push(
        ...pack(
          ixs,
          blockhash,
          owner,
          ixs.map(() => [agentOf(owner)]),
        ),
      );
    }
    const registered = await sendAll(net, watcher, registrations, CONCURRENCY);
    console.log(
      `registered ${devices.length} devices in ${registrations.length} transactions ` +
        `(${(registered.ms / 1000).toFixed(1)} s, ${registered.failed} failed)`,
    );
    blockhash = await latestBlockhash(net);
    const updates: SignedTransaction[] = [];
    for (let i = 0; i < POOL; i++) {
      const d = devices[i % devices.length]!;
      // Every update names a price the device has not had, so none is a no-op.
      const ix = await updateDeviceIx(program, {
        owner: d.owner.publicKey,
        device: d.device,
        pricePerGpuHour: 1_000_000 + i,
      });
      updates.push(sign(new Transaction().add(ix), blockhash, [d.owner]));
    }
    console.log(
      `signed ${updates.length} update_device transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    report("registry update_device", await runLoad(net, watcher, updates));

    // --- 10,000 devices and memory ------------------------------------------------------------
    const rssBefore = rssKib(net.pid);
    const bulkOwners = Array.from({ length: 20 }, () => Keypair.generate());
    const rentPerDevice =
      await net.connection.getMinimumBalanceForRentExemption(DEVICE_ACCOUNT_SIZE);
    const perOwner = Math.ceil(BULK_DEVICES / bulkOwners.length);
    await fund(
      net,
      watcher,
      funder,
      bulkOwners.map((o) => o.publicKey),
      (perOwner + 10) * rentPerDevice + LAMPORTS_PER_SOL,
    );
    started = performance.now();
    const { transactions: bulkTxs, failed: bulkFailed } = await registerDevicesInChunks(
      net,
      watcher,
      program,
      bulkOwners,
      agentOf,
      { from: 0, total: BULK_DEVICES },
      (i) => ({
        deviceId: `bulk-${i}`,
        name: `bulk ${i}`,
        gpuModel: "NVIDIA RTX 4090",
        region: "eu-central",
        specs: { ...SPECS, gpuCount: 1, vramMib: 24_576 },
        pricePerGpuHour: 400_000,
      }),
      CONCURRENCY,
    );
    const bulkMs = performance.now() - started;
    await sleep(2 * SLOT_MS);
    const rssAfter = rssKib(net.pid);
    const onChain = await rpc<unknown[]>(net.rpcUrl, "getProgramAccounts", [
      REGISTRY_PROGRAM_ID.toBase58(),
      { encoding: "base64", dataSlice: { offset: 0, length: 0 }, filters: [deviceSizeFilter()] },
    ]);
    console.log(
      `bulk registration: ${BULK_DEVICES} devices in ${bulkTxs} transactions, ${(bulkMs / 1000).toFixed(1)} s (${((BULK_DEVICES * 1000) / bulkMs).toFixed(0)} devices/s, ${bulkFailed} transactions failed)`,
    );
    console.log(
      `devices on chain: ${onChain.length} (account size ${DEVICE_ACCOUNT_SIZE} bytes, rent ${rentPerDevice} lamports each)`,
    );
    console.log(
      `chain RSS: ${(rssBefore / 1024).toFixed(1)} MiB before, ${(rssAfter / 1024).toFixed(1)} MiB after ` +
        `(+${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB` +
        (BULK_DEVICES > 0
          ? `, ${(((rssAfter - rssBefore) * 1024) / BULK_DEVICES).toFixed(0)} bytes per device)`
          : ")"),
    );
  } finally {
    watcher.close();
    await net.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
