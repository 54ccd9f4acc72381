/**
 * The `process` backend on this machine, without a chain: real bubblewrap sandboxes and
 * processes. Resource limits as the workload sees them (open files, processes, CPU time killing a
 * busy loop), a scrubbed environment with the renter's on top, the filesystem view (its work dir
 * only, the host's /usr read-only), network only on its own ports (reached from the host through
 * the bridge, no way out), logs captured per booking, stop killing the whole process group, and
 * adoption of a running workload by a new backend instance (an agent restart).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  ProcessBackend,
  prlimitArgs,
  sandboxArgv,
  bookingPaths,
  portOpen,
  untraversableAncestor,
} from "../src/backends/process.js";
import type { WorkloadRun } from "../src/backends/types.js";
import { parseConfig, configTemplate } from "../src/config.js";
import type { AgentConfig } from "../src/config.js";
import { tcpRoundTrip } from "./support/net.js";

function config(over: (c: AgentConfig) => void = () => undefined): AgentConfig {
  const c = parseConfig(
    configTemplate({
      rpcUrl: "http://127.0.0.1:1",
      agentKey: "/k",
      deviceId: "d",
      name: "n",
      region: "r",
      price: "1",
      probeListen: "127.0.0.1:0",
      publicEndpoint: "",
      relayUrl: "",
      backends: ["process"],
      workDir: "/w",
    }),
  );
  over(c);
  return c;
}

const log = { info: () => undefined, warn: () => undefined };

describe("process backend (bubblewrap, prlimit, real processes)", function () {
  this.timeout(60_000);
  let root: string;
  let n = 0;
  const runOf = (
    command: string,
    ports: number[] = [],
    env: Record<string, string> = {},
  ): WorkloadRun => ({
    booking: Keypair.generate().publicKey,
    reservation: Keypair.generate().publicKey,
    kind: "process",
    image: command,
    ports,
    env,
    dir: join(root, `b${n++}`),
    gpuCount: 0,
  });
  const waitExit = async (
    backend: ProcessBackend,
    ref: Awaited<ReturnType<ProcessBackend["start"]>>,
  ): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if ((await backend.status(ref)).state !== "running") return;
      await sleep(50);
    }
    throw new Error("the workload did not exit");
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), "iogrid-process-"));
    chmodSync(root, 0o711);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("a work dir behind a directory others cannot traverse is named, as the check refuses it", async () => {
    const closed = join(root, "closed");
    mkdirSync(join(closed, "agent", "work"), { recursive: true });
    chmodSync(closed, 0o700);
    expect(untraversableAncestor(join(closed, "agent", "work"))).to.equal(closed);
    expect(untraversableAncestor(join(closed, "agent", "not-yet"))).to.equal(closed);
    chmodSync(closed, 0o711);
    expect(untraversableAncestor(join(closed, "agent", "work"))).to.equal(undefined);
    if (process.getuid?.() === 0) {
      chmodSync(closed, 0o700);
      const backend = new ProcessBackend({
        config: { ...config(), workDir: join(closed, "agent", "work") },
        log,
      });
      const check = await backend.check();
      expect(check.ok).to.equal(false);
      expect(check.detail).to.contain(`${closed} is not traversable by others`);
      chmodSync(closed, 0o711);
    }
  });

  it("builds setpriv, bwrap, bridge and prlimit around the command", () => {
    const c = config((c) => {
      c.limits.cpuSeconds = 5;
      c.limits.memoryMib = 512;
    });
    expect(prlimitArgs(c.limits)).to.deep.equal([
      "--nofile=4096:4096",
      "--nproc=1024:1024",
      "--cpu=5:5",
      `--as=${512 * 2 ** 20}:${512 * 2 ** 20}`,
    ]);
    const argv = sandboxArgv({
      command: "echo hi",
      ports: [8000],
      paths: bookingPaths("/b"),
      config: c,
      asRoot: true,
      nodePath: "/usr/bin/node",
      bridgePath: "/a/bridge.mjs",
    });
    expect(argv.slice(0, 5)).to.deep.equal([
      "setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--",
    ]);
    expect(argv).to.include("--unshare-all").and.not.include("--share-net");
    expect(argv.slice(argv.indexOf("/usr/bin/node"))).to.deep.equal([
      "/usr/bin/node",
      "/run/iogrid-bridge.mjs",
      "/run/iogrid",
      "8000",
      "--",
      "prlimit",
      "--nofile=4096:4096",
      "--nproc=1024:1024",
      "--cpu=5:5",
      `--as=${512 * 2 ** 20}:${512 * 2 ** 20}`,
      "--",
      "/bin/sh",
      "-c",
      "echo hi",
    ]);
    const full = sandboxArgv({
      command: "x",
      ports: [],
      paths: bookingPaths("/b"),
      config: config((c) => (c.process.network = "full")),
      asRoot: false,
    });
    expect(full).to.include("--share-net");
    expect(full[0]).to.equal("bwrap");
    const bare = sandboxArgv({
      command: "x",
      ports: [],
      paths: bookingPaths("/b"),
      config: config((c) => (c.process.sandbox = "none")),
      asRoot: true,
    });
    expect(bare[0]).to.equal("prlimit");
  });

  it("the workload sees its limits, a scrubbed environment with the renter's, and only its work dir", async () => {
    const backend = new ProcessBackend({
      config: config((c) => {
        c.limits.openFiles = 123;
        c.limits.processes = 77;
      }),
      log,
    });
    expect((await backend.check()).ok).to.equal(true);
    process.env.IOGRID_AGENT_SECRET_FOR_TEST = "leak";
    const run = runOf(
      'grep -E "Max (open files|processes)" /proc/self/limits; env | sort; id -u; ls /; echo data > out.txt; cat /etc/shadow || echo no-shadow; ls /root || echo no-root',
      [],
      { MODEL: "llama", HF_TOKEN: "renter-secret" },
    );
    const ref = await backend.start(run);
    await waitExit(backend, ref);
    delete process.env.IOGRID_AGENT_SECRET_FOR_TEST;
    const { stdout } = await backend.logs(ref, run);
    expect(stdout).to.match(/Max processes +77 +77/);
    expect(stdout).to.match(/Max open files +123 +123/);
    expect(stdout).to.contain("MODEL=llama");
    expect(stdout).to.contain("HF_TOKEN=renter-secret");
    expect(stdout).to.contain(`IOGRID_BOOKING=${run.booking.toBase58()}`);
    expect(stdout).to.contain("HOME=/work");
    expect(stdout).not.to.contain("IOGRID_AGENT_SECRET_FOR_TEST");
    expect(stdout).to.contain("\n65534\n");
    expect(stdout).to.contain("no-shadow");
    expect(stdout).to.contain("no-root");
    expect(readFileSync(join(bookingPaths(run.dir).work, "out.txt"), "utf8")).to.equal("data\n");
  });

  it("CPU time is capped: a busy loop is killed by SIGXCPU", async () => {
    const backend = new ProcessBackend({ config: config((c) => (c.limits.cpuSeconds = 1)), log });
    const run = runOf("while :; do :; done");
    const started = Date.now();
    const ref = await backend.start(run);
    await waitExit(backend, ref);
    expect(Date.now() - started).to.be.below(20_000);
    expect(await backend.status(ref)).to.not.deep.equal({ state: "running" });
  });

  it("network only for the workload's ports: reachable from the host, no way out", async () => {
    // A service on the host the workload must not reach.
    const outside = createServer((s) => s.end("outside\n"));
    await new Promise<void>((r) => outside.listen(0, "127.0.0.1", () => r()));
    const outsidePort = (outside.address() as AddressInfo).port;
    const backend = new ProcessBackend({ config: config(), log });
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const script = `node -e '
      const net = require("net");
      net.connect(${outsidePort}, "127.0.0.1").on("connect", () => console.log("REACHED-OUTSIDE")).on("error", (e) => console.log("outside:", e.code));
      net.createServer((s) => s.pipe(s)).listen(${port}, "127.0.0.1", () => console.log("listening"));
    '`;
    const run = runOf(script, [port]);
    const ref = await backend.start(run);
    try {
      expect(await tcpRoundTrip(port, "ping through the bridge\n")).to.equal(
        "ping through the bridge\n",
      );
      await sleep(300);
      const { stdout } = await backend.logs(ref, run);
      expect(stdout).to.contain("outside: ECONNREFUSED");
      expect(stdout).not.to.contain("REACHED-OUTSIDE");
    } finally {
      await backend.stop(ref, run);
      outside.close();
    }
    expect(await backend.status(ref)).to.not.deep.equal({ state: "running" });
    expect(await portOpen(port)).to.equal(false);
  });

  it("a new backend adopts a running workload (agent restart) and stop kills its process group", async () => {
    const first = new ProcessBackend({ config: config(), log });
    const port = 19_000 + Math.floor(Math.random() * 1000);
    const run = runOf(
      `sleep 600 & node -e 'require("net").createServer((s) => s.end("up\\n")).listen(${port}, "127.0.0.1")'`,
      [port],
    );
    const ref = await first.start(run);
    await first.detach();
    expect(await portOpen(port)).to.equal(false);
    const second = new ProcessBackend({ config: config(), log });
    expect(await second.adopt(ref, run)).to.equal(true);
    expect(await tcpRoundTrip(port, "")).to.equal("up\n");
    await second.stop(ref, run);
    expect((await second.status(ref)).state).to.not.equal("running");
    expect(await second.adopt(ref, run)).to.equal(false);
  });

  it("a workload that dies at once is reported with its stderr", async () => {
    const backend = new ProcessBackend({ config: config(), log });
    const run = runOf("echo broken >&2; exit 3", [7]);
    const error = await backend.start(run).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/exited before it was running \(code 3\)[\s\S]*broken/);
  });
});
