/**
 * The children of `npm start`: each in its own process group (so a Ctrl-C reaches only
 * `npm start`, which then stops them in order), its output appended to `<logDir>/<name>.log`.
 * One-shot steps resolve when they exit 0 and reject with the end of their log otherwise; a
 * service that exits while it should be running is reported once to `onExit`.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface Service {
  name: string;
  child: ChildProcess;
  log: string;
  /** Resolves with how it ended. */
  exited: Promise<string>;
}

/** A step's failure: its message names the step, its exit and the end of its log. */
export class StepError extends Error {}

/** The last `lines` lines of `file`. */
export function logTail(file: string, lines = 12): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

export class Supervisor {
  private readonly live = new Map<ChildProcess, Service>();
  /** Services in start order (stopped in reverse). */
  private readonly services: Service[] = [];
  private stopping = false;
  /** Called when a service exits before `stopAll`. */
  onExit: (service: Service, how: string) => void = () => {};

  constructor(
    readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The pids of the services running now, by name. */
  pids(): Record<string, number> {
    return Object.fromEntries(
      this.services.filter((s) => this.live.has(s.child)).map((s) => [s.name, s.child.pid!]),
    );
  }

  private launch(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    capture = false,
  ): Service {
    if (this.stopping) throw new StepError(`not starting ${name}: stopping`);
    const log = join(this.logDir, `${name}.log`);
    const fd = openSync(log, "a");
    writeSync(fd, `\n=== ${new Date().toISOString()} ${[command, ...args].join(" ")}\n`);
    const child = spawn(command, args, {
      cwd: this.cwd,
      env: { ...this.env, ...env },
      stdio: ["ignore", capture ? "pipe" : fd, fd],
      detached: true,
    });
    closeSync(fd);
    const service: Service = {
      name,
      child,
      log,
      exited: new Promise((resolve) => {
        child.once("error", (e) => {
          this.live.delete(child);
          resolve(`could not start: ${e.message}`);
        });
        child.once("exit", (code, signal) => {
          this.live.delete(child);
          resolve(signal ? `killed by ${signal}` : `exit ${code}`);
        });
      }),
    };
    this.live.set(child, service);
    return service;
  }

  /** Runs a one-shot step to completion; rejects with a `StepError` unless it exits 0. */
  async run(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<void> {
    const step = this.launch(name, command, args, env);
    const how = await step.exited;
    if (how === "exit 0") return;
    if (this.stopping) throw new StepError(`${name}: stopped`);
    throw new StepError(`${name} failed (${how}); the end of ${step.log}:\n${logTail(step.log)}`);
  }

  /**
   * Runs a one-shot step and resolves with its exit code and standard output (its standard error
   * goes to the log).
   */
  async output(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number; stdout: string }> {
    const step = this.launch(name, command, args, env, true);
    const chunks: Buffer[] = [];
    step.child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    const how = await step.exited;
    if (this.stopping) throw new StepError(`${name}: stopped`);
    const code = /^exit (\d+)$/.exec(how);
    if (!code) throw new StepError(`${name}: ${how}; see ${step.log}`);
    return { code: Number(code[1]), stdout: Buffer.concat(chunks).toString("utf8") };
  }

  /** Starts a long-running service. */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Service {
    const service = this.launch(name, command, args, env);
    this.services.push(service);
    void service.exited.then((how) => {
      if (!this.stopping) this.onExit(service, how);
    });
    return service;
  }

  /**
   * Polls `ready` until it resolves true; throws a `StepError` if `service` exits first or after
   * `timeoutMs`.
   */
  async waitReady(
    service: Service,
    what: string,
    ready: () => Promise<boolean>,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended: string | undefined;
    void service.exited.then((how) => (ended = how));
    for (;;) {
      if (this.stopping) throw new StepError(`${service.name}: stopped`);
      if (ended !== undefined) {
        throw new StepError(
          `${service.name} exited (${ended}) before ${what}; the end of ${service.log}:\n${logTail(service.log)}`,
        );
      }
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new StepError(
          `${service.name}: no ${what} within ${timeoutMs / 1000} s; see ${service.log}`,
        );
      }
      await sleep(250);
    }
  }

  /**
   * Stops everything started, services in reverse order: SIGTERM to each process group, then
   * SIGKILL to groups still there after `graceMs`; resolves once every child has exited.
   */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const signal = (child: ChildProcess, sig: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // the group is gone
      }
    };
    const order = [
      ...[...this.live.values()].filter((s) => !this.services.includes(s)),
      ...[...this.services].reverse(),
    ];
    for (const service of order) {
      if (!this.live.has(service.child) && !groupAlive(service.child)) continue;
      signal(service.child, "SIGTERM");
      const timer = setTimeout(() => signal(service.child, "SIGKILL"), graceMs);
      await service.exited;
      clearTimeout(timer);
      // What the leader left behind in its group (a cargo or npm wrapper's child) goes too.
      if (groupAlive(service.child)) {
        signal(service.child, "SIGTERM");
        for (let i = 0; i < 40 && groupAlive(service.child); i++) await sleep(100);
        signal(service.child, "SIGKILL");
      }
    }
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}
