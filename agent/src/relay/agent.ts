/**
 * The agent's side of the tunnel: dials out to the relay (`<relay>/v1/agent`), answers its
 * challenge by signing the attach message with the agent key, then serves the streams the relay
 * opens by connecting them to `127.0.0.1:<port>`, but only for a port of a workload this agent
 * runs for that reservation. Reconnects with backoff (1 s to 30 s) when the relay goes away,
 * logging an outage once.
 */
import { connect } from "node:net";

import type { Keypair, PublicKey } from "@solana/web3.js";
import WebSocket from "ws";

import { agentAttachText, signText } from "@iogrid/sdk";
import { OutageTracker, errorText } from "@iogrid/sdk/node";
import type { HttpReply, HttpRequest, Logger } from "@iogrid/sdk/node";

import {
  CLOSE,
  bindSocket,
  parseControl,
  parseData,
  reconnectDelay,
  sendControl,
} from "./protocol.js";

export interface RelayClientOptions {
  /** The relay's base URL, ws:// or wss://. */
  url: string;
  /** The relay's name, which its challenges must carry (by default the URL's host:port). */
  domain?: string;
  agent: Keypair;
  device: PublicKey;
  log: Logger;
  /** Why a stream to `port` of `reservation` may not open, or undefined to allow it. */
  allowStream(reservation: string, port: number): string | undefined;
  /** Answers an HTTP request the relay carried (probes, environments, telemetry). */
  http(request: Omit<HttpRequest, "json">): Promise<HttpReply>;
}

export class RelayClient {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private welcomed = false;
  private readonly outage: OutageTracker;
  /** Why the last connection failed. */
  lastError: string | undefined;
  /** Times this client was welcomed by a relay (a reconnect counts again). */
  attachments = 0;

  constructor(private readonly o: RelayClientOptions) {
    this.outage = new OutageTracker(`relay ${o.url}`, o.log);
  }

  get connected(): boolean {
    return this.welcomed && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000, "agent stopping");
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = reconnectDelay(this.attempt++);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private connect(): void {
    if (this.stopped) return;
    const url = `${this.o.url.replace(/\/$/, "")}/v1/agent`;
    const ws = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 2 * 1024 * 1024 });
    this.ws = ws;
    this.welcomed = false;
    const streams = new Map<number, ReturnType<typeof bindSocket>>();
    let lastPing = Date.now();
    const watchdog = setInterval(() => {
      // The relay pings every 20 s; a silent relay behind a dead NAT mapping is dropped.
      if (Date.now() - lastPing > 60_000) ws.terminate();
    }, 5_000);
    ws.on("ping", () => (lastPing = Date.now()));
    ws.on("message", (data, isBinary) => {
      lastPing = Date.now();
      if (isBinary) {
        const frame = parseData(data);
        if (frame) streams.get(frame.id)?.data(frame.payload);
        return;
      }
      const msg = parseControl(data);
      if (!msg) return;
      switch (msg.t) {
        case "challenge": {
          const expected = this.o.domain ?? new URL(this.o.url).host;
          if (msg.domain !== expected) {
            // Signing another relay's challenge would let this one impersonate the agent there.
            this.lastError = `the relay's challenge names ${msg.domain}, expected ${expected}`;
            this.o.log.warn(`${this.lastError}; set relay.domain if the relay has another name`);
            ws.close(1000, "wrong relay domain");
            break;
          }
          const issuedAt = Date.now();
          const text = agentAttachText({
            domain: msg.domain,
            device: this.o.device,
            agent: this.o.agent.publicKey,
            nonce: msg.nonce,
            issuedAt,
          });
          sendControl(ws, {
            t: "hello",
            device: this.o.device.toBase58(),
            agent: this.o.agent.publicKey.toBase58(),
            issuedAt,
            signature: signText(this.o.agent, text),
          });
          break;
        }
        case "welcome":
          this.welcomed = true;
          this.attempt = 0;
          this.attachments += 1;
          this.lastError = undefined;
          this.outage.succeeded();
          this.o.log.info(`attached to relay ${this.o.url}`);
          break;
        case "refused":
          this.lastError = `${msg.error}: ${msg.reason}`;
          this.o.log.warn(`relay refused this agent: ${msg.reason}`);
          break;
        case "open": {
          const { id } = msg;
          const why = this.o.allowStream(msg.reservation ?? "", msg.port ?? 0);
          if (why) {
            sendControl(ws, { t: "close", id, reason: why });
            break;
          }
          const socket = connect({ port: msg.port!, host: "127.0.0.1", allowHalfOpen: true });
          const bound = bindSocket(ws, id, socket, () => streams.delete(id));
          streams.set(id, bound);
          socket.once("connect", () => sendControl(ws, { t: "opened", id }));
          break;
        }
        case "http-request": {
          const { rid } = msg;
          void this.o
            .http({
              method: msg.method,
              path: msg.path,
              query: new URLSearchParams(msg.query),
              headers: {},
              remoteAddress: msg.remoteAddress,
              body: Buffer.from(msg.body, "base64"),
            })
            .catch((): HttpReply => ({ status: 500, json: { error: "InternalError" } }))
            .then((reply) =>
              sendControl(ws, {
                t: "http-response",
                rid,
                status: reply.status,
                json: reply.json ?? (reply.text !== undefined ? { text: reply.text } : null),
              }),
            );
          break;
        }
        default:
          if ("id" in msg) streams.get(msg.id)?.control(msg);
      }
    });
    ws.on("error", (e) => {
      this.lastError = errorText(e);
    });
    ws.on("close", (code, reason) => {
      clearInterval(watchdog);
      for (const s of streams.values()) s.close("relay connection closed");
      streams.clear();
      const why = reason.toString() || this.lastError || `closed (${code})`;
      this.lastError = why;
      if (this.stopped) return;
      if (code === CLOSE.replaced) {
        this.o.log.warn("another connection of this device replaced this one at the relay");
      }
      this.outage.failed(new Error(why));
      this.welcomed = false;
      this.schedule();
    });
  }
}
