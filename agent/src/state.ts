/**
 * What the agent must remember across restarts, in `<workDir>/state.json`: each booking's
 * workload (backend reference, phase, restarts) and its start acknowledgement (the signed
 * transaction's bytes and blockhash lifetime once it is sent, so a restarted agent re-sends the
 * same bytes instead of signing a second acknowledgement). Written atomically (temporary file,
 * fsync, rename, fsync of the directory), so a SIGKILL at any point leaves the old or the new
 * state, never a torn one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { writeFileDurably } from "@iogrid/sdk/node";

import type { BackendName } from "./config.js";
import type { BackendRef } from "./backends/types.js";

export type AckState =
  | { status: "none" }
  /** Signed and handed to the RPC; `transaction` is its wire bytes (base64). */
  | {
      status: "sent";
      signature: string;
      transaction: string;
      lastValidBlockHeight: number;
      sentAt: number;
    }
  | { status: "confirmed"; signature: string | null; confirmedAt: number };

export type WorkloadPhase = "starting" | "running" | "completed" | "failed" | "stopped";

export interface WorkloadRecord {
  booking: string;
  reservation: string;
  kind: BackendName;
  image: string;
  ports: number[];
  dir: string;
  phase: WorkloadPhase;
  ref: BackendRef | null;
  ack: AckState;
  /** Starts after the first (a workload found dead while its booking runs). */
  restarts: number;
  /** Why it stopped (the booking's stop reason, or the failure). */
  detail: string | null;
  updatedAt: number;
}

export interface AgentState {
  version: 1;
  workloads: Record<string, WorkloadRecord>;
}

function empty(): AgentState {
  return { version: 1, workloads: {} };
}

/** The state file, loaded once and written through on every change. */
export class StateStore {
  readonly path: string;
  private state: AgentState;

  constructor(workDir: string) {
    this.path = join(workDir, "state.json");
    this.state = StateStore.read(this.path);
  }

  private static read(path: string): AgentState {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return empty();
      throw e;
    }
    const parsed = JSON.parse(text) as AgentState;
    if (parsed.version !== 1 || typeof parsed.workloads !== "object") {
      throw new Error(
        `${path}: not an iogrid-agent state file (version ${String(parsed.version)})`,
      );
    }
    return parsed;
  }

  get workloads(): WorkloadRecord[] {
    return Object.values(this.state.workloads);
  }

  get(booking: string): WorkloadRecord | undefined {
    return this.state.workloads[booking];
  }

  /** Stores `record` and writes the file before returning. */
  put(record: WorkloadRecord): void {
    this.state.workloads[record.booking] = { ...record, updatedAt: Date.now() };
    this.flush();
  }

  /** Applies `change` to the booking's record and writes the file. */
  update(booking: string, change: Partial<WorkloadRecord>): WorkloadRecord {
    const current = this.state.workloads[booking];
    if (!current) throw new Error(`no workload for booking ${booking}`);
    const next = { ...current, ...change, updatedAt: Date.now() };
    this.state.workloads[booking] = next;
    this.flush();
    return next;
  }

  /** Forgets bookings that are settled and whose workload is stopped. */
  remove(booking: string): void {
    delete this.state.workloads[booking];
    this.flush();
  }

  private flush(): void {
    writeFileDurably(this.path, JSON.stringify(this.state, null, 2) + "\n");
  }
}
