/**
 * The probe's CPU benchmark, as the agent runs it and a keeper checks it: a sha256 chain seeded
 * by the probe's challenge, and the benchmark hash the agent signs into its probe message. The
 * chain costs the checker what it cost the agent, so a keeper re-runs it only up to a bound of
 * its own (`verifyBenchmark`'s `maxIterations`).
 */
import { createHash } from "node:crypto";

import { Buffer } from "buffer";

/** `iterations` rounds of sha256 starting from `seed`. */
export function hashChain(seed: Uint8Array, iterations: number): Buffer {
  let h = Buffer.from(seed);
  for (let i = 0; i < iterations; i++) h = createHash("sha256").update(h).digest();
  return h;
}

/** What the benchmark measured; its hash is the probe's benchmark result hash. */
export interface BenchmarkResult {
  cpu: { iterations: number; ms: number; result: string };
  gpu: { ms: number; result: string; device: string } | null;
}

/**
 * The probe's benchmark hash: sha256 over "iogrid/benchmark/v1", the CPU chain's result and,
 * when a GPU ran, its result. Timings are reported but not hashed, so a keeper that re-runs the
 * chain from the challenge can check the hash.
 */
export function benchmarkHash(result: BenchmarkResult): Uint8Array {
  const h = createHash("sha256")
    .update("iogrid/benchmark/v1")
    .update(Buffer.from(result.cpu.result, "hex"));
  if (result.gpu) h.update(Buffer.from(result.gpu.result, "hex"));
  return new Uint8Array(h.digest());
}

const HEX32 = /^[0-9a-f]{64}$/;

/**
 * Why the benchmark an agent reported for `challenge` does not back the probe's
 * `signedHash`, or undefined when it does: the CPU chain re-run from the challenge (refused
 * beyond `maxIterations` or below `minIterations`) must give the reported result, and the
 * reported results must hash to what the agent signed. A GPU result is checked only for its
 * shape: no keeper holds the GPU to re-run it.
 */
export function benchmarkProblem(
  benchmark: unknown,
  challenge: Uint8Array,
  signedHash: Uint8Array,
  bounds: { minIterations: number; maxIterations: number },
): string | undefined {
  const b = benchmark as Partial<BenchmarkResult> | null | undefined;
  const cpu = b?.cpu;
  if (!b || !cpu || typeof cpu.result !== "string" || !HEX32.test(cpu.result)) {
    return "no CPU benchmark result";
  }
  if (!Number.isSafeInteger(cpu.iterations) || cpu.iterations < bounds.minIterations) {
    return `the benchmark ran ${String(cpu.iterations)} iterations, fewer than ${bounds.minIterations}`;
  }
  if (cpu.iterations > bounds.maxIterations) {
    return `the benchmark ran ${cpu.iterations} iterations, more than this keeper re-runs (${bounds.maxIterations})`;
  }
  const gpu = b.gpu ?? null;
  if (gpu !== null && (typeof gpu.result !== "string" || !HEX32.test(gpu.result))) {
    return "the GPU benchmark result is not a sha256";
  }
  if (hashChain(challenge, cpu.iterations).toString("hex") !== cpu.result) {
    return "the CPU benchmark result is not the hash chain of the challenge";
  }
  const expected = benchmarkHash({
    cpu: { iterations: cpu.iterations, ms: 0, result: cpu.result },
    gpu,
  });
  if (Buffer.compare(Buffer.from(expected), Buffer.from(signedHash)) !== 0) {
    return "the probe's benchmark hash is not the hash of the reported results";
  }
  return undefined;
}
