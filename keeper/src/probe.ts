/**
 * Probing one agent as a keeper does before it pays to attest: `POST <endpoint>/v1/probe` with a
 * challenge over a recent slot (the sdk's probe HTTP contract), then every check the registry
 * will make, locally: the signature by the device's agent key, the device, epoch and slot asked,
 * the challenge bound to this keeper's account, and the benchmark re-run from the challenge.
 * An answer that fails any of them is never sent to the chain.
 */
import { Buffer } from "buffer";
import type { PublicKey } from "@solana/web3.js";

import {
  PROBE_PATH,
  decodeProbeResponse,
  parseProbeMessage,
  probeChallenge,
  probeHttpRequest,
} from "@iogrid/sdk";
import type { SignedProbe } from "@iogrid/sdk";
import { benchmarkProblem, errorText } from "@iogrid/sdk/node";

/** What one probe found. */
export type ProbeResult =
  | { ok: true; probe: SignedProbe }
  | {
      ok: false;
      /** `unreachable` (no answer), `refused` (a 4xx/5xx), or `invalid` (an answer that fails a check). */
      kind: "unreachable" | "refused" | "invalid";
      reason: string;
    };

export interface ProbeTarget {
  device: PublicKey;
  /** The device's agent key on chain. */
  agent: PublicKey;
  /** The device's endpoint on chain (`http(s)://host:port`). */
  endpoint: string;
}

export interface ProbeChallengeParams {
  epoch: bigint;
  slot: bigint;
  slotHash: Uint8Array;
  /** The keeper's wallet (sent) and its registry account (bound into the challenge). */
  keeperWallet: PublicKey;
  keeperAccount: PublicKey;
  timeoutMs: number;
  benchmark: { verify: boolean; minIterations: number; maxIterations: number };
}

/** The probe URL of an on-chain endpoint, or undefined when it is not an http(s) URL. */
export function probeUrl(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return `${endpoint.replace(/\/+$/, "")}${PROBE_PATH}`;
  } catch {
    return undefined;
  }
}

/** Probes `target`'s agent with `params`' challenge and checks the answer. */
export async function probeAgent(
  target: ProbeTarget,
  params: ProbeChallengeParams,
): Promise<ProbeResult> {
  const url = probeUrl(target.endpoint);
  if (!url) {
    return {
      ok: false,
      kind: "unreachable",
      reason: `endpoint ${JSON.stringify(target.endpoint)} is not an http(s) URL`,
    };
  }
  const body = probeHttpRequest({
    device: target.device,
    epoch: params.epoch,
    slot: params.slot,
    keeper: params.keeperWallet,
  });
  let status: number;
  let json: unknown;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(params.timeoutMs),
    });
    status = res.status;
    json = await res.json().catch(() => null);
  } catch (error) {
    return { ok: false, kind: "unreachable", reason: errorText(error) };
  }
  if (status !== 200) {
    const r = (json ?? {}) as { error?: unknown; reason?: unknown };
    return {
      ok: false,
      kind: "refused",
      reason: `HTTP ${status}${r.error ? ` ${String(r.error)}` : ""}${r.reason ? `: ${String(r.reason)}` : ""}`,
    };
  }
  let probe: SignedProbe;
  try {
    probe = decodeProbeResponse(json);
  } catch (error) {
    return { ok: false, kind: "invalid", reason: errorText(error) };
  }
  const invalid = (reason: string): ProbeResult => ({ ok: false, kind: "invalid", reason });
  if (!probe.publicKey.equals(target.agent))
    return invalid("signed by another key than the device's agent");
  const message = parseProbeMessage(probe.message);
  if (!message.device.equals(target.device)) return invalid("signed for another device");
  if (message.epoch !== params.epoch || message.slot !== params.slot) {
    return invalid("signed for another epoch or slot than asked");
  }
  const challenge = probeChallenge(
    target.device,
    params.epoch,
    params.slot,
    params.slotHash,
    params.keeperAccount,
  );
  if (Buffer.compare(Buffer.from(message.challenge), Buffer.from(challenge)) !== 0) {
    return invalid("the challenge is not this keeper's");
  }
  if (params.benchmark.verify) {
    const problem = benchmarkProblem(
      (json as { benchmark?: unknown }).benchmark,
      challenge,
      message.benchmarkHash,
      params.benchmark,
    );
    if (problem) return invalid(problem);
  }
  return { ok: true, probe };
}
