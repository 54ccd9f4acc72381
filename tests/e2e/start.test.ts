/**
 * `npm start` as a newcomer runs it, on free ports and a temporary state directory: the whole
 * network comes up (three staked devices of two owners, a bonded keeper, the relay, the app),
 * Ctrl-C stops every process it started and closes every port, and a second start on the same
 * state registers, bonds and stakes nothing again. A port in use is named and nothing starts.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Connection } from "@solana/web3.js";

import {
  configPda,
  decodeKeeper,
  decodeRegistryConfig,
  decodeStakingConfig,
  deviceStake,
  fetchMarketDevices,
  keeperPda,
  stakingConfigPda,
} from "@iogrid/sdk";
import { loadKeypair } from "@iogrid/sdk/node";

import { REPO_ROOT } from "../support/localnet.js";
import { freePorts, npmStart, startRuns, waitForOutput } from "./support.js";

/** The first start may build (cargo and vite are quick when nothing changed). */
const FIRST_START_MS = 600_000;
const START_MS = 240_000;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The processes in process group `pgid` (from /proc: field 5 of `/proc/<pid>/stat`). */
function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid;
      } catch {
        return false; // it ended meanwhile
      }
    })
    .map(Number);
}

interface Snapshot {
  devices: { address: string; owner: string; agent: string; registeredAt: string }[];
  keeper: { bond: bigint; registeredAt: string };
  stakes: bigint[];
}

/** What the chain says about the network `npm start` brought up, checked as it goes. */
async function snapshot(connection: Connection, stateDir: string): Promise<Snapshot> {
  const [stakingInfo, registryInfo] = await connection.getMultipleAccountsInfo([
    stakingConfigPda().address,
    configPda().address,
  ]);
  const rules = decodeStakingConfig(stakingInfo!.data);
  const devices = await fetchMarketDevices(connection);
  expect(devices, "three devices").to.have.length(3);
  expect(new Set(devices.map((d) => d.device.owner.toBase58())).size, "two owners").to.equal(2);
  for (const d of devices) {
    const stake = deviceStake(d, rules);
    expect(stake.met, `${d.address.toBase58()} staked to its minimum`).to.equal(true);
    expect(stake.qualifying, "staked once: exactly the minimum").to.equal(stake.minimum);
  }
  const keeperWallet = loadKeypair(join(stateDir, "keys", "keeper.json")).publicKey;
  const keeperInfo = await connection.getAccountInfo(keeperPda(keeperWallet).address);
  expect(keeperInfo, "the keeper is registered").to.not.equal(null);
  const keeper = decodeKeeper(keeperInfo!.data);
  const bondRequired = BigInt(decodeRegistryConfig(registryInfo!.data).keeperBondAmount.toString());
  const bond = BigInt(keeper.bondAmount.toString());
  expect(bond >= bondRequired, "bonded as the registry requires").to.equal(true);
  return {
    devices: devices
      .map((d) => ({
        address: d.address.toBase58(),
        owner: d.device.owner.toBase58(),
        agent: d.device.agent.toBase58(),
        registeredAt: d.device.registeredAt.toString(),
      }))
      .sort((a, b) => a.address.localeCompare(b.address)),
    keeper: { bond, registeredAt: keeper.registeredAt.toString() },
    stakes: devices.map((d) => deviceStake(d, rules).qualifying),
  };
}

describe("npm start", function () {
  this.timeout(FIRST_START_MS + START_MS + 120_000);
  const stateDir = mkdtempSync(join(tmpdir(), "iogrid-start-"));

  after(() => {
    for (const child of startRuns) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs the network, stops it all on Ctrl-C, and resumes without registering twice", async () => {
    const [rpc, ws, relay, app, keeper, a1, a2, a3] = await freePorts(8);
    const ports = [rpc!, ws!, relay!, app!, keeper!, a1!, a2!, a3!];
    const flags = [
      ...["--state-dir", stateDir, "--rpc-port", String(rpc), "--ws-port", String(ws)],
      ...[
        "--relay-port",
        String(relay),
        "--app-port",
        String(app),
        "--keeper-port",
        String(keeper),
      ],
      ...["--agent-ports", `${a1},${a2},${a3}`],
      // Ray's ranges away from another network's on this machine (the default is 20000).
      ...["--ray-ports", String(23_000 + Math.floor(Math.random() * 39) * 1_000)],
    ];
    const rpcUrl = `http://127.0.0.1:${rpc}`;

    const startAndCheck = async (args: string[], timeoutMs: number) => {
      const started = Date.now();
      const run = npmStart(args);
      const text = await waitForOutput(
        run,
        /iogrid is running[\s\S]*try:[\s\S]*iogrid-keeper/,
        timeoutMs,
      );
      const seconds = (Date.now() - started) / 1000;
      expect(text).to.contain(`RPC           ${rpcUrl}`);
      const state = JSON.parse(readFileSync(join(stateDir, "run.json"), "utf8")) as {
        appUrl: string;
        children: Record<string, number>;
      };
      expect(Object.keys(state.children).sort()).to.deep.equal(
        ["agent-1", "agent-2", "agent-3", "chain", "keeper", "relay"].sort(),
      );
      const connection = new Connection(rpcUrl, {
        commitment: "confirmed",
        wsEndpoint: `ws://127.0.0.1:${ws}`,
      });
      const chain = await snapshot(connection, stateDir);

      // An agent running as root runs workloads as `nobody`: their work directories must be
      // reachable through the state directory (traversable, not listable), the keys not.
      for (const i of [1, 2, 3]) {
        for (const dir of [stateDir, join(stateDir, "agents"), join(stateDir, "agents", `${i}`)]) {
          expect(statSync(dir).mode & 0o777, `${dir} traversable by others`).to.equal(0o711);
        }
      }
      expect(statSync(join(stateDir, "keys")).mode & 0o777, "keys private").to.equal(0o700);
      const relayHealth = await fetch(`http://127.0.0.1:${relay}/health`);
      expect(relayHealth.status, "the relay answers").to.equal(200);
      const page = await fetch(state.appUrl);
      expect(page.status).to.equal(200);
      const html = await page.text();
      const built = readFileSync(join(REPO_ROOT, "app/dist/index.html"), "utf8");
      const bundle = /<script type="module"[^>]*src="([^"]+)"/.exec(built)![1]!;
      expect(html, "the built page").to.contain(bundle);
      const asset = await fetch(new URL(bundle, state.appUrl));
      expect(asset.status, "its bundle").to.equal(200);
      const renter = loadKeypair(join(stateDir, "keys", "renter.json"));
      expect(text, "the local wallet printed").to.contain(renter.publicKey.toBase58());
      expect(html, "the page is handed the local wallet").to.contain(
        JSON.stringify(Array.from(renter.secretKey)),
      );

      // Ctrl-C: SIGINT to the foreground process group, as a terminal sends it.
      process.kill(-run.child.pid!, "SIGINT");
      const exit = await run.exited;
      // npm waits for `npm start` to stop everything, then ends itself by the SIGINT it received.
      expect(exit.code === 0 || exit.signal === "SIGINT", run.output.join("")).to.equal(true);
      expect(run.output.join("")).to.contain("npm start: stopped");
      for (const [name, pid] of Object.entries(state.children)) {
        expect(existsSync(`/proc/${pid}`), `${name} (pid ${pid}) stopped`).to.equal(false);
        expect(groupMembers(pid), `${name}'s process group is empty`).to.deep.equal([]);
      }
      for (const port of ports)
        expect(await listening(port), `port ${port} closed`).to.equal(false);
      expect(existsSync(join(stateDir, "run.json"))).to.equal(false);
      return { chain, seconds };
    };

    const first = await startAndCheck(flags, FIRST_START_MS);
    const second = await startAndCheck([...flags, "--no-build"], START_MS);
    expect(second.chain, "the same devices, keeper and stakes: nothing twice").to.deep.equal(
      first.chain,
    );
    console.log(
      `      first start ${first.seconds.toFixed(1)} s, second (resumed) ${second.seconds.toFixed(1)} s`,
    );
  });

  it("names what a killed start left running and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iogrid-start-left-"));
    const left = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    try {
      // A start that was SIGKILLed: its pid is gone, a child's process group is not.
      writeFileSync(
        join(dir, "run.json"),
        JSON.stringify({ pid: 2 ** 22 + 1, children: { chain: left.pid } }),
      );
      const run = npmStart(["--state-dir", dir, "--no-build"]);
      const exit = await run.exited;
      const text = run.output.join("");
      expect(exit.code).to.equal(1);
      expect(text).to.contain(`left chain ${left.pid} running`);
      expect(text).to.contain(`kill -TERM -- -${left.pid}`);
      expect(text).to.contain("nothing was started");
      expect(existsSync(join(dir, "keys")), "no keys").to.equal(false);
    } finally {
      process.kill(-left.pid!, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a port in use and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iogrid-start-busy-"));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const taken = (busy.address() as AddressInfo).port;
    const [rpc, ws] = await freePorts(2);
    try {
      const run = npmStart([
        ...["--state-dir", dir, "--rpc-port", String(rpc), "--ws-port", String(ws)],
        ...["--relay-port", String(taken), "--no-build"],
      ]);
      const exit = await run.exited;
      const text = run.output.join("");
      expect(exit.code).to.equal(1);
      expect(text).to.match(new RegExp(`port ${taken} \\(relay[^)]*\\) is in use`));
      expect(text).to.contain("nothing was started");
      expect(await listening(rpc!), "no chain").to.equal(false);
      expect(existsSync(join(dir, "ledger")), "no ledger").to.equal(false);
      expect(existsSync(join(dir, "keys")), "no keys").to.equal(false);
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
