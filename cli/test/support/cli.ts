/**
 * The renter CLI as its suites run it: the real `bin/iogrid.js` as a child process against a
 * test network, with its own state directory and the renter's keypair file; plus devices
 * registered with any hardware and staked to their minimum.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Keypair } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";

import { BANDWIDTH_TIER, devicePda, registerDeviceIx } from "@iogrid/sdk";
import { saveKeypair } from "@iogrid/sdk/node";

import { fundedKeypair, sendDistinct } from "../../../tests/support/chain.js";
import { runCli } from "../../../agent/test/support/agent.js";
import type { CliResult } from "../../../agent/test/support/agent.js";
import { stakeDevice } from "../../../agent/test/support/network.js";
import type { Network } from "../../../agent/test/support/network.js";

export type { CliResult };

/** The CLI's entry point. */
export const IOGRID_BIN = fileURLToPath(new URL("../../bin/iogrid.js", import.meta.url));

/** A wallet as a renter keeps it: a keypair file, and a state directory of its own. */
export interface RenterFiles {
  keypair: Keypair;
  keyFile: string;
  home: string;
}

/** Saves `keypair` in a fresh directory, with an `IOGRID_HOME` beside it. */
export function renterFiles(keypair: Keypair): RenterFiles {
  const dir = mkdtempSync(join(tmpdir(), "iogrid-cli-"));
  const keyFile = join(dir, "id.json");
  saveKeypair(keyFile, keypair);
  return { keypair, keyFile, home: join(dir, "home") };
}

/** Runs `iogrid <args> --url <chain> --keypair <renter>` to completion. */
export function iogrid(
  n: Network,
  renter: RenterFiles,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runCli(IOGRID_BIN, [...args, "--url", n.net.rpcUrl, "--keypair", renter.keyFile], {
    timeoutMs: options.timeoutMs ?? 120_000,
    env: {
      IOGRID_HOME: renter.home,
      SOLANA_CONFIG: "",
      IOGRID_RPC_URL: "",
      ...options.env,
    },
  });
}

/** `result`'s stdout as JSON, failing with its stderr when it did not exit 0. */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  if (result.code !== 0) {
    throw new Error(`exit ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** The hardware and price of a test device. */
export interface Hardware {
  name: string;
  gpuModel: string;
  gpuCount: number;
  vramMib: number;
  region: string;
  /** IOSD base units per GPU-hour. */
  price: bigint;
  /** Whether it is staked to its minimum (bookable); default true. */
  staked?: boolean;
}

/** Registers a device with `hw` for a fresh owner (and agent key), staked unless told not. */
export async function hardwareDevice(
  n: Network,
  hw: Hardware,
): Promise<{ device: PublicKey; owner: Keypair; agent: Keypair }> {
  const connection = n.net.connection;
  const owner = await fundedKeypair(connection, 5);
  const agent = Keypair.generate();
  const deviceId = `${hw.name}-${owner.publicKey.toBase58().slice(0, 8)}`;
  await sendDistinct(
    connection,
    await registerDeviceIx(n.registry, {
      owner: owner.publicKey,
      deviceId,
      name: hw.name,
      gpuModel: hw.gpuModel,
      region: hw.region,
      specs: {
        gpuCount: hw.gpuCount,
        vramMib: hw.vramMib,
        cpuCores: 32,
        ramMib: 262_144,
        storageGib: 2_000,
        bandwidthTier: BANDWIDTH_TIER.standard,
      },
      pricePerGpuHour: hw.price,
      agent: agent.publicKey,
      endpoint: "http://127.0.0.1:9",
    }),
    [owner, agent],
  );
  const device = devicePda(deviceId).address;
  if (hw.staked !== false) await stakeDevice(n, owner, device);
  return { device, owner, agent };
}
