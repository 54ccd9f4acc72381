/**
 * RPC access for long-running Node processes (the agent, the keeper, the relay): a web3.js
 * `Connection` whose every HTTP request has a timeout and whose 429s are not silently slept on,
 * and `retrying`, which repeats an idempotent call with exponential backoff and reports an outage
 * once when it starts and once when it ends, never once per attempt.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { Connection } from "@solana/web3.js";
import type { Commitment } from "@solana/web3.js";

/** How a process reaches the chain. */
export interface RpcOptions {
  /** JSON-RPC over HTTP(S). */
  url: string;
  /** PubSub websocket; by default web3.js derives it from `url` (port + 1). */
  wsUrl?: string;
  /** Commitment of reads and confirmations; default "confirmed". */
  commitment?: Commitment;
  /** Longest a single HTTP request may take; default 10 s. */
  timeoutMs?: number;
  /**
   * Most HTTP requests per second this connection makes (a request beyond waits its turn);
   * default unlimited. Keeps a process under its RPC provider's rate limit.
   */
  requestsPerSecond?: number;
  /**
   * Times a request that failed in transport (refused, reset, timed out) is sent again, with
   * backoff; default 3. Every Solana JSON-RPC call is safe to repeat: reads, and sends of the same
   * signed bytes.
   */
  transportRetries?: number;
}

/**
 * Paces calls to at most `perSecond` a second, with bursts of up to `burst`: `take()` resolves
 * when the call may go. Waiting rather than refusing, for a client's own outgoing requests.
 */
export class RequestPacer {
  private tokens: number;
  private at: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    readonly burst: number = Math.max(1, Math.ceil(perSecond)),
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new RangeError("requests per second must be positive");
    this.tokens = burst;
    this.at = now();
  }

  /** Waits for a token (callers are served in order). */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.perSecond) / 1000);
        this.at = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
      }
    });
    this.queue = turn;
    return turn;
  }
}

/**
 * A `Connection` whose HTTP requests abort after `timeoutMs` (web3.js has no request timeout: a
 * hung RPC would hang the caller) and that leaves rate-limit retries to the caller
 * (`disableRetryOnRateLimit`; web3.js would otherwise sleep up to 7.5 s per 429 by itself),
 * optionally paced to `requestsPerSecond`.
 */
export function rpcConnection(options: RpcOptions): Connection {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pacer =
    options.requestsPerSecond !== undefined ? new RequestPacer(options.requestsPerSecond) : null;
  const retries = options.transportRetries ?? 3;
  const timedFetch = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      if (pacer) await pacer.take();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      try {
        return await fetch(input, { ...init, signal });
      } catch (error) {
        // The caller gave up, or the retries are spent: the failure is the caller's to handle.
        if (init?.signal?.aborted || attempt >= retries) throw error;
        await sleep(backoffDelay(attempt, 200, 2_000));
      }
    }
  };
  return new Connection(options.url, {
    commitment: options.commitment ?? "confirmed",
    wsEndpoint: options.wsUrl,
    disableRetryOnRateLimit: true,
    fetch: timedFetch as typeof fetch,
  });
}

/** Exponential backoff: `baseMs * 2^attempt`, capped at `maxMs`, with up to 20% random jitter. */
export function backoffDelay(
  attempt: number,
  baseMs = 500,
  maxMs = 30_000,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp * (0.8 + 0.2 * random()));
}

/** Where `retrying` and `OutageTracker` report; the agent and keeper pass their loggers. */
export interface OutageLog {
  warn(message: string): void;
  info(message: string): void;
}

/**
 * Tracks whether a dependency (an RPC endpoint, the relay) is currently failing, so that an outage
 * is logged once when it starts and once when it ends, whatever the number of failed attempts in
 * between.
 */
export class OutageTracker {
  private since: number | undefined;
  private failures = 0;

  constructor(
    readonly what: string,
    private readonly log: OutageLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the dependency is failing now. */
  get down(): boolean {
    return this.since !== undefined;
  }

  /** Failed attempts in the current outage. */
  get failedAttempts(): number {
    return this.failures;
  }

  /** Records a failed attempt; logs only the first of an outage. */
  failed(error: unknown): void {
    this.failures += 1;
    if (this.since !== undefined) return;
    this.since = this.now();
    this.log.warn(`${this.what} unavailable (${errorText(error)}); retrying with backoff`);
  }

  /** Records a success; logs the end of an outage, if one was in progress. */
  succeeded(): void {
    if (this.since === undefined) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    this.log.info(`${this.what} available again after ${seconds} s and ${this.failures} attempts`);
    this.since = undefined;
    this.failures = 0;
  }
}

/** A short, single-line description of an error. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const base = error.message.split("\n")[0] ?? error.name;
    return cause instanceof Error ? `${base}: ${cause.message.split("\n")[0]}` : base;
  }
  return String(error);
}

export interface RetryOptions {
  /** Outage bookkeeping shared by every call to the same dependency. */
  outage?: OutageTracker;
  /** Give up after this many attempts (default: never). */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** Errors for which retrying cannot help are rethrown at once (default: none). */
  fatal?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

/**
 * Calls `fn` until it resolves, waiting `backoffDelay` between attempts. Only for calls that are
 * safe to repeat (reads, or sends of the same signed bytes). Rethrows the last error after
 * `attempts`, a `fatal` error at once, and stops when `signal` aborts.
 */
export async function retrying<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      const value = await fn();
      options.outage?.succeeded();
      return value;
    } catch (error) {
      if (options.fatal?.(error)) throw error;
      if (options.signal?.aborted) throw error;
      options.outage?.failed(error);
      if (options.attempts !== undefined && attempt + 1 >= options.attempts) throw error;
      await sleep(
        backoffDelay(attempt, options.baseMs, options.maxMs),
        undefined,
        options.signal ? { signal: options.signal } : undefined,
      );
    }
  }
}

/**
 * Whether `error` is a transport failure (refused, reset, timed out, DNS, HTTP 429/5xx) rather
 * than an answer from the chain: the kind of error worth retrying.
 */
export function isTransportError(error: unknown): boolean {
  const text = errorText(error);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|fetch failed|aborted|timeout|TimeoutError|429|50[0-9] |Too Many Requests|Service Unavailable|Bad Gateway/i.test(
    text,
  );
}

/**
 * Closes a web3.js `Connection`'s websocket for good. web3.js closes an idle socket 500 ms after
 * its last subscription is removed and otherwise reconnects forever, which keeps a process (or a
 * test run whose chain stopped) alive.
 */
export function closeWebsocket(connection: Connection): void {
  const socket = (
    connection as unknown as {
      _rpcWebSocket?: { setAutoReconnect(reconnect: boolean): void; close(): void };
    }
  )._rpcWebSocket;
  if (!socket) return;
  socket.setAutoReconnect(false);
  try {
    socket.close();
  } catch {
    // not connected
  }
}
