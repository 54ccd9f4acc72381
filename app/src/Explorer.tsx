/**
 * The observer's pages: the Explorer home (devices, supplies, the current epoch with a live
 * countdown, market prices per GPU model, IO emitted and burned per epoch, clusters running)
 * and a cluster's page (#/cluster/<reservation>: devices, state, time left, payments and
 * settlement). Every figure comes from the sdk's readers.
 */
import { useConnection } from "@solana/wallet-adapter-react";
import { PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import {
  EPOCH_SECS,
  IOSD_DECIMALS,
  IO_DECIMALS,
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  clockUnixTimestamp,
  clusterView,
  decodeReservation,
  epochAt,
  epochStart,
  fetchMarketSnapshot,
  fetchReservationBookings,
  fetchReservationReceipts,
  fetchReservations,
  fetchTokenHistory,
  isRunning,
  marketPricesByModel,
  paymentDecimals,
} from "@iogrid/sdk";
import type { PaymentTokenName, TokenEpoch } from "@iogrid/sdk";
import { useEffect, useState } from "react";
import type { ReactElement } from "react";
import { formatIosd, formatTime } from "./deviceList.js";
import { big, formatDuration, formatUnits } from "./format.js";
import { useLoad, useOverview } from "./query.js";
import { LoadState, Stat } from "./ui.js";

/** The chain's time now: `chainNow` read at `readAt` (ms) plus the wall time since, each second. */
function useChainClock(chainNow: bigint | null): bigint | null {
  const [readAt] = useState(() => Date.now());
  const [tick, setTick] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (chainNow === null) return null;
  return chainNow + BigInt(Math.floor((tick - readAt) / 1_000));
}

const short = (key: PublicKey): string =>
  `${key.toBase58().slice(0, 4)}…${key.toBase58().slice(-4)}`;

/** The market (snapshot), every reservation and the token's history, each read once. */
function useExplorerState() {
  const { connection } = useConnection();
  const [market] = useLoad(
    connection,
    async () => {
      const [snapshot, reservations] = await Promise.all([
        fetchMarketSnapshot(connection),
        fetchReservations(connection),
      ]);
      return { snapshot, reservations, readAt: snapshot.now };
    },
    [],
    [REGISTRY_PROGRAM_ID, MARKET_PROGRAM_ID],
  );
  const origin =
    market.state === "ready" ? big(market.value.snapshot.registryConfig.epochOrigin) : null;
  const [token] = useLoad(
    connection,
    () => (origin === null ? new Promise<never>(() => {}) : fetchTokenHistory(connection, origin)),
    [String(origin)],
    [IOTOKEN_PROGRAM_ID],
  );
  return { market, token };
}

/** Bars of `values` (IO base units) per epoch, labelled, with a table for exact figures. */
function EpochBars({
  id,
  label,
  epochs,
  value,
}: {
  id: string;
  label: string;
  epochs: TokenEpoch[];
  value: (e: TokenEpoch) => bigint;
}): ReactElement {
  const values = epochs.map(value);
  const max = values.reduce((m, v) => (v > m ? v : m), 1n);
  const w = Math.max(240, epochs.length * 16);
  const h = 80;
  const bw = w / Math.max(1, epochs.length);
  return (
    <figure className="chart" data-testid={id}>
      <figcaption>{label}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label} chart`}>
        {values.map((v, i) => {
          const bh = Number((v * BigInt(h)) / max);
          return (
            <rect key={i} x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh}>
              <title>{`epoch ${epochs[i]!.epoch}: ${formatUnits(v, IO_DECIMALS)} IO`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

export function Home(): ReactElement {
  const { connection } = useConnection();
  const overview = useOverview(connection);
  const { market, token } = useExplorerState();
  const now = useChainClock(market.state === "ready" ? market.value.readAt : null);
  if (overview.state === "loading") return <p role="status">Loading chain state…</p>;
  if (overview.state === "error")
    return (
      <p role="alert" className="error">
        Could not read the chain: {overview.error}
      </p>
    );
  const { devices, ioSupply, iosdSupply } = overview.value;
  const byModel = new Map<string, number>();
  for (const row of devices) {
    if (row.status === "active")
      byModel.set(row.device.gpuModel, (byModel.get(row.device.gpuModel) ?? 0) + 1);
  }
  const origin =
    market.state === "ready" ? big(market.value.snapshot.registryConfig.epochOrigin) : null;
  const epoch = origin !== null && now !== null ? epochAt(origin, now) : null;
  const emitted =
    token.state === "ready" ? token.value.epochs.reduce((s, e) => s + (e.emitted ?? 0n), 0n) : null;
  const burned =
    token.state === "ready" ? token.value.burns.reduce((s, b) => s + b.ioBurned, 0n) : null;
  return (
    <section aria-label="Network overview">
      <dl className="stats">
        <Stat id="devices-total" label="Devices" value={String(devices.length)} />
        <Stat
          id="devices-active"
          label="Active devices"
          value={String(devices.filter((d) => d.status === "active").length)}
        />
        {(
          [
            ["io-supply", "IO supply", ioSupply, IO_DECIMALS],
            ["iosd-supply", "IOSD supply", iosdSupply, IOSD_DECIMALS],
            ["io-emitted", "IO emitted (ended epochs)", emitted, IO_DECIMALS],
            ["io-burned", "IO burned", burned, IO_DECIMALS],
          ] as const
        ).map(([id, label, amount, decimals]) => (
          <Stat
            key={id}
            id={id}
            label={label}
            value={amount === null ? "—" : formatUnits(amount, decimals)}
          />
        ))}
        <Stat id="epoch-current" label="Epoch" value={epoch === null ? "—" : String(epoch)} />
        <Stat
          id="epoch-countdown"
          label="Next epoch in"
          value={
            epoch === null || origin === null || now === null
              ? "—"
              : formatDuration(epochStart(origin, epoch + 1n) - now)
          }
        />
      </dl>
      <h2>Active hardware by GPU model</h2>
      {byModel.size === 0 ? (
        <p>No active devices.</p>
      ) : (
        <table aria-label="Active hardware by GPU model">
          <thead>
            <tr>
              <th>GPU model</th>
              <th>Devices</th>
            </tr>
          </thead>
          <tbody>
            {[...byModel].sort().map(([model, count]) => (
              <tr key={model}>
                <td>{model}</td>
                <td>{count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Market prices per GPU model</h2>
      <LoadState state={market} what="the market" />
      {market.state === "ready" &&
        (() => {
          const prices = marketPricesByModel(market.value.snapshot.devices);
          return prices.length === 0 ? (
            <p data-testid="prices-empty">No device is free to book.</p>
          ) : (
            <table aria-label="Market prices per GPU model">
              <thead>
                <tr>
                  <th>GPU model</th>
                  <th>Free devices</th>
                  <th>GPUs</th>
                  <th>Lowest per GPU-hour</th>
                  <th>Median</th>
                  <th>Highest</th>
                </tr>
              </thead>
              <tbody>
                {prices.map((p) => (
                  <tr key={p.gpuModel} data-testid={`price-${p.gpuModel}`}>
                    <td>{p.gpuModel}</td>
                    <td>{p.devices}</td>
                    <td>{p.gpus}</td>
                    <td>{formatIosd(p.lowest)}</td>
                    <td>{formatIosd(p.median)}</td>
                    <td>{formatIosd(p.highest)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        })()}
      <h2>Clusters running</h2>
      {market.state === "ready" &&
        now !== null &&
        (() => {
          const running = market.value.reservations.filter((r) =>
            isRunning(r.reservation, market.value.readAt),
          );
          return running.length === 0 ? (
            <p data-testid="clusters-empty">No cluster is running.</p>
          ) : (
            <table aria-label="Clusters running">
              <thead>
                <tr>
                  <th>Cluster</th>
                  <th>Renter</th>
                  <th>Devices</th>
                  <th>Time left</th>
                </tr>
              </thead>
              <tbody>
                {running.map(({ address, reservation }) => (
                  <tr key={address.toBase58()} data-testid={`running-${address.toBase58()}`}>
                    <td>
                      <a href={`#/cluster/${address.toBase58()}`}>{short(address)}</a>
                    </td>
                    <td title={reservation.renter.toBase58()}>{short(reservation.renter)}</td>
                    <td>{reservation.bookingsOpen}</td>
                    <td>{formatDuration(big(reservation.lastEndsAt) - now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        })()}
      <h2>Emission and burn history</h2>
      <LoadState state={token} what="the token's history" />
      {token.state === "ready" &&
        (token.value.epochs.length === 0 ? (
          <p>No epoch has ended and no IO was burned yet.</p>
        ) : (
          <>
            <div className="charts">
              <EpochBars
                id="chart-emitted"
                label="IO emitted per epoch"
                epochs={token.value.epochs}
                value={(e) => e.emitted ?? 0n}
              />
              <EpochBars
                id="chart-burned"
                label="IO burned per epoch"
                epochs={token.value.epochs}
                value={(e) => e.burned}
              />
            </div>
            {!token.value.complete && (
              <p className="hint">
                Burns counted from the IO mint&apos;s newest 1,000 transactions.
              </p>
            )}
            <table aria-label="Emission and burns per epoch">
              <thead>
                <tr>
                  <th>Epoch</th>
                  <th>Emitted IO</th>
                  <th>Burned IO</th>
                  <th>Supply after</th>
                </tr>
              </thead>
              <tbody>
                {token.value.epochs.map((e) => (
                  <tr key={String(e.epoch)} data-testid={`token-epoch-${e.epoch}`}>
                    <td>{String(e.epoch)}</td>
                    <td data-testid="epoch-emitted">
                      {e.emitted === null ? "not ended" : formatUnits(e.emitted, IO_DECIMALS)}
                    </td>
                    <td data-testid="epoch-burned">{formatUnits(e.burned, IO_DECIMALS)}</td>
                    <td>
                      {e.supplyAfter === null ? "—" : formatUnits(e.supplyAfter, IO_DECIMALS)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ))}
      <p className="hint">An epoch lasts {String(EPOCH_SECS / 60n)} minutes.</p>
    </section>
  );
}

const pay = (amount: bigint, token: PaymentTokenName): string =>
  `${formatUnits(amount, paymentDecimals(token))} ${token.toUpperCase()}`;

/** `#/cluster/<reservation>`: a cluster as anyone may see it. */
export function ClusterPage({ address }: { address: string }): ReactElement {
  const { connection } = useConnection();
  const [state] = useLoad(
    connection,
    async () => {
      const key = new PublicKey(address);
      const [[info, clock], bookings, receipts] = await Promise.all([
        connection.getMultipleAccountsInfo([key, SYSVAR_CLOCK_PUBKEY], "confirmed"),
        fetchReservationBookings(connection, key),
        fetchReservationReceipts(connection, key),
      ]);
      if (!clock) throw new Error("no clock on this cluster");
      const reservation =
        info && info.owner.equals(MARKET_PROGRAM_ID) ? decodeReservation(info.data) : null;
      const now = clockUnixTimestamp(clock.data);
      return {
        reservation,
        receipts,
        now,
        view: clusterView(reservation, bookings, receipts, now),
      };
    },
    [address],
    [MARKET_PROGRAM_ID],
  );
  const now = useChainClock(state.state === "ready" ? state.value.now : null);
  return (
    <section aria-label="Cluster">
      <h2>
        Cluster <code>{address}</code>
      </h2>
      <LoadState state={state} what="the cluster" />
      {state.state === "ready" &&
        (state.value.receipts === null ? (
          <p role="alert" className="error" data-testid="cluster-unknown">
            The chain knows no reservation {address}.
          </p>
        ) : (
          (() => {
            const { view, receipts, reservation } = state.value;
            const token = receipts.paymentToken;
            const ledger = receipts.ledger;
            const lastEnds = reservation ? big(reservation.lastEndsAt) : 0n;
            return (
              <>
                <dl className="stats">
                  <Stat id="cluster-state" label="State" value={view.state} />
                  <Stat
                    id="cluster-renter"
                    label="Renter"
                    value={<code title={receipts.renter.toBase58()}>{short(receipts.renter)}</code>}
                  />
                  <Stat
                    id="cluster-time-left"
                    label="Time left"
                    value={formatDuration(reservation && now !== null ? lastEnds - now : 0n)}
                  />
                  <Stat id="cluster-ends" label="Ends" value={formatTime(lastEnds)} />
                  <Stat id="cluster-paid" label="Paid" value={pay(view.paid, token)} />
                  <Stat
                    id="cluster-payouts"
                    label="Paid to devices"
                    value={ledger ? pay(ledger.devicePayouts, token) : "—"}
                  />
                  <Stat
                    id="cluster-refunds"
                    label="Refunds"
                    value={ledger ? pay(ledger.refunds, token) : "—"}
                  />
                  <Stat
                    id="cluster-escrow"
                    label="In escrow"
                    value={ledger ? pay(ledger.escrowOpen, token) : "—"}
                  />
                </dl>
                <h3>Devices</h3>
                {view.devices.length === 0 ? (
                  <p data-testid="cluster-no-bookings">No open booking (all settled).</p>
                ) : (
                  <table aria-label="Cluster devices">
                    <thead>
                      <tr>
                        <th>Device</th>
                        <th>State</th>
                        <th>Price per hour</th>
                        <th>Ends</th>
                        <th>Time left</th>
                      </tr>
                    </thead>
                    <tbody>
                      {view.devices.map((d) => (
                        <tr
                          key={d.booking.toBase58()}
                          data-testid={`cluster-device-${d.device.toBase58()}`}
                        >
                          <td>
                            <a href={`#/device/${d.device.toBase58()}`}>{short(d.device)}</a>
                          </td>
                          <td data-testid="booking-state">{d.state}</td>
                          <td data-testid="booking-price">{pay(d.pricePerHour, token)}</td>
                          <td>{formatTime(d.endsAt)}</td>
                          <td data-testid="booking-left">
                            {formatDuration(now === null ? d.secondsLeft : d.endsAt - now)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <h3>Settlement</h3>
                {view.settlements.length === 0 ? (
                  <p data-testid="cluster-no-settlements">No booking settled yet.</p>
                ) : (
                  <table aria-label="Settlements">
                    <thead>
                      <tr>
                        <th>Device</th>
                        <th>Outcome</th>
                        <th>Delivered (s)</th>
                        <th>Owner pay</th>
                        <th>Stakers</th>
                        <th>Network fee</th>
                        <th>Refund</th>
                        <th>Tip</th>
                      </tr>
                    </thead>
                    <tbody>
                      {view.settlements.map((s) => (
                        <tr
                          key={s.booking.toBase58()}
                          data-testid={`settled-${s.device.toBase58()}`}
                        >
                          <td>{short(s.device)}</td>
                          <td data-testid="settled-outcome">{s.outcome}</td>
                          <td>{String(s.deliveredSecs)}</td>
                          <td data-testid="settled-owner">{pay(s.ownerPay, token)}</td>
                          <td>{pay(s.stakerShare, token)}</td>
                          <td>{pay(s.networkFee, token)}</td>
                          <td data-testid="settled-refund">{pay(s.refund, token)}</td>
                          <td>{pay(s.tip, token)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            );
          })()
        ))}
    </section>
  );
}
