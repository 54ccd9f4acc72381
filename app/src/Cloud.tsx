import { useConnection } from "@solana/wallet-adapter-react";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
  unpackAccount,
} from "@solana/spl-token";
import { ComputeBudgetProgram, PublicKey } from "@solana/web3.js";
import type { Connection, TransactionInstruction } from "@solana/web3.js";
import {
  BOOK_DEVICES_PER_TX,
  EXTEND_BOOKINGS_PER_TX,
  MARKET_PROGRAM_ID,
  PRICE_DECIMALS,
  REGISTRY_PROGRAM_ID,
  SETTLE_BOOKINGS_PER_TX,
  STAKING_PROGRAM_ID,
  bookDevicesBatches,
  bookingHours,
  cancelRefunds,
  cancelReservationIx,
  claimRefundIx,
  closeReservationIx,
  createReservationIx,
  decodeDevice,
  extendBookingsBatches,
  fetchMarketSnapshot,
  fetchReservationBookings,
  fetchReservations,
  ioForIosd,
  ioMintPda,
  iosdMintPda,
  marketProgram,
  paymentMintOf,
  paymentTerms,
  paymentTokenName,
  quoteExtension,
  quoteOnSnapshot,
  refundOwed,
  reservationPda,
  searchDevices,
  settleBookingsBatches,
  usableIoPrice,
} from "@iogrid/sdk";
import type {
  BookingEntry,
  MarketDevice,
  MarketSnapshot,
  PaymentTokenName,
  ReservationEntry,
  SnapshotQuote,
  WorkloadKindName,
} from "@iogrid/sdk";
import { useEffect, useMemo, useState } from "react";
import type { FormEvent, ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { NO_FILTER, bookingStatus, criteriaOf, fittedBatches, parsePorts } from "./cloudRequest.js";
import type { CloudFilter } from "./cloudRequest.js";
import { formatBps, formatIo, formatIosd, formatTime } from "./deviceList.js";
import { formatToken } from "./Devices.js";
import { big, formatUnits } from "./format.js";
import { useLoad } from "./query.js";
import { TxStatusView, useSendTransaction } from "./tx.js";
import { LoadState, Select, Stat, TextInput } from "./ui.js";
import { useSigner } from "./wallet.js";

/** The market's batches get the most compute a transaction may use. */
const COMPUTE = ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 });

const SNAPSHOT_PROGRAMS: readonly PublicKey[] = [
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
  MARKET_PROGRAM_ID,
];

interface RenterReservation extends ReservationEntry {
  bookings: BookingEntry[];
  token: PaymentTokenName;
}

/** The renter's side: balances in each payment token, reservations with their open bookings. */
interface RenterState {
  balances: Record<PaymentTokenName, bigint>;
  reservations: RenterReservation[];
  /** Names of the booked devices, by address. */
  deviceNames: Map<string, string>;
}

const TOKENS: PaymentTokenName[] = ["iosd", "usdc", "io"];

async function fetchRenterState(
  connection: Connection,
  renter: PublicKey,
  snapshot: MarketSnapshot,
): Promise<RenterState> {
  const atas = TOKENS.map((t) =>
    getAssociatedTokenAddressSync(paymentMintOf(t, snapshot.marketConfig), renter),
  );
  const [infos, reservations] = await Promise.all([
    connection.getMultipleAccountsInfo(atas, "confirmed"),
    fetchReservations(connection, { renter }),
  ]);
  const balances = Object.fromEntries(
    TOKENS.map((t, i) => {
      const info = infos[i];
      return [t, info ? unpackAccount(atas[i]!, info, info.owner).amount : 0n];
    }),
  ) as Record<PaymentTokenName, bigint>;
  const withBookings = await Promise.all(
    reservations.map(async (r) => ({
      ...r,
      token: paymentTokenName(r.reservation.paymentToken),
      bookings: await fetchReservationBookings(connection, r.address),
    })),
  );
  // The booked devices' names: one getMultipleAccounts (booked devices are not in the snapshot).
  const keys = withBookings
    .flatMap((r) => r.bookings.map((b) => b.booking.device))
    .filter((k, i, all) => all.findIndex((x) => x.equals(k)) === i);
  const deviceNames = new Map<string, string>();
  if (keys.length > 0) {
    const accounts = await connection.getMultipleAccountsInfo(keys, "confirmed");
    accounts.forEach((info, i) => {
      if (info) deviceNames.set(keys[i]!.toBase58(), decodeDevice(info.data).name);
    });
  }
  withBookings.sort((a, b) =>
    big(b.reservation.createdAt) > big(a.reservation.createdAt) ? 1 : -1,
  );
  return { balances, reservations: withBookings, deviceNames };
}

interface CloudRequest {
  devices: string;
  hours: string;
  token: PaymentTokenName;
  kind: WorkloadKindName;
  image: string;
  ports: string;
}

type Quote =
  | { ok: true; quote: SnapshotQuote; selection: MarketDevice[]; hours: number }
  | { ok: false; reason: string };

function quoteFor(snapshot: MarketSnapshot, ranked: MarketDevice[], request: CloudRequest): Quote {
  const count = Number(request.devices);
  const hours = Number(request.hours);
  if (!Number.isInteger(count) || count < 1)
    return { ok: false, reason: "Ask for at least one device." };
  const max = snapshot.marketConfig.maxReservationHours;
  if (!Number.isInteger(hours) || hours < 1 || hours > max) {
    return { ok: false, reason: `Book whole hours, from 1 to ${max}.` };
  }
  if (ranked.length < count) {
    return {
      ok: false,
      reason: `Only ${ranked.length} device${ranked.length === 1 ? "" : "s"} match: ask for fewer or widen the filters.`,
    };
  }
  const selection = ranked.slice(0, count);
  try {
    return {
      ok: true,
      quote: quoteOnSnapshot(snapshot, selection, hours, request.token),
      selection,
      hours,
    };
  } catch (err) {
    return {
      ok: false,
      reason: `Cannot pay in IO now: ${(err as Error).message}; pay in IOSD or USDC.`,
    };
  }
}

function Amount({
  id,
  amount,
  token,
}: {
  id: string;
  amount: bigint;
  token: PaymentTokenName;
}): ReactElement {
  return (
    <span data-testid={id} data-units={amount.toString()}>
      {formatToken(amount, token)}
    </span>
  );
}

type Step = { label: string; ixs: TransactionInstruction[] };

/** Sends steps one transaction each through the page's status, with "n of m" progress. */
function useSteps(onDone: () => void): {
  /** `onFail` is added to the progress line when a transaction fails. */
  run: (steps: Step[], done: string, onFail?: string) => Promise<boolean>;
  progress: { at: number; of: number; text: string; failed: boolean } | null;
  busy: boolean;
  status: ReturnType<typeof useSendTransaction>["status"];
} {
  const { status, send } = useSendTransaction();
  const [progress, setProgress] = useState<{
    at: number;
    of: number;
    text: string;
    failed: boolean;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (steps: Step[], done: string, onFail = ""): Promise<boolean> => {
    setBusy(true);
    try {
      for (const [i, step] of steps.entries()) {
        setProgress({
          at: i,
          of: steps.length,
          text: `${step.label}: transaction ${i + 1} of ${steps.length}…`,
          failed: false,
        });
        if (!(await send(step.ixs))) {
          setProgress({
            at: i,
            of: steps.length,
            text: `${step.label} failed: transaction ${i + 1} of ${steps.length}; ${i} confirmed.${onFail}`,
            failed: true,
          });
          return false;
        }
      }
      setProgress({ at: steps.length, of: steps.length, text: done, failed: false });
      return true;
    } catch (err) {
      setProgress({
        at: 0,
        of: steps.length,
        text: `Could not build the transactions: ${String(err)}`,
        failed: true,
      });
      return false;
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return { run, progress, busy, status };
}

function Progress({
  progress,
}: {
  progress: { at: number; of: number; text: string; failed: boolean } | null;
}): ReactElement | null {
  if (!progress) return null;
  return (
    <div className="progress" data-testid="progress">
      <progress value={progress.at} max={progress.of} aria-label="Transactions confirmed" />
      <p role={progress.failed ? "alert" : "status"} data-testid="progress-text">
        {progress.text}
      </p>
    </div>
  );
}

/** The renter's page: find devices, the full quote, deploy, and the renter's clusters. */
export function CloudPage({
  cluster,
  focusClusters = false,
}: {
  cluster: Cluster;
  focusClusters?: boolean;
}): ReactElement {
  const { connection } = useConnection();
  const signer = useSigner();
  const [snapshot, reloadSnapshot] = useLoad(
    connection,
    () => fetchMarketSnapshot(connection),
    [],
    SNAPSHOT_PROGRAMS,
  );
  const [renter, reloadRenter] = useLoad(
    connection,
    () =>
      snapshot.state === "ready"
        ? fetchRenterState(connection, signer.publicKey, snapshot.value)
        : new Promise<RenterState>(() => undefined),
    [signer.publicKey.toBase58(), snapshot],
  );
  // Balances change outside the market too (transfers, mints): one subscription per token account.
  const usdcMint =
    snapshot.state === "ready" ? snapshot.value.marketConfig.usdcMint.toBase58() : "";
  useEffect(() => {
    if (usdcMint === "") return;
    const subs = [iosdMintPda().address, new PublicKey(usdcMint), ioMintPda().address].map((mint) =>
      connection.onAccountChange(
        getAssociatedTokenAddressSync(mint, signer.publicKey),
        reloadRenter,
        "confirmed",
      ),
    );
    return () => {
      for (const sub of subs) void connection.removeAccountChangeListener(sub);
    };
  }, [connection, signer.publicKey, usdcMint, reloadRenter]);
  const ready = snapshot.state === "ready";
  useEffect(() => {
    if (focusClusters && ready) document.getElementById("clusters")?.scrollIntoView();
  }, [focusClusters, ready]);
  const steps = useSteps(() => {
    reloadSnapshot();
    reloadRenter();
  });
  const [filter, setFilter] = useState<CloudFilter>(NO_FILTER);
  const [request, setRequest] = useState<CloudRequest>({
    devices: "1",
    hours: "1",
    token: "iosd",
    kind: "container",
    image: "ghcr.io/iogrid/llm:1",
    ports: "8000",
  });
  const program = useMemo(() => marketProgram(), []);
  const criteria = useMemo(() => criteriaOf(filter), [filter]);
  const ranked = useMemo(
    () =>
      snapshot.state === "ready" && criteria.ok
        ? searchDevices(snapshot.value, criteria.criteria)
        : [],
    [snapshot, criteria],
  );
  if (snapshot.state !== "ready") return <LoadState state={snapshot} what="the market" />;
  const s = snapshot.value;
  const setF = (patch: Partial<CloudFilter>): void => setFilter((f) => ({ ...f, ...patch }));
  const setR = (patch: Partial<CloudRequest>): void => setRequest((q) => ({ ...q, ...patch }));
  const quote: Quote = criteria.ok
    ? quoteFor(s, ranked, request)
    : { ok: false, reason: `Not a number: ${criteria.field}.` };
  const token = request.token;
  const balance = renter.state === "ready" ? renter.value.balances[token] : null;
  const ports = parsePorts(request.ports);
  const short = quote.ok && balance !== null && balance < quote.quote.total;
  const models = [...new Set(s.devices.map((d) => d.device.gpuModel))].sort();
  const regions = [...new Set(s.devices.map((d) => d.device.region))].sort();
  const workloadProblem =
    ports === null
      ? "Ports: distinct numbers from 1 to 65535, comma-separated, at most 16."
      : !/^[\x20-\x7e]{1,256}$/.test(request.image)
        ? "Image or command: 1 to 256 printable ASCII characters."
        : null;
  const picked = quote.ok ? new Set(quote.selection.map((d) => d.address.toBase58())) : new Set();

  const deploy = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!quote.ok || short || workloadProblem || ports === null || balance === null) return;
    const owner = signer.publicKey;
    const q = quote.quote;
    const id = BigInt(Date.now());
    const reservation = reservationPda(owner, id).address;
    const totals = new Map(q.devices.map((d) => [d.address.toBase58(), d.total]));
    const create = await createReservationIx(program, {
      renter: owner,
      id,
      hours: quote.hours,
      paymentMint: q.paymentMint,
      workload: { kind: request.kind, image: request.image, ports },
    });
    const batches = await fittedBatches(owner, BOOK_DEVICES_PER_TX, [COMPUTE], (perTx) =>
      bookDevicesBatches(program, {
        reservation,
        renter: owner,
        paymentSource: getAssociatedTokenAddressSync(q.paymentMint, owner),
        devices: quote.selection.map((d) => ({ address: d.address, owner: d.device.owner })),
        perTx,
        maxPayment: (batch) =>
          batch.reduce((sum, d) => sum + (totals.get(d.address.toBase58()) ?? 0n), 0n),
      }),
    );
    const n = quote.selection.length;
    const perTx = Math.ceil(n / batches.length);
    await steps.run(
      [
        { label: "Creating the reservation", ixs: [create] },
        ...batches.map((ix, i) => ({
          label: `Booking devices ${i * perTx + 1}-${Math.min(n, (i + 1) * perTx)} of ${n}`,
          ixs: [COMPUTE, ix],
        })),
      ],
      `Deployed: ${n} device${n === 1 ? "" : "s"} booked for ${quote.hours} h, paid ${formatToken(q.total, token)}; waiting for the agents to start.`,
      " What was booked is under My clusters: cancel it there to release it and get the time back.",
    );
  };

  return (
    <section aria-label="Cloud">
      <h2>Find hardware</h2>
      <form className="filters" aria-label="Hardware filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="GPU model"
          value={filter.gpuModel}
          onChange={(gpuModel) => setF({ gpuModel })}
          options={[["", "Any"], ...models.map((m): [string, string] => [m, m])]}
        />
        <TextInput
          label="Min GPUs per device"
          name="min-gpus"
          inputMode="numeric"
          value={filter.minGpus}
          onChange={(minGpus) => setF({ minGpus })}
        />
        <TextInput
          label="Min VRAM per GPU (GiB)"
          name="min-vram"
          inputMode="numeric"
          value={filter.minVramGib}
          onChange={(minVramGib) => setF({ minVramGib })}
        />
        <Select
          label="Region"
          value={filter.region}
          onChange={(region) => setF({ region })}
          options={[["", "Any"], ...regions.map((m): [string, string] => [m, m])]}
        />
        <TextInput
          label="Max price (IOSD per GPU-hour)"
          name="max-price"
          inputMode="decimal"
          value={filter.maxPrice}
          onChange={(maxPrice) => setF({ maxPrice })}
        />
        <TextInput
          label="Min reputation (%)"
          name="min-reputation"
          inputMode="decimal"
          value={filter.minReputation}
          onChange={(minReputation) => setF({ minReputation })}
        />
      </form>

      <p data-testid="match-count">
        {ranked.length} device{ranked.length === 1 ? "" : "s"} free, staked and matching, cheapest
        first
      </p>
      {ranked.length === 0 ? (
        <p data-testid="no-match">No free device matches these filters.</p>
      ) : (
        <div className="scroll">
          <table aria-label="Matching devices">
            <thead>
              <tr>
                <th>#</th>
                <th>Device</th>
                <th>GPU model</th>
                <th>GPUs</th>
                <th>VRAM / GPU (MiB)</th>
                <th>Region</th>
                <th>Price / GPU-hour</th>
                <th>Reputation</th>
                <th>In the quote</th>
              </tr>
            </thead>
            <tbody>
              {ranked.slice(0, 200).map((d, i) => (
                <tr
                  key={d.address.toBase58()}
                  data-testid="match-row"
                  data-address={d.address.toBase58()}
                >
                  <td>{i + 1}</td>
                  <td>
                    <a href={`#/device/${d.address.toBase58()}`}>{d.device.name}</a>
                  </td>
                  <td>{d.device.gpuModel}</td>
                  <td>{d.device.specs.gpuCount}</td>
                  <td>{d.device.specs.vramMib}</td>
                  <td>{d.device.region}</td>
                  <td>{formatIosd(big(d.device.pricePerGpuHour))}</td>
                  <td>{formatBps(d.device.availability.reputationBps)}</td>
                  <td>{picked.has(d.address.toBase58()) ? "yes" : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Deploy</h2>
      <form className="filters" aria-label="Deploy" onSubmit={(e) => void deploy(e)}>
        <TextInput
          label="Devices"
          name="devices"
          inputMode="numeric"
          value={request.devices}
          onChange={(devices) => setR({ devices })}
        />
        <TextInput
          label="Hours"
          name="hours"
          inputMode="numeric"
          value={request.hours}
          onChange={(hours) => setR({ hours })}
        />
        <Select
          label="Pay in"
          value={token}
          onChange={(t) => setR({ token: t as PaymentTokenName })}
          options={[
            ["iosd", "IOSD"],
            ["usdc", "USDC"],
            ["io", "IO"],
          ]}
        />
        <Select
          label="Workload"
          value={request.kind}
          onChange={(kind) => setR({ kind: kind as WorkloadKindName })}
          options={[
            ["container", "Container"],
            ["ray", "Ray"],
            ["process", "Process"],
          ]}
        />
        <TextInput
          label={request.kind === "container" ? "Image" : "Command"}
          name="image"
          value={request.image}
          onChange={(image) => setR({ image })}
        />
        <TextInput
          label="Ports"
          name="ports"
          value={request.ports}
          onChange={(p) => setR({ ports: p })}
        />
        <button
          type="submit"
          disabled={
            steps.busy || !quote.ok || short || workloadProblem !== null || balance === null
          }
        >
          Deploy
        </button>
      </form>
      {workloadProblem && (
        <p role="alert" className="error" data-testid="workload-refusal">
          {workloadProblem}
        </p>
      )}

      <h3>Quote</h3>
      {!quote.ok ? (
        <p role="alert" className="error" data-testid="quote-refusal">
          {quote.reason}
        </p>
      ) : (
        <QuoteView quote={quote} snapshot={s} />
      )}
      <p data-testid="renter-balance">
        Your {token.toUpperCase()} balance:{" "}
        {balance === null ? (
          "…"
        ) : (
          <Amount id="renter-balance-amount" amount={balance} token={token} />
        )}
      </p>
      {short && (
        <p role="alert" className="error" data-testid="balance-refusal">
          The quote is more than your {token.toUpperCase()} balance.
        </p>
      )}
      <Progress progress={steps.progress} />
      <TxStatusView status={steps.status} cluster={cluster} />

      <h2 id="clusters">My clusters</h2>
      {renter.state !== "ready" ? (
        <LoadState state={renter} what="your clusters" />
      ) : renter.value.reservations.length === 0 ? (
        <p data-testid="no-clusters">No cluster yet: deploy one above.</p>
      ) : (
        renter.value.reservations.map((entry) => (
          <ClusterCard
            key={entry.address.toBase58()}
            entry={entry}
            snapshot={s}
            names={renter.value.deviceNames}
            balance={renter.value.balances[entry.token]}
            steps={steps}
            onRefresh={reloadSnapshot}
          />
        ))
      )}
    </section>
  );
}

function QuoteView({
  quote,
  snapshot,
}: {
  quote: Extract<Quote, { ok: true }>;
  snapshot: MarketSnapshot;
}): ReactElement {
  const q = quote.quote;
  const token = q.token;
  const sum = (pick: (c: SnapshotQuote["devices"][number]["charges"]) => bigint): bigint =>
    q.devices.reduce((acc, d) => acc + pick(d.charges), 0n);
  const ioPrice =
    token === "io"
      ? q.ioPrice
      : usableIoPrice(snapshot.priceFeed, snapshot.tokenConfig.oracle, snapshot.now);
  const ioEquivalent =
    token === "io" ? q.total : ioPrice === null ? null : ioForIosd(q.total, ioPrice);
  const bps = (v: bigint | number): string => formatBps(Number(v));
  return (
    <div className="card" data-testid="quote">
      <dl className="stats">
        <Stat
          id="quote-time"
          label={`Device time (${q.devices.length} × ${quote.hours} h)`}
          value={<Amount id="quote-time-amount" amount={sum((c) => c.time)} token={token} />}
        />
        <Stat
          id="quote-reservation-fee"
          label={`Reservation fee (${bps(q.rates.reservationFeeBps)})`}
          value={
            <Amount
              id="quote-reservation-fee-amount"
              amount={sum((c) => c.reservationFee)}
              token={token}
            />
          }
        />
        <Stat
          id="quote-payment-fee"
          label={`Payment fee, ${token.toUpperCase()} (${bps(q.rates.paymentFeeBps)})`}
          value={
            <Amount id="quote-payment-fee-amount" amount={sum((c) => c.paymentFee)} token={token} />
          }
        />
        <Stat
          id="quote-total"
          label="Total"
          value={<Amount id="quote-total-amount" amount={q.total} token={token} />}
        />
        <Stat
          id="quote-io"
          label="In IO at the conservative price"
          value={
            ioEquivalent === null ? (
              "— (the IO price feed is unusable)"
            ) : (
              <>
                <span data-testid="quote-io-amount" data-units={ioEquivalent.toString()}>
                  {formatIo(ioEquivalent)}
                </span>
                {ioPrice !== null && (
                  <small> at {formatUnits(ioPrice, PRICE_DECIMALS)} USD/IO</small>
                )}
              </>
            )
          }
        />
      </dl>
      <div className="scroll">
        <table aria-label="Quote per device">
          <thead>
            <tr>
              <th>Device</th>
              <th>Per device-hour</th>
              <th>Time</th>
              <th>Reservation fee</th>
              <th>Payment fee</th>
              <th>Total</th>
            </tr>
          </thead>
          <tbody>
            {q.devices.map((d, i) => (
              <tr
                key={d.address.toBase58()}
                data-testid="quote-row"
                data-address={d.address.toBase58()}
              >
                <td>{quote.selection[i]!.device.name}</td>
                <td>{formatIosd(d.pricePerHour)}</td>
                <td>{formatToken(d.charges.time, token)}</td>
                <td>{formatToken(d.charges.reservationFee, token)}</td>
                <td>{formatToken(d.charges.paymentFee, token)}</td>
                <td>{formatToken(d.total, token)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Of the reservation fee,{" "}
        {formatToken(
          sum((c) => c.tip),
          token,
        )}{" "}
        tips whoever settles the bookings (cancelling here settles them yourself and gets it back).
        Cancelling refunds the device time not delivered; a started device keeps its first hour, and
        fees are kept.
      </p>
    </div>
  );
}

function ClusterCard({
  entry,
  snapshot,
  names,
  balance,
  steps,
  onRefresh,
}: {
  entry: RenterReservation;
  snapshot: MarketSnapshot;
  names: Map<string, string>;
  balance: bigint;
  steps: ReturnType<typeof useSteps>;
  onRefresh: () => void;
}): ReactElement {
  const signer = useSigner();
  const { connection } = useConnection();
  const program = useMemo(() => marketProgram(), []);
  const [confirming, setConfirming] = useState(false);
  const [extra, setExtra] = useState("1");
  const { reservation, bookings, token } = entry;
  const address = entry.address;
  const id = big(reservation.id);
  const now = snapshot.now;
  const cancelled = big(reservation.cancelledAt) !== 0n;
  const ended = reservation.bookingsMade === 0 || now >= big(reservation.lastEndsAt);
  const owedBefore = refundOwed(reservation.ledger) ?? 0n;
  const mint = reservation.paymentMint;
  const renter = signer.publicKey;
  const mine = getAssociatedTokenAddressSync(mint, renter);
  const returns = cancelRefunds(
    bookings.map((b) => b.booking),
    cancelled ? big(reservation.cancelledAt) : ended ? big(reservation.lastEndsAt) : now,
  );
  const back = returns.refund + returns.tips + owedBefore;
  const running = bookings.filter((b) => now < big(b.booking.endsAt));
  const extraHours = /^\s*\d+\s*$/.test(extra) ? Number(extra) : NaN;
  let extension: ReturnType<typeof quoteExtension> | { problem: string };
  if (!(extraHours >= 1)) extension = { problem: "Add at least one whole hour." };
  else if (running.length === 0) extension = { problem: "No running booking to extend." };
  else {
    try {
      const terms = paymentTerms(snapshot.tokenConfig, snapshot.priceFeed, token, now);
      extension = quoteExtension(
        running.map((b) => b.booking),
        extraHours,
        terms.rates,
        terms.ioPrice,
      );
    } catch (err) {
      extension = { problem: `Cannot pay in IO now: ${(err as Error).message}.` };
    }
  }
  const extensionShort = "total" in extension && balance < extension.total;
  const started = bookings.filter((b) => big(b.booking.startedAt) !== 0n).length;
  const settled = reservation.bookingsMade - reservation.bookingsOpen;
  const ports = reservation.workload.ports;

  /** Pays the owners (their accounts created when missing), settles, claims, closes. */
  const settleSteps = async (): Promise<Step[]> => {
    const out: Step[] = [];
    if (bookings.length > 0) {
      const owners = bookings
        .map((b) => b.booking.owner)
        .filter((k, i, all) => all.findIndex((x) => x.equals(k)) === i);
      const payees = owners.map((o) => getAssociatedTokenAddressSync(mint, o, true));
      const infos = await connection.getMultipleAccountsInfo(payees, "confirmed");
      const create = payees.flatMap((payee, i) =>
        infos[i]
          ? []
          : [createAssociatedTokenAccountIdempotentInstruction(renter, payee, owners[i]!, mint)],
      );
      for (let i = 0; i < create.length; i += 4) {
        out.push({ label: "Opening the owners' payment accounts", ixs: create.slice(i, i + 4) });
      }
      const settles = await fittedBatches(renter, SETTLE_BOOKINGS_PER_TX, [COMPUTE], (perTx) =>
        settleBookingsBatches(program, {
          reservation: address,
          settler: renter,
          tipAccount: mine,
          renter,
          paymentMint: mint,
          bookings: bookings.map((b) => ({ device: b.booking.device, owner: b.booking.owner })),
          perTx,
        }),
      );
      settles.forEach((ix) => out.push({ label: "Settling the bookings", ixs: [COMPUTE, ix] }));
    }
    // claim_refund with nothing owed is refused: only when settling leaves a refund.
    if (returns.refund + owedBefore > 0n) {
      out.push({
        label: "Claiming the refund",
        ixs: [await claimRefundIx(program, { reservation: address, renter, paymentMint: mint })],
      });
    }
    out.push({
      label: "Closing the reservation",
      ixs: [await closeReservationIx(program, { reservation: address, renter, paymentMint: mint })],
    });
    return out;
  };
  const cancel = async (): Promise<void> => {
    setConfirming(false);
    const first: Step[] =
      !cancelled && !ended
        ? [
            {
              label: "Cancelling",
              ixs: [await cancelReservationIx(program, { reservation: address, renter })],
            },
          ]
        : [];
    await steps.run(
      [...first, ...(await settleSteps())],
      `Cluster #${id} cancelled: ${formatToken(back, token)} back.`,
    );
  };

  const extend = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!("devices" in extension)) return;
    const totals = new Map(extension.devices.map((d) => [d.device.toBase58(), d.total]));
    const ixs = await fittedBatches(renter, EXTEND_BOOKINGS_PER_TX, [COMPUTE], (perTx) =>
      extendBookingsBatches(program, {
        reservation: address,
        renter,
        paymentSource: mine,
        devices: running.map((b) => b.booking.device),
        extraHours,
        perTx,
        maxPayment: (batch) => batch.reduce((acc, d) => acc + (totals.get(d.toBase58()) ?? 0n), 0n),
      }),
    );
    await steps.run(
      ixs.map((ix) => ({ label: `Extending by ${extraHours} h`, ixs: [COMPUTE, ix] })),
      `Cluster #${id} extended by ${extraHours} h, paid ${formatToken(extension.total, token)}.`,
    );
  };

  return (
    <article
      className="card reservation"
      data-testid="cluster"
      data-address={address.toBase58()}
      aria-label={`Cluster ${id}`}
    >
      <h3>
        Cluster #{id.toString()}{" "}
        <small className="muted">
          {bookings.length} device{bookings.length === 1 ? "" : "s"}, paid in {token.toUpperCase()}
          {cancelled ? ", cancelled" : ended ? ", ended" : ""}
        </small>
      </h3>
      <p className="muted">
        <code>{address.toBase58()}</code> · created {formatTime(reservation.createdAt)} · ends{" "}
        {formatTime(reservation.lastEndsAt)} · {Object.keys(reservation.workload.kind)[0]}{" "}
        <code>{reservation.workload.image}</code>
        {ports.length > 0 && ` · ports ${ports.join(", ")}`}
      </p>
      <dl className="stats">
        <Stat id="cluster-started" label="Started" value={`${started} of ${bookings.length}`} />
        <Stat id="cluster-settled" label="Settled" value={String(settled)} />
        <Stat
          id="cluster-deposited"
          label="Paid"
          value={
            <Amount
              id="cluster-deposited-amount"
              amount={big(reservation.ledger.deposited)}
              token={token}
            />
          }
        />
        <Stat
          id="cluster-escrow"
          label="In escrow"
          value={formatToken(big(reservation.ledger.escrowOpen), token)}
        />
      </dl>
      {bookings.length > 0 && (
        <div className="scroll">
          <table aria-label={`Devices of cluster ${id}`}>
            <thead>
              <tr>
                <th>Device</th>
                <th>Status</th>
                <th>Hours</th>
                <th>Start by</th>
                <th>Ends</th>
                <th>Paid</th>
              </tr>
            </thead>
            <tbody>
              {bookings.map((b) => {
                const device = b.booking.device.toBase58();
                const c = b.booking.charges;
                return (
                  <tr key={b.address.toBase58()} data-testid="cluster-device" data-device={device}>
                    <td>
                      <a href={`#/device/${device}`}>{names.get(device) ?? device}</a>
                    </td>
                    <td data-testid="cluster-device-status">
                      {bookingStatus(b.booking, cancelled, now)}
                    </td>
                    <td>{bookingHours(b.booking)}</td>
                    <td>{formatTime(b.booking.ackDeadline)}</td>
                    <td>{formatTime(b.booking.endsAt)}</td>
                    <td>
                      {formatToken(big(c.time) + big(c.reservationFee) + big(c.paymentFee), token)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {bookings.length > 0 && ports.length > 0 && (
        <details>
          <summary>Connect to a port</summary>
          <ul aria-label={`Connect commands of cluster ${id}`}>
            {bookings.flatMap((b) =>
              ports.map((p) => (
                <li key={`${b.booking.device.toBase58()}:${p}`}>
                  <code className="connect">
                    iogrid connect {address.toBase58()} --device {b.booking.device.toBase58()}{" "}
                    --port {p}
                  </code>
                </li>
              )),
            )}
          </ul>
        </details>
      )}
      {!cancelled && !ended && (
        <form
          className="filters"
          aria-label={`Extend cluster ${id}`}
          onSubmit={(e) => void extend(e)}
        >
          <TextInput
            label="Add hours"
            name="extend-hours"
            inputMode="numeric"
            value={extra}
            onChange={setExtra}
          />
          {"total" in extension ? (
            <span data-testid="extend-quote">
              for {running.length} device{running.length === 1 ? "" : "s"}:{" "}
              <Amount id="extend-quote-amount" amount={extension.total} token={token} />
            </span>
          ) : (
            <span className="error" data-testid="extend-refusal">
              {extension.problem}
            </span>
          )}
          {extensionShort && (
            <span role="alert" className="error">
              More than your {token.toUpperCase()} balance.
            </span>
          )}
          <button type="submit" disabled={steps.busy || !("total" in extension) || extensionShort}>
            Extend
          </button>
        </form>
      )}
      {bookings.length > 0 || owedBefore > 0n || cancelled || ended ? (
        <div className="refund">
          {!confirming ? (
            <button
              type="button"
              disabled={steps.busy}
              onClick={() => {
                // The refund depends on the chain's time: read it afresh for the preview.
                onRefresh();
                setConfirming(true);
              }}
            >
              {!cancelled && !ended ? "Cancel cluster…" : "Settle and claim…"}
            </button>
          ) : (
            <div role="group" aria-label="Confirm cancellation" data-testid="cancel-preview">
              <p>
                {!cancelled && !ended ? "Cancelling now refunds " : "Settling refunds "}
                <Amount id="cancel-refund" amount={returns.refund + owedBefore} token={token} /> of
                device time and returns the settle tips,{" "}
                <Amount id="cancel-tips" amount={returns.tips} token={token} />. Back to you:{" "}
                <strong>
                  <Amount id="cancel-back" amount={back} token={token} />
                </strong>
                . Fees are kept; a started device keeps its first hour. As of chain time{" "}
                {formatTime(now)}.
              </p>
              <ul aria-label="Refund per device">
                {returns.devices.map((d) => (
                  <li key={d.device.toBase58()} data-testid="cancel-device">
                    {names.get(d.device.toBase58()) ?? d.device.toBase58()}: {d.outcome},{" "}
                    {d.deliveredSecs.toString()} s paid, refund {formatToken(d.refund, token)}
                  </li>
                ))}
              </ul>
              <button type="button" disabled={steps.busy} onClick={() => void cancel()}>
                {!cancelled && !ended ? "Cancel and refund" : "Settle and refund"}
              </button>{" "}
              <button type="button" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </div>
          )}
        </div>
      ) : null}
    </article>
  );
}
