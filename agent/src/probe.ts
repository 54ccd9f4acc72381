/**
 * The probe server's handler (`POST /v1/probe`): a keeper sends `{device, epoch, slot, keeper}`;
 * the agent checks the device is its own, the epoch is the chain's current one, the keeper is a
 * registered keeper, and the slot is recent by reading the SlotHashes sysvar itself (never a hash
 * the keeper sent), runs a short benchmark seeded by the challenge, and answers the probe signed
 * with its agent key, built by the sdk. Refusals are 4xx with `{error, reason}`. The request is
 * not signed, so the rate limits are per keeper *and* peer address (a stranger naming a keeper
 * spends only its own address's budget for it) and per peer address overall (ten keepers' worth,
 * so made-up keepers cannot make the agent look each up). The format is documented in
 * agent/README.md.
 */
import { execFile } from "node:child_process";

import { PublicKey } from "@solana/web3.js";
import type { Connection, Keypair } from "@solana/web3.js";

import {
  SLOT_HASHES_ENTRY_LEN,
  availabilityEpochAt,
  configPda,
  decodeRegistryConfig,
  encodeProbeResponse,
  keeperPda,
  probeChallenge,
  probeRequest,
  signProbe,
  slotHash,
} from "@iogrid/sdk";
import { benchmarkHash, hashChain, httpError } from "@iogrid/sdk/node";
import type { BenchmarkResult, HttpReply, HttpRequest, MetricsRegistry } from "@iogrid/sdk/node";
import { SYSVAR_CLOCK_PUBKEY, SYSVAR_SLOT_HASHES_PUBKEY } from "@solana/web3.js";

/** A GPU matmul through PyTorch (`python3` with CUDA); null when it cannot run here. */
export const GPU_MATMUL_SCRIPT = `
import hashlib, sys, time
import torch
seed = int.from_bytes(bytes.fromhex(sys.argv[1])[:8], "little")
g = torch.Generator(device="cuda").manual_seed(seed)
a = torch.rand((2048, 2048), generator=g, device="cuda")
b = torch.rand((2048, 2048), generator=g, device="cuda")
t = time.time()
c = a @ b
torch.cuda.synchronize()
ms = (time.time() - t) * 1000
print(hashlib.sha256(c.to(torch.float16).cpu().numpy().tobytes()).hexdigest(), round(ms, 3), torch.cuda.get_device_name(0))
`;

function runGpuMatmul(python: string, seedHex: string): Promise<BenchmarkResult["gpu"]> {
  return new Promise((resolve) => {
    execFile(python, ["-c", GPU_MATMUL_SCRIPT, seedHex], { timeout: 20_000 }, (error, stdout) => {
      const [result, ms, ...name] = String(stdout).trim().split(" ");
      if (error || !result || !/^[0-9a-f]{64}$/.test(result)) return resolve(null);
      resolve({ result, ms: Number(ms), device: name.join(" ") });
    });
  });
}

/** Whether `python3` has PyTorch with CUDA (checked once at start, only with NVIDIA GPUs). */
export function torchCudaAvailable(python = "python3"): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      python,
      ["-c", "import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)"],
      { timeout: 60_000 },
      (error) => resolve(!error),
    );
  });
}

/** Runs the benchmark for `challenge`. */
export async function runBenchmark(
  challenge: Uint8Array,
  iterations: number,
  gpuPython: string | null,
): Promise<BenchmarkResult> {
  const started = process.hrtime.bigint();
  const cpu = hashChain(challenge, iterations).toString("hex");
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const gpu = gpuPython
    ? await runGpuMatmul(gpuPython, Buffer.from(challenge).toString("hex"))
    : null;
  return { cpu: { iterations, ms, result: cpu }, gpu };
}

/** A token bucket per key: `perMinute` requests, refilled continuously. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for `key`; false when none is left. */
  take(key: string): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) * this.perMinute) / 60_000);
    b.at = t;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** A u64 given as a JSON number or decimal string. */
function u64Field(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) {
    const n = BigInt(value);
    return n < 1n << 64n ? n : undefined;
  }
  return undefined;
}

function keyField(value: unknown): PublicKey | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return new PublicKey(value);
  } catch {
    return undefined;
  }
}

export interface ProbeServiceOptions {
  connection: Connection;
  agent: Keypair;
  /** The device account this agent serves. */
  device: PublicKey;
  perKeeperPerMinute: number;
  hashChainIterations: number;
  /** `python3` with PyTorch and CUDA, when the GPU benchmark can run. */
  gpuPython: string | null;
  metrics: MetricsRegistry;
}

/** A peer address may send as many probe requests as this many keepers together. */
const PEER_BUDGET_IN_KEEPERS = 10;

/** Answers probe requests. */
export class ProbeService {
  /** Per keeper and peer address. */
  private readonly limiter: RateLimiter;
  /** Per peer address, whatever keeper it names. */
  private readonly peerLimiter: RateLimiter;
  private readonly keepers = new Map<string, { ok: boolean; at: number }>();
  private config: { at: number; origin: bigint; maxAge: bigint } | undefined;
  private readonly served;
  private readonly latency;

  constructor(private readonly o: ProbeServiceOptions) {
    this.limiter = new RateLimiter(o.perKeeperPerMinute);
    this.peerLimiter = new RateLimiter(o.perKeeperPerMinute * PEER_BUDGET_IN_KEEPERS);
    this.served = o.metrics.counter("iogrid_agent_probes_total", "Probe requests by outcome");
    this.latency = o.metrics.histogram(
      "iogrid_agent_probe_seconds",
      "Time to answer a valid probe",
    );
  }

  private refuse(status: number, error: string, reason: string): HttpReply {
    this.served.inc({ outcome: error });
    return httpError(status, error, reason);
  }

  /** The registry's epoch origin and probe age limit (re-read every minute). */
  private async registryConfig(): Promise<{ origin: bigint; maxAge: bigint }> {
    if (this.config && Date.now() - this.config.at < 60_000) return this.config;
    const info = await this.o.connection.getAccountInfo(configPda().address, "confirmed");
    if (!info) throw new Error("the registry config does not exist on this chain");
    const config = decodeRegistryConfig(info.data);
    this.config = {
      at: Date.now(),
      origin: BigInt(config.epochOrigin.toString()),
      maxAge: BigInt(config.availability.maxProbeAgeSlots.toString()),
    };
    return this.config;
  }

  /** Whether `authority` has a keeper account (cached a minute either way). */
  private async keeperExists(authority: PublicKey): Promise<boolean> {
    const key = authority.toBase58();
    const cached = this.keepers.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.ok;
    const info = await this.o.connection.getAccountInfo(keeperPda(authority).address, "confirmed");
    const ok = info !== null;
    this.keepers.set(key, { ok, at: Date.now() });
    return ok;
  }

  async handle(request: HttpRequest): Promise<HttpReply> {
    const started = process.hrtime.bigint();
    const body = request.json;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return this.refuse(
        400,
        "MalformedRequest",
        "the body must be a JSON object {device, epoch, slot, keeper}",
      );
    }
    const fields = body as Record<string, unknown>;
    const extra = Object.keys(fields).filter(
      (k) => !["device", "epoch", "slot", "keeper"].includes(k),
    );
    if (extra.length > 0) return this.refuse(400, "MalformedRequest", `unknown field ${extra[0]}`);
    const device = keyField(fields.device);
    const keeper = keyField(fields.keeper);
    const epoch = u64Field(fields.epoch);
    const slot = u64Field(fields.slot);
    if (!device) return this.refuse(400, "MalformedRequest", "device must be a base58 public key");
    if (!keeper)
      return this.refuse(
        400,
        "MalformedRequest",
        "keeper must be the keeper's wallet, a base58 public key",
      );
    if (epoch === undefined)
      return this.refuse(400, "MalformedRequest", "epoch must be a u64 (number or decimal string)");
    if (slot === undefined)
      return this.refuse(400, "MalformedRequest", "slot must be a u64 (number or decimal string)");
    if (!device.equals(this.o.device)) {
      return this.refuse(
        403,
        "WrongDevice",
        `this agent serves device ${this.o.device.toBase58()}, not ${device.toBase58()}`,
      );
    }
    if (!this.peerLimiter.take(request.remoteAddress)) {
      return this.refuse(
        429,
        "RateLimited",
        `at most ${this.o.perKeeperPerMinute * PEER_BUDGET_IN_KEEPERS} probe requests per address per minute`,
      );
    }
    if (!this.limiter.take(`${keeper.toBase58()}@${request.remoteAddress}`)) {
      return this.refuse(
        429,
        "RateLimited",
        `at most ${this.o.perKeeperPerMinute} probes per keeper and address per minute`,
      );
    }
    const { origin, maxAge } = await this.registryConfig();
    const [sysvars, keeperOk] = await Promise.all([
      this.o.connection.getMultipleAccountsInfo(
        [SYSVAR_SLOT_HASHES_PUBKEY, SYSVAR_CLOCK_PUBKEY],
        "confirmed",
      ),
      this.keeperExists(keeper),
    ]);
    if (!keeperOk) {
      return this.refuse(
        403,
        "UnknownKeeper",
        `${keeper.toBase58()} has no keeper account in the registry`,
      );
    }
    const [hashes, clock] = sysvars;
    if (!hashes || !clock) throw new Error("the chain returned no SlotHashes or Clock sysvar");
    const view = new DataView(hashes.data.buffer, hashes.data.byteOffset, hashes.data.byteLength);
    const count = Number(view.getBigUint64(0, true));
    if (count === 0 || hashes.data.length < 8 + SLOT_HASHES_ENTRY_LEN)
      throw new Error("the SlotHashes sysvar is empty");
    const newest = view.getBigUint64(8, true);
    if (slot > newest) {
      return this.refuse(
        422,
        "FutureSlot",
        `slot ${slot} is newer than the newest slot hash the chain holds (${newest})`,
      );
    }
    if (newest - slot > maxAge) {
      return this.refuse(
        422,
        "StaleSlot",
        `slot ${slot} is ${newest - slot} slots old; probes bind slots at most ${maxAge} old`,
      );
    }
    const hash = slotHash(hashes.data, slot);
    if (!hash)
      return this.refuse(
        422,
        "UnknownSlot",
        `slot ${slot} has no hash in SlotHashes (skipped slot)`,
      );
    const now = new DataView(
      clock.data.buffer,
      clock.data.byteOffset,
      clock.data.byteLength,
    ).getBigInt64(32, true);
    if (origin === 0n)
      return this.refuse(409, "RewardsNotInitialized", "the registry has no epoch origin yet");
    const current = availabilityEpochAt(origin, now);
    if (epoch !== current) {
      return this.refuse(
        422,
        "WrongEpoch",
        `epoch ${epoch} is not the chain's current epoch ${current}`,
      );
    }
    const req = probeRequest({ authority: keeper, device, epoch, slot, slotHash: hash });
    const seed = probeChallenge(device, epoch, slot, hash, req.keeper);
    const benchmark = await runBenchmark(seed, this.o.hashChainIterations, this.o.gpuPython);
    const probe = signProbe(this.o.agent, { ...req, benchmarkHash: benchmarkHash(benchmark) });
    this.served.inc({ outcome: "ok" });
    this.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return { status: 200, json: { ...encodeProbeResponse(probe, req.keeper), benchmark } };
  }
}
