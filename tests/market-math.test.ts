/**
 * The sdk's market arithmetic against the program's Rust, without a chain: every entry of
 * `sdk/test-vectors/market-quote.json` (written by the tests in `programs/market/src/math.rs`;
 * `null` = the Rust's `Err` or `None`) for `quote`, `splitTime`, `failedAt` and `ending`; the
 * market's seeds against `seeds.rs`; the batch builders' remaining accounts; that the per-
 * transaction batch sizes are the largest that fit a legacy transaction; and matching (filters,
 * ranking and the selection's quote).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import BN from "bn.js";
import { ComputeBudgetProgram, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import type { TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";

import {
  BOOK_DEVICES_PER_TX,
  EXTEND_BOOKINGS_PER_TX,
  MARKET_PROGRAM_ID,
  MARKET_SEEDS,
  MarketMathError,
  NO_EPOCH,
  SETTLE_BOOKINGS_PER_TX,
  STAKING_PROGRAM_ID,
  bookDevicesBatches,
  bookDevicesIx,
  bookingPda,
  chargesTotal,
  deliveredValue,
  ending,
  expectedVaultBalance,
  extendBookingsIx,
  failedAt,
  failurePending,
  faultSlash,
  iosdMintPda,
  marketProgram,
  matchDevices,
  quote,
  quoteSelection,
  refundOwed,
  reportedOutcome,
  reservationPda,
  settleBookingsIx,
  splitTime,
  stakePoolPda,
  stakeVaultPda,
  undeliveredIo,
  vaultSurplus,
} from "@iogrid/sdk";
import type {
  BookableDevice,
  BookingOutcomeName,
  Device,
  LockFailure,
  MarketDevice,
  ReservationLedger,
  StakePool,
} from "@iogrid/sdk";

const root = join(import.meta.dirname, "..");

type Str = string;
interface Vectors {
  quotes: {
    pricePerHour: Str;
    hours: number;
    reservationFeeBps: number;
    paymentFeeBps: number;
    settleTip: Str;
    ioPrice: Str;
    charges: { time: Str; reservationFee: Str; paymentFee: Str; tip: Str } | null;
  }[];
  splits: {
    time: Str;
    deliveredSecs: Str;
    bookedSecs: Str;
    networkFeeBps: number;
    stakerShareBps: number;
    split: { gross: Str; networkFee: Str; stakerShare: Str; ownerPay: Str; refund: Str } | null;
  }[];
  slashes: {
    refund: Str;
    paidInIo: boolean;
    ioPrice: Str | null;
    windowRemaining: Str;
    totalStake: Str;
    undeliveredIo: Str | null;
    slash: Str;
  }[];
  credits: {
    outcome: BookingOutcomeName;
    pricePerHour: Str;
    deliveredSecs: Str;
    bookedSecs: Str;
    renterIsDevice: boolean;
    deliveredValue: Str | null;
    reported: string | null;
  }[];
  failedAt: {
    bookedAt: Str;
    ackDeadline: Str;
    endsAt: Str;
    startedAt: Str;
    failure: "none" | "pending" | "final";
    foundDownAt: Str;
    failedAt: Str | null;
  }[];
  endings: {
    bookedAt: Str;
    ackDeadline: Str;
    endsAt: Str;
    startedAt: Str;
    now: Str;
    cancelledAt: Str | null;
    failedAt: Str | null;
    ending: { outcome: string; deliveredSecs: Str } | null;
  }[];
}

const vectors = JSON.parse(
  readFileSync(join(root, "sdk/test-vectors/market-quote.json"), "utf8"),
) as Vectors;

const big = (s: string): bigint => BigInt(s);
const orNull = (s: string | null): bigint | null => (s === null ? null : BigInt(s));
const stringify = (o: object): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/** The Rust's result, or null where it returns `Err` (the mirror throws `MarketMathError`). */
function orError<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    expect(e).to.be.instanceOf(MarketMathError);
    return null;
  }
}

const LEGACY_TX_LIMIT = 1232;

/** Bytes of a legacy transaction of `ixs` signed by `payer` alone. */
function legacySize(payer: PublicKey, ixs: TransactionInstruction[]): number {
  const tx = new Transaction({ feePayer: payer, recentBlockhash: PublicKey.default.toBase58() });
  tx.add(ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...ixs);
  const message = tx.serializeMessage();
  const signers = tx.compileMessage().header.numRequiredSignatures;
  return 1 + 64 * signers + message.length;
}

function fakeDevice(over: {
  price: bigint;
  gpuModel?: string;
  gpuCount?: number;
  vramMib?: number;
  region?: string;
  reputationBps?: number;
  paused?: boolean;
  reserved?: boolean;
  /** An epoch in which a failure quorum was reached (provisional while it runs). */
  quorumEpoch?: bigint;
}): Device {
  return {
    owner: Keypair.generate().publicKey,
    status: over.paused ? { paused: {} } : { active: {} },
    reservation: over.reserved ? Keypair.generate().publicKey : PublicKey.default,
    pricePerGpuHour: new BN(over.price.toString()),
    specs: { gpuCount: over.gpuCount ?? 8, vramMib: over.vramMib ?? 81_920 },
    gpuModel: over.gpuModel ?? "NVIDIA H100 80GB HBM3",
    region: over.region ?? "eu-west",
    availability: {
      reputationBps: over.reputationBps ?? 9_000,
      reportEpoch: new BN((over.quorumEpoch ?? NO_EPOCH).toString()),
      quorumReached: over.quorumEpoch !== undefined,
    },
  } as unknown as Device;
}

function poolWith(stake: bigint): StakePool {
  return {
    operatorStake: new BN(stake.toString()),
    activeShares: new BN(0),
    costakeTotal: new BN(0),
    costakeShares: new BN(0),
  } as unknown as StakePool;
}

describe("market math: the sdk mirror against the program's vectors", () => {
  it("has vectors for every function", () => {
    expect(vectors.quotes.length).to.be.greaterThan(8);
    expect(vectors.splits.length).to.be.greaterThan(6);
    expect(vectors.failedAt.length).to.be.greaterThan(5);
    expect(vectors.slashes.length).to.be.greaterThan(6);
    expect(vectors.slashes.some((v) => v.undeliveredIo === null)).to.equal(true);
    expect(vectors.endings.length).to.be.greaterThan(12);
    // Some of each fail, some succeed, so both paths are compared.
    expect(vectors.quotes.some((v) => v.charges === null)).to.equal(true);
    expect(vectors.splits.some((v) => v.split === null)).to.equal(true);
    expect(vectors.endings.some((v) => v.ending === null)).to.equal(true);
  });

  it("quote", () => {
    for (const v of vectors.quotes) {
      const ioPrice = v.ioPrice === "0" ? null : big(v.ioPrice);
      const rates = {
        reservationFeeBps: v.reservationFeeBps,
        paymentFeeBps: v.paymentFeeBps,
        settleTip: big(v.settleTip),
      };
      const got = orError(() => quote(big(v.pricePerHour), v.hours, rates, ioPrice));
      expect(got === null ? null : stringify(got), JSON.stringify(v)).to.deep.equal(v.charges);
    }
  });

  it("splitTime", () => {
    for (const v of vectors.splits) {
      const got = orError(() =>
        splitTime(
          big(v.time),
          big(v.deliveredSecs),
          big(v.bookedSecs),
          v.networkFeeBps,
          v.stakerShareBps,
        ),
      );
      expect(got === null ? null : stringify(got), JSON.stringify(v)).to.deep.equal(v.split);
    }
  });

  it("undeliveredIo and faultSlash", () => {
    for (const v of vectors.slashes) {
      const basis = undeliveredIo(big(v.refund), v.paidInIo, orNull(v.ioPrice));
      expect(basis === null ? null : String(basis), JSON.stringify(v)).to.equal(v.undeliveredIo);
      const slash = faultSlash(basis, big(v.windowRemaining), big(v.totalStake));
      expect(String(slash), JSON.stringify(v)).to.equal(v.slash);
    }
  });

  it("deliveredValue and reportedOutcome", () => {
    expect(vectors.credits.some((v) => v.reported === "completedUncredited")).to.equal(true);
    expect(vectors.credits.some((v) => v.reported === "completed")).to.equal(true);
    for (const v of vectors.credits) {
      const value = orError(() =>
        deliveredValue(big(v.pricePerHour), big(v.deliveredSecs), big(v.bookedSecs)),
      );
      expect(value === null ? null : String(value), JSON.stringify(v)).to.equal(v.deliveredValue);
      const reported = value === null ? null : reportedOutcome(v.outcome, value, v.renterIsDevice);
      expect(reported, JSON.stringify(v)).to.equal(v.reported);
    }
  });

  it("failedAt", () => {
    for (const v of vectors.failedAt) {
      const failure: LockFailure =
        v.failure === "none" ? { kind: "none" } : { kind: v.failure, at: big(v.foundDownAt) };
      const got = failedAt(v, failure);
      expect(got === null ? null : String(got), JSON.stringify(v)).to.equal(v.failedAt);
      if (v.failure === "pending") expect(failurePending(v, failure)).to.equal(true);
    }
  });

  it("ending", () => {
    for (const v of vectors.endings) {
      const got = ending(v, big(v.now), orNull(v.cancelledAt), orNull(v.failedAt));
      expect(got === null ? null : stringify(got), JSON.stringify(v)).to.deep.equal(v.ending);
    }
  });

  it("the ledger's invariant: vault >= deposited - outflows = escrow open + refunds owed", () => {
    // 100 of refunds accrued, 60 claimed: 40 still owed and held in the vault.
    const ledger = {
      deposited: new BN(1_000),
      devicePayouts: new BN(300),
      stakerShares: new BN(20),
      networkFees: new BN(15),
      reservationFees: new BN(25),
      paymentFees: new BN(5),
      refunds: new BN(100),
      refundsClaimed: new BN(60),
      tips: new BN(35),
      escrowOpen: new BN(500),
    } as unknown as ReservationLedger;
    expect(refundOwed(ledger)).to.equal(40n);
    expect(expectedVaultBalance(ledger)).to.equal(540n);
    expect(expectedVaultBalance({ ...ledger, escrowOpen: new BN(499) })).to.equal(null);
    expect(expectedVaultBalance({ ...ledger, deposited: new BN(10) })).to.equal(null);
    const overClaimed = { ...ledger, refundsClaimed: new BN(101) } as ReservationLedger;
    expect(refundOwed(overClaimed)).to.equal(null);
    expect(expectedVaultBalance(overClaimed)).to.equal(null);
    // Tokens sent from outside are a surplus; a vault below its ledger breaks the invariant.
    expect(vaultSurplus(ledger, 540n)).to.equal(0n);
    expect(vaultSurplus(ledger, 541n)).to.equal(1n);
    expect(vaultSurplus(ledger, 539n)).to.equal(null);
  });
});

describe("market client: seeds, remaining accounts and batch sizes", () => {
  const program = marketProgram();
  const renter = Keypair.generate().publicKey;
  const reservation = reservationPda(renter, 7n).address;
  const devices: BookableDevice[] = Array.from({ length: 20 }, () => ({
    address: Keypair.generate().publicKey,
    owner: Keypair.generate().publicKey,
  }));
  const paymentMint = iosdMintPda().address;

  it("mirrors the market's seeds.rs", () => {
    const source = readFileSync(join(root, "programs/market/src/state/seeds.rs"), "utf8");
    const literal = /pub const (\w+): &\[u8\] = b"([^"]+)";/g;
    const found = [...source.matchAll(literal)];
    expect(found.length).to.be.greaterThan(3);
    for (const [, name, bytes] of found) {
      expect(new TextDecoder().decode(MARKET_SEEDS[name!]), name).to.equal(bytes);
    }
    expect(Object.keys(MARKET_SEEDS).length).to.equal(6);
    const [expected] = PublicKey.findProgramAddressSync(
      [Buffer.from("reservation"), renter.toBuffer(), new BN(7).toArrayLike(Buffer, "le", 8)],
      MARKET_PROGRAM_ID,
    );
    expect(reservation.equals(expected)).to.equal(true);
  });

  it("book_devices passes [device (w), stake pool, booking (w)] per device", async () => {
    const ix = await bookDevicesIx(program, {
      reservation,
      renter,
      paymentSource: Keypair.generate().publicKey,
      devices: devices.slice(0, 2),
      maxPayment: 1n,
    });
    const remaining = ix.keys.slice(-6);
    devices.slice(0, 2).forEach((d, i) => {
      const [device, pool, booking] = remaining.slice(3 * i, 3 * i + 3);
      expect(device!.pubkey.equals(d.address) && device!.isWritable).to.equal(true);
      expect(pool!.pubkey.equals(stakePoolPda(d.address, d.owner, STAKING_PROGRAM_ID).address));
      expect(pool!.isWritable).to.equal(false);
      expect(booking!.pubkey.equals(bookingPda(reservation, d.address).address)).to.equal(true);
      expect(booking!.isWritable).to.equal(true);
    });
    const batches = await bookDevicesBatches(program, {
      reservation,
      renter,
      paymentSource: Keypair.generate().publicKey,
      devices: devices.slice(0, 16),
      maxPayment: (batch) => BigInt(batch.length),
    });
    expect(batches.map((b) => (b.keys.length - 13) / 3)).to.deep.equal([
      BOOK_DEVICES_PER_TX,
      BOOK_DEVICES_PER_TX,
      16 - 2 * BOOK_DEVICES_PER_TX,
    ]);
  });

  it("settle_bookings passes [booking, device, payee, pool, pool vault] per booking", async () => {
    const payee = Keypair.generate().publicKey;
    const ix = await settleBookingsIx(program, {
      reservation,
      settler: renter,
      tipAccount: payee,
      renter,
      paymentMint,
      bookings: [{ ...devices[0]!, device: devices[0]!.address, payee }],
    });
    const [booking, device, payeeMeta, pool, vault] = ix.keys.slice(-5);
    const poolAddress = stakePoolPda(devices[0]!.address, devices[0]!.owner).address;
    expect(booking!.pubkey.equals(bookingPda(reservation, devices[0]!.address).address)).to.equal(
      true,
    );
    expect(device!.pubkey.equals(devices[0]!.address)).to.equal(true);
    expect(payeeMeta!.pubkey.equals(payee)).to.equal(true);
    expect(pool!.pubkey.equals(poolAddress)).to.equal(true);
    expect(vault!.pubkey.equals(stakeVaultPda(poolAddress).address)).to.equal(true);
    expect([booking, device, payeeMeta, pool, vault].every((m) => m!.isWritable)).to.equal(true);
  });

  it("refuses empty and oversized batches", async () => {
    const build = (n: number) =>
      bookDevicesIx(program, {
        reservation,
        renter,
        paymentSource: renter,
        devices: devices.slice(0, n),
        maxPayment: 0n,
      });
    for (const n of [0, 17]) {
      let threw = false;
      try {
        await build(n);
      } catch (e) {
        threw = e instanceof RangeError;
      }
      expect(threw, `${n} devices`).to.equal(true);
    }
  });

  it("each batch size is the most devices a legacy transaction carries", async () => {
    const book = (n: number) =>
      bookDevicesIx(program, {
        reservation,
        renter,
        paymentSource: Keypair.generate().publicKey,
        devices: devices.slice(0, n),
        maxPayment: 1n,
      });
    const extend = (n: number) =>
      extendBookingsIx(program, {
        reservation,
        renter,
        paymentSource: Keypair.generate().publicKey,
        devices: devices.slice(0, n).map((d) => d.address),
        extraHours: 1,
        maxPayment: 1n,
      });
    const settle = (n: number) =>
      settleBookingsIx(program, {
        reservation,
        settler: Keypair.generate().publicKey,
        tipAccount: Keypair.generate().publicKey,
        renter,
        paymentMint,
        bookings: devices.slice(0, n).map((d) => ({ device: d.address, owner: d.owner })),
      });
    for (const [name, build, perTx, payer] of [
      ["book_devices", book, BOOK_DEVICES_PER_TX, renter],
      ["extend_bookings", extend, EXTEND_BOOKINGS_PER_TX, renter],
      ["settle_bookings", settle, SETTLE_BOOKINGS_PER_TX, Keypair.generate().publicKey],
    ] as const) {
      const fits = legacySize(payer, [await build(perTx)]);
      const over = legacySize(payer, [await build(perTx + 1)]);
      expect(fits, `${name} x${perTx}: ${fits} bytes`).to.be.at.most(LEGACY_TX_LIMIT);
      expect(over, `${name} x${perTx + 1}: ${over} bytes`).to.be.greaterThan(LEGACY_TX_LIMIT);
    }
  });
});

describe("market matching: filter, rank and quote registry devices", () => {
  const stakingConfig = { stake: { minStakeBase: 100n }, gpuClasses: [] };
  const staked = (device: Device, stake = 1_000n): MarketDevice => ({
    address: Keypair.generate().publicKey,
    device,
    pool: poolWith(stake),
  });

  it("keeps only free, active, priced, staked devices that fit every criterion", () => {
    const good = staked(fakeDevice({ price: 2_000_000n, gpuCount: 8, reputationBps: 9_000 }));
    const candidates: [string, MarketDevice][] = [
      ["paused", staked(fakeDevice({ price: 1n, paused: true }))],
      ["reserved", staked(fakeDevice({ price: 1n, reserved: true }))],
      ["unpriced", staked(fakeDevice({ price: 0n }))],
      ["under-staked", staked(fakeDevice({ price: 1n, gpuCount: 8 }), 799n)],
      ["no pool", { ...staked(fakeDevice({ price: 1n })), pool: null }],
      ["model", staked(fakeDevice({ price: 1n, gpuModel: "NVIDIA A100", gpuCount: 8 }))],
      ["gpus", staked(fakeDevice({ price: 1n, gpuCount: 4 }))],
      ["vram", staked(fakeDevice({ price: 1n, gpuCount: 8, vramMib: 40_960 }))],
      ["region", staked(fakeDevice({ price: 1n, gpuCount: 8, region: "us-east" }))],
      ["price", staked(fakeDevice({ price: 2_000_001n, gpuCount: 8 }))],
      ["reputation", staked(fakeDevice({ price: 1n, gpuCount: 8, reputationBps: 7_999 }))],
      ["failing", staked(fakeDevice({ price: 1n, gpuCount: 8, quorumEpoch: 5n }))],
    ];
    const criteria = {
      gpuModel: "nvidia h100 80gb hbm3",
      minGpuCount: 8,
      minVramMib: 80_000,
      region: "eu-west",
      maxPricePerGpuHour: 2_000_000n,
      minReputationBps: 8_000,
    };
    const epoch = { origin: 0n, now: 5n * 3_600n + 10n };
    const matched = matchDevices(
      [...candidates.map(([, d]) => d), good],
      criteria,
      stakingConfig,
      epoch,
    );
    expect(matched).to.deep.equal([good]);
    // Each candidate fails on its own criterion only: relaxed, it matches.
    expect(matchDevices([candidates[11]![1]], criteria, stakingConfig)).to.have.length(1);
    expect(matchDevices([candidates[3]![1]], {}, stakingConfig)).to.have.length(0);
    expect(
      matchDevices([staked(fakeDevice({ price: 1n, gpuCount: 8 }), 800n)], {}, stakingConfig),
    ).to.have.length(1);
  });

  it("matches a part of the GPU model and a region family, as renters type them", () => {
    const h100 = staked(fakeDevice({ price: 1n, region: "eu-west" }));
    const a100 = staked(fakeDevice({ price: 1n, gpuModel: "NVIDIA A100-SXM4-80GB", region: "eu" }));
    const us = staked(fakeDevice({ price: 1n, region: "us-east" }));
    const europe = staked(fakeDevice({ price: 1n, region: "europe" }));
    const all = [h100, a100, us, europe];
    const addresses = (criteria: Parameters<typeof matchDevices>[1]): string[] =>
      matchDevices(all, criteria, stakingConfig)
        .map((d) => d.address.toBase58())
        .sort();
    const sorted = (...ds: MarketDevice[]): string[] => ds.map((d) => d.address.toBase58()).sort();
    expect(addresses({ gpuModelContains: "h100" })).to.deep.equal(sorted(h100, us, europe));
    expect(addresses({ gpuModelContains: "A100-sxm4" })).to.deep.equal(sorted(a100));
    expect(addresses({ gpuModelContains: "H200" })).to.deep.equal([]);
    expect(addresses({ regionFamily: "eu" })).to.deep.equal(sorted(h100, a100));
    expect(addresses({ regionFamily: "eu-west" })).to.deep.equal(sorted(h100));
    expect(addresses({ regionFamily: "us", gpuModelContains: "h100" })).to.deep.equal(sorted(us));
  });

  it("ranks by price, then reputation, and quotes the selection", () => {
    const cheap = staked(fakeDevice({ price: 1_000_000n, reputationBps: 1_000, gpuCount: 2 }));
    const dearGood = staked(fakeDevice({ price: 3_000_000n, reputationBps: 9_000, gpuCount: 1 }));
    const dearBad = staked(fakeDevice({ price: 3_000_000n, reputationBps: 2_000, gpuCount: 1 }));
    const ranked = matchDevices([dearBad, dearGood, cheap], {}, stakingConfig);
    expect(ranked).to.deep.equal([cheap, dearGood, dearBad]);

    const rates = { reservationFeeBps: 250, paymentFeeBps: 100, settleTip: 50_000n };
    const q = quoteSelection(ranked.slice(0, 2), 3, rates, null);
    expect(q.devices.map((d) => d.pricePerHour)).to.deep.equal([2_000_000n, 3_000_000n]);
    expect(q.devices[0]!.charges).to.deep.equal(quote(2_000_000n, 3, rates, null));
    expect(q.total).to.equal(
      chargesTotal(quote(2_000_000n, 3, rates, null)) +
        chargesTotal(quote(3_000_000n, 3, rates, null)),
    );
    const inIo = quoteSelection(ranked.slice(0, 1), 3, rates, 50_000_000n);
    expect(inIo.devices[0]!.charges.time).to.equal(6_000_000n * 200n);
  });
});
