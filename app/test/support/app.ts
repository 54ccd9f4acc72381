/**
 * What every app browser test shares: a local chain with the whole network up (optionally
 * seeded), the built app served statically and a headless chromium, started in the suite's
 * `before` and stopped in its `after`; `open` loads a page of the app on that chain.
 */
import type { Server } from "node:http";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";

import { startNetwork } from "../../../agent/test/support/network.js";
import type { Network } from "../../../agent/test/support/network.js";
import { ARTIFACTS, openBrowser, serveDist } from "./browser.js";
import type { Browser } from "./browser.js";

export interface AppSuite {
  /** The chain and its programs (set in `before`). */
  n: Network;
  browser: Browser;
  page: Page;
  /** The served app's base URL. */
  url: string;
  /** Loads the app afresh at its page `hash` (e.g. `#/token`) on this suite's chain. */
  open(hash?: string): Promise<void>;
  /** Waits for `locator`; on a timeout the error carries the page's text and console errors. */
  waitFor(locator: Locator): Promise<void>;
  /** A full-page screenshot into the artifacts directory. */
  screenshot(name: string): Promise<void>;
}

/** Registers the suite's `before`/`after` hooks; `seed` runs on the chain before the browser opens. */
export function appSuite(seed?: (n: Network) => Promise<void>): AppSuite {
  let server: Server | undefined;
  const suite = {
    async open(hash = "") {
      const { rpcUrl, wsUrl } = suite.n.net;
      // From a blank page, so a hash-only change still loads the app afresh.
      await suite.page.goto("about:blank");
      await suite.page.goto(
        `${suite.url}?rpc=${encodeURIComponent(rpcUrl)}&ws=${encodeURIComponent(wsUrl)}${hash}`,
      );
    },
    async waitFor(locator: Locator) {
      await locator.waitFor().catch(async (err: unknown) => {
        const text = await suite.page
          .locator("body")
          .innerText()
          .catch(() => "");
        throw new Error(
          `${String(err)}\npage: ${text}\nerrors: ${suite.browser.errors.join("\n")}`,
        );
      });
    },
    async screenshot(name: string) {
      await suite.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
  } as AppSuite;

  before(async function () {
    this.timeout(180_000);
    suite.n = await startNetwork();
    if (seed) await seed(suite.n);
    const served = await serveDist();
    server = served.server;
    suite.url = served.url;
    suite.browser = await openBrowser();
    suite.page = suite.browser.page;
  });

  after(async () => {
    await suite.browser?.close();
    server?.close();
    await suite.n?.net.stop();
  });

  return suite;
}
