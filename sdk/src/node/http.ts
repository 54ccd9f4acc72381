/**
 * A small HTTP server for daemons: exact-path routes answering JSON (or text), bounded request
 * bodies, malformed JSON answered 400, and the `/health` + `/metrics` pair every iogrid daemon
 * serves (health is one JSON report whose failing checks each name themselves).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { PROMETHEUS_CONTENT_TYPE } from "./metrics.js";
import type { MetricsRegistry } from "./metrics.js";

/** What a route answers. */
export interface HttpReply {
  status: number;
  /** Sent as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A request as routes see it: the body already read (and parsed when JSON). */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The peer's address (for rate limits and logs). */
  remoteAddress: string;
  /** The raw body (empty for GET). */
  body: Buffer;
  /** `body` parsed as JSON; `undefined` when empty. A malformed body never reaches a route. */
  json: unknown;
}

export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Exact path, or a prefix ending in `/` when `prefix` is set. */
  path: string;
  prefix?: boolean;
  handle(request: HttpRequest): Promise<HttpReply> | HttpReply;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: HttpRoute[];
  /** Largest request body; default 64 KiB. */
  maxBodyBytes?: number;
  /** Called with errors thrown by routes (answered 500). */
  onError?: (error: unknown, request: HttpRequest) => void;
}

export interface RunningHttpServer {
  server: Server;
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A reply with a JSON error body `{ error, reason }`. */
export function httpError(status: number, error: string, reason: string): HttpReply {
  return { status, json: { error, reason } };
}

function send(res: ServerResponse, reply: HttpReply): void {
  const body =
    reply.text !== undefined ? reply.text : JSON.stringify(reply.json ?? null, jsonReplacer);
  res.writeHead(reply.status, {
    "content-type":
      reply.contentType ??
      (reply.text !== undefined ? "text/plain; charset=utf-8" : "application/json"),
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...reply.headers,
  });
  res.end(body);
}

/** JSON of bigints as decimal strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** The request's body, or undefined once it passes `limit` bytes (the rest is drained). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      // Far past the limit: stop reading rather than drain an endless upload.
      else if (size > 16 * limit) req.destroy();
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
  });
}

/**
 * Answers one request from `routes` as the server does: unknown paths 404 `NotFound`, other
 * methods 405 `MethodNotAllowed`, a body that is not JSON 400 `MalformedBody`, a route that
 * throws 500 `InternalError` (reported to `onError`). Also for requests that arrive another way
 * than this server (the relay carries probes to agents behind NAT).
 */
export async function answerRequest(
  routes: HttpRoute[],
  request: Omit<HttpRequest, "json">,
  onError?: (error: unknown, request: HttpRequest) => void,
): Promise<HttpReply> {
  const matches = (r: HttpRoute): boolean =>
    r.prefix ? request.path.startsWith(r.path) : request.path === r.path;
  const route = routes.find((r) => r.method === request.method && matches(r));
  if (!route) {
    return routes.some(matches)
      ? httpError(405, "MethodNotAllowed", `${request.method} is not served on ${request.path}`)
      : httpError(404, "NotFound", `nothing is served on ${request.path}`);
  }
  let json: unknown;
  if (request.body.length > 0) {
    try {
      json = JSON.parse(request.body.toString("utf8"));
    } catch {
      return httpError(400, "MalformedBody", "the request body is not valid JSON");
    }
  }
  const full: HttpRequest = { ...request, json };
  try {
    return await route.handle(full);
  } catch (error) {
    onError?.(error, full);
    return httpError(500, "InternalError", "the server failed");
  }
}

/** Starts an HTTP server on `host:port` serving `routes`; unknown paths get 404. */
export function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const body = await readBody(req, limit).catch(() => undefined);
      if (!body) {
        res.setHeader("connection", "close");
        send(res, httpError(413, "BodyTooLarge", `request bodies are limited to ${limit} bytes`));
        return;
      }
      const reply = await answerRequest(
        options.routes,
        {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress ?? "unknown",
          body,
        },
        options.onError,
      );
      if (!res.headersSent) send(res, reply);
    })();
  });
  // A request that arrives on an idle keep-alive connection while the event loop is busy (a
  // probe's CPU benchmark) must not find that connection closed by an expired 5 s idle timer
  // when the loop comes back: the client would see a reset. Idle connections stay a minute.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        server,
        url: `http://${host}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** One named check of a health report. */
export interface HealthCheck {
  name: string;
  ok: boolean;
  /** What is wrong and how to fix it, when not ok. */
  detail?: string;
}

/** What `/health` answers: healthy only when every check is ok. */
export interface HealthReport {
  healthy: boolean;
  checks: HealthCheck[];
  [key: string]: unknown;
}

/** A report from checks (healthy when all pass), with extra fields merged in. */
export function healthReport(
  checks: HealthCheck[],
  extra: Record<string, unknown> = {},
): HealthReport {
  return { ...extra, healthy: checks.every((c) => c.ok), checks };
}

/** `GET /health` (200 healthy, 503 otherwise, the report as JSON) and `GET /metrics`. */
export function healthRoutes(
  metrics: MetricsRegistry,
  health: () => Promise<HealthReport> | HealthReport,
): HttpRoute[] {
  return [
    {
      method: "GET",
      path: "/health",
      async handle() {
        const report = await health();
        return { status: report.healthy ? 200 : 503, json: report };
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handle: () => ({ status: 200, text: metrics.render(), contentType: PROMETHEUS_CONTENT_TYPE }),
    },
  ];
}
