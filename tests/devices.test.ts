/**
 * The sdk's device lists and cancellation preview, as pure functions over decoded accounts:
 * devices joined with their operators' stake pools, the status a list shows, the stake against
 * the minimum, and what cancelling a reservation and settling it gives back.
 */
import BN from "bn.js";
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  NO_EPOCH,
  SECS_PER_HOUR,
  cancellationReturns,
  deviceListStatus,
  deviceStake,
  joinDevicePools,
  splitTime,
  stakePoolDiscriminatorFilter,
  stakingCoder,
} from "@iogrid/sdk";
import type { Booking, BookingEntry, Device, Reservation, StakePool } from "@iogrid/sdk";

const key = (): PublicKey => Keypair.generate().publicKey;

function device(over: { owner?: PublicKey; paused?: boolean; reserved?: boolean } = {}): Device {
  return {
    owner: over.owner ?? key(),
    status: over.paused ? { paused: {} } : { active: {} },
    reservation: over.reserved ? key() : PublicKey.default,
    gpuModel: "CPU only",
    specs: { gpuCount: 2 },
    availability: {
      reportEpoch: new BN(NO_EPOCH.toString()),
      quorumReached: false,
      firstReportAt: new BN(0),
      lockFailureAt: new BN(0),
    },
  } as unknown as Device;
}

function pool(deviceAddress: PublicKey, operator: PublicKey, stake: bigint): StakePool {
  return {
    device: deviceAddress,
    operator,
    operatorStake: new BN(stake.toString()),
    activeShares: new BN(0),
    costakeTotal: new BN(0),
    costakeShares: new BN(0),
  } as unknown as StakePool;
}

describe("sdk devices: lists joined with stake pools", () => {
  it("joins each device with its operator's pool only, keeping the order", () => {
    const [a, b, c] = [key(), key(), key()];
    const owners = [key(), key(), key()];
    const devices = [a, b, c].map((address, i) => ({
      address,
      device: device({ owner: owners[i] }),
    }));
    const pools = [
      pool(c, owners[2]!, 300n),
      pool(a, owners[0]!, 100n),
      // b's pool by someone who is not b's owner is not b's pool.
      pool(b, key(), 999n),
    ];
    const joined = joinDevicePools(devices, pools);
    expect(joined.map((d) => d.address)).to.deep.equal([a, b, c]);
    expect(joined.map((d) => (d.pool ? d.pool.operatorStake.toString() : null))).to.deep.equal([
      "100",
      null,
      "300",
    ]);
  });

  it("names the status a list shows and the stake against the minimum", () => {
    expect(deviceListStatus(device())).to.equal("active");
    expect(deviceListStatus(device({ paused: true }))).to.equal("paused");
    expect(deviceListStatus(device({ reserved: true, paused: true }))).to.equal("reserved");
    const rules = {
      stake: { minStakeBase: new BN(200) },
      gpuClasses: [],
    } as unknown as Parameters<typeof deviceStake>[1];
    const d = device();
    expect(deviceStake({ device: d, pool: null }, rules)).to.deep.equal({
      qualifying: 0n,
      minimum: 400n,
      met: false,
    });
    expect(deviceStake({ device: d, pool: pool(key(), d.owner, 400n) }, rules)).to.deep.equal({
      qualifying: 400n,
      minimum: 400n,
      met: true,
    });
  });

  it("filters stake pools by the account discriminator", () => {
    const filter = stakePoolDiscriminatorFilter();
    expect(filter).to.deep.equal({ memcmp: stakingCoder().accounts.memcmp("stakePool") });
  });
});

describe("sdk bookings: what a cancellation gives back", () => {
  const bookedAt = 1_000_000n;
  const hours = 2n;
  function booking(d: PublicKey, startedAt: bigint, time: bigint, tip: bigint): BookingEntry {
    return {
      address: key(),
      booking: {
        device: d,
        bookedAt: new BN(bookedAt.toString()),
        ackDeadline: new BN((bookedAt + 600n).toString()),
        endsAt: new BN((bookedAt + hours * SECS_PER_HOUR).toString()),
        startedAt: new BN(startedAt.toString()),
        charges: {
          time: new BN(time.toString()),
          reservationFee: new BN(10),
          paymentFee: new BN(0),
          tip: new BN(tip.toString()),
        },
      } as unknown as Booking,
    };
  }
  const reservation = { cancelledAt: new BN(0) } as unknown as Reservation;

  it("refunds an unstarted booking's whole time and a started one's beyond the first hour", () => {
    const [d1, d2] = [key(), key()];
    const devices = new Map([
      [d1.toBase58(), device({ reserved: true })],
      [d2.toBase58(), device({ reserved: true })],
    ]);
    const unstarted = booking(d1, 0n, 7_200_000n, 5n);
    const started = booking(d2, bookedAt + 100n, 7_200_000n, 5n);
    const now = bookedAt + 300n;
    const returns = cancellationReturns({
      reservation,
      bookings: [unstarted, started],
      devices,
      now,
      epoch: 0n,
    });
    // Started at +100, paid to one hour after booking: 3,500 s of 7,200 delivered.
    const startedRefund = splitTime(7_200_000n, 3_500n, 7_200n, 0, 0).refund;
    expect(startedRefund).to.equal(7_200_000n - 3_500_000n);
    expect(returns.bookings.map((b) => [b.ending, b.refund, b.tip])).to.deep.equal([
      [{ outcome: "cancelled", deliveredSecs: 0n }, 7_200_000n, 5n],
      [{ outcome: "cancelled", deliveredSecs: 3_500n }, startedRefund, 5n],
    ]);
    expect(returns.refund).to.equal(7_200_000n + startedRefund);
    expect(returns.tips).to.equal(10n);
  });

  it("uses an earlier cancellation's time, and refunds nothing while a failure is pending", () => {
    const d = key();
    const pending = device({ reserved: true });
    (pending.availability as unknown as { quorumReached: boolean }).quorumReached = true;
    (pending.availability as unknown as { reportEpoch: BN }).reportEpoch = new BN(7);
    (pending.availability as unknown as { firstReportAt: BN }).firstReportAt = new BN(
      (bookedAt + 50n).toString(),
    );
    const entry = booking(d, bookedAt + 10n, 7_200n, 1n);
    const returns = cancellationReturns({
      reservation,
      bookings: [entry],
      devices: new Map([[d.toBase58(), pending]]),
      now: bookedAt + 400n,
      epoch: 7n,
    });
    expect(returns.bookings[0]!.ending).to.equal("failurePending");
    expect([returns.refund, returns.tips]).to.deep.equal([0n, 0n]);

    const cancelled = { cancelledAt: new BN((bookedAt + 5_000n).toString()) } as Reservation;
    const late = cancellationReturns({
      reservation: cancelled,
      bookings: [entry],
      devices: new Map([[d.toBase58(), device({ reserved: true })]]),
      now: bookedAt + 6_000n,
      epoch: 0n,
    });
    // Cancelled at +5,000 (after the first hour): delivered from +10 to +5,000.
    expect(late.bookings[0]!.ending).to.deep.equal({ outcome: "cancelled", deliveredSecs: 4_990n });
    expect(late.refund).to.equal(7_200n - 4_990n);
  });
});
