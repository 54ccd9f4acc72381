/**
 * The `ray` backend with real Ray (PyPI's `ray`, the venv `scripts/setup-ray.mjs` creates): three
 * agents on one machine are three devices of one Ray reservation. The first booked device starts
 * the head, the others ask its agent for the GCS address and join; every start is acknowledged
 * once, only when its node runs. The renter reaches the head's job API only through the relay
 * tunnel (`iogrid ray`, which prints the RAY_ADDRESS) and submits a Ray job whose tasks run on all three nodes, and checks its result. A worker
 * agent SIGKILLed and restarted adopts its node (no second acknowledgement); at the bookings' end
 * every node is stopped and its ports are closed. A reservation pinned to another Ray version is
 * refused by every agent.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import type { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { bookingPda, fetchReservationBookings, firstBookedDevice } from "@iogrid/sdk";
import { saveKeypair } from "@iogrid/sdk/node";

import { waitFor } from "../../tests/support/chain.js";
import { IOGRID_BIN } from "../../cli/test/support/cli.js";
import { spawnAgent } from "./support/agent.js";
import type { AgentProcess } from "./support/agent.js";
import { freePort, rayCommand, rayConfig, setUpHost, startHost } from "./support/host.js";
import { RAY_JOB, rayJobSum } from "./support/ray-job.js";
import type { Host } from "./support/host.js";
import { book, settle, startNetwork, warpBy } from "./support/network.js";
import type { Network } from "./support/network.js";
import { portOpen } from "../src/backends/process.js";
import {
  rayPorts,
  rayStartArgs,
  rayVersionProblem,
  requestedRayVersion,
} from "../src/backends/ray.js";

const exec = promisify(execFile);

describe("ray backend: node command lines and version pins", () => {
  it("a head serves its job API on loopback at the workload's first port, a worker joins the GCS", () => {
    const common = {
      ray: "/venv/bin/ray",
      headPort: 6390,
      nodeAddress: "10.0.0.7",
      sessionDir: "/tmp/ray",
      portBase: 30_000,
      cpus: 4,
      gpus: 8,
      objectStoreMib: 0,
    };
    const head = rayStartArgs({ ...common, role: "head", ports: [8265, 10001] });
    expect(head.slice(0, 4)).to.deep.equal([
      "/venv/bin/ray",
      "start",
      "--block",
      "--disable-usage-stats",
    ]);
    expect(head).to.include.members([
      "--head",
      "--port=6390",
      "--dashboard-host=127.0.0.1",
      "--dashboard-port=8265",
      "--ray-client-server-port=10001",
      "--node-ip-address=10.0.0.7",
      "--temp-dir=/tmp/ray",
      "--node-manager-port=30000",
      "--min-worker-port=30010",
      "--max-worker-port=30099",
      "--num-cpus=4",
      "--num-gpus=8",
    ]);
    expect(head.some((a) => a.startsWith("--object-store-memory"))).to.equal(false);
    const worker = rayStartArgs({
      ...common,
      role: "worker",
      headAddress: "10.0.0.1:6379",
      ports: [8265],
      objectStoreMib: 256,
    });
    expect(worker).to.include.members([
      "--address=10.0.0.1:6379",
      `--object-store-memory=${256 * 2 ** 20}`,
    ]);
    expect(worker.some((a) => a === "--head" || a.startsWith("--dashboard-port"))).to.equal(false);
    expect(() => rayStartArgs({ ...common, role: "worker", ports: [] })).to.throw(/head's address/);
  });

  it("an image that names a Ray version pins major.minor; any other image runs on what is installed", () => {
    expect(requestedRayVersion("rayproject/ray:2.60.0-gpu")).to.equal("2.60");
    expect(requestedRayVersion("ray:2.9")).to.equal("2.9");
    expect(requestedRayVersion("rayproject/ray-ml:2.41.1")).to.equal("2.41");
    expect(requestedRayVersion("my-ray-cluster")).to.equal(undefined);
    expect(rayVersionProblem("ray:2.60", "2.60.0")).to.equal(undefined);
    expect(rayVersionProblem("anything", "2.60.0")).to.equal(undefined);
    expect(rayVersionProblem("ray:2.9", "2.60.0")).to.equal(
      "the reservation asks for Ray 2.9 (ray:2.9); this device runs Ray 2.60.0",
    );
  });
});

describe("ray backend: a 3-device reservation is a 3-node Ray cluster reached through the relay", function () {
  this.timeout(900_000);
  let n: Network;
  let ray: string;
  let relay: AgentProcess;
  let relayPort: number;
  const hosts: Host[] = [];
  const agents: AgentProcess[] = [];
  let connect: AgentProcess | undefined;
  let reservation: PublicKey;
  let jobPort: number;
  let head: Host;

  before(async function () {
    this.timeout(900_000);
    ray = await rayCommand();
    n = await startNetwork();
    relayPort = await freePort();
    relay = spawnAgent("relay", [
      "relay",
      "--rpc-url",
      n.net.rpcUrl,
      "--listen",
      `127.0.0.1:${relayPort}`,
      "--recheck-ms",
      "1000",
    ]);
    await relay.waitForLine(/relay listening/, 30_000);
    for (const [i, name] of ["ray-a", "ray-b", "ray-c"].entries()) {
      const host = await setUpHost(n, {
        name,
        rpcUrl: n.net.rpcUrl,
        wsUrl: n.net.wsUrl,
        relayUrl: `ws://127.0.0.1:${relayPort}`,
        backends: "process,ray",
        edit: await rayConfig(ray, i),
      });
      hosts.push(host);
      agents.push(await startHost(host));
    }
    for (const agent of agents) await agent.waitForLine(/backend ray: Ray 2\./, 5_000);
  });

  after(async () => {
    await connect?.stop(5_000);
    for (const agent of agents) await agent.stop();
    await relay?.stop();
    await n?.net.stop();
  });

  const devices = () => hosts.map((h) => ({ address: h.device, owner: h.owner.publicKey }));
  const bookingOf = (h: Host) =>
    n.market.account.booking.fetchNullable(bookingPda(reservation, h.device).address);
  const acks = (agent: AgentProcess) => agent.matching(/acknowledging start/).length;

  it("the first booked device starts the head, the others join it, and each start is acknowledged once", async () => {
    jobPort = await freePort();
    ({ reservation } = await book(n, devices(), 1, {
      kind: "ray",
      image: "rayproject/ray:2.60.0",
      ports: [jobPort],
    }));
    const first = firstBookedDevice(await fetchReservationBookings(n.net.connection, reservation));
    head = hosts.find((h) => h.device.equals(first!))!;
    for (const h of hosts) {
      await waitFor(
        `${h.name}'s start acknowledgement`,
        async () => {
          const booking = await bookingOf(h);
          return booking && BigInt(booking.startedAt.toString()) !== 0n ? true : undefined;
        },
        300_000,
        500,
      );
    }
    for (const [i, h] of hosts.entries()) {
      expect(acks(agents[i]!), h.name).to.equal(1);
      expect(await portOpen(rayPorts(portBaseOf(h)).nodeManager), `${h.name} raylet`).to.equal(
        true,
      );
    }
    // Only the head serves the job API, and only on loopback (the relay's side of the tunnel).
    expect(await portOpen(jobPort)).to.equal(true);
    const answer = await fetch(`${head.endpoint}/v1/ray/${reservation.toBase58()}`);
    expect(answer.status).to.equal(200);
    const worker = hosts.find((h) => h !== head)!;
    const refused = await fetch(`${worker.endpoint}/v1/ray/${reservation.toBase58()}`);
    expect(refused.status).to.equal(404);
    expect(((await refused.json()) as { error: string }).error).to.equal("NoRayHead");
  });

  it("the renter submits a Ray job through the relay tunnel; its tasks run on all three nodes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iogrid-ray-job-"));
    const renterKey = join(dir, "renter.json");
    saveKeypair(renterKey, n.renter);
    writeFileSync(join(dir, "job.py"), RAY_JOB);
    // The renter CLI's `iogrid ray`: the tunnel to the head's job API, and the RAY_ADDRESS.
    connect = spawnAgent(
      "iogrid-ray",
      [
        "ray",
        reservation.toBase58(),
        "--url",
        n.net.rpcUrl,
        "--keypair",
        renterKey,
        "--relay",
        `ws://127.0.0.1:${relayPort}`,
        "--json",
      ],
      { bin: IOGRID_BIN },
    );
    const line = await connect.waitForLine(/"rayAddress"/, 30_000);
    const tunnel = JSON.parse(line) as { rayAddress: string; head: string; devicePort: number };
    expect(tunnel.head).to.equal(head.device.toBase58());
    expect(tunnel.devicePort).to.equal(jobPort);
    const job = await exec(
      ray,
      [
        "job",
        "submit",
        "--address",
        tunnel.rayAddress,
        "--working-dir",
        dir,
        "--",
        "python",
        "job.py",
      ],
      {
        env: { ...process.env, RAY_USAGE_STATS_ENABLED: "0" },
        maxBuffer: 16 << 20,
        timeout: 300_000,
      },
    );
    const result = /RESULT (\d+) (\d+) (\d+)/.exec(job.stdout);
    expect(result, job.stdout + job.stderr).to.not.equal(null);
    expect(Number(result![1])).to.equal(3);
    expect(Number(result![2])).to.equal(3);
    expect(BigInt(result![3]!)).to.equal(rayJobSum(3));
  });

  it("a worker's agent SIGKILLed and restarted adopts its node without a second acknowledgement", async () => {
    const i = hosts.findIndex((h) => h !== head);
    const before = acks(agents[i]!);
    await agents[i]!.kill();
    agents[i] = await startHost(hosts[i]!);
    await agents[i]!.waitForLine(/adopted the running ray workload/, 60_000);
    expect(acks(agents[i]!)).to.equal(0);
    expect(before).to.equal(1);
    expect(await portOpen(rayPorts(portBaseOf(hosts[i]!)).nodeManager)).to.equal(true);
  });

  it("at the bookings' end every node stops and its ports close; settlement forgets them", async () => {
    const booking = (await bookingOf(head))!;
    await warpBy(
      n,
      Number(BigInt(booking.endsAt.toString()) - BigInt(booking.startedAt.toString())) + 5,
    );
    for (const agent of agents) await agent.waitForLine(/workload stopped \(ended\)/, 60_000);
    for (const h of hosts) {
      await waitFor(
        `${h.name}'s raylet to close`,
        async () => ((await portOpen(rayPorts(portBaseOf(h)).nodeManager)) ? undefined : true),
        30_000,
        250,
      );
    }
    expect(await portOpen(jobPort)).to.equal(false);
    const gone = await fetch(`${head.endpoint}/v1/ray/${reservation.toBase58()}`);
    expect(gone.status).to.equal(404);
    // One device per transaction: three settlements do not fit one legacy transaction.
    for (const device of devices()) await settle(n, reservation, [device]);
  });

  it("a reservation pinned to another Ray version is refused, and nothing is acknowledged", async () => {
    const port = await freePort();
    const other = await book(n, devices(), 1, { kind: "ray", image: "ray:1.13", ports: [port] });
    for (const agent of agents)
      await agent.waitForLine(
        /the reservation asks for Ray 1\.13 \(ray:1\.13\); this device runs Ray 2\./,
        60_000,
      );
    for (const h of hosts) {
      const booking = await n.market.account.booking.fetch(
        bookingPda(other.reservation, h.device).address,
      );
      expect(BigInt(booking.startedAt.toString())).to.equal(0n);
    }
  });

  /** The `ray.portBase` written into a host's config. */
  function portBaseOf(h: Host): number {
    return Number(/portBase: (\d+)/.exec(readConfig(h))![1]);
  }
});

function readConfig(h: Host): string {
  return readFileSync(h.config, "utf8");
}
