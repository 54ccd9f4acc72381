/**
 * One GPU host as a supplier sets it up: `iogrid-agent init` and `register --owner-keypair` run
 * as the real CLI, the device then staked to its minimum, and `start` run in the background.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import type { Keypair } from "@solana/web3.js";
import { PublicKey } from "@solana/web3.js";

import { saveKeypair } from "@iogrid/sdk/node";

import { fundedKeypair } from "../../../tests/support/chain.js";
import { agentCli, spawnAgent } from "./agent.js";
import type { AgentProcess } from "./agent.js";
import { stakeDevice } from "./network.js";
import type { Network } from "./network.js";

/** A free TCP port on `host`. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Host {
  name: string;
  dir: string;
  config: string;
  owner: Keypair;
  ownerKeyFile: string;
  device: PublicKey;
  agent: PublicKey;
  /** Where the probe server listens, as keepers reach it. */
  endpoint: string;
  netns?: string;
  /** The running daemon, once started. */
  process?: AgentProcess;
}

export interface HostOptions {
  name: string;
  /** RPC and websocket URLs as this host reaches the chain. */
  rpcUrl: string;
  wsUrl: string;
  /** Probe server listen host (default 127.0.0.1) and the endpoint published on chain. */
  listenHost?: string;
  publicHost?: string;
  relayUrl?: string;
  /** No public endpoint: keepers and renters reach the device's routes through the relay. */
  relayOnly?: boolean;
  backends?: string;
  netns?: string;
  pollIntervalMs?: number;
  /** Extra YAML appended to the `ray:` section etc. (raw replacements of the template). */
  edit?: (yaml: string) => string;
}

/** The `ray` executable of the venv `scripts/setup-ray.mjs` creates (creating it if needed). */
export async function rayCommand(): Promise<string> {
  const script = fileURLToPath(new URL("../../../scripts/setup-ray.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    maxBuffer: 16 << 20,
  });
  return stdout.trim().split("\n").pop()!;
}

/**
 * A config edit for a `ray` host: `ray` the executable, its own GCS port and 100-port range
 * (several agents on one machine), one CPU and a small object store each.
 */
export async function rayConfig(ray: string, index: number): Promise<(yaml: string) => string> {
  const headPort = await freePort();
  const portBase = 21_000 + index * 200 + Math.floor(Math.random() * 30) * 1_000;
  return (yaml) =>
    yaml
      .replace(/command: "[^"]*"/, `command: ${JSON.stringify(ray)}`)
      .replace("headPort: 6379", `headPort: ${headPort}`)
      .replace("portBase: 20000", `portBase: ${portBase}`)
      .replace("cpus: 0 ", "cpus: 1 ")
      .replace("objectStoreMib: 0 ", "objectStoreMib: 128 ");
}

/** init + register (owner signs) + stake, as a supplier does on a new machine. */
export async function setUpHost(n: Network, o: HostOptions): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), `iogrid-host-${o.name}-`));
  chmodSync(dir, 0o711);
  const config = join(dir, "agent.yaml");
  const owner = await fundedKeypair(n.net.connection, 10);
  const ownerKeyFile = join(dir, "owner.json");
  saveKeypair(ownerKeyFile, owner);
  const port = await freePort();
  const listenHost = o.listenHost ?? "127.0.0.1";
  const endpoint = `http://${o.publicHost ?? listenHost}:${port}`;
  const init = await agentCli([
    "init",
    "--config",
    config,
    "--json",
    "--rpc-url",
    o.rpcUrl,
    "--ws-url",
    o.wsUrl,
    "--owner",
    owner.publicKey.toBase58(),
    "--device-id",
    `test-${o.name}-${owner.publicKey.toBase58().slice(0, 8)}`,
    "--name",
    o.name,
    "--region",
    "eu-west",
    "--price",
    "2.00",
    "--listen",
    `${listenHost}:${port}`,
    "--public-endpoint",
    o.relayOnly ? "" : endpoint,
    "--relay-url",
    o.relayUrl ?? "",
    "--backends",
    o.backends ?? "process",
    "--work-dir",
    join(dir, "work"),
  ]);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  let yaml = readFileSync(config, "utf8").replace(
    "pollIntervalMs: 5000",
    `pollIntervalMs: ${o.pollIntervalMs ?? 1000}`,
  );
  if (o.edit) yaml = o.edit(yaml);
  writeFileSync(config, yaml);
  const registered = await agentCli([
    "register",
    "--config",
    config,
    "--owner-keypair",
    ownerKeyFile,
    "--json",
  ]);
  if (registered.code !== 0) throw new Error(`register failed: ${registered.stderr}`);
  const device = new PublicKey((JSON.parse(registered.stdout) as { device: string }).device);
  const agent = new PublicKey((JSON.parse(init.stdout) as { agent: string }).agent);
  await stakeDevice(n, owner, device);
  return {
    name: o.name,
    dir,
    config,
    owner,
    ownerKeyFile,
    device,
    agent,
    endpoint: o.relayOnly
      ? `${o.relayUrl!.replace(/^ws/, "http").replace(/\/+$/, "")}/v1/devices/${device.toBase58()}`
      : endpoint,
    netns: o.netns,
  };
}

/** Starts the host's daemon and waits until it serves. */
export async function startHost(host: Host, env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const p = spawnAgent(`agent-${host.name}`, ["start", "--config", host.config], {
    netns: host.netns,
    env,
  });
  host.process = p;
  await p.waitForLine(/ agent: ready /, 60_000);
  return p;
}
