/** Small TCP helpers for the agent's tests. */
import { connect } from "node:net";

/**
 * Connects to `host:port`, writes `payload`, half-closes, and resolves with everything read until
 * the far side closes.
 */
export function tcpRoundTrip(
  port: number,
  payload: string,
  host = "127.0.0.1",
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => {
      if (payload) socket.write(payload);
      socket.end();
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
