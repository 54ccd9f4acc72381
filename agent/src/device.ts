/**
 * The device on chain, as the owner and the agent manage it: registration (co-signed by the
 * agent key, in one function for the owner's keypair, the browser link and co-signing a
 * transaction the web app prepared), updates, moving the device to this agent's key, status and
 * deregistration. Every instruction comes
 * from the sdk's builders.
 */
import { ComputeBudgetProgram, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import type { Keypair } from "@solana/web3.js";

import {
  addDeviceLink,
  availabilityEpochPda,
  changeAgentIx,
  claimableEarnings,
  decodeAvailabilityEpoch,
  decodeDeviceAccount,
  decodeStakePool,
  decodeStakingConfig,
  deregisterDeviceIx,
  deviceMinimumStake,
  devicePda,
  deviceStatusName,
  fetchDeviceBookings,
  poolQualifyingStake,
  registerDeviceIx,
  setEndpointIx,
  stakePoolPda,
  stakingConfigPda,
  unsettledEpochs,
  updateDeviceIx,
  BANDWIDTH_TIER,
} from "@iogrid/sdk";
import type { Device, DeviceSpecs, RegisterDeviceParams, DEVICE_STATUS } from "@iogrid/sdk";
import { retrying, isTransportError, sendAndConfirm } from "@iogrid/sdk/node";

import type { AgentConfig } from "./config.js";
import type { AgentContext } from "./context.js";
import type { DetectedHardware } from "./detect.js";
import { CliError, EXIT } from "./output.js";

/**
 * Where keepers and renters reach this device's HTTP routes, as the chain records it: the
 * configured `device.publicEndpoint`, or for a device only the relay reaches (no public
 * endpoint, a relay set) the relay's route to it, `http(s)://<relay>/v1/devices/<device>`.
 */
export function advertisedEndpoint(config: AgentConfig): string {
  if (config.device.publicEndpoint || !config.relay.url) return config.device.publicEndpoint;
  const relay = new URL(config.relay.url);
  relay.protocol = relay.protocol === "wss:" ? "https:" : "http:";
  const base = relay.toString().replace(/\/+$/, "");
  return `${base}/v1/devices/${devicePda(config.device.id).address.toBase58()}`;
}

/** The `register_device` arguments for this machine: config plus detected hardware. */
export function registrationParams(
  ctx: Pick<AgentContext, "config" | "agent">,
  hardware: DetectedHardware,
  owner: PublicKey,
): RegisterDeviceParams {
  const c = ctx.config;
  return {
    owner,
    deviceId: c.device.id,
    name: c.device.name,
    gpuModel: hardware.gpuModel,
    region: c.device.region,
    specs: { ...hardware.specs, bandwidthTier: BANDWIDTH_TIER[c.device.bandwidth] },
    pricePerGpuHour: c.device.pricePerGpuHour,
    agent: ctx.agent.publicKey,
    endpoint: advertisedEndpoint(c),
  };
}

/**
 * The one place a registration transaction is made: `register_device` for `params` with the
 * agent key as a co-signer, the owner as fee payer, a recent blockhash, signed by the agent and,
 * when given, by the owner. Without the owner's keypair the result is partially signed: the
 * owner's wallet adds its signature (the browser link carries it).
 */
export async function registrationTransaction(
  ctx: Pick<AgentContext, "connection" | "registry" | "agent">,
  params: RegisterDeviceParams,
  ownerSigner?: Keypair,
  fundAgentLamports = 0,
): Promise<{ transaction: Transaction; lastValidBlockHeight: number }> {
  if (ownerSigner && !ownerSigner.publicKey.equals(params.owner)) {
    throw new CliError("the owner keypair is not the owner the registration names", EXIT.usage);
  }
  const ix = await registerDeviceIx(ctx.registry, params);
  const funding =
    fundAgentLamports > 0
      ? [
          SystemProgram.transfer({
            fromPubkey: params.owner,
            toPubkey: ctx.agent.publicKey,
            lamports: fundAgentLamports,
          }),
        ]
      : [];
  const latest = await retrying(() => ctx.connection.getLatestBlockhash("confirmed"), {
    attempts: 5,
  });
  const transaction = new Transaction({
    feePayer: params.owner,
    blockhash: latest.blockhash,
    lastValidBlockHeight: latest.lastValidBlockHeight,
  }).add(ix, ...funding);
  transaction.partialSign(ctx.agent);
  if (ownerSigner) transaction.partialSign(ownerSigner);
  return { transaction, lastValidBlockHeight: latest.lastValidBlockHeight };
}

/** The device account, or null when it does not exist (never registered, or deregistered). */
export async function fetchDevice(
  ctx: Pick<AgentContext, "connection" | "device">,
): Promise<Device | null> {
  const info = await retrying(() => ctx.connection.getAccountInfo(ctx.device, "confirmed"), {
    attempts: 5,
    fatal: (e) => !isTransportError(e),
  });
  return info ? decodeDeviceAccount(info) : null;
}

/**
 * SOL the registration moves from the owner to the agent key when the agent holds less: the
 * agent pays the fees of its start acknowledgements and endpoint updates (5,000 lamports each).
 */
export const AGENT_FUNDING_LAMPORTS = 20_000_000;

/** What the agent key should hold at least before it starts; below, `start` warns. */
export const AGENT_LOW_BALANCE_LAMPORTS = 1_000_000;

/** Lamports to move to the agent key with its registration (0 when it holds enough). */
export async function agentTopUp(ctx: Pick<AgentContext, "connection" | "agent">): Promise<number> {
  const balance = await retrying(
    () => ctx.connection.getBalance(ctx.agent.publicKey, "confirmed"),
    { attempts: 5 },
  );
  return balance >= AGENT_FUNDING_LAMPORTS ? 0 : AGENT_FUNDING_LAMPORTS - balance;
}

/** Registers the device with the owner's keypair (funding the agent's fees); returns the signature. */
export async function registerWithOwner(
  ctx: AgentContext,
  hardware: DetectedHardware,
  owner: Keypair,
): Promise<string> {
  const existing = await fetchDevice(ctx);
  if (existing) {
    throw new CliError(
      `device ${ctx.config.device.id} is already registered (${ctx.device.toBase58()}, owner ${existing.owner.toBase58()}); use update`,
    );
  }
  if (ctx.config.owner && ctx.config.owner !== owner.publicKey.toBase58()) {
    throw new CliError(
      `the config names owner ${ctx.config.owner}, not ${owner.publicKey.toBase58()}`,
      EXIT.usage,
    );
  }
  const params = registrationParams(ctx, hardware, owner.publicKey);
  const { transaction, lastValidBlockHeight } = await registrationTransaction(
    ctx,
    params,
    owner,
    await agentTopUp(ctx),
  );
  return sendAndConfirm(ctx.connection, transaction, [], { lastValidBlockHeight });
}

/**
 * The web app's add-device link for this machine. With an owner in the config, it also carries
 * the registration transaction co-signed by the agent (the owner's wallet signs and sends it
 * before its blockhash expires, about a minute on mainnet); otherwise the app builds the
 * transaction and the agent co-signs it with `register --cosign`.
 */
export async function registrationLink(
  ctx: AgentContext,
  hardware: DetectedHardware,
): Promise<{ url: string; transaction?: string; lastValidBlockHeight?: number }> {
  const owner = ctx.config.owner ? new PublicKey(ctx.config.owner) : undefined;
  const params = registrationParams(ctx, hardware, owner ?? PublicKey.default);
  let transaction: string | undefined;
  let lastValidBlockHeight: number | undefined;
  if (owner) {
    const built = await registrationTransaction(ctx, params, undefined, await agentTopUp(ctx));
    transaction = built.transaction
      .serialize({ requireAllSignatures: false, verifySignatures: false })
      .toString("base64");
    lastValidBlockHeight = built.lastValidBlockHeight;
  }
  const { owner: _unused, ...link } = params;
  const url = addDeviceLink(ctx.config.appUrl, {
    ...link,
    pricePerGpuHour: BigInt(params.pricePerGpuHour.toString()),
    ...(owner ? { owner } : {}),
    ...(transaction ? { transaction } : {}),
  });
  return { url, transaction, lastValidBlockHeight };
}

/**
 * Co-signs a registration transaction that the web app (or any wallet) prepared: only if its
 * one program instruction (compute-budget instructions aside) is `register_device` of exactly this
 * machine's record (device id, agent key, detected specs, configured name, region, price and
 * endpoint) for the fee payer as owner. Returns the transaction with the agent's signature
 * added (base64).
 */
export async function cosignRegistration(
  ctx: AgentContext,
  hardware: DetectedHardware,
  base64: string,
): Promise<string> {
  let tx: Transaction;
  try {
    tx = Transaction.from(Buffer.from(base64, "base64"));
  } catch (e) {
    throw new CliError(`not a serialized transaction: ${(e as Error).message}`, EXIT.usage);
  }
  const owner = tx.feePayer;
  if (!owner) throw new CliError("the transaction has no fee payer", EXIT.usage);
  // Compute-budget instructions and a SOL transfer to the agent key (its fee budget) may come
  // along; anything else is refused.
  const programIxs = tx.instructions.filter(
    (ix) =>
      !ix.programId.equals(ComputeBudgetProgram.programId) &&
      !(
        ix.programId.equals(SystemProgram.programId) &&
        ix.keys.length === 2 &&
        ix.keys[1]!.pubkey.equals(ctx.agent.publicKey) &&
        ix.data.readUInt32LE(0) === 2
      ),
  );
  const expected = await registerDeviceIx(ctx.registry, registrationParams(ctx, hardware, owner));
  const same = (
    ix: { programId: PublicKey; data: Buffer; keys: { pubkey: PublicKey }[] },
    want: { programId: PublicKey; data: Buffer; keys: { pubkey: PublicKey }[] },
  ): boolean =>
    ix.programId.equals(want.programId) &&
    ix.data.equals(want.data) &&
    ix.keys.length === want.keys.length &&
    ix.keys.every((k, i) => k.pubkey.equals(want.keys[i]!.pubkey));
  const only = programIxs[0];
  if (programIxs.length !== 1 || !only || !same(only, expected)) {
    throw new CliError(
      "refusing to co-sign: the transaction is not register_device of this machine's record (device id, agent key, specs, name, region, price, endpoint)",
    );
  }
  if (!tx.signatures.some((s) => s.publicKey.equals(ctx.agent.publicKey))) {
    throw new CliError("the transaction does not name the agent key as a signer");
  }
  tx.partialSign(ctx.agent);
  return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64");
}

function sameSpecs(a: DeviceSpecs, b: DeviceSpecs): boolean {
  return (
    a.gpuCount === b.gpuCount &&
    a.vramMib === b.vramMib &&
    a.cpuCores === b.cpuCores &&
    a.ramMib === b.ramMib &&
    a.storageGib === b.storageGib &&
    Object.keys(a.bandwidthTier)[0] === Object.keys(b.bandwidthTier)[0]
  );
}

/** What differs between the chain's record and this machine's. */
export interface DeviceChanges {
  gpuModel?: string;
  specs?: DeviceSpecs;
  region?: string;
  pricePerGpuHour?: bigint;
  endpoint?: string;
}

/** The fields of `device` that differ from what `params` would register. */
export function deviceChanges(device: Device, params: RegisterDeviceParams): DeviceChanges {
  const changes: DeviceChanges = {};
  if (device.gpuModel !== params.gpuModel) changes.gpuModel = params.gpuModel;
  if (!sameSpecs(device.specs, params.specs)) changes.specs = params.specs;
  if (device.region !== params.region) changes.region = params.region;
  const price = BigInt(params.pricePerGpuHour.toString());
  if (BigInt(device.pricePerGpuHour.toString()) !== price) changes.pricePerGpuHour = price;
  if (device.endpoint !== (params.endpoint ?? "")) changes.endpoint = params.endpoint ?? "";
  return changes;
}

/**
 * Brings the chain's record up to date: the endpoint with the agent's key (an operational field),
 * the specs, model, region and price with the owner's (when given). Returns what changed and
 * what still needs the owner.
 */
export async function updateRegistration(
  ctx: AgentContext,
  hardware: DetectedHardware,
  owner?: Keypair,
): Promise<{ changes: DeviceChanges; signatures: string[]; needsOwner: string[] }> {
  const device = await fetchDevice(ctx);
  if (!device)
    throw new CliError(`device ${ctx.config.device.id} is not registered`, EXIT.notRegistered);
  if (!device.agent.equals(ctx.agent.publicKey)) {
    throw new CliError(
      `the device's agent key is ${device.agent.toBase58()}, not this agent's ${ctx.agent.publicKey.toBase58()}; iogrid-agent change-agent --owner-keypair <owner> makes this key the device's agent`,
    );
  }
  const changes = deviceChanges(device, registrationParams(ctx, hardware, device.owner));
  const signatures: string[] = [];
  if (changes.endpoint !== undefined) {
    const ix = await setEndpointIx(ctx.registry, {
      signer: ctx.agent.publicKey,
      device: ctx.device,
      endpoint: changes.endpoint,
    });
    signatures.push(await sendAndConfirm(ctx.connection, new Transaction().add(ix), [ctx.agent]));
  }
  const ownerFields = (["gpuModel", "specs", "region", "pricePerGpuHour"] as const).filter(
    (k) => changes[k] !== undefined,
  );
  if (ownerFields.length > 0 && owner) {
    if (!owner.publicKey.equals(device.owner)) {
      throw new CliError(`the device's owner is ${device.owner.toBase58()}, not the keypair given`);
    }
    const ix = await updateDeviceIx(ctx.registry, {
      owner: owner.publicKey,
      device: ctx.device,
      gpuModel: changes.gpuModel,
      specs: changes.specs,
      region: changes.region,
      pricePerGpuHour: changes.pricePerGpuHour,
    });
    signatures.push(await sendAndConfirm(ctx.connection, new Transaction().add(ix), [owner]));
  }
  return { changes, signatures, needsOwner: owner ? [] : ownerFields };
}

/** Everything `status` reports. */
export interface DeviceStatusReport {
  deviceId: string;
  device: string;
  agent: string;
  registered: boolean;
  agentMatches?: boolean;
  owner?: string;
  status?: keyof typeof DEVICE_STATUS;
  gpuModel?: string;
  specs?: DeviceSpecs;
  pricePerGpuHour?: bigint;
  endpoint?: string;
  stake?: { qualifying: bigint; minimum: bigint; meetsMinimum: boolean };
  reputationBps?: number;
  reservation?: string | null;
  bookings?: { address: string; reservation: string; startedAt: bigint; endsAt: bigint }[];
  /** IO base units the owner can claim (closed epochs settled). */
  claimableIo?: bigint;
}

/** The device's standing on chain. */
export async function deviceStatus(ctx: AgentContext): Promise<DeviceStatusReport> {
  const base = {
    deviceId: ctx.config.device.id,
    device: ctx.device.toBase58(),
    agent: ctx.agent.publicKey.toBase58(),
  };
  const device = await fetchDevice(ctx);
  if (!device) return { ...base, registered: false };
  const pool = stakePoolPda(ctx.device, device.owner).address;
  const epochs = unsettledEpochs(device.availability.earnings);
  const keys = [
    pool,
    stakingConfigPda().address,
    ...epochs.map((e) => availabilityEpochPda(e).address),
  ];
  const infos = await retrying(() => ctx.connection.getMultipleAccountsInfo(keys, "confirmed"), {
    attempts: 5,
  });
  const [poolInfo, stakingInfo, ...epochInfos] = infos;
  let stake: DeviceStatusReport["stake"];
  if (stakingInfo) {
    const minimum = deviceMinimumStake(
      decodeStakingConfig(stakingInfo.data),
      device.gpuModel,
      device.specs.gpuCount,
    );
    const qualifying = poolInfo ? poolQualifyingStake(decodeStakePool(poolInfo.data)) : 0n;
    stake = { qualifying, minimum, meetsMinimum: qualifying >= minimum };
  }
  const closed = epochInfos.flatMap((info) => (info ? [decodeAvailabilityEpoch(info.data)] : []));
  // Accrued (settled, not yet claimed) after settling the closed epochs: what a claim pays.
  const claimable = claimableEarnings(device.availability.earnings, closed, "devices");
  const bookings = await retrying(() => fetchDeviceBookings(ctx.connection, ctx.device), {
    attempts: 5,
  });
  return {
    ...base,
    registered: true,
    agentMatches: device.agent.equals(ctx.agent.publicKey),
    owner: device.owner.toBase58(),
    status: deviceStatusName(device.status),
    gpuModel: device.gpuModel,
    specs: device.specs,
    pricePerGpuHour: BigInt(device.pricePerGpuHour.toString()),
    endpoint: device.endpoint,
    stake,
    reputationBps: device.availability.reputationBps,
    reservation: device.reservation.equals(PublicKey.default)
      ? null
      : device.reservation.toBase58(),
    bookings: bookings.map((b) => ({
      address: b.address.toBase58(),
      reservation: b.booking.reservation.toBase58(),
      startedAt: BigInt(b.booking.startedAt.toString()),
      endsAt: BigInt(b.booking.endsAt.toString()),
    })),
    claimableIo: claimable,
  };
}

/** Deregisters the device (the owner signs; refused by the registry while it is reserved). */
export async function deregister(ctx: AgentContext, owner: Keypair): Promise<string> {
  const device = await fetchDevice(ctx);
  if (!device)
    throw new CliError(`device ${ctx.config.device.id} is not registered`, EXIT.notRegistered);
  if (!device.owner.equals(owner.publicKey)) {
    throw new CliError(`the device's owner is ${device.owner.toBase58()}, not the keypair given`);
  }
  const ix = await deregisterDeviceIx(ctx.registry, {
    owner: owner.publicKey,
    deviceId: ctx.config.device.id,
  });
  return sendAndConfirm(ctx.connection, new Transaction().add(ix), [owner]);
}

/**
 * Makes this agent's key the device's agent (`change_agent`: the owner and the new key sign; the
 * registry refuses while the device is reserved): for a machine whose key was lost or replaced.
 * Nothing is sent when the device already names this key.
 */
export async function changeAgent(
  ctx: AgentContext,
  owner: Keypair,
): Promise<{ previous: PublicKey; signature: string | null }> {
  const device = await fetchDevice(ctx);
  if (!device)
    throw new CliError(`device ${ctx.config.device.id} is not registered`, EXIT.notRegistered);
  if (!device.owner.equals(owner.publicKey)) {
    throw new CliError(`the device's owner is ${device.owner.toBase58()}, not the keypair given`);
  }
  if (device.agent.equals(ctx.agent.publicKey)) return { previous: device.agent, signature: null };
  const ix = await changeAgentIx(ctx.registry, {
    owner: owner.publicKey,
    newAgent: ctx.agent.publicKey,
    device: ctx.device,
  });
  const signature = await sendAndConfirm(ctx.connection, new Transaction().add(ix), [
    owner,
    ctx.agent,
  ]);
  return { previous: device.agent, signature };
}
