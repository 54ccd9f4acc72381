/**
 * The agent's probe server contract over HTTP, so keepers and agents encode it one way:
 * `POST <device endpoint>/v1/probe` with `ProbeHttpRequest` as JSON, answered 200 with
 * `ProbeHttpResponse` (the signed probe in base64) or 4xx `{error, reason}`. Browser-safe.
 */
import { PublicKey } from "@solana/web3.js";
import { Buffer } from "buffer";

import { parseProbeMessage, verifySignedProbe } from "./probe.js";
import type { SignedProbe } from "./probe.js";

/** Path of the probe route on an agent's endpoint. */
export const PROBE_PATH = "/v1/probe";

/** What a keeper sends: u64s as decimal strings, keys in base58. */
export interface ProbeHttpRequest {
  /** The device account. */
  device: string;
  epoch: string;
  slot: string;
  /** The keeper's wallet (its registry account `["keeper", wallet]` is bound into the challenge). */
  keeper: string;
}

/** What the agent answers. */
export interface ProbeHttpResponse {
  device: string;
  epoch: string;
  slot: string;
  /** The keeper's registry account the challenge binds. */
  keeper: string;
  agent: string;
  probe: { publicKey: string; message: string; signature: string };
  /** The benchmark behind the probe's benchmark hash (agent-specific detail). */
  benchmark?: unknown;
}

/** The request body for `device`, `epoch`, `slot` asked by the keeper with wallet `keeper`. */
export function probeHttpRequest(params: {
  device: PublicKey;
  epoch: bigint;
  slot: bigint;
  keeper: PublicKey;
}): ProbeHttpRequest {
  return {
    device: params.device.toBase58(),
    epoch: params.epoch.toString(),
    slot: params.slot.toString(),
    keeper: params.keeper.toBase58(),
  };
}

/** The response fields of a signed probe (`keeperAccount` = `keeperPda(wallet)`). */
export function encodeProbeResponse(
  probe: SignedProbe,
  keeperAccount: PublicKey,
): ProbeHttpResponse {
  const message = parseProbeMessage(probe.message);
  return {
    device: message.device.toBase58(),
    epoch: message.epoch.toString(),
    slot: message.slot.toString(),
    keeper: keeperAccount.toBase58(),
    agent: probe.publicKey.toBase58(),
    probe: {
      publicKey: probe.publicKey.toBase58(),
      message: Buffer.from(probe.message).toString("base64"),
      signature: Buffer.from(probe.signature).toString("base64"),
    },
  };
}

/**
 * The signed probe in an agent's answer; throws unless it parses as a probe message whose
 * signature verifies. The keeper still compares the message with its own challenge.
 */
export function decodeProbeResponse(json: unknown): SignedProbe {
  const r = json as Partial<ProbeHttpResponse> | null;
  if (!r || typeof r !== "object" || !r.probe) throw new Error("not a probe response");
  const probe: SignedProbe = {
    publicKey: new PublicKey(r.probe.publicKey),
    message: new Uint8Array(Buffer.from(r.probe.message, "base64")),
    signature: new Uint8Array(Buffer.from(r.probe.signature, "base64")),
  };
  parseProbeMessage(probe.message);
  if (!verifySignedProbe(probe)) throw new Error("the probe's signature does not verify");
  return probe;
}
