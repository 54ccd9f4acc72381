/**
 * The `docker` backend: a `container` reservation's image run through the Docker Engine API
 * (`docker.host`: Docker's socket, or Podman's Docker-compatible service), one container per
 * booking, named `iogrid-<booking>` and labelled with its booking and reservation.
 *
 * - Image: the reservation's `image`, pulled when the engine does not have it; it runs its own
 *   entry point and command (the chain records only the image).
 * - Ports: each workload port published on the host's loopback only (`127.0.0.1:<port>`), where
 *   the relay's tunnel reaches it; nothing else is published.
 * - Environment: the process backend's (the renter's delivered variables, `IOGRID_*`), nothing of
 *   the agent's.
 * - Confinement: every capability dropped, `no-new-privileges`, `limits.processes` as the PID
 *   and process limits, `limits.openFiles` as the open-file limit, `limits.memoryMib` as the memory limit when
 *   set; GPUs requested from the engine's NVIDIA runtime when the machine has them.
 * - Running: once every port accepts connections (at most 120 s, image pull included), or for an
 *   image without ports once it survived half a second or exited 0. Stopping: the engine's stop
 *   (SIGTERM, SIGKILL after 10 s), then the container is removed. An agent restart adopts a
 *   container that kept running by its id.
 */
import { request } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";

import { portOpen, workloadEnv } from "./process.js";
import type { Backend, BackendDeps, BackendRef, WorkloadRun, WorkloadStatus } from "./types.js";

/** The Docker Engine API version asked for (Docker 20.10+, Podman 4+). */
const API = "/v1.41";
const START_TIMEOUT_MS = 120_000;

/** An answer of the engine: status and parsed JSON (or raw bytes for logs). */
interface EngineReply {
  status: number;
  body: Buffer;
  json(): unknown;
}

/** A minimal Docker Engine API client over a unix socket or http(s) URL. */
export class DockerEngine {
  constructor(readonly host: string) {}

  call(method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<EngineReply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = payload
      ? { "content-type": "application/json", "content-length": payload.length }
      : {};
    return new Promise((resolve, reject) => {
      const done = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const buf = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            body: buf,
            json: () => (buf.length > 0 ? JSON.parse(buf.toString("utf8")) : null),
          });
        });
        res.on("error", reject);
      };
      const url = /^https?:\/\//.test(this.host) ? new URL(API + path, this.host) : undefined;
      const req = url
        ? (url.protocol === "https:" ? httpsRequest : request)(
            url,
            { method, headers, timeout: timeoutMs },
            done,
          )
        : request(
            { socketPath: this.host, path: API + path, method, headers, timeout: timeoutMs },
            done,
          );
      req.on("timeout", () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Calls and fails with the engine's message unless the status is one of `ok`. */
  async expect(
    ok: number[],
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<EngineReply> {
    const reply = await this.call(method, path, body, timeoutMs);
    if (!ok.includes(reply.status)) {
      let message = reply.body.toString("utf8").trim();
      try {
        message = (reply.json() as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new Error(
        `the container engine answered ${reply.status} to ${method} ${path}: ${message}`,
      );
    }
    return reply;
  }
}

/** Splits the engine's multiplexed log stream (8-byte frame headers) into stdout and stderr. */
export function demuxLogs(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const stream = buf[at]!;
    const size = buf.readUInt32BE(at + 4);
    const frame = buf.subarray(at + 8, at + 8 + size);
    (stream === 2 ? err : out).push(frame);
    at += 8 + size;
  }
  // A TTY container's logs are not framed.
  if (at === 0 && buf.length > 0) return { stdout: buf.toString("utf8"), stderr: "" };
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
  };
}

/** The `containers/create` body for a booking. */
export function containerSpec(
  run: Pick<WorkloadRun, "booking" | "reservation" | "image" | "ports" | "env" | "gpuCount">,
  limits: BackendDeps["config"]["limits"],
): Record<string, unknown> {
  const env = workloadEnv(run, "/root");
  delete env.HOME;
  delete env.PATH;
  const ports = Object.fromEntries(run.ports.map((p) => [`${p}/tcp`, {}]));
  return {
    Image: run.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: ports,
    Labels: {
      "iogrid.booking": run.booking.toBase58(),
      "iogrid.reservation": run.reservation.toBase58(),
    },
    HostConfig: {
      PortBindings: Object.fromEntries(
        run.ports.map((p) => [`${p}/tcp`, [{ HostIp: "127.0.0.1", HostPort: String(p) }]]),
      ),
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: limits.processes,
      Ulimits: [
        { Name: "nofile", Soft: limits.openFiles, Hard: limits.openFiles },
        { Name: "nproc", Soft: limits.processes, Hard: limits.processes },
      ],
      ...(limits.memoryMib > 0 ? { Memory: limits.memoryMib * 2 ** 20 } : {}),
      ...(run.gpuCount > 0
        ? { DeviceRequests: [{ Driver: "nvidia", Count: -1, Capabilities: [["gpu"]] }] }
        : {}),
    },
  };
}

export class DockerBackend implements Backend {
  readonly name = "docker" as const;
  private readonly engine: DockerEngine;

  constructor(private readonly deps: BackendDeps) {
    this.engine = new DockerEngine(deps.config.docker.host);
  }

  async check(): Promise<{ ok: boolean; detail: string }> {
    try {
      const version = (
        await this.engine.expect([200], "GET", "/version", undefined, 10_000)
      ).json() as {
        Version?: string;
        Components?: { Name: string; Version: string }[];
      };
      const engine = version.Components?.[0];
      return {
        ok: true,
        detail: `${engine?.Name ?? "Docker Engine"} ${engine?.Version ?? version.Version ?? "?"} at ${this.engine.host}`,
      };
    } catch (error) {
      return {
        ok: false,
        detail: `no container engine at ${this.engine.host} (${(error as Error).message}): start Docker, or Podman's service (podman system service), and set docker.host`,
      };
    }
  }

  private containerName(run: Pick<WorkloadRun, "booking">): string {
    return `iogrid-${run.booking.toBase58()}`;
  }

  async start(run: WorkloadRun): Promise<BackendRef> {
    const image = encodeURIComponent(run.image);
    const present = await this.engine.call("GET", `/images/${image}/json`);
    if (present.status === 404) {
      this.deps.log.info(`pulling ${run.image}`);
      const pull = await this.engine.expect(
        [200],
        "POST",
        `/images/create?fromImage=${image}`,
        undefined,
        600_000,
      );
      // The engine answers 200 and streams progress; a failure is a line with `error`.
      const failure = pull.body
        .toString("utf8")
        .split("\n")
        .map((line) => {
          try {
            return (JSON.parse(line) as { error?: string }).error;
          } catch {
            return undefined;
          }
        })
        .find(Boolean);
      if (failure) throw new Error(`cannot pull ${run.image}: ${failure}`);
    }
    const name = this.containerName(run);
    // A container left by an earlier attempt of this booking goes first.
    await this.engine.call("DELETE", `/containers/${name}?force=1`);
    const created = (
      await this.engine.expect(
        [201],
        "POST",
        `/containers/create?name=${name}`,
        containerSpec(run, this.deps.config.limits),
      )
    ).json() as { Id: string };
    const ref: BackendRef = { backend: "docker", containerId: created.Id };
    await this.engine.expect([204, 304], "POST", `/containers/${created.Id}/start`);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const status = await this.status(ref);
      if (status.state !== "running") {
        if (run.ports.length === 0 && status.state === "exited" && status.code === 0) return ref;
        const { stderr, stdout } = await this.logs(ref, run, 5);
        await this.stop(ref, run);
        throw new Error(
          `the container exited before it was running (${status.state === "exited" ? `code ${status.code}` : "gone"}): ${(stderr || stdout).trim()}`,
        );
      }
      if (run.ports.length === 0) {
        await sleep(500);
        if ((await this.status(ref)).state === "running") return ref;
        continue;
      }
      const open = await Promise.all(run.ports.map((p) => portOpen(p)));
      if (open.every(Boolean)) return ref;
      if (Date.now() > deadline) {
        await this.stop(ref, run);
        throw new Error(
          `the container did not open port(s) ${run.ports.join(", ")} within ${START_TIMEOUT_MS / 1000} s`,
        );
      }
      await sleep(200);
    }
  }

  async status(ref: BackendRef): Promise<WorkloadStatus> {
    if (!ref.containerId) return { state: "gone" };
    const reply = await this.engine.call("GET", `/containers/${ref.containerId}/json`);
    if (reply.status === 404) return { state: "gone" };
    if (reply.status !== 200) throw new Error(`inspecting the container: HTTP ${reply.status}`);
    const state = (reply.json() as { State: { Running: boolean; ExitCode: number } }).State;
    return state.Running
      ? { state: "running" }
      : { state: "exited", code: state.ExitCode, signal: null };
  }

  async logs(
    ref: BackendRef,
    _run: Pick<WorkloadRun, "dir">,
    lines = 200,
  ): Promise<{ stdout: string; stderr: string }> {
    if (!ref.containerId) return { stdout: "", stderr: "" };
    const reply = await this.engine.call(
      "GET",
      `/containers/${ref.containerId}/logs?stdout=1&stderr=1&tail=${lines}`,
    );
    return reply.status === 200 ? demuxLogs(reply.body) : { stdout: "", stderr: "" };
  }

  async stop(ref: BackendRef, _run: Pick<WorkloadRun, "booking" | "dir" | "ports">): Promise<void> {
    if (!ref.containerId) return;
    await this.engine.call("POST", `/containers/${ref.containerId}/stop?t=10`, undefined, 30_000);
    await this.engine.call("DELETE", `/containers/${ref.containerId}?force=1`, undefined, 30_000);
  }

  async adopt(ref: BackendRef, _run: WorkloadRun): Promise<boolean> {
    return (await this.status(ref)).state === "running";
  }

  async detach(): Promise<void> {
    // Nothing of the agent's holds a container.
  }
}
