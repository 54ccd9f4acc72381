/**
 * The price bot on a real chain: a keeper that is not one of iotoken's price updaters publishes
 * nothing and says why; once listed, it publishes the median of a file and two HTTP JSON
 * endpoints with a confidence of half their spread, to the unit; an unchanged price within the
 * heartbeat is not sent again; a median far from the feed is refused as an outlier; sources that
 * disagree beyond the bound halt the feed instead; a stale source is dropped, and too few fresh
 * sources fail the tick with each reason.
 */
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  decodePriceFeed,
  iotokenConfigPda,
  priceFeedPda,
  updateIotokenConfigIx,
} from "@iogrid/sdk";
import type { PriceFeed } from "@iogrid/sdk";

import { chainTime, sendDistinct } from "../../tests/support/chain.js";
import { startNetwork, warpBy } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { inProcessKeeper } from "./support/keeper.js";
import type { TestKeeperProcess } from "./support/keeper.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());

describe("keeper: the price bot publishes the sources' median, refuses outliers, halts on disagreement", function () {
  this.timeout(300_000);
  let n: Network;
  let k: TestKeeperProcess;
  let server: Server;
  const quotes = { a: "0.52", b: 0.515 };
  const file = join(mkdtempSync(join(tmpdir(), "iogrid-price-")), "io-usd.txt");

  const feed = async (): Promise<PriceFeed> =>
    decodePriceFeed((await n.net.connection.getAccountInfo(priceFeedPda().address))!.data);
  const quote = (fileValue: string, a: string, b: number): void => {
    writeFileSync(file, `${fileValue}\n`);
    quotes.a = a;
    quotes.b = b;
  };

  before(async function () {
    this.timeout(300_000);
    n = await startNetwork();
    server = createServer((req, res) => {
      const body =
        req.url === "/a" ? { data: { price: quotes.a } } : { result: [{ last: quotes.b }] };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    quote("0.51", "0.52", 0.515);
    k = inProcessKeeper(n, n.keeperWallets[0]!, {
      name: "price-keeper",
      extra: `price:
  minSources: 3
  sources:
    - { kind: file, path: ${JSON.stringify(file)} }
    - { kind: http, url: "${base}/a", path: data.price }
    - { kind: http, url: "${base}/b", path: result.0.last }
`,
    });
  });

  after(async () => {
    await k?.close();
    server?.close();
    await n?.net.stop();
  });

  it("a keeper that is not a price updater publishes nothing and says why", async () => {
    expect(await k.tick("price")).to.deep.equal({ authorized: false });
    expect(k.transactions(undefined, "confirmed")).to.equal(0);
    const bot = await k.bot("price");
    expect(bot.health().detail).to.contain("is not one of iotoken's price updaters");
  });

  it("listed as an updater, it publishes the median with half the spread as confidence", async () => {
    await sendDistinct(
      n.net.connection,
      await updateIotokenConfigIx(n.iotoken, {
        authority: n.admin.publicKey,
        priceUpdaters: [n.admin.publicKey, k.wallet.publicKey],
      }),
      [n.admin],
    );
    expect(
      (await n.iotoken.account.tokenConfig.fetch(iotokenConfigPda().address)).priceUpdaters,
    ).to.have.length(2);
    await warpBy(n, 10);
    expect(await k.tick("price")).to.deep.equal({ sources: 3, price: "0.515", published: true });
    const f = await feed();
    expect(big(f.price)).to.equal(51_500_000n);
    expect(big(f.confidence)).to.equal(500_000n); // (0.52 - 0.51) / 2, above 0.5% of the price
    expect(big(f.publishTime)).to.equal(BigInt(await chainTime(n.net.connection)));
    expect(f.lastUpdater.equals(k.wallet.publicKey)).to.equal(true);
  });

  it("the same price within the heartbeat is not sent again", async () => {
    await warpBy(n, 5);
    expect(await k.tick("price")).to.include({ published: false });
    expect(k.transactions("publish_price", "confirmed")).to.equal(1);
  });

  it("a median far from the feed's price is refused as an outlier", async () => {
    quote("1.5", "1.5", 1.5);
    expect(await k.tick("price")).to.include({ published: false, refused: "outlying" });
    expect(big((await feed()).price)).to.equal(51_500_000n);
  });

  it("sources that disagree beyond the bound halt the feed instead of publishing", async () => {
    quote("0.50", "0.60", 0.55);
    expect(await k.tick("price")).to.include({ halted: true, spreadBps: 1818 });
    const f = await feed();
    expect(f.halted).to.equal(true);
    expect(Number(f.haltExpiresAt)).to.be.greaterThan(await chainTime(n.net.connection));
    expect(big(f.price)).to.equal(51_500_000n);
    expect(k.transactions("set_price_halted", "confirmed")).to.equal(1);
  });

  it("a stale source is dropped, and too few fresh sources fail the tick with each reason", async () => {
    quote("0.515", "0.515", 0.515);
    const old = (await chainTime(n.net.connection)) - 1_000;
    utimesSync(file, old, old);
    let error: unknown;
    await k.tick("price").catch((e: unknown) => (error = e));
    expect(String(error)).to.match(
      /price: 2 of 3 sources usable, 3 needed \(file .*: stale \(\d+ s old\)\)/,
    );
  });
});
