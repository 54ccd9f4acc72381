/**
 * `iogrid devices` and `iogrid quote`: the free devices that match, ranked as the sdk ranks them
 * (`searchDevices` over one `fetchMarketSnapshot`), and the full quote of the first N for H hours
 * in a payment token (`quoteOnSnapshot`). Nothing is sent.
 */
import {
  IO_DECIMALS,
  deviceHourPrice,
  formatUnits,
  paymentDecimals,
  searchDevices,
  quoteOnSnapshot,
} from "@iogrid/sdk";
import type {
  DeviceCriteria,
  MarketDevice,
  MarketSnapshot,
  PaymentTokenName,
  SnapshotQuote,
} from "@iogrid/sdk";

import { CliError, EXIT } from "./errors.js";
import { percent, table, tokenAmount, usd } from "./format.js";

const big = (v: { toString(): string } | bigint | number): bigint => BigInt(v.toString());

/** A device as `devices --json` prints it (IOSD base units, MiB, basis points). */
export function deviceJson(d: MarketDevice, rank?: number): Record<string, unknown> {
  const dev = d.device;
  return {
    ...(rank === undefined ? {} : { rank }),
    address: d.address,
    deviceId: dev.deviceId,
    name: dev.name,
    owner: dev.owner,
    gpuModel: dev.gpuModel,
    gpuCount: dev.specs.gpuCount,
    vramMib: dev.specs.vramMib,
    cpuCores: dev.specs.cpuCores,
    ramMib: dev.specs.ramMib,
    region: dev.region,
    pricePerGpuHour: big(dev.pricePerGpuHour),
    pricePerDeviceHour: deviceHourPrice(big(dev.pricePerGpuHour), dev.specs.gpuCount),
    reputationBps: dev.availability.reputationBps,
  };
}

/** The devices table. */
export function devicesTable(devices: readonly MarketDevice[]): string {
  return table(
    [
      "#",
      "DEVICE",
      "NAME",
      "GPU",
      "GPUS",
      "VRAM/GPU",
      "REGION",
      "USD/GPU-H",
      "USD/H",
      "REPUTATION",
    ],
    devices.map((d, i) => {
      const dev = d.device;
      const price = big(dev.pricePerGpuHour);
      return [
        String(i + 1),
        d.address.toBase58(),
        dev.name,
        dev.gpuModel,
        String(dev.specs.gpuCount),
        `${formatUnits(BigInt(dev.specs.vramMib), 3)} GB`,
        dev.region,
        formatUnits(price, 6),
        formatUnits(deviceHourPrice(price, dev.specs.gpuCount), 6),
        percent(dev.availability.reputationBps),
      ];
    }),
    [0, 4, 5, 7, 8, 9],
  );
}

/** The first `count` matching devices, or a not-found error saying how many match. */
export function selectDevices(
  snapshot: MarketSnapshot,
  criteria: DeviceCriteria,
  count: number,
  exclude: readonly string[] = [],
): MarketDevice[] {
  const matches = searchDevices(snapshot, criteria).filter(
    (d) => !exclude.includes(d.address.toBase58()),
  );
  if (matches.length < count) {
    throw new CliError(
      `NotEnoughDevices: ${matches.length} free device${matches.length === 1 ? "" : "s"} match, ${count} asked for (see iogrid devices)`,
      EXIT.notFound,
    );
  }
  return matches.slice(0, count);
}

/** Every match not in `exclude` (base58 addresses), best first. */
export function matchesExcept(
  snapshot: MarketSnapshot,
  criteria: DeviceCriteria,
  exclude: readonly string[],
): MarketDevice[] {
  return searchDevices(snapshot, criteria).filter((d) => !exclude.includes(d.address.toBase58()));
}

/** `paymentTerms` refuses IO while the feed is unusable: a clear refusal. */
export function quoteOrFail(
  snapshot: MarketSnapshot,
  selection: readonly MarketDevice[],
  hours: number,
  token: PaymentTokenName,
): SnapshotQuote {
  try {
    return quoteOnSnapshot(snapshot, selection, hours, token);
  } catch (e) {
    if (token === "io") {
      throw new CliError(
        `PriceUnusable: ${(e as Error).message}; pay in IOSD or USDC`,
        EXIT.failed,
      );
    }
    throw e;
  }
}

/** A quote's sums over its devices. */
export function quoteTotals(q: Pick<SnapshotQuote, "devices">): {
  time: bigint;
  reservationFee: bigint;
  paymentFee: bigint;
  tip: bigint;
  total: bigint;
} {
  const sum = (f: (c: SnapshotQuote["devices"][number]["charges"]) => bigint): bigint =>
    q.devices.reduce((s, d) => s + f(d.charges), 0n);
  return {
    time: sum((c) => c.time),
    reservationFee: sum((c) => c.reservationFee),
    paymentFee: sum((c) => c.paymentFee),
    tip: sum((c) => c.tip),
    total: q.devices.reduce((s, d) => s + d.total, 0n),
  };
}

/** A quote as `quote --json` prints it. */
export function quoteJson(
  q: SnapshotQuote,
  selection: readonly MarketDevice[],
): Record<string, unknown> {
  return {
    token: q.token,
    paymentMint: q.paymentMint,
    decimals: paymentDecimals(q.token),
    hours: q.hours,
    rates: {
      reservationFeeBps: Number(q.rates.reservationFeeBps),
      paymentFeeBps: Number(q.rates.paymentFeeBps),
      settleTip: q.rates.settleTip,
    },
    ioPrice: q.ioPrice,
    devices: q.devices.map((d, i) => ({
      ...deviceJson(selection[i]!),
      pricePerHour: d.pricePerHour,
      charges: d.charges,
      total: d.total,
    })),
    totals: quoteTotals(q),
  };
}

/** A quote for people. */
export function quoteText(q: SnapshotQuote, selection: readonly MarketDevice[]): string {
  const t = quoteTotals(q);
  const amt = (v: bigint): string => tokenAmount(v, q.token);
  const lines = [
    devicesTable(selection),
    "",
    `${q.devices.length} device${q.devices.length === 1 ? "" : "s"} x ${q.hours} h, paid in ${q.token.toUpperCase()}:`,
    table(
      ["", "AMOUNT"],
      [
        ["time", amt(t.time)],
        [`reservation fee (${percent(q.rates.reservationFeeBps)})`, amt(t.reservationFee)],
        [`payment fee (${percent(q.rates.paymentFeeBps)})`, amt(t.paymentFee)],
        ["total", amt(t.total)],
      ],
      [1],
    ),
    `of the reservation fee, ${amt(t.tip)} tips whoever settles (iogrid cancel settles itself and gets it back)`,
  ];
  if (q.ioPrice !== null) {
    lines.push(
      `IO converted at the conservative price ${formatUnits(q.ioPrice, IO_DECIMALS)} USD/IO (device prices: ${usd(q.devices.reduce((s, d) => s + d.pricePerHour, 0n))} per hour)`,
    );
  }
  return lines.join("\n");
}
