/**
 * The iotoken program's client: the typed anchor `Program`, instruction builders for every
 * iotoken instruction, the default parameters, decoders (including `EpochRecord`, which the IDL
 * does not describe) and event parsing. Its arithmetic is mirrored in `iotoken/math.ts` and the
 * emission presets in `iotoken/presets.ts`. Browser-safe: no Node APIs.
 *
 * Units: IO amounts are IO base units (1e8 = 1 IO), IOSD amounts IOSD base units (1e6 = 1 USD),
 * prices USD per whole IO with 8 decimals (1e8 = 1 USD per IO), times unix seconds.
 */
import { EventParser, Program } from "@coral-xyz/anchor";
import type { BorshCoder, IdlAccounts, IdlEvents, IdlTypes, Provider } from "@coral-xyz/anchor";
import { sha256 } from "@noble/hashes/sha2";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import type { AccountMeta, Connection, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { Buffer } from "buffer";

import iotokenIdlJson from "../../target/idl/iotoken.json" with { type: "json" };
import type { Iotoken } from "../../target/types/iotoken.js";
import { IOTOKEN_PROGRAM_ID } from "./constants.js";
import { deployerAccounts } from "./deployer.js";
import {
  EPOCH_SECS,
  IO,
  MAX_EPOCHS_PER_CRANK,
  breakerRoom,
  epochAt,
  epochStart,
  haltInForce,
  usablePrice,
} from "./iotoken/math.js";
import type { BreakerState, EmissionRow, EpochMintParams, PriceFeedState } from "./iotoken/math.js";
import {
  distributorPda,
  epochRecordPda,
  iotokenConfigPda,
  ioMintPda,
  iosdMintPda,
  ledgerPda,
  poolPda,
  priceFeedPda,
  REWARD_POOL,
  schedulePda,
  treasuryPda,
} from "./pda.js";
import type { RewardPoolName } from "./pda.js";
import { toBN } from "./registry.js";
import type { IntegerLike } from "./registry.js";

export type { Iotoken };

/**
 * The iotoken IDL as generated into `target/idl/iotoken.json` (snake_case, as on chain), typed
 * with the camelCase `Iotoken` type that anchor's `Program` exposes.
 */
export const IOTOKEN_IDL: Iotoken = iotokenIdlJson as unknown as Iotoken;

if (IOTOKEN_IDL.address !== IOTOKEN_PROGRAM_ID.toBase58()) {
  throw new Error(
    `iotoken IDL address ${IOTOKEN_IDL.address} differs from IOTOKEN_PROGRAM_ID ${IOTOKEN_PROGRAM_ID.toBase58()}: regenerate the IDL (npm run build:idl)`,
  );
}

/** Decoded `TokenConfig` account. */
export type TokenConfig = IdlAccounts<Iotoken>["tokenConfig"];
/** Decoded `EmissionSchedule` account. */
export type EmissionSchedule = IdlAccounts<Iotoken>["emissionSchedule"];
/** Decoded `EmissionLedger` account. */
export type EmissionLedger = IdlAccounts<Iotoken>["emissionLedger"];
/** Decoded `PriceFeed` account: prices USD per IO with 8 decimals. */
export type PriceFeed = IdlAccounts<Iotoken>["priceFeed"];
export type InitializeArgs = IdlTypes<Iotoken>["initializeArgs"];
export type UpdateConfigArgs = IdlTypes<Iotoken>["updateConfigArgs"];
export type EmissionParams = IdlTypes<Iotoken>["emissionParams"];
export type RewardSplit = IdlTypes<Iotoken>["rewardSplit"];
export type FeeParams = IdlTypes<Iotoken>["feeParams"];
export type OracleParams = IdlTypes<Iotoken>["oracleParams"];
export type BreakerParams = IdlTypes<Iotoken>["breakerParams"];
export type BuybackParams = IdlTypes<Iotoken>["buybackParams"];
export type GuardParams = IdlTypes<Iotoken>["guardParams"];
/** A schedule row as anchor encodes it (BN fields); `iotoken/math.ts` has the bigint one. */
export type IdlEmissionRow = IdlTypes<Iotoken>["emissionRow"];
/** Every iotoken event, by its camelCase name (as `addEventListener` takes it). */
export type IotokenEvents = IdlEvents<Iotoken>;
export type IotokenEventName = keyof IotokenEvents;

/** `T` with every BN (u64/i64) as a bigint: the sdk's plain form of the program's parameters. */
export type WithBigints<T> = T extends BN
  ? bigint
  : T extends PublicKey
    ? T
    : T extends readonly (infer U)[]
      ? WithBigints<U>[]
      : T extends object
        ? { [K in keyof T]: WithBigints<T[K]> }
        : T;

/** The token-wide parameters `initialize` takes (besides the price updaters), bigint form. */
export interface IotokenParams {
  emission: WithBigints<EmissionParams>;
  fees: WithBigints<FeeParams>;
  oracle: WithBigints<OracleParams>;
  breaker: WithBigints<BreakerParams>;
  buyback: WithBigints<BuybackParams>;
}

/** Default parameters of a new deployment. */
export const IOTOKEN_DEFAULTS: Readonly<IotokenParams> = Object.freeze({
  emission: {
    split: { availabilityBps: 6_000, computeBps: 2_500, stakersBps: 1_000, keepersBps: 500 },
    /** 10 IO per closed epoch to the cranker. */
    crankTip: 10n * IO,
    netSmoothingEpochs: 24n,
    /** 10,000 IO per epoch. */
    netCapPerEpoch: 10_000n * IO,
  },
  fees: {
    networkFeeBps: 500,
    usdcPaymentFeeBps: 200,
    ioPaymentFeeBps: 0,
    iosdPaymentFeeBps: 0,
    reservationFeeBps: 25,
    stakerShareMinBps: 100,
    stakerShareMaxBps: 300,
    /** 0.10 IOSD. */
    settleTip: 100_000n,
  },
  oracle: { maxStalenessSecs: 600n, maxConfidenceBps: 200, emaWindowSecs: 3_600n },
  /** 1,000,000 IOSD per hour. */
  breaker: { windowSecs: 3_600n, maxIosdPerWindow: 1_000_000n * 1_000_000n },
  /** 1% of the treasury's IO per day. */
  buyback: { burnBps: 100, intervalSecs: 86_400n },
});

/**
 * The bounds `initialize` writes into the config's reserved space (`GuardParams::DEFAULT`);
 * `update_config`'s `guards` changes them.
 */
export const IOTOKEN_GUARD_DEFAULTS: Readonly<WithBigints<GuardParams>> = Object.freeze({
  /** The EMA moves at most 1 bp of itself per second since the last price... */
  emaStepBpsPerHour: 3_600,
  /** ...and at most 2% per update. */
  maxEmaStepBps: 200,
  /** A spot more than 10% from the EMA is not used. */
  maxDeviationBps: 1_000,
  /** Half of the breaker's window limit at once, the other half refilling over the window. */
  breakerBurstBps: 5_000,
  /** An updater's halt lasts an hour... */
  updaterHaltSecs: 3_600n,
  /** ...and each updater halts at most once a day. */
  updaterHaltCooldownSecs: 86_400n,
});

/** `T` with every bigint as a BN: the form anchor encodes u64/i64/u128 from. */
export type Bnified<T> = T extends bigint
  ? BN
  : T extends PublicKey
    ? T
    : T extends readonly (infer U)[]
      ? Bnified<U>[]
      : T extends object
        ? { [K in keyof T]: Bnified<T[K]> }
        : T;

/** Deep copy with every bigint as a BN, the form anchor encodes u64/i64 from. */
export function bnified<T>(value: T): Bnified<T> {
  if (typeof value === "bigint") return new BN(value.toString()) as Bnified<T>;
  if (value instanceof PublicKey || BN.isBN(value)) return value as Bnified<T>;
  if (Array.isArray(value)) return value.map(bnified) as Bnified<T>;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bnified(v)])) as Bnified<T>;
  }
  return value as Bnified<T>;
}

/** Deep copy with every BN as a bigint (decoded accounts and events to plain values). */
export function withBigints<T>(value: T): WithBigints<T> {
  if (BN.isBN(value)) return BigInt(value.toString()) as WithBigints<T>;
  if (value instanceof PublicKey) return value as WithBigints<T>;
  if (Array.isArray(value)) return value.map(withBigints) as WithBigints<T>;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, withBigints(v)]),
    ) as WithBigints<T>;
  }
  return value as WithBigints<T>;
}

/** `initialize`'s arguments: `params` (default `IOTOKEN_DEFAULTS`) and the price updaters. */
export function initializeArgs(
  priceUpdaters: PublicKey[] = [],
  params: IotokenParams = IOTOKEN_DEFAULTS,
): InitializeArgs {
  return {
    emission: bnified(params.emission),
    fees: bnified(params.fees),
    oracle: bnified(params.oracle),
    breaker: bnified(params.breaker),
    buyback: bnified(params.buyback),
    priceUpdaters,
  };
}

/** The math mirror's epoch-mint parameters from a config's (or the defaults') emission params. */
export function epochMintParamsOf(
  emission: EmissionParams | WithBigints<EmissionParams>,
): EpochMintParams {
  const e = withBigints(emission as EmissionParams);
  return {
    splitBps: [
      BigInt(e.split.availabilityBps),
      BigInt(e.split.computeBps),
      BigInt(e.split.stakersBps),
      BigInt(e.split.keepersBps),
    ],
    crankTip: e.crankTip,
    netSmoothingEpochs: e.netSmoothingEpochs,
    netCapPerEpoch: e.netCapPerEpoch,
  };
}

/** A schedule's rows in the math mirror's bigint form. */
export function emissionRowsOf(schedule: Pick<EmissionSchedule, "rows">): EmissionRow[] {
  return schedule.rows.map((row) => ({
    startTime: BigInt(row.startTime.toString()),
    emissionPerEpoch: BigInt(row.emissionPerEpoch.toString()),
  }));
}

/**
 * The epochs `end_epoch` may close at unix time `now`, in order, at most `max` (12, the
 * program's limit): from `ledger.nextEpoch` while the epoch has ended.
 */
export function endableEpochs(
  ledger: Pick<EmissionLedger, "nextEpoch">,
  schedule: Pick<EmissionSchedule, "rows">,
  now: IntegerLike,
  max: number = MAX_EPOCHS_PER_CRANK,
): bigint[] {
  const first = schedule.rows[0];
  if (!first) return [];
  const origin = BigInt(first.startTime.toString());
  const current = epochAt(origin, BigInt(now.toString()));
  const epochs: bigint[] = [];
  for (let e = BigInt(ledger.nextEpoch.toString()); e < current && epochs.length < max; e++) {
    if (epochStart(origin, e) + EPOCH_SECS <= BigInt(now.toString())) epochs.push(e);
  }
  return epochs;
}

/** `rows` split into chunks for `append_schedule_rows` (a 40-row chunk fits one transaction). */
export function scheduleChunks<T>(rows: readonly T[], size = 40): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

const OFFLINE_PROVIDER: Provider = {
  get connection(): Connection {
    throw new Error(
      "this iotoken Program was created without a provider: pass one to iotokenProgram()",
    );
  },
};

/**
 * The iotoken program as a typed anchor `Program`. Without a provider it can still build
 * instructions (the builders below pass every account) and decode accounts and events.
 */
export function iotokenProgram(provider: Provider = OFFLINE_PROVIDER): Program<Iotoken> {
  return new Program<Iotoken>(IOTOKEN_IDL, provider);
}

let offlineProgram: Program<Iotoken> | undefined;
function offline(): Program<Iotoken> {
  offlineProgram ??= iotokenProgram();
  return offlineProgram;
}

/** The iotoken Borsh coder (accounts, instructions, events, types), camelCase field names. */
export function iotokenCoder(): BorshCoder {
  return offline().coder as BorshCoder;
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes the `TokenConfig` account's data (discriminator checked). */
export function decodeTokenConfig(data: Uint8Array): TokenConfig {
  return iotokenCoder().accounts.decode<TokenConfig>("tokenConfig", toBuffer(data));
}

/** Decodes the `EmissionSchedule` account's data (discriminator checked). */
export function decodeEmissionSchedule(data: Uint8Array): EmissionSchedule {
  return iotokenCoder().accounts.decode<EmissionSchedule>("emissionSchedule", toBuffer(data));
}

/** Decodes the `EmissionLedger` account's data (discriminator checked). */
export function decodeEmissionLedger(data: Uint8Array): EmissionLedger {
  return iotokenCoder().accounts.decode<EmissionLedger>("emissionLedger", toBuffer(data));
}

/** Decodes the `PriceFeed` account's data (discriminator checked). */
export function decodePriceFeed(data: Uint8Array): PriceFeed {
  return iotokenCoder().accounts.decode<PriceFeed>("priceFeed", toBuffer(data));
}

type FeedFields = Pick<
  PriceFeed,
  "price" | "confidence" | "ema" | "publishTime" | "halted" | "haltExpiresAt" | "maxDeviationBps"
>;
const big = (value: IntegerLike): bigint => BigInt(value.toString());

/** The fields of a decoded `PriceFeed` the math mirror's `usablePrice` reads. */
export function priceFeedState(feed: WithBigints<FeedFields> | FeedFields): PriceFeedState {
  return {
    price: big(feed.price),
    confidence: big(feed.confidence),
    ema: big(feed.ema),
    publishTime: big(feed.publishTime),
    halted: feed.halted,
    haltExpiresAt: big(feed.haltExpiresAt),
    maxDeviationBps: big(feed.maxDeviationBps),
  };
}

/** Whether burn-mint and IO payments are halted at `now` (an updater's halt expires by itself). */
export function priceFeedHalted(
  feed:
    | Pick<PriceFeed, "halted" | "haltExpiresAt">
    | WithBigints<Pick<PriceFeed, "halted" | "haltExpiresAt">>,
  now: IntegerLike,
): boolean {
  return haltInForce(feed.halted, big(feed.haltExpiresAt), BigInt(now.toString()));
}

/**
 * The conservative price `mint_iosd` and the market's IO payments use at `now`, as
 * `PriceFeed::usable_price` reads the feed under the config's oracle checks; throws
 * `IotokenMathError` naming the refusal (`PriceFeedHalted`, `PriceStale`, `PriceTooUncertain`,
 * `PriceDeviatesFromEma`, `PriceNotPositive`).
 */
export function feedUsablePrice(
  feed: WithBigints<FeedFields> | FeedFields,
  oracle: { maxStalenessSecs: IntegerLike; maxConfidenceBps: number },
  now: IntegerLike,
): bigint {
  return usablePrice(
    priceFeedState(feed),
    {
      maxStalenessSecs: big(oracle.maxStalenessSecs),
      maxConfidenceBps: BigInt(oracle.maxConfidenceBps),
    },
    BigInt(now.toString()),
  );
}

/** The circuit breaker's count in a decoded `EmissionLedger`. */
export function breakerStateOf(
  ledger: Pick<EmissionLedger, "breakerUsed" | "breakerUpdatedAt">,
): BreakerState {
  return { used: big(ledger.breakerUsed), updatedAt: big(ledger.breakerUpdatedAt) };
}

/** IOSD base units `mint_iosd` can mint at `now` before the circuit breaker trips. */
export function iosdMintRoom(
  ledger: Pick<EmissionLedger, "breakerUsed" | "breakerUpdatedAt">,
  config: Pick<TokenConfig, "breaker" | "guards">,
  now: IntegerLike,
): bigint {
  return breakerRoom(
    breakerStateOf(ledger),
    BigInt(now.toString()),
    big(config.breaker.windowSecs),
    big(config.breaker.maxIosdPerWindow),
    BigInt(config.guards.breakerBurstBps),
  );
}

/**
 * What one closed epoch minted (`programs/iotoken/src/state/epoch.rs`), read by the registry and
 * staking programs, and which pools' shares their distributors drew. Decoded here by hand, in
 * bigints (the IDL now describes it too, since `draw_epoch_pool` takes it as a typed account).
 */
export interface EpochRecord {
  epoch: bigint;
  startTime: bigint;
  endTime: bigint;
  scheduledEmission: bigint;
  netEmission: bigint;
  /** Availability, compute, stakers, keepers. */
  pools: [bigint, bigint, bigint, bigint];
  crankTip: bigint;
  crankedBy: PublicKey;
  crankedAt: bigint;
  supplyAfter: bigint;
  bump: number;
  /** Whether each pool's share was drawn by its distributor (availability, compute, stakers, keepers). */
  drawn: [boolean, boolean, boolean, boolean];
}

/** Anchor's account discriminator of `EpochRecord`: sha256("account:EpochRecord")[..8]. */
export const EPOCH_RECORD_DISCRIMINATOR: Uint8Array = sha256(
  new TextEncoder().encode("account:EpochRecord"),
).slice(0, 8);
/** `8 + EpochRecord::INIT_SPACE`. */
export const EPOCH_RECORD_ACCOUNT_SIZE = 8 + 8 * 5 + 8 * 4 + 8 + 32 + 8 + 8 + 1 + 4;

/** Decodes an `EpochRecord` account's data (discriminator checked). */
export function decodeEpochRecord(data: Uint8Array): EpochRecord {
  if (data.length < EPOCH_RECORD_ACCOUNT_SIZE) {
    throw new Error(
      `epoch record data is ${data.length} bytes, expected ${EPOCH_RECORD_ACCOUNT_SIZE}`,
    );
  }
  if (!EPOCH_RECORD_DISCRIMINATOR.every((b, i) => data[i] === b)) {
    throw new Error("not an EpochRecord account (discriminator mismatch)");
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 8;
  const u64 = (): bigint => {
    const value = view.getBigUint64(offset, true);
    offset += 8;
    return value;
  };
  const i64 = (): bigint => {
    const value = view.getBigInt64(offset, true);
    offset += 8;
    return value;
  };
  const epoch = u64();
  const startTime = i64();
  const endTime = i64();
  const scheduledEmission = u64();
  const netEmission = u64();
  const pools: [bigint, bigint, bigint, bigint] = [u64(), u64(), u64(), u64()];
  const crankTip = u64();
  const crankedBy = new PublicKey(data.slice(offset, offset + 32));
  offset += 32;
  const crankedAt = i64();
  const supplyAfter = u64();
  const bump = data[offset]!;
  offset += 1;
  const flag = (i: number): boolean => {
    const byte = data[offset + i]!;
    if (byte > 1) throw new Error(`epoch record drawn[${i}] is ${byte}, not a bool`);
    return byte === 1;
  };
  const drawn: [boolean, boolean, boolean, boolean] = [flag(0), flag(1), flag(2), flag(3)];
  return {
    epoch,
    startTime,
    endTime,
    scheduledEmission,
    netEmission,
    pools,
    crankTip,
    crankedBy,
    crankedAt,
    supplyAfter,
    bump,
    drawn,
  };
}

/** An iotoken event decoded from transaction logs. */
export type ParsedIotokenEvent = {
  [K in IotokenEventName]: { name: K; data: IotokenEvents[K] };
}[IotokenEventName];

/** The iotoken events in a transaction's log messages (CPI-aware, as anchor parses them). */
export function parseIotokenEvents(
  logs: string[],
  programId: PublicKey = IOTOKEN_PROGRAM_ID,
): ParsedIotokenEvent[] {
  const parser = new EventParser(programId, iotokenCoder());
  return [...parser.parseLogs(logs)] as ParsedIotokenEvent[];
}

/** The five genesis allocation accounts, in `mint_genesis`'s (and `genesisAllocations()`) order. */
export interface GenesisDestinations {
  /** 50%. */
  community: PublicKey;
  /** R&D / ecosystem, 16%. */
  ecosystem: PublicKey;
  /** 11.3%. */
  coreContributors: PublicKey;
  /** 12.5%. */
  seed: PublicKey;
  /** 10.2%. */
  seriesA: PublicKey;
}

/** The allocation names in the order of `GENESIS_ALLOCATION_BPS`. */
export const GENESIS_DESTINATION_NAMES: readonly (keyof GenesisDestinations)[] = Object.freeze([
  "community",
  "ecosystem",
  "coreContributors",
  "seed",
  "seriesA",
]);

/** A schedule row with any integer form. */
export interface EmissionRowLike {
  startTime: IntegerLike;
  emissionPerEpoch: IntegerLike;
}

function pools(programId: PublicKey): {
  availabilityPool: PublicKey;
  computePool: PublicKey;
  stakersPool: PublicKey;
  keepersPool: PublicKey;
} {
  return {
    availabilityPool: poolPda("availability", programId).address,
    computePool: poolPda("compute", programId).address,
    stakersPool: poolPda("stakers", programId).address,
    keepersPool: poolPda("keepers", programId).address,
  };
}

/**
 * `initialize`: creates the config, the IO and IOSD mints, the schedule, the ledger and the price
 * feed; `authority` becomes the config authority.
 */
export function initializeIotokenIx(
  program: Program<Iotoken>,
  params: {
    authority: PublicKey;
    /** The program's deployer (see `expectedDeployer`); it signs too. */
    deployer: PublicKey;
    priceUpdaters?: PublicKey[];
    params?: IotokenParams;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .initialize(initializeArgs(params.priceUpdaters ?? [], params.params ?? IOTOKEN_DEFAULTS))
    .accountsPartial({
      authority: params.authority,
      ...deployerAccounts(id, params.deployer),
      config: iotokenConfigPda(id).address,
      ioMint: ioMintPda(id).address,
      iosdMint: iosdMintPda(id).address,
      schedule: schedulePda(id).address,
      ledger: ledgerPda(id).address,
      priceFeed: priceFeedPda(id).address,
    })
    .instruction();
}

/** `initialize_pools`: creates the four reward pool vaults; anyone may pay, once. */
export function initializePoolsIx(
  program: Program<Iotoken>,
  params: { payer: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .initializePools()
    .accountsPartial({
      payer: params.payer,
      config: iotokenConfigPda(id).address,
      ioMint: ioMintPda(id).address,
      ...pools(id),
    })
    .instruction();
}

/** `mint_genesis` (authority, once): 500,000,000 IO to the five allocation IO token accounts. */
export function mintGenesisIx(
  program: Program<Iotoken>,
  params: { authority: PublicKey } & GenesisDestinations,
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .mintGenesis()
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(id).address,
      ioMint: ioMintPda(id).address,
      community: params.community,
      ecosystem: params.ecosystem,
      coreContributors: params.coreContributors,
      seed: params.seed,
      seriesA: params.seriesA,
    })
    .instruction();
}

/**
 * `update_config` (authority): each given field replaces the config's value; `guards` are the
 * EMA step and deviation bounds, the breaker's burst and the updaters' halt rules.
 */
export function updateIotokenConfigIx(
  program: Program<Iotoken>,
  params: {
    authority: PublicKey;
    newAuthority?: PublicKey;
    priceUpdaters?: PublicKey[];
    guards?: WithBigints<GuardParams>;
  } & Partial<IotokenParams>,
): Promise<TransactionInstruction> {
  const orNull = <T>(value: T | undefined): Bnified<T> | null =>
    value === undefined ? null : bnified(value);
  return program.methods
    .updateConfig({
      newAuthority: params.newAuthority ?? null,
      emission: orNull(params.emission),
      fees: orNull(params.fees),
      oracle: orNull(params.oracle),
      breaker: orNull(params.breaker),
      buyback: orNull(params.buyback),
      priceUpdaters: params.priceUpdaters ?? null,
      guards: orNull(params.guards),
    })
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(program.programId).address,
    })
    .instruction();
}

/** `append_schedule_rows` (authority, before sealing); see `scheduleChunks`. */
export function appendScheduleRowsIx(
  program: Program<Iotoken>,
  params: { authority: PublicKey; rows: readonly EmissionRowLike[] },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .appendScheduleRows(
      params.rows.map((row) => ({
        startTime: toBN(row.startTime),
        emissionPerEpoch: toBN(row.emissionPerEpoch),
      })),
    )
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(id).address,
      schedule: schedulePda(id).address,
    })
    .instruction();
}

/** `seal_schedule` (authority): checks the schedule and starts emission at the running epoch. */
export function sealScheduleIx(
  program: Program<Iotoken>,
  params: { authority: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .sealSchedule()
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(id).address,
      schedule: schedulePda(id).address,
      ledger: ledgerPda(id).address,
    })
    .instruction();
}

/** `lower_schedule_row` (authority): lowers the rate of a row that has not started. */
export function lowerScheduleRowIx(
  program: Program<Iotoken>,
  params: { authority: PublicKey; index: number; emissionPerEpoch: IntegerLike },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .lowerScheduleRow(params.index, toBN(params.emissionPerEpoch))
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(id).address,
      schedule: schedulePda(id).address,
    })
    .instruction();
}

/** The writable `["epoch", epoch]` record accounts `end_epoch` takes as remaining accounts. */
export function epochRecordMetas(
  epochs: readonly IntegerLike[],
  programId: PublicKey = IOTOKEN_PROGRAM_ID,
): AccountMeta[] {
  return epochs.map((epoch) => ({
    pubkey: epochRecordPda(BigInt(epoch.toString()), programId).address,
    isSigner: false,
    isWritable: true,
  }));
}

/**
 * `end_epoch` (permissionless): closes `epochs` (1 to 12, the ledger's next epochs in order; see
 * `endableEpochs`), minting into the pools and the crank tip to `tipDestination` (an IO token
 * account). `cranker` pays the records' rent.
 */
export function endEpochIx(
  program: Program<Iotoken>,
  params: { cranker: PublicKey; tipDestination: PublicKey; epochs: readonly IntegerLike[] },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .endEpoch()
    .accountsPartial({
      cranker: params.cranker,
      config: iotokenConfigPda(id).address,
      schedule: schedulePda(id).address,
      ledger: ledgerPda(id).address,
      ioMint: ioMintPda(id).address,
      ...pools(id),
      tipDestination: params.tipDestination,
    })
    .remainingAccounts(epochRecordMetas(params.epochs, id))
    .instruction();
}

/**
 * `publish_price` (a price updater): `price` and `confidence` in USD per IO with 8 decimals,
 * `publishTime` not in the future and newer than the feed's.
 */
export function publishPriceIx(
  program: Program<Iotoken>,
  params: {
    updater: PublicKey;
    price: IntegerLike;
    confidence: IntegerLike;
    publishTime: IntegerLike;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .publishPrice({
      price: toBN(params.price),
      confidence: toBN(params.confidence),
      publishTime: toBN(params.publishTime),
    })
    .accountsPartial({
      updater: params.updater,
      config: iotokenConfigPda(id).address,
      priceFeed: priceFeedPda(id).address,
    })
    .instruction();
}

/**
 * `set_price_halted`: halt burn-mint and IO payments (the authority until it resumes; an updater
 * for `guards.updaterHaltSecs`, at most once per `guards.updaterHaltCooldownSecs`) or resume them
 * (the authority).
 */
export function setPriceHaltedIx(
  program: Program<Iotoken>,
  params: { signer: PublicKey; halted: boolean },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .setPriceHalted(params.halted)
    .accountsPartial({
      signer: params.signer,
      config: iotokenConfigPda(id).address,
      priceFeed: priceFeedPda(id).address,
    })
    .instruction();
}

/**
 * `mint_iosd`: burns `ioAmount` IO base units from `ioSource` (an IO account of `user`) and mints
 * IOSD at the conservative price into `iosdDestination`; fails below `minIosdOut`.
 */
export function mintIosdIx(
  program: Program<Iotoken>,
  params: {
    user: PublicKey;
    ioSource: PublicKey;
    iosdDestination: PublicKey;
    ioAmount: IntegerLike;
    minIosdOut?: IntegerLike;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .mintIosd(toBN(params.ioAmount), toBN(params.minIosdOut ?? 0n))
    .accountsPartial({
      user: params.user,
      config: iotokenConfigPda(id).address,
      schedule: schedulePda(id).address,
      ledger: ledgerPda(id).address,
      priceFeed: priceFeedPda(id).address,
      ioMint: ioMintPda(id).address,
      iosdMint: iosdMintPda(id).address,
      ioSource: params.ioSource,
      iosdDestination: params.iosdDestination,
    })
    .instruction();
}

/** `create_treasury_account`: the treasury's `["treasury", mint]` account; anyone may pay. */
export function createTreasuryAccountIx(
  program: Program<Iotoken>,
  params: { payer: PublicKey; mint: PublicKey; tokenProgram?: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .createTreasuryAccount()
    .accountsPartial({
      payer: params.payer,
      config: iotokenConfigPda(id).address,
      mint: params.mint,
      treasury: treasuryPda(params.mint, id).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** `buyback_burn` (permissionless): burns the configured share of the treasury's IO. */
export function buybackBurnIx(
  program: Program<Iotoken>,
  params: { caller: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const ioMint = ioMintPda(id).address;
  return program.methods
    .buybackBurn()
    .accountsPartial({
      caller: params.caller,
      config: iotokenConfigPda(id).address,
      ledger: ledgerPda(id).address,
      ioMint,
      treasuryIo: treasuryPda(ioMint, id).address,
    })
    .instruction();
}

function poolIndex(pool: RewardPoolName | number): number {
  const index = typeof pool === "number" ? pool : REWARD_POOL[pool];
  if (!Number.isInteger(index) || index < 0 || index > 3) {
    throw new RangeError(`no reward pool ${String(pool)}`);
  }
  return index;
}

/**
 * `set_pool_distributor` (authority): names `program` (e.g. the registry) as the payer of reward
 * pool `pool`; its `["distributor"]` PDA becomes the only signer of `draw_epoch_pool` for it.
 * `PublicKey.default` stops all draws from the pool.
 */
export function setPoolDistributorIx(
  program: Program<Iotoken>,
  params: { authority: PublicKey; pool: RewardPoolName | number; program: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .setPoolDistributor(poolIndex(params.pool), params.program)
    .accountsPartial({
      authority: params.authority,
      config: iotokenConfigPda(program.programId).address,
    })
    .instruction();
}

/** The distributor `set_pool_distributor` stores for `program` (`PublicKey.default` for none). */
export function poolDistributorOf(program: PublicKey): PublicKey {
  return program.equals(PublicKey.default) ? PublicKey.default : distributorPda(program).address;
}

/**
 * `draw_epoch_pool`: moves what closed epoch `epoch` minted into `pool` to `destination` (an IO
 * token account), once. Signed by the pool's distributor PDA, so only through its program's CPI
 * (the registry's `close_availability_epoch` for the availability and keepers pools).
 */
export function drawEpochPoolIx(
  program: Program<Iotoken>,
  params: {
    distributor: PublicKey;
    pool: RewardPoolName | number;
    epoch: IntegerLike;
    destination: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const index = poolIndex(params.pool);
  return program.methods
    .drawEpochPool(index)
    .accountsPartial({
      distributor: params.distributor,
      config: iotokenConfigPda(id).address,
      epochRecord: epochRecordPda(BigInt(params.epoch.toString()), id).address,
      poolVault: poolPda(index, id).address,
      destination: params.destination,
    })
    .instruction();
}
