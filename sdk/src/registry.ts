/**
 * The registry program's client: the typed anchor `Program`, instruction builders for every
 * registry instruction (availability included: `attestAvailability` returns the Ed25519
 * instruction and the attestation of a batch of signed probes), the device account layout for
 * `memcmp` filters, and decoders. The probe format lives in `probe.ts`, the availability
 * arithmetic in `registry/availability.ts`. Browser-safe: no Node APIs.
 *
 * Units: prices are IOSD base units per GPU per hour (IOSD has 6 decimals: 1_000_000 = 1 USD);
 * token amounts are base units of the named mint; times are unix seconds.
 */
import { EventParser, Program, utils } from "@coral-xyz/anchor";
import type { BorshCoder, IdlAccounts, IdlEvents, IdlTypes, Provider } from "@coral-xyz/anchor";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { SYSVAR_SLOT_HASHES_PUBKEY } from "@solana/web3.js";
import type {
  AccountInfo,
  AccountMeta,
  PublicKey,
  Connection,
  GetProgramAccountsFilter,
  TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";
import { Buffer } from "buffer";

import registryIdlJson from "../../target/idl/registry.json" with { type: "json" };
import type { Registry } from "../../target/types/registry.js";
import { IOTOKEN_PROGRAM_ID, REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID } from "./constants.js";
import { deployerAccounts } from "./deployer.js";
import {
  availabilityEpochPda,
  availabilityVaultPda,
  configPda,
  deviceHistoryPda,
  deviceHistoryPdaFromHash,
  devicePda,
  distributorPda,
  epochRecordPda,
  iotokenConfigPda,
  ioMintPda,
  keeperBondVaultPda,
  keeperPda,
  keeperTipsVaultPda,
  poolPda,
  schedulePda,
  stakePoolPda,
  stakeVaultPda,
  stakingConfigPda,
  treasuryPda,
} from "./pda.js";
import { ed25519Instruction, parseProbeMessage } from "./probe.js";
import type { ProbeRequest, SignedProbe } from "./probe.js";
import { MAX_DEVICES_PER_ATTESTATION } from "./registry/availability.js";

export type { Registry };

/**
 * The registry IDL as generated into `target/idl/registry.json` (snake_case, as on chain),
 * typed with the camelCase `Registry` type that anchor's `Program` exposes.
 */
export const REGISTRY_IDL: Registry = registryIdlJson as unknown as Registry;

if (REGISTRY_IDL.address !== REGISTRY_PROGRAM_ID.toBase58()) {
  throw new Error(
    `registry IDL address ${REGISTRY_IDL.address} differs from REGISTRY_PROGRAM_ID ${REGISTRY_PROGRAM_ID.toBase58()}: regenerate the IDL (npm run build:idl)`,
  );
}

/** Decoded `Device` account. Prices in IOSD base units (1e6 = 1 USD) per GPU-hour. */
export type Device = IdlAccounts<Registry>["device"];
/** Decoded `Keeper` account. Bond in base units of `bondMint`. */
export type Keeper = IdlAccounts<Registry>["keeper"];
/** Decoded `RegistryConfig` account. */
export type RegistryConfig = IdlAccounts<Registry>["registryConfig"];
/**
 * Decoded `AvailabilityEpoch` account (`["availability", epoch]`): the epoch's attested weight and
 * qualified passes, and once closed the IO base units drawn for devices and keepers.
 */
export type AvailabilityEpoch = IdlAccounts<Registry>["availabilityEpoch"];
/** A device's availability record (`Device.availability`): rewards, probe results, reputation. */
export type DeviceAvailability = IdlTypes<Registry>["deviceAvailability"];
/** A keeper's probing record and tips (`Keeper.activity`). */
export type KeeperActivity = IdlTypes<Registry>["keeperActivity"];
/** Epochs earned in and not yet settled, IO accrued and claimed (`Earnings`). */
export type Earnings = IdlTypes<Registry>["earnings"];
/** The failure quorum and the oldest slot a probe may be bound to (`AvailabilityParams`). */
export type AvailabilityParams = IdlTypes<Registry>["availabilityParams"];
/** Fixed-size hardware description of a device. VRAM and RAM in MiB, storage in GiB. */
export type DeviceSpecs = IdlTypes<Registry>["deviceSpecs"];
/** `{ active: {} }` or `{ paused: {} }`. */
export type DeviceStatus = IdlTypes<Registry>["deviceStatus"];
/** `{ basic: {} }`, `{ standard: {} }`, `{ high: {} }` or `{ ultra: {} }`. */
export type BandwidthTier = IdlTypes<Registry>["bandwidthTier"];
/** Every registry event, by its camelCase name (as `addEventListener` takes it). */
export type RegistryEvents = IdlEvents<Registry>;
export type RegistryEventName = keyof RegistryEvents;

/** How a reservation ended for a device (`ReservationOutcome`), as anchor encodes it. */
export type ReservationOutcome = IdlTypes<Registry>["reservationOutcome"];

/** Reservation outcomes as anchor encodes them. */
export const RESERVATION_OUTCOME = {
  completed: { completed: {} },
  cancelled: { cancelled: {} },
  failed: { failed: {} },
  noShow: { noShow: {} },
  /** Completed, but not credited to the device's reputation (unpaid, or self-booked). */
  completedUncredited: { completedUncredited: {} },
} as const satisfies Record<string, ReservationOutcome>;
export type ReservationOutcomeName = keyof typeof RESERVATION_OUTCOME;

/** The name of a decoded reservation outcome. */
export function reservationOutcomeName(outcome: ReservationOutcome): ReservationOutcomeName {
  return (Object.keys(RESERVATION_OUTCOME) as ReservationOutcomeName[]).find(
    (name) => name in outcome,
  )!;
}

/** Device status values as anchor encodes them. */
export const DEVICE_STATUS = {
  active: { active: {} },
  paused: { paused: {} },
} as const satisfies Record<string, DeviceStatus>;

/** Borsh enum index of each device status, as stored at `DEVICE_LAYOUT.status`. */
export const DEVICE_STATUS_INDEX = { active: 0, paused: 1 } as const;

/** Bandwidth tiers as anchor encodes them. */
export const BANDWIDTH_TIER = {
  /** Under 100 Mbit/s. */
  basic: { basic: {} },
  /** 100 Mbit/s to 1 Gbit/s. */
  standard: { standard: {} },
  /** 1 to 10 Gbit/s. */
  high: { high: {} },
  /** 10 Gbit/s and more. */
  ultra: { ultra: {} },
} as const satisfies Record<string, BandwidthTier>;

/** The name of a decoded device status. */
export function deviceStatusName(status: DeviceStatus): keyof typeof DEVICE_STATUS {
  return "paused" in status ? "paused" : "active";
}

/**
 * Bytes of a device's `DeviceAvailability`: earnings (4 unsettled epochs x 16 + accrued + claimed
 * = 80), five u32 counters, reputation u16, last pass epoch and probe slot, benchmark hash,
 * attesting keeper, pass epoch and count with four passers, report epoch and count with five
 * reporters, first report time, quorum flag, last failure epoch, failure time during the lock.
 */
export const DEVICE_AVAILABILITY_LEN =
  80 + 5 * 4 + 2 + 8 + 8 + 32 + 32 + (8 + 1 + 4 * 32) + (8 + 1 + 5 * 32) + 8 + 1 + 8 + 8;

/**
 * Byte offsets of the fixed-size fields of a `Device` account, for `memcmp` filters and raw
 * reads. They follow the field order of `programs/registry/src/state/device.rs`: 8-byte
 * anchor discriminator, then Borsh fields (enums take one byte; strings come last).
 */
export const DEVICE_LAYOUT = (() => {
  const discriminator = 0;
  const owner = 8;
  const agent = owner + 32;
  const deviceIdHash = agent + 32;
  const status = deviceIdHash + 32;
  const reservation = status + 1;
  const pricePerGpuHour = reservation + 32;
  const specs = pricePerGpuHour + 8;
  // DeviceSpecs: gpu_count u16, vram_mib u32, cpu_cores u16, ram_mib u32, storage_gib u32,
  // bandwidth_tier u8.
  const registeredAt = specs + 2 + 4 + 2 + 4 + 4 + 1;
  const updatedAt = registeredAt + 8;
  const bump = updatedAt + 8;
  const availability = bump + 1;
  const registeredSlot = availability + DEVICE_AVAILABILITY_LEN;
  const reserved = registeredSlot + 8;
  const deviceId = reserved + 56;
  return {
    discriminator,
    owner,
    agent,
    deviceIdHash,
    status,
    reservation,
    pricePerGpuHour,
    specs,
    specsGpuCount: specs,
    specsVramMib: specs + 2,
    specsCpuCores: specs + 6,
    specsRamMib: specs + 8,
    specsStorageGib: specs + 12,
    specsBandwidthTier: specs + 16,
    registeredAt,
    updatedAt,
    bump,
    /** `DeviceAvailability`, `DEVICE_AVAILABILITY_LEN` bytes. */
    availability,
    /** Within it: the last epoch with a pass (u64 LE, `NO_EPOCH` before the first). */
    availabilityLastPassEpoch: availability + 102,
    /** Within it: the reputation in basis points (u16 LE). */
    availabilityReputationBps: availability + 100,
    /** The slot the device registered in (u64 LE). */
    registeredSlot,
    reserved,
    /** First variable-length field (u32 length + bytes); later strings have no fixed offset. */
    deviceId,
  } as const;
})();

/**
 * Space allocated for every `Device` account: 8 (discriminator) + `Device::INIT_SPACE`, i.e. the
 * fixed fields up to `DEVICE_LAYOUT.deviceId` plus each string at its maximum length with its
 * 4-byte length prefix (device id 64, name 32, GPU model 48, region 16, endpoint 96).
 */
export const DEVICE_ACCOUNT_SIZE =
  DEVICE_LAYOUT.deviceId + (4 + 64) + (4 + 32) + (4 + 48) + (4 + 16) + (4 + 96);

/**
 * Space of a `DeviceHistory` record: discriminator, id hash, four u32 counters, last failure
 * epoch, deregistration time, bump.
 */
export const DEVICE_HISTORY_ACCOUNT_SIZE = 8 + 32 + 4 * 4 + 8 + 8 + 1;

/** `memcmp` filter: devices owned by `owner`. */
export function deviceOwnerFilter(owner: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: DEVICE_LAYOUT.owner, bytes: owner.toBase58() } };
}

/** `memcmp` filter: devices whose agent key is `agent`. */
export function deviceAgentFilter(agent: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: DEVICE_LAYOUT.agent, bytes: agent.toBase58() } };
}

/** `memcmp` filter: devices in the given status. */
export function deviceStatusFilter(status: keyof typeof DEVICE_STATUS): GetProgramAccountsFilter {
  const bytes = utils.bytes.bs58.encode(Uint8Array.of(DEVICE_STATUS_INDEX[status]));
  return { memcmp: { offset: DEVICE_LAYOUT.status, bytes } };
}

/** `memcmp` filter: devices locked to `reservation` (`PublicKey.default` for free devices). */
export function deviceReservationFilter(reservation: PublicKey): GetProgramAccountsFilter {
  return { memcmp: { offset: DEVICE_LAYOUT.reservation, bytes: reservation.toBase58() } };
}

/** `dataSize` filter matching exactly the registry's device accounts' size. */
export function deviceSizeFilter(): GetProgramAccountsFilter {
  return { dataSize: DEVICE_ACCOUNT_SIZE };
}

const OFFLINE_PROVIDER: Provider = {
  get connection(): Connection {
    throw new Error(
      "this registry Program was created without a provider: pass one to registryProgram()",
    );
  },
};

/**
 * The registry as a typed anchor `Program`. Without a provider it can still build instructions
 * (the builders below pass every account) and decode accounts and events, but not send or fetch.
 */
export function registryProgram(provider: Provider = OFFLINE_PROVIDER): Program<Registry> {
  return new Program<Registry>(REGISTRY_IDL, provider);
}

let offlineProgram: Program<Registry> | undefined;
function offline(): Program<Registry> {
  offlineProgram ??= registryProgram();
  return offlineProgram;
}

/** The registry's Borsh coder (accounts, instructions, events, types), camelCase field names. */
export function registryCoder(): BorshCoder {
  return offline().coder as BorshCoder;
}

/** Decodes a `Device` account's data (discriminator checked). */
export function decodeDevice(data: Uint8Array): Device {
  return registryCoder().accounts.decode<Device>("device", toBuffer(data));
}

/** Decodes a `Keeper` account's data (discriminator checked). */
export function decodeKeeper(data: Uint8Array): Keeper {
  return registryCoder().accounts.decode<Keeper>("keeper", toBuffer(data));
}

/** Decodes the `RegistryConfig` account's data (discriminator checked). */
export function decodeRegistryConfig(data: Uint8Array): RegistryConfig {
  return registryCoder().accounts.decode<RegistryConfig>("registryConfig", toBuffer(data));
}

/** Decodes an `AvailabilityEpoch` account's data (discriminator checked). */
export function decodeAvailabilityEpoch(data: Uint8Array): AvailabilityEpoch {
  return registryCoder().accounts.decode<AvailabilityEpoch>("availabilityEpoch", toBuffer(data));
}

/** Decodes a device from an `AccountInfo`, checking it is owned by the registry. */
export function decodeDeviceAccount(
  info: AccountInfo<Uint8Array>,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): Device {
  if (!info.owner.equals(programId)) {
    throw new Error(`account is owned by ${info.owner.toBase58()}, not the registry`);
  }
  return decodeDevice(info.data);
}

/** A registry event decoded from transaction logs. */
export type ParsedRegistryEvent = {
  [K in RegistryEventName]: { name: K; data: RegistryEvents[K] };
}[RegistryEventName];

/** The registry events in a transaction's log messages (CPI-aware, as anchor parses them). */
export function parseRegistryEvents(
  logs: string[],
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): ParsedRegistryEvent[] {
  const parser = new EventParser(programId, registryCoder());
  return [...parser.parseLogs(logs)] as ParsedRegistryEvent[];
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** An integer that fits u64/i64: a bigint, a safe integer number or a BN. */
export type IntegerLike = bigint | number | BN;

/** Converts to the BN anchor encodes u64/i64 from, refusing non-integers. */
export function toBN(value: IntegerLike): BN {
  if (BN.isBN(value)) return value;
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`${value} is not a safe integer; pass a bigint`);
  }
  return new BN(value.toString());
}

/** A device named by its id (the PDA is derived) or by its address. */
export type DeviceRef = { deviceId: string } | { device: PublicKey };

function deviceAddress(ref: DeviceRef, programId: PublicKey): PublicKey {
  return "device" in ref ? ref.device : devicePda(ref.deviceId, programId).address;
}

/** Arguments of `register_device`. */
export interface RegisterDeviceParams {
  /** Becomes the device's owner and pays its rent. */
  owner: PublicKey;
  /** Stable identifier (e.g. a machine UUID), 1-64 bytes of printable ASCII. */
  deviceId: string;
  name: string;
  /** Marketing name of the GPU, e.g. "NVIDIA H100 80GB HBM3". */
  gpuModel: string;
  /** Lowercase letters, digits and dashes, e.g. "us-east". */
  region: string;
  specs: DeviceSpecs;
  /** IOSD base units (1e6 = 1 USD) per GPU-hour. */
  pricePerGpuHour: IntegerLike;
  /** The host agent's key: it co-signs the registration (must differ from the owner). */
  agent: PublicKey;
  /** Where keepers reach the agent; "" for the relay. */
  endpoint?: string;
}

/** Each given field replaces the current value. */
export interface UpdateDeviceParams {
  owner: PublicKey;
  gpuModel?: string;
  region?: string;
  specs?: DeviceSpecs;
  /** IOSD base units (1e6 = 1 USD) per GPU-hour. */
  pricePerGpuHour?: IntegerLike;
}

/** `initialize_config`: creates the registry config; `authority` becomes its authority. */
export function initializeConfigIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    /** The program's deployer (see `expectedDeployer`); it signs too. */
    deployer: PublicKey;
    bondMint: PublicKey;
    /** In `bondMint` base units. */
    keeperBondAmount: IntegerLike;
    /** Seconds between a keeper's unbond request and its withdrawal (0 to 365 days). */
    keeperUnbondCooldownSecs: IntegerLike;
  },
): Promise<TransactionInstruction> {
  return program.methods
    .initializeConfig({
      keeperBondAmount: toBN(params.keeperBondAmount),
      keeperUnbondCooldownSecs: toBN(params.keeperUnbondCooldownSecs),
    })
    .accountsPartial({
      authority: params.authority,
      ...deployerAccounts(program.programId, params.deployer),
      config: configPda(program.programId).address,
      bondMint: params.bondMint,
    })
    .instruction();
}

/** `update_config`: each given field replaces the config's value. */
export function updateConfigIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    newAuthority?: PublicKey;
    /** Bond mint for keepers registering from now on. */
    newBondMint?: PublicKey;
    /** In base units of the bond mint in force after the update. */
    keeperBondAmount?: IntegerLike;
    keeperUnbondCooldownSecs?: IntegerLike;
    /** `PublicKey.default` disables new locks (the market replaced may still release). */
    marketProgram?: PublicKey;
    /** The whole availability rule set (`validateAvailability` gives its bounds). */
    availability?: {
      failureQuorum: number;
      maxProbeAgeSlots: IntegerLike;
      committeeSize: number;
      passesRequired: number;
      reportAfterSecs: number;
      falseReportPenaltyBps: number;
    };
  },
): Promise<TransactionInstruction> {
  const availability = params.availability;
  return program.methods
    .updateConfig({
      newAuthority: params.newAuthority ?? null,
      keeperBondAmount:
        params.keeperBondAmount === undefined ? null : toBN(params.keeperBondAmount),
      keeperUnbondCooldownSecs:
        params.keeperUnbondCooldownSecs === undefined
          ? null
          : toBN(params.keeperUnbondCooldownSecs),
      marketProgram: params.marketProgram ?? null,
      availability: availability
        ? { ...availability, maxProbeAgeSlots: toBN(availability.maxProbeAgeSlots) }
        : null,
    })
    .accountsPartial({
      authority: params.authority,
      config: configPda(program.programId).address,
      newBondMint: params.newBondMint ?? null,
    })
    .instruction();
}

/**
 * `register_device`: creates the device PDA from `sha256(deviceId)`, owned by `owner`; both
 * `owner` and `agent` sign. A deregistered id's history record is passed (and restored).
 */
export function registerDeviceIx(
  program: Program<Registry>,
  params: RegisterDeviceParams,
): Promise<TransactionInstruction> {
  return program.methods
    .registerDevice({
      deviceId: params.deviceId,
      name: params.name,
      gpuModel: params.gpuModel,
      region: params.region,
      specs: params.specs,
      pricePerGpuHour: toBN(params.pricePerGpuHour),
      endpoint: params.endpoint ?? "",
    })
    .accountsPartial({
      owner: params.owner,
      agent: params.agent,
      device: devicePda(params.deviceId, program.programId).address,
      history: deviceHistoryPda(params.deviceId, program.programId).address,
    })
    .instruction();
}

/**
 * `change_agent` (owner and the new agent key sign; not while reserved): moves the device to
 * `newAgent`.
 */
export function changeAgentIx(
  program: Program<Registry>,
  params: { owner: PublicKey; newAgent: PublicKey } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .changeAgent()
    .accountsPartial({
      owner: params.owner,
      newAgent: params.newAgent,
      device: deviceAddress(params, program.programId),
    })
    .instruction();
}

/** `update_device` (owner only): specs, GPU model, region, price (`changeAgentIx` for the agent). */
export function updateDeviceIx(
  program: Program<Registry>,
  params: UpdateDeviceParams & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .updateDevice({
      gpuModel: params.gpuModel ?? null,
      region: params.region ?? null,
      specs: params.specs ?? null,
      pricePerGpuHour: params.pricePerGpuHour === undefined ? null : toBN(params.pricePerGpuHour),
    })
    .accountsPartial({
      owner: params.owner,
      device: deviceAddress(params, program.programId),
    })
    .instruction();
}

/** `rename_device` (owner only). */
export function renameDeviceIx(
  program: Program<Registry>,
  params: { owner: PublicKey; name: string } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .renameDevice(params.name)
    .accountsPartial({ owner: params.owner, device: deviceAddress(params, program.programId) })
    .instruction();
}

/** `pause_device` (owner or agent). */
export function pauseDeviceIx(
  program: Program<Registry>,
  params: { signer: PublicKey } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .pauseDevice()
    .accountsPartial({ signer: params.signer, device: deviceAddress(params, program.programId) })
    .instruction();
}

/** `resume_device` (owner or agent). */
export function resumeDeviceIx(
  program: Program<Registry>,
  params: { signer: PublicKey } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .resumeDevice()
    .accountsPartial({ signer: params.signer, device: deviceAddress(params, program.programId) })
    .instruction();
}

/** `set_endpoint` (owner or agent); "" means "through the relay". */
export function setEndpointIx(
  program: Program<Registry>,
  params: { signer: PublicKey; endpoint: string } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .setEndpoint(params.endpoint)
    .accountsPartial({ signer: params.signer, device: deviceAddress(params, program.programId) })
    .instruction();
}

/**
 * A device by its id, or by its address with its id hash (`Device.deviceIdHash`), as the
 * instructions that also touch its history record need it.
 */
export type DeviceWithIdRef =
  { deviceId: string } | { device: PublicKey; deviceIdHash: Uint8Array | number[] };

/**
 * `deregister_device` (owner only, not while reserved, owed rewards or a pending failure quorum):
 * closes the device, its rent to the owner less that of the `["device_history", id]` record
 * keeping its counters for a later registration of the id.
 */
export function deregisterDeviceIx(
  program: Program<Registry>,
  params: { owner: PublicKey } & DeviceWithIdRef,
): Promise<TransactionInstruction> {
  const id = program.programId;
  const history =
    "deviceId" in params
      ? deviceHistoryPda(params.deviceId, id)
      : deviceHistoryPdaFromHash(params.deviceIdHash, id);
  return program.methods
    .deregisterDevice()
    .accountsPartial({
      owner: params.owner,
      device: deviceAddress(params, id),
      config: configPda(id).address,
      history: history.address,
    })
    .instruction();
}

/**
 * `register_keeper`: moves `bondAmount` (bond-mint base units, at least the bond in force, else
 * `BondBelowMinimum`) from `bondSource` (a token account of `authority` for `bondMint`) into the
 * keeper's PDA vault. The bond weighs in keeper assignments from the next epoch on.
 */
export function registerKeeperIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    bondMint: PublicKey;
    bondSource: PublicKey;
    bondAmount: IntegerLike;
    /** SPL Token (default) or Token-2022, whichever owns `bondMint`. */
    tokenProgram?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const keeper = keeperPda(params.authority, program.programId).address;
  return program.methods
    .registerKeeper(toBN(params.bondAmount))
    .accountsPartial({
      authority: params.authority,
      config: configPda(program.programId).address,
      keeper,
      bondMint: params.bondMint,
      bondSource: params.bondSource,
      bondVault: keeperBondVaultPda(keeper, program.programId).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/**
 * `add_bond`: an active keeper adds `amount` to its bond (to meet the bond in force after a
 * raise or forfeits, or to be assigned more devices from the next epoch on).
 */
export function addBondIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    bondMint: PublicKey;
    bondSource: PublicKey;
    amount: IntegerLike;
    tokenProgram?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const keeper = keeperPda(params.authority, program.programId).address;
  return program.methods
    .addBond(toBN(params.amount))
    .accountsPartial({
      authority: params.authority,
      config: configPda(program.programId).address,
      keeper,
      bondMint: params.bondMint,
      bondSource: params.bondSource,
      bondVault: keeperBondVaultPda(keeper, program.programId).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** `request_unbond`: stops the keeper and starts the cooldown in force now. */
export function requestUnbondIx(
  program: Program<Registry>,
  params: { authority: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .requestUnbond()
    .accountsPartial({
      authority: params.authority,
      config: configPda(program.programId).address,
      keeper: keeperPda(params.authority, program.programId).address,
    })
    .instruction();
}

/**
 * `withdraw_bond` after the cooldown: the bond to `destination` (a token account for
 * `bondMint`), what was forfeited for contradicted reports to iotoken's treasury account of the
 * mint (`withTreasury`, needed only when something was forfeited); the vault and keeper accounts
 * close, their rent to `authority`.
 */
export function withdrawBondIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    bondMint: PublicKey;
    destination: PublicKey;
    tokenProgram?: PublicKey;
    /** Pass iotoken's treasury account of the bond mint (when the keeper forfeited bond). */
    withTreasury?: boolean;
    iotokenProgramId?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const keeper = keeperPda(params.authority, program.programId).address;
  return program.methods
    .withdrawBond()
    .accountsPartial({
      authority: params.authority,
      keeper,
      bondMint: params.bondMint,
      bondVault: keeperBondVaultPda(keeper, program.programId).address,
      destination: params.destination,
      treasury: params.withTreasury
        ? treasuryPda(params.bondMint, params.iotokenProgramId ?? IOTOKEN_PROGRAM_ID).address
        : null,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** `lock_device`: signed by the market program's `registry_lock` PDA (through CPI). */
export function lockDeviceIx(
  program: Program<Registry>,
  params: { marketAuthority: PublicKey; reservation: PublicKey } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .lockDevice(params.reservation)
    .accountsPartial({
      marketAuthority: params.marketAuthority,
      config: configPda(program.programId).address,
      device: deviceAddress(params, program.programId),
    })
    .instruction();
}

/**
 * `release_device`: signed by the market program's `registry_lock` PDA (through CPI), with how
 * the reservation ended for the device (`completed` counts toward its reputation, `noShow` as a
 * failure).
 */
export function releaseDeviceIx(
  program: Program<Registry>,
  params: {
    marketAuthority: PublicKey;
    reservation: PublicKey;
    outcome: ReservationOutcomeName;
  } & DeviceRef,
): Promise<TransactionInstruction> {
  return program.methods
    .releaseDevice(params.reservation, RESERVATION_OUTCOME[params.outcome])
    .accountsPartial({
      marketAuthority: params.marketAuthority,
      config: configPda(program.programId).address,
      device: deviceAddress(params, program.programId),
    })
    .instruction();
}

// Availability

/** The `["availability", epoch]` records passed (read-only) for settlement. */
export function closedEpochMetas(
  epochs: readonly IntegerLike[],
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): AccountMeta[] {
  return epochs.map((epoch) => ({
    pubkey: availabilityEpochPda(BigInt(epoch.toString()), programId).address,
    isSigner: false,
    isWritable: false,
  }));
}

/**
 * `initialize_rewards` (anyone pays, once, after iotoken's schedule is sealed): copies the
 * emission origin and creates the availability and keeper-tips vaults owned by the
 * `["distributor"]` PDA.
 */
export function initializeRewardsIx(
  program: Program<Registry>,
  params: { payer: PublicKey; iotokenProgramId?: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const iotoken = params.iotokenProgramId ?? IOTOKEN_PROGRAM_ID;
  return program.methods
    .initializeRewards()
    .accountsPartial({
      payer: params.payer,
      config: configPda(id).address,
      iotokenConfig: iotokenConfigPda(iotoken).address,
      schedule: schedulePda(iotoken).address,
      ioMint: ioMintPda(iotoken).address,
      distributor: distributorPda(id).address,
      availabilityVault: availabilityVaultPda(id).address,
      keeperTipsVault: keeperTipsVaultPda(id).address,
    })
    .instruction();
}

/**
 * What the keeper with wallet `authority` sends a device's agent to sign (`signProbe`): `probe`'s
 * device, epoch, slot and slot hash, and the keeper's registry account `["keeper", authority]`,
 * which the challenge binds. The same account `attestAvailability` attests with for `authority`,
 * so only this keeper can attest the signed probe.
 */
export function probeRequest(
  params: { authority: PublicKey } & Omit<ProbeRequest, "keeper">,
  programId: PublicKey = REGISTRY_PROGRAM_ID,
): ProbeRequest {
  const { authority, ...probe } = params;
  return { ...probe, keeper: keeperPda(authority, programId).address };
}

/** One device of an attestation: its agent's signed probe and the device's owner. */
export interface AttestedDevice {
  probe: SignedProbe;
  /** The device's owner: its stake pool is `["pool", device, owner]` under staking. */
  owner: PublicKey;
  /** The device account; by default the one the probe message names. */
  device?: PublicKey;
  /**
   * Keeper accounts that reported the device down this epoch, when this is its first pass of
   * the epoch (`passReporters` reads them from the device): they forfeit part of their bonds.
   */
  reporters?: readonly PublicKey[];
}

/**
 * The reporters' keeper accounts an attestation of `device` by the keeper account `keeper` must
 * pass in `epoch`: the epoch's failure reporters other than `keeper` while the device has no
 * pass yet this epoch; none otherwise.
 */
export function passReporters(device: Device, epoch: IntegerLike, keeper: PublicKey): PublicKey[] {
  const availability = device.availability;
  const e = BigInt(epoch.toString());
  const passed = BigInt(availability.passEpoch.toString()) === e && availability.passCount > 0;
  if (passed || BigInt(availability.reportEpoch.toString()) !== e) return [];
  return availability.failureReporters
    .slice(0, availability.reportCount)
    .filter((reporter) => !reporter.equals(keeper));
}

function attestedDeviceAddress(entry: AttestedDevice): PublicKey {
  return entry.device ?? parseProbeMessage(entry.probe.message).device;
}

/**
 * `attest_availability` alone (the Ed25519 instruction must come right before it; see
 * `attestAvailability`): a bonded keeper passes `devices` it is assigned for `epoch` (see
 * `assignment`), as its account `["keeper", authority]`, which every probe's challenge must bind.
 * Remaining accounts: per device its account (writable), stake pool and the reporters to
 * penalise (`passReporters`, writable), then the closed availability records of `closedEpochs`
 * in which the devices or the keeper have unsettled earnings.
 */
export function attestAvailabilityIx(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    /** The current epoch (the probes' epoch), whose record `open_availability_epoch` opened. */
    epoch: IntegerLike;
    devices: readonly { device: PublicKey; owner: PublicKey; reporters?: readonly PublicKey[] }[];
    closedEpochs?: readonly IntegerLike[];
    stakingProgramId?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const staking = params.stakingProgramId ?? STAKING_PROGRAM_ID;
  const count = params.devices.length;
  if (count < 1 || count > MAX_DEVICES_PER_ATTESTATION) {
    throw new RangeError(`an attestation carries 1 to ${MAX_DEVICES_PER_ATTESTATION} devices`);
  }
  const deviceMetas = params.devices.flatMap(({ device, owner, reporters }): AccountMeta[] => [
    { pubkey: device, isSigner: false, isWritable: true },
    {
      pubkey: stakePoolPda(device, owner, staking).address,
      isSigner: false,
      isWritable: false,
    },
    ...(reporters ?? []).map((pubkey) => ({ pubkey, isSigner: false, isWritable: true })),
  ]);
  return program.methods
    .attestAvailability(count)
    .accountsPartial({
      authority: params.authority,
      keeper: keeperPda(params.authority, id).address,
      config: configPda(id).address,
      stakingConfig: stakingConfigPda(staking).address,
      epochRecord: availabilityEpochPda(BigInt(params.epoch.toString()), id).address,
    })
    .remainingAccounts([...deviceMetas, ...closedEpochMetas(params.closedEpochs ?? [], id)])
    .instruction();
}

/**
 * A batch attestation as one transaction needs it: `[ed25519Ix, attestIx]`, the Ed25519
 * instruction verifying every device's signed probe in order, immediately followed by
 * `attest_availability`. Add nothing between them. Two devices fit a legacy transaction. Each
 * probe must answer this keeper's request (`probeRequest` with the same `authority`); one signed
 * for another keeper fails with `ChallengeMismatch`.
 */
export async function attestAvailability(
  program: Program<Registry>,
  params: {
    authority: PublicKey;
    devices: readonly AttestedDevice[];
    /** By default the epoch of the first probe's message. */
    epoch?: IntegerLike;
    closedEpochs?: readonly IntegerLike[];
    stakingProgramId?: PublicKey;
  },
): Promise<[TransactionInstruction, TransactionInstruction]> {
  const first = params.devices[0];
  if (!first) throw new RangeError("an attestation carries at least one device");
  const epoch = params.epoch ?? parseProbeMessage(first.probe.message).epoch;
  const attest = await attestAvailabilityIx(program, {
    authority: params.authority,
    epoch,
    devices: params.devices.map((d) => ({
      device: attestedDeviceAddress(d),
      owner: d.owner,
      reporters: d.reporters,
    })),
    closedEpochs: params.closedEpochs,
    stakingProgramId: params.stakingProgramId,
  });
  return [ed25519Instruction(params.devices.map((d) => d.probe)), attest];
}

/**
 * `report_failure`: a keeper assigned to the device in `epoch` (the current one) reports that it
 * did not answer; counted only after the epoch's probe window and while the device has no pass.
 */
export function reportFailureIx(
  program: Program<Registry>,
  params: { authority: PublicKey; epoch: IntegerLike } & DeviceRef,
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .reportFailure()
    .accountsPartial({
      authority: params.authority,
      keeper: keeperPda(params.authority, id).address,
      config: configPda(id).address,
      device: deviceAddress(params, id),
      epochRecord: availabilityEpochPda(BigInt(params.epoch.toString()), id).address,
      slotHashes: SYSVAR_SLOT_HASHES_PUBKEY,
    })
    .instruction();
}

/**
 * `open_availability_epoch` (anyone; the payer pays the record's rent): opens the current
 * epoch's record, or, called again once its seed slot has passed, fixes the seed that assigns
 * keepers to devices (`EpochSeedNotFixed` while it has not; `EpochSeedAlreadyFixed` after).
 */
export function openAvailabilityEpochIx(
  program: Program<Registry>,
  params: { payer: PublicKey; epoch: IntegerLike },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .openAvailabilityEpoch()
    .accountsPartial({
      payer: params.payer,
      config: configPda(id).address,
      epochRecord: availabilityEpochPda(BigInt(params.epoch.toString()), id).address,
      slotHashes: SYSVAR_SLOT_HASHES_PUBKEY,
    })
    .instruction();
}

/**
 * `close_availability_epoch` (permissionless, once iotoken's `end_epoch` closed `epoch`): draws the
 * epoch's availability and keepers pools into the registry's vaults (each only if earned).
 */
export function closeAvailabilityEpochIx(
  program: Program<Registry>,
  params: { cranker: PublicKey; epoch: IntegerLike; iotokenProgramId?: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const iotoken = params.iotokenProgramId ?? IOTOKEN_PROGRAM_ID;
  const epoch = BigInt(params.epoch.toString());
  return program.methods
    .closeAvailabilityEpoch()
    .accountsPartial({
      cranker: params.cranker,
      config: configPda(id).address,
      epochRecord: availabilityEpochPda(epoch, id).address,
      iotokenEpoch: epochRecordPda(epoch, iotoken).address,
      iotokenConfig: iotokenConfigPda(iotoken).address,
      availabilityPool: poolPda("availability", iotoken).address,
      keepersPool: poolPda("keepers", iotoken).address,
      distributor: distributorPda(id).address,
      availabilityVault: availabilityVaultPda(id).address,
      keeperTipsVault: keeperTipsVaultPda(id).address,
    })
    .instruction();
}

/**
 * `claim_availability_rewards` (the device's owner): settles the unsettled epochs among
 * `closedEpochs`, then pays everything accrued: the stake pool's staker share deposited for its
 * co-stakers (when it has any), the rest to `destination` (an IO token account).
 */
export function claimAvailabilityRewardsIx(
  program: Program<Registry>,
  params: {
    owner: PublicKey;
    destination: PublicKey;
    closedEpochs?: readonly IntegerLike[];
    /** The device's stake pool; by default `["pool", device, owner]`. */
    stakePool?: PublicKey;
    stakingProgramId?: PublicKey;
  } & DeviceRef,
): Promise<TransactionInstruction> {
  const id = program.programId;
  const staking = params.stakingProgramId ?? STAKING_PROGRAM_ID;
  const device = deviceAddress(params, id);
  const pool = params.stakePool ?? stakePoolPda(device, params.owner, staking).address;
  return program.methods
    .claimAvailabilityRewards()
    .accountsPartial({
      owner: params.owner,
      device,
      config: configPda(id).address,
      distributor: distributorPda(id).address,
      availabilityVault: availabilityVaultPda(id).address,
      destination: params.destination,
      stakePool: pool,
      stakeVault: stakeVaultPda(pool, staking).address,
      stakingConfig: stakingConfigPda(staking).address,
    })
    .remainingAccounts(closedEpochMetas(params.closedEpochs ?? [], id))
    .instruction();
}

/**
 * `claim_keeper_tips`: the keeper's share of each closed epoch's keepers pool by qualified passes,
 * settled from `closedEpochs`, to `destination` (an IO token account).
 */
export function claimKeeperTipsIx(
  program: Program<Registry>,
  params: { authority: PublicKey; destination: PublicKey; closedEpochs?: readonly IntegerLike[] },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .claimKeeperTips()
    .accountsPartial({
      authority: params.authority,
      keeper: keeperPda(params.authority, id).address,
      config: configPda(id).address,
      distributor: distributorPda(id).address,
      keeperTipsVault: keeperTipsVaultPda(id).address,
      destination: params.destination,
    })
    .remainingAccounts(closedEpochMetas(params.closedEpochs ?? [], id))
    .instruction();
}
