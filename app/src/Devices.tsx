import { useConnection } from "@solana/wallet-adapter-react";
import { PublicKey } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";
import {
  IOSD_DECIMALS,
  IO_DECIMALS,
  MARKET_PROGRAM_ID,
  bookingHours,
  chargesOf,
  chargesTotal,
  deviceListStatus,
  decodeReservation,
  deviceStake,
  fetchDeviceBookings,
  paymentTokenName,
} from "@iogrid/sdk";
import type { BandwidthTier, BookingEntry, MarketDevice, PaymentTokenName } from "@iogrid/sdk";
import { useMemo, useState } from "react";
import type { ReactElement, UIEvent } from "react";
import { big, formatUnits } from "./format.js";
import {
  ROW_HEIGHT,
  filterRows,
  formatBps,
  formatIo,
  formatIosd,
  formatTime,
  listRows,
  visibleWindow,
} from "./deviceList.js";
import type { DeviceFilter, DeviceSort } from "./deviceList.js";
import { useLoad, useMarketState } from "./query.js";
import { LoadState, Select, Stat } from "./ui.js";

function bandwidthName(tier: BandwidthTier): string {
  return Object.keys(tier)[0] ?? "—";
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

const VIEW_HEIGHT = 540;

/** The explorer's devices list: filters, sorting, a virtualised table. */
export function DevicesPage(): ReactElement {
  const { connection } = useConnection();
  const [market] = useMarketState(connection);
  const [filter, setFilter] = useState<DeviceFilter>({
    gpuModel: "",
    region: "",
    status: "",
    sort: "reputation",
  });
  const [scrollTop, setScrollTop] = useState(0);
  const rows = useMemo(() => (market.state === "ready" ? listRows(market.value) : []), [market]);
  const shown = useMemo(() => filterRows(rows, filter), [rows, filter]);
  if (market.state !== "ready") return <LoadState state={market} what="devices" />;
  const set = (patch: Partial<DeviceFilter>): void => setFilter((f) => ({ ...f, ...patch }));
  const { start, end } = visibleWindow(scrollTop, VIEW_HEIGHT, shown.length);
  const all: [string, string] = ["", "All"];
  return (
    <section aria-label="Devices">
      <h2>Devices</h2>
      <form className="filters" aria-label="Device filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="GPU model"
          value={filter.gpuModel}
          onChange={(gpuModel) => set({ gpuModel })}
          options={[
            all,
            ...distinct(rows.map((r) => r.gpuModel)).map((m): [string, string] => [m, m]),
          ]}
        />
        <Select
          label="Region"
          value={filter.region}
          onChange={(region) => set({ region })}
          options={[
            all,
            ...distinct(rows.map((r) => r.region)).map((m): [string, string] => [m, m]),
          ]}
        />
        <Select
          label="Status"
          value={filter.status}
          onChange={(status) => set({ status: status as DeviceFilter["status"] })}
          options={[all, ["active", "Active"], ["reserved", "Reserved"], ["paused", "Paused"]]}
        />
        <Select
          label="Sort by"
          value={filter.sort}
          onChange={(sort) => set({ sort: sort as DeviceSort })}
          options={[
            ["reputation", "Reputation (best first)"],
            ["price-asc", "Price (cheapest first)"],
            ["price-desc", "Price (dearest first)"],
          ]}
        />
      </form>
      <p data-testid="devices-count">
        {shown.length} of {rows.length} devices
      </p>
      {shown.length === 0 ? (
        <p>No device matches.</p>
      ) : (
        <div
          className="virtual"
          style={{ maxHeight: VIEW_HEIGHT }}
          onScroll={(e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop)}
          data-testid="devices-scroll"
        >
          <table aria-label="Devices" aria-rowcount={shown.length + 1}>
            <thead>
              <tr>
                <th>Name</th>
                <th>GPU model</th>
                <th>GPUs</th>
                <th>VRAM (MiB)</th>
                <th>Region</th>
                <th>Price / GPU-hour</th>
                <th>Reputation</th>
                <th>Status</th>
                <th>Stake</th>
              </tr>
            </thead>
            <tbody>
              {start > 0 && <tr style={{ height: start * ROW_HEIGHT }} aria-hidden="true" />}
              {shown.slice(start, end).map((r, i) => (
                <tr
                  key={r.address}
                  data-testid="device-row"
                  data-address={r.address}
                  aria-rowindex={start + i + 2}
                  style={{ height: ROW_HEIGHT }}
                >
                  <td>
                    <a href={`#/device/${r.address}`}>{r.name || r.address.slice(0, 8)}</a>
                  </td>
                  <td>{r.gpuModel}</td>
                  <td>{r.gpuCount}</td>
                  <td>{r.vramMib}</td>
                  <td>{r.region}</td>
                  <td>{formatIosd(r.price)}</td>
                  <td>{formatBps(r.reputationBps)}</td>
                  <td>{r.status}</td>
                  <td className={r.stakeMet ? undefined : "muted"}>{formatIo(r.stake)}</td>
                </tr>
              ))}
              {end < shown.length && (
                <tr style={{ height: (shown.length - end) * ROW_HEIGHT }} aria-hidden="true" />
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A device's open bookings, each with the decimals of its reservation's payment token. */
async function fetchBookingsWithTokens(
  connection: Connection,
  device: PublicKey,
): Promise<(BookingEntry & { token: PaymentTokenName })[]> {
  const bookings = await fetchDeviceBookings(connection, device);
  const infos = await connection.getMultipleAccountsInfo(
    bookings.map((b) => b.booking.reservation),
    "confirmed",
  );
  return bookings.map((b, i) => {
    const info = infos[i];
    const token = info ? paymentTokenName(decodeReservation(info.data).paymentToken) : "iosd";
    return { ...b, token };
  });
}

/** Decimals of a payment token's mint. */
export const TOKEN_DECIMALS: Record<PaymentTokenName, number> = {
  iosd: IOSD_DECIMALS,
  usdc: 6,
  io: IO_DECIMALS,
};

export function formatToken(amount: bigint, token: PaymentTokenName): string {
  return `${formatUnits(amount, TOKEN_DECIMALS[token])} ${token.toUpperCase()}`;
}

function bookingState(b: BookingEntry, now: bigint): string {
  if (big(b.booking.startedAt) !== 0n) {
    return now >= big(b.booking.endsAt) ? "ended" : "running";
  }
  return now > big(b.booking.ackDeadline) ? "not started (deadline passed)" : "starting";
}

/** A device's page: hardware, owner, stake, status, reputation and uptime, its bookings. */
export function DevicePage({ address }: { address: string }): ReactElement {
  const { connection } = useConnection();
  const [market] = useMarketState(connection);
  const key = useMemo(() => {
    try {
      return new PublicKey(address);
    } catch {
      return null;
    }
  }, [address]);
  const [bookings] = useLoad(
    connection,
    () => (key ? fetchBookingsWithTokens(connection, key) : Promise.resolve([])),
    [address],
    [MARKET_PROGRAM_ID],
  );
  if (!key)
    return (
      <p role="alert" className="error">
        Not a device address: {address}
      </p>
    );
  if (market.state !== "ready") return <LoadState state={market} what="the device" />;
  const entry: MarketDevice | undefined = market.value.devices.find((d) => d.address.equals(key));
  if (!entry)
    return (
      <p role="alert" className="error">
        No device at {address}.
      </p>
    );
  const { device } = entry;
  const a = device.availability;
  const stake = deviceStake(entry, market.value.stakingConfig);
  const figures: [string, string, string][] = [
    ["device-status", "Status", deviceListStatus(device)],
    ["device-price", "Price per GPU-hour", formatIosd(big(device.pricePerGpuHour))],
    ["device-reputation", "Reputation", formatBps(a.reputationBps)],
    ["device-stake", "Qualifying stake", formatIo(stake.qualifying)],
    ["device-min-stake", "Minimum stake", formatIo(stake.minimum)],
    ["device-passes", "Probes passed", String(a.passes)],
    ["device-failures", "Failures", String(a.failures)],
    ["device-uptime-streak", "Uptime streak (epochs)", String(a.uptimeStreak)],
    ["device-longest-streak", "Longest streak (epochs)", String(a.longestUptimeStreak)],
    ["device-completed", "Reservations completed", String(a.reservationsCompleted)],
    [
      "device-earned",
      "Availability rewards accrued / claimed",
      `${formatIo(big(a.earnings.accrued))} / ${formatIo(big(a.earnings.claimed))}`,
    ],
  ];
  const hardware: [string, string][] = [
    ["GPU model", device.gpuModel],
    ["GPUs", String(device.specs.gpuCount)],
    ["VRAM per GPU (MiB)", String(device.specs.vramMib)],
    ["CPU cores", String(device.specs.cpuCores)],
    ["RAM (MiB)", String(device.specs.ramMib)],
    ["Storage (GiB)", String(device.specs.storageGib)],
    ["Bandwidth", bandwidthName(device.specs.bandwidthTier)],
    ["Region", device.region],
    ["Owner", device.owner.toBase58()],
    ["Agent key", device.agent.toBase58()],
    ["Endpoint", device.endpoint || "—"],
    ["Device id", device.deviceId],
    ["Registered", formatTime(device.registeredAt)],
  ];
  const now = market.value.now;
  return (
    <section aria-label="Device">
      <h2 data-testid="device-name">{device.name || address}</h2>
      <p className="muted">
        <code>{address}</code>
      </p>
      <dl className="stats">
        {figures.map(([id, label, value]) => (
          <Stat key={id} id={id} label={label} value={value} />
        ))}
      </dl>
      <h3>Hardware and identity</h3>
      <table aria-label="Hardware">
        <tbody>
          {hardware.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td data-testid={`hw-${label}`}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Bookings</h3>
      {bookings.state !== "ready" ? (
        <LoadState state={bookings} what="bookings" />
      ) : bookings.value.length === 0 ? (
        <p data-testid="device-no-bookings">No open booking.</p>
      ) : (
        <table aria-label="Bookings">
          <thead>
            <tr>
              <th>Reservation</th>
              <th>Booked</th>
              <th>Ends</th>
              <th>Hours</th>
              <th>Price / hour</th>
              <th>Charged</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {bookings.value.map((b) => (
              <tr key={b.address.toBase58()} data-testid="device-booking">
                <td>
                  <code>{b.booking.reservation.toBase58()}</code>
                </td>
                <td>{formatTime(b.booking.bookedAt)}</td>
                <td>{formatTime(b.booking.endsAt)}</td>
                <td>{bookingHours(b.booking)}</td>
                <td>{formatIosd(big(b.booking.pricePerHour))}</td>
                <td>{formatToken(chargesTotal(chargesOf(b.booking.charges)), b.token)}</td>
                <td>{bookingState(b, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
