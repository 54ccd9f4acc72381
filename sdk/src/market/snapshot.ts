/**
 * What a renter's search and quote read from the chain, in three requests: the free devices
 * (`getProgramAccounts` filtered to active devices locked to no reservation), the configs, price
 * feed and clock (one `getMultipleAccounts`), and the devices' stake pools (`getMultipleAccounts`
 * in chunks of 100). Then search and quote over the snapshot exactly as `matchDevices` and
 * `quoteSelection` do, with `paymentTerms` at the snapshot's clock. Browser-safe.
 *
 * Units: as in `market.ts` (IOSD base units per GPU-hour, payment-token base units, bps).
 */
import { PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Commitment, Connection } from "@solana/web3.js";

import { MARKET_PROGRAM_ID, REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID } from "../constants.js";
import { toBigInt } from "../ints.js";
import { decodePriceFeed, decodeTokenConfig } from "../iotoken.js";
import type { PriceFeed, TokenConfig } from "../iotoken.js";
import { clockUnixTimestamp } from "../bookings.js";
import { decodeMarketConfig, matchDevices, paymentTerms, quoteSelection } from "../market.js";
import type {
  Booking,
  DeviceCriteria,
  MarketConfig,
  MarketDevice,
  PaymentTokenName,
  SelectionQuote,
} from "../market.js";
import {
  configPda,
  iotokenConfigPda,
  ioMintPda,
  iosdMintPda,
  marketConfigPda,
  priceFeedPda,
  stakePoolPda,
  stakingConfigPda,
} from "../pda.js";
import {
  decodeDevice,
  decodeRegistryConfig,
  deviceReservationFilter,
  deviceSizeFilter,
  deviceStatusFilter,
} from "../registry.js";
import type { RegistryConfig } from "../registry.js";
import { decodeStakePool, decodeStakingConfig } from "../staking.js";
import type { StakingConfig } from "../staking.js";
import { chargesTotal, ending, quote, splitTime } from "./math.js";
import type { BookingChargesLike, BookingEnding, IoPrice, QuoteRates } from "./math.js";

/** The market as a renter's search and quote see it at one moment. */
export interface MarketSnapshot {
  /** Active devices locked to no reservation, each with its stake pool (null without one). */
  devices: MarketDevice[];
  tokenConfig: TokenConfig;
  priceFeed: PriceFeed;
  stakingConfig: StakingConfig;
  registryConfig: RegistryConfig;
  marketConfig: MarketConfig;
  /** The chain's clock (unix seconds). */
  now: bigint;
}

/** Thrown when an account the market needs does not exist (a chain not initialised). */
export class MarketNotInitialized extends Error {
  constructor(readonly account: string) {
    super(`the ${account} account does not exist: is this an iogrid chain?`);
    this.name = "MarketNotInitialized";
  }
}

const POOLS_PER_REQUEST = 100;

/** Reads a `MarketSnapshot` (see the module comment). */
export async function fetchMarketSnapshot(
  connection: Connection,
  options: { commitment?: Commitment } = {},
): Promise<MarketSnapshot> {
  const commitment = options.commitment ?? "confirmed";
  const [deviceAccounts, infos] = await Promise.all([
    connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
      commitment,
      filters: [
        deviceSizeFilter(),
        deviceStatusFilter("active"),
        deviceReservationFilter(PublicKey.default),
      ],
    }),
    connection.getMultipleAccountsInfo(
      [
        iotokenConfigPda().address,
        priceFeedPda().address,
        stakingConfigPda().address,
        configPda(REGISTRY_PROGRAM_ID).address,
        marketConfigPda(MARKET_PROGRAM_ID).address,
        SYSVAR_CLOCK_PUBKEY,
      ],
      commitment,
    ),
  ]);
  const names = ["iotoken config", "price feed", "staking config", "registry config"];
  const [token, feed, staking, registry, market, clock] = infos;
  const missing = [token, feed, staking, registry, market, clock].findIndex((i) => !i);
  if (missing >= 0) {
    throw new MarketNotInitialized(
      [...names, "market config", "clock sysvar"][missing] ?? "needed",
    );
  }
  const devices = deviceAccounts.map(({ pubkey, account }) => ({
    address: pubkey,
    device: decodeDevice(account.data),
  }));
  const poolKeys = devices.map(
    (d) => stakePoolPda(d.address, d.device.owner, STAKING_PROGRAM_ID).address,
  );
  const pools: (Uint8Array | null)[] = [];
  for (let i = 0; i < poolKeys.length; i += POOLS_PER_REQUEST) {
    const chunk = await connection.getMultipleAccountsInfo(
      poolKeys.slice(i, i + POOLS_PER_REQUEST),
      commitment,
    );
    pools.push(...chunk.map((a) => (a && a.owner.equals(STAKING_PROGRAM_ID) ? a.data : null)));
  }
  return {
    devices: devices.map((d, i) => {
      const data = pools[i];
      return { ...d, pool: data ? decodeStakePool(data) : null };
    }),
    tokenConfig: decodeTokenConfig(token!.data),
    priceFeed: decodePriceFeed(feed!.data),
    stakingConfig: decodeStakingConfig(staking!.data),
    registryConfig: decodeRegistryConfig(registry!.data),
    marketConfig: decodeMarketConfig(market!.data),
    now: clockUnixTimestamp(clock!.data),
  };
}

/** The devices of `snapshot` that fit `criteria`, ranked as `matchDevices` ranks them. */
export function searchDevices(snapshot: MarketSnapshot, criteria: DeviceCriteria): MarketDevice[] {
  return matchDevices(snapshot.devices, criteria, snapshot.stakingConfig, {
    origin: toBigInt(snapshot.registryConfig.epochOrigin),
    now: snapshot.now,
  });
}

/** The mint a reservation paid in `token` uses on this market. */
export function paymentMintOf(token: PaymentTokenName, marketConfig: MarketConfig): PublicKey {
  if (token === "iosd") return iosdMintPda().address;
  if (token === "io") return ioMintPda().address;
  return marketConfig.usdcMint;
}

/** Decimals of the payment token's mint (IO 8; IOSD and USDC 6). */
export function paymentDecimals(token: PaymentTokenName): number {
  return token === "io" ? 8 : 6;
}

/** A selection quoted on a snapshot: the terms used and every device's charges. */
export interface SnapshotQuote extends SelectionQuote {
  token: PaymentTokenName;
  hours: number;
  rates: QuoteRates;
  /** The conservative IO price the IO amounts were converted at (8 decimals), null at par. */
  ioPrice: IoPrice;
  paymentMint: PublicKey;
}

/**
 * `selection` booked for `hours` in `token` at the snapshot's clock (`paymentTerms`, then
 * `quoteSelection`); throws for IO while the price feed is unusable.
 */
export function quoteOnSnapshot(
  snapshot: MarketSnapshot,
  selection: readonly Pick<MarketDevice, "address" | "device">[],
  hours: number,
  token: PaymentTokenName,
): SnapshotQuote {
  const { rates, ioPrice } = paymentTerms(
    snapshot.tokenConfig,
    snapshot.priceFeed,
    token,
    snapshot.now,
  );
  return {
    ...quoteSelection(selection, hours, rates, ioPrice),
    token,
    hours,
    rates,
    ioPrice,
    paymentMint: paymentMintOf(token, snapshot.marketConfig),
  };
}

/** One booking's extension: what `extend_bookings` adds to it. */
export interface ExtensionQuote {
  device: PublicKey;
  charges: BookingChargesLike;
  total: bigint;
}

/**
 * What `extend_bookings` charges for `extraHours` more of each booking, at each booking's fixed
 * price (`quote` of its `pricePerHour`), under the terms of `paymentTerms`; `total` is the batch's
 * `maxPayment`.
 */
export function quoteExtension(
  bookings: readonly Pick<Booking, "device" | "pricePerHour">[],
  extraHours: number,
  rates: QuoteRates,
  ioPrice: IoPrice,
): { devices: ExtensionQuote[]; total: bigint } {
  const devices = bookings.map((b) => {
    const charges = quote(toBigInt(b.pricePerHour), extraHours, rates, ioPrice);
    return { device: b.device, charges, total: chargesTotal(charges) };
  });
  return { devices, total: devices.reduce((sum, d) => sum + d.total, 0n) };
}

/** What cancelling now returns of one booking, as `settle_bookings` will settle it. */
export interface CancelRefund {
  device: PublicKey;
  outcome: BookingEnding["outcome"];
  /** Seconds the renter pays for (the first hour of a started booking at least). */
  deliveredSecs: bigint;
  /** The time charge's undelivered part, back to the renter (`splitTime`'s refund). */
  refund: bigint;
  /** The settlement tip, paid to whoever settles (the renter, settling itself). */
  tip: bigint;
}

/**
 * Each booking's refund if the reservation is cancelled at `cancelledAt` and settled with no
 * failure on record: its ending (`ending`) and the undelivered time charge (`splitTime`).
 * Reservation and payment fees are not refunded.
 */
export function cancelRefunds(
  bookings: readonly Booking[],
  cancelledAt: bigint,
): { devices: CancelRefund[]; refund: bigint; tips: bigint } {
  const devices = bookings.map((b) => {
    const end = ending(b, cancelledAt, cancelledAt, null) ?? {
      outcome: "cancelled" as const,
      deliveredSecs: 0n,
    };
    const bookedSecs = toBigInt(b.endsAt) - toBigInt(b.bookedAt);
    const split = splitTime(toBigInt(b.charges.time), end.deliveredSecs, bookedSecs, 0, 0);
    return {
      device: b.device,
      outcome: end.outcome,
      deliveredSecs: end.deliveredSecs,
      refund: split.refund,
      tip: toBigInt(b.charges.tip),
    };
  });
  return {
    devices,
    refund: devices.reduce((sum, d) => sum + d.refund, 0n),
    tips: devices.reduce((sum, d) => sum + d.tip, 0n),
  };
}
