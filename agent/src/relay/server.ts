/**
 * The tunnel relay (`iogrid-agent relay`): one process, reachable by agents and renters, holding
 * no key at all. Agents dial out to `/v1/agent` and attach by signing the relay's nonce with
 * the agent key of a registered device. A renter opens `/v1/connect` and sends a
 * Sign-In-With-Solana tunnel request (reservation, device, port, expiry, a nonce from
 * `GET /v1/nonce`) signed by its wallet; the relay admits it only if the chain says the signer is
 * the reservation's renter, the device's booking is started and not ended (not cancelled, still
 * locked to the reservation) and the port is one of the workload's; then the renter's TCP
 * streams are carried to `127.0.0.1:<port>` on the device over the agent's connection. Every
 * session is re-checked against the chain every few seconds and closed when its booking ends.
 * Replayed (nonce already used or unknown), expired, forged, wrong-port and stranger requests are
 * refused with a reason.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { PublicKey } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";
import { WebSocketServer } from "ws";
import type WebSocket from "ws";

import {
  agentAttachText,
  bookingAction,
  chainIdOf,
  decodeDeviceAccount,
  fetchBookingView,
  reservationVaultPda,
  tunnelRequestTimeProblem,
  verifyText,
  verifyTunnelRequest,
  MAX_CLOCK_SKEW_MS,
} from "@iogrid/sdk";
import type { TunnelRequest } from "@iogrid/sdk";
import {
  MetricsRegistry,
  OutageTracker,
  PROMETHEUS_CONTENT_TYPE,
  errorText,
  readBody,
  retrying,
} from "@iogrid/sdk/node";
import type { Logger } from "@iogrid/sdk/node";

import { CLOSE, parseControl, parseData, sendControl, sendData } from "./protocol.js";
import type { Control } from "./protocol.js";

export interface RelayOptions {
  host: string;
  port: number;
  connection: Connection;
  log: Logger;
  /**
   * The name renters sign for (`domain` of the request) and agents sign into their attach
   * message; by default `host:port` as bound.
   */
  domain?: string;
  /** The URL renters sign as the request's URI; by default `ws://<domain>`. */
  publicUrl?: string;
  /** How often admitted sessions are re-checked against the chain. */
  recheckMs?: number;
  /** Lifetime of an issued nonce. */
  nonceTtlMs?: number;
}

interface AgentConn {
  ws: WebSocket;
  device: string;
  /** Streams on this connection: relay-chosen id -> the renter side. */
  streams: Map<number, { session: Session; renterId: number }>;
  nextId: number;
  /** Answers awaited from the agent, by request id. */
  pending: Map<number, (reply: { status: number; json: unknown }) => void>;
}

interface Session {
  ws: WebSocket;
  request: TunnelRequest;
  /** renter-chosen id -> relay id on the agent's connection. */
  streams: Map<number, number>;
}

/** The agent routes the relay carries to a device (`/v1/devices/<device><path>`). */
const AGENT_ROUTES: { method: string; path: RegExp }[] = [
  { method: "POST", path: /^\/v1\/probe$/ },
  { method: "POST", path: /^\/v1\/env$/ },
  { method: "GET", path: /^\/v1\/telemetry$/ },
  { method: "GET", path: /^\/v1\/ray\/[1-9A-HJ-NP-Za-km-z]{32,44}$/ },
  { method: "GET", path: /^\/health$/ },
];
const MAX_AGENT_BODY = 64 * 1024;

/** Why a renter may not use a tunnel request, or undefined when the chain admits it. */
export async function admitFromChain(
  connection: Connection,
  request: TunnelRequest,
): Promise<string | undefined> {
  const view = await fetchBookingView(connection, {
    device: request.device,
    reservation: request.reservation,
    vault: reservationVaultPda(request.reservation).address,
  });
  if (!view.reservation) return "no such reservation";
  if (!view.reservation.renter.equals(request.renter))
    return "the signer is not the reservation's renter";
  if (!view.booking) return "the device has no booking in this reservation";
  const action = bookingAction(view);
  if (action.action === "stop") return `the booking is not running (${action.reason})`;
  if (action.action === "start")
    return "the booking has not started yet (no start acknowledgement)";
  if (!view.reservation.workload.ports.includes(request.port)) {
    return `port ${request.port} is not one of the workload's ports (${view.reservation.workload.ports.join(", ") || "none"})`;
  }
  return undefined;
}

export class RelayServer {
  private readonly agents = new Map<string, AgentConn>();
  private readonly sessions = new Set<Session>();
  private readonly nonces = new Map<string, number>();
  private readonly http = createServer((req, res) => void this.route(req, res));
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  private timers: NodeJS.Timeout[] = [];
  private chainId: string | undefined;
  readonly metrics = new MetricsRegistry();
  private readonly m;
  domain = "";
  url = "";

  constructor(private readonly o: RelayOptions) {
    this.metrics.processMetrics("iogrid_relay");
    this.m = {
      agents: this.metrics.gauge("iogrid_relay_agents", "Attached agents"),
      sessions: this.metrics.gauge("iogrid_relay_sessions", "Admitted renter sessions"),
      refused: this.metrics.counter(
        "iogrid_relay_refused_total",
        "Refused attaches and requests, by reason",
      ),
      bytes: this.metrics.counter("iogrid_relay_bytes_total", "Bytes relayed, by direction"),
    };
    this.metrics.onCollect(() => {
      this.m.agents.set(this.agents.size);
      this.m.sessions.set(this.sessions.size);
    });
    this.http.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path !== "/v1/agent" && path !== "/v1/connect") {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const live = ws as WebSocket & { alive?: boolean };
        live.alive = true;
        ws.on("pong", () => (live.alive = true));
        if (path === "/v1/agent") this.onAgent(ws, req);
        else this.onRenter(ws);
      });
    });
  }

  async start(): Promise<void> {
    // The chain may still be starting (or down): wait for it rather than exit.
    const outage = new OutageTracker(`RPC ${this.o.connection.rpcEndpoint}`, this.o.log);
    this.chainId = chainIdOf(
      await retrying(() => this.o.connection.getGenesisHash(), { outage, maxMs: 10_000 }),
    );
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.o.port, this.o.host, () => resolve());
    });
    const address = this.http.address() as AddressInfo;
    this.domain = this.o.domain ?? `${this.o.host}:${address.port}`;
    this.url = this.o.publicUrl ?? `ws://${this.domain}`;
    this.timers.push(
      setInterval(() => void this.recheck(), this.o.recheckMs ?? 5_000),
      setInterval(() => this.heartbeat(), 20_000),
      setInterval(() => {
        const now = Date.now();
        for (const [n, exp] of this.nonces) if (exp < now) this.nonces.delete(n);
      }, 30_000),
    );
    for (const t of this.timers) t.unref();
    this.o.log.info(`relay listening on ${this.o.host}:${address.port}`, {
      domain: this.domain,
      url: this.url,
      chain: this.chainId,
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private issueNonce(): { nonce: string; expiresAt: number } {
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = Date.now() + (this.o.nonceTtlMs ?? 10 * 60_000);
    this.nonces.set(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  /** Takes `nonce` (each is good for one use). */
  private consumeNonce(nonce: string): boolean {
    const exp = this.nonces.get(nonce);
    this.nonces.delete(nonce);
    return exp !== undefined && exp >= Date.now();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json",
        "cache-control": "no-store",
        // The web app reads devices' telemetry from its own origin; nothing here uses cookies.
        "access-control-allow-origin": "*",
      });
      res.end(text);
    };
    try {
      if (req.method === "GET" && url.pathname === "/v1/nonce") {
        return json(200, {
          ...this.issueNonce(),
          domain: this.domain,
          uri: this.url,
          chainId: this.chainId,
        });
      }
      if (req.method === "GET" && url.pathname === "/health") {
        return json(200, {
          healthy: true,
          agents: this.agents.size,
          sessions: this.sessions.size,
          checks: [],
        });
      }
      if (req.method === "GET" && url.pathname === "/metrics") {
        res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE });
        res.end(this.metrics.render());
        return;
      }
      // A device's own HTTP routes, carried over its agent's connection: keepers probe and
      // renters hand environments to devices that only the relay reaches. `/telemetry` is the
      // short name of `/v1/telemetry`.
      const device = /^\/v1\/devices\/([1-9A-HJ-NP-Za-km-z]{32,44})(\/.*)$/.exec(url.pathname);
      if (device) {
        const path = device[2] === "/telemetry" ? "/v1/telemetry" : device[2]!;
        if (!AGENT_ROUTES.some((r) => r.method === req.method && r.path.test(path)))
          return json(404, {
            error: "NotFound",
            reason: `the relay carries no ${req.method} ${path}`,
          });
        const agent = this.agents.get(device[1]!);
        if (!agent)
          return json(404, {
            error: "AgentNotAttached",
            reason: "the device's agent is not attached to this relay",
          });
        const body = await readBody(req, MAX_AGENT_BODY);
        if (!body)
          return json(413, {
            error: "BodyTooLarge",
            reason: `request bodies are limited to ${MAX_AGENT_BODY} bytes`,
          });
        const reply = await this.askAgent(agent, {
          method: req.method!,
          path,
          query: url.search.slice(1),
          body: body.toString("base64"),
          remoteAddress: req.socket.remoteAddress ?? "unknown",
        });
        return json(reply.status, reply.json);
      }
      json(404, { error: "NotFound", reason: `nothing is served on ${url.pathname}` });
    } catch (e) {
      json(500, { error: "InternalError", reason: errorText(e) });
    }
  }

  /** Sends an HTTP request to the agent; its answer, or 504 `AgentTimeout` after 10 s. */
  private askAgent(
    agent: AgentConn,
    request: Omit<Extract<Control, { t: "http-request" }>, "t" | "rid">,
  ): Promise<{ status: number; json: unknown }> {
    const rid = agent.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        agent.pending.delete(rid);
        resolve({
          status: 504,
          json: { error: "AgentTimeout", reason: "the agent did not answer within 10 s" },
        });
      }, 10_000);
      agent.pending.set(rid, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      sendControl(agent.ws, { t: "http-request", rid, ...request });
    });
  }

  private refuse(ws: WebSocket, error: string, reason: string, code: number = CLOSE.refused): void {
    this.m.refused.inc({ error });
    this.o.log.info(`refused: ${error}: ${reason}`);
    sendControl(ws, { t: "refused", error, reason });
    ws.close(code, reason.slice(0, 120));
  }

  private onAgent(ws: WebSocket, req: IncomingMessage): void {
    const { nonce } = this.issueNonce();
    sendControl(ws, { t: "challenge", nonce, domain: this.domain });
    const timer = setTimeout(
      () => this.refuse(ws, "Timeout", "no hello within 10 s", CLOSE.timeout),
      10_000,
    );
    let conn: AgentConn | undefined;
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        const frame = parseData(data);
        const s = frame && conn?.streams.get(frame.id);
        if (frame && s) {
          this.m.bytes.inc({ direction: "to_renter" }, frame.payload.length);
          sendData(s.session.ws, s.renterId, frame.payload);
        }
        return;
      }
      const msg = parseControl(data);
      if (!msg) return;
      if (!conn) {
        if (msg.t !== "hello") return this.refuse(ws, "MalformedHello", "expected a hello");
        clearTimeout(timer);
        void this.attach(ws, msg, nonce, req).then((c) => (conn = c));
        return;
      }
      this.fromAgent(conn, msg);
    });
    ws.on("close", () => {
      clearTimeout(timer);
      if (!conn) return;
      for (const { session, renterId } of conn.streams.values()) {
        sendControl(session.ws, { t: "close", id: renterId, reason: "the agent disconnected" });
        session.streams.delete(renterId);
      }
      if (this.agents.get(conn.device) === conn) this.agents.delete(conn.device);
    });
  }

  private async attach(
    ws: WebSocket,
    hello: Extract<Control, { t: "hello" }>,
    nonce: string,
    req: IncomingMessage,
  ): Promise<AgentConn | undefined> {
    let device: PublicKey;
    let agent: PublicKey;
    try {
      device = new PublicKey(hello.device);
      agent = new PublicKey(hello.agent);
    } catch {
      this.refuse(ws, "MalformedHello", "device and agent must be public keys");
      return undefined;
    }
    if (!this.consumeNonce(nonce)) {
      this.refuse(ws, "NonceExpired", "the challenge expired");
      return undefined;
    }
    if (Math.abs(Date.now() - hello.issuedAt) > MAX_CLOCK_SKEW_MS) {
      this.refuse(ws, "ClockSkew", "the hello's time is more than 60 s off the relay's");
      return undefined;
    }
    const text = agentAttachText({
      domain: this.domain,
      device,
      agent,
      nonce,
      issuedAt: hello.issuedAt,
    });
    if (!verifyText(agent, text, hello.signature)) {
      this.refuse(ws, "BadSignature", "the hello is not signed by the agent key it names");
      return undefined;
    }
    const info = await this.o.connection.getAccountInfo(device, "confirmed").catch(() => null);
    if (!info) {
      this.refuse(ws, "UnknownDevice", `device ${device.toBase58()} is not registered`);
      return undefined;
    }
    let onChainAgent: PublicKey;
    try {
      onChainAgent = decodeDeviceAccount(info).agent;
    } catch {
      this.refuse(ws, "UnknownDevice", `${device.toBase58()} is not a registry device`);
      return undefined;
    }
    if (!onChainAgent.equals(agent)) {
      this.refuse(ws, "WrongAgentKey", `the device's agent key is ${onChainAgent.toBase58()}`);
      return undefined;
    }
    const key = device.toBase58();
    const previous = this.agents.get(key);
    const conn: AgentConn = { ws, device: key, streams: new Map(), nextId: 1, pending: new Map() };
    this.agents.set(key, conn);
    if (previous)
      previous.ws.close(CLOSE.replaced, "replaced by a newer connection of this device");
    sendControl(ws, { t: "welcome", device: key });
    this.o.log.info(`agent attached for device ${key}`, { from: req.socket.remoteAddress });
    return conn;
  }

  private fromAgent(conn: AgentConn, msg: Control): void {
    if (msg.t === "http-response") {
      conn.pending.get(msg.rid)?.({ status: msg.status, json: msg.json });
      conn.pending.delete(msg.rid);
      return;
    }
    if (!("id" in msg)) return;
    const s = conn.streams.get(msg.id);
    if (!s) return;
    if (msg.t === "close") {
      conn.streams.delete(msg.id);
      s.session.streams.delete(s.renterId);
    }
    sendControl(s.session.ws, { ...msg, id: s.renterId } as Control);
  }

  private onRenter(ws: WebSocket): void {
    let session: Session | undefined;
    const timer = setTimeout(
      () => this.refuse(ws, "Timeout", "no request within 10 s", CLOSE.timeout),
      10_000,
    );
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        const frame = parseData(data);
        if (!frame || !session) return;
        const agentId = session.streams.get(frame.id);
        const agent = this.agents.get(session.request.device.toBase58());
        if (agentId !== undefined && agent) {
          this.m.bytes.inc({ direction: "to_device" }, frame.payload.length);
          sendData(agent.ws, agentId, frame.payload);
        }
        return;
      }
      const msg = parseControl(data);
      if (!msg) return;
      if (!session) {
        if (msg.t !== "request")
          return this.refuse(ws, "MalformedRequest", "expected a signed request");
        clearTimeout(timer);
        void this.admit(ws, msg).then((s) => (session = s));
        return;
      }
      this.fromRenter(session, msg);
    });
    ws.on("close", () => {
      clearTimeout(timer);
      if (!session) return;
      this.sessions.delete(session);
      const agent = this.agents.get(session.request.device.toBase58());
      for (const agentId of session.streams.values()) {
        if (agent) {
          sendControl(agent.ws, { t: "close", id: agentId, reason: "the renter disconnected" });
          agent.streams.delete(agentId);
        }
      }
    });
  }

  private async admit(
    ws: WebSocket,
    msg: Extract<Control, { t: "request" }>,
  ): Promise<Session | undefined> {
    let request: TunnelRequest;
    try {
      request = verifyTunnelRequest({ message: msg.message, signature: msg.signature });
    } catch (e) {
      this.refuse(ws, "BadRequest", (e as Error).message);
      return undefined;
    }
    if (request.domain !== this.domain) {
      this.refuse(
        ws,
        "WrongDomain",
        `the request is for ${request.domain}, this relay is ${this.domain}`,
      );
      return undefined;
    }
    if (request.uri !== this.url) {
      this.refuse(
        ws,
        "WrongUri",
        `the request's URI is ${request.uri}, this relay's is ${this.url}`,
      );
      return undefined;
    }
    if (request.chainId !== this.chainId) {
      this.refuse(
        ws,
        "WrongChain",
        `the request is for chain ${request.chainId}, this relay serves ${this.chainId}`,
      );
      return undefined;
    }
    const timeProblem = tunnelRequestTimeProblem(request, Date.now());
    if (timeProblem) {
      this.refuse(ws, "Expired", timeProblem);
      return undefined;
    }
    if (!this.consumeNonce(request.nonce)) {
      this.refuse(ws, "Replayed", "the nonce was not issued by this relay or was already used");
      return undefined;
    }
    let why: string | undefined;
    try {
      why = await admitFromChain(this.o.connection, request);
    } catch (e) {
      this.refuse(ws, "ChainUnavailable", `cannot read the chain: ${errorText(e)}`);
      return undefined;
    }
    if (why) {
      this.refuse(ws, "NotAdmitted", why);
      return undefined;
    }
    if (!this.agents.has(request.device.toBase58())) {
      this.refuse(ws, "AgentNotAttached", "the device's agent is not connected to this relay");
      return undefined;
    }
    const session: Session = { ws, request, streams: new Map() };
    this.sessions.add(session);
    sendControl(ws, {
      t: "admitted",
      reservation: request.reservation.toBase58(),
      device: request.device.toBase58(),
      port: request.port,
    });
    this.o.log.info(`admitted renter ${request.renter.toBase58()}`, {
      reservation: request.reservation.toBase58(),
      device: request.device.toBase58(),
      port: request.port,
    });
    return session;
  }

  private fromRenter(session: Session, msg: Control): void {
    if (!("id" in msg)) return;
    const agent = this.agents.get(session.request.device.toBase58());
    if (msg.t === "open") {
      if (!agent) {
        sendControl(session.ws, {
          t: "close",
          id: msg.id,
          reason: "the device's agent is not connected",
        });
        return;
      }
      const agentId = agent.nextId++;
      session.streams.set(msg.id, agentId);
      agent.streams.set(agentId, { session, renterId: msg.id });
      sendControl(agent.ws, {
        t: "open",
        id: agentId,
        reservation: session.request.reservation.toBase58(),
        port: session.request.port,
      });
      return;
    }
    const agentId = session.streams.get(msg.id);
    if (agentId === undefined || !agent) return;
    if (msg.t === "close") {
      session.streams.delete(msg.id);
      agent.streams.delete(agentId);
    }
    sendControl(agent.ws, { ...msg, id: agentId } as Control);
  }

  /** Closes sessions whose booking is no longer running (ended, cancelled, settled). */
  private async recheck(): Promise<void> {
    for (const session of [...this.sessions]) {
      let why: string | undefined;
      try {
        why = await admitFromChain(this.o.connection, session.request);
      } catch {
        continue; // an RPC blip does not cut tunnels
      }
      if (why) {
        this.sessions.delete(session);
        sendControl(session.ws, { t: "refused", error: "BookingEnded", reason: why });
        session.ws.close(CLOSE.ended, why.slice(0, 120));
      }
    }
  }

  private heartbeat(): void {
    for (const ws of this.wss.clients) {
      const w = ws as WebSocket & { alive?: boolean };
      if (w.alive === false) {
        ws.terminate();
        continue;
      }
      w.alive = false;
      ws.ping();
    }
  }
}
