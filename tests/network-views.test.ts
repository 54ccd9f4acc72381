/**
 * The sdk's observer views without a chain: prices per GPU model (lowest, lower median,
 * highest, GPUs counted), emission and burns per epoch, whether a reservation is running, and a
 * cluster's devices, time left and payments.
 */
import BN from "bn.js";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { clusterView, isRunning, marketPricesByModel, tokenHistory } from "@iogrid/sdk";
import type { BookingEntry, Device, ReservationEntry } from "@iogrid/sdk";

const key = () => Keypair.generate().publicKey;

function device(gpuModel: string, price: bigint, gpuCount = 1): { device: Device } {
  return {
    device: {
      gpuModel,
      pricePerGpuHour: new BN(price.toString()),
      specs: { gpuCount },
    } as unknown as Device,
  };
}

function reservation(over: Record<string, unknown> = {}): ReservationEntry["reservation"] {
  return {
    cancelledAt: new BN(0),
    bookingsOpen: 2,
    lastEndsAt: new BN(5_000),
    ...over,
  } as unknown as ReservationEntry["reservation"];
}

function booking(startedAt: number, endsAt: number): BookingEntry {
  return {
    address: key(),
    booking: {
      device: key(),
      startedAt: new BN(startedAt),
      endsAt: new BN(endsAt),
      pricePerHour: new BN(4_000_000),
    },
  } as unknown as BookingEntry;
}

describe("sdk: network views", () => {
  it("prices per GPU model: sorted by model, lowest, lower median and highest, GPUs summed", () => {
    const prices = marketPricesByModel([
      device("H100", 3n),
      device("A100", 9n),
      device("H100", 1n, 8),
      device("H100", 2n),
      device("H100", 7n),
    ]);
    expect(prices).to.deep.equal([
      { gpuModel: "A100", devices: 1, gpus: 1, lowest: 9n, median: 9n, highest: 9n },
      { gpuModel: "H100", devices: 4, gpus: 11, lowest: 1n, median: 2n, highest: 7n },
    ]);
  });

  it("emission and burns per epoch: ended epochs with their net emission, burns summed, oldest first", () => {
    const history = tokenHistory(
      [{ epoch: 1n, netEmission: 50n, supplyAfter: 1_050n }],
      [
        { epoch: 2n, ioBurned: 3n },
        { epoch: 0n, ioBurned: 10n },
        { epoch: 2n, ioBurned: 4n },
      ],
    );
    expect(history).to.deep.equal([
      { epoch: 0n, emitted: null, burned: 10n, supplyAfter: null },
      { epoch: 1n, emitted: 50n, burned: 0n, supplyAfter: 1_050n },
      { epoch: 2n, emitted: null, burned: 7n, supplyAfter: null },
    ]);
  });

  it("a reservation runs while not cancelled, with open bookings and time left", () => {
    expect(isRunning(reservation(), 4_999n)).to.equal(true);
    expect(isRunning(reservation(), 5_000n)).to.equal(false);
    expect(isRunning(reservation({ bookingsOpen: 0 }), 1n)).to.equal(false);
    expect(isRunning(reservation({ cancelledAt: new BN(10) }), 1n)).to.equal(false);
  });

  it("a cluster's view: each device awaiting start, running or ended with its time left; payments summed", () => {
    const bookings = [booking(0, 5_000), booking(1_200, 5_000), booking(1_000, 2_000)];
    const settlement = { ownerPay: 5n } as never;
    const view = clusterView(
      reservation(),
      bookings,
      {
        receipts: [
          { paid: 70n, settlements: [] },
          { paid: 5n, settlements: [settlement] },
        ] as never,
      },
      3_000n,
    );
    expect(view.state).to.equal("running");
    expect(view.secondsLeft).to.equal(2_000n);
    expect(view.devices.map((d) => [d.state, d.secondsLeft])).to.deep.equal([
      ["awaiting start", 2_000n],
      ["running", 2_000n],
      ["ended", 0n],
    ]);
    expect(view.paid).to.equal(75n);
    expect(view.settlements).to.deep.equal([settlement]);
    expect(clusterView(null, [], null, 0n).state).to.equal("closed");
    expect(clusterView(reservation({ cancelledAt: new BN(9) }), [], null, 0n).state).to.equal(
      "cancelled",
    );
  });
});
