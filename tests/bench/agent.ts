/**
 * Host agent benchmark: one real `iogrid-agent start` daemon (its own process, the `process`
 * backend in its bubblewrap sandbox) on the local chain, measured as keepers and renters meet it:
 *   1. probe round trip: `--probes` sequential probe requests from a bonded keeper over HTTP
 *      (challenge checks, SlotHashes read, the CPU benchmark at the agent's default iterations,
 *      the signed probe), p50 / p99 / max;
 *   2. probes served per second with `--concurrency` requests in flight;
 *   3. booking to running: `--bookings` times, from the renter's booking confirmed to the workload
 *      answering on its port and to the agent's start acknowledgement on chain; each booking is
 *      then cancelled and settled so the device is free for the next;
 *   4. the daemon's resident memory at idle;
 *   5. the `ray` backend: `--ray-bookings` reservations of `--ray-nodes` more agents (one machine,
 *      real Ray from the venv `npm run setup:ray` makes), from the booking confirmed to the head's
 *      start acknowledged and to the last node's (the whole cluster running); 0 skips it.
 * Prints the figures; nothing asserts.
 *
 * Usage: npm run bench:agent -- [--probes 200] [--concurrency 8] [--bookings 5] [--ray-nodes 3]
 *   [--ray-bookings 2]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import {
  freePort,
  rayCommand,
  rayConfig,
  setUpHost,
  startHost,
} from "../../agent/test/support/host.js";
import { book, cancel, settle, startNetwork } from "../../agent/test/support/network.js";
import { portOpen } from "../../agent/src/backends/process.js";
import { bookingPda, fetchReservationBookings, firstBookedDevice } from "@iogrid/sdk";
import { sleep } from "../support/chain.js";

const { values } = parseArgs({
  options: {
    probes: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    bookings: { type: "string", default: "5" },
    "ray-nodes": { type: "string", default: "3" },
    "ray-bookings": { type: "string", default: "2" },
  },
});
const PROBES = Number(values.probes);
const CONCURRENCY = Number(values.concurrency);
const BOOKINGS = Number(values.bookings);
const RAY_NODES = Number(values["ray-nodes"]);
const RAY_BOOKINGS = Number(values["ray-bookings"]);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Resident memory of `pid` and its descendants, MiB. */
function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children file: no children counted
  }
  return kib / 1024 + children.reduce((sum, child) => sum + rssMib(child), 0);
}

async function main(): Promise<void> {
  console.log(
    `iogrid agent benchmark: ${PROBES} probes, ${CONCURRENCY} in flight, ${BOOKINGS} bookings`,
  );
  const n = await startNetwork();
  try {
    const host = await setUpHost(n, {
      name: "bench",
      rpcUrl: n.net.rpcUrl,
      wsUrl: n.net.wsUrl,
      // One keeper asks many times here: lift the per-keeper limit out of the way.
      edit: (yaml) => yaml.replace("perKeeperPerMinute: 30", "perKeeperPerMinute: 6000"),
    });
    const agent = await startHost(host);
    const keeper = n.keeper;

    // 1. Sequential round trips.
    const times: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const body = await keeper.request(host.device);
      const t0 = performance.now();
      const answer = await keeper.post(host.endpoint, body);
      times.push(performance.now() - t0);
      if (answer.status !== 200) throw new Error(`probe refused: ${JSON.stringify(answer.body)}`);
    }
    times.sort((a, b) => a - b);
    console.log(
      `\nprobe round trip (request -> signed probe, sequential): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
    );

    // 2. Throughput with requests in flight (one challenge for all, renewed every 10 s so that
    // its slot stays within the registry's probe age on a slow machine).
    let body = await keeper.request(host.device);
    let bodyAt = performance.now();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < PROBES) {
          if (performance.now() - bodyAt > 10_000) {
            bodyAt = performance.now();
            body = await keeper.request(host.device);
          }
          const answer = await keeper.post(host.endpoint, body);
          if (answer.status !== 200)
            throw new Error(`probe refused: ${JSON.stringify(answer.body)}`);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `probes served: ${PROBES} in ${secs.toFixed(2)} s with ${CONCURRENCY} in flight, ${(PROBES / secs).toFixed(1)} per second`,
    );

    // 3. Booking -> workload running -> acknowledged.
    const device = { address: host.device, owner: host.owner.publicKey };
    const running: number[] = [];
    const acked: number[] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const port = await freePort();
      const t = performance.now();
      const { reservation } = await book(n, [device], 1, {
        kind: "process",
        image: `exec node -e "require('net').createServer((s) => s.end('ok')).listen(${port}, '127.0.0.1')"`,
        ports: [port],
      });
      const booked = performance.now();
      const booking = bookingPda(reservation, host.device).address;
      let runningAt: number | undefined;
      for (;;) {
        if (runningAt === undefined && (await portOpen(port))) runningAt = performance.now();
        const b = await n.market.account.booking.fetchNullable(booking, "confirmed");
        if (b && BigInt(b.startedAt.toString()) !== 0n) {
          runningAt ??= performance.now();
          acked.push(performance.now() - booked);
          break;
        }
        if (performance.now() - t > 120_000) throw new Error("no acknowledgement in 120 s");
        await sleep(20);
      }
      running.push(runningAt - booked);
      const from = agent.lines.length;
      await cancel(n, reservation);
      await settle(n, reservation, [device]);
      await agent.waitForLine(/workload stopped/, 30_000, from);
    }
    running.sort((a, b) => a - b);
    acked.sort((a, b) => a - b);
    console.log(
      `\nbooking confirmed -> workload answering on its port: median ${(percentile(running, 50) / 1000).toFixed(2)} s, max ${(running.at(-1)! / 1000).toFixed(2)} s (${BOOKINGS} bookings)`,
    );
    console.log(
      `booking confirmed -> start acknowledged on chain: median ${(percentile(acked, 50) / 1000).toFixed(2)} s, max ${(acked.at(-1)! / 1000).toFixed(2)} s`,
    );

    // 4. Idle memory (after a few seconds with nothing booked).
    await sleep(5_000);
    console.log(`\nagent resident memory at idle: ${rssMib(agent.child.pid!).toFixed(0)} MiB`);
    await agent.stop();

    // 5. Ray: booking -> head acknowledged -> every node acknowledged.
    if (RAY_NODES > 0 && RAY_BOOKINGS > 0) {
      const ray = await rayCommand();
      const hosts = [];
      for (let i = 0; i < RAY_NODES; i++) {
        const rayHost = await setUpHost(n, {
          name: `ray-${i}`,
          rpcUrl: n.net.rpcUrl,
          wsUrl: n.net.wsUrl,
          backends: "ray",
          edit: await rayConfig(ray, i),
        });
        hosts.push({ host: rayHost, agent: await startHost(rayHost) });
      }
      const devices = hosts.map(({ host: h }) => ({ address: h.device, owner: h.owner.publicKey }));
      const headAcked: number[] = [];
      const allAcked: number[] = [];
      for (let i = 0; i < RAY_BOOKINGS; i++) {
        const { reservation } = await book(n, devices, 1, {
          kind: "ray",
          image: "ray",
          ports: [await freePort()],
        });
        const booked = performance.now();
        const head = firstBookedDevice(
          await fetchReservationBookings(n.net.connection, reservation),
        )!;
        const ackedAt = new Map<string, number>();
        while (ackedAt.size < devices.length) {
          for (const d of devices) {
            if (ackedAt.has(d.address.toBase58())) continue;
            const b = await n.market.account.booking.fetchNullable(
              bookingPda(reservation, d.address).address,
              "confirmed",
            );
            if (b && BigInt(b.startedAt.toString()) !== 0n)
              ackedAt.set(d.address.toBase58(), performance.now() - booked);
          }
          if (performance.now() - booked > 600_000) throw new Error("Ray cluster not up in 600 s");
          await sleep(100);
        }
        headAcked.push(ackedAt.get(head.toBase58())!);
        allAcked.push(Math.max(...ackedAt.values()));
        const marks = hosts.map(({ agent: a }) => a.lines.length);
        await cancel(n, reservation);
        for (const d of devices) await settle(n, reservation, [d]);
        for (const [j, { agent: a }] of hosts.entries())
          await a.waitForLine(/workload stopped/, 60_000, marks[j]);
      }
      headAcked.sort((a, b) => a - b);
      allAcked.sort((a, b) => a - b);
      console.log(
        `\nray: booking confirmed -> head running and acknowledged: median ${(percentile(headAcked, 50) / 1000).toFixed(2)} s, max ${(headAcked.at(-1)! / 1000).toFixed(2)} s (${RAY_BOOKINGS} reservations of ${RAY_NODES} devices)`,
      );
      console.log(
        `ray: booking confirmed -> all ${RAY_NODES} nodes joined and acknowledged: median ${(percentile(allAcked, 50) / 1000).toFixed(2)} s, max ${(allAcked.at(-1)! / 1000).toFixed(2)} s`,
      );
      for (const { agent: a } of hosts) await a.stop();
    }
  } finally {
    await n.net.stop();
  }
}

await main();
