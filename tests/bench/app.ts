/**
 * Web app figures on the local chain with the whole network up, in headless chromium against the
 * `vite build` output:
 *   1. bundle size: every file of app/dist, raw and gzip (level 9);
 *   2. time to interactive of the home page: navigation to the overview's figures rendered from
 *      the chain (and the browser's DOMContentLoaded), median of `--runs`;
 *   3. time to render the devices list at 1,000 and 10,000 devices (registered in bulk as
 *      tests/bench/localnet.ts does): navigation to "N of N devices" and the first rows shown;
 *   4. RPC requests made by loading each page (the browser's HTTP requests to the RPC URL and the
 *      JSON-RPC calls they carry, by method, until the network is idle), and websocket
 *      subscriptions.
 * Prints the figures; nothing asserts.
 *
 * Usage: npm run bench:app -- [--runs 3]
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { BANDWIDTH_TIER, DEVICE_ACCOUNT_SIZE } from "@iogrid/sdk";
import type { Page } from "playwright-core";

import { DIST } from "../../app/scripts/serve.js";
import { openBrowser, serveDist } from "../../app/test/support/browser.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { SignatureWatcher, fund, registerDevicesInChunks } from "./load.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const RUNS = Number(values.runs);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const agents = new Map<Keypair, Keypair>();
const agentOf = (owner: Keypair): Keypair => {
  let a = agents.get(owner);
  if (!a) agents.set(owner, (a = Keypair.generate()));
  return a;
};

/** Registers devices until `total` exist from this bench (20 owners, packed transactions). */
async function seedDevices(n: Network, from: number, total: number): Promise<void> {
  const net = n.net;
  const watcher = await SignatureWatcher.open(net.wsUrl, 4);
  try {
    const owners = Array.from({ length: 20 }, () => Keypair.generate());
    const rent = await net.connection.getMinimumBalanceForRentExemption(DEVICE_ACCOUNT_SIZE);
    await fund(
      net,
      watcher,
      n.admin,
      owners.map((o) => o.publicKey),
      (Math.ceil((total - from) / owners.length) + 10) * rent + LAMPORTS_PER_SOL,
    );
    const { failed } = await registerDevicesInChunks(
      net,
      watcher,
      n.registry,
      owners,
      agentOf,
      { from, total },
      (i) => ({
        deviceId: `bench-app-${i}`,
        name: `bench ${i}`,
        gpuModel: i % 3 === 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA RTX 4090",
        region: ["eu-west", "us-east", "ap-south"][i % 3]!,
        specs: {
          gpuCount: 1 + (i % 8),
          vramMib: 24_576,
          cpuCores: 32,
          ramMib: 131_072,
          storageGib: 1_000,
          bandwidthTier: BANDWIDTH_TIER.high,
        },
        pricePerGpuHour: 400_000 + (i % 1_000) * 1_000,
      }),
      16,
    );
    if (failed > 0) console.log(`  (seeding: ${failed} transactions failed)`);
  } finally {
    watcher.close();
  }
}

async function main(): Promise<void> {
  const served = await serveDist();
  // 1. bundle
  let raw = 0;
  let gz = 0;
  const rows: [string, number, number][] = [];
  for (const f of files(DIST)) {
    const data = readFileSync(f);
    const z = gzipSync(data, { level: 9 }).length;
    raw += data.length;
    gz += z;
    rows.push([f.slice(DIST.length), data.length, z]);
  }
  console.log("bundle (app/dist):");
  for (const [name, r, z] of rows.sort((a, b) => b[2] - a[2]))
    console.log(
      `  ${name.padEnd(40)} ${(r / 1024).toFixed(1).padStart(8)} KiB  gzip ${(z / 1024).toFixed(1).padStart(7)} KiB`,
    );
  console.log(`  total ${(raw / 1024).toFixed(1)} KiB, gzip ${(gz / 1024).toFixed(1)} KiB`);

  const n = await startNetwork();
  const browser = await openBrowser();
  const page = browser.page;
  const { rpcUrl, wsUrl } = n.net;
  const base = `${served.url}?rpc=${encodeURIComponent(rpcUrl)}&ws=${encodeURIComponent(wsUrl)}`;
  const rpcCalls = new Map<string, number>();
  let httpRequests = 0;
  let counting = false;
  page.on("request", (req) => {
    if (!counting || !req.url().startsWith(rpcUrl)) return;
    httpRequests++;
    let methods: string[] = ["?"];
    try {
      const body = JSON.parse(req.postData() ?? "null") as
        { method: string } | { method: string }[];
      methods = (Array.isArray(body) ? body : [body]).map((b) => b.method);
    } catch {
      // not JSON-RPC
    }
    for (const m of methods) rpcCalls.set(m, (rpcCalls.get(m) ?? 0) + 1);
  });
  let subscriptions = 0;
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => {
      if (counting && typeof f.payload === "string" && /Subscribe"/.test(f.payload))
        subscriptions++;
    });
  });

  const open = async (hash: string, ready: (p: Page) => Promise<unknown>): Promise<number> => {
    await page.goto("about:blank");
    const start = performance.now();
    await page.goto(`${base}${hash}`);
    await ready(page);
    return performance.now() - start;
  };
  try {
    // 2. time to interactive of the home page
    const tti: number[] = [];
    const dcl: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      tti.push(
        await open("#/", (p) =>
          p
            .getByTestId("epoch-countdown")
            .getByText(/^\d+:\d\d:\d\d$/)
            .waitFor({ timeout: 60_000 }),
        ),
      );
      dcl.push(
        await page.evaluate<number>(
          "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd",
        ),
      );
    }
    console.log(
      `\nhome page: interactive (overview and epoch countdown from the chain) ${median(tti).toFixed(0)} ms median of ${RUNS} (${tti.map((t) => t.toFixed(0)).join(", ")}); DOMContentLoaded ${median(dcl).toFixed(0)} ms`,
    );

    // 4. RPC requests per page (before the bulk devices, on the network startNetwork makes)
    console.log("\nRPC requests made by loading each page (until the network is idle):");
    const pages: [string, string][] = [
      ["#/", "epoch-countdown"],
      ["#/devices", "devices-count"],
      ["#/cloud", ""],
      ["#/clusters", ""],
      ["#/worker", ""],
      ["#/stake", ""],
      ["#/token", ""],
    ];
    for (const [hash] of pages) {
      await page.goto("about:blank");
      rpcCalls.clear();
      httpRequests = 0;
      subscriptions = 0;
      counting = true;
      await page.goto(`${base}${hash}`);
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(1_000);
      counting = false;
      const total = [...rpcCalls.values()].reduce((a, b) => a + b, 0);
      const detail = [...rpcCalls].sort((a, b) => b[1] - a[1]).map(([m, c]) => `${m} ${c}`);
      console.log(
        `  ${hash.padEnd(12)} ${String(httpRequests).padStart(3)} HTTP requests carrying ${total} JSON-RPC calls, ${subscriptions} subscriptions: ${detail.join(", ")}`,
      );
    }

    // 3. the devices list at 1,000 and 10,000 devices
    console.log("\ndevices list (#/devices), navigation to every device counted and rows shown:");
    let have = 0;
    for (const total of [1_000, 10_000]) {
      const started = performance.now();
      await seedDevices(n, have, total);
      have = total;
      console.log(
        `  seeded ${total} devices (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        times.push(
          await open("#/devices", async (p) => {
            await p
              .getByTestId("devices-count")
              .getByText(`of ${total} devices`)
              .waitFor({ timeout: 120_000 });
            await p.getByTestId("device-row").first().waitFor();
          }),
        );
      }
      const rendered = await page.getByTestId("device-row").count();
      console.log(
        `  ${String(total).padStart(6)} devices: ${median(times).toFixed(0)} ms median of ${RUNS} (${times.map((t) => t.toFixed(0)).join(", ")}); ${rendered} rows in the DOM`,
      );
    }
  } finally {
    await browser.close();
    served.server.close();
    await n.net.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
