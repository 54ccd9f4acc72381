/**
 * The sdk's keeper assignment (`sdk/src/registry/assignment.ts`) against the registry's own
 * (`programs/registry/src/assignment.rs`), through the vectors the Rust tests write to
 * `sdk/test-vectors/assignment.json`: seeds, draws, selections and the passes a device needs.
 */
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { readFileSync } from "node:fs";

import {
  assignmentDraw,
  drawn,
  effectivePassesRequired,
  epochSeed,
  isAssigned,
  keeperWeight,
} from "@iogrid/sdk";

interface Vectors {
  seeds: { epoch: string; slotHash: string; seed: string }[];
  draws: {
    seed: string;
    device: string;
    keeper: string;
    draw: string;
    weight: string;
    total: string;
    committee: number;
    drawn: boolean;
  }[];
  passesRequired: { passesRequired: number; keeperCount: string; effective: number }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../sdk/test-vectors/assignment.json", import.meta.url), "utf8"),
) as Vectors;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const hex = (value: Uint8Array) => Buffer.from(value).toString("hex");

describe("keeper assignment (sdk mirror of the registry)", () => {
  it("derives each epoch's seed as the program does", () => {
    expect(vectors.seeds.length).to.be.greaterThan(2);
    for (const v of vectors.seeds) {
      expect(hex(epochSeed(BigInt(v.epoch), bytes(v.slotHash)))).to.equal(v.seed);
    }
  });

  it("draws and selects keepers as the program does", () => {
    expect(vectors.draws.filter((v) => v.drawn).length).to.be.greaterThan(2);
    expect(vectors.draws.filter((v) => !v.drawn).length).to.be.greaterThan(2);
    for (const v of vectors.draws) {
      const draw = assignmentDraw(bytes(v.seed), new PublicKey(v.device), new PublicKey(v.keeper));
      expect(draw.toString()).to.equal(v.draw);
      expect(drawn(draw, BigInt(v.weight), BigInt(v.total), v.committee)).to.equal(v.drawn);
    }
  });

  it("needs fewer passes when fewer keepers are bonded", () => {
    for (const v of vectors.passesRequired) {
      expect(effectivePassesRequired(v.passesRequired, BigInt(v.keeperCount))).to.equal(
        v.effective,
      );
    }
  });

  it("weighs a keeper by its bond as the epoch began, and assigns nothing unseeded or too new", () => {
    const keeper = { bondAmount: 3_000n, bondChangedEpoch: 5n, priorBond: 1_000n };
    expect(keeperWeight(keeper, 6n)).to.equal(3_000n);
    expect(keeperWeight(keeper, 5n)).to.equal(1_000n);
    // A forfeit lowers the weight at once.
    expect(keeperWeight({ ...keeper, bondAmount: 900n }, 5n)).to.equal(900n);
    const device = PublicKey.unique();
    const record = {
      epoch: 6n,
      seedSlot: 100n,
      seed: new Uint8Array(32).fill(9),
      seedFixed: true,
      keeperBondTotal: 3_000n,
      committeeSize: 6,
    };
    const key = PublicKey.unique();
    expect(isAssigned(record, device, 99n, key, keeper)).to.equal(true);
    expect(isAssigned(record, device, 100n, key, keeper)).to.equal(false);
    expect(isAssigned({ ...record, seedFixed: false }, device, 99n, key, keeper)).to.equal(false);
  });
});
