/**
 * The tunnel's wire format, shared by the relay, the agent and the renter's `connect`: one
 * WebSocket carries many TCP streams. Text frames are JSON control messages; binary frames are
 * data, `[stream id u32 BE][bytes]`. Each side opens streams with ids of its own choosing; the
 * relay translates ids between a renter's session and the agent's connection.
 *
 * Per stream: `open` / `opened` / `end` (no more data from the sender: TCP half-close) /
 * `close` (both directions, with a reason) / `pause` and `resume` (the receiver's TCP socket is
 * full, or drained: end-to-end backpressure). The WebSocket's own buffer is bounded as well: a
 * TCP source is paused while more than `HIGH_WATER` bytes it sent are not yet flushed.
 *
 * `http-request` / `http-response` carry a keeper's probe, a renter's environment or a telemetry
 * read to the agent's HTTP routes when only the relay reaches the device.
 */
import type { Socket } from "node:net";

import type WebSocket from "ws";

/** Control messages, by type. */
export type Control =
  | { t: "challenge"; nonce: string; domain: string }
  | { t: "hello"; device: string; agent: string; issuedAt: number; signature: string }
  | { t: "welcome"; device: string }
  | { t: "request"; message: string; signature: string }
  | { t: "admitted"; reservation: string; device: string; port: number }
  | { t: "refused"; error: string; reason: string }
  | { t: "open"; id: number; reservation?: string; port?: number }
  | { t: "opened"; id: number }
  | { t: "end"; id: number }
  | { t: "close"; id: number; reason?: string }
  | { t: "pause"; id: number }
  | { t: "resume"; id: number }
  /** An HTTP request to the agent's server carried by the relay (a device behind NAT). */
  | {
      t: "http-request";
      rid: number;
      method: string;
      path: string;
      query: string;
      /** Base64. */
      body: string;
      remoteAddress: string;
    }
  | { t: "http-response"; rid: number; status: number; json: unknown };

/** Bytes sent but not flushed above which a TCP source is paused. */
export const HIGH_WATER = 1 << 20;
export const LOW_WATER = 256 * 1024;
/** Largest data frame payload. */
export const MAX_CHUNK = 64 * 1024;
/** WebSocket close codes with a meaning here. */
export const CLOSE = {
  refused: 4403,
  replaced: 4409,
  ended: 4410,
  timeout: 4408,
} as const;

/** Parses a control frame; undefined when it is not one. */
export function parseControl(data: WebSocket.RawData): Control | undefined {
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as ArrayBuffer).toString("utf8");
    const msg = JSON.parse(text) as Control;
    return typeof msg === "object" && msg !== null && typeof msg.t === "string" ? msg : undefined;
  } catch {
    return undefined;
  }
}

/** A data frame's stream id and payload. */
export function parseData(data: WebSocket.RawData): { id: number; payload: Buffer } | undefined {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (buf.length < 4) return undefined;
  return { id: buf.readUInt32BE(0), payload: buf.subarray(4) };
}

/** Sends a control message (ignored when the socket is not open). */
export function sendControl(ws: WebSocket, msg: Control): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** Sends `payload` on stream `id`; `flushed` is called once it left this process. */
export function sendData(ws: WebSocket, id: number, payload: Buffer, flushed?: () => void): void {
  if (ws.readyState !== ws.OPEN) return;
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(id, 0);
  payload.copy(frame, 4);
  ws.send(frame, { binary: true }, () => flushed?.());
}

/**
 * Carries TCP socket `socket` as stream `id` over `ws`: its bytes out as data frames (paused
 * while the WebSocket holds too much of it unflushed or the far end says `pause`), its half-close
 * as `end`, its close as `close`. Returns the handlers for what arrives for the stream.
 */
export function bindSocket(
  ws: WebSocket,
  id: number,
  socket: Socket,
  onClosed: () => void,
): { data(payload: Buffer): void; control(msg: Control): void; close(reason?: string): void } {
  let inFlight = 0;
  let remotePaused = false;
  let wsPaused = false;
  let closed = false;
  const update = (): void => {
    if (remotePaused || wsPaused) socket.pause();
    else socket.resume();
  };
  socket.on("data", (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; at += MAX_CHUNK) {
      const part = chunk.subarray(at, at + MAX_CHUNK);
      inFlight += part.length;
      sendData(ws, id, part, () => {
        inFlight -= part.length;
        if (wsPaused && inFlight < LOW_WATER) {
          wsPaused = false;
          update();
        }
      });
    }
    if (inFlight > HIGH_WATER && !wsPaused) {
      wsPaused = true;
      update();
    }
  });
  socket.on("end", () => sendControl(ws, { t: "end", id }));
  socket.on("drain", () => sendControl(ws, { t: "resume", id }));
  const finish = (reason?: string): void => {
    if (closed) return;
    closed = true;
    sendControl(ws, { t: "close", id, ...(reason ? { reason } : {}) });
    onClosed();
  };
  socket.on("close", () => finish());
  socket.on("error", (e) => finish(e.message));
  return {
    data(payload) {
      if (!socket.write(payload)) sendControl(ws, { t: "pause", id });
    },
    control(msg) {
      if (msg.t === "end") socket.end();
      else if (msg.t === "close") {
        closed = true;
        socket.destroy();
        onClosed();
      } else if (msg.t === "pause") {
        remotePaused = true;
        update();
      } else if (msg.t === "resume") {
        remotePaused = false;
        update();
      }
    },
    close(reason) {
      if (!closed) finish(reason);
      socket.destroy();
    },
  };
}

/** Backoff for reconnecting: 1 s doubling to 30 s, with jitter. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
