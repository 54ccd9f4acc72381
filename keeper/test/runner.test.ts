/**
 * The bot runner without a chain: bots run concurrently on their own intervals; a bot whose ticks
 * throw (or whose init fails) is retried and reported unhealthy by name, and never stops the
 * others, which keep ticking and stay healthy; `runOnce` reports failure when any bot failed.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import type { Bot, TickSummary } from "../src/bot.js";
import { BotRunner } from "../src/bot.js";
import { parseKeeperConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import { Keeper } from "../src/keeper.js";

/** A bot called `name` whose ticks run `tick`, counting them. */
function fakeBot(
  name: string,
  tick: () => Promise<TickSummary>,
  init: () => Promise<void> = async () => undefined,
): Bot & { ticks: number } {
  const bot = {
    name,
    intervalMs: 20,
    ticks: 0,
    init,
    async tick() {
      bot.ticks += 1;
      return tick();
    },
    health: () => ({ ok: true }),
  };
  return bot;
}

function context() {
  const lines: string[] = [];
  const config = parseKeeperConfig(
    'rpc: { url: "http://127.0.0.1:1", timeoutMs: 500 }\nhealth: { listen: "", staleIntervals: 1 }',
  );
  const ctx = createContext(config, Keypair.generate(), { logWrite: (l) => lines.push(l) });
  return { ctx, lines };
}

describe("keeper bot runner", () => {
  it("a bot that keeps failing is retried and named unhealthy; the other keeps ticking, healthy", async () => {
    const { ctx, lines } = context();
    const good = fakeBot("good", async () => ({ done: true }));
    const bad = fakeBot("failing", async () => {
      throw new Error("RPC refused: connection reset");
    });
    const keeper = new Keeper(ctx, [good, bad]);
    keeper.runner.start();
    try {
      await sleep(1_500);
      expect(good.ticks).to.be.greaterThan(10);
      expect(bad.ticks).to.be.at.least(1);
      const report = keeper.health();
      const check = (name: string) => report.checks.find((c) => c.name === name)!;
      expect(check("bot:good").ok).to.equal(true);
      const failing = keeper.runner.states.get("failing")!;
      expect(failing.consecutiveFailures).to.equal(bad.ticks);
      // A failed tick backs off (1 s, then 2 s, ...) rather than retrying every interval.
      expect(bad.ticks).to.be.at.most(3);
      expect(check("bot:failing")).to.deep.include({
        ok: false,
        detail: `${failing.consecutiveFailures} ticks failed in a row: RPC refused: connection reset`,
      });
      expect(report.healthy).to.equal(false);
      // Logged once when it starts failing, not on every retry.
      expect(lines.filter((l) => l.includes("failing: tick failed")).length).to.equal(1);
    } finally {
      await keeper.runner.close();
    }
    const ticks = good.ticks;
    await sleep(100);
    expect(good.ticks).to.equal(ticks);
  });

  it("runOnce ticks every bot once, concurrently; false when a tick or an init failed", async () => {
    const { ctx } = context();
    const order: string[] = [];
    const slow = fakeBot("slow", async () => {
      order.push("slow start");
      await sleep(200);
      order.push("slow end");
      return {};
    });
    const quick = fakeBot("quick", async () => {
      order.push("quick");
      return {};
    });
    const ok = new BotRunner([slow, quick], ctx.log, ctx.metrics);
    expect(await ok.runOnce()).to.equal(true);
    expect(order).to.deep.equal(["slow start", "quick", "slow end"]);

    const broken = fakeBot(
      "broken",
      async () => ({}),
      async () => {
        throw new Error("no schedule");
      },
    );
    const runner = new BotRunner([broken, quick], ctx.log, ctx.metrics);
    expect(await runner.runOnce()).to.equal(false);
    expect(runner.states.get("broken")!.lastError).to.equal("no schedule");
    expect(runner.states.get("quick")!.lastSuccessAt).to.be.a("number");
  });
});
