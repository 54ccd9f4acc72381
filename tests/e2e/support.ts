/**
 * What the end-to-end suites share: `npm start` run as a child in its own process group with
 * its output kept, waiting for a line of it, and free ports for its flags.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";

import { REPO_ROOT } from "../support/localnet.js";

export interface StartRun {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every `npm start` child still running, for a suite's cleanup. */
export const startRuns = new Set<ChildProcess>();

/** `npm start -- <args>` in its own process group, its output kept. */
export function npmStart(args: string[]): StartRun {
  const child = spawn("npm", ["start", "--", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, IOGRID_STATE_DIR: "", IOGRID_NO_BUILD: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  startRuns.add(child);
  const output: string[] = [];
  child.stdout!.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      startRuns.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output, exited };
}

/** Resolves with the output once it matches `pattern`; fails if npm start exits first. */
export async function waitForOutput(
  run: StartRun,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void run.exited.then(() => (done = true));
  for (;;) {
    const text = run.output.join("");
    if (pattern.test(text)) return text;
    if (done) throw new Error(`npm start exited before printing ${pattern}:\n${text}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Free ports, held until all are chosen so that none is chosen twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
