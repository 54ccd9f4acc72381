/**
 * The sdk's device earnings arithmetic without a chain: an epoch's reward is the device's weight's
 * share of the closed epoch's device pot (rounded down, null while open), and profitability
 * counts settled pay, delivered and running time, closed epochs' IO in its window, and projects
 * them linearly.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  MONTH_SECS,
  YEAR_SECS,
  profitability,
  relayHttpUrl,
  relayTelemetryUrl,
  telemetryPoint,
  withEpochRewards,
} from "@iogrid/sdk";
import type { DeviceJob, EpochEarning } from "@iogrid/sdk";

const key = () => Keypair.generate().publicKey;

function job(over: Partial<DeviceJob>): DeviceJob {
  return {
    booking: key(),
    reservation: key(),
    renter: key(),
    paymentToken: "iosd",
    pricePerHour: 4_000_000n,
    hours: 1,
    bookedAt: 1_000n,
    endsAt: 4_600n,
    state: "settled",
    outcome: "completed",
    deliveredSecs: 3_600n,
    ownerPay: 3_000_000n,
    stakerShare: 200_000n,
    settledAt: 5_000n,
    ...over,
  };
}

const epoch = (n: bigint, weight: bigint, reward: bigint | null = null): EpochEarning => ({
  epoch: n,
  weight,
  passes: 2,
  qualified: weight > 0n,
  reward,
});

describe("sdk: device earnings", () => {
  it("rewards an epoch's weight pro rata of its closed device pot, rounded down; open epochs stay null", () => {
    const record = (n: bigint, closed: boolean) => ({
      epoch: n,
      closed,
      totalWeight: 3_000n,
      qualifiedPasses: 9n,
      deviceRewards: 1_000_000_001n,
      keeperRewards: 5n,
    });
    const out = withEpochRewards(
      [epoch(1n, 200n), epoch(2n, 200n), epoch(3n, 0n)],
      [record(1n, true), record(2n, false), record(3n, true)],
    );
    expect(out.map((e) => e.reward)).to.deep.equal([(1_000_000_001n * 200n) / 3_000n, null, 0n]);
  });

  it("profitability: utilisation, pay per GPU-hour, a month at the window's rate and the stake's yield", () => {
    const day = 86_400n;
    const p = profitability({
      history: {
        jobs: [
          job({}),
          // settled before the window: not counted
          job({ settledAt: 10n, ownerPay: 99n, deliveredSecs: 99n }),
          // running: booked from 2 days in, counted up to now
          job({ state: "running", bookedAt: 2n * day, endsAt: 10n * day, ownerPay: 0n }),
          // open, not started: nothing delivered
          job({ state: "open", bookedAt: 3n * day, endsAt: 4n * day }),
        ],
        epochs: [epoch(1n, 100n, 500n), epoch(2n, 100n, null), epoch(0n, 100n, 7n)],
      },
      gpuCount: 2,
      since: 100n,
      now: 2n * day + 3_600n,
      staked: 1_000_000n,
      epochStart: (e) => e * 3_600n,
    });
    const windowSecs = 2n * day + 3_500n;
    expect(p.windowSecs).to.equal(windowSecs);
    expect(p.bookedSecs).to.equal(3_600n + 3_600n);
    expect(p.utilisationBps).to.equal(Number((7_200n * 10_000n) / windowSecs));
    expect(p.jobPay).to.equal(3_000_000n);
    expect(p.payPerGpuHour).to.equal((3_000_000n * 3_600n) / (7_200n * 2n));
    expect(p.projectedMonthPay).to.equal((3_000_000n * MONTH_SECS) / windowSecs);
    // epoch 0 starts before the window
    expect(p.availabilityIo).to.equal(500n);
    expect(p.projectedMonthIo).to.equal((500n * MONTH_SECS) / windowSecs);
    expect(p.stakeYieldBps).to.equal(
      Number((((500n * YEAR_SECS) / windowSecs) * 10_000n) / 1_000_000n),
    );
  });

  it("profitability of an empty window or an unstaked device is zero, not a division by zero", () => {
    const p = profitability({
      history: { jobs: [], epochs: [] },
      gpuCount: 1,
      since: 50n,
      now: 50n,
      staked: 0n,
      epochStart: () => 0n,
    });
    expect(p).to.include({
      windowSecs: 0n,
      utilisationBps: 0,
      payPerGpuHour: 0n,
      projectedMonthPay: 0n,
      stakeYieldBps: null,
    });
  });
});

describe("sdk: device telemetry", () => {
  it("reduces a sample to the charted figures: hottest GPU, summed power, mean utilisation, memory used", () => {
    const gpu = (temperatureC: number | null, powerW: number | null, utilizationPct: number) => ({
      index: 0,
      uuid: "GPU-x",
      temperatureC,
      powerW,
      powerLimitW: 700,
      utilizationPct,
      memoryUtilizationPct: 0,
      memoryUsedMib: 0,
      memoryTotalMib: 81_559,
    });
    const point = telemetryPoint({
      sampledAt: 1_700_000_000_000,
      gpus: [gpu(61, 300.5, 90), gpu(null, 100, 30), gpu(70, null, 0)],
      gpuError: null,
      cpu: { cores: 48, load1: 3.5, load5: 2, load15: 1 },
      memory: { totalMib: 515_000, availableMib: 400_000 },
      workloads: [],
    });
    expect(point).to.deep.equal({
      at: 1_700_000_000_000,
      temperatureC: 70,
      powerW: 400.5,
      utilizationPct: 40,
      cpuLoad1: 3.5,
      cpuCores: 48,
      memoryUsedMib: 115_000,
      memoryTotalMib: 515_000,
    });
    expect(telemetryPoint({ ...sampleWithout(), gpus: [] })).to.include({
      temperatureC: null,
      powerW: null,
      utilizationPct: null,
    });
  });

  it("the relay's telemetry URL from its ws or http URL", () => {
    expect(relayTelemetryUrl("ws://10.0.0.1:9000/", "Dev1")).to.equal(
      "http://10.0.0.1:9000/v1/devices/Dev1/v1/telemetry",
    );
    expect(relayHttpUrl("wss://relay.example")).to.equal("https://relay.example");
    expect(relayHttpUrl("https://relay.example")).to.equal("https://relay.example");
  });
});

function sampleWithout() {
  return {
    sampledAt: 0,
    gpus: [],
    gpuError: null,
    cpu: { cores: 1, load1: 0, load5: 0, load15: 0 },
    memory: { totalMib: 1, availableMib: 1 },
    workloads: [],
  };
}
