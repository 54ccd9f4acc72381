/**
 * The agent as tests run it: the real CLI (`bin/iogrid-agent.js`) as a child process, with its
 * output captured; daemons started in the background (optionally inside a network namespace)
 * with their log lines collected and a way to kill them hard.
 */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The agent CLI's entry point. */
export const AGENT_BIN = fileURLToPath(new URL("../../bin/iogrid-agent.js", import.meta.url));
/** The fake nvidia-smi replaying recorded outputs. */
export const FAKE_NVIDIA_SMI = fileURLToPath(
  new URL("../fixtures/fake-nvidia-smi", import.meta.url),
);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Node CLI `bin` (an iogrid tool's entry point) with `args` to completion. */
export function runCli(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; netns?: string } = {},
): Promise<CliResult> {
  const [command, argv] = options.netns
    ? ["ip", ["netns", "exec", options.netns, process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      {
        env: { ...process.env, IOGRID_NVIDIA_SMI: "/nonexistent/nvidia-smi", ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | undefined) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

/** Runs `iogrid-agent <args>` to completion. */
export function agentCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; netns?: string } = {},
): Promise<CliResult> {
  return runCli(AGENT_BIN, args, options);
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A background agent process (daemon, relay or connect). */
export class AgentProcess {
  readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    running.add(child);
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        this.lines.push(line);
        if (process.env.IOGRID_AGENT_LOG === "1") process.stderr.write(`[${name}] ${line}\n`);
      }
      for (const wake of this.waiters.splice(0)) wake();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        running.delete(child);
        for (const wake of this.waiters.splice(0)) wake();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lines matching `pattern` so far. */
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }

  /** Waits for a line matching `pattern` (also among lines already seen, from `from` on). */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = from;
    for (;;) {
      for (; seen < this.lines.length; seen++) {
        if (pattern.test(this.lines[seen]!)) return this.lines[seen]!;
      }
      if (!this.alive) {
        throw new Error(
          `${this.name} exited before printing ${pattern}:\n${this.lines.slice(-40).join("\n")}`,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `${this.name}: no line ${pattern} within ${timeoutMs} ms:\n${this.lines.slice(-40).join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 1_000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGKILL, as a power cut or OOM killer would. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  async stop(graceMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }
}

/**
 * Starts `iogrid-agent <args>` in the background (inside `netns` when given); `bin` runs another
 * of the repository's CLIs the same way (the renter's `iogrid`).
 */
export function spawnAgent(
  name: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; netns?: string; bin?: string } = {},
): AgentProcess {
  const bin = options.bin ?? AGENT_BIN;
  const [command, argv] = options.netns
    ? ["ip", ["netns", "exec", options.netns, process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  const child = spawn(command, argv, {
    env: { ...process.env, IOGRID_NVIDIA_SMI: "/nonexistent/nvidia-smi", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new AgentProcess(child, name);
}
