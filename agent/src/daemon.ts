/**
 * The daemon (`iogrid-agent start`), in Nosana's order: load config and key -> check the chain
 * (the device exists, its agent key is ours) -> reconcile (every open booking of the device on
 * chain against the local state: adopt workloads that kept running, stop what ended or was
 * cancelled or settled while the agent was away, start what should run, acknowledge starts still
 * owed) -> serve probes -> watch bookings (websocket subscriptions plus a polling fallback) ->
 * report telemetry. SIGTERM stops the agent cleanly and leaves running workloads to the next
 * start; a SIGKILL at any point loses nothing: every decision is re-derived from the chain and the
 * atomically written state file, and a start acknowledgement once signed is only ever re-sent
 * as the same bytes.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { utils } from "@coral-xyz/anchor";
import { PublicKey, Transaction } from "@solana/web3.js";

import {
  MARKET_PROGRAM_ID,
  acknowledgeStartIx,
  bookingAction,
  bookingDeviceFilter,
  bookingPda,
  decodeReservation,
  envMatchesHash,
  fetchBookingView,
  fetchDeviceBookings,
  isEmptyEnvHash,
  marketErrors,
  reservationVaultPda,
  workloadEnvProblem,
} from "@iogrid/sdk";
import type { BookingAction, BookingView, WorkloadKindName } from "@iogrid/sdk";
import {
  MetricsRegistry,
  OutageTracker,
  TransactionFailedError,
  createLogger,
  answerRequest,
  errorText,
  healthReport,
  healthRoutes,
  httpError,
  isTransportError,
  retrying,
  sendAndConfirm,
  startHttpServer,
} from "@iogrid/sdk/node";
import type {
  HealthCheck,
  HttpReply,
  HttpRequest,
  HttpRoute,
  Logger,
  RunningHttpServer,
} from "@iogrid/sdk/node";

import { createBackends } from "./backends/index.js";
import type { Backend, WorkloadRun } from "./backends/types.js";
import { parseListen } from "./config.js";
import type { BackendName } from "./config.js";
import type { AgentContext } from "./context.js";
import { detectHardware } from "./detect.js";
import type { DetectedHardware } from "./detect.js";
import { AGENT_LOW_BALANCE_LAMPORTS, fetchDevice } from "./device.js";
import { CliError, EXIT } from "./output.js";
import { ProbeService, torchCudaAvailable } from "./probe.js";
import { RelayClient } from "./relay/agent.js";
import { StateStore } from "./state.js";
import type { WorkloadRecord } from "./state.js";
import { Telemetry } from "./telemetry.js";

/** A failed send's reason: the program log's error line, or the simulation's error. */
export function sendErrorText(error: unknown): string {
  const e = error as { logs?: string[]; transactionError?: { message?: string; logs?: string[] } };
  const logs = e.logs ?? e.transactionError?.logs ?? [];
  const line = logs.find((l) => /Error Message|insufficient|failed/i.test(l));
  const message = e.transactionError?.message ?? errorText(error);
  return line ? `${message.split("\n")[0]} (${line.trim()})` : (message.split("\n")[0] ?? message);
}

/** The backend a workload kind runs on. */
export function backendFor(kind: WorkloadKindName): BackendName {
  return kind === "container" ? "docker" : kind;
}

/** Most restarts of a workload found dead while its booking runs. */
export const MAX_RESTARTS = 3;

export class Daemon {
  readonly log: Logger;
  readonly metrics = new MetricsRegistry();
  readonly state: StateStore;
  private readonly outage: OutageTracker;
  private backends = new Map<BackendName, Backend>();
  private backendChecks = new Map<BackendName, { ok: boolean; detail: string }>();
  private server: RunningHttpServer | undefined;
  private relay: RelayClient | undefined;
  private telemetry: Telemetry | undefined;
  private hardware: DetectedHardware | undefined;
  private readonly starting = new Map<string, Promise<void>>();
  private readonly waitingLogged = new Set<string>();
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Unsubscribes each websocket subscription. */
  private subscriptions: (() => Promise<void>)[] = [];
  private stopped = false;
  private lastSync = 0;
  private lastSyncError: string | null = null;
  private deviceOk: HealthCheck = { name: "device", ok: false, detail: "not checked yet" };
  private readonly acks;
  private readonly starts;

  constructor(readonly ctx: AgentContext) {
    this.log = createLogger("agent");
    this.state = new StateStore(ctx.config.workDir);
    this.outage = new OutageTracker(`RPC ${ctx.config.rpc.url}`, this.log);
    this.metrics.processMetrics("iogrid_agent");
    this.acks = this.metrics.counter(
      "iogrid_agent_acks_sent_total",
      "Start acknowledgements signed and sent",
    );
    this.starts = this.metrics.counter(
      "iogrid_agent_workload_starts_total",
      "Workloads started, by kind",
    );
  }

  private get envDir(): string {
    return join(this.ctx.config.workDir, "env");
  }

  private bookingDir(booking: string): string {
    return join(this.ctx.config.workDir, "bookings", booking);
  }

  /** Runs every step of the lifecycle up to watching; resolves once the agent serves. */
  async start(): Promise<void> {
    const { config } = this.ctx;
    mkdirSync(config.workDir, { recursive: true, mode: 0o711 });
    chmodSync(config.workDir, 0o711);
    mkdirSync(this.envDir, { recursive: true, mode: 0o700 });
    this.log.info("starting", {
      agent: this.ctx.agent.publicKey.toBase58(),
      device: this.ctx.device.toBase58(),
      deviceId: config.device.id,
    });

    // Check the chain: the device exists and names this agent key.
    const device = await retrying(() => fetchDevice(this.ctx), {
      outage: this.outage,
      maxMs: 15_000,
    });
    if (!device) {
      throw new CliError(
        `device ${config.device.id} (${this.ctx.device.toBase58()}) is not registered (or was deregistered): run iogrid-agent register`,
        EXIT.notRegistered,
      );
    }
    if (!device.agent.equals(this.ctx.agent.publicKey)) {
      throw new CliError(
        `device ${config.device.id} names agent key ${device.agent.toBase58()}, not this agent's ${this.ctx.agent.publicKey.toBase58()}; run iogrid-agent change-agent --owner-keypair <owner> to make this key the device's agent, or start with the key it names`,
      );
    }
    this.deviceOk = { name: "device", ok: true };
    await this.checkBalance();

    this.hardware = await detectHardware(config.workDir);
    for (const w of this.hardware.warnings) this.log.warn(w);
    this.backends = createBackends(config, this.log, this.ctx);
    for (const [name, backend] of this.backends) {
      const check = await backend.check();
      this.backendChecks.set(name, check);
      (check.ok ? this.log.info : this.log.warn)(`backend ${name}: ${check.detail}`);
    }
    for (const name of config.backends) {
      if (!this.backends.has(name))
        this.log.warn(
          `backend ${name}: not in this version of the agent; bookings of ${name} workloads cannot start`,
        );
    }

    // Reconcile before serving.
    await this.sync("start");
    await Promise.all(this.starting.values());

    // Serve probes, health, metrics, telemetry and environment delivery.
    const gpuPython =
      this.hardware.gpus.length > 0 && (await torchCudaAvailable()) ? "python3" : null;
    const probes = new ProbeService({
      connection: this.ctx.connection,
      agent: this.ctx.agent,
      device: this.ctx.device,
      perKeeperPerMinute: config.probe.perKeeperPerMinute,
      hashChainIterations: config.probe.hashChainIterations,
      gpuPython,
      metrics: this.metrics,
    });
    this.telemetry = new Telemetry(
      this.metrics,
      () => this.workloadSummary(),
      this.hardware.gpus.length > 0,
    );
    const listen = parseListen(config.probe.listen)!;
    // The same routes answer on the probe listener and through the relay.
    const routes: HttpRoute[] = [
      { method: "POST", path: "/v1/probe", handle: (r) => probes.handle(r) },
      ...healthRoutes(this.metrics, () => this.health()),
      {
        method: "GET",
        path: "/v1/telemetry",
        handle: async () => ({ status: 200, json: await this.telemetry!.latest() }),
      },
      { method: "POST", path: "/v1/env", handle: (r) => this.receiveEnv(r.json) },
      ...this.extraRoutes(),
    ];
    const onError = (error: unknown, request: HttpRequest): void =>
      this.log.warn(`${request.method} ${request.path} failed: ${errorText(error)}`);
    this.server = await startHttpServer({ host: listen.host, port: listen.port, routes, onError });
    this.log.info(`serving probes on ${this.server.url}`);
    this.telemetry.start(config.telemetry.intervalMs);

    if (config.relay.url) {
      this.relay = new RelayClient({
        url: config.relay.url,
        domain: config.relay.domain,
        agent: this.ctx.agent,
        device: this.ctx.device,
        log: this.log.child("relay"),
        allowStream: (reservation, port) => this.allowStream(reservation, port),
        http: (request) => answerRequest(routes, request, onError),
      });
      this.relay.start();
    }

    // Watch: websocket subscriptions for fast reaction, polling as the fallback.
    try {
      const connection = this.ctx.connection;
      const bookings = connection.onProgramAccountChange(
        MARKET_PROGRAM_ID,
        () => this.requestSync(),
        { commitment: "confirmed", filters: [bookingDeviceFilter(this.ctx.device)] },
      );
      const device = connection.onAccountChange(this.ctx.device, () => this.requestSync(), {
        commitment: "confirmed",
      });
      this.subscriptions.push(
        () => connection.removeProgramAccountChangeListener(bookings),
        () => connection.removeAccountChangeListener(device),
      );
    } catch (e) {
      this.log.warn(`websocket subscriptions failed (${errorText(e)}); polling only`);
    }
    this.pollTimer = setInterval(() => this.requestSync(), config.rpc.pollIntervalMs);
    this.log.info("ready", { url: this.server.url });
  }

  private balanceCheck: HealthCheck = { name: "agent-balance", ok: true };

  /** The agent key pays its acknowledgements' fees: warn (and turn health red) when it is low. */
  private async checkBalance(): Promise<void> {
    const lamports = await retrying(
      () => this.ctx.connection.getBalance(this.ctx.agent.publicKey, "confirmed"),
      {
        outage: this.outage,
        attempts: 5,
      },
    );
    if (lamports < AGENT_LOW_BALANCE_LAMPORTS) {
      const detail = `agent key ${this.ctx.agent.publicKey.toBase58()} holds ${lamports / 1e9} SOL; start acknowledgements pay fees from it: send it at least ${AGENT_LOW_BALANCE_LAMPORTS / 1e9} SOL`;
      if (this.balanceCheck.ok) this.log.warn(detail);
      this.balanceCheck = { name: "agent-balance", ok: false, detail };
    } else {
      this.balanceCheck = { name: "agent-balance", ok: true };
    }
  }

  /** Routes other parts add (Ray head address). */
  private extraRoutes(): HttpRoute[] {
    const ray = this.backends.get("ray") as (Backend & { routes?(): HttpRoute[] }) | undefined;
    return ray?.routes?.() ?? [];
  }

  /** The relay asks whether a renter's stream to `port` of `reservation` may open. */
  private allowStream(reservation: string, port: number): string | undefined {
    const running = this.state.workloads.find(
      (w) => w.reservation === reservation && w.phase === "running",
    );
    if (!running) return `no workload of reservation ${reservation} runs on this device`;
    if (!running.ports.includes(port))
      return `port ${port} is not one of the workload's ports (${running.ports.join(", ")})`;
    return undefined;
  }

  private workloadSummary(): {
    booking: string;
    reservation: string;
    kind: string;
    state: string;
  }[] {
    return this.state.workloads.map((w) => ({
      booking: w.booking,
      reservation: w.reservation,
      kind: w.kind,
      state: w.phase,
    }));
  }

  /** The one health model: `/health`, and what `status` would say. */
  private health() {
    const checks: HealthCheck[] = [
      this.outage.down
        ? {
            name: "rpc",
            ok: false,
            detail: `${this.ctx.config.rpc.url} unreachable; retrying (check the URL and the node)`,
          }
        : { name: "rpc", ok: true },
      this.deviceOk,
      this.balanceCheck,
      Date.now() - this.lastSync < Math.max(60_000, 4 * this.ctx.config.rpc.pollIntervalMs)
        ? { name: "bookings", ok: true }
        : {
            name: "bookings",
            ok: false,
            detail: `bookings not read since ${new Date(this.lastSync).toISOString()}: ${this.lastSyncError ?? "no sync yet"}`,
          },
    ];
    if (this.relay) {
      checks.push(
        this.relay.connected
          ? { name: "relay", ok: true }
          : {
              name: "relay",
              ok: false,
              detail: `not attached to ${this.ctx.config.relay.url}; reconnecting (${this.relay.lastError ?? "connecting"})`,
            },
      );
    }
    for (const [name, check] of this.backendChecks) {
      checks.push(
        check.ok
          ? { name: `backend:${name}`, ok: true }
          : { name: `backend:${name}`, ok: false, detail: check.detail },
      );
    }
    return healthReport(checks, {
      device: this.ctx.device.toBase58(),
      agent: this.ctx.agent.publicKey.toBase58(),
      workloads: this.workloadSummary(),
    });
  }

  /** Asks for a sync; coalesces requests that arrive while one runs. */
  requestSync(): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    void this.sync("watch");
  }

  /** One reconciliation pass over every booking of the device and every local workload. */
  sync(why: string): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          await this.reconcile(why);
        } while (this.syncAgain && !this.stopped);
        this.outage.succeeded();
        this.lastSync = Date.now();
        this.lastSyncError = null;
      } catch (error) {
        const text = errorText(error);
        if (isTransportError(error)) this.outage.failed(error);
        else if (text !== this.lastSyncError) this.log.warn(`reconciliation failed: ${text}`);
        this.lastSyncError = text;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async reconcile(why: string): Promise<void> {
    const bookings = await fetchDeviceBookings(this.ctx.connection, this.ctx.device);
    const onChain = new Set(bookings.map((b) => b.address.toBase58()));
    for (const { booking } of bookings) {
      const view = await fetchBookingView(this.ctx.connection, {
        device: this.ctx.device,
        reservation: booking.reservation,
        vault: reservationVaultPda(booking.reservation).address,
      });
      await this.apply(
        view,
        bookingPda(booking.reservation, this.ctx.device).address.toBase58(),
        why,
      );
    }
    // Workloads whose booking is no longer on chain were settled: stop them.
    for (const record of this.state.workloads) {
      if (onChain.has(record.booking)) continue;
      if (record.phase === "running" || record.phase === "starting") {
        await this.stopWorkload(record, "settled");
      }
      if (!this.starting.has(record.booking)) this.state.remove(record.booking);
    }
    for (const record of this.state.workloads) {
      if (record.phase === "running") {
        (
          this.backends.get(record.kind) as { enforceLogLimit?(dir: string): void } | undefined
        )?.enforceLogLimit?.(record.dir);
      }
    }
  }

  private async apply(view: BookingView, booking: string, why: string): Promise<void> {
    const action: BookingAction = bookingAction(view);
    const record = this.state.get(booking);
    if (action.action === "stop") {
      if (record && (record.phase === "running" || record.phase === "starting")) {
        await this.stopWorkload(record, action.reason);
      }
      return;
    }
    if (this.starting.has(booking)) return;
    const reservation = view.reservation!;
    const kind = backendFor(Object.keys(reservation.workload.kind)[0] as WorkloadKindName);
    if (record && (record.phase === "completed" || record.phase === "stopped")) return;
    if (record && record.phase === "failed" && record.restarts >= MAX_RESTARTS) return;

    // Is the workload running? On the first pass after a start, take back what kept running.
    if (record?.ref && (record.phase === "running" || record.phase === "starting")) {
      const backend = this.backends.get(record.kind);
      const run = this.runOf(record, view);
      const running = backend
        ? why === "start"
          ? await backend.adopt(record.ref, run)
          : (await backend.status(record.ref)).state === "running"
        : false;
      if (running) {
        if (why === "start")
          this.log.info(`booking ${booking}: adopted the running ${record.kind} workload`);
        if (record.phase === "starting") this.state.update(booking, { phase: "running" });
        if (action.action === "start") await this.acknowledge(booking, view);
        return;
      }
      const status = backend ? await backend.status(record.ref) : { state: "gone" as const };
      if (status.state === "exited" && status.code === 0) {
        this.state.update(booking, {
          phase: "completed",
          detail: "the workload finished (exit 0)",
        });
        this.log.info(`booking ${booking}: workload finished`);
        return;
      }
      if (record.restarts >= MAX_RESTARTS) {
        this.state.update(booking, {
          phase: "failed",
          detail: `stopped running ${MAX_RESTARTS + 1} times`,
        });
        this.log.warn(
          `booking ${booking}: workload stopped running ${MAX_RESTARTS + 1} times; not restarting`,
        );
        return;
      }
      this.log.warn(
        `booking ${booking}: workload is not running (${status.state}); starting it again`,
      );
    }
    this.starting.set(
      booking,
      this.launch(booking, view, kind, record)
        .catch((e) => this.log.warn(`booking ${booking}: ${errorText(e)}`))
        .finally(() => this.starting.delete(booking)),
    );
  }

  private runOf(
    record: Pick<WorkloadRecord, "booking" | "reservation" | "kind" | "image" | "ports" | "dir">,
    _view: BookingView,
  ): WorkloadRun {
    return {
      booking: new PublicKey(record.booking),
      reservation: new PublicKey(record.reservation),
      kind: record.kind,
      image: record.image,
      ports: record.ports,
      env: this.envFor(record.reservation) ?? {},
      dir: record.dir,
      gpuCount: this.hardware?.gpus.length ?? 0,
    };
  }

  private envFor(reservation: string): Record<string, string> | undefined {
    try {
      return JSON.parse(readFileSync(join(this.envDir, `${reservation}.json`), "utf8")) as Record<
        string,
        string
      >;
    } catch {
      return undefined;
    }
  }

  /** Starts (or restarts) a booking's workload, then acknowledges the start if still owed. */
  private async launch(
    booking: string,
    view: BookingView,
    kind: BackendName,
    previous: WorkloadRecord | undefined,
  ): Promise<void> {
    const reservation = view.reservation!;
    const reservationKey = view.booking!.reservation.toBase58();
    const backend = this.backends.get(kind);
    if (!backend || !this.ctx.config.backends.includes(kind)) {
      this.logOnce(
        booking,
        `booking ${booking}: the reservation's ${kind} workload cannot start here: ${
          this.ctx.config.backends.includes(kind)
            ? `this version of the agent has no ${kind} backend`
            : `the config allows ${this.ctx.config.backends.join(", ")}`
        } (it runs ${[...this.backends.keys()].join(", ") || "nothing"})`,
      );
      return;
    }
    const check = this.backendChecks.get(kind);
    if (check && !check.ok) {
      this.logOnce(booking, `booking ${booking}: backend ${kind} is unavailable: ${check.detail}`);
      return;
    }
    let env: Record<string, string> = {};
    if (!isEmptyEnvHash(reservation.workload.envHash)) {
      const delivered = this.envFor(reservationKey);
      if (!delivered || !envMatchesHash(delivered, reservation.workload.envHash)) {
        this.logOnce(
          booking,
          `booking ${booking}: waiting for the renter's environment (POST /v1/env with sha256 matching env_hash)`,
        );
        return;
      }
      env = delivered;
    }
    const record: WorkloadRecord = {
      booking,
      reservation: reservationKey,
      kind,
      image: reservation.workload.image,
      ports: [...reservation.workload.ports],
      dir: this.bookingDir(booking),
      phase: "starting",
      ref: null,
      ack: previous?.ack ?? { status: "none" },
      restarts: previous ? previous.restarts + 1 : 0,
      detail: null,
      updatedAt: Date.now(),
    };
    this.state.put(record);
    const run: WorkloadRun = { ...this.runOf(record, view), env };
    this.log.info(`booking ${booking}: starting ${kind} workload`, {
      reservation: reservationKey,
      image: record.image,
      ports: record.ports.join(","),
    });
    let ref;
    try {
      ref = await backend.start(run);
    } catch (error) {
      this.state.update(booking, { phase: "failed", detail: errorText(error) });
      throw error;
    }
    this.starts.inc({ kind });
    this.state.update(booking, { phase: "running", ref });
    this.log.info(`booking ${booking}: workload running`, {
      pid: ref.pid,
      container: ref.containerId,
    });
    // The chain may have moved while it started.
    const fresh = await fetchBookingView(this.ctx.connection, {
      device: this.ctx.device,
      reservation: view.booking!.reservation,
      vault: reservationVaultPda(view.booking!.reservation).address,
    });
    const action = bookingAction(fresh);
    if (action.action === "stop") {
      await this.stopWorkload(this.state.get(booking)!, action.reason);
      return;
    }
    if (action.action === "start") await this.acknowledge(booking, fresh);
    else
      this.state.update(booking, {
        ack: { status: "confirmed", signature: null, confirmedAt: Date.now() },
      });
  }

  private logOnce(key: string, message: string): void {
    const k = `${key}:${message}`;
    if (this.waitingLogged.has(k)) return;
    this.waitingLogged.add(k);
    this.log.warn(message);
  }

  /**
   * Acknowledges the booking's start with the agent key, at most once: the chain already says it
   * started -> done; a sent acknowledgement still valid -> its same bytes again; one whose
   * blockhash expired without landing -> a new one (the old can never land).
   */
  private async acknowledge(booking: string, view: BookingView): Promise<void> {
    let record = this.state.get(booking);
    if (!record) return;
    if (view.booking && BigInt(view.booking.startedAt.toString()) !== 0n) {
      if (record.ack.status !== "confirmed") {
        this.state.update(booking, {
          ack: {
            status: "confirmed",
            signature: record.ack.status === "sent" ? record.ack.signature : null,
            confirmedAt: Date.now(),
          },
        });
      }
      return;
    }
    const connection = this.ctx.connection;
    if (record.ack.status === "sent") {
      const sent = record.ack;
      const tx = Transaction.from(Buffer.from(sent.transaction, "base64"));
      try {
        await sendAndConfirm(connection, tx, [], {
          lastValidBlockHeight: sent.lastValidBlockHeight,
        });
        this.state.update(booking, {
          ack: { status: "confirmed", signature: sent.signature, confirmedAt: Date.now() },
        });
        this.log.info(`booking ${booking}: start acknowledged (re-sent the same transaction)`, {
          signature: sent.signature,
        });
        return;
      } catch (error) {
        if (!this.ackExpired(error)) return this.ackFailed(booking, error);
        record = this.state.update(booking, { ack: { status: "none" } });
      }
    }
    const ix = await acknowledgeStartIx(this.ctx.market, {
      reservation: view.booking!.reservation,
      agent: this.ctx.agent.publicKey,
      device: this.ctx.device,
    });
    const latest = await connection.getLatestBlockhash("confirmed");
    const tx = new Transaction({
      feePayer: this.ctx.agent.publicKey,
      blockhash: latest.blockhash,
      lastValidBlockHeight: latest.lastValidBlockHeight,
    }).add(ix);
    tx.sign(this.ctx.agent);
    const sig58 = utils.bytes.bs58.encode(tx.signature!);
    // Written before it is sent: a restart re-sends these bytes instead of signing again.
    this.state.update(booking, {
      ack: {
        status: "sent",
        signature: sig58,
        transaction: tx.serialize().toString("base64"),
        lastValidBlockHeight: latest.lastValidBlockHeight,
        sentAt: Date.now(),
      },
    });
    this.acks.inc();
    this.log.info(`booking ${booking}: acknowledging start`, { signature: sig58 });
    try {
      await sendAndConfirm(connection, tx, [], {
        lastValidBlockHeight: latest.lastValidBlockHeight,
      });
      this.state.update(booking, {
        ack: { status: "confirmed", signature: sig58, confirmedAt: Date.now() },
      });
      this.log.info(`booking ${booking}: start acknowledged`, { signature: sig58 });
    } catch (error) {
      if (this.ackExpired(error)) {
        this.log.warn(
          `booking ${booking}: acknowledgement expired unconfirmed; the next pass signs a new one`,
        );
        this.state.update(booking, { ack: { status: "none" } });
        return;
      }
      this.ackFailed(booking, error);
    }
  }

  private ackExpired(error: unknown): boolean {
    return (error as Error)?.name === "TransactionExpiredBlockheightExceededError";
  }

  private ackFailed(booking: string, error: unknown): void {
    const name = marketErrors.errorName(error);
    if (name === "AlreadyStarted") {
      this.state.update(booking, {
        ack: { status: "confirmed", signature: null, confirmedAt: Date.now() },
      });
      return;
    }
    if (error instanceof TransactionFailedError || name) {
      // Landed with an error, or refused in preflight: nothing is pending any more.
      this.state.update(booking, { ack: { status: "none" } });
    }
    if (isTransportError(error)) throw error;
    void this.checkBalance().catch(() => undefined);
    this.logOnce(
      booking,
      `booking ${booking}: acknowledgement refused: ${name ?? sendErrorText(error)}`,
    );
  }

  private async stopWorkload(record: WorkloadRecord, reason: string): Promise<void> {
    const backend = this.backends.get(record.kind);
    if (backend && record.ref) {
      await backend.stop(record.ref, {
        booking: new PublicKey(record.booking),
        dir: record.dir,
        ports: record.ports,
      });
    }
    this.state.update(record.booking, { phase: "stopped", detail: reason });
    this.log.info(`booking ${record.booking}: workload stopped (${reason})`);
  }

  /** Accepts the renter's environment for a reservation when its hash is the one on chain. */
  private async receiveEnv(json: unknown): Promise<HttpReply> {
    const body = json as { reservation?: unknown; env?: unknown } | undefined;
    if (!body || typeof body.reservation !== "string") {
      return httpError(400, "MalformedRequest", "expected {reservation, env}");
    }
    const problem = workloadEnvProblem(body.env);
    if (problem) return httpError(400, "MalformedRequest", problem);
    let reservation: PublicKey;
    try {
      reservation = new PublicKey(body.reservation);
    } catch {
      return httpError(400, "MalformedRequest", "reservation must be a base58 public key");
    }
    const info = await this.ctx.connection.getAccountInfo(reservation, "confirmed");
    if (!info || !info.owner.equals(MARKET_PROGRAM_ID)) {
      return httpError(404, "UnknownReservation", `no reservation ${reservation.toBase58()}`);
    }
    const decoded = decodeReservation(info.data);
    const env = body.env as Record<string, string>;
    if (!envMatchesHash(env, decoded.workload.envHash)) {
      return httpError(
        409,
        "EnvHashMismatch",
        "the environment's sha256 is not the reservation's env_hash",
      );
    }
    const file = join(this.envDir, `${reservation.toBase58()}.json`);
    writeFileSync(file, JSON.stringify(env), { mode: 0o600 });
    this.log.info(`environment received for reservation ${reservation.toBase58()}`);
    this.requestSync();
    return { status: 200, json: { accepted: true } };
  }

  /** Stops serving and watching; running workloads keep running for the next start. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const unsubscribe of this.subscriptions) await unsubscribe().catch(() => undefined);
    this.subscriptions = [];
    this.relay?.stop();
    this.telemetry?.stop();
    await this.syncing?.catch(() => undefined);
    await Promise.all(this.starting.values());
    await this.server?.close();
    for (const backend of this.backends.values()) await backend.detach();
    this.log.info("stopped (running workloads keep running; the next start adopts them)");
  }
}

/** `iogrid-agent start`. */
export async function runDaemon(ctx: AgentContext): Promise<void> {
  const daemon = new Daemon(ctx);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    daemon.log.info(`${signal}: stopping`);
    void daemon.shutdown().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await daemon.start();
  // Keep running until a signal arrives.
  await new Promise<never>(() => undefined);
  await sleep(0);
}
