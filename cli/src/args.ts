/**
 * Flags as people type them, checked and turned into the sdk's units: GB of VRAM into MiB, USD
 * into IOSD base units, reputation shares into basis points. Every problem is a usage error
 * naming the flag.
 */
import { readFileSync } from "node:fs";

import { PublicKey } from "@solana/web3.js";

import { IOSD_DECIMALS, PAYMENT_TOKEN, parseUnits, workloadEnvProblem } from "@iogrid/sdk";
import type { DeviceCriteria, PaymentTokenName, WorkloadEnv, WorkloadKindName } from "@iogrid/sdk";

import { CliError, EXIT } from "./errors.js";

/** VRAM as GPU makers label it: 1 GB = 1,000 MiB, so an "80 GB" H100 (81,559 MiB) matches 80. */
export const MIB_PER_GB = 1_000;

function usage(flag: string, message: string, value: unknown): CliError {
  return new CliError(`${flag}: ${message}, got ${JSON.stringify(value)}`, EXIT.usage);
}

/** A whole number in [min, max]. */
export function intArg(flag: string, value: unknown, min: number, max: number): number {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usage(flag, `expected a whole number from ${min} to ${max}`, value);
  }
  return n;
}

/** A non-negative decimal with at most `decimals` digits after the point, in base units. */
export function decimalArg(flag: string, value: unknown, decimals: number, what: string): bigint {
  const units = parseUnits(String(value), decimals);
  if (units === undefined) {
    throw usage(
      flag,
      `expected ${what} (a non-negative number, ${decimals} decimals at most)`,
      value,
    );
  }
  return units;
}

/** A base58 public key. */
export function pubkeyArg(flag: string, value: unknown): PublicKey {
  try {
    return new PublicKey(String(value));
  } catch {
    throw usage(flag, "expected a base58 address", value);
  }
}

/** A TCP port. */
export function portArg(flag: string, value: unknown): number {
  return intArg(flag, value, 1, 65_535);
}

/** The search flags every market command takes. */
export interface FilterFlags {
  gpu?: string;
  count?: string;
  minVram?: string;
  region?: string;
  maxPrice?: string;
  minReputation?: string;
}

/** The sdk's `DeviceCriteria` for the search flags. */
export function criteriaOf(o: FilterFlags): DeviceCriteria {
  const criteria: DeviceCriteria = {};
  if (o.gpu !== undefined) {
    if (o.gpu.trim() === "") throw usage("--gpu", "expected a GPU model", o.gpu);
    criteria.gpuModelContains = o.gpu.trim();
  }
  if (o.count !== undefined) criteria.minGpuCount = intArg("--count", o.count, 1, 65_535);
  if (o.minVram !== undefined) {
    criteria.minVramMib = Number(decimalArg("--min-vram", o.minVram, 3, "GB of VRAM per GPU"));
  }
  if (o.region !== undefined) {
    if (o.region.trim() === "") throw usage("--region", "expected a region code", o.region);
    criteria.regionFamily = o.region.trim();
  }
  if (o.maxPrice !== undefined) {
    criteria.maxPricePerGpuHour = decimalArg(
      "--max-price",
      o.maxPrice,
      IOSD_DECIMALS,
      "USD per GPU-hour",
    );
  }
  if (o.minReputation !== undefined) {
    const bps = decimalArg("--min-reputation", o.minReputation, 4, "a share from 0 to 1");
    if (bps > 10_000n)
      throw usage("--min-reputation", "expected a share from 0 to 1", o.minReputation);
    criteria.minReputationBps = Number(bps);
  }
  return criteria;
}

/** The payment token of `--pay`. */
export function payArg(value: unknown): PaymentTokenName {
  const name = String(value).toLowerCase();
  if (!Object.hasOwn(PAYMENT_TOKEN, name)) {
    throw usage("--pay", `expected one of ${Object.keys(PAYMENT_TOKEN).join(", ")}`, value);
  }
  return name as PaymentTokenName;
}

const KINDS: readonly WorkloadKindName[] = ["process", "container", "ray"];

/** The workload kind of `--workload`. */
export function workloadArg(value: unknown): WorkloadKindName {
  const name = String(value).toLowerCase() as WorkloadKindName;
  if (!KINDS.includes(name))
    throw usage("--workload", `expected one of ${KINDS.join(", ")}`, value);
  return name;
}

/** Ports from repeated or comma-separated `--port` values: distinct, at most 16. */
export function portsArg(values: readonly string[]): number[] {
  const ports = values.flatMap((v) => v.split(",")).map((p) => portArg("--port", p.trim()));
  if (new Set(ports).size !== ports.length) throw usage("--port", "ports must be distinct", values);
  if (ports.length > 16) throw usage("--port", "at most 16 ports", values);
  return ports;
}

/**
 * The environment in `file`: `NAME=value` lines (blank lines and `#` comments skipped, an
 * optional `export ` prefix, values optionally in matching quotes), checked as the agents check it.
 */
export function envFileArg(file: string): WorkloadEnv {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`--env-file: cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  const env: WorkloadEnv = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=(.*)$/.exec(line);
    if (!m) throw new CliError(`--env-file ${file}:${i + 1}: expected NAME=value`, EXIT.usage);
    let value = m[2]!.trim();
    if (value.length >= 2 && /^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    env[m[1]!] = value;
  });
  const problem = workloadEnvProblem(env);
  if (problem) throw new CliError(`--env-file ${file}: ${problem}`, EXIT.usage);
  return env;
}

/**
 * `argv` with every negative number given to a value-taking flag joined to it (`--min-vram -1`
 * becomes `--min-vram=-1`), so the flag's own check reports it instead of commander reading it as
 * an unknown option.
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (/^--[a-z][a-z-]*$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
