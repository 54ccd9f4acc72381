/**
 * A running keeper: the configured bots under one runner, the chain watched (its slot must keep
 * advancing; the wallet's balance), and `/health` + `/metrics`. `/health` answers 503 when a
 * bot's watchdog is stale (no tick ended for `staleIntervals` intervals, or one running that
 * long), a bot reports itself unhealthy, or the chain's slot stopped advancing; the body names
 * which.
 */
import { setTimeout as sleep } from "node:timers/promises";

import {
  closeWebsocket,
  errorText,
  healthReport,
  healthRoutes,
  parseListen,
  startHttpServer,
} from "@iogrid/sdk/node";
import type { HealthCheck, HealthReport, RunningHttpServer } from "@iogrid/sdk/node";

import { BotRunner } from "./bot.js";
import type { Bot } from "./bot.js";
import { AttestBot } from "./bots/attest.js";
import { CleanBot } from "./bots/clean.js";
import { EpochBot } from "./bots/epoch.js";
import { PriceBot } from "./bots/price.js";
import { SettleBot } from "./bots/settle.js";
import type { BotName } from "./config.js";
import type { KeeperContext } from "./context.js";

/** The bot called `name`. */
export function createBot(ctx: KeeperContext, name: BotName): Bot {
  switch (name) {
    case "epoch":
      return new EpochBot(ctx);
    case "attest":
      return new AttestBot(ctx);
    case "settle":
      return new SettleBot(ctx);
    case "price":
      return new PriceBot(ctx);
    case "clean":
      return new CleanBot(ctx);
  }
}

/** What `/health` reports about the chain. */
interface ChainWatch {
  slot?: number;
  /** Unix ms when `slot` was first seen. */
  slotSince?: number;
  /** Unix ms of the last successful read. */
  readAt?: number;
  error?: string;
}

export class Keeper {
  readonly runner: BotRunner;
  private readonly chain: ChainWatch = {};
  private server: RunningHttpServer | undefined;
  private watching = false;
  private watcher: Promise<void> | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly ctx: KeeperContext,
    readonly bots: readonly Bot[],
  ) {
    this.runner = new BotRunner(bots, ctx.log, ctx.metrics);
  }

  /** The health report `/health` answers. */
  health(): HealthReport {
    const now = Date.now();
    const cfg = this.ctx.config.health;
    const checks: HealthCheck[] = [];
    const bots: Record<string, unknown> = {};
    for (const bot of this.bots) {
      const s = this.runner.states.get(bot.name)!;
      const limit = Math.max(cfg.staleIntervals * bot.intervalMs, 60_000);
      const own = bot.health();
      let detail: string | undefined;
      if (s.tickStartedAt !== undefined && now - s.tickStartedAt > limit) {
        detail = `a tick has been running for ${Math.round((now - s.tickStartedAt) / 1000)} s`;
      } else if (now - s.lastTickAt > limit + bot.intervalMs) {
        detail = s.initialized
          ? `no tick ended for ${Math.round((now - s.lastTickAt) / 1000)} s`
          : `not initialized: ${s.lastError ?? "starting"}`;
      } else if (s.consecutiveFailures >= cfg.staleIntervals) {
        detail = `${s.consecutiveFailures} ticks failed in a row: ${s.lastError}`;
      } else if (!own.ok) {
        detail = own.detail ?? "unhealthy";
      }
      checks.push({ name: `bot:${bot.name}`, ok: detail === undefined, detail });
      bots[bot.name] = {
        initialized: s.initialized,
        ticks: s.ticks,
        lastTickAt: new Date(s.lastTickAt).toISOString(),
        lastSuccessAt: s.lastSuccessAt ? new Date(s.lastSuccessAt).toISOString() : null,
        lagSeconds: s.lastSuccessAt ? Math.round((now - s.lastSuccessAt) / 1000) : null,
        running: s.tickStartedAt !== undefined,
        consecutiveFailures: s.consecutiveFailures,
        lastError: s.lastError ?? null,
        lastSummary: s.lastSummary ?? null,
        note: own.detail ?? null,
      };
    }
    const c = this.chain;
    let chainDetail: string | undefined;
    if (c.readAt === undefined) {
      if (now - this.startedAt > cfg.slotStallMs)
        chainDetail = `the RPC never answered: ${c.error ?? "no answer"}`;
    } else if (now - c.readAt > cfg.slotStallMs) {
      chainDetail = `the RPC has not answered for ${Math.round((now - c.readAt) / 1000)} s: ${c.error ?? ""}`;
    } else if (c.slotSince !== undefined && now - c.slotSince > cfg.slotStallMs) {
      chainDetail = `the chain's slot has been ${c.slot} for ${Math.round((now - c.slotSince) / 1000)} s`;
    }
    checks.push({ name: "chain", ok: chainDetail === undefined, detail: chainDetail });
    return healthReport(checks, {
      keeper: this.ctx.wallet.publicKey.toBase58(),
      dryRun: this.ctx.dryRun,
      slot: c.slot ?? null,
      bots,
    });
  }

  private async watchChain(): Promise<void> {
    let balanceAt = 0;
    while (this.watching) {
      try {
        const slot = await this.ctx.connection.getSlot(this.ctx.commitment);
        const now = Date.now();
        if (slot !== this.chain.slot) {
          this.chain.slot = slot;
          this.chain.slotSince = now;
        }
        this.chain.readAt = now;
        this.chain.error = undefined;
        this.ctx.metrics.slot.set(slot);
        if (now - balanceAt > 30_000) {
          balanceAt = now;
          const lamports = await this.ctx.connection.getBalance(this.ctx.wallet.publicKey);
          this.ctx.metrics.balance.set(lamports);
          if (lamports < this.ctx.config.minBalanceSol * 1e9) {
            this.ctx.log.warn(
              `wallet ${this.ctx.wallet.publicKey.toBase58()} holds ${lamports / 1e9} SOL, below minBalanceSol ${this.ctx.config.minBalanceSol}: fund it to keep paying fees`,
            );
          }
        }
      } catch (error) {
        this.chain.error = errorText(error);
      }
      await sleep(2_000);
    }
  }

  /** Starts the bots, the chain watch and the HTTP server. */
  async start(): Promise<void> {
    this.watching = true;
    this.watcher = this.watchChain();
    const listen = this.ctx.config.health.listen;
    if (listen !== "") {
      const { host, port } = parseListen(listen)!;
      this.server = await startHttpServer({
        host,
        port,
        routes: healthRoutes(this.ctx.metrics.registry, () => this.health()),
        onError: (error) => this.ctx.log.warn(`health server: ${errorText(error)}`),
      });
      this.ctx.log.info(`serving /health and /metrics on ${this.server.url}`);
    }
    this.runner.start();
  }

  /** The health server's URL, when serving. */
  get url(): string | undefined {
    return this.server?.url;
  }

  async stop(): Promise<void> {
    this.watching = false;
    await this.runner.close();
    await this.watcher;
    await this.server?.close();
    closeWebsocket(this.ctx.connection);
  }
}
