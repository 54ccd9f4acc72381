import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

import { DIST, serveDist as serveBuilt } from "../../scripts/serve.js";

export const APP_ROOT = new URL("../../", import.meta.url).pathname;
const VITE = fileURLToPath(new URL("../../../node_modules/vite/bin/vite.js", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = process.env.APP_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "iogrid-app-"));

let built = false;

/**
 * Builds the app with vite (so the test checks the current sources; once per test process) and
 * serves it on a free port.
 */
export async function serveDist(): Promise<{ url: string; server: Server }> {
  if (!built) {
    // In a child process: vite's in-process build under the test's TypeScript loader would emit
    // the loader's helpers into the bundle.
    execFileSync(process.execPath, [VITE, "build", "--logLevel", "warn"], {
      cwd: APP_ROOT,
      stdio: "inherit",
    });
    if (!existsSync(join(DIST, "index.html"))) throw new Error(`vite build left no ${DIST}`);
    built = true;
  }
  return serveBuilt();
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Headless Debian chromium with a fresh profile; console errors are collected. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "iogrid-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return { context, page, errors, close: () => context.close() };
}
