/**
 * Telemetry: per-GPU temperature, power, utilisation and memory from nvidia-smi, the host's CPU
 * load and memory, sampled every `telemetry.intervalMs` into Prometheus gauges and a JSON snapshot
 * (served at `/telemetry`, and read by the web app's Worker page through the relay).
 */
import { freemem, loadavg, totalmem, cpus } from "node:os";

import type { GpuTelemetrySample, TelemetrySample } from "@iogrid/sdk";
import type { MetricsRegistry } from "@iogrid/sdk/node";

import { csvRows, numberOrNull, nvidiaSmiCommand, run } from "./detect.js";

/** One GPU's readings; null where nvidia-smi could not tell (the sdk's wire format). */
export type GpuTelemetry = GpuTelemetrySample;

export const TELEMETRY_QUERY_FIELDS = [
  "index",
  "uuid",
  "temperature.gpu",
  "power.draw",
  "power.limit",
  "utilization.gpu",
  "utilization.memory",
  "memory.used",
  "memory.total",
] as const;

/** Parses the telemetry query's `csv,noheader,nounits` output. */
export function parseGpuTelemetry(text: string): GpuTelemetry[] {
  return csvRows(text).map((row, i) => ({
    index: numberOrNull(row[0]) ?? i,
    uuid: row[1] ?? "",
    temperatureC: numberOrNull(row[2]),
    powerW: numberOrNull(row[3]),
    powerLimitW: numberOrNull(row[4]),
    utilizationPct: numberOrNull(row[5]),
    memoryUtilizationPct: numberOrNull(row[6]),
    memoryUsedMib: numberOrNull(row[7]),
    memoryTotalMib: numberOrNull(row[8]),
  }));
}

/** A telemetry snapshot: what `/v1/telemetry` serves, as the sdk's `fetchRelayTelemetry` reads it. */
export type TelemetrySnapshot = TelemetrySample;

/** Reads the GPUs (empty without nvidia-smi). */
export async function sampleGpus(
  command = nvidiaSmiCommand(),
): Promise<{ gpus: GpuTelemetry[]; error: string | null }> {
  const result = await run(
    command,
    [`--query-gpu=${TELEMETRY_QUERY_FIELDS.join(",")}`, "--format=csv,noheader,nounits"],
    8_000,
  );
  if (result.error?.code === "ENOENT") return { gpus: [], error: null };
  if (result.code !== 0) {
    return {
      gpus: [],
      error: (result.stdout + result.stderr).trim().split("\n")[0] ?? "nvidia-smi failed",
    };
  }
  return { gpus: parseGpuTelemetry(result.stdout), error: null };
}

/** Samples telemetry periodically and mirrors it into gauges. */
export class Telemetry {
  private snapshot: TelemetrySnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly gauges;

  constructor(
    metrics: MetricsRegistry,
    private readonly workloads: () => TelemetrySnapshot["workloads"],
    private readonly hasGpus: boolean,
  ) {
    this.gauges = {
      temperature: metrics.gauge("iogrid_agent_gpu_temperature_celsius", "GPU temperature"),
      power: metrics.gauge("iogrid_agent_gpu_power_watts", "GPU power draw"),
      utilization: metrics.gauge("iogrid_agent_gpu_utilization_ratio", "GPU utilisation, 0-1"),
      memoryUsed: metrics.gauge("iogrid_agent_gpu_memory_used_bytes", "GPU memory in use"),
      load: metrics.gauge("iogrid_agent_cpu_load1", "One-minute load average"),
      memAvailable: metrics.gauge("iogrid_agent_memory_available_bytes", "Host memory available"),
      workload: metrics.gauge(
        "iogrid_agent_workload_state",
        "1 per workload in the labelled state",
      ),
    };
  }

  /** Takes one sample now. */
  async sample(): Promise<TelemetrySnapshot> {
    const { gpus, error } = this.hasGpus ? await sampleGpus() : { gpus: [], error: null };
    const [load1, load5, load15] = loadavg() as [number, number, number];
    const snapshot: TelemetrySnapshot = {
      sampledAt: Date.now(),
      gpus,
      gpuError: error,
      cpu: { cores: cpus().length, load1, load5, load15 },
      memory: {
        totalMib: Math.floor(totalmem() / 2 ** 20),
        availableMib: Math.floor(freemem() / 2 ** 20),
      },
      workloads: this.workloads(),
    };
    const g = this.gauges;
    for (const gpu of gpus) {
      const labels = { gpu: gpu.index, uuid: gpu.uuid };
      if (gpu.temperatureC !== null) g.temperature.set(gpu.temperatureC, labels);
      if (gpu.powerW !== null) g.power.set(gpu.powerW, labels);
      if (gpu.utilizationPct !== null) g.utilization.set(gpu.utilizationPct / 100, labels);
      if (gpu.memoryUsedMib !== null) g.memoryUsed.set(gpu.memoryUsedMib * 2 ** 20, labels);
    }
    g.load.set(load1);
    g.memAvailable.set(freemem());
    g.workload.reset();
    for (const w of snapshot.workloads) {
      g.workload.set(1, { booking: w.booking, kind: w.kind, state: w.state });
    }
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The latest snapshot (sampled now when none was taken yet). */
  async latest(): Promise<TelemetrySnapshot> {
    return this.snapshot ?? this.sample();
  }

  start(intervalMs: number): void {
    const tick = (): void => {
      this.sample().catch(() => undefined);
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
