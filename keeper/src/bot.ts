/**
 * The one interface every bot implements, and the runner that drives them: each bot's loop on
 * its own interval (started with random jitter, so keepers do not collide every tick), a
 * watchdog per bot (when its last tick ended, whether one is running and for how long), a failed
 * tick or init logged and retried with backoff, never stopping the other bots; `--once` runs
 * every bot's tick once, concurrently.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { backoffDelay, errorText } from "@iogrid/sdk/node";
import type { Logger } from "@iogrid/sdk/node";

import type { KeeperMetrics } from "./metrics.js";

/** What a tick did, for logs and `--once` (counts by what happened). */
export type TickSummary = Record<string, number | string | boolean>;

/** A bot's own view of its health, beyond the runner's watchdog. */
export interface BotHealth {
  ok: boolean;
  detail?: string;
}

export interface Bot {
  /** Unique among the bots of one runner (its watchdog and metrics are keyed by it). */
  readonly name: string;
  /** Time between the end of one tick and the start of the next. */
  readonly intervalMs: number;
  /** Prepares the bot (subscriptions, caches); retried with backoff until it succeeds. */
  init(): Promise<void>;
  /** One round of work: read the chain, decide, send. Throws only when the round failed. */
  tick(): Promise<TickSummary>;
  /** The bot's own health, beyond the runner's watchdog. */
  health(): BotHealth;
  /** Releases subscriptions and timers. */
  close?(): Promise<void>;
}

/** The watchdog of one bot. */
export interface BotState {
  name: string;
  intervalMs: number;
  initialized: boolean;
  /** Unix ms: start of the running tick, or undefined when none runs. */
  tickStartedAt?: number;
  /** Unix ms: end of the last tick (success or failure); the runner's start before any. */
  lastTickAt: number;
  /** Unix ms of the last successful tick. */
  lastSuccessAt?: number;
  lastSummary?: TickSummary;
  lastError?: string;
  consecutiveFailures: number;
  ticks: number;
}

/** Runs bots until stopped (or once). */
export class BotRunner {
  readonly states = new Map<string, BotState>();
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    readonly bots: readonly Bot[],
    private readonly log: Logger,
    private readonly metrics: KeeperMetrics,
    private readonly now: () => number = Date.now,
  ) {
    for (const bot of bots) {
      this.states.set(bot.name, {
        name: bot.name,
        intervalMs: bot.intervalMs,
        initialized: false,
        lastTickAt: now(),
        consecutiveFailures: 0,
        ticks: 0,
      });
    }
  }

  get stopped(): boolean {
    return this.stop.signal.aborted;
  }

  /** Starts every bot's loop. */
  start(): void {
    this.loops = this.bots.map((bot) => this.loop(bot));
  }

  /** Stops the loops after their running ticks and closes the bots. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.bots.map(async (b) => b.close?.()));
  }

  /** Initializes and ticks every bot once, concurrently; true when every tick succeeded. */
  async runOnce(): Promise<boolean> {
    const results = await Promise.all(
      this.bots.map(async (bot) => {
        try {
          await bot.init();
          this.state(bot).initialized = true;
        } catch (error) {
          this.failed(bot, error, "init");
          return false;
        }
        return this.tick(bot);
      }),
    );
    return results.every(Boolean);
  }

  private state(bot: Bot): BotState {
    return this.states.get(bot.name)!;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }

  private async loop(bot: Bot): Promise<void> {
    const state = this.state(bot);
    for (let attempt = 0; !this.stopped && !state.initialized; attempt++) {
      try {
        await bot.init();
        state.initialized = true;
      } catch (error) {
        this.failed(bot, error, "init");
        await this.pause(backoffDelay(attempt, 1_000, 60_000));
      }
    }
    await this.pause(Math.floor(Math.random() * Math.min(bot.intervalMs / 2, 5_000)));
    while (!this.stopped) {
      const ok = await this.tick(bot);
      const wait = ok
        ? bot.intervalMs
        : Math.max(bot.intervalMs, backoffDelay(state.consecutiveFailures - 1, 1_000, 60_000));
      await this.pause(wait);
    }
  }

  /** One tick with its bookkeeping; never throws. */
  async tick(bot: Bot): Promise<boolean> {
    const state = this.state(bot);
    const started = this.now();
    state.tickStartedAt = started;
    try {
      const summary = await bot.tick();
      state.lastSuccessAt = this.now();
      state.lastSummary = summary;
      state.lastError = undefined;
      state.consecutiveFailures = 0;
      this.metrics.ticks.inc({ bot: bot.name, outcome: "ok" });
      this.metrics.lastSuccess.set(Math.floor(state.lastSuccessAt / 1000), { bot: bot.name });
      this.log.debug(`${bot.name}: tick done`, summary);
      return true;
    } catch (error) {
      this.failed(bot, error, "tick");
      return false;
    } finally {
      state.ticks += 1;
      state.lastTickAt = this.now();
      state.tickStartedAt = undefined;
      this.metrics.tickSeconds.observe((state.lastTickAt - started) / 1000, { bot: bot.name });
    }
  }

  private failed(bot: Bot, error: unknown, phase: "init" | "tick"): void {
    const state = this.state(bot);
    const text = errorText(error);
    state.consecutiveFailures += 1;
    this.metrics.ticks.inc({ bot: bot.name, outcome: `${phase}-failed` });
    // Logged when it starts and when it changes, not on every retry of the same failure.
    if (text !== state.lastError || state.consecutiveFailures === 1) {
      this.log.warn(`${bot.name}: ${phase} failed: ${text}`, {
        bot: bot.name,
        failures: state.consecutiveFailures,
      });
    }
    state.lastError = text;
  }
}
