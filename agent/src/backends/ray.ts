/**
 * The `ray` backend: each booking of a Ray reservation is one node of the renter's Ray cluster,
 * run from PyPI's `ray` (the venv that `npm run setup:ray` creates; `ray.command` names it).
 *
 * - Roles come from the chain: the reservation's first booked device (the sdk's
 *   `firstBookedDevice`) starts the head; every other device asks the head's agent for the GCS
 *   address (`GET <head endpoint>/v1/ray/<reservation>`, answered only while that head runs) and
 *   joins it, waiting while the head is still starting.
 * - A node is `ray start --block` in the process backend's bubblewrap sandbox (own PID, mount and
 *   user namespaces; the venv and its interpreter read-only; as `nobody` when the agent is root),
 *   but with the host network: Ray nodes talk to each other over TCP. Its session files live in
 *   the booking's `ray/` dir, mounted at a short path (Ray's unix sockets need one). Stopping it
 *   ends the sandbox's PID namespace, so no Ray process outlives its booking.
 * - Ports: the head's GCS on `ray.headPort`; node manager, object manager, agents and workers
 *   from `ray.portBase` up (`rayPorts`), so several agents on one machine form one cluster. The
 *   head's dashboard and job API listen on 127.0.0.1 at the workload's first port, the Ray client
 *   server at its second if it has one: renters reach them through the relay tunnel only.
 * - A reservation's `image` may pin the Ray version (`ray:2.60`, `rayproject/ray:2.60.0-gpu`);
 *   a node of another major.minor version is refused before it starts.
 */
import { mkdirSync, chownSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { fetchReservationBookings, firstBookedDevice, decodeDevice } from "@iogrid/sdk";
import type { HttpReply, HttpRoute } from "@iogrid/sdk/node";
import { httpError } from "@iogrid/sdk/node";
import type { PublicKey } from "@solana/web3.js";

import type { AgentContext } from "../context.js";
import { run as runCommand } from "../detect.js";
import {
  ProcessBackend,
  WORKLOAD_UID,
  gpuDevices,
  portOpen,
  prlimitArgs,
  sandboxArgv,
  workloadEnv,
} from "./process.js";
import type { LaunchSpec, bookingPaths } from "./process.js";
import type { BackendDeps, BackendRef, WorkloadRun } from "./types.js";

/** Ray's session dir inside the sandbox: short, for its unix socket paths. */
const SANDBOX_SESSION_DIR = "/tmp/ray";
/** How long a worker waits for its head, and a node for Ray to come up. */
const HEAD_WAIT_MS = 180_000;
const START_TIMEOUT_MS = 180_000;
/**
 * The least `--nproc` a Ray node runs under: one node runs about 200 threads, and the limit
 * counts every thread of the workloads' user.
 */
export const RAY_MIN_PROCESSES = 4_096;

/** The ports one Ray node of this agent uses, from `ray.portBase` up. */
export function rayPorts(portBase: number): {
  nodeManager: number;
  objectManager: number;
  runtimeEnvAgent: number;
  dashboardAgentGrpc: number;
  dashboardAgentHttp: number;
  metricsExport: number;
  minWorker: number;
  maxWorker: number;
} {
  return {
    nodeManager: portBase,
    objectManager: portBase + 1,
    runtimeEnvAgent: portBase + 2,
    dashboardAgentGrpc: portBase + 3,
    dashboardAgentHttp: portBase + 4,
    metricsExport: portBase + 5,
    minWorker: portBase + 10,
    maxWorker: portBase + 99,
  };
}

/** The Ray version a reservation's image asks for (`major.minor`), if it names one. */
export function requestedRayVersion(image: string): string | undefined {
  return /(?:^|\/)ray(?:-ml)?:(\d+\.\d+)/.exec(image.trim())?.[1];
}

/** Whether `installed` satisfies the image's pin (same major.minor; no pin: any). */
export function rayVersionProblem(image: string, installed: string): string | undefined {
  const wanted = requestedRayVersion(image);
  if (!wanted) return undefined;
  const have = /^(\d+\.\d+)/.exec(installed)?.[1];
  return have === wanted
    ? undefined
    : `the reservation asks for Ray ${wanted} (${image}); this device runs Ray ${installed}`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `ray start` command line of one node. */
export function rayStartArgs(params: {
  ray: string;
  role: "head" | "worker";
  /** GCS `host:port` a worker joins. */
  headAddress?: string;
  headPort: number;
  nodeAddress: string;
  sessionDir: string;
  portBase: number;
  /** The workload's ports: the dashboard/job API, then the Ray client server. */
  ports: number[];
  cpus: number;
  gpus: number;
  objectStoreMib: number;
}): string[] {
  const p = rayPorts(params.portBase);
  const args = [params.ray, "start", "--block", "--disable-usage-stats"];
  if (params.role === "head") {
    args.push("--head", `--port=${params.headPort}`, "--dashboard-host=127.0.0.1");
    args.push(`--dashboard-port=${params.ports[0] ?? params.portBase + 6}`);
    if (params.ports[1] !== undefined) args.push(`--ray-client-server-port=${params.ports[1]}`);
  } else {
    if (!params.headAddress) throw new Error("a Ray worker needs its head's address");
    args.push(`--address=${params.headAddress}`);
  }
  args.push(
    `--node-ip-address=${params.nodeAddress}`,
    `--temp-dir=${params.sessionDir}`,
    `--node-manager-port=${p.nodeManager}`,
    `--object-manager-port=${p.objectManager}`,
    `--runtime-env-agent-port=${p.runtimeEnvAgent}`,
    `--dashboard-agent-grpc-port=${p.dashboardAgentGrpc}`,
    `--dashboard-agent-listen-port=${p.dashboardAgentHttp}`,
    `--metrics-export-port=${p.metricsExport}`,
    `--min-worker-port=${p.minWorker}`,
    `--max-worker-port=${p.maxWorker}`,
    `--num-cpus=${params.cpus}`,
    `--num-gpus=${params.gpus}`,
  );
  if (params.objectStoreMib > 0)
    args.push(`--object-store-memory=${params.objectStoreMib * 2 ** 20}`);
  return args;
}

/** Whether the head's job API answers (the dashboard serves it once Ray is up). */
async function jobApiReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/version`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export class RayBackend extends ProcessBackend {
  override readonly name = "ray" as const;
  /** What `check` found: Ray's version and the Python prefixes the sandbox must see. */
  private version = "";
  private pythonPaths: string[] = [];
  /** Heads this agent runs: reservation -> GCS `host:port`. */
  private readonly heads = new Map<string, string>();

  constructor(
    deps: BackendDeps,
    private readonly ctx: Pick<AgentContext, "connection" | "device">,
  ) {
    super(deps);
  }

  private get ray(): BackendDeps["config"]["ray"] {
    return this.deps.config.ray;
  }

  override async check(): Promise<{ ok: boolean; detail: string }> {
    const sandbox = await super.check();
    if (!sandbox.ok) return sandbox;
    const fix = "run `npm run setup:ray` and set ray.command to the path it prints";
    const version = await runCommand(this.ray.command, ["--version"], 60_000);
    const found = /version (\S+)/.exec(version.stdout)?.[1];
    if (version.code !== 0 || !found) {
      const why =
        version.error?.code === "ENOENT" ? "not found" : version.stderr.trim().split("\n").pop();
      return { ok: false, detail: `${this.ray.command}: ${why ?? "no version"}; ${fix}` };
    }
    const python = await runCommand(
      join(dirname(this.ray.command), "python"),
      ["-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
      30_000,
    );
    if (python.code !== 0)
      return { ok: false, detail: `no Python beside ${this.ray.command}; ${fix}` };
    if (this.deps.config.process.sandbox === "bwrap" && this.asRoot) {
      // The sandbox runs as nobody: the venv and its interpreter must be readable by it.
      const asNobody = await runCommand(
        "setpriv",
        [
          `--reuid=${WORKLOAD_UID}`,
          `--regid=${WORKLOAD_UID}`,
          "--clear-groups",
          "--",
          join(dirname(this.ray.command), "python"),
          "-c",
          "import ray",
        ],
        60_000,
      );
      if (asNobody.code !== 0)
        return {
          ok: false,
          detail: `the sandbox's user (nobody) cannot run ${this.ray.command} (${asNobody.stderr.trim().split("\n").pop()}): put the venv where nobody can read it, with a Python outside /root, e.g. IOGRID_RAY_VENV=/var/cache/iogrid/ray-venv npm run setup:ray`,
        };
    }
    this.version = found;
    this.pythonPaths = [...new Set(python.stdout.trim().split("\n").filter(Boolean))];
    const isolation =
      this.deps.config.process.sandbox === "none"
        ? "no sandbox"
        : "bubblewrap sandbox on the host network";
    return { ok: true, detail: `Ray ${found} (${this.ray.command}), ${isolation}` };
  }

  /** `GET /v1/ray/<reservation>`: the GCS address of the head this agent runs for it. */
  routes(): HttpRoute[] {
    return [
      {
        method: "GET",
        path: "/v1/ray/",
        prefix: true,
        handle: (request): HttpReply => {
          const reservation = request.path.slice("/v1/ray/".length);
          const gcs = this.heads.get(reservation);
          return gcs
            ? { status: 200, json: { reservation, gcsAddress: gcs, rayVersion: this.version } }
            : httpError(404, "NoRayHead", `no Ray head of reservation ${reservation} runs here`);
        },
      },
    ];
  }

  /** This device's role in the reservation's cluster, and the head's GCS for a worker. */
  private async role(run: WorkloadRun): Promise<{ role: "head" | "worker"; headAddress?: string }> {
    const bookings = await fetchReservationBookings(this.ctx.connection, run.reservation);
    const head = firstBookedDevice(bookings);
    if (!head) throw new Error(`reservation ${run.reservation.toBase58()} has no bookings`);
    if (head.equals(this.ctx.device)) return { role: "head" };
    return { role: "worker", headAddress: await this.headAddress(head, run.reservation) };
  }

  /** Asks the head device's agent for its GCS address until it answers. */
  private async headAddress(head: PublicKey, reservation: PublicKey): Promise<string> {
    const account = await this.ctx.connection.getAccountInfo(head, "confirmed");
    if (!account) throw new Error(`the Ray head's device ${head.toBase58()} is not registered`);
    const endpoint = decodeDevice(account.data).endpoint.replace(/\/$/, "");
    if (!endpoint)
      throw new Error(
        `the Ray head's device ${head.toBase58()} publishes no endpoint: its nodes cannot reach it`,
      );
    const url = `${endpoint}/v1/ray/${reservation.toBase58()}`;
    const deadline = Date.now() + HEAD_WAIT_MS;
    let last = "no answer";
    while (Date.now() < deadline) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { gcsAddress?: string; reason?: string };
        if (res.ok && body.gcsAddress) return body.gcsAddress;
        last = body.reason ?? `HTTP ${res.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(1_000);
    }
    throw new Error(`the Ray head (device ${head.toBase58()}) did not answer at ${url}: ${last}`);
  }

  protected override async launchSpec(
    run: WorkloadRun,
    paths: ReturnType<typeof bookingPaths>,
  ): Promise<LaunchSpec> {
    const problem = rayVersionProblem(run.image, this.version);
    if (problem) throw new Error(problem);
    const { role, headAddress } = await this.role(run);
    const sandboxed = this.deps.config.process.sandbox === "bwrap";
    const sessionHost = sandboxed
      ? join(run.dir, "ray")
      : `/tmp/iogrid-ray-${run.booking.toBase58().slice(0, 12)}`;
    mkdirSync(sessionHost, { recursive: true, mode: 0o750 });
    if (sandboxed && this.asRoot) chownSync(sessionHost, WORKLOAD_UID, WORKLOAD_UID);
    const ray = this.ray;
    const args = rayStartArgs({
      ray: this.ray.command,
      role,
      headAddress,
      headPort: ray.headPort,
      nodeAddress: ray.nodeAddress,
      sessionDir: sandboxed ? SANDBOX_SESSION_DIR : sessionHost,
      portBase: ray.portBase,
      ports: run.ports,
      cpus: ray.cpus || availableParallelism(),
      gpus: run.gpuCount,
      objectStoreMib: ray.objectStoreMib,
    });
    const limits = this.deps.config.limits;
    const argv = sandboxArgv({
      command: `exec ${args.map(shellQuote).join(" ")}`,
      ports: run.ports,
      paths,
      config: this.deps.config,
      asRoot: this.asRoot,
      network: "full",
      readOnly: this.pythonPaths,
      binds: [[sessionHost, SANDBOX_SESSION_DIR]],
      devices: run.gpuCount > 0 ? gpuDevices() : [],
      // Ray's processes live for the whole booking and map large address ranges: neither a CPU
      // time nor an address-space limit fits them.
      limits: prlimitArgs({
        ...limits,
        cpuSeconds: 0,
        memoryMib: 0,
        processes: Math.max(limits.processes, RAY_MIN_PROCESSES),
      }),
    });
    const home = sandboxed ? "/work" : paths.work;
    const env = {
      ...workloadEnv(run, home),
      PATH: `${dirname(this.ray.command)}:/usr/local/bin:/usr/bin:/bin`,
      RAY_USAGE_STATS_ENABLED: "0",
    };
    const gcs = `${ray.nodeAddress}:${ray.headPort}`;
    const nodeManager = rayPorts(ray.portBase).nodeManager;
    const dashboard = run.ports[0] ?? ray.portBase + 6;
    return {
      argv,
      env,
      timeoutMs: START_TIMEOUT_MS,
      pollMs: 500,
      waitingFor:
        role === "head"
          ? `the Ray head's GCS (${gcs}) and job API (127.0.0.1:${dashboard})`
          : `the Ray node manager (${ray.nodeAddress}:${nodeManager}) joined to ${headAddress}`,
      ready:
        role === "head"
          ? async () =>
              (await portOpen(ray.headPort, ray.nodeAddress)) && (await jobApiReady(dashboard))
          : () => portOpen(nodeManager, ray.nodeAddress),
      data: { role, gcs: role === "head" ? gcs : headAddress!, session: sessionHost },
    };
  }

  override async start(run: WorkloadRun): Promise<BackendRef> {
    const ref = await super.start(run);
    this.remember(ref, run);
    return ref;
  }

  override async adopt(ref: BackendRef, run: WorkloadRun): Promise<boolean> {
    const running = await super.adopt(ref, run);
    if (running) this.remember(ref, run);
    return running;
  }

  override async stop(
    ref: BackendRef,
    run: Pick<WorkloadRun, "booking" | "dir" | "ports">,
  ): Promise<void> {
    for (const [reservation, gcs] of this.heads)
      if (ref.data?.role === "head" && ref.data.gcs === gcs) this.heads.delete(reservation);
    await super.stop(ref, run);
  }

  private remember(ref: BackendRef, run: WorkloadRun): void {
    if (ref.data?.role === "head") this.heads.set(run.reservation.toBase58(), String(ref.data.gcs));
  }
}
