/**
 * A supplier's view of one device beyond its settings: uptime and reputation, earnings (job pay
 * per settled booking, availability IO per epoch), job history, profitability (all from the sdk's
 * `fetchDeviceHistory` and `profitability`), and telemetry charts sampled from the agent through
 * the relay while the page is open.
 */
import { useConnection } from "@solana/wallet-adapter-react";
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";
import {
  clockUnixTimestamp,
  configPda,
  decodeRegistryConfig,
  epochStart,
  fetchDeviceHistory,
  fetchRelayTelemetry,
  paymentDecimals,
  profitability,
  telemetryPoint,
} from "@iogrid/sdk";
import type {
  Device,
  DeviceHistory,
  DeviceJob,
  PaymentTokenName,
  TelemetryPoint,
  TelemetryRead,
} from "@iogrid/sdk";
import { useEffect, useState } from "react";
import type { ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { formatBps, formatIo, formatTime } from "./deviceList.js";
import { big, formatUnits } from "./format.js";
import { useLoad } from "./query.js";
import { LoadState, Stat } from "./ui.js";

/** Telemetry is sampled this often while the page is open, and this many samples are charted. */
export const TELEMETRY_POLL_MS = 3_000;
const TELEMETRY_KEEP = 60;

export const formatPay = (amount: bigint, token: PaymentTokenName | null): string =>
  token ? `${formatUnits(amount, paymentDecimals(token))} ${token.toUpperCase()}` : String(amount);

const short = (key: PublicKey | null): string =>
  key ? `${key.toBase58().slice(0, 4)}…${key.toBase58().slice(-4)}` : "—";

interface HistoryState {
  history: DeviceHistory;
  now: bigint;
  origin: bigint;
}

async function fetchHistoryState(
  connection: ReturnType<typeof useConnection>["connection"],
  address: PublicKey,
): Promise<HistoryState> {
  const [history, [config, clock]] = await Promise.all([
    fetchDeviceHistory(connection, address),
    connection.getMultipleAccountsInfo([configPda().address, SYSVAR_CLOCK_PUBKEY], "confirmed"),
  ]);
  if (!config || !clock) throw new Error("the registry is not initialised on this cluster");
  return {
    history,
    now: clockUnixTimestamp(clock.data),
    origin: big(decodeRegistryConfig(config.data).epochOrigin),
  };
}

function jobState(job: DeviceJob): string {
  return job.state === "settled" ? `settled (${job.outcome})` : job.state;
}

/** Earnings, jobs, uptime, reputation and profitability of `device`, with `staked` IO behind it. */
export function DeviceEarnings({
  address,
  device,
  staked,
}: {
  address: PublicKey;
  device: Device;
  staked: bigint;
}): ReactElement {
  const { connection } = useConnection();
  const a = device.availability;
  // The history is read again when the device account changes in a way that adds to it.
  const [state] = useLoad(connection, () => fetchHistoryState(connection, address), [
    address.toBase58(),
    String(a.passes),
    String(a.reservationsCompleted),
    String(a.earnings.claimed),
    device.reservation?.toBase58() ?? "",
  ]);
  const uptime = (
    <dl className="stats" aria-label="Uptime and reputation">
      <Stat id="device-rep" label="Reputation" value={formatBps(a.reputationBps)} />
      <Stat id="device-passes" label="Passes" value={String(a.passes)} />
      <Stat id="device-failures" label="Failures" value={String(a.failures)} />
      <Stat id="device-uptime" label="Uptime streak (epochs)" value={String(a.uptimeStreak)} />
      <Stat
        id="device-longest-uptime"
        label="Longest streak (epochs)"
        value={String(a.longestUptimeStreak)}
      />
      <Stat
        id="device-completed"
        label="Reservations completed"
        value={String(a.reservationsCompleted)}
      />
    </dl>
  );
  if (state.state !== "ready")
    return (
      <div>
        {uptime}
        <LoadState state={state} what="the device's history" />
      </div>
    );
  const { history, now, origin } = state.value;
  const settled = history.jobs.filter((j) => j.state === "settled");
  const token = history.jobs.find((j) => j.paymentToken)?.paymentToken ?? null;
  const p = profitability({
    history,
    gpuCount: device.specs.gpuCount,
    since: big(device.registeredAt),
    now,
    staked,
    epochStart: (e) => epochStart(origin, e),
  });
  return (
    <div>
      {uptime}
      <h4>Profitability since registration</h4>
      <dl className="stats" aria-label="Profitability">
        <Stat id="profit-utilisation" label="Utilisation" value={formatBps(p.utilisationBps)} />
        <Stat
          id="profit-per-gpu-hour"
          label="Earned per GPU-hour delivered"
          value={formatPay(p.payPerGpuHour, token)}
        />
        <Stat
          id="profit-month-pay"
          label="Job pay, month at this rate"
          value={formatPay(p.projectedMonthPay, token)}
        />
        <Stat
          id="profit-month-io"
          label="Availability, month at this rate"
          value={formatIo(p.projectedMonthIo)}
        />
        <Stat
          id="profit-stake-yield"
          label="Stake yield (a year at this rate)"
          value={p.stakeYieldBps === null ? "— (no stake)" : formatBps(p.stakeYieldBps)}
        />
      </dl>
      <h4>Earnings</h4>
      {settled.length === 0 ? (
        <p data-testid="earnings-jobs-empty">No booking settled yet.</p>
      ) : (
        <table aria-label="Job pay per settled booking">
          <thead>
            <tr>
              <th>Settled</th>
              <th>Booking</th>
              <th>Delivered (h)</th>
              <th>Owner pay</th>
              <th>Stakers</th>
            </tr>
          </thead>
          <tbody>
            {settled.map((j) => (
              <tr key={j.booking.toBase58()} data-testid={`pay-${j.booking.toBase58()}`}>
                <td>{j.settledAt === null ? "—" : formatTime(j.settledAt)}</td>
                <td title={j.booking.toBase58()}>{short(j.booking)}</td>
                <td data-testid="pay-delivered">
                  {formatUnits((j.deliveredSecs * 100n) / 3_600n, 2)}
                </td>
                <td data-testid="pay-owner">{formatPay(j.ownerPay, j.paymentToken)}</td>
                <td data-testid="pay-stakers">{formatPay(j.stakerShare, j.paymentToken)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history.epochs.length === 0 ? (
        <p data-testid="earnings-epochs-empty">No availability epoch attested yet.</p>
      ) : (
        <table aria-label="Availability rewards per epoch">
          <thead>
            <tr>
              <th>Epoch</th>
              <th>Passes</th>
              <th>Weight</th>
              <th>Reward</th>
            </tr>
          </thead>
          <tbody>
            {history.epochs.map((e) => (
              <tr key={String(e.epoch)} data-testid={`epoch-${e.epoch}`}>
                <td>{String(e.epoch)}</td>
                <td data-testid="epoch-passes">{e.passes}</td>
                <td data-testid="epoch-weight">
                  {e.qualified ? String(e.weight) : "not qualified"}
                </td>
                <td data-testid="epoch-reward">
                  {e.reward === null ? "epoch not closed" : formatIo(e.reward)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history.claims.length > 0 && (
        <p data-testid="earnings-claimed">
          Claimed {history.claims.length} time{history.claims.length === 1 ? "" : "s"}:{" "}
          {formatIo(history.claims.reduce((s, c) => s + c.toOwner, 0n))} to you,{" "}
          {formatIo(history.claims.reduce((s, c) => s + c.toStakers, 0n))} to stakers.
        </p>
      )}
      <h4>Jobs</h4>
      {history.jobs.length === 0 ? (
        <p data-testid="jobs-empty">No bookings yet.</p>
      ) : (
        <table aria-label="Job history">
          <thead>
            <tr>
              <th>Booked</th>
              <th>Reservation</th>
              <th>Renter</th>
              <th>Hours</th>
              <th>Price per hour</th>
              <th>Pay</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {[...history.jobs].reverse().map((j) => (
              <tr key={j.booking.toBase58()} data-testid={`job-${j.booking.toBase58()}`}>
                <td>{j.bookedAt === null ? "—" : formatTime(j.bookedAt)}</td>
                <td>
                  <a
                    href={`#/cluster/${j.reservation.toBase58()}`}
                    title={j.reservation.toBase58()}
                  >
                    {short(j.reservation)}
                  </a>
                </td>
                <td data-testid="job-renter" title={j.renter?.toBase58()}>
                  {short(j.renter)}
                </td>
                <td data-testid="job-hours">{j.hours}</td>
                <td data-testid="job-price">{formatPay(j.pricePerHour, j.paymentToken)}</td>
                <td data-testid="job-pay">
                  {j.state === "settled" ? formatPay(j.ownerPay, j.paymentToken) : "at settlement"}
                </td>
                <td data-testid="job-state">{jobState(j)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">Read at chain time {formatTime(now)}.</p>
    </div>
  );
}

/** A line chart of `values` (null gaps skipped), with the latest value and the range. */
function Chart({
  id,
  label,
  unit,
  values,
}: {
  id: string;
  label: string;
  unit: string;
  values: (number | null)[];
}): ReactElement {
  const known = values.filter((v): v is number => v !== null);
  const last = known[known.length - 1];
  const max = Math.max(1, ...known);
  const w = 240;
  const h = 60;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values
    .map((v, i) =>
      v === null ? null : `${(i * step).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`,
    )
    .filter(Boolean)
    .join(" ");
  return (
    <figure className="chart" data-testid={id}>
      <figcaption>
        {label}:{" "}
        <strong data-testid={`${id}-value`}>
          {last === undefined ? "not reported" : `${Number(last.toFixed(2))} ${unit}`}
        </strong>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label} chart`}>
        <polyline fill="none" stroke="currentColor" strokeWidth="2" points={points} />
      </svg>
    </figure>
  );
}

/** The charts: test id, label, unit and the figure of a sample each plots. */
const CHARTS: [string, string, string, (p: TelemetryPoint) => number | null][] = [
  ["chart-temperature", "GPU temperature", "°C", (p) => p.temperatureC],
  ["chart-power", "GPU power", "W", (p) => p.powerW],
  ["chart-utilisation", "GPU utilisation", "%", (p) => p.utilizationPct],
  ["chart-load", "CPU load", "", (p) => p.cpuLoad1],
  ["chart-memory", "Memory used", "MiB", (p) => p.memoryUsedMib],
];

/** Samples `device`'s telemetry through `cluster.relay` every TELEMETRY_POLL_MS while mounted. */
export function TelemetryCharts({
  device,
  cluster,
}: {
  device: PublicKey;
  cluster: Cluster;
}): ReactElement {
  const [points, setPoints] = useState<TelemetryPoint[]>([]);
  const [last, setLast] = useState<TelemetryRead | null>(null);
  const id = device.toBase58();
  useEffect(() => {
    if (!cluster.relay) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sample = async (): Promise<void> => {
      const read = await fetchRelayTelemetry(cluster.relay, id, { signal: abort.signal });
      if (abort.signal.aborted) return;
      setLast(read);
      if (read.state === "online") {
        const point = telemetryPoint(read.sample);
        setPoints((ps) =>
          ps.length && ps[ps.length - 1]!.at === point.at
            ? ps
            : [...ps, point].slice(-TELEMETRY_KEEP),
        );
      }
      timer = setTimeout(() => void sample(), TELEMETRY_POLL_MS);
    };
    void sample();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [cluster.relay, id]);
  if (!cluster.relay)
    return (
      <p data-testid="telemetry-state">
        Telemetry: set a relay URL (above, or <code>?relay=</code>) to read the agent&apos;s.
      </p>
    );
  if (last === null) return <p role="status">Reading telemetry through the relay…</p>;
  const latest = points[points.length - 1];
  return (
    <div aria-label="Telemetry">
      <p data-testid="telemetry-state">
        {last.state === "online"
          ? `Agent online, sampled ${new Date(last.sample.sampledAt).toISOString()}`
          : last.state === "offline"
            ? "Agent offline: it is not attached to the relay."
            : `Telemetry unavailable: ${last.error}`}
      </p>
      {latest && (
        <>
          <dl className="stats">
            <Stat id="telemetry-cores" label="CPU cores" value={String(latest.cpuCores)} />
            <Stat id="telemetry-load" label="CPU load (1 min)" value={String(latest.cpuLoad1)} />
            <Stat
              id="telemetry-memory"
              label="Memory used"
              value={`${latest.memoryUsedMib.toLocaleString("en-US")} / ${latest.memoryTotalMib.toLocaleString("en-US")} MiB`}
            />
          </dl>
          <div className="charts">
            {CHARTS.map(([chart, label, unit, value]) => (
              <Chart key={chart} id={chart} label={label} unit={unit} values={points.map(value)} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
