/**
 * Hardware detection: GPUs from `nvidia-smi` (model, count, VRAM, UUIDs, PCI bus, driver and
 * CUDA versions), CPU cores, RAM, disk and OS from Node, normalised into the registry's device
 * record (`DeviceSpecs` + GPU model) and the staking GPU class that model falls in. The parsers
 * are pure functions over nvidia-smi's text, tested on recorded outputs.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statfsSync } from "node:fs";
import { cpus, release, totalmem, type as osType } from "node:os";

import { BANDWIDTH_TIER, STAKING_DEFAULTS, gpuClassMultiplier } from "@iogrid/sdk";
import type { DeviceSpecs, GpuClassLike } from "@iogrid/sdk";

/** One GPU as nvidia-smi lists it. */
export interface Gpu {
  index: number;
  uuid: string;
  name: string;
  memoryMib: number;
  driverVersion: string;
  pciBusId: string;
  /** e.g. "9.0"; null when the driver cannot report it. */
  computeCap: string | null;
}

/** What nvidia-smi said. */
export type GpuProbe =
  | { status: "ok"; gpus: Gpu[]; cudaVersion: string | null }
  | { status: "absent"; detail: string }
  | { status: "failed"; detail: string };

/** The inventory query (one CSV row per GPU). */
export const GPU_QUERY_FIELDS = [
  "index",
  "uuid",
  "name",
  "memory.total",
  "driver_version",
  "pci.bus_id",
  "compute_cap",
] as const;

/** A value nvidia-smi could not give: `[N/A]`, `N/A`, `[Not Supported]`, empty. */
export function naToNull(value: string | undefined): string | null {
  const v = (value ?? "").trim();
  if (
    v === "" ||
    /^\[?N\/A\]?$/i.test(v) ||
    /^\[?Not Supported\]?$/i.test(v) ||
    /^\[?Unknown Error\]?$/i.test(v)
  ) {
    return null;
  }
  return v;
}

/** A number, or null for N/A-like or non-numeric values (never NaN). */
export function numberOrNull(value: string | undefined): number | null {
  const v = naToNull(value);
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Splits nvidia-smi's `--format=csv,noheader,nounits` output into rows of trimmed fields. */
export function csvRows(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => line.split(",").map((f) => f.trim()));
}

/** Parses the inventory query's output (with or without the `compute_cap` column). */
export function parseGpuInventory(text: string): Gpu[] {
  return csvRows(text).map((row, i) => {
    if (row.length < 6)
      throw new Error(`nvidia-smi row ${i + 1} has ${row.length} fields, expected 6 or 7`);
    const memory = numberOrNull(row[3]);
    return {
      index: numberOrNull(row[0]) ?? i,
      uuid: row[1]!,
      name: row[2]!,
      memoryMib: memory === null ? 0 : Math.round(memory),
      driverVersion: row[4]!,
      pciBusId: row[5]!,
      computeCap: row.length > 6 ? naToNull(row[6]) : null,
    };
  });
}

/** The CUDA version in nvidia-smi's plain output header ("CUDA Version: 12.2"). */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version:\s*([0-9.]+)/.exec(text)?.[1] ?? null;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

/** Runs a program without a shell, with a timeout and a bounded output. */
export function run(command: string, args: string[], timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 256 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
        resolve({
          code: err ? (typeof err.code === "number" ? err.code : null) : 0,
          stdout: String(stdout ?? ""),
          stderr: String(stderr ?? ""),
          ...(err ? { error: err } : {}),
        });
      },
    );
  });
}

/** The nvidia-smi to run: `IOGRID_NVIDIA_SMI` when set, else from PATH. */
export function nvidiaSmiCommand(): string {
  return process.env.IOGRID_NVIDIA_SMI ?? "nvidia-smi";
}

/** Asks nvidia-smi for the GPUs (falls back without `compute_cap` on old drivers). */
export async function probeGpus(
  command = nvidiaSmiCommand(),
  timeoutMs = 10_000,
): Promise<GpuProbe> {
  const query = (fields: readonly string[]): Promise<RunResult> =>
    run(command, [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"], timeoutMs);
  let result = await query(GPU_QUERY_FIELDS);
  if (result.error?.code === "ENOENT") {
    return { status: "absent", detail: `${command} not found: no NVIDIA driver installed` };
  }
  if (result.code !== 0 && /not a valid field/i.test(result.stderr + result.stdout)) {
    result = await query(GPU_QUERY_FIELDS.filter((f) => f !== "compute_cap"));
  }
  if (result.error && result.code === null) {
    const why = (result.error as { killed?: boolean }).killed
      ? `timed out after ${timeoutMs} ms`
      : result.error.message;
    return { status: "failed", detail: `${command}: ${why}` };
  }
  const output = (result.stdout + result.stderr).trim();
  if (result.code !== 0) {
    if (/No devices were found/i.test(output)) {
      return { status: "absent", detail: "nvidia-smi found no GPU" };
    }
    return {
      status: "failed",
      detail: `nvidia-smi exited with ${result.code}: ${output.split("\n")[0] ?? ""}`,
    };
  }
  let gpus: Gpu[];
  try {
    gpus = parseGpuInventory(result.stdout);
  } catch (e) {
    return { status: "failed", detail: (e as Error).message };
  }
  if (gpus.length === 0) return { status: "absent", detail: "nvidia-smi listed no GPU" };
  const plain = await run(command, [], timeoutMs);
  return { status: "ok", gpus, cudaVersion: parseCudaVersion(plain.stdout) };
}

/** The registry's string limit for GPU models. */
export const MAX_GPU_MODEL_LEN = 48;
/** What a device without an NVIDIA GPU registers as its GPU model. */
export const CPU_ONLY_MODEL = "CPU only";

/** A device's record as the registry keeps it, with what it was derived from. */
export interface DetectedHardware {
  gpuModel: string;
  specs: DeviceSpecs;
  /** The staking class the model falls in (multiplier in hundredths), or null for none. */
  gpuClass: { pattern: string; multiplierCenti: number } | null;
  gpus: Gpu[];
  cudaVersion: string | null;
  driverVersion: string | null;
  /** "ok", or why no GPU was recorded (no driver, driver failure). */
  gpuStatus: GpuProbe["status"];
  gpuDetail: string | null;
  /** True when the GPUs are of several models (the record then names the least capable). */
  mixed: boolean;
  cpu: { model: string; cores: number };
  ramMib: number;
  diskGib: number;
  os: string;
  warnings: string[];
}

/** Host facts besides the GPUs (tests pass fixed ones). */
export interface HostFacts {
  cpuModel: string;
  cpuCores: number;
  ramMib: number;
  diskGib: number;
  os: string;
}

/** The host's CPU, RAM, the disk holding `workDir`, and the OS. */
export function hostFacts(workDir: string): HostFacts {
  const list = cpus();
  let diskGib = 0;
  try {
    const fs = statfsSync(workDir);
    diskGib = Math.floor((fs.blocks * fs.bsize) / 2 ** 30);
  } catch {
    try {
      const fs = statfsSync("/");
      diskGib = Math.floor((fs.blocks * fs.bsize) / 2 ** 30);
    } catch {
      diskGib = 0;
    }
  }
  let os = `${osType()} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (pretty?.[1]) os = `${pretty[1]} (${osType()} ${release()})`;
  } catch {
    // not Linux, or no os-release
  }
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown CPU",
    cpuCores: Math.max(1, list.length),
    ramMib: Math.floor(totalmem() / 2 ** 20),
    diskGib,
    os,
  };
}

function classOf(model: string, classes: readonly GpuClassLike[]): DetectedHardware["gpuClass"] {
  const lower = model.toLowerCase();
  const found = classes.find((c) => lower.includes(c.pattern.toLowerCase()));
  return found ? { pattern: found.pattern, multiplierCenti: found.multiplierCenti } : null;
}

/**
 * The registry record for `probe` on a host with `host`: every GPU counted, VRAM the smallest
 * GPU's; for mixed models the least capable model by class multiplier (then the smallest VRAM)
 * is recorded, so a renter never gets less than the record says. Without a usable GPU, a
 * CPU-only record: model "CPU only", one unit, 1 MiB of VRAM (the registry requires a non-zero
 * count and VRAM; no VRAM filter selects it).
 */
export function normaliseHardware(
  probe: GpuProbe,
  host: HostFacts,
  classes: readonly GpuClassLike[] = STAKING_DEFAULTS.gpuClasses,
): DetectedHardware {
  const warnings: string[] = [];
  const base = {
    cpu: { model: host.cpuModel, cores: host.cpuCores },
    ramMib: host.ramMib,
    diskGib: host.diskGib,
    os: host.os,
  };
  const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));
  const common = {
    cpuCores: clamp(host.cpuCores, 1, 4_096),
    ramMib: clamp(host.ramMib, 1, 64 << 20),
    storageGib: clamp(host.diskGib, 0, 1 << 20),
    bandwidthTier: BANDWIDTH_TIER.standard,
  };
  if (probe.status !== "ok") {
    if (probe.status === "failed") warnings.push(`GPU detection failed: ${probe.detail}`);
    return {
      ...base,
      gpuModel: CPU_ONLY_MODEL,
      specs: { gpuCount: 1, vramMib: 1, ...common },
      gpuClass: null,
      gpus: [],
      cudaVersion: null,
      driverVersion: null,
      gpuStatus: probe.status,
      gpuDetail: probe.detail,
      mixed: false,
      warnings,
    };
  }
  const gpus = probe.gpus;
  const models = [...new Set(gpus.map((g) => g.name))];
  const mixed = models.length > 1;
  const rank = (name: string): [number, number] => [
    gpuClassMultiplier(classes, name),
    Math.min(...gpus.filter((g) => g.name === name).map((g) => g.memoryMib)),
  ];
  const model = [...models].sort((a, b) => {
    const [ma, va] = rank(a);
    const [mb, vb] = rank(b);
    return ma !== mb ? ma - mb : va - vb;
  })[0]!;
  if (mixed) {
    warnings.push(
      `GPUs of ${models.length} models (${models.join(", ")}): recorded as ${gpus.length}x ${model}, the least capable; split them into separate devices to offer each at its own class`,
    );
  }
  const gpuModel = model.slice(0, MAX_GPU_MODEL_LEN).trim();
  const vramMib = Math.min(...gpus.map((g) => g.memoryMib));
  if (vramMib < 1) warnings.push("nvidia-smi reported no GPU memory");
  return {
    ...base,
    gpuModel,
    specs: { gpuCount: clamp(gpus.length, 1, 64), vramMib: clamp(vramMib, 1, 1 << 20), ...common },
    gpuClass: classOf(gpuModel, classes),
    gpus,
    cudaVersion: probe.cudaVersion,
    driverVersion: gpus[0]?.driverVersion ?? null,
    gpuStatus: "ok",
    gpuDetail: null,
    mixed,
    warnings,
  };
}

/** Detects this machine's hardware. */
export async function detectHardware(workDir: string): Promise<DetectedHardware> {
  return normaliseHardware(await probeGpus(), hostFacts(workDir));
}

/**
 * A stable device id for this machine: `iogrid-` and 24 hex digits of sha256 over
 * `/etc/machine-id` (the machine id itself is not published, as systemd asks), or undefined
 * when the machine has none.
 */
export function machineDeviceId(machineIdPath = "/etc/machine-id"): string | undefined {
  let id: string;
  try {
    id = readFileSync(machineIdPath, "utf8").trim();
  } catch {
    return undefined;
  }
  if (!/^[0-9a-f]{32}$/i.test(id)) return undefined;
  return `iogrid-${createHash("sha256").update(`iogrid-device:${id}`).digest("hex").slice(0, 24)}`;
}
