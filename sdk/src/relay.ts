/**
 * The tunnel relay's signed messages, so that the agent, the renter's CLI, the web app and the
 * relay build and check the same bytes. Browser-safe.
 *
 * A renter's tunnel request is a Sign-In-With-Solana message (the `solana:signIn` text format,
 * EIP-4361 style) naming the reservation, device and port it asks for, a nonce the relay issued,
 * and a short lifetime:
 *
 * ```
 * relay.example.com wants you to sign in with your Solana account:
 * <renter address>
 *
 * Connect to iogrid reservation <R>, device <D>, port <P>
 *
 * URI: wss://relay.example.com
 * Version: 1
 * Chain ID: solana:<first 32 characters of the genesis hash>
 * Nonce: <relay nonce>
 * Issued At: <ISO 8601>
 * Expiration Time: <ISO 8601>
 * Resources:
 * - iogrid:reservation:<R>
 * - iogrid:device:<D>
 * - iogrid:port:<P>
 * ```
 *
 * signed (Ed25519 over the UTF-8 text) by the renter's wallet, as `signMessage` or `signIn`
 * produce it. An agent attaching to the relay signs `agentAttachMessage` with its agent key over
 * the relay's nonce. Neither signature is valid for anything else: the probe message is binary
 * and starts with "iogrid/probe", and no text here parses as a transaction message.
 */
import { ed25519 } from "@noble/curves/ed25519";
import { utils } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";

const utf8 = new TextEncoder();

/** What a renter's tunnel request names. */
export interface TunnelRequest {
  /** The relay's host (and port), e.g. "relay.example.com" or "127.0.0.1:7070". */
  domain: string;
  /** The renter's wallet: the signer. */
  renter: PublicKey;
  reservation: PublicKey;
  device: PublicKey;
  port: number;
  /** The relay's URL, e.g. "wss://relay.example.com". */
  uri: string;
  /** CAIP-2 chain id, `chainIdOf(genesisHash)`. */
  chainId: string;
  nonce: string;
  /** Milliseconds since the epoch, rendered as ISO 8601 (millisecond precision). */
  issuedAt: number;
  expiresAt: number;
}

/** The CAIP-2 chain id of a Solana cluster: `solana:` and the first 32 characters of its genesis hash. */
export function chainIdOf(genesisHash: string): string {
  return `solana:${genesisHash.slice(0, 32)}`;
}

/** The statement line of a tunnel request. */
function statement(r: Pick<TunnelRequest, "reservation" | "device" | "port">): string {
  return `Connect to iogrid reservation ${r.reservation.toBase58()}, device ${r.device.toBase58()}, port ${r.port}`;
}

/** The Sign-In-With-Solana text of a tunnel request. */
export function tunnelRequestText(r: TunnelRequest): string {
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65_535) {
    throw new RangeError(`port ${r.port} is not a TCP port`);
  }
  return [
    `${r.domain} wants you to sign in with your Solana account:`,
    r.renter.toBase58(),
    "",
    statement(r),
    "",
    `URI: ${r.uri}`,
    "Version: 1",
    `Chain ID: ${r.chainId}`,
    `Nonce: ${r.nonce}`,
    `Issued At: ${new Date(r.issuedAt).toISOString()}`,
    `Expiration Time: ${new Date(r.expiresAt).toISOString()}`,
    "Resources:",
    `- iogrid:reservation:${r.reservation.toBase58()}`,
    `- iogrid:device:${r.device.toBase58()}`,
    `- iogrid:port:${r.port}`,
  ].join("\n");
}

/** A message that is not a well-formed tunnel request, with the reason. */
export class RelayMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RelayMessageError";
  }
}

function field(line: string | undefined, prefix: string): string {
  if (line === undefined || !line.startsWith(prefix)) {
    throw new RelayMessageError(`expected a line starting with "${prefix}"`);
  }
  return line.slice(prefix.length);
}

function key(text: string, what: string): PublicKey {
  try {
    return new PublicKey(text);
  } catch {
    throw new RelayMessageError(`${what} ${JSON.stringify(text)} is not a public key`);
  }
}

function time(text: string, what: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new RelayMessageError(`${what} ${JSON.stringify(text)} is not an ISO 8601 time`);
  }
  return ms;
}

/**
 * Parses a tunnel request's text. Strict: the text must be exactly what `tunnelRequestText`
 * renders for the fields it names (so two texts never mean the same request, and resources and
 * statement agree); throws `RelayMessageError` with the reason otherwise.
 */
export function parseTunnelRequest(text: string): TunnelRequest {
  if (text.length > 2048) throw new RelayMessageError("the request is longer than 2048 characters");
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  const suffix = " wants you to sign in with your Solana account:";
  if (!header.endsWith(suffix)) throw new RelayMessageError("not a Sign-In-With-Solana message");
  const domain = header.slice(0, -suffix.length);
  const renter = key(lines[1] ?? "", "address");
  const uri = field(lines[5], "URI: ");
  const chainId = field(lines[7], "Chain ID: ");
  const nonce = field(lines[8], "Nonce: ");
  const issuedAt = time(field(lines[9], "Issued At: "), "Issued At");
  const expiresAt = time(field(lines[10], "Expiration Time: "), "Expiration Time");
  const reservation = key(field(lines[12], "- iogrid:reservation:"), "reservation");
  const device = key(field(lines[13], "- iogrid:device:"), "device");
  const portText = field(lines[14], "- iogrid:port:");
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65_535) {
    throw new RelayMessageError(`port ${JSON.stringify(portText)} is not a TCP port`);
  }
  if (!/^[A-Za-z0-9]{8,64}$/.test(nonce)) {
    throw new RelayMessageError("the nonce must be 8-64 letters or digits");
  }
  const request: TunnelRequest = {
    domain,
    renter,
    reservation,
    device,
    port,
    uri,
    chainId,
    nonce,
    issuedAt,
    expiresAt,
  };
  if (tunnelRequestText(request) !== text) {
    throw new RelayMessageError("the message is not in the canonical tunnel request form");
  }
  return request;
}

/** A signed tunnel request as sent to the relay: the text and the base58 Ed25519 signature. */
export interface SignedTunnelRequest {
  message: string;
  signature: string;
}

/** Anything with a Solana secret key (a web3.js `Keypair`). */
export interface MessageSigner {
  publicKey: PublicKey;
  secretKey: Uint8Array;
}

/** Signs `text` as a wallet's `signMessage` does (Ed25519 over its UTF-8 bytes); base58 signature. */
export function signText(signer: MessageSigner, text: string): string {
  return utils.bytes.bs58.encode(ed25519.sign(utf8.encode(text), signer.secretKey.slice(0, 32)));
}

/** Whether `signature` (base58) is `signer`'s Ed25519 signature of `text`. */
export function verifyText(signer: PublicKey, text: string, signature: string): boolean {
  try {
    const bytes = utils.bytes.bs58.decode(signature);
    if (bytes.length !== 64) return false;
    return ed25519.verify(bytes, utf8.encode(text), signer.toBytes());
  } catch {
    return false;
  }
}

/** A tunnel request signed by the renter (`request.renter` must be `renter`'s key). */
export function signTunnelRequest(
  renter: MessageSigner,
  request: TunnelRequest,
): SignedTunnelRequest {
  if (!request.renter.equals(renter.publicKey)) {
    throw new RangeError("the request names another renter than the signer");
  }
  const message = tunnelRequestText(request);
  return { message, signature: signText(renter, message) };
}

/**
 * The request a signed tunnel request carries, if the renter it names signed it; throws
 * `RelayMessageError` for a malformed text or a signature that is not the renter's. Times, nonce,
 * domain and the chain's view are the relay's to check (`tunnelRequestTimeProblem`).
 */
export function verifyTunnelRequest(signed: SignedTunnelRequest): TunnelRequest {
  const request = parseTunnelRequest(signed.message);
  if (!verifyText(request.renter, signed.message, signed.signature)) {
    throw new RelayMessageError("the signature is not the renter's");
  }
  return request;
}

/** Longest lifetime a relay accepts for a tunnel request. */
export const MAX_TUNNEL_REQUEST_LIFETIME_MS = 10 * 60 * 1000;
/** Clock skew a relay tolerates between itself and the signer. */
export const MAX_CLOCK_SKEW_MS = 60 * 1000;

/** Why a request's times are unacceptable at `now` (ms), or undefined. */
export function tunnelRequestTimeProblem(
  request: Pick<TunnelRequest, "issuedAt" | "expiresAt">,
  now: number,
  maxLifetimeMs = MAX_TUNNEL_REQUEST_LIFETIME_MS,
  skewMs = MAX_CLOCK_SKEW_MS,
): string | undefined {
  if (request.expiresAt <= request.issuedAt) return "the request expires before it was issued";
  if (request.expiresAt - request.issuedAt > maxLifetimeMs) {
    return `the request lives longer than ${maxLifetimeMs / 1000} s`;
  }
  if (request.issuedAt > now + skewMs) return "the request is issued in the future";
  if (now >= request.expiresAt) return "the request has expired";
  return undefined;
}

/** The text an agent signs with its agent key to attach to a relay for its device. */
export function agentAttachText(params: {
  domain: string;
  device: PublicKey;
  agent: PublicKey;
  nonce: string;
  issuedAt: number;
}): string {
  return [
    "iogrid relay agent v1",
    `relay: ${params.domain}`,
    `device: ${params.device.toBase58()}`,
    `agent: ${params.agent.toBase58()}`,
    `nonce: ${params.nonce}`,
    `issued at: ${new Date(params.issuedAt).toISOString()}`,
  ].join("\n");
}
