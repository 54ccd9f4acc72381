/**
 * The host agent end to end on one local chain, as a supplier and its users meet it: `init` ->
 * `register` -> `start` (real processes); a keeper probes the agent over HTTP and attests the
 * probe; forged requests are refused by name; a reservation booked for the device is picked up,
 * its sandboxed `process` workload runs and answers, the start is acknowledged exactly once, logs
 * are captured, and the workload stops at the booking's end; a renter's environment is checked
 * against the booking's hash; SIGKILL of the agent mid-workload and at the acknowledgement, then
 * `start`, reconciles (no second acknowledgement, running work adopted, ended work stopped); an
 * RPC outage is logged once and survived; SIGTERM stops cleanly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";

import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { bookingPda, devicePda, workloadEnvHash } from "@iogrid/sdk";
import { saveKeypair } from "@iogrid/sdk/node";

import { sleep, waitFor } from "../../tests/support/chain.js";
import { agentCli } from "./support/agent.js";
import type { AgentProcess } from "./support/agent.js";
import { freePort, setUpHost, startHost } from "./support/host.js";
import type { Host } from "./support/host.js";
import { book, settle, startNetwork, warpBy } from "./support/network.js";
import type { Network } from "./support/network.js";
import { portOpen, processStartTime } from "../src/backends/process.js";

/** A workload serving HTTP on `port` inside its sandbox, printing a line first. */
function httpWorkload(port: number, greeting = "hello"): string {
  return `echo workload-started; exec node -e "require('http').createServer((q, s) => s.end('${greeting} ' + (process.env.GREETING || '-') + ' ' + process.env.IOGRID_BOOKING)).listen(${port}, '127.0.0.1')"`;
}

/** POSTs `body` as JSON to `<endpoint>/v1/probe` from the local address `from`. */
function postProbeFrom(
  from: string,
  endpoint: string,
  body: unknown,
): Promise<{ status: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${endpoint.replace(/\/$/, "")}/v1/probe`,
      { method: "POST", localAddress: from, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            error: (JSON.parse(text) as { error?: string }).error,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
  return res.text();
}

describe("agent: init, register, start, probes, bookings, restarts", function () {
  this.timeout(600_000);
  let n: Network;
  let host: Host;
  let agent: AgentProcess;
  const ackLines = (): string[] => (agent ? agent.matching(/acknowledging start/) : []);
  let allAckLines = 0;

  before(async function () {
    this.timeout(600_000);
    n = await startNetwork();
    host = await setUpHost(n, { name: "rig", rpcUrl: n.net.rpcUrl, wsUrl: n.net.wsUrl });
    agent = await startHost(host);
  });

  after(async () => {
    await agent?.stop();
    await n?.net.stop();
  });

  const deviceRef = () => ({ address: host.device, owner: host.owner.publicKey });
  const bookingOf = (reservation: PublicKey) =>
    n.market.account.booking.fetchNullable(bookingPda(reservation, host.device).address);

  it("registered the device the config names, with this agent's key, staked to its minimum", async () => {
    const status = await agentCli(["status", "--config", host.config, "--json"]);
    expect(status.code, status.stderr).to.equal(0);
    const report = JSON.parse(status.stdout) as Record<string, unknown> & {
      stake: { meetsMinimum: boolean };
    };
    expect(report.registered).to.equal(true);
    expect(report.agentMatches).to.equal(true);
    expect(report.device).to.equal(host.device.toBase58());
    expect(report.owner).to.equal(host.owner.publicKey.toBase58());
    expect(report.gpuModel).to.equal("CPU only");
    expect(report.endpoint).to.equal(host.endpoint);
    expect(report.stake.meetsMinimum).to.equal(true);
    expect(report.reservation).to.equal(null);
    const deviceId = readFileSync(host.config, "utf8").match(/id: "([^"]+)"/)![1]!;
    expect(devicePda(deviceId).address.equals(host.device)).to.equal(true);
    const again = await agentCli([
      "register",
      "--config",
      host.config,
      "--owner-keypair",
      host.ownerKeyFile,
    ]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("is already registered");
  });

  it("a keeper probes the agent over HTTP and attests its signed probe on chain", async () => {
    const health = (await (await fetch(`${host.endpoint}/health`)).json()) as { healthy: boolean };
    expect(health.healthy).to.equal(true);
    const probe = await n.keeper.probe(host.endpoint, host.device);
    await n.keeper.attest(probe, host.owner.publicKey);
    const device = await n.registry.account.device.fetch(host.device);
    expect(BigInt(device.availability.lastPassEpoch.toString())).to.equal(await n.keeper.epoch());
    expect(device.availability.passes).to.equal(1);
    const metrics = await (await fetch(`${host.endpoint}/metrics`)).text();
    expect(metrics).to.match(/iogrid_agent_probes_total\{outcome="ok"\} 1/);
  });

  it("forged and malformed probe requests are refused with a 4xx and a reason", async () => {
    const k = n.keeper;
    // A slot older than the registry's probe age (150) must exist in SlotHashes' history.
    await waitFor(
      "slot 160",
      async () => ((await n.net.connection.getSlot()) > 160 ? true : undefined),
      120_000,
      500,
    );
    const valid = await k.request(host.device);
    const other = devicePda("someone-else").address.toBase58();
    const cases: [unknown, number, string][] = [
      [{ ...valid, device: other }, 403, "WrongDevice"],
      [
        { ...valid, slot: (BigInt(valid.slot) > 200n ? BigInt(valid.slot) - 200n : 0n).toString() },
        422,
        "StaleSlot",
      ],
      [{ ...valid, slot: (BigInt(valid.slot) + 1_000n).toString() }, 422, "FutureSlot"],
      [{ ...valid, epoch: (BigInt(valid.epoch) + 1n).toString() }, 422, "WrongEpoch"],
      [{ ...valid, keeper: PublicKey.unique().toBase58() }, 403, "UnknownKeeper"],
      [{ ...valid, slot: "-1" }, 400, "MalformedRequest"],
      [{ ...valid, extra: 1 }, 400, "MalformedRequest"],
      ["{not json", 400, "MalformedBody"],
      [[1, 2], 400, "MalformedRequest"],
    ];
    for (const [body, status, error] of cases) {
      const answer = await k.post(host.endpoint, body);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
      expect(answer.body.error).to.equal(error);
      expect(answer.body.reason).to.be.a("string").and.not.equal("");
    }
  });

  it("a stranger naming the keeper from another address spends only its own probe budget", async () => {
    const valid = await n.keeper.request(host.device);
    // probe.perKeeperPerMinute is 30 by default: a burst of 60 from one address is cut at 30
    // plus what refills while it arrives (benchmarks run between the arrivals).
    const burst = Promise.all(
      Array.from({ length: 60 }, () => postProbeFrom("127.0.0.2", host.endpoint, valid)),
    );
    await sleep(300);
    // Meanwhile the keeper, from its own address, is answered with a probe it can attest.
    const probe = await n.keeper.probe(host.endpoint, host.device);
    expect(probe.message.length).to.be.greaterThan(0);
    const answers = await burst;
    const served = answers.filter((a) => a.status === 200).length;
    expect(served).to.be.within(30, 59);
    expect(answers.filter((a) => a.status !== 200)).to.deep.equal(
      Array(60 - served).fill({ status: 429, error: "RateLimited" }),
    );
  });

  it("a booked reservation's process workload runs, the start is acknowledged once, logs are kept, and it stops at the end", async () => {
    const port = await freePort();
    const { reservation } = await book(n, [deviceRef()], 1, {
      kind: "process",
      image: httpWorkload(port),
      ports: [port],
    });
    const booking = await waitFor(
      "the start acknowledgement",
      async () => {
        const b = await bookingOf(reservation);
        return b && BigInt(b.startedAt.toString()) !== 0n ? b : undefined;
      },
      60_000,
      250,
    );
    expect(await httpGet(port)).to.equal(
      `hello - ${bookingPda(reservation, host.device).address.toBase58()}`,
    );
    expect(ackLines()).to.have.length(1);
    const signatures = await n.net.connection.getSignaturesForAddress(
      bookingPda(reservation, host.device).address,
    );
    // Booked, then acknowledged: one transaction each.
    expect(signatures.filter((s) => s.err === null)).to.have.length(2);
    const log = readFileSync(
      join(
        host.dir,
        "work",
        "bookings",
        bookingPda(reservation, host.device).address.toBase58(),
        "stdout.log",
      ),
      "utf8",
    );
    expect(log).to.contain("workload-started");

    await warpBy(
      n,
      Number(BigInt(booking.endsAt.toString()) - BigInt(booking.startedAt.toString())) + 5,
    );
    await agent.waitForLine(/workload stopped \(ended\)/, 30_000);
    expect(await portOpen(port)).to.equal(false);
    await settle(n, reservation, [deviceRef()]);
    await waitFor(
      "the settled booking to be forgotten",
      async () => ((await bookingOf(reservation)) ? undefined : true),
      20_000,
    );
    allAckLines += ackLines().length;
  });

  it("a workload with a renter environment waits for it, refuses a wrong one, then SIGKILLs of the agent lose nothing", async () => {
    const port = await freePort();
    const env = { GREETING: "hi-from-renter" };
    const { reservation } = await book(n, [deviceRef()], 2, {
      kind: "process",
      image: httpWorkload(port, "env"),
      ports: [port],
      envHash: workloadEnvHash(env),
    });
    const bookingKey = bookingPda(reservation, host.device).address.toBase58();
    await agent.waitForLine(
      new RegExp(`booking ${bookingKey}: waiting for the renter's environment`),
      30_000,
    );
    const post = (body: unknown) =>
      fetch(`${host.endpoint}/v1/env`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const wrong = await post({
      reservation: reservation.toBase58(),
      env: { GREETING: "tampered" },
    });
    expect(wrong.status).to.equal(409);
    expect(((await wrong.json()) as { error: string }).error).to.equal("EnvHashMismatch");

    // Kill the agent the moment it has signed the acknowledgement.
    const from = agent.lines.length;
    expect((await post({ reservation: reservation.toBase58(), env })).status).to.equal(200);
    await agent.waitForLine(/acknowledging start/, 60_000, from);
    await agent.kill();
    allAckLines += 1;
    // The workload process outlives the agent (its port forward comes back with the agent).
    const state = JSON.parse(readFileSync(join(host.dir, "work", "state.json"), "utf8")) as {
      workloads: Record<string, { ref: { pid: number; pidStartTime: string } | null }>;
    };
    const ref = state.workloads[bookingKey]!.ref!;
    expect(processStartTime(ref.pid)).to.equal(ref.pidStartTime);

    agent = await startHost(host);
    await waitFor(
      "the start on chain",
      async () => {
        const b = await bookingOf(reservation);
        return b && BigInt(b.startedAt.toString()) !== 0n ? true : undefined;
      },
      60_000,
      250,
    );
    await agent.waitForLine(
      new RegExp(`booking ${bookingKey}: adopted the running process workload`),
      30_000,
    );
    await sleep(1_500);
    expect(ackLines(), "no second acknowledgement after the restart").to.have.length(0);
    const signatures = await n.net.connection.getSignaturesForAddress(
      bookingPda(reservation, host.device).address,
    );
    expect(signatures.filter((s) => s.err === null)).to.have.length(2);

    // Killed again mid-workload: restarted, the running work is adopted, nothing re-sent.
    await agent.kill();
    agent = await startHost(host);
    await agent.waitForLine(
      new RegExp(`booking ${bookingKey}: adopted the running process workload`),
      30_000,
    );
    expect(await httpGet(port)).to.equal(`env hi-from-renter ${bookingKey}`);
    expect(ackLines()).to.have.length(0);

    // Killed, and the booking ends while the agent is down: the next start stops the work.
    await agent.kill();
    const booking = (await bookingOf(reservation))!;
    await warpBy(
      n,
      Number(BigInt(booking.endsAt.toString()) - BigInt(booking.startedAt.toString())) + 5,
    );
    agent = await startHost(host);
    await agent.waitForLine(
      new RegExp(`booking ${bookingKey}: workload stopped \\(ended\\)`),
      30_000,
    );
    expect(await portOpen(port)).to.equal(false);
    expect(ackLines()).to.have.length(0);
    expect(allAckLines).to.equal(2);
    await settle(n, reservation, [deviceRef()]);
  });

  it("change-agent moves a device to a replacement agent key, which start refused until then", async () => {
    const moved = await setUpHost(n, { name: "moved", rpcUrl: n.net.rpcUrl, wsUrl: n.net.wsUrl });
    // A replacement key, as after a lost disk: same config, another agentKey.
    const replacement = Keypair.generate();
    const keyFile = join(moved.dir, "replacement-key.json");
    saveKeypair(keyFile, replacement);
    const config = join(moved.dir, "replacement.yaml");
    writeFileSync(
      config,
      readFileSync(moved.config, "utf8").replace(
        /^agentKey: .*$/m,
        `agentKey: ${JSON.stringify(keyFile)}`,
      ),
    );
    const refused = await agentCli(["start", "--config", config], { timeoutMs: 60_000 });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/iogrid-agent change-agent --owner-keypair/);

    const args = ["change-agent", "--config", config, "--owner-keypair", moved.ownerKeyFile];
    const changed = await agentCli([...args, "--json"]);
    expect(changed.code, changed.stderr).to.equal(0);
    const result = JSON.parse(changed.stdout) as {
      previous: string;
      agent: string;
      signature: string | null;
    };
    expect(result.previous).to.equal(moved.agent.toBase58());
    expect(result.agent).to.equal(replacement.publicKey.toBase58());
    expect(result.signature).to.be.a("string");
    const device = await n.registry.account.device.fetch(moved.device);
    expect(device.agent.toBase58()).to.equal(replacement.publicKey.toBase58());

    // Again: nothing to send. The old key's config no longer matches.
    const again = await agentCli([...args, "--json"]);
    expect((JSON.parse(again.stdout) as { signature: string | null }).signature).to.equal(null);
    const old = await agentCli(["status", "--config", moved.config, "--json"]);
    expect((JSON.parse(old.stdout) as { agentMatches: boolean }).agentMatches).to.equal(false);
  });

  it("an RPC outage is logged once and survived; SIGTERM stops cleanly", async () => {
    const from = agent.lines.length;
    // Down for several of the agent's one-second polls, so that it notices.
    await n.net.restart(4_000);
    await agent.waitForLine(/available again after/, 60_000, from);
    const down = agent.lines.slice(from).filter((l) => /unavailable/.test(l));
    expect(down, down.join("\n")).to.have.length(1);
    expect(agent.alive).to.equal(true);
    const health = (await (await fetch(`${host.endpoint}/health`)).json()) as { healthy: boolean };
    expect(health.healthy).to.equal(true);
    const stopped = await agent.stop();
    expect(stopped.code).to.equal(0);
    expect(agent.matching(/stopped \(running workloads keep running/)).to.have.length(1);
  });
});
