/**
 * `iogrid reserve`: the plan saved, the reservation created, the devices booked in batches
 * (`bookDevicesBatches`, each paying at most its devices' quote), the environment handed to the
 * agents, then a wait until every device's agent acknowledged its start. Interrupted anywhere
 * (Ctrl-C, SIGKILL), `reserve --resume R` books what is missing and waits again; `cancel R`
 * releases what was booked.
 */
import type { PublicKey } from "@solana/web3.js";

import {
  BOOK_DEVICES_PER_TX,
  bookDevicesBatches,
  createReservationIx,
  decodeDevice,
  paymentMintOf,
  paymentTokenName,
  reservationPda,
  workloadEnvHash,
} from "@iogrid/sdk";
import type { MarketDevice, Reservation, WorkloadEnv } from "@iogrid/sdk";
import { fetchMarketSnapshot } from "@iogrid/sdk";

import {
  criteriaOf,
  envFileArg,
  intArg,
  payArg,
  portsArg,
  pubkeyArg,
  workloadArg,
} from "./args.js";
import type { FilterFlags } from "./args.js";
import {
  chainNow,
  checkFunds,
  checkRenter,
  confirm,
  fetchReservation,
  fittedBatches,
  market,
  openBookings,
  tokenBalance,
} from "./chain.js";
import type { GlobalOptions, WalletContext } from "./context.js";
import { walletContext } from "./context.js";
import { CliError, EXIT, sendOrFail } from "./errors.js";
import { bar, printJson, progress, time, tokenAmount } from "./format.js";
import { matchesExcept, quoteOrFail, quoteText, selectDevices } from "./market.js";
import { loadPlan, savePlan } from "./plan.js";
import type { Plan } from "./plan.js";

export interface ReserveOptions extends GlobalOptions, FilterFlags {
  devices?: string;
  hours?: string;
  pay?: string;
  workload?: string;
  command?: string;
  image?: string;
  port?: string[];
  envFile?: string;
  relay?: string;
  resume?: string;
  wait?: boolean;
  waitTimeout?: string;
}

/** `iogrid reserve` (and `--resume`). */
export async function reserve(o: ReserveOptions): Promise<void> {
  if (o.resume !== undefined) return resume(o);
  const criteria = criteriaOf(o);
  if (o.devices === undefined)
    throw new CliError("--devices: how many devices to reserve", EXIT.usage);
  if (o.hours === undefined) throw new CliError("--hours: how many hours per device", EXIT.usage);
  const count = intArg("--devices", o.devices, 1, 10_000);
  const hours = intArg("--hours", o.hours, 1, 365 * 24);
  const pay = payArg(o.pay ?? "iosd");
  const kind = workloadArg(o.workload ?? "process");
  if ((o.command === undefined) === (o.image === undefined)) {
    throw new CliError(
      "pass exactly one of --command (process, ray) or --image (container)",
      EXIT.usage,
    );
  }
  const image = (o.command ?? o.image)!;
  if (image.length === 0 || image.length > 256 || !/^[\x20-\x7e]+$/.test(image)) {
    throw new CliError(
      `--${o.command !== undefined ? "command" : "image"}: 1 to 256 printable ASCII characters`,
      EXIT.usage,
    );
  }
  const ports = portsArg(o.port ?? []);
  const env: WorkloadEnv | undefined = o.envFile ? envFileArg(o.envFile) : undefined;
  const ctx = walletContext(o);
  const renter = ctx.wallet.publicKey;

  const snapshot = await fetchMarketSnapshot(ctx.connection);
  const max = snapshot.marketConfig.maxReservationHours;
  if (hours > max) {
    throw new CliError(
      `--hours: InvalidHours: this market books at most ${max} hours, got ${hours}`,
      EXIT.usage,
    );
  }
  const selection = selectDevices(snapshot, criteria, count);
  const q = quoteOrFail(snapshot, selection, hours, pay);
  const { balance } = await tokenBalance(ctx.connection, q.paymentMint, renter);
  checkFunds(
    q.total,
    balance,
    (v) => tokenAmount(v, pay),
    `the reservation of ${count} device${count === 1 ? "" : "s"} for ${hours} h`,
  );
  if (!o.json) console.log(quoteText(q, selection));
  await confirm(
    `reserve ${count} device${count === 1 ? "" : "s"} for ${hours} h, paying ${tokenAmount(q.total, pay)}?`,
    o.yes,
  );

  const id = BigInt(Date.now());
  const reservation = reservationPda(renter, id).address;
  const plan: Plan = {
    version: 1,
    reservation: reservation.toBase58(),
    renter: renter.toBase58(),
    id: id.toString(),
    rpcUrl: ctx.cluster.rpcUrl,
    devices: count,
    hours,
    pay,
    filters: pickFilters(o),
    selected: selection.map((d) => d.address.toBase58()),
    workload: { kind, image, ports },
    ...(env ? { env } : {}),
    ...(o.relay ? { relay: o.relay } : {}),
    createdAt: new Date().toISOString(),
  };
  savePlan(plan);
  onInterrupt(reservation);
  progress(`reservation ${reservation.toBase58()}: creating`);
  await sendOrFail(ctx.sender, "create_reservation", [
    await createReservationIx(market(), {
      renter,
      id,
      hours,
      paymentMint: q.paymentMint,
      workload: { kind, image, ports, envHash: workloadEnvHash(env ?? {}) },
    }),
  ]);
  await bookMissing(
    ctx,
    reservation,
    plan,
    await fetchReservation(ctx.connection, reservation),
    selection,
  );
  await finish(ctx, reservation, plan, o);
}

function pickFilters(o: FilterFlags): FilterFlags {
  const { gpu, count, minVram, region, maxPrice, minReputation } = o;
  return Object.fromEntries(
    Object.entries({ gpu, count, minVram, region, maxPrice, minReputation }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as FilterFlags;
}

/** Ctrl-C: say what exists and how to finish or release it. */
function onInterrupt(reservation: PublicKey): void {
  process.once("SIGINT", () => {
    const r = reservation.toBase58();
    process.stderr.write(
      `\niogrid: interrupted: finish with \`iogrid reserve --resume ${r}\` or release what was booked with \`iogrid cancel ${r}\`\n`,
    );
    process.exit(EXIT.interrupted);
  });
}

/** `reserve --resume R`: book what the plan still misses, then wait for the agents. */
async function resume(o: ReserveOptions): Promise<void> {
  const reservation = pubkeyArg("--resume", o.resume);
  const ctx = walletContext(o);
  const plan = loadPlan(reservation);
  const info = await ctx.connection.getAccountInfo(reservation, "confirmed");
  if (!info && plan && plan.renter === ctx.wallet.publicKey.toBase58()) {
    // Interrupted before the reservation existed: nothing was paid; start it as planned.
    const snapshot = await fetchMarketSnapshot(ctx.connection);
    onInterrupt(reservation);
    progress(`reservation ${reservation.toBase58()}: creating`);
    await sendOrFail(ctx.sender, "create_reservation", [
      await createReservationIx(market(), {
        renter: ctx.wallet.publicKey,
        id: BigInt(plan.id),
        hours: plan.hours,
        paymentMint: paymentMintOf(plan.pay, snapshot.marketConfig),
        workload: { ...plan.workload, envHash: workloadEnvHash(plan.env ?? {}) },
      }),
    ]);
  }
  const r = await fetchReservation(ctx.connection, reservation);
  checkRenter(r, reservation, ctx.wallet.publicKey);
  if (BigInt(r.cancelledAt.toString()) !== 0n) {
    throw new CliError(
      `ReservationCancelled: ${reservation.toBase58()} was cancelled; nothing to resume`,
      EXIT.failed,
    );
  }
  const target: Plan = plan ?? {
    version: 1,
    reservation: reservation.toBase58(),
    renter: ctx.wallet.publicKey.toBase58(),
    id: r.id.toString(),
    rpcUrl: ctx.cluster.rpcUrl,
    devices:
      o.devices !== undefined
        ? intArg("--devices", o.devices, 1, 10_000)
        : Math.max(1, r.bookingsMade),
    hours: r.hours,
    pay: paymentTokenName(r.paymentToken),
    filters: pickFilters(o),
    selected: [],
    workload: { kind: workloadKindName(r), image: r.workload.image, ports: r.workload.ports },
    ...(o.relay ? { relay: o.relay } : {}),
    createdAt: new Date().toISOString(),
  };
  onInterrupt(reservation);
  await bookMissing(ctx, reservation, target, r);
  await finish(ctx, reservation, target, o);
}

function workloadKindName(r: Reservation): Plan["workload"]["kind"] {
  const kind = r.workload.kind;
  return "container" in kind ? "container" : "ray" in kind ? "ray" : "process";
}

/**
 * Books the devices the plan still misses: the planned ones first while still free, then the
 * best other matches; each batch pays at most its devices' quote.
 */
async function bookMissing(
  ctx: WalletContext,
  reservation: PublicKey,
  plan: Plan,
  r: Reservation,
  fresh?: MarketDevice[],
): Promise<void> {
  const booked = (await openBookings(ctx.connection, reservation)).map((b) =>
    b.booking.device.toBase58(),
  );
  const missing = plan.devices - booked.length;
  if (missing <= 0) {
    progress(`${bar(booked.length, plan.devices)} devices booked`);
    return;
  }
  const snapshot = await fetchMarketSnapshot(ctx.connection);
  let selection: MarketDevice[];
  if (fresh && booked.length === 0) {
    selection = fresh;
  } else {
    const free = new Map(snapshot.devices.map((d) => [d.address.toBase58(), d]));
    const planned = plan.selected
      .filter((a) => !booked.includes(a) && free.has(a))
      .map((a) => free.get(a)!);
    const more = matchesExcept(snapshot, criteriaOf(plan.filters), [
      ...booked,
      ...planned.map((d) => d.address.toBase58()),
    ]);
    selection = [...planned, ...more].slice(0, missing);
    if (selection.length < missing) {
      throw new CliError(
        `NotEnoughDevices: ${booked.length} of ${plan.devices} devices booked and only ${selection.length} more free to match; cancel with \`iogrid cancel ${reservation.toBase58()}\``,
        EXIT.notFound,
      );
    }
  }
  const pay = paymentTokenName(r.paymentToken);
  const q = quoteOrFail(snapshot, selection, r.hours, pay);
  const { account, balance } = await tokenBalance(
    ctx.connection,
    q.paymentMint,
    ctx.wallet.publicKey,
  );
  checkFunds(
    q.total,
    balance,
    (v) => tokenAmount(v, pay),
    `booking ${selection.length} device${selection.length === 1 ? "" : "s"}`,
  );
  const totals = new Map(q.devices.map((d) => [d.address.toBase58(), d.total]));
  const devices = selection.map((d) => ({ address: d.address, owner: d.device.owner }));
  const ixs = await fittedBatches(ctx.wallet.publicKey, BOOK_DEVICES_PER_TX, (perTx) =>
    bookDevicesBatches(market(), {
      reservation,
      renter: ctx.wallet.publicKey,
      paymentSource: account,
      devices,
      perTx,
      maxPayment: (batch) => batch.reduce((s, d) => s + totals.get(d.address.toBase58())!, 0n),
    }),
  );
  let done = booked.length;
  progress(`${bar(done, plan.devices)} devices booked`);
  const perTx = Math.ceil(devices.length / ixs.length);
  for (const [i, ix] of ixs.entries()) {
    try {
      await sendOrFail(ctx.sender, "book_devices", [ix]);
    } catch (e) {
      const r58 = reservation.toBase58();
      throw new CliError(
        `${(e as Error).message}; ${done} of ${plan.devices} devices booked: \`iogrid reserve --resume ${r58}\` books the rest, \`iogrid cancel ${r58}\` releases them`,
        (e as CliError).exitCode ?? EXIT.failed,
      );
    }
    done = Math.min(plan.devices, booked.length + (i + 1) * perTx);
    progress(`${bar(done, plan.devices)} devices booked`);
  }
}

/** Hands the environment over, waits for the acknowledgements, prints the cluster. */
async function finish(
  ctx: WalletContext,
  reservation: PublicKey,
  plan: Plan,
  o: ReserveOptions,
): Promise<void> {
  const bookings = await openBookings(ctx.connection, reservation);
  if (plan.env && Object.keys(plan.env).length > 0)
    await deliverEnv(
      ctx,
      reservation,
      bookings.map((b) => b.booking.device),
      plan.env,
    );
  const waitSecs =
    o.waitTimeout !== undefined ? intArg("--wait-timeout", o.waitTimeout, 0, 86_400) : undefined;
  const acked =
    o.wait === false ? new Map<string, bigint>() : await waitForAcks(ctx, reservation, waitSecs);
  const after = await openBookings(ctx.connection, reservation);
  const r = await fetchReservation(ctx.connection, reservation);
  const pay = paymentTokenName(r.paymentToken);
  const relay = o.relay ?? plan.relay ?? process.env.IOGRID_RELAY_URL;
  const port = r.workload.ports[0];
  const connect = (device: PublicKey): string =>
    `iogrid connect ${reservation.toBase58()} --device ${device.toBase58()} --port ${port ?? "<port>"}${relay ? ` --relay ${relay}` : ""}`;
  const devices = after.map((b) => {
    const c = b.booking.charges;
    const total =
      BigInt(c.time.toString()) +
      BigInt(c.reservationFee.toString()) +
      BigInt(c.paymentFee.toString());
    return {
      device: b.booking.device,
      booking: b.address,
      startedAt: BigInt(b.booking.startedAt.toString()),
      endsAt: BigInt(b.booking.endsAt.toString()),
      total,
      connect: connect(b.booking.device),
    };
  });
  const paid = devices.reduce((s, d) => s + d.total, 0n);
  const started = devices.filter((d) => d.startedAt !== 0n).length;
  const result = {
    reservation,
    id: BigInt(r.id.toString()),
    token: pay,
    hours: r.hours,
    devicesAsked: plan.devices,
    paid,
    devices,
    started,
  };
  if (o.json) printJson(result);
  else {
    console.log(
      `reservation ${reservation.toBase58()}: ${devices.length} device${devices.length === 1 ? "" : "s"} x ${r.hours} h, paid ${tokenAmount(paid, pay)}`,
    );
    for (const d of devices) {
      console.log(
        `  device ${d.device.toBase58()}  ${d.startedAt !== 0n ? `started ${time(d.startedAt)}` : "not started"}, ends ${time(d.endsAt)}`,
      );
    }
    if (port !== undefined) {
      console.log("connect:");
      for (const d of devices) console.log(`  ${d.connect}`);
    }
  }
  if (devices.length < plan.devices) {
    throw new CliError(
      `${devices.length} of ${plan.devices} devices booked: \`iogrid reserve --resume ${reservation.toBase58()}\``,
      EXIT.notFound,
    );
  }
  if (o.wait !== false && acked.size < devices.length) {
    throw new CliError(
      `NotStarted: ${devices.length - acked.size} device${devices.length - acked.size === 1 ? "" : "s"} did not acknowledge the start (a no-show is refunded at settlement; \`iogrid status ${reservation.toBase58()}\`)`,
      EXIT.notStarted,
    );
  }
}

/** POSTs the environment to each device's agent (`/v1/env`), which checks it against the hash. */
async function deliverEnv(
  ctx: WalletContext,
  reservation: PublicKey,
  devices: PublicKey[],
  env: WorkloadEnv,
): Promise<void> {
  const infos = await ctx.connection.getMultipleAccountsInfo(devices, "confirmed");
  for (const [i, info] of infos.entries()) {
    const device = devices[i]!;
    const endpoint = info ? decodeDevice(info.data).endpoint : "";
    if (!endpoint) {
      progress(`device ${device.toBase58()}: no public endpoint to hand the environment to`);
      continue;
    }
    try {
      const res = await fetch(`${endpoint.replace(/\/$/, "")}/v1/env`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ reservation: reservation.toBase58(), env }),
        signal: AbortSignal.timeout(10_000),
      });
      progress(
        res.ok
          ? `device ${device.toBase58()}: environment handed over`
          : `device ${device.toBase58()}: the agent refused the environment (${res.status} ${await res.text()})`,
      );
    } catch (e) {
      progress(
        `device ${device.toBase58()}: could not reach the agent at ${endpoint} (${(e as Error).message})`,
      );
    }
  }
}

/**
 * Polls the reservation's bookings until every agent acknowledged its start or its deadline
 * passed (or `timeoutSecs`); a line per device as it starts. Returns the start of each device.
 */
async function waitForAcks(
  ctx: WalletContext,
  reservation: PublicKey,
  timeoutSecs?: number,
): Promise<Map<string, bigint>> {
  const started = new Map<string, bigint>();
  const late = new Set<string>();
  const deadline = timeoutSecs === undefined ? undefined : Date.now() + timeoutSecs * 1000;
  for (;;) {
    const bookings = await openBookings(ctx.connection, reservation);
    const now = await chainNow(ctx.connection);
    for (const b of bookings) {
      const device = b.booking.device.toBase58();
      const at = BigInt(b.booking.startedAt.toString());
      if (at !== 0n && !started.has(device)) {
        started.set(device, at);
        progress(`device ${device}: started (acknowledged at ${time(at)})`);
      } else if (at === 0n && now > BigInt(b.booking.ackDeadline.toString()) && !late.has(device)) {
        late.add(device);
        progress(
          `device ${device}: did not start before its deadline ${time(BigInt(b.booking.ackDeadline.toString()))}`,
        );
      }
    }
    if (started.size + late.size >= bookings.length) return started;
    if (deadline !== undefined && Date.now() >= deadline) return started;
    progress(`${bar(started.size, bookings.length)} devices started; waiting for the agents`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
