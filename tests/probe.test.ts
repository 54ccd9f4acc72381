/**
 * The sdk's probe format and availability arithmetic against the registry's Rust, without a
 * chain: every entry of `sdk/test-vectors/probe.json` (written by the tests in
 * `programs/registry/src/probe.rs`; `null` = the Rust's `Err`) to the byte, the Ed25519
 * instruction's layout (also against web3.js's single-signature `Ed25519Program`), signing, the
 * constants and the device layout against the Rust sources, settlement and the availability
 * builders' accounts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Ed25519Program, Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  AvailabilityMathError,
  CHALLENGE_DOMAIN,
  DEFAULT_AVAILABILITY,
  DEVICE_ACCOUNT_SIZE,
  DEVICE_AVAILABILITY_LEN,
  DEVICE_LAYOUT,
  MAX_DEVICES_PER_ATTESTATION,
  MAX_FAILURE_QUORUM,
  MAX_PASSES_REQUIRED,
  MAX_UNSETTLED_EPOCHS,
  NO_EPOCH,
  PROBE_DOMAIN,
  PROBE_MESSAGE_LEN,
  PROBE_VERSION,
  ProbeError,
  STAKING_DEFAULTS,
  attestAvailability,
  availabilityEpochAt,
  availabilityEpochPda,
  availabilityVaultPda,
  claimAvailabilityRewardsIx,
  closeAvailabilityEpochIx,
  configPda,
  decodeDevice,
  deviceWeight,
  distributorPda,
  ed25519Entry,
  ed25519Instruction,
  encodeProbeMessage,
  epochRecordPda,
  keeperPda,
  keeperTipsVaultPda,
  parseProbeMessage,
  parseSlotHashes,
  proRata,
  probeChallenge,
  probeRequest,
  registryCoder,
  registryProgram,
  reputationBps,
  settleEarnings,
  signMessage,
  signProbe,
  slotHash,
  splitAvailabilityClaim,
  stakePoolPda,
  stakeVaultPda,
  stakingConfigPda,
  validateAvailability,
  verifySignedProbe,
} from "@iogrid/sdk";
import type { SignedProbe } from "@iogrid/sdk";

import { REPO_ROOT } from "./support/localnet.js";

interface Vectors {
  probeDomain: string;
  challengeDomain: string;
  version: number;
  messageLen: number;
  messages: {
    device: string;
    epoch: string;
    slot: string;
    challenge: string;
    benchmarkHash: string;
    bytes: string;
  }[];
  invalidMessages: { bytes: string; error: string }[];
  challenges: {
    device: string;
    epoch: string;
    slot: string;
    slotHash: string;
    keeper: string;
    challenge: string;
  }[];
  slotHashes: { data: string; lookups: { slot: string; hash: string | null }[] };
  ed25519: { entries: { publicKey: string; signature: string; message: string }[]; data: string }[];
  reputation: { passes: number; failures: number; reservationsCompleted: number; bps: number }[];
  proRata: { pot: string; weight: string; total: string; amount: string | null }[];
}

const vectors = JSON.parse(
  readFileSync(join(REPO_ROOT, "sdk", "test-vectors", "probe.json"), "utf8"),
) as Vectors;
const registrySrc = (path: string): string =>
  readFileSync(join(REPO_ROOT, "programs", "registry", "src", path), "utf8");
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));
const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

describe("probe and availability math against the Rust (no chain)", () => {
  it("domains, version and length are the Rust's", () => {
    expect(utf8(PROBE_DOMAIN)).to.equal(vectors.probeDomain);
    expect(utf8(CHALLENGE_DOMAIN)).to.equal(vectors.challengeDomain);
    expect(PROBE_VERSION).to.equal(vectors.version);
    expect(PROBE_MESSAGE_LEN).to.equal(vectors.messageLen);
  });

  it("messages encode and parse byte for byte", () => {
    for (const v of vectors.messages) {
      const message = {
        device: new PublicKey(v.device),
        epoch: BigInt(v.epoch),
        slot: BigInt(v.slot),
        challenge: unhex(v.challenge),
        benchmarkHash: unhex(v.benchmarkHash),
      };
      expect(hex(encodeProbeMessage(message)), v.device).to.equal(v.bytes);
      const parsed = parseProbeMessage(unhex(v.bytes));
      expect(parsed.device.toBase58()).to.equal(v.device);
      expect(parsed.epoch).to.equal(message.epoch);
      expect(parsed.slot).to.equal(message.slot);
      expect(hex(parsed.challenge)).to.equal(v.challenge);
      expect(hex(parsed.benchmarkHash)).to.equal(v.benchmarkHash);
    }
  });

  it("what the Rust refuses to parse, the sdk refuses with the same error", () => {
    expect(vectors.invalidMessages).to.have.length(5);
    for (const v of vectors.invalidMessages) {
      let error: unknown;
      try {
        parseProbeMessage(unhex(v.bytes));
      } catch (e) {
        error = e;
      }
      expect(error, v.bytes).to.be.instanceOf(ProbeError);
      expect((error as ProbeError).errorName).to.equal(v.error);
    }
  });

  it("challenges hash device, epoch, slot, slot hash and keeper as the Rust does", () => {
    expect(vectors.challenges).to.have.length(3);
    for (const v of vectors.challenges) {
      const args = [
        new PublicKey(v.device),
        BigInt(v.epoch),
        BigInt(v.slot),
        unhex(v.slotHash),
      ] as const;
      const keeper = new PublicKey(v.keeper);
      expect(hex(probeChallenge(...args, keeper)), `${v.epoch}/${v.slot}`).to.equal(v.challenge);
      // Another keeper's account gives another challenge.
      expect(hex(probeChallenge(...args, new PublicKey(v.device)))).to.not.equal(v.challenge);
    }
  });

  it("SlotHashes lookups find the same hashes (and misses) as the Rust's binary search", () => {
    const data = unhex(vectors.slotHashes.data);
    const entries = parseSlotHashes(data);
    expect(entries.map((e) => e.slot)).to.deep.equal([1_000n, 999n, 997n, 900n, 512n, 3n]);
    for (const { slot, hash } of vectors.slotHashes.lookups) {
      const found = slotHash(data, BigInt(slot));
      expect(found === undefined ? null : hex(found), `slot ${slot}`).to.equal(hash);
      const linear = entries.find((e) => e.slot === BigInt(slot));
      expect(linear === undefined ? null : hex(linear.hash)).to.equal(hash);
    }
    expect(slotHash(new Uint8Array(4), 1n)).to.equal(undefined);
  });

  it("one Ed25519 instruction carries N signatures in the layout the registry reads", () => {
    for (const v of vectors.ed25519) {
      const probes: SignedProbe[] = v.entries.map((e) => ({
        publicKey: new PublicKey(unhex(e.publicKey)),
        signature: unhex(e.signature),
        message: unhex(e.message),
      }));
      const ix = ed25519Instruction(probes);
      expect(ix.programId.equals(Ed25519Program.programId)).to.equal(true);
      expect(ix.keys).to.deep.equal([]);
      expect(hex(ix.data)).to.equal(v.data);
      v.entries.forEach((e, n) => {
        const entry = ed25519Entry(ix.data, n);
        expect(hex(entry!.publicKey)).to.equal(e.publicKey);
        expect(hex(entry!.message)).to.equal(e.message);
      });
      expect(ed25519Entry(ix.data, v.entries.length)).to.equal(undefined);
      // An entry pointing into another instruction is what the registry refuses.
      const other = Uint8Array.from(ix.data);
      other[2 + 2 * 6] = 0;
      other[2 + 2 * 6 + 1] = 0;
      expect(ed25519Entry(other, 0)).to.equal(undefined);
    }
    expect(() => ed25519Instruction([])).to.throw(RangeError);
  });

  it("signs probes as web3.js's Ed25519Program signs (one signature: the same bytes)", () => {
    const agent = Keypair.generate();
    const device = PublicKey.unique();
    const slotHashBytes = new Uint8Array(32).fill(7);
    const benchmarkHash = new Uint8Array(32).fill(9);
    const keeper = PublicKey.unique();
    const probe = signProbe(agent, {
      device,
      epoch: 5n,
      slot: 1_234n,
      slotHash: slotHashBytes,
      keeper,
      benchmarkHash,
    });
    expect(probe.publicKey.equals(agent.publicKey)).to.equal(true);
    expect(verifySignedProbe(probe)).to.equal(true);
    const parsed = parseProbeMessage(probe.message);
    expect(parsed.device.equals(device)).to.equal(true);
    expect(hex(parsed.challenge)).to.equal(
      hex(probeChallenge(device, 5n, 1_234n, slotHashBytes, keeper)),
    );
    expect(hex(parsed.benchmarkHash)).to.equal(hex(benchmarkHash));

    const stock = Ed25519Program.createInstructionWithPrivateKey({
      privateKey: agent.secretKey,
      message: probe.message,
    });
    expect(hex(ed25519Instruction([probe]).data)).to.equal(hex(stock.data));

    const forged = { ...probe, signature: Uint8Array.from(probe.signature) };
    forged.signature[0] = forged.signature[0]! ^ 1;
    expect(verifySignedProbe(forged)).to.equal(false);
    const other = signMessage(Keypair.generate(), probe.message);
    expect(verifySignedProbe({ ...other, publicKey: agent.publicKey })).to.equal(false);
  });

  it("reputation_bps to the basis point", () => {
    for (const v of vectors.reputation) {
      expect(
        reputationBps(v.passes, v.failures, v.reservationsCompleted),
        `${v.passes}/${v.failures}/${v.reservationsCompleted}`,
      ).to.equal(v.bps);
    }
  });

  it("pro_rata to the unit, failing where the Rust does", () => {
    for (const v of vectors.proRata) {
      const run = (): bigint => proRata(BigInt(v.pot), BigInt(v.weight), BigInt(v.total));
      if (v.amount === null) {
        expect(run).to.throw(AvailabilityMathError, /WeightExceedsTotal/);
      } else {
        expect(run(), `${v.pot} x ${v.weight} / ${v.total}`).to.equal(BigInt(v.amount));
      }
    }
  });

  it("constants and bounds are the Rust's", () => {
    const availability = registrySrc("state/availability.rs");
    const constant = (source: string, name: string): string =>
      new RegExp(`pub const ${name}: \\w+ = ([^;]+);`).exec(source)![1]!;
    expect(Number(constant(availability, "MAX_FAILURE_QUORUM"))).to.equal(MAX_FAILURE_QUORUM);
    expect(Number(constant(availability, "MAX_UNSETTLED_EPOCHS"))).to.equal(MAX_UNSETTLED_EPOCHS);
    expect(constant(availability, "NO_EPOCH")).to.equal("u64::MAX");
    expect(NO_EPOCH).to.equal(2n ** 64n - 1n);
    const attest = registrySrc("instructions/availability/attest_availability.rs");
    expect(Number(constant(attest, "MAX_DEVICES_PER_ATTESTATION"))).to.equal(
      MAX_DEVICES_PER_ATTESTATION,
    );
    const config = registrySrc("state/config.rs");
    expect(config).to.include(`failure_quorum: ${DEFAULT_AVAILABILITY.failureQuorum},`);
    expect(config).to.include(`max_probe_age_slots: ${DEFAULT_AVAILABILITY.maxProbeAgeSlots},`);
    const defaultOf = (field: string): number =>
      Number(new RegExp(`${field}: ([\\d_]+),`).exec(config)![1]!.replaceAll("_", ""));
    expect(defaultOf("committee_size")).to.equal(DEFAULT_AVAILABILITY.committeeSize);
    expect(defaultOf("passes_required")).to.equal(DEFAULT_AVAILABILITY.passesRequired);
    expect(defaultOf("report_after_secs")).to.equal(DEFAULT_AVAILABILITY.reportAfterSecs);
    expect(defaultOf("false_report_penalty_bps")).to.equal(
      DEFAULT_AVAILABILITY.falseReportPenaltyBps,
    );
    expect(Number(constant(availability, "MAX_PASSES_REQUIRED"))).to.equal(MAX_PASSES_REQUIRED);

    const rules = (over: Partial<typeof DEFAULT_AVAILABILITY>) =>
      validateAvailability({ ...DEFAULT_AVAILABILITY, ...over });
    expect(() => rules({})).to.not.throw();
    const refusals: [Partial<typeof DEFAULT_AVAILABILITY>, RegExp][] = [
      [{ failureQuorum: 1 }, /InvalidFailureQuorum/],
      [{ failureQuorum: 6 }, /InvalidFailureQuorum/],
      [{ maxProbeAgeSlots: 513n }, /InvalidProbeAge/],
      [{ maxProbeAgeSlots: 0n }, /InvalidProbeAge/],
      [{ committeeSize: 0 }, /InvalidCommitteeSize/],
      [{ committeeSize: 17 }, /InvalidCommitteeSize/],
      [{ passesRequired: 5 }, /InvalidPassesRequired/],
      [{ committeeSize: 1, passesRequired: 2 }, /InvalidPassesRequired/],
      [{ reportAfterSecs: 599 }, /InvalidReportWindow/],
      [{ reportAfterSecs: 3_301 }, /InvalidReportWindow/],
      [{ falseReportPenaltyBps: 1_001 }, /InvalidReportPenalty/],
    ];
    for (const [over, error] of refusals) {
      expect(() => rules(over), String(error)).to.throw(error);
    }
    expect(availabilityEpochAt(1_000n, 1_000n + 3_600n * 7n + 3_599n)).to.equal(7n);
    expect(() => availabilityEpochAt(1_000n, 999n)).to.throw(/EmissionsNotStarted/);
  });

  it("the device layout: the availability record sits where staking skips it", () => {
    const staking = readFileSync(
      join(REPO_ROOT, "programs", "staking", "src", "state", "registry_device.rs"),
      "utf8",
    );
    const skipped = Number(
      /pub const DEVICE_AVAILABILITY_AND_RESERVED_LEN: usize = (\d+);/.exec(staking)![1],
    );
    expect(DEVICE_AVAILABILITY_LEN + 64).to.equal(skipped);
    expect(DEVICE_LAYOUT.deviceId - DEVICE_LAYOUT.availability).to.equal(skipped);
  });

  it("a device encoded by the IDL's coder decodes at DEVICE_LAYOUT's offsets", async () => {
    const owner = Keypair.generate().publicKey;
    const attestedBy = Keypair.generate().publicKey;
    const unsettled = (epoch: number, weight: number) => ({
      epoch: new BN(epoch),
      weight: new BN(weight),
    });
    const data = await registryCoder().accounts.encode("device", {
      owner,
      agent: owner,
      deviceIdHash: new Array(32).fill(1),
      status: { active: {} },
      reservation: PublicKey.default,
      pricePerGpuHour: new BN(5),
      specs: {
        gpuCount: 8,
        vramMib: 1,
        cpuCores: 2,
        ramMib: 3,
        storageGib: 4,
        bandwidthTier: { ultra: {} },
      },
      registeredAt: new BN(6),
      updatedAt: new BN(7),
      bump: 254,
      availability: {
        earnings: {
          unsettled: [unsettled(3, 3_200), unsettled(0, 0), unsettled(0, 0), unsettled(0, 0)],
          accrued: new BN(11),
          claimed: new BN(12),
        },
        passes: 13,
        failures: 1,
        uptimeStreak: 2,
        longestUptimeStreak: 3,
        reservationsCompleted: 0,
        reputationBps: reputationBps(13, 1, 0),
        lastPassEpoch: new BN(3),
        lastProbeSlot: new BN(99),
        lastBenchmarkHash: new Array(32).fill(2),
        lastAttestedBy: attestedBy,
        passEpoch: new BN(3),
        passCount: 1,
        passers: [attestedBy, ...new Array(3).fill(PublicKey.default)],
        reportEpoch: new BN(NO_EPOCH.toString()),
        reportCount: 0,
        failureReporters: new Array(5).fill(PublicKey.default),
        firstReportAt: new BN(0),
        quorumReached: false,
        lastFailureEpoch: new BN(NO_EPOCH.toString()),
        lockFailureAt: new BN(0),
      },
      registeredSlot: new BN(77),
      reserved: new Array(56).fill(0),
      deviceId: "rig",
      name: "",
      gpuModel: "NVIDIA H100",
      region: "eu",
      endpoint: "",
    });
    const view = Buffer.from(data);
    expect(view.readBigUInt64LE(DEVICE_LAYOUT.availabilityLastPassEpoch)).to.equal(3n);
    expect(view.readUInt16LE(DEVICE_LAYOUT.availabilityReputationBps)).to.equal(
      reputationBps(13, 1, 0),
    );
    expect(view[DEVICE_LAYOUT.bump]).to.equal(254);
    expect(view.readBigUInt64LE(DEVICE_LAYOUT.registeredSlot)).to.equal(77n);
    expect(view.readUInt32LE(DEVICE_LAYOUT.deviceId)).to.equal(3);
    const decoded = decodeDevice(data);
    expect(decoded.availability.lastAttestedBy.equals(attestedBy)).to.equal(true);
    expect(DEVICE_ACCOUNT_SIZE).to.be.greaterThan(DEVICE_LAYOUT.deviceId);
  });

  it("settleEarnings pays each closed epoch once, rounding down; the claim splits by staker share", () => {
    const closed = [
      {
        epoch: 3n,
        closed: true,
        totalWeight: 3_800n,
        qualifiedPasses: 3n,
        deviceRewards: 1_000_001n,
        keeperRewards: 50_000n,
      },
      {
        epoch: 4n,
        closed: false,
        totalWeight: 1n,
        qualifiedPasses: 1n,
        deviceRewards: 9n,
        keeperRewards: 9n,
      },
    ];
    const earnings = {
      unsettled: [
        { epoch: 3n, weight: 3_200n },
        { epoch: 4n, weight: 1n },
        { epoch: 0n, weight: 0n },
        { epoch: 0n, weight: 0n },
      ],
      accrued: 5n,
      claimed: 0n,
    };
    const devices = settleEarnings(earnings, closed, "devices");
    expect(devices.added).to.equal((1_000_001n * 3_200n) / 3_800n);
    expect(devices.settled).to.equal(1);
    expect(devices.earnings.accrued).to.equal(5n + devices.added);
    expect(devices.earnings.unsettled[0]).to.deep.equal({ epoch: 0n, weight: 0n });
    expect(devices.earnings.unsettled[1]).to.deep.equal({ epoch: 4n, weight: 1n });
    // Settling again adds nothing: the epoch's slot is free.
    expect(settleEarnings(devices.earnings, closed, "devices").added).to.equal(0n);
    const keepers = settleEarnings(
      { ...earnings, unsettled: [{ epoch: 3n, weight: 2n }] },
      closed,
      "keepers",
    );
    expect(keepers.added).to.equal(33_333n);

    expect(splitAvailabilityClaim(1_001n, { stakerShareBps: 300, activeShares: 5n })).to.deep.equal(
      { toStakers: 30n, toOwner: 971n },
    );
    expect(splitAvailabilityClaim(1_001n, { stakerShareBps: 300, activeShares: 0n })).to.deep.equal(
      { toStakers: 0n, toOwner: 1_001n },
    );
    expect(deviceWeight(STAKING_DEFAULTS.gpuClasses, "NVIDIA H100 80GB HBM3", 8)).to.equal(3_200n);
    expect(deviceWeight(STAKING_DEFAULTS.gpuClasses, "NVIDIA T4", 2)).to.equal(100n);
  });

  it("the availability builders pass the accounts the program expects", async () => {
    const program = registryProgram();
    const keeper = Keypair.generate();
    const owner = Keypair.generate().publicKey;
    const agent = Keypair.generate();
    const devices = [PublicKey.unique(), PublicKey.unique()];
    const slotHashBytes = new Uint8Array(32).fill(3);
    const requests = devices.map((device) =>
      probeRequest({
        authority: keeper.publicKey,
        device,
        epoch: 9n,
        slot: 100n,
        slotHash: slotHashBytes,
      }),
    );
    const probes = requests.map((request) => signProbe(agent, request));
    const [ed25519, attest] = await attestAvailability(program, {
      authority: keeper.publicKey,
      devices: probes.map((probe) => ({ probe, owner })),
      closedEpochs: [7n, 8n],
    });
    expect(ed25519.programId.equals(Ed25519Program.programId)).to.equal(true);
    expect(ed25519.data[0]).to.equal(2);
    const keys = attest.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]);
    expect(keys.slice(0, 5)).to.deep.equal([
      // The keeper signs but pays no rent: open_availability_epoch created the record.
      [keeper.publicKey.toBase58(), true, false],
      [keeperPda(keeper.publicKey).address.toBase58(), false, true],
      [configPda().address.toBase58(), false, false],
      [stakingConfigPda().address.toBase58(), false, false],
      [availabilityEpochPda(9n).address.toBase58(), false, true],
    ]);
    // The request binds the keeper account the attestation passes: its PDA, not its wallet.
    requests.forEach((request, i) => {
      expect(request.keeper.equals(attest.keys[1]!.pubkey)).to.equal(true);
      expect(hex(parseProbeMessage(probes[i]!.message).challenge)).to.equal(
        hex(probeChallenge(devices[i]!, 9n, 100n, slotHashBytes, attest.keys[1]!.pubkey)),
      );
    });
    // After the two sysvars: each device and its pool, then the closed records.
    expect(keys.slice(7)).to.deep.equal([
      [devices[0]!.toBase58(), false, true],
      [stakePoolPda(devices[0]!, owner).address.toBase58(), false, false],
      [devices[1]!.toBase58(), false, true],
      [stakePoolPda(devices[1]!, owner).address.toBase58(), false, false],
      [availabilityEpochPda(7n).address.toBase58(), false, false],
      [availabilityEpochPda(8n).address.toBase58(), false, false],
    ]);
    const decoded = registryCoder().instruction.decode(attest.data) as {
      name: string;
      data: { deviceCount: number };
    };
    expect(decoded).to.deep.equal({ name: "attestAvailability", data: { deviceCount: 2 } });

    const close = await closeAvailabilityEpochIx(program, { cranker: owner, epoch: 9n });
    const closeKeys = close.keys.map((k) => k.pubkey.toBase58());
    expect(closeKeys[2]).to.equal(availabilityEpochPda(9n).address.toBase58());
    expect(closeKeys[3]).to.equal(epochRecordPda(9n).address.toBase58());
    expect(closeKeys).to.include.members(
      [distributorPda(), availabilityVaultPda(), keeperTipsVaultPda()].map((p) =>
        p.address.toBase58(),
      ),
    );

    const claim = await claimAvailabilityRewardsIx(program, {
      owner,
      device: devices[0]!,
      destination: owner,
    });
    const pool = stakePoolPda(devices[0]!, owner).address;
    expect(claim.keys.map((k) => k.pubkey.toBase58())).to.include.members([
      pool.toBase58(),
      stakeVaultPda(pool).address.toBase58(),
    ]);
  });
});
