/**
 * The `price` bot, for a keeper that iotoken lists as a price updater: reads IO's USD price from
 * the configured sources, drops the ones that fail or are older than `maxSourceAgeSecs`, and
 * publishes the median (`publish_price`) when it moved at least `minChangeBps` or the feed is
 * older than `heartbeatSecs`. It refuses to publish a price more than `maxMoveBps` away from the
 * feed's (an outlier, logged; the program also bounds how far one print moves the EMA), and when
 * the sources disagree by more than `maxSpreadBps` it halts the feed (`set_price_halted`, an
 * updater's halt that expires by itself) instead of choosing among them.
 */
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";

import {
  PRICE_DECIMALS,
  clockUnixTimestamp,
  decodePriceFeed,
  decodeTokenConfig,
  formatUnits,
  haltInForce,
  iotokenConfigPda,
  priceFeedPda,
  publishPriceIx,
  setPriceHaltedIx,
} from "@iogrid/sdk";
import { errorText } from "@iogrid/sdk/node";

import type { Bot, BotHealth, TickSummary } from "../bot.js";
import type { KeeperContext } from "../context.js";
import { bpsApart, median, readSource, sourceName } from "../price-sources.js";

const usd = (price: bigint): string => formatUnits(price, PRICE_DECIMALS);

export class PriceBot implements Bot {
  readonly name = "price" as const;
  readonly intervalMs: number;
  private problem: string | undefined;

  constructor(private readonly ctx: KeeperContext) {
    this.intervalMs = ctx.config.price.intervalMs;
  }

  async init(): Promise<void> {
    if (this.ctx.config.price.sources.length === 0) {
      throw new Error("price: no sources configured (price.sources)");
    }
  }

  health(): BotHealth {
    return this.problem ? { ok: false, detail: this.problem } : { ok: true };
  }

  async tick(): Promise<TickSummary> {
    const ctx = this.ctx;
    const cfg = ctx.config.price;
    const [configInfo, feedInfo, clockInfo] = await ctx.connection.getMultipleAccountsInfo(
      [iotokenConfigPda().address, priceFeedPda().address, SYSVAR_CLOCK_PUBKEY],
      ctx.commitment,
    );
    if (!configInfo || !feedInfo || !clockInfo) {
      throw new Error("iotoken's config or price feed does not exist on this chain");
    }
    const config = decodeTokenConfig(configInfo.data);
    const feed = decodePriceFeed(feedInfo.data);
    const now = clockUnixTimestamp(clockInfo.data);
    if (!config.priceUpdaters.some((u) => u.equals(ctx.wallet.publicKey))) {
      this.problem = `${ctx.wallet.publicKey.toBase58()} is not one of iotoken's price updaters`;
      return { authorized: false };
    }
    this.problem = undefined;

    const log = ctx.log.child(this.name);
    const read = await Promise.allSettled(
      cfg.sources.map((s) => readSource(s, Number(now), cfg.sourceTimeoutMs)),
    );
    const prices: bigint[] = [];
    const dropped: string[] = [];
    read.forEach((r, n) => {
      const name = sourceName(cfg.sources[n]!);
      if (r.status === "rejected") dropped.push(`${name}: ${errorText(r.reason)}`);
      else if (Number(now) - r.value.at > cfg.maxSourceAgeSecs) {
        dropped.push(`${name}: stale (${Number(now) - r.value.at} s old)`);
      } else prices.push(r.value.price);
    });
    if (dropped.length > 0) log.warn("price sources dropped", { dropped });
    if (prices.length < cfg.minSources) {
      throw new Error(
        `price: ${prices.length} of ${cfg.sources.length} sources usable, ${cfg.minSources} needed (${dropped.join("; ")})`,
      );
    }
    const price = median(prices);
    const low = prices.reduce((a, b) => (b < a ? b : a));
    const high = prices.reduce((a, b) => (b > a ? b : a));
    const spreadBps = ((high - low) * 10_000n) / price;
    const summary: TickSummary = { sources: prices.length, price: usd(price) };

    if (spreadBps > BigInt(cfg.maxSpreadBps)) {
      log.warn(
        `sources disagree by ${spreadBps} bps (more than ${cfg.maxSpreadBps}): halting the feed`,
        {
          low: usd(low),
          high: usd(high),
        },
      );
      if (haltInForce(feed.halted, BigInt(feed.haltExpiresAt.toString()), now)) {
        return { ...summary, halted: true, spreadBps: Number(spreadBps) };
      }
      const outcome = await ctx.sender(this.name).send({
        label: "set_price_halted",
        instructions: [
          await setPriceHaltedIx(ctx.iotoken, { signer: ctx.wallet.publicKey, halted: true }),
        ],
        benign: ["PriceFeedAlreadyHalted"],
      });
      return {
        ...summary,
        halted: outcome.status === "confirmed" || outcome.status === "noop",
        spreadBps: Number(spreadBps),
      };
    }

    const last = BigInt(feed.price.toString());
    if (last > 0n && bpsApart(price, last) > BigInt(cfg.maxMoveBps)) {
      log.warn(
        `refusing an outlying price: ${usd(price)} is more than ${cfg.maxMoveBps} bps from the feed's ${usd(last)}`,
      );
      return { ...summary, published: false, refused: "outlying" };
    }
    const age = now - BigInt(feed.publishTime.toString());
    if (
      last > 0n &&
      bpsApart(price, last) < BigInt(cfg.minChangeBps) &&
      age < BigInt(cfg.heartbeatSecs)
    ) {
      return { ...summary, published: false };
    }
    const byBps = (price * BigInt(cfg.confidenceBps)) / 10_000n;
    const bySpread = (high - low) / 2n;
    const confidence = byBps > bySpread ? byBps : bySpread;
    const outcome = await ctx.sender(this.name).send({
      label: "publish_price",
      instructions: [
        await publishPriceIx(ctx.iotoken, {
          updater: ctx.wallet.publicKey,
          price,
          confidence,
          publishTime: now,
        }),
      ],
      // Another updater published at this same second.
      benign: ["PublishTimeNotNewer"],
    });
    return { ...summary, published: outcome.status === "confirmed" };
  }
}
