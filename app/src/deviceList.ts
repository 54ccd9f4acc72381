/** The devices list's rows, filtering, sorting and windowing, and the figures' formats. */
import { IOSD_DECIMALS, IO_DECIMALS, deviceListStatus, deviceStake } from "@iogrid/sdk";
import type { DeviceListStatus } from "@iogrid/sdk";
import { big, formatUnits } from "./format.js";
import type { MarketState } from "./query.js";

/** Reputation in basis points as a percentage ("95.5 %"). */
export function formatBps(bps: number): string {
  return `${formatUnits(BigInt(bps), 2)} %`;
}

/** A unix time as an ISO date-time (UTC), or "—" for 0. */
export function formatTime(unix: bigint | number | { toString(): string }): string {
  const secs = big(unix);
  return secs === 0n ? "—" : new Date(Number(secs) * 1000).toISOString().replace(".000Z", "Z");
}

export const formatIosd = (amount: bigint): string => `${formatUnits(amount, IOSD_DECIMALS)} IOSD`;
export const formatIo = (amount: bigint): string => `${formatUnits(amount, IO_DECIMALS)} IO`;

/** One row of the list, with what it is filtered and sorted on precomputed. */
export interface DeviceListRow {
  address: string;
  name: string;
  gpuModel: string;
  gpuCount: number;
  vramMib: number;
  region: string;
  price: bigint;
  reputationBps: number;
  status: DeviceListStatus;
  stake: bigint;
  stakeMet: boolean;
}

export function listRows(state: MarketState): DeviceListRow[] {
  return state.devices.map((d) => {
    const stake = deviceStake(d, state.stakingConfig);
    return {
      address: d.address.toBase58(),
      name: d.device.name,
      gpuModel: d.device.gpuModel,
      gpuCount: d.device.specs.gpuCount,
      vramMib: d.device.specs.vramMib,
      region: d.device.region,
      price: big(d.device.pricePerGpuHour),
      reputationBps: d.device.availability.reputationBps,
      status: deviceListStatus(d.device),
      stake: stake.qualifying,
      stakeMet: stake.met,
    };
  });
}

export type DeviceSort = "reputation" | "price-asc" | "price-desc";

export interface DeviceFilter {
  gpuModel: string;
  region: string;
  status: "" | DeviceListStatus;
  sort: DeviceSort;
}

/** The rows passing `filter` (empty fields match all), in its order; ties by address. */
export function filterRows(rows: readonly DeviceListRow[], filter: DeviceFilter): DeviceListRow[] {
  const kept = rows.filter(
    (r) =>
      (filter.gpuModel === "" || r.gpuModel === filter.gpuModel) &&
      (filter.region === "" || r.region === filter.region) &&
      (filter.status === "" || r.status === filter.status),
  );
  const byAddress = (a: DeviceListRow, b: DeviceListRow): number =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
  const byPrice = (a: DeviceListRow, b: DeviceListRow): number =>
    a.price === b.price ? 0 : a.price < b.price ? -1 : 1;
  return kept.sort((a, b) => {
    let order = 0;
    if (filter.sort === "reputation") order = b.reputationBps - a.reputationBps;
    else if (filter.sort === "price-asc") order = byPrice(a, b);
    else order = byPrice(b, a);
    return order !== 0 ? order : byAddress(a, b);
  });
}

/** Height of one list row, px: the list renders only the rows in view (plus `OVERSCAN`). */
export const ROW_HEIGHT = 36;
const OVERSCAN = 8;

/** The rows [start, end) to render for a scroll position, so thousands of rows stay cheap. */
export function visibleWindow(
  scrollTop: number,
  viewHeight: number,
  count: number,
  rowHeight = ROW_HEIGHT,
  overscan = OVERSCAN,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, first + Math.ceil(viewHeight / rowHeight) + overscan);
  return { start, end: Math.max(start, end) };
}
