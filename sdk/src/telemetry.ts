/**
 * A device's telemetry as its agent serves it (`GET /v1/telemetry`), read through the relay
 * (`GET <relay>/v1/devices/<device>/v1/telemetry`, CORS open): the latest sample, or why there is
 * none (the relay's `AgentNotAttached` when the agent is offline). Browser-safe (global `fetch`).
 */
import type { PublicKey } from "@solana/web3.js";

/** One GPU's readings; null where nvidia-smi could not tell. */
export interface GpuTelemetrySample {
  index: number;
  uuid: string;
  temperatureC: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  utilizationPct: number | null;
  memoryUtilizationPct: number | null;
  memoryUsedMib: number | null;
  memoryTotalMib: number | null;
}

/** The agent's telemetry snapshot (the wire format of `/v1/telemetry`). */
export interface TelemetrySample {
  /** Unix milliseconds. */
  sampledAt: number;
  gpus: GpuTelemetrySample[];
  gpuError: string | null;
  cpu: { cores: number; load1: number; load5: number; load15: number };
  memory: { totalMib: number; availableMib: number };
  workloads: { booking: string; reservation: string; kind: string; state: string }[];
}

export type TelemetryRead =
  | { state: "online"; sample: TelemetrySample }
  | { state: "offline"; reason: string }
  | { state: "error"; error: string };

/** The relay's HTTP URL from its `ws://`/`wss://` or `http(s)://` URL, without a trailing slash. */
export function relayHttpUrl(relay: string): string {
  return relay.replace(/^ws(s?):\/\//, "http$1://").replace(/\/+$/, "");
}

/** The URL of `device`'s telemetry at `relay`. */
export function relayTelemetryUrl(relay: string, device: PublicKey | string): string {
  return `${relayHttpUrl(relay)}/v1/devices/${device.toString()}/v1/telemetry`;
}

/** `device`'s latest telemetry through `relay`; `offline` when its agent is not attached. */
export async function fetchRelayTelemetry(
  relay: string,
  device: PublicKey | string,
  init: { signal?: AbortSignal } = {},
): Promise<TelemetryRead> {
  let res: Response;
  try {
    res = await fetch(relayTelemetryUrl(relay, device), { signal: init.signal });
  } catch (err) {
    return { state: "error", error: `the relay did not answer: ${(err as Error).message}` };
  }
  const body = (await res.json().catch(() => null)) as
    (TelemetrySample & { error?: string; reason?: string }) | null;
  if (res.ok && body && typeof body.sampledAt === "number")
    return { state: "online", sample: body };
  if (body?.error === "AgentNotAttached")
    return { state: "offline", reason: body.reason ?? "the agent is not attached" };
  return {
    state: "error",
    error: `${res.status} ${body?.error ?? ""} ${body?.reason ?? ""}`.trim(),
  };
}

/** The figures the telemetry charts plot from one sample (null where no GPU reports one). */
export interface TelemetryPoint {
  at: number;
  /** Hottest GPU, °C. */
  temperatureC: number | null;
  /** All GPUs' draw, W. */
  powerW: number | null;
  /** Mean GPU utilisation, %. */
  utilizationPct: number | null;
  cpuLoad1: number;
  cpuCores: number;
  memoryUsedMib: number;
  memoryTotalMib: number;
}

/** `sample` reduced to the charted figures. */
export function telemetryPoint(sample: TelemetrySample): TelemetryPoint {
  const of = (f: (g: GpuTelemetrySample) => number | null): number[] =>
    sample.gpus.map(f).filter((v): v is number => v !== null);
  const temps = of((g) => g.temperatureC);
  const power = of((g) => g.powerW);
  const util = of((g) => g.utilizationPct);
  return {
    at: sample.sampledAt,
    temperatureC: temps.length ? Math.max(...temps) : null,
    powerW: power.length ? power.reduce((a, b) => a + b, 0) : null,
    utilizationPct: util.length ? util.reduce((a, b) => a + b, 0) / util.length : null,
    cpuLoad1: sample.cpu.load1,
    cpuCores: sample.cpu.cores,
    memoryUsedMib: sample.memory.totalMib - sample.memory.availableMib,
    memoryTotalMib: sample.memory.totalMib,
  };
}
