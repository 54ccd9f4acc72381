/**
 * The environment a renter hands to a reservation's agents, and its hash as the market records
 * it in `WorkloadSpec.env_hash`. The environment stays off chain; an agent runs a workload only
 * with an environment whose hash is the booking's, so whoever delivers it cannot change it.
 *
 * Canonical form: the variables sorted by name (UTF-16 code unit order, as JavaScript sorts),
 * each encoded as UTF-8 `NAME=VALUE` followed by one NUL byte; the hash is its sha256. No
 * variables hash to 32 zero bytes ("no environment"), which is also what `create_reservation`
 * records when none is given. Names are `[A-Za-z_][A-Za-z0-9_]*` (at most 128 bytes); values may
 * hold any character but NUL. Browser-safe.
 */
import { sha256 } from "@noble/hashes/sha2";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const utf8 = new TextEncoder();

/** The renter's environment: variable names to values. */
export type WorkloadEnv = Record<string, string>;

/** Why `env` is not an acceptable environment, or undefined when it is. */
export function workloadEnvProblem(env: unknown): string | undefined {
  if (typeof env !== "object" || env === null || Array.isArray(env)) {
    return "the environment must be an object of NAME: value strings";
  }
  for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
    if (!NAME.test(name)) return `invalid variable name ${JSON.stringify(name)}`;
    if (typeof value !== "string") return `variable ${name} is not a string`;
    if (value.includes("\0")) return `variable ${name} contains a NUL character`;
  }
  return undefined;
}

/** The canonical bytes of `env` (see the module comment). */
export function encodeWorkloadEnv(env: WorkloadEnv): Uint8Array {
  const problem = workloadEnvProblem(env);
  if (problem) throw new RangeError(problem);
  const parts = Object.keys(env)
    .sort()
    .map((name) => utf8.encode(`${name}=${env[name]}\0`));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `WorkloadSpec.env_hash` for `env`: sha256 of its canonical form, zeros when empty. */
export function workloadEnvHash(env: WorkloadEnv): Uint8Array {
  if (Object.keys(env).length === 0) return new Uint8Array(32);
  return sha256(encodeWorkloadEnv(env));
}

/** Whether `hash` is the "no environment" hash (32 zero bytes). */
export function isEmptyEnvHash(hash: Uint8Array | readonly number[]): boolean {
  return hash.length === 32 && Array.from(hash).every((b) => b === 0);
}

/** Whether `env` is the environment `hash` was recorded for. */
export function envMatchesHash(env: WorkloadEnv, hash: Uint8Array | readonly number[]): boolean {
  const actual = workloadEnvHash(env);
  return actual.length === hash.length && actual.every((b, i) => b === hash[i]);
}
