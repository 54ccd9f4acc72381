/**
 * The `process` backend: the booking's command line run by `/bin/sh -c` in the booking's own work
 * dir, with a scrubbed environment plus the renter's, resource limits (`prlimit`: CPU seconds,
 * address space, open files, processes), stdout and stderr appended to per-booking log files, and
 * isolated with bubblewrap: its own mount, PID, IPC, UTS, user and network namespaces, the host's
 * /usr read-only, its work dir read-write, a private /tmp. With `process.network: ports` (the
 * default) the sandbox has no network at all but its loopback; a bridge inside it serves each
 * workload port as a unix socket, and the agent forwards `127.0.0.1:<port>` on the host to it,
 * so the workload is reachable on its ports and reaches nothing. When the agent runs as root the
 * workload runs as `nobody` (uid 65534).
 *
 * Workloads run detached in their own process group, so an agent restart does not kill them;
 * the new agent adopts them by pid and kernel start time.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import type { Server } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import type { AgentConfig, BackendName } from "../config.js";
import { run as runCommand } from "../detect.js";
import type { Backend, BackendDeps, BackendRef, WorkloadRun, WorkloadStatus } from "./types.js";

/** The uid/gid workloads run as when the agent is root. */
export const WORKLOAD_UID = 65534;
const BRIDGE = fileURLToPath(new URL("./bridge.mjs", import.meta.url));

/** Where a booking's files live under its directory. */
export function bookingPaths(dir: string): {
  work: string;
  run: string;
  stdout: string;
  stderr: string;
} {
  return {
    work: join(dir, "work"),
    run: join(dir, "run"),
    stdout: join(dir, "stdout.log"),
    stderr: join(dir, "stderr.log"),
  };
}

/** The environment a workload sees: nothing of the agent's, the renter's on top. */
export function workloadEnv(
  run: Pick<WorkloadRun, "booking" | "reservation" | "ports" | "env">,
  home: string,
): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    ...run.env,
    IOGRID_RESERVATION: run.reservation.toBase58(),
    IOGRID_BOOKING: run.booking.toBase58(),
    IOGRID_PORTS: run.ports.join(","),
  };
}

/** `prlimit` arguments for the configured limits (0 = unlimited). */
export function prlimitArgs(limits: AgentConfig["limits"]): string[] {
  const args = [
    `--nofile=${limits.openFiles}:${limits.openFiles}`,
    `--nproc=${limits.processes}:${limits.processes}`,
  ];
  if (limits.cpuSeconds > 0) args.push(`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds}`);
  if (limits.memoryMib > 0) {
    const bytes = limits.memoryMib * 2 ** 20;
    args.push(`--as=${bytes}:${bytes}`);
  }
  return args;
}

/**
 * The full command line of a sandboxed workload:
 * `[setpriv ...] bwrap ... -- [node bridge.mjs ...] prlimit ... -- /bin/sh -c <command>`.
 */
export function sandboxArgv(params: {
  command: string;
  ports: number[];
  paths: ReturnType<typeof bookingPaths>;
  config: Pick<AgentConfig, "limits" | "process">;
  asRoot: boolean;
  nodePath?: string;
  bridgePath?: string;
  /** Instead of `process.network`: `full` for workloads that talk to other hosts (Ray nodes). */
  network?: AgentConfig["process"]["network"];
  /** Host paths the sandbox sees read-only where they are (a Python venv and its interpreter). */
  readOnly?: string[];
  /** Read-write binds, host path -> path in the sandbox, beside the work dir. */
  binds?: [string, string][];
  /** Device nodes passed through (the GPUs). */
  devices?: string[];
  /** `prlimit` arguments instead of the configured limits'. */
  limits?: string[];
}): string[] {
  const { config, paths } = params;
  const limited = [
    "prlimit",
    ...(params.limits ?? prlimitArgs(config.limits)),
    "--",
    "/bin/sh",
    "-c",
    params.command,
  ];
  if (config.process.sandbox === "none") return limited;
  const drop = params.asRoot
    ? ["setpriv", `--reuid=${WORKLOAD_UID}`, `--regid=${WORKLOAD_UID}`, "--clear-groups", "--"]
    : [];
  const bridged = (params.network ?? config.process.network) === "ports";
  const bridgePath = params.bridgePath ?? BRIDGE;
  const bwrap = [
    "bwrap",
    "--unshare-all",
    ...(bridged ? [] : ["--share-net"]),
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--ro-bind-try",
    "/etc/alternatives",
    "/etc/alternatives",
    "--ro-bind-try",
    "/etc/ld.so.cache",
    "/etc/ld.so.cache",
    "--ro-bind-try",
    "/etc/ssl",
    "/etc/ssl",
    "--ro-bind-try",
    "/etc/ca-certificates",
    "/etc/ca-certificates",
    ...(bridged
      ? []
      : [
          "--ro-bind-try",
          "/etc/resolv.conf",
          "/etc/resolv.conf",
          "--ro-bind-try",
          "/etc/hosts",
          "/etc/hosts",
        ]),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    ...(params.devices ?? []).flatMap((device) => ["--dev-bind", device, device]),
    ...(params.readOnly ?? []).flatMap((path) => ["--ro-bind", path, path]),
    "--tmpfs",
    "/tmp",
    "--bind",
    paths.work,
    "/work",
    ...(params.binds ?? []).flatMap(([from, to]) => ["--bind", from, to]),
    ...(bridged
      ? ["--bind", paths.run, "/run/iogrid", "--ro-bind", bridgePath, "/run/iogrid-bridge.mjs"]
      : []),
    "--chdir",
    "/work",
    "--",
  ];
  const bridge = bridged
    ? [
        params.nodePath ?? process.execPath,
        "/run/iogrid-bridge.mjs",
        "/run/iogrid",
        params.ports.join(","),
        "--",
      ]
    : [];
  return [...drop, ...bwrap, ...bridge, ...limited];
}

/** The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), or undefined if none. */
export function processStartTime(pid: number): string | undefined {
  return liveStat(pid)?.startTime;
}

/**
 * Process group and kernel start time of a live (not zombie) `pid`, from /proc/<pid>/stat
 * (fields 5 and 22); undefined when it is gone.
 */
function liveStat(pid: number | string): { pgrp: number; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces: fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (rest[0] === "Z" || rest[0] === "X") return undefined;
    return { pgrp: Number(rest[2]), startTime: rest[19]! };
  } catch {
    return undefined;
  }
}

/**
 * The first directory on the way to `path` (itself included, once it exists) that others may
 * not traverse, or undefined: a sandbox running as nobody reaches its work dir only through
 * directories with the execute bit for others.
 */
export function untraversableAncestor(path: string): string | undefined {
  let dir = resolve(path);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return d;
    } catch {
      return undefined; // not created yet: the agent creates it traversable
    }
  }
  return undefined;
}

/** The live (not zombie) processes of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (/^\d+$/.test(entry) && liveStat(entry)?.pgrp === pgid) members.push(Number(entry));
  }
  return members;
}

function alive(ref: BackendRef): boolean {
  return ref.pid !== undefined && processStartTime(ref.pid) === ref.pidStartTime;
}

function tail(path: string, lines: number): string {
  try {
    const text = readFileSync(path, "utf8");
    return text
      .split("\n")
      .slice(-lines - 1)
      .join("\n");
  } catch {
    return "";
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number, host = "127.0.0.1", timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Whether a unix socket accepts connections and its far side answers a TCP connect. */
async function bridgedPortOpen(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(ok);
    };
    // The bridge closes at once when nothing listens inside; an open upstream stays open.
    socket.once("connect", () => setTimeout(() => done(!socket.destroyed), 150));
    socket.once("close", () => done(false));
    socket.once("error", () => done(false));
  });
}

/** How a backend's workload process is started and when it counts as running. */
export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  /** Whether it runs now; without it, a process that survives half a second runs. */
  ready?: () => Promise<boolean>;
  /** What `ready` waits for, for the error when it never comes. */
  waitingFor: string;
  timeoutMs?: number;
  pollMs?: number;
  /** Kept in the workload's `BackendRef`. */
  data?: Record<string, string | number>;
}

/** The GPU device nodes of this machine (`/dev/nvidia*`), passed into sandboxes. */
export function gpuDevices(): string[] {
  try {
    return readdirSync("/dev")
      .filter((name) => name.startsWith("nvidia"))
      .map((name) => join("/dev", name));
  } catch {
    return [];
  }
}

export class ProcessBackend implements Backend {
  readonly name: BackendName = "process";
  /** Host-side port forwarders per booking. */
  private readonly forwarders = new Map<string, Server[]>();
  /** Exit statuses of workloads this agent started. */
  private readonly exits = new Map<number, { code: number | null; signal: string | null }>();

  constructor(protected readonly deps: BackendDeps) {}

  protected get asRoot(): boolean {
    return process.getuid?.() === 0;
  }

  async check(): Promise<{ ok: boolean; detail: string }> {
    const prlimit = await runCommand("prlimit", ["--version"], 5_000);
    if (prlimit.code !== 0)
      return { ok: false, detail: "prlimit (util-linux) is missing: apt-get install util-linux" };
    if (this.deps.config.process.sandbox === "none") {
      return { ok: true, detail: "no sandbox (process.sandbox: none): workloads see this machine" };
    }
    const bwrap = await runCommand(
      "bwrap",
      [
        "--unshare-all",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--",
        "/usr/bin/true",
      ],
      5_000,
    );
    if (bwrap.error?.code === "ENOENT")
      return { ok: false, detail: "bubblewrap is missing: apt-get install bubblewrap" };
    if (bwrap.code !== 0) {
      return {
        ok: false,
        detail: `bubblewrap cannot create namespaces here (${bwrap.stderr.trim()}); enable unprivileged user namespaces or set process.sandbox: none`,
      };
    }
    const blocked = this.asRoot ? untraversableAncestor(this.deps.config.workDir) : undefined;
    if (blocked) {
      return {
        ok: false,
        detail: `workloads run as nobody, who cannot reach the work dir ${this.deps.config.workDir}: ${blocked} is not traversable by others (chmod o+x ${blocked}, or put workDir elsewhere, e.g. /var/lib/iogrid)`,
      };
    }
    return { ok: true, detail: `bubblewrap sandbox, network ${this.deps.config.process.network}` };
  }

  private prepare(run: WorkloadRun): ReturnType<typeof bookingPaths> {
    const paths = bookingPaths(run.dir);
    // The booking's directory is traversable (not listable) so the sandbox's user reaches its own
    // work and socket dirs; the agent's work dir is made so too when the daemon starts.
    mkdirSync(run.dir, { recursive: true, mode: 0o711 });
    chmodSync(run.dir, 0o711);
    for (const dir of [paths.work, paths.run]) mkdirSync(dir, { recursive: true, mode: 0o750 });
    if (this.asRoot && this.deps.config.process.sandbox === "bwrap") {
      chownSync(paths.work, WORKLOAD_UID, WORKLOAD_UID);
      chownSync(paths.run, WORKLOAD_UID, WORKLOAD_UID);
    }
    return paths;
  }

  /** Whether the workload's ports are served from the sandbox's unix sockets (process only). */
  private bridged(): boolean {
    return (
      this.name === "process" &&
      this.deps.config.process.sandbox === "bwrap" &&
      this.deps.config.process.network === "ports"
    );
  }

  /** Forwards 127.0.0.1:<port> on the host to the sandbox's unix socket for each port. */
  private async forward(run: Pick<WorkloadRun, "booking" | "ports" | "dir">): Promise<void> {
    if (!this.bridged() || this.forwarders.has(run.booking.toBase58())) return;
    const paths = bookingPaths(run.dir);
    const servers: Server[] = [];
    for (const port of run.ports) {
      const server = createServer({ allowHalfOpen: true }, (socket) => {
        const upstream = connect({ path: join(paths.run, `${port}.sock`), allowHalfOpen: true });
        socket.pipe(upstream).pipe(socket);
        const close = (): void => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on("error", close);
        upstream.on("error", close);
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
      servers.push(server);
    }
    this.forwarders.set(run.booking.toBase58(), servers);
  }

  private async unforward(booking: string): Promise<void> {
    const servers = this.forwarders.get(booking) ?? [];
    this.forwarders.delete(booking);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** What to run for `run` and when it counts as running; the `ray` backend overrides it. */
  protected async launchSpec(
    run: WorkloadRun,
    paths: ReturnType<typeof bookingPaths>,
  ): Promise<LaunchSpec> {
    const home = this.deps.config.process.sandbox === "bwrap" ? "/work" : paths.work;
    const argv = sandboxArgv({
      command: run.image,
      ports: run.ports,
      paths,
      config: this.deps.config,
      asRoot: this.asRoot,
      devices: run.gpuCount > 0 ? gpuDevices() : [],
    });
    const ready =
      run.ports.length === 0
        ? undefined
        : async () => {
            const open = await Promise.all(
              run.ports.map((p) =>
                this.bridged() ? bridgedPortOpen(join(paths.run, `${p}.sock`)) : portOpen(p),
              ),
            );
            return open.every(Boolean);
          };
    return {
      argv,
      env: workloadEnv(run, home),
      ready,
      waitingFor: `port(s) ${run.ports.join(", ")}`,
    };
  }

  async start(run: WorkloadRun): Promise<BackendRef> {
    const paths = this.prepare(run);
    const spec = await this.launchSpec(run, paths);
    const out = openSync(paths.stdout, "a", 0o640);
    const err = openSync(paths.stderr, "a", 0o640);
    writeSync(
      err,
      `--- ${new Date().toISOString()} iogrid-agent starts booking ${run.booking.toBase58()}\n`,
    );
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: paths.work,
      env: spec.env,
      stdio: ["ignore", out, err],
      detached: true,
    });
    closeSync(out);
    closeSync(err);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${spec.argv[0]}`);
    child.on("exit", (code, signal) => this.exits.set(pid, { code, signal }));
    child.unref();
    let pidStartTime: string | undefined;
    for (let i = 0; i < 50 && !pidStartTime; i++) {
      pidStartTime = processStartTime(pid);
      if (!pidStartTime) await sleep(10);
    }
    const ref: BackendRef = {
      backend: this.name,
      pid,
      pidStartTime: pidStartTime ?? "",
      ...(spec.data ? { data: spec.data } : {}),
    };
    await this.forward(run);
    await this.waitRunning(ref, run, paths, spec);
    return ref;
  }

  /** Resolves when `spec.ready` says so (or, without it, once the process survived a moment). */
  private async waitRunning(
    ref: BackendRef,
    run: WorkloadRun,
    paths: ReturnType<typeof bookingPaths>,
    spec: LaunchSpec,
  ): Promise<void> {
    const timeoutMs = spec.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!alive(ref)) {
        const exit = ref.pid !== undefined ? this.exits.get(ref.pid) : undefined;
        // A command that needs to open nothing and finished successfully did run.
        if (!spec.ready && exit?.code === 0) return;
        await this.unforward(run.booking.toBase58());
        throw new Error(
          `the workload exited before it was running (code ${exit?.code ?? "?"}${exit?.signal ? `, signal ${exit.signal}` : ""}): ${tail(paths.stderr, 5).trim()}`,
        );
      }
      if (!spec.ready) {
        await sleep(500);
        if (alive(ref)) return;
        continue;
      }
      if (await spec.ready()) return;
      if (Date.now() > deadline) {
        await this.stop(ref, run);
        throw new Error(
          `the workload did not open ${spec.waitingFor} within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await sleep(spec.pollMs ?? 100);
    }
  }

  async status(ref: BackendRef): Promise<WorkloadStatus> {
    if (alive(ref)) return { state: "running" };
    const exit = ref.pid !== undefined ? this.exits.get(ref.pid) : undefined;
    return exit ? { state: "exited", ...exit } : { state: "gone" };
  }

  /** Truncates a booking's logs that outgrew `limits.logMib` (writers append, so they go on). */
  enforceLogLimit(dir: string): void {
    const cap = this.deps.config.limits.logMib * 2 ** 20;
    const paths = bookingPaths(dir);
    for (const path of [paths.stdout, paths.stderr]) {
      try {
        if (statSync(path).size > cap) {
          truncateSync(path, 0);
          const fd = openSync(path, "a");
          writeSync(
            fd,
            `--- ${new Date().toISOString()} iogrid-agent truncated this log at ${this.deps.config.limits.logMib} MiB\n`,
          );
          closeSync(fd);
        }
      } catch {
        // not written yet
      }
    }
  }

  async logs(
    _ref: BackendRef,
    run: Pick<WorkloadRun, "dir">,
    lines = 200,
  ): Promise<{ stdout: string; stderr: string }> {
    const paths = bookingPaths(run.dir);
    return { stdout: tail(paths.stdout, lines), stderr: tail(paths.stderr, lines) };
  }

  /**
   * Stops the workload's whole process group: SIGTERM, then SIGKILL after 10 s. It waits for
   * every member, not only the leader: a sandbox's leader exits at once on SIGTERM while what it
   * runs (a Ray node's servers) may linger; killing the sandbox's init ends them all.
   */
  async stop(ref: BackendRef, run: Pick<WorkloadRun, "booking" | "dir" | "ports">): Promise<void> {
    await this.unforward(run.booking.toBase58());
    if (ref.pid === undefined) return;
    const pgid = ref.pid;
    // Without its leader, a group of that id is still ours: a pid is not reused while it names
    // a process group.
    const running = (): boolean => alive(ref) || groupMembers(pgid).length > 0;
    if (!running()) return;
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      try {
        process.kill(-pgid, signal);
      } catch {
        return;
      }
      for (let i = 0; i < 100 && running(); i++) await sleep(100);
      if (!running()) return;
    }
  }

  async adopt(ref: BackendRef, run: WorkloadRun): Promise<boolean> {
    if (!alive(ref)) return false;
    await this.forward(run);
    return true;
  }

  async detach(): Promise<void> {
    await Promise.all([...this.forwarders.keys()].map((b) => this.unforward(b)));
  }
}
