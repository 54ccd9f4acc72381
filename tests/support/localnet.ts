/**
 * Starts the iogrid local chain (`target/debug/localnet`) as a child process for one test file
 * or benchmark, on free ports and a fresh state directory, and stops it afterwards.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { Connection } from "@solana/web3.js";
import { closeWebsocket } from "@iogrid/sdk/node";
import type { Commitment } from "@solana/web3.js";

/** The repository root (this file is tests/support/localnet.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The chain binary, built by `npm run build:chain` into cargo's target directory (which the CI
 * script may place outside the repository through CARGO_TARGET_DIR).
 */
export const LOCALNET_BIN = join(
  process.env.CARGO_TARGET_DIR ?? join(REPO_ROOT, "target"),
  "debug",
  "localnet",
);

/** `localnet ready rpc=http://127.0.0.1:PORT ws=ws://127.0.0.1:PORT`, printed once on stdout. */
const READY_LINE =
  /^localnet ready rpc=(http:\/\/127\.0\.0\.1:(\d+)) ws=(ws:\/\/127\.0\.0\.1:(\d+))$/;

/** How much of the chain's stderr is kept for error messages. */
const STDERR_KEPT = 16 * 1024;

/**
 * Default slot time. A blockhash lives 150 blocks, and web3.js v1's `sendTransaction` reuses a
 * cached blockhash for up to 30 s; at 100 ms slots a blockhash expires after 15 s, so stock
 * helpers (`sendAndConfirmTransaction`, spl-token actions) would sign with expired blockhashes.
 * 250 ms slots keep the lifetime (37.5 s) above web3.js's cache while tests stay fast.
 */
export const DEFAULT_SLOT_MS = 250;

export interface LocalnetOptions {
  /** Slot time; default `DEFAULT_SLOT_MS`. */
  slotMs?: number;
  /** Commitment of `connection`; default "confirmed". */
  commitment?: Commitment;
  /** Longest wait for the ready line; default 60 s. */
  readyTimeoutMs?: number;
  /** Echo the chain's stdout/stderr (also with env IOGRID_LOCALNET_LOG=1). */
  verbose?: boolean;
}

export interface Localnet {
  rpcUrl: string;
  wsUrl: string;
  /** A stock web3.js connection to the chain (HTTP + websocket). */
  connection: Connection;
  /** Where the chain persists its accounts and history. */
  stateDir: string;
  /** The chain process's pid (changes on restart). */
  readonly pid: number;
  /** Kills the chain and removes its state directory. */
  stop(): Promise<void>;
  /** Kills the chain and starts it again on the same state directory and ports, `downForMs` later. */
  restart(downForMs?: number): Promise<void>;
}

interface Running {
  child: ChildProcess;
  rpcUrl: string;
  wsUrl: string;
  rpcPort: number;
  wsPort: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test run that dies must not leave chains behind.
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

function spawnChain(
  stateDir: string,
  rpcPort: number,
  wsPort: number,
  options: LocalnetOptions,
): Promise<Running> {
  if (!existsSync(LOCALNET_BIN)) {
    return Promise.reject(
      new Error(
        `local chain binary ${LOCALNET_BIN} is missing: build it with \`npm run build:chain\``,
      ),
    );
  }
  const verbose = options.verbose ?? process.env.IOGRID_LOCALNET_LOG === "1";
  const args = [
    "--rpc-port",
    String(rpcPort),
    "--ws-port",
    String(wsPort),
    "--slot-ms",
    String(options.slotMs ?? DEFAULT_SLOT_MS),
    "--state-dir",
    stateDir,
  ];
  const child = spawn(LOCALNET_BIN, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  installExitHook();
  running.add(child);
  child.once("exit", () => running.delete(child));

  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    if (verbose) process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });

  return new Promise<Running>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(
        new Error(
          `${message}\ncommand: ${LOCALNET_BIN} ${args.join(" ")}\nstderr:\n${stderr || "(empty)"}`,
        ),
      );
    };
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(
      () => fail(`local chain printed no ready line within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.once("error", (e) => fail(`cannot start the local chain: ${e.message}`));
    child.once("exit", (code, signal) =>
      fail(`local chain exited before it was ready (code ${code}, signal ${signal})`),
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (verbose) process.stdout.write(`[localnet] ${line}\n`);
      const ready = READY_LINE.exec(line.trim());
      if (!ready || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        child,
        rpcUrl: ready[1]!,
        rpcPort: Number(ready[2]),
        wsUrl: ready[3]!,
        wsPort: Number(ready[4]),
      });
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts a chain on free ports and a fresh temporary state directory. */
export async function startLocalnet(options: LocalnetOptions = {}): Promise<Localnet> {
  const stateDir = mkdtempSync(join(tmpdir(), "iogrid-localnet-"));
  let current: Running;
  try {
    current = await spawnChain(stateDir, 0, 0, options);
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  const { rpcUrl, wsUrl, rpcPort, wsPort } = current;
  const connection = new Connection(rpcUrl, {
    commitment: options.commitment ?? "confirmed",
    wsEndpoint: wsUrl,
  });
  return {
    rpcUrl,
    wsUrl,
    connection,
    stateDir,
    get pid() {
      return current.child.pid ?? -1;
    },
    async stop() {
      closeWebsocket(connection);
      await kill(current.child);
      rmSync(stateDir, { recursive: true, force: true });
    },
    async restart(downForMs = 0) {
      await kill(current.child);
      if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
      current = await spawnChain(stateDir, rpcPort, wsPort, options);
      if (current.rpcUrl !== rpcUrl || current.wsUrl !== wsUrl) {
        throw new Error(
          `restarted chain listens on ${current.rpcUrl} / ${current.wsUrl}, not ${rpcUrl} / ${wsUrl}`,
        );
      }
    },
  };
}
