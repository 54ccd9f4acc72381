/**
 * The market program's client: the typed anchor `Program`, instruction builders for every market
 * instruction (the per-device remaining accounts built from device lists, and batch helpers that
 * split any number of devices into legacy-transaction-sized instructions), decoders
 * (`Reservation`, `Booking`, `MarketConfig`) and the reservation ledger's invariant, event
 * parsing, the payment terms a quote is made with, and matching: registry devices filtered by
 * what a renter asks for, ranked by price and reputation, and quoted for some hours in a payment
 * token. The quote and settlement arithmetic lives in `market/math.ts`. Browser-safe.
 *
 * Units: prices are IOSD base units (1e6 = 1 USD) per GPU-hour on devices and per device-hour
 * on bookings; charges and balances are base units of the reservation's payment mint; fee rates
 * basis points; times unix seconds.
 */
import { EventParser, Program } from "@coral-xyz/anchor";
import type { BorshCoder, IdlAccounts, IdlEvents, IdlTypes, Provider } from "@coral-xyz/anchor";
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey, SystemProgram } from "@solana/web3.js";
import type { AccountMeta, Connection, TransactionInstruction } from "@solana/web3.js";
import { Buffer } from "buffer";

import marketIdlJson from "../../target/idl/market.json" with { type: "json" };
import type { Market } from "../../target/types/market.js";
import { MARKET_PROGRAM_ID, REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID } from "./constants.js";
import { deployerAccounts } from "./deployer.js";
import { toBigInt } from "./ints.js";
import { IotokenMathError } from "./iotoken/math.js";
import { feedUsablePrice } from "./iotoken.js";
import type { PriceFeed, TokenConfig } from "./iotoken.js";
import {
  bookingPda,
  configPda,
  iotokenConfigPda,
  ioMintPda,
  iosdMintPda,
  marketConfigPda,
  marketLockAuthorityPda,
  priceFeedPda,
  reservationPda,
  reservationVaultPda,
  slasherPda,
  stakePoolPda,
  stakeVaultPda,
  stakingConfigPda,
  treasuryPda,
} from "./pda.js";
import { availabilityEpochAt, failingIn } from "./registry/availability.js";
import { deviceStatusName, toBN } from "./registry.js";
import type { Device, IntegerLike } from "./registry.js";
import {
  MAX_BATCH_DEVICES,
  chargesTotal,
  deviceHourPrice,
  quote,
  SECS_PER_HOUR,
} from "./market/math.js";
import type { BookingChargesLike, IoPrice, QuoteRates } from "./market/math.js";
import { deviceMinimumStake, poolQualifyingStake } from "./staking.js";
import type { StakePool } from "./staking.js";

export type { Market };

/**
 * The market IDL as generated into `target/idl/market.json` (snake_case, as on chain), typed
 * with the camelCase `Market` type that anchor's `Program` exposes.
 */
export const MARKET_IDL: Market = marketIdlJson as unknown as Market;

if (MARKET_IDL.address !== MARKET_PROGRAM_ID.toBase58()) {
  throw new Error(
    `market IDL address ${MARKET_IDL.address} differs from MARKET_PROGRAM_ID ${MARKET_PROGRAM_ID.toBase58()}: regenerate the IDL (npm run build:idl)`,
  );
}

/** Decoded `MarketConfig` account. */
export type MarketConfig = IdlAccounts<Market>["marketConfig"];
/** Decoded `Reservation` account: amounts in base units of `paymentMint`. */
export type Reservation = IdlAccounts<Market>["reservation"];
/** Decoded `Booking` account: `pricePerHour` IOSD base units per device-hour. */
export type Booking = IdlAccounts<Market>["booking"];
/** Where a reservation's money went (`Reservation.ledger`). */
export type ReservationLedger = IdlTypes<Market>["reservationLedger"];
export type BookingCharges = IdlTypes<Market>["bookingCharges"];
export type PaymentToken = IdlTypes<Market>["paymentToken"];
export type WorkloadKind = IdlTypes<Market>["workloadKind"];
export type WorkloadSpec = IdlTypes<Market>["workloadSpec"];
export type MarketInitializeArgs = IdlTypes<Market>["initializeArgs"];
/** Every market event, by its camelCase name (as `addEventListener` takes it). */
export type MarketEvents = IdlEvents<Market>;
export type MarketEventName = keyof MarketEvents;
export type ParsedMarketEvent = {
  [K in MarketEventName]: { name: K; data: MarketEvents[K] };
}[MarketEventName];

/** Payment tokens as anchor encodes them. */
export const PAYMENT_TOKEN = {
  iosd: { iosd: {} },
  io: { io: {} },
  usdc: { usdc: {} },
} as const satisfies Record<string, PaymentToken>;
export type PaymentTokenName = keyof typeof PAYMENT_TOKEN;

/** The name of a decoded payment token. */
export function paymentTokenName(token: PaymentToken): PaymentTokenName {
  return "io" in token ? "io" : "usdc" in token ? "usdc" : "iosd";
}

/** Workload kinds as anchor encodes them. */
export const WORKLOAD_KIND = {
  container: { container: {} },
  ray: { ray: {} },
  process: { process: {} },
} as const satisfies Record<string, WorkloadKind>;
export type WorkloadKindName = keyof typeof WORKLOAD_KIND;

/**
 * Devices of each batch instruction that fit one legacy transaction (1,232 bytes) signed by the
 * fee payer alone, with a compute-budget instruction, when every device has its own owner:
 * `book_devices` carries 3 accounts per device (6 devices: 1,216 bytes; 7: 1,315),
 * `extend_bookings` 2 (11: 1,220; 12: 1,286), `settle_bookings` 5 on top of 17 fixed accounts
 * (2: 1,172; 3: 1,337). Versioned transactions with an address lookup table carry more.
 * Checked by `tests/market-math.test.ts`, which serialises them.
 */
export const BOOK_DEVICES_PER_TX = 6;
export const SETTLE_BOOKINGS_PER_TX = 2;
export const EXTEND_BOOKINGS_PER_TX = 11;

const OFFLINE_PROVIDER: Provider = {
  get connection(): Connection {
    throw new Error(
      "this market Program was created without a provider: pass one to marketProgram()",
    );
  },
};

/**
 * The market as a typed anchor `Program`. Without a provider it can still build instructions
 * (the builders below pass every account) and decode accounts and events, but not send or fetch.
 */
export function marketProgram(provider: Provider = OFFLINE_PROVIDER): Program<Market> {
  return new Program<Market>(MARKET_IDL, provider);
}

let offlineProgram: Program<Market> | undefined;
function offline(): Program<Market> {
  offlineProgram ??= marketProgram();
  return offlineProgram;
}

/** The market's Borsh coder (accounts, instructions, events, types), camelCase field names. */
export function marketCoder(): BorshCoder {
  return offline().coder as BorshCoder;
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes the `MarketConfig` account's data (discriminator checked). */
export function decodeMarketConfig(data: Uint8Array): MarketConfig {
  return marketCoder().accounts.decode<MarketConfig>("marketConfig", toBuffer(data));
}

/** Decodes a `Reservation` account's data (discriminator checked). */
export function decodeReservation(data: Uint8Array): Reservation {
  return marketCoder().accounts.decode<Reservation>("reservation", toBuffer(data));
}

/** Decodes a `Booking` account's data (discriminator checked). */
export function decodeBooking(data: Uint8Array): Booking {
  return marketCoder().accounts.decode<Booking>("booking", toBuffer(data));
}

/** The market events in a transaction's log messages. */
export function parseMarketEvents(
  logs: string[],
  programId: PublicKey = MARKET_PROGRAM_ID,
): ParsedMarketEvent[] {
  const parser = new EventParser(programId, marketCoder());
  return [...parser.parseLogs(logs)] as ParsedMarketEvent[];
}

/** Hours a booking is paid for, extensions included (`Booking::hours`). */
export function bookingHours(booking: Pick<Booking, "bookedAt" | "endsAt">): number {
  return Number((toBigInt(booking.endsAt) - toBigInt(booking.bookedAt)) / SECS_PER_HOUR);
}

/** A decoded `BookingCharges` in bigints. */
export function chargesOf(charges: BookingCharges): BookingChargesLike {
  return {
    time: toBigInt(charges.time),
    reservationFee: toBigInt(charges.reservationFee),
    paymentFee: toBigInt(charges.paymentFee),
    tip: toBigInt(charges.tip),
  };
}

/**
 * Everything that left the vault by the ledger: payouts, shares, fees, claimed refunds and tips.
 */
export function ledgerOutflows(ledger: ReservationLedger): bigint {
  return (
    toBigInt(ledger.devicePayouts) +
    toBigInt(ledger.stakerShares) +
    toBigInt(ledger.networkFees) +
    toBigInt(ledger.reservationFees) +
    toBigInt(ledger.paymentFees) +
    toBigInt(ledger.refundsClaimed) +
    toBigInt(ledger.tips)
  );
}

/**
 * Refunds settlement accrued for the renter and not yet claimed (`claim_refund`), or `null` when
 * more was claimed than accrued.
 */
export function refundOwed(ledger: ReservationLedger): bigint | null {
  const owed = toBigInt(ledger.refunds) - toBigInt(ledger.refundsClaimed);
  return owed >= 0n ? owed : null;
}

/**
 * What the reservation's vault must hold at least by its ledger (`deposited - outflows`, equal to
 * what it still owes: `escrowOpen` plus the unclaimed refunds), or `null` when the ledger
 * contradicts itself (outflows above the deposits, or the two different). The vault may hold
 * more: tokens sent to it from outside the market, swept to the treasury at close
 * (`vaultSurplus`).
 */
export function expectedVaultBalance(ledger: ReservationLedger): bigint | null {
  const expected = toBigInt(ledger.deposited) - ledgerOutflows(ledger);
  const owed = refundOwed(ledger);
  if (owed === null || expected < 0n) return null;
  return expected === toBigInt(ledger.escrowOpen) + owed ? expected : null;
}

/**
 * What a vault holding `vaultBalance` holds beyond its ledger (sent from outside the market;
 * `close_reservation` sweeps it to the treasury), or `null` when the program's invariant fails
 * (an inconsistent ledger, or a vault below it).
 */
export function vaultSurplus(ledger: ReservationLedger, vaultBalance: bigint): bigint | null {
  const expected = expectedVaultBalance(ledger);
  return expected === null || vaultBalance < expected ? null : vaultBalance - expected;
}

// Payment terms

/** The token a reservation in `paymentMint` is paid in, or `null` if the market refuses it. */
export function paymentTokenOf(
  paymentMint: PublicKey,
  usdcMint: PublicKey,
  iotokenProgramId?: PublicKey,
): PaymentTokenName | null {
  if (paymentMint.equals(iosdMintPda(iotokenProgramId).address)) return "iosd";
  if (paymentMint.equals(ioMintPda(iotokenProgramId).address)) return "io";
  if (paymentMint.equals(usdcMint)) return "usdc";
  return null;
}

/** The price feed's fields IO payments read. */
export type UsableFeedFields = Pick<
  PriceFeed,
  "price" | "ema" | "confidence" | "publishTime" | "halted" | "haltExpiresAt" | "maxDeviationBps"
>;

/**
 * The IO price iotoken's feed lets IO payments use at `now` (`PriceFeed::usable_price`, as
 * iotoken's `feedUsablePrice` mirrors it): the conservative price, or `null` while the feed is halted, stale,
 * too uncertain, off its EMA or not positive.
 */
export function usableIoPrice(
  feed: UsableFeedFields,
  oracle: { maxStalenessSecs: IntegerLike; maxConfidenceBps: number },
  now: bigint,
): bigint | null {
  try {
    return feedUsablePrice(feed, oracle, now);
  } catch (error) {
    if (error instanceof IotokenMathError) return null;
    throw error;
  }
}

/** The fee rates a booking in `token` is quoted with, from iotoken's config (`FeeParams`). */
export function quoteRatesOf(fees: TokenConfig["fees"], token: PaymentTokenName): QuoteRates {
  const paymentFeeBps = {
    iosd: fees.iosdPaymentFeeBps,
    io: fees.ioPaymentFeeBps,
    usdc: fees.usdcPaymentFeeBps,
  }[token];
  return {
    reservationFeeBps: fees.reservationFeeBps,
    paymentFeeBps,
    settleTip: toBigInt(fees.settleTip),
  };
}

/**
 * The rates and conversion a booking in `token` is quoted with at `now`, as `payment_terms` reads
 * them on chain; throws for IO while the price feed is unusable.
 */
export function paymentTerms(
  tokenConfig: Pick<TokenConfig, "fees" | "oracle">,
  priceFeed: UsableFeedFields,
  token: PaymentTokenName,
  now: bigint,
): { rates: QuoteRates; ioPrice: IoPrice } {
  const rates = quoteRatesOf(tokenConfig.fees, token);
  if (token !== "io") return { rates, ioPrice: null };
  const price = usableIoPrice(priceFeed, tokenConfig.oracle, now);
  if (price === null) {
    throw new Error("the IO price feed is halted, stale, too uncertain or off its EMA");
  }
  return { rates, ioPrice: price };
}

// Matching

/** A registry device with its address and, when it has one, its staking pool. */
export interface MarketDevice {
  address: PublicKey;
  device: Device;
  /** The device's `["pool", device, owner]` account, decoded; absent for no pool (no stake). */
  pool?: StakePool | null;
}

/** What a device's minimum stake is computed from: staking's `StakingConfig` (or its parts). */
export type MinimumStakeRules = Parameters<typeof deviceMinimumStake>[0];

/** What a renter asks of each device; every field is optional. */
export interface DeviceCriteria {
  /** GPU model, compared case-insensitively (exact match). */
  gpuModel?: string;
  /**
   * A part of the GPU model, compared case-insensitively ("h100" matches "NVIDIA H100 80GB
   * HBM3"), as a renter types it.
   */
  gpuModelContains?: string;
  /** Fewest GPUs in one device. */
  minGpuCount?: number;
  /** Least VRAM per GPU, MiB. */
  minVramMib?: number;
  /** Region code (exact match). */
  region?: string;
  /** A region or its family: "eu" matches "eu" and every "eu-..." region; "eu-west" itself. */
  regionFamily?: string;
  /** Highest price per GPU-hour, IOSD base units. */
  maxPricePerGpuHour?: bigint;
  /** Lowest reputation, basis points. */
  minReputationBps?: number;
}

/**
 * Whether `d` may be booked now and fits `criteria`: active, not reserved, priced, staked to its
 * minimum under `stakingConfig` (`book_devices` refuses otherwise), not found down this epoch
 * (when `epochOrigin` and `now` are given), and within every criterion.
 */
export function deviceMatches(
  d: MarketDevice,
  criteria: DeviceCriteria,
  stakingConfig: MinimumStakeRules,
  epoch?: { origin: bigint; now: bigint },
): boolean {
  const device = d.device;
  if (deviceStatusName(device.status) !== "active") return false;
  if (!device.reservation.equals(PublicKey.default)) return false;
  const price = toBigInt(device.pricePerGpuHour);
  if (price === 0n) return false;
  if (epoch) {
    const failedNow =
      epoch.now >= epoch.origin &&
      failingIn(device.availability, availabilityEpochAt(epoch.origin, epoch.now));
    if (failedNow) return false;
  }
  const minimum = deviceMinimumStake(stakingConfig, device.gpuModel, device.specs.gpuCount);
  const stake = d.pool ? poolQualifyingStake(d.pool) : 0n;
  if (stake < minimum) return false;
  if (
    criteria.gpuModel !== undefined &&
    device.gpuModel.toLowerCase() !== criteria.gpuModel.toLowerCase()
  ) {
    return false;
  }
  if (criteria.minGpuCount !== undefined && device.specs.gpuCount < criteria.minGpuCount) {
    return false;
  }
  if (criteria.minVramMib !== undefined && device.specs.vramMib < criteria.minVramMib) return false;
  if (criteria.region !== undefined && device.region !== criteria.region) return false;
  if (
    criteria.gpuModelContains !== undefined &&
    !device.gpuModel.toLowerCase().includes(criteria.gpuModelContains.toLowerCase())
  ) {
    return false;
  }
  if (
    criteria.regionFamily !== undefined &&
    device.region !== criteria.regionFamily &&
    !device.region.startsWith(`${criteria.regionFamily}-`)
  ) {
    return false;
  }
  if (criteria.maxPricePerGpuHour !== undefined && price > criteria.maxPricePerGpuHour) {
    return false;
  }
  if (
    criteria.minReputationBps !== undefined &&
    device.availability.reputationBps < criteria.minReputationBps
  ) {
    return false;
  }
  return true;
}

/**
 * The devices that match, cheapest first per GPU-hour, then best reputation, then by address
 * (so the ranking is deterministic).
 */
export function matchDevices(
  devices: readonly MarketDevice[],
  criteria: DeviceCriteria,
  stakingConfig: MinimumStakeRules,
  epoch?: { origin: bigint; now: bigint },
): MarketDevice[] {
  return devices
    .filter((d) => deviceMatches(d, criteria, stakingConfig, epoch))
    .sort((a, b) => {
      const pa = toBigInt(a.device.pricePerGpuHour);
      const pb = toBigInt(b.device.pricePerGpuHour);
      if (pa !== pb) return pa < pb ? -1 : 1;
      const ra = a.device.availability.reputationBps;
      const rb = b.device.availability.reputationBps;
      if (ra !== rb) return rb - ra;
      return a.address.toBase58() < b.address.toBase58() ? -1 : 1;
    });
}

/** One device's quote in a selection. */
export interface DeviceQuote {
  address: PublicKey;
  /** IOSD base units per device-hour. */
  pricePerHour: bigint;
  charges: BookingChargesLike;
  total: bigint;
}

/** A selection's quote: what `book_devices` charges each device and the sum (its `maxPayment`). */
export interface SelectionQuote {
  devices: DeviceQuote[];
  total: bigint;
}

/** The charges of booking `selection` for `hours` under `rates` and `ioPrice` (null for par). */
export function quoteSelection(
  selection: readonly Pick<MarketDevice, "address" | "device">[],
  hours: number,
  rates: QuoteRates,
  ioPrice: IoPrice,
): SelectionQuote {
  const devices = selection.map(({ address, device }) => {
    const pricePerHour = deviceHourPrice(toBigInt(device.pricePerGpuHour), device.specs.gpuCount);
    const charges = quote(pricePerHour, hours, rates, ioPrice);
    return { address, pricePerHour, charges, total: chargesTotal(charges) };
  });
  return { devices, total: devices.reduce((sum, d) => sum + d.total, 0n) };
}

// Instruction builders

/** A reservation named by its address, or by its renter and id. */
export type ReservationRef = { reservation: PublicKey } | { renter: PublicKey; id: IntegerLike };

function reservationAddress(ref: ReservationRef, programId: PublicKey): PublicKey {
  return "reservation" in ref
    ? ref.reservation
    : reservationPda(ref.renter, toBigInt(ref.id), programId).address;
}

const meta = (pubkey: PublicKey, isWritable: boolean): AccountMeta => ({
  pubkey,
  isSigner: false,
  isWritable,
});

function checkBatch(count: number, what: string): void {
  if (count < 1 || count > MAX_BATCH_DEVICES) {
    throw new RangeError(`${what} takes 1 to ${MAX_BATCH_DEVICES} devices, got ${count}`);
  }
}

/** `items` in consecutive chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `initialize` (once, by the future config authority). */
export function initializeMarketIx(
  program: Program<Market>,
  params: {
    authority: PublicKey;
    /** The program's deployer (see `expectedDeployer`); it signs too. */
    deployer: PublicKey;
    usdcMint: PublicKey;
    ackGraceSecs: IntegerLike;
    maxReservationHours: number;
  },
): Promise<TransactionInstruction> {
  return program.methods
    .initialize({
      usdcMint: params.usdcMint,
      ackGraceSecs: toBN(params.ackGraceSecs),
      maxReservationHours: params.maxReservationHours,
    })
    .accountsPartial({
      authority: params.authority,
      ...deployerAccounts(program.programId, params.deployer),
      config: marketConfigPda(program.programId).address,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** `update_config` (the config authority): only the fields given change. */
export function updateMarketConfigIx(
  program: Program<Market>,
  params: {
    authority: PublicKey;
    newAuthority?: PublicKey;
    usdcMint?: PublicKey;
    ackGraceSecs?: IntegerLike;
    maxReservationHours?: number;
  },
): Promise<TransactionInstruction> {
  return program.methods
    .updateConfig({
      authority: params.newAuthority ?? null,
      usdcMint: params.usdcMint ?? null,
      ackGraceSecs: params.ackGraceSecs === undefined ? null : toBN(params.ackGraceSecs),
      maxReservationHours: params.maxReservationHours ?? null,
    })
    .accountsPartial({
      authority: params.authority,
      config: marketConfigPda(program.programId).address,
    })
    .instruction();
}

/** What runs on the devices, with names for the kind. */
export interface WorkloadParams {
  kind: WorkloadKindName;
  /** Image reference or command line: 1-256 bytes of printable ASCII. */
  image: string;
  /** Distinct non-zero ports, at most 16. */
  ports?: number[];
  /** sha256 of the environment handed to the agents (zeros for none). */
  envHash?: Uint8Array | number[];
}

/**
 * `create_reservation`: `renter`'s reservation number `id` for `hours` per device, paid in
 * `paymentMint` (IOSD, IO or the market's USDC). Refunds accrue in its ledger at settlement and
 * are claimed with `claimRefundIx`.
 */
export function createReservationIx(
  program: Program<Market>,
  params: {
    renter: PublicKey;
    id: IntegerLike;
    hours: number;
    paymentMint: PublicKey;
    workload: WorkloadParams;
    tokenProgram?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const reservation = reservationPda(params.renter, toBigInt(params.id), id).address;
  const envHash = Array.from(params.workload.envHash ?? new Uint8Array(32));
  return program.methods
    .createReservation({
      id: toBN(params.id),
      hours: params.hours,
      workload: {
        kind: WORKLOAD_KIND[params.workload.kind],
        image: params.workload.image,
        ports: params.workload.ports ?? [],
        envHash,
      },
    })
    .accountsPartial({
      renter: params.renter,
      config: marketConfigPda(id).address,
      tokenConfig: iotokenConfigPda().address,
      paymentMint: params.paymentMint,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** A device to book: its registry address and its owner (whose stake pool is passed). */
export interface BookableDevice {
  address: PublicKey;
  owner: PublicKey;
}

/** `book_devices`' remaining accounts: per device [device (w), stake pool, booking (w)]. */
export function bookDevicesMetas(
  reservation: PublicKey,
  devices: readonly BookableDevice[],
  programId: PublicKey = MARKET_PROGRAM_ID,
): AccountMeta[] {
  return devices.flatMap((d) => [
    meta(d.address, true),
    meta(stakePoolPda(d.address, d.owner, STAKING_PROGRAM_ID).address, false),
    meta(bookingPda(reservation, d.address, programId).address, true),
  ]);
}

/** The accounts and devices of `book_devices`. */
interface BookDevicesAccounts {
  renter: PublicKey;
  paymentSource: PublicKey;
  devices: readonly BookableDevice[];
  tokenProgram?: PublicKey;
}

/** Arguments of `book_devices`. */
export type BookDevicesParams = ReservationRef & BookDevicesAccounts & { maxPayment: IntegerLike };

/**
 * `book_devices`: books 1-16 devices into the reservation, paying at most `maxPayment` (their
 * summed quote) from `paymentSource`.
 */
export function bookDevicesIx(
  program: Program<Market>,
  params: BookDevicesParams,
): Promise<TransactionInstruction> {
  checkBatch(params.devices.length, "book_devices");
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  return program.methods
    .bookDevices(toBN(params.maxPayment))
    .accountsPartial({
      renter: params.renter,
      config: marketConfigPda(id).address,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      paymentSource: params.paymentSource,
      tokenConfig: iotokenConfigPda().address,
      priceFeed: priceFeedPda().address,
      stakingConfig: stakingConfigPda().address,
      registryConfig: configPda(REGISTRY_PROGRAM_ID).address,
      registryLock: marketLockAuthorityPda(id).address,
      registryProgram: REGISTRY_PROGRAM_ID,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .remainingAccounts(bookDevicesMetas(reservation, params.devices, id))
    .instruction();
}

/**
 * `book_devices` for any number of devices, `perTx` (default `BOOK_DEVICES_PER_TX`) per
 * instruction, each paying at most its own devices' quote: `maxPayment(batch)` gives it (e.g.
 * from `quoteSelection`). One instruction per legacy transaction.
 */
export async function bookDevicesBatches(
  program: Program<Market>,
  params: ReservationRef &
    BookDevicesAccounts & {
      maxPayment: (batch: readonly BookableDevice[]) => IntegerLike;
      perTx?: number;
    },
): Promise<TransactionInstruction[]> {
  const batches = chunked(params.devices, params.perTx ?? BOOK_DEVICES_PER_TX);
  return Promise.all(
    batches.map((devices) =>
      bookDevicesIx(program, { ...params, devices, maxPayment: params.maxPayment(devices) }),
    ),
  );
}

/** `acknowledge_start`: the device's agent says its workload started. */
export function acknowledgeStartIx(
  program: Program<Market>,
  params: ReservationRef & { agent: PublicKey; device: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  return program.methods
    .acknowledgeStart()
    .accountsPartial({
      agent: params.agent,
      reservation,
      booking: bookingPda(reservation, params.device, id).address,
      device: params.device,
    })
    .instruction();
}

/** `extend_bookings`' remaining accounts: per device [booking (w), device]. */
export function extendBookingsMetas(
  reservation: PublicKey,
  devices: readonly PublicKey[],
  programId: PublicKey = MARKET_PROGRAM_ID,
): AccountMeta[] {
  return devices.flatMap((device) => [
    meta(bookingPda(reservation, device, programId).address, true),
    meta(device, false),
  ]);
}

/** The accounts, devices and hours of `extend_bookings`. */
interface ExtendBookingsAccounts {
  renter: PublicKey;
  paymentSource: PublicKey;
  devices: readonly PublicKey[];
  extraHours: number;
  tokenProgram?: PublicKey;
}

/** Arguments of `extend_bookings`. */
export type ExtendBookingsParams = ReservationRef &
  ExtendBookingsAccounts & { maxPayment: IntegerLike };

/** `extend_bookings`: `extraHours` more for each of 1-16 booked devices, paying at most `maxPayment`. */
export function extendBookingsIx(
  program: Program<Market>,
  params: ExtendBookingsParams,
): Promise<TransactionInstruction> {
  checkBatch(params.devices.length, "extend_bookings");
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  return program.methods
    .extendBookings(params.extraHours, toBN(params.maxPayment))
    .accountsPartial({
      renter: params.renter,
      config: marketConfigPda(id).address,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      paymentSource: params.paymentSource,
      tokenConfig: iotokenConfigPda().address,
      priceFeed: priceFeedPda().address,
      registryConfig: configPda(REGISTRY_PROGRAM_ID).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .remainingAccounts(extendBookingsMetas(reservation, params.devices, id))
    .instruction();
}

/** `extend_bookings` for any number of devices, `perTx` (default `EXTEND_BOOKINGS_PER_TX`) each. */
export async function extendBookingsBatches(
  program: Program<Market>,
  params: ReservationRef &
    ExtendBookingsAccounts & {
      maxPayment: (batch: readonly PublicKey[]) => IntegerLike;
      perTx?: number;
    },
): Promise<TransactionInstruction[]> {
  const batches = chunked(params.devices, params.perTx ?? EXTEND_BOOKINGS_PER_TX);
  return Promise.all(
    batches.map((devices) =>
      extendBookingsIx(program, { ...params, devices, maxPayment: params.maxPayment(devices) }),
    ),
  );
}

/** `cancel_reservation` (the renter). */
export function cancelReservationIx(
  program: Program<Market>,
  params: ReservationRef & { renter: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .cancelReservation()
    .accountsPartial({
      renter: params.renter,
      reservation: reservationAddress(params, program.programId),
    })
    .instruction();
}

/** A booking to settle: its device, the device's owner when booked, and where the owner is paid. */
export interface SettleableBooking {
  device: PublicKey;
  owner: PublicKey;
  /** The owner's token account in the payment mint; by default their associated account. */
  payee?: PublicKey;
}

/**
 * `settle_bookings`' remaining accounts: per booking [booking, device, payee, stake pool, pool
 * vault], all writable.
 */
export function settleBookingsMetas(
  reservation: PublicKey,
  paymentMint: PublicKey,
  bookings: readonly SettleableBooking[],
  programId: PublicKey = MARKET_PROGRAM_ID,
): AccountMeta[] {
  return bookings.flatMap((b) => {
    const pool = stakePoolPda(b.device, b.owner, STAKING_PROGRAM_ID).address;
    return [
      meta(bookingPda(reservation, b.device, programId).address, true),
      meta(b.device, true),
      meta(b.payee ?? getAssociatedTokenAddressSync(paymentMint, b.owner, true), true),
      meta(pool, true),
      meta(stakeVaultPda(pool, STAKING_PROGRAM_ID).address, true),
    ];
  });
}

/** Arguments of `settle_bookings`. */
export type SettleBookingsParams = ReservationRef & {
  settler: PublicKey;
  tipAccount: PublicKey;
  renter: PublicKey;
  paymentMint: PublicKey;
  bookings: readonly SettleableBooking[];
  tokenProgram?: PublicKey;
};

/**
 * `settle_bookings` (anyone): settles 1-16 bookings of the reservation of `renter` paid in
 * `paymentMint`; the tips go to `tipAccount`; refunds accrue in the reservation's ledger for the
 * renter to claim (no account of the renter's but its wallet, which gets the bookings' rent).
 */
export function settleBookingsIx(
  program: Program<Market>,
  params: SettleBookingsParams,
): Promise<TransactionInstruction> {
  checkBatch(params.bookings.length, "settle_bookings");
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  return program.methods
    .settleBookings()
    .accountsPartial({
      settler: params.settler,
      tipAccount: params.tipAccount,
      config: marketConfigPda(id).address,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      renter: params.renter,
      treasury: treasuryPda(params.paymentMint).address,
      ioTreasury: treasuryPda(ioMintPda().address).address,
      tokenConfig: iotokenConfigPda().address,
      priceFeed: priceFeedPda().address,
      registryConfig: configPda(REGISTRY_PROGRAM_ID).address,
      stakingConfig: stakingConfigPda().address,
      registryLock: marketLockAuthorityPda(id).address,
      slasher: slasherPda(id).address,
      registryProgram: REGISTRY_PROGRAM_ID,
      stakingProgram: STAKING_PROGRAM_ID,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .remainingAccounts(settleBookingsMetas(reservation, params.paymentMint, params.bookings, id))
    .instruction();
}

/** `settle_bookings` for any number of bookings, `perTx` (default `SETTLE_BOOKINGS_PER_TX`) each. */
export async function settleBookingsBatches(
  program: Program<Market>,
  params: SettleBookingsParams & { perTx?: number },
): Promise<TransactionInstruction[]> {
  const batches = chunked(params.bookings, params.perTx ?? SETTLE_BOOKINGS_PER_TX);
  return Promise.all(batches.map((bookings) => settleBookingsIx(program, { ...params, bookings })));
}

/** Who sends `claim_refund` or `close_reservation`: the renter, or anyone once it is idle. */
type ClaimOrCloseParams = ReservationRef & {
  renter: PublicKey;
  paymentMint: PublicKey;
  /** The signer; the renter by default. Anyone else only from `publicCloseAt(reservation)`. */
  caller?: PublicKey;
  tokenProgram?: PublicKey;
};

/**
 * `claim_refund`: every refund the reservation owes, into `destination` (by default the renter's
 * associated account in `paymentMint`), which must be the renter's, in that mint. Signed by the
 * renter, or by anyone once the reservation is idle, into the renter's associated account only.
 */
export function claimRefundIx(
  program: Program<Market>,
  params: ClaimOrCloseParams & { destination?: PublicKey },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  const tokenProgram = params.tokenProgram ?? TOKEN_PROGRAM_ID;
  return program.methods
    .claimRefund()
    .accountsPartial({
      caller: params.caller ?? params.renter,
      renter: params.renter,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      destination:
        params.destination ??
        getAssociatedTokenAddressSync(params.paymentMint, params.renter, true, tokenProgram),
      tokenProgram,
    })
    .instruction();
}

/**
 * `close_reservation`, once no booking is open and every refund is claimed: whatever the vault
 * holds beyond its ledger is swept to iotoken's treasury account of `paymentMint`; vault and
 * reservation closed, their rent to the renter. Signed by the renter, or anyone once idle.
 */
export function closeReservationIx(
  program: Program<Market>,
  params: ClaimOrCloseParams,
): Promise<TransactionInstruction> {
  const id = program.programId;
  const reservation = reservationAddress(params, id);
  return program.methods
    .closeReservation()
    .accountsPartial({
      caller: params.caller ?? params.renter,
      renter: params.renter,
      reservation,
      vault: reservationVaultPda(reservation, id).address,
      treasury: treasuryPda(params.paymentMint).address,
      tokenProgram: params.tokenProgram ?? TOKEN_PROGRAM_ID,
    })
    .instruction();
}
