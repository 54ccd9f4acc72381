/**
 * Keepers as the keeper suites run them: in process (the real bots, runner and sender over a
 * real chain, log lines collected) or as the real CLI (`bin/iogrid-keeper.js`) run to completion;
 * plus staked devices whose agent key signs probes in process, attested by bonded keepers.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Keypair, Transaction } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";

import {
  BANDWIDTH_TIER,
  attestAvailability,
  devicePda,
  probeRequest,
  recentSlotHash,
  registerDeviceIx,
  signProbe,
} from "@iogrid/sdk";
import { closeWebsocket, saveKeypair, sendAndConfirm } from "@iogrid/sdk/node";

import { distinct, fundedKeypair, sendDistinct } from "../../../tests/support/chain.js";
import { runCli } from "../../../agent/test/support/agent.js";
import type { CliResult } from "../../../agent/test/support/agent.js";
import { stakeDevice } from "../../../agent/test/support/network.js";
import type { Network } from "../../../agent/test/support/network.js";

import { parseKeeperConfig } from "../../src/config.js";
import type { BotName, KeeperConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import type { KeeperContext } from "../../src/context.js";
import { Keeper, createBot } from "../../src/keeper.js";
import type { Bot, TickSummary } from "../../src/bot.js";

/** The keeper CLI's entry point. */
export const KEEPER_BIN = fileURLToPath(new URL("../../bin/iogrid-keeper.js", import.meta.url));

/**
 * A config for `n`'s chain with test-speed intervals and a new state directory (unless `extra`
 * names one); `extra` YAML is appended.
 */
export function testConfigText(n: Network, extra = ""): string {
  const stateDir = /^stateDir:/m.test(extra)
    ? ""
    : `stateDir: ${JSON.stringify(mkdtempSync(join(tmpdir(), "iogrid-keeper-state-")))}\n`;
  return `${stateDir}rpc:
  url: ${JSON.stringify(n.net.rpcUrl)}
  wsUrl: ${JSON.stringify(n.net.wsUrl)}
  requestsPerSecond: 500
health:
  listen: ""
send:
  rebroadcastIntervalMs: 500
log:
  level: debug
epoch:
  intervalMs: 500
${extra}`;
}

/** A keeper in this process: its context, its bots by name, its log lines. */
export class TestKeeperProcess {
  readonly lines: string[] = [];
  readonly ctx: KeeperContext;
  private readonly bots = new Map<BotName, Bot>();

  constructor(
    readonly wallet: Keypair,
    config: KeeperConfig,
    options: { dryRun?: boolean; name?: string } = {},
  ) {
    this.ctx = createContext(config, wallet, {
      dryRun: options.dryRun,
      name: options.name ?? "keeper",
      logWrite: (line) => {
        this.lines.push(line);
        if (process.env.IOGRID_KEEPER_LOG === "1") process.stderr.write(`${line}\n`);
      },
    });
  }

  /** The bot `name`, initialized on first use. */
  async bot<B extends Bot = Bot>(name: BotName): Promise<B> {
    let bot = this.bots.get(name);
    if (!bot) {
      bot = createBot(this.ctx, name);
      await bot.init();
      this.bots.set(name, bot);
    }
    return bot as B;
  }

  /** One tick of the bot `name`. */
  async tick(name: BotName): Promise<TickSummary> {
    return (await this.bot(name)).tick();
  }

  /** A running keeper (runner, watchdogs, chain watch) over this process's context. */
  keeper(names: readonly BotName[]): Keeper {
    return new Keeper(
      this.ctx,
      names.map((name) => createBot(this.ctx, name)),
    );
  }

  /** Transactions counted for `label` (any when undefined) with `result` (all bots). */
  transactions(label: string | undefined, result: string): number {
    let total = 0;
    for (const line of this.transactionSeries(label, result))
      total += Number(line.split(" ").pop());
    return total;
  }

  /** Lamports of fees the keeper counted for `bot`'s transactions. */
  feesPaid(bot: string): number {
    const line = this.ctx.metrics.registry
      .render()
      .split("\n")
      .find((l) => l.startsWith(`iogrid_keeper_fees_lamports_total{bot="${bot}"}`));
    return line ? Number(line.split(" ").pop()) : 0;
  }

  /** The transaction counters' lines for `label` (any when undefined) with `result`, to name them. */
  transactionSeries(label: string | undefined, result: string): string[] {
    return this.ctx.metrics.registry
      .render()
      .split("\n")
      .filter(
        (line) =>
          line.startsWith("iogrid_keeper_transactions_total{") &&
          (label === undefined || line.includes(`label="${label}"`)) &&
          line.includes(`result="${result}"`),
      );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.bots.values()].map(async (b) => b.close?.()));
    closeWebsocket(this.ctx.connection);
  }
}

/** A keeper for `wallet` on `n`'s chain. */
export function inProcessKeeper(
  n: Network,
  wallet: Keypair,
  options: { extra?: string; dryRun?: boolean; name?: string } = {},
): TestKeeperProcess {
  return new TestKeeperProcess(
    wallet,
    parseKeeperConfig(testConfigText(n, options.extra)),
    options,
  );
}

/** In-process keepers for `n`'s first two bonded keeper wallets, named keeper-1 and keeper-2. */
export function twoKeepers(n: Network): [TestKeeperProcess, TestKeeperProcess] {
  const [w1, w2] = n.keeperWallets;
  if (!w1 || !w2) throw new Error("the network has fewer than two bonded keepers");
  return [
    inProcessKeeper(n, w1, { name: "keeper-1" }),
    inProcessKeeper(n, w2, { name: "keeper-2" }),
  ];
}

/** A directory with `keeper.yaml` (the test config plus `extra`) and the wallet's key file. */
export function keeperFiles(
  n: Network,
  wallet: Keypair,
  extra = "",
): { dir: string; config: string; keypair: string } {
  const dir = mkdtempSync(join(tmpdir(), "iogrid-keeper-"));
  const keypair = join(dir, "keeper.json");
  saveKeypair(keypair, wallet);
  const config = join(dir, "keeper.yaml");
  writeFileSync(config, testConfigText(n, `keypair: ${JSON.stringify(keypair)}\n${extra}`));
  return { dir, config, keypair };
}

/** Runs `iogrid-keeper <args>` to completion. */
export function keeperCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runCli(KEEPER_BIN, args, { timeoutMs: 120_000, ...options });
}

/** A registered device staked to its minimum, with its agent key held here. */
export interface TestDevice {
  device: PublicKey;
  owner: Keypair;
  agent: Keypair;
}

/** Registers a device with a fresh owner and agent key and stakes it to its minimum. */
export async function stakedDevice(n: Network, name: string): Promise<TestDevice> {
  const connection = n.net.connection;
  const owner = await fundedKeypair(connection, 5);
  const agent = Keypair.generate();
  const deviceId = `${name}-${owner.publicKey.toBase58().slice(0, 8)}`;
  await sendDistinct(
    connection,
    await registerDeviceIx(n.registry, {
      owner: owner.publicKey,
      deviceId,
      name,
      gpuModel: "CPU only",
      region: "eu-west",
      specs: {
        gpuCount: 1,
        vramMib: 1,
        cpuCores: 8,
        ramMib: 16_384,
        storageGib: 100,
        bandwidthTier: BANDWIDTH_TIER.standard,
      },
      pricePerGpuHour: 1_000_000n,
      agent: agent.publicKey,
      endpoint: "http://127.0.0.1:9",
    }),
    [owner, agent],
  );
  const device = devicePda(deviceId).address;
  await stakeDevice(n, owner, device);
  return { device, owner, agent };
}

/**
 * The keeper `wallet` attests `d` in `epoch` (its record open and seeded): the device's agent
 * signs a probe over the newest slot for this keeper, the keeper lands the attestation.
 */
export async function attestDevice(
  n: Network,
  wallet: Keypair,
  d: TestDevice,
  epoch: bigint,
): Promise<string> {
  const connection = n.net.connection;
  const { slot, hash } = await recentSlotHash(connection);
  const probe = signProbe(
    d.agent,
    probeRequest({ authority: wallet.publicKey, device: d.device, epoch, slot, slotHash: hash }),
  );
  const ixs = await attestAvailability(n.registry, {
    authority: wallet.publicKey,
    devices: [{ probe, owner: d.owner.publicKey }],
  });
  return sendAndConfirm(connection, new Transaction().add(distinct(), ...ixs), [wallet]);
}
