/**
 * The one interface every workload backend implements (process, docker, ray): start a booking's
 * workload and say when it runs, report its status, read its logs, stop it, and adopt one that
 * kept running while the agent was down.
 */
import type { PublicKey } from "@solana/web3.js";

import type { AgentConfig, BackendName } from "../config.js";

/** What a backend starts: the booking's workload as the chain describes it. */
export interface WorkloadRun {
  booking: PublicKey;
  reservation: PublicKey;
  kind: BackendName;
  /** Command line (process), image (docker), Ray image or entry point (ray). */
  image: string;
  ports: number[];
  /** The renter's environment (its hash checked against the booking's `env_hash`). */
  env: Record<string, string>;
  /** The booking's own directory: work files and logs below it. */
  dir: string;
  /** GPUs detected on the machine (0 for none). */
  gpuCount: number;
}

/** What a backend keeps to find its workload again (persisted in the agent's state file). */
export interface BackendRef {
  backend: BackendName;
  /** Process id and its kernel start time (to tell a reused pid apart). */
  pid?: number;
  pidStartTime?: string;
  containerId?: string;
  /** Extra values a backend needs (ports it chose, temp dirs). */
  data?: Record<string, string | number>;
}

export type WorkloadStatus =
  | { state: "running" }
  | { state: "exited"; code: number | null; signal: string | null }
  | { state: "gone" };

export interface Backend {
  readonly name: BackendName;
  /** Whether this machine can run it now, and if not why (and how to fix it). */
  check(): Promise<{ ok: boolean; detail: string }>;
  /** Starts the workload; resolves once it runs (its ports accept connections, if it has any). */
  start(run: WorkloadRun): Promise<BackendRef>;
  status(ref: BackendRef): Promise<WorkloadStatus>;
  /** The last `lines` lines of stdout and stderr. */
  logs(
    ref: BackendRef,
    run: Pick<WorkloadRun, "dir">,
    lines?: number,
  ): Promise<{ stdout: string; stderr: string }>;
  /** Stops it and frees what it held (containers removed, processes killed). */
  stop(ref: BackendRef, run: Pick<WorkloadRun, "booking" | "dir" | "ports">): Promise<void>;
  /**
   * After an agent restart: takes back a workload that kept running (re-opening what the agent
   * provided, e.g. port forwards). Returns false when it is no longer running.
   */
  adopt(ref: BackendRef, run: WorkloadRun): Promise<boolean>;
  /** Releases agent-side resources without stopping workloads (agent shutdown). */
  detach(): Promise<void>;
}

/** Context every backend gets. */
export interface BackendDeps {
  config: AgentConfig;
  log: {
    info(m: string, f?: Record<string, unknown>): void;
    warn(m: string, f?: Record<string, unknown>): void;
  };
}
