/**
 * The renter's side of the tunnel (`iogrid-agent connect`): signs a Sign-In-With-Solana tunnel
 * request for one reservation, device and port with the renter's keypair (a fresh nonce from the
 * relay each time), opens a session at the relay, and listens on a local port; each local TCP
 * connection becomes a stream to `127.0.0.1:<port>` on the device. A dropped relay connection is
 * re-established with a new signed request; a refused or ended session ends the command.
 */
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";

import type { Keypair, PublicKey } from "@solana/web3.js";
import WebSocket from "ws";

import { signTunnelRequest } from "@iogrid/sdk";
import type { SignedTunnelRequest } from "@iogrid/sdk";
import type { Logger } from "@iogrid/sdk/node";

import {
  CLOSE,
  bindSocket,
  parseControl,
  parseData,
  reconnectDelay,
  sendControl,
} from "./protocol.js";

export interface ConnectOptions {
  relayUrl: string;
  /** The relay's name the request is signed for; by default the relay URL's host:port. */
  relayDomain?: string;
  reservation: PublicKey;
  device: PublicKey;
  port: number;
  renter: Keypair;
  localHost: string;
  localPort: number;
  /** Lifetime of each signed request; default 5 minutes. */
  lifetimeMs?: number;
  log: Logger;
}

/** The relay's HTTP base for a ws:// or wss:// URL. */
export function httpBase(relayUrl: string): string {
  return relayUrl.replace(/^ws/, "http").replace(/\/$/, "");
}

/**
 * A tunnel request signed by `renter` over a nonce fetched from the relay. The renter signs only
 * for the relay it dialled (`relayDomain`, by default the URL's host:port): a relay handing out
 * another relay's nonce, to pass the renter's signature on and open the renter's tunnel there, is
 * refused (`RelayDomainMismatch`).
 */
export async function signedRequest(
  o: Pick<
    ConnectOptions,
    "relayUrl" | "relayDomain" | "reservation" | "device" | "port" | "renter" | "lifetimeMs"
  >,
): Promise<SignedTunnelRequest> {
  const res = await fetch(`${httpBase(o.relayUrl)}/v1/nonce`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the relay answered ${res.status} for a nonce`);
  const { nonce, domain, uri, chainId } = (await res.json()) as {
    nonce: string;
    domain: string;
    uri: string;
    chainId: string;
  };
  const expected = o.relayDomain ?? new URL(o.relayUrl).host;
  if (domain !== expected) {
    throw new TunnelRefused(
      "RelayDomainMismatch",
      `the relay at ${o.relayUrl} asks to be signed for as ${JSON.stringify(domain)}, not ${JSON.stringify(expected)}; if that is its name, pass it as the relay domain`,
    );
  }
  const issuedAt = Date.now();
  return signTunnelRequest(o.renter, {
    domain,
    renter: o.renter.publicKey,
    reservation: o.reservation,
    device: o.device,
    port: o.port,
    uri,
    chainId,
    nonce,
    issuedAt,
    expiresAt: issuedAt + (o.lifetimeMs ?? 5 * 60_000),
  });
}

/** Refusals a reconnecting tunnel waits out (the agent reattaching, an RPC blip at the relay). */
export const TRANSIENT_REFUSALS = new Set(["AgentNotAttached", "ChainUnavailable"]);

/** Why the relay ended a session for good. */
export class TunnelRefused extends Error {
  constructor(
    readonly error: string,
    reason: string,
  ) {
    super(`${error}: ${reason}`);
    this.name = "TunnelRefused";
  }
}

/** A running `connect`: the local listener and the session behind it. */
export class Tunnel {
  private server: Server | undefined;
  private ws: WebSocket | undefined;
  private nextId = 1;
  private attempt = 0;
  private stopped = false;
  private readonly streams = new Map<number, ReturnType<typeof bindSocket>>();
  private admitted = false;
  private finished!: (error?: Error) => void;
  /** Settles when the tunnel ends: resolves on `stop()`, rejects with the relay's refusal. */
  readonly done: Promise<void>;

  constructor(private readonly o: ConnectOptions) {
    this.done = new Promise((resolve, reject) => {
      this.finished = (error) => (error ? reject(error) : resolve());
    });
    this.done.catch(() => undefined);
  }

  /** The local address renters' programs connect to. */
  get address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  /** Opens the first session (rejecting with the refusal if the relay refuses), then listens. */
  async start(): Promise<void> {
    await this.session();
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      const ws = this.ws;
      if (!ws || !this.admitted) {
        socket.destroy();
        return;
      }
      const id = this.nextId++;
      this.streams.set(
        id,
        bindSocket(ws, id, socket, () => this.streams.delete(id)),
      );
      sendControl(ws, { t: "open", id });
      socket.resume();
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.o.localPort, this.o.localHost, () => resolve());
    });
  }

  private async session(): Promise<void> {
    const request = await signedRequest(this.o);
    const ws = new WebSocket(`${this.o.relayUrl.replace(/\/$/, "")}/v1/connect`, {
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    this.admitted = false;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      ws.on("open", () =>
        sendControl(ws, { t: "request", message: request.message, signature: request.signature }),
      );
      ws.on("message", (data, isBinary) => {
        if (isBinary) {
          const frame = parseData(data);
          if (frame) this.streams.get(frame.id)?.data(frame.payload);
          return;
        }
        const msg = parseControl(data);
        if (!msg) return;
        if (msg.t === "admitted") {
          this.admitted = true;
          this.attempt = 0;
          settled = true;
          this.o.log.info(
            `admitted by the relay: reservation ${msg.reservation}, device ${msg.device}, port ${msg.port}`,
          );
          resolve();
        } else if (msg.t === "refused") {
          const refusal = new TunnelRefused(msg.error, msg.reason);
          if (!settled) {
            settled = true;
            reject(refusal);
          } else {
            this.end(refusal);
          }
        } else if ("id" in msg) {
          if (msg.t === "opened") return;
          this.streams.get(msg.id)?.control(msg);
        }
      });
      ws.on("error", (e) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      });
      ws.on("close", (code) => {
        for (const s of this.streams.values()) s.close("the relay connection closed");
        this.streams.clear();
        this.admitted = false;
        if (!settled) {
          settled = true;
          reject(new Error(`the relay closed the connection (${code})`));
          return;
        }
        if (this.stopped || code === CLOSE.refused || code === CLOSE.ended) return;
        this.o.log.warn("the relay connection dropped; reconnecting");
        void this.reconnect();
      });
    });
  }

  private async reconnect(): Promise<void> {
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, reconnectDelay(this.attempt++)));
      try {
        await this.session();
        return;
      } catch (e) {
        // After a relay restart the agent may not have reattached yet: keep trying.
        if (e instanceof TunnelRefused && !TRANSIENT_REFUSALS.has(e.error)) return this.end(e);
        this.o.log.warn(`reconnecting to the relay failed: ${(e as Error).message}`);
      }
    }
  }

  private end(error?: Error): void {
    this.stopped = true;
    this.ws?.close();
    this.server?.close();
    this.finished(error);
  }

  stop(): void {
    this.end();
  }
}
