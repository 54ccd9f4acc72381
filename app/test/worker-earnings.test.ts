/**
 * The supplier's earnings, jobs, profitability and telemetry in a real browser: a real agent
 * daemon (`iogrid-agent start`) behind a real relay (`iogrid-agent relay`), its device registered
 * and staked by its owner, whose key the browser's local wallet holds. A keeper attests it, a
 * renter books it for an hour, the agent starts the workload, the clock passes the end and the
 * booking is settled; #/worker shows each step as the chain has it, to the unit, and the agent's
 * CPU cores and load as its telemetry through the relay says; stopped, the agent shows offline.
 */
import { cpus } from "node:os";

import { expect } from "chai";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import {
  bookingPda,
  decodeBooking,
  decodeDeviceAccount,
  fetchReservationReceipts,
  fetchRelayTelemetry,
  iosdMintPda,
  relayHttpUrl,
} from "@iogrid/sdk";
import type { TelemetrySample } from "@iogrid/sdk";

import { spawnAgent } from "../../agent/test/support/agent.js";
import type { AgentProcess } from "../../agent/test/support/agent.js";
import { freePort, setUpHost, startHost } from "../../agent/test/support/host.js";
import type { Host } from "../../agent/test/support/host.js";
import { book, settle, warpBy } from "../../agent/test/support/network.js";
import { formatBps, formatIo, formatIosd } from "../src/deviceList.js";
import { formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("app: worker page shows a device's earnings, jobs, profitability and its agent's telemetry through the relay", function () {
  this.timeout(300_000);
  const app = appSuite();
  let relay: AgentProcess;
  let relayUrl: string;
  let host: Host;
  let reservation: PublicKey;

  before(async function () {
    this.timeout(180_000);
    const port = await freePort();
    relayUrl = `ws://127.0.0.1:${port}`;
    relay = spawnAgent("relay", [
      "relay",
      "--rpc-url",
      app.n.net.rpcUrl,
      "--listen",
      `127.0.0.1:${port}`,
      "--recheck-ms",
      "1000",
    ]);
    await relay.waitForLine(/relay listening/, 30_000);
    host = await setUpHost(app.n, {
      name: "earner",
      rpcUrl: app.n.net.rpcUrl,
      wsUrl: app.n.net.wsUrl,
      relayUrl,
      relayOnly: true,
      edit: (yaml) => yaml.replace("intervalMs: 15000", "intervalMs: 1000"),
    });
    await startHost(host);
    await host.process!.waitForLine(/attached to relay/, 30_000);
    // The browser's local wallet is the device's owner.
    await app.open("#/worker");
    await app.page.evaluate(
      `window.localStorage.setItem("iogrid.localWallet", ${JSON.stringify(JSON.stringify(Array.from(host.owner.secretKey)))})`,
    );
  });

  after(async () => {
    await host?.process?.stop();
    await relay?.stop();
  });

  const card = () => app.page.getByTestId(`worker-device-${host.device.toBase58()}`);

  /** #/worker afresh, the relay URL given as a query parameter (saved like the RPC URL). */
  async function openWorker(): Promise<void> {
    const { rpcUrl, wsUrl } = app.n.net;
    await app.page.goto("about:blank");
    await app.page.goto(
      `${app.url}?rpc=${encodeURIComponent(rpcUrl)}&ws=${encodeURIComponent(wsUrl)}&relay=${encodeURIComponent(relayUrl)}#/worker`,
    );
    await app.waitFor(card());
  }

  async function openEarnings(): Promise<void> {
    await card().getByText("Earnings, jobs, uptime and profitability").click();
    await app.waitFor(card().getByLabel("Profitability"));
  }

  async function chainDevice() {
    return decodeDeviceAccount(
      (await app.n.net.connection.getAccountInfo(host.device, "confirmed"))!,
    );
  }

  it("shows the agent's CPU cores and load as its telemetry through the relay reports them", async () => {
    await openWorker();
    expect(await app.page.getByLabel("Relay URL").inputValue()).to.equal(relayUrl);
    await card().getByText("Telemetry", { exact: true }).click();
    await app.waitFor(card().getByTestId("telemetry-cores"));
    expect(await card().getByTestId("telemetry-cores").innerText()).to.equal(String(cpus().length));
    // The load shown is the sample's the relay serves at the time the page says it sampled.
    let matched = false;
    for (let i = 0; i < 20 && !matched; i++) {
      const state = await card().getByTestId("telemetry-state").innerText();
      const load = await card().getByTestId("telemetry-load").innerText();
      const read = await fetchRelayTelemetry(relayUrl, host.device);
      expect(read.state).to.equal("online");
      const sample = (read as { sample: TelemetrySample }).sample;
      expect(sample.cpu.cores).to.equal(cpus().length);
      if (state.includes(new Date(sample.sampledAt).toISOString())) {
        expect(load).to.equal(String(sample.cpu.load1));
        const used = sample.memory.totalMib - sample.memory.availableMib;
        expect(await card().getByTestId("telemetry-memory").innerText()).to.equal(
          `${used.toLocaleString("en-US")} / ${sample.memory.totalMib.toLocaleString("en-US")} MiB`,
        );
        matched = true;
      } else await sleep(300);
    }
    expect(matched, "the page showed the relay's latest sample").to.equal(true);
    // No GPU on this machine: the GPU charts say so rather than plotting zeros.
    expect(await card().getByTestId("chart-temperature-value").innerText()).to.equal(
      "not reported",
    );
    // Samples accumulate: the CPU load chart gets a second point.
    await app.page.waitForFunction(
      `document.querySelector('[data-testid="chart-load"] polyline')?.getAttribute("points")?.includes(" ")`,
      undefined,
      { timeout: 20_000 },
    );
    await app.screenshot("worker-telemetry");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("shows uptime, reputation and an attested epoch's passes as the chain has them, before any job", async () => {
    const probe = await app.n.keeper.probe(host.endpoint, host.device);
    await app.n.keeper.attest(probe, host.owner.publicKey);
    const d = await chainDevice();
    await openWorker();
    await openEarnings();
    const c = card();
    expect(await c.getByTestId("device-rep").innerText()).to.equal(
      formatBps(d.availability.reputationBps),
    );
    expect(await c.getByTestId("device-passes").innerText()).to.equal(
      String(d.availability.passes),
    );
    expect(await c.getByTestId("device-uptime").innerText()).to.equal(
      String(d.availability.uptimeStreak),
    );
    const epoch = BigInt(d.availability.passEpoch.toString());
    const row = c.getByTestId(`epoch-${epoch}`);
    await app.waitFor(row);
    expect(await row.getByTestId("epoch-passes").innerText()).to.equal(
      String(d.availability.passCount),
    );
    const unsettled = d.availability.earnings.unsettled.find(
      (u) => BigInt(u.epoch.toString()) === epoch && BigInt(u.weight.toString()) > 0n,
    );
    expect(await row.getByTestId("epoch-weight").innerText()).to.equal(
      unsettled ? unsettled.weight.toString() : "not qualified",
    );
    expect(await row.getByTestId("epoch-reward").innerText()).to.equal("epoch not closed");
    expect(await c.getByTestId("jobs-empty").innerText()).to.equal("No bookings yet.");
    expect(await c.getByTestId("profit-utilisation").innerText()).to.equal(formatBps(0));
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("a booked and started job shows running with its renter, hours and price; settled, its pay and the profitability it gives", async () => {
    const device = { address: host.device, owner: host.owner.publicKey };
    ({ reservation } = await book(app.n, [device], 1, {
      kind: "process",
      image: "echo workload-started; exec sleep 7200",
      ports: [],
    }));
    const bookingKey = bookingPda(reservation, host.device).address;
    const connection = app.n.net.connection;
    let booking = decodeBooking((await connection.getAccountInfo(bookingKey, "confirmed"))!.data);
    for (let i = 0; i < 120 && BigInt(booking.startedAt.toString()) === 0n; i++) {
      await sleep(250);
      booking = decodeBooking((await connection.getAccountInfo(bookingKey, "confirmed"))!.data);
    }
    expect(BigInt(booking.startedAt.toString()), "the agent acknowledged the start").to.not.equal(
      0n,
    );

    await openWorker();
    await openEarnings();
    const job = card().getByTestId(`job-${bookingKey.toBase58()}`);
    await app.waitFor(job);
    const renter = app.n.renter.publicKey.toBase58();
    expect(await job.getByTestId("job-renter").getAttribute("title")).to.equal(renter);
    expect(await job.getByTestId("job-hours").innerText()).to.equal("1");
    expect(await job.getByTestId("job-price").innerText()).to.equal(
      formatIosd(BigInt(booking.pricePerHour.toString())),
    );
    expect(await job.getByTestId("job-state").innerText()).to.equal("running");
    expect(await job.getByTestId("job-pay").innerText()).to.equal("at settlement");

    const ends = BigInt(booking.endsAt.toString()) - BigInt(booking.startedAt.toString());
    await warpBy(app.n, Number(ends) + 5);
    await host.process!.waitForLine(/workload stopped \(ended\)/, 30_000);
    await settle(app.n, reservation, [device]);
    const receipts = await fetchReservationReceipts(connection, reservation);
    const settlement = receipts!.receipts.flatMap((r) => r.settlements)[0]!;
    const ownerIosd = await connection.getTokenAccountBalance(
      getAssociatedTokenAddressSync(iosdMintPda().address, host.owner.publicKey),
    );
    expect(BigInt(ownerIosd.value.amount)).to.equal(settlement.ownerPay);

    await openWorker();
    await openEarnings();
    await app.waitFor(job.getByText(`settled (${settlement.outcome})`));
    expect(await job.getByTestId("job-pay").innerText()).to.equal(formatIosd(settlement.ownerPay));
    const pay = card().getByTestId(`pay-${bookingKey.toBase58()}`);
    expect(await pay.getByTestId("pay-owner").innerText()).to.equal(
      formatIosd(settlement.ownerPay),
    );
    expect(await pay.getByTestId("pay-stakers").innerText()).to.equal(
      formatIosd(settlement.stakerShare),
    );
    expect(await pay.getByTestId("pay-delivered").innerText()).to.equal(
      formatUnits((settlement.deliveredSecs * 100n) / 3_600n, 2),
    );

    // Profitability from the chain's figures at the chain time the page read them.
    const d = await chainDevice();
    const hint = await card()
      .getByText(/^Read at chain time/)
      .innerText();
    const now = BigInt(
      Date.parse(hint.replace("Read at chain time ", "").replace(/\.$/, "")) / 1000,
    );
    const window = now - BigInt(d.registeredAt.toString());
    expect(await card().getByTestId("profit-utilisation").innerText()).to.equal(
      formatBps(Number((settlement.deliveredSecs * 10_000n) / window)),
    );
    expect(await card().getByTestId("profit-per-gpu-hour").innerText()).to.equal(
      formatIosd(
        (settlement.ownerPay * 3_600n) / (settlement.deliveredSecs * BigInt(d.specs.gpuCount)),
      ),
    );
    expect(await card().getByTestId("profit-month-pay").innerText()).to.equal(
      formatIosd((settlement.ownerPay * 30n * 86_400n) / window),
    );
    expect(await card().getByTestId("profit-month-io").innerText()).to.equal(formatIo(0n));
    expect(await card().getByTestId("profit-stake-yield").innerText()).to.equal(formatBps(0));
    await app.screenshot("worker-earnings");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("shows the agent offline once it has left the relay", async () => {
    await host.process!.stop();
    host.process = undefined;
    for (let i = 0; i < 40; i++) {
      const read = await fetchRelayTelemetry(relayUrl, host.device);
      if (read.state === "offline") break;
      await sleep(250);
    }
    await openWorker();
    await card().getByText("Telemetry", { exact: true }).click();
    await app.waitFor(card().getByText("Agent offline: it is not attached to the relay."));
    // The relay's 404 for the detached agent is the one console error chromium logs here.
    const url = `${relayHttpUrl(relayUrl)}/v1/devices/${host.device.toBase58()}/v1/telemetry`;
    const others = app.browser.errors.filter((e) => !/status of 404/.test(e));
    expect(others, `console errors besides the relay's 404 for ${url}`).to.deep.equal([]);
    app.browser.errors.length = 0;
  });
});
