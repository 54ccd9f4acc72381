/**
 * The sdk's staking mirror against the program's Rust sources, without a chain: every shared test
 * vector of `sdk/test-vectors/staking.json` (written by programs/staking/src/math/vectors.rs;
 * `null` where the Rust returns an error) reproduced to the unit, the seeds byte for byte, the
 * error names in declaration order, the program id, the PDAs, the `VoteRecord` layout against its
 * Rust definition, and the default parameters against the program's bounds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  IO,
  IOTOKEN_DEFAULTS,
  IOTOKEN_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  MAX_LOCK_SECS,
  MIN_LOCK_SECS,
  REWARD_INDEX_SCALE,
  STAKING_DEFAULTS,
  STAKING_ERRORS,
  STAKING_IDL,
  STAKING_PROGRAM_ID,
  STAKING_SEEDS,
  SlashWindow,
  StakingMathError,
  VOTE_RECORD_ACCOUNT_SIZE,
  VOTE_RECORD_DISCRIMINATOR,
  changeTarget,
  configPda,
  createProposalIx,
  decodeVoteRecord,
  deviceMinimumStake,
  executeProposalIx,
  governancePda,
  gpuClassMultiplier,
  indexIncrease,
  iotokenConfigPda,
  isStakingError,
  minimumStake,
  pendingRewards,
  poolQualifyingStake,
  positionClaimable,
  positionPda,
  positionValue,
  positionVotingWeight,
  proposalPasses,
  proposalPda,
  rewardDebt,
  schedulePda,
  sharesForAmount,
  sharesForDeposit,
  slasherPda,
  splitSlash,
  stakePoolPda,
  stakeVaultPda,
  stakingConfigPda,
  stakingErrorByCode,
  stakingErrorCode,
  stakingProgram,
  stakingProgramErrorName,
  valueOfShares,
  voteRecordPda,
  votingWeight,
  weightMultiplierBps,
} from "@iogrid/sdk";
import type { ParameterChangeLike, StakingErrorName } from "@iogrid/sdk";

import { REPO_ROOT } from "./support/localnet.js";

const stakingSrc = (path: string): string =>
  readFileSync(join(REPO_ROOT, "programs", "staking", "src", path), "utf8");

type Num = string | null;
interface Vectors {
  rewardIndexScale: string;
  minLockSecs: number;
  maxLockSecs: number;
  shares: {
    amount: string;
    total: string;
    totalShares: string;
    sharesForDeposit: Num;
    valueOfShares: Num;
    sharesForAmount: Num;
  }[];
  rewards: {
    amount: string;
    activeShares: string;
    indexIncrease: string;
    shares: string;
    debtIndex: string;
    pending: Num;
  }[];
  weights: { stake: string; lockRemainingSecs: number; multiplierBps: number; weight: Num }[];
  gpuClasses: [string, number][];
  minimumStakes: { model: string; gpuCount: number; multiplierCenti: number; minimumStake: Num }[];
  slashSplits: {
    amount: string;
    operatorCooling: string;
    operatorStake: string;
    costakeTotal: string;
    split: [string, string, string] | null;
  }[];
  slashWindows: {
    stored: [number, string, string];
    now: number;
    windowSecs: number;
    maxSlashBps: number;
    totalStake: string;
    window: [number, string, string];
    remaining: string;
  }[];
  votes: {
    yes: string;
    no: string;
    abstain: string;
    quorumWeight: string;
    passThresholdBps: number;
    passes: boolean;
  }[];
}

const vectors = JSON.parse(
  readFileSync(join(REPO_ROOT, "sdk", "test-vectors", "staking.json"), "utf8"),
) as Vectors;

/** The value `f` returns, or `null` if it throws a `StakingMathError` (the Rust's `Err`). */
function result(f: () => bigint): bigint | null {
  try {
    return f();
  } catch (e) {
    expect(e).to.be.instanceOf(StakingMathError);
    return null;
  }
}

function mathError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(StakingMathError);
    return (e as StakingMathError).errorName;
  }
  throw new Error("expected a StakingMathError");
}

const num = (value: Num): bigint | null => (value === null ? null : BigInt(value));

describe("staking math mirror (no chain)", () => {
  it("constants", () => {
    expect(REWARD_INDEX_SCALE).to.equal(BigInt(vectors.rewardIndexScale));
    expect(MIN_LOCK_SECS).to.equal(BigInt(vectors.minLockSecs));
    expect(MAX_LOCK_SECS).to.equal(BigInt(vectors.maxLockSecs));
  });

  it("shares: for a deposit, value, for an amount", () => {
    expect(vectors.shares.length).to.be.greaterThan(0);
    for (const v of vectors.shares) {
      const [amount, total, totalShares] = [
        BigInt(v.amount),
        BigInt(v.total),
        BigInt(v.totalShares),
      ];
      const what = JSON.stringify(v);
      expect(
        result(() => sharesForDeposit(amount, total, totalShares)),
        what,
      ).to.equal(num(v.sharesForDeposit));
      expect(
        result(() => valueOfShares(amount, total, totalShares)),
        what,
      ).to.equal(num(v.valueOfShares));
      expect(
        result(() => sharesForAmount(amount, total, totalShares)),
        what,
      ).to.equal(num(v.sharesForAmount));
    }
    expect(mathError(() => sharesForDeposit(100n, 0n, 50n))).to.equal("CoStakeWipedOut");
    expect(mathError(() => sharesForAmount(1n, 0n, 0n))).to.equal("CoStakeWipedOut");
  });

  it("rewards: index increase, debt, pending", () => {
    expect(vectors.rewards.length).to.be.greaterThan(0);
    for (const v of vectors.rewards) {
      const what = JSON.stringify(v);
      const increase = indexIncrease(BigInt(v.amount), BigInt(v.activeShares));
      expect(increase, what).to.equal(BigInt(v.indexIncrease));
      const shares = BigInt(v.shares);
      const debtIndex = BigInt(v.debtIndex);
      const debt = rewardDebt(shares, debtIndex);
      expect(
        result(() => pendingRewards(shares, increase + debtIndex, debt)),
        what,
      ).to.equal(num(v.pending));
    }
    expect(mathError(() => indexIncrease(1n, 0n))).to.equal("MathOverflow");
    expect(mathError(() => pendingRewards(1n, 5n, 6n))).to.equal("MathOverflow");
    expect(mathError(() => rewardDebt(2n ** 64n - 1n, 2n ** 127n))).to.equal("MathOverflow");
  });

  it("voting weight: the multiplier of the remaining lock and the weight", () => {
    expect(vectors.weights.length).to.be.greaterThan(0);
    for (const v of vectors.weights) {
      const what = JSON.stringify(v);
      const remaining = BigInt(v.lockRemainingSecs);
      expect(weightMultiplierBps(remaining), what).to.equal(BigInt(v.multiplierBps));
      expect(
        result(() => votingWeight(BigInt(v.stake), 1_000_000n + remaining, 1_000_000n)),
        what,
      ).to.equal(num(v.weight));
    }
  });

  it("GPU class multipliers and minimum stakes", () => {
    const classes = vectors.gpuClasses.map(([pattern, multiplierCenti]) => ({
      pattern,
      multiplierCenti,
    }));
    expect(vectors.minimumStakes.length).to.be.greaterThan(0);
    for (const v of vectors.minimumStakes) {
      const what = JSON.stringify(v);
      const multiplier = gpuClassMultiplier(classes, v.model);
      expect(multiplier, what).to.equal(v.multiplierCenti);
      expect(
        result(() => minimumStake(200n * IO, multiplier, v.gpuCount)),
        what,
      ).to.equal(num(v.minimumStake));
    }
    // Only ASCII letters fold, as Rust's to_ascii_lowercase: "İ" does not become "i".
    expect(gpuClassMultiplier([{ pattern: "i", multiplierCenti: 300 }], "İ")).to.equal(100);
    expect(mathError(() => minimumStake(2n ** 64n - 1n, 2_000, 64))).to.equal("MathOverflow");
  });

  it("slash splits", () => {
    expect(vectors.slashSplits.length).to.be.greaterThan(0);
    for (const v of vectors.slashSplits) {
      const split = splitSlash(
        BigInt(v.amount),
        BigInt(v.operatorCooling),
        BigInt(v.operatorStake),
        BigInt(v.costakeTotal),
      );
      expect(split, JSON.stringify(v)).to.deep.equal(
        v.split === null
          ? null
          : {
              fromOperatorCooling: BigInt(v.split[0]),
              fromOperatorStake: BigInt(v.split[1]),
              fromCostake: BigInt(v.split[2]),
            },
      );
    }
  });

  it("slash windows", () => {
    expect(vectors.slashWindows.length).to.be.greaterThan(0);
    for (const v of vectors.slashWindows) {
      const stored = {
        start: BigInt(v.stored[0]),
        cap: BigInt(v.stored[1]),
        slashed: BigInt(v.stored[2]),
      };
      const window = SlashWindow.at(
        stored,
        BigInt(v.now),
        BigInt(v.windowSecs),
        v.maxSlashBps,
        BigInt(v.totalStake),
      );
      const what = JSON.stringify(v);
      expect(window, what).to.deep.equal({
        start: BigInt(v.window[0]),
        cap: BigInt(v.window[1]),
        slashed: BigInt(v.window[2]),
      });
      expect(SlashWindow.remaining(window), what).to.equal(BigInt(v.remaining));
    }
  });

  it("votes: quorum over all votes, threshold strictly over yes + no", () => {
    expect(vectors.votes.length).to.be.greaterThan(0);
    for (const v of vectors.votes) {
      expect(
        proposalPasses(BigInt(v.yes), BigInt(v.no), BigInt(v.abstain), {
          quorumWeight: BigInt(v.quorumWeight),
          passThresholdBps: v.passThresholdBps,
        }),
        JSON.stringify(v),
      ).to.equal(v.passes);
    }
  });

  it("account helpers compute from decoded accounts (BN fields) as the program does", () => {
    const pool = {
      operatorStake: new BN(1_000),
      activeShares: new BN(600),
      costakeTotal: new BN(800),
      costakeShares: new BN(1_000),
      rewardIndex: new BN((3n * REWARD_INDEX_SCALE).toString()),
    };
    // 600 of 1,000 shares holding 800 IO: 480 IO of active co-stake.
    expect(poolQualifyingStake(pool)).to.equal(1_480n);
    const position = {
      shares: new BN(500),
      lockEndsAt: new BN(1_000 + Number(MAX_LOCK_SECS)),
      rewardDebt: new BN((500n * REWARD_INDEX_SCALE).toString()),
      rewardsOwed: new BN(7),
    };
    expect(positionValue(position, pool)).to.equal(400n);
    expect(positionVotingWeight(position, pool, 1_000)).to.equal(1_600n);
    // 500 shares x (3 - 1) IO per share, plus 7 settled.
    expect(positionClaimable(position, pool)).to.equal(1_007n);
    expect(
      deviceMinimumStake(
        {
          stake: { minStakeBase: new BN(200n.toString()) },
          gpuClasses: STAKING_DEFAULTS.gpuClasses,
        },
        "NVIDIA L40S",
        2,
      ),
    ).to.equal(800n);
  });
});

describe("staking sdk against the Rust sources (no chain)", () => {
  it("seeds mirror programs/staking/src/state/seeds.rs byte for byte", () => {
    const rust = stakingSrc("state/seeds.rs");
    const declared = new Map(
      [...rust.matchAll(/pub const (\w+): &\[u8\] = b"([^"]*)";/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect([...declared.keys()].sort()).to.deep.equal(Object.keys(STAKING_SEEDS).sort());
    for (const [name, value] of declared) {
      expect(Buffer.from(STAKING_SEEDS[name]!).toString("latin1"), name).to.equal(value);
    }
  });

  it("the program id matches declare_id!", () => {
    expect(stakingSrc("lib.rs")).to.include(`declare_id!("${STAKING_PROGRAM_ID.toBase58()}")`);
    expect(STAKING_IDL.address).to.equal(STAKING_PROGRAM_ID.toBase58());
  });

  it("error names, numbers and messages follow StakingError in declaration order", () => {
    const rust = stakingSrc("errors.rs");
    const variants = [...rust.matchAll(/#\[msg\("((?:[^"\\]|\\.)*)"\)\]\s*(\w+),/g)].map((m) => ({
      msg: m[1]!,
      name: m[2]!,
    }));
    expect(variants.length).to.equal(Object.keys(STAKING_ERRORS).length);
    variants.forEach(({ name, msg }, index) => {
      const info = STAKING_ERRORS[name as StakingErrorName];
      expect(info, name).to.not.equal(undefined);
      expect(info.code, name).to.equal(6000 + index);
      expect(info.msg, name).to.equal(msg);
      expect(stakingErrorCode(name as StakingErrorName)).to.equal(info.code);
      expect(stakingErrorByCode(info.code)?.name).to.equal(name);
    });
    const code = stakingErrorCode("StakeLocked");
    expect(isStakingError({ InstructionError: [0, { Custom: code }] }, "StakeLocked")).to.equal(
      true,
    );
    expect(stakingProgramErrorName({ err: { InstructionError: [0, { Custom: 2006 }] } })).to.equal(
      "ConstraintSeeds",
    );
  });

  it("PDAs: pools by device and operator, proposals by u64 LE, slashers under their program", () => {
    const device = Keypair.generate().publicKey;
    const operator = Keypair.generate().publicKey;
    const owner = Keypair.generate().publicKey;
    const find = (seeds: Uint8Array[], program = STAKING_PROGRAM_ID): string =>
      PublicKey.findProgramAddressSync(seeds, program)[0].toBase58();
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(stakingConfigPda().address.toBase58()).to.equal(find([utf8("config")]));
    expect(governancePda().address.toBase58()).to.equal(find([utf8("governance")]));
    const pool = stakePoolPda(device, operator).address;
    expect(pool.toBase58()).to.equal(find([utf8("pool"), device.toBytes(), operator.toBytes()]));
    expect(stakePoolPda(device, owner).address.equals(pool)).to.equal(false);
    expect(stakeVaultPda(pool).address.toBase58()).to.equal(find([utf8("vault"), pool.toBytes()]));
    const position = positionPda(pool, owner).address;
    expect(position.toBase58()).to.equal(find([utf8("position"), pool.toBytes(), owner.toBytes()]));
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(258n);
    const proposal = proposalPda(258n).address;
    expect(proposal.toBase58()).to.equal(find([utf8("proposal"), le]));
    expect(voteRecordPda(proposal, position).address.toBase58()).to.equal(
      find([utf8("vote"), proposal.toBytes(), position.toBytes()]),
    );
    expect(slasherPda(REGISTRY_PROGRAM_ID).address.toBase58()).to.equal(
      find([utf8("slasher")], REGISTRY_PROGRAM_ID),
    );
  });

  it("VoteRecord: the hand-written decoder follows the Rust struct field for field", () => {
    const rust = stakingSrc("state/proposal.rs");
    const body = /pub struct VoteRecord \{([^}]*)\}/.exec(rust)?.[1];
    expect(body, "VoteRecord in proposal.rs").to.be.a("string");
    const fields = [...body!.matchAll(/pub (\w+): (\w+),/g)].map((m) => [m[1], m[2]]);
    const sizes: Record<string, number> = { Pubkey: 32, VoteSide: 1, u64: 8, i64: 8, u8: 1 };
    expect(fields).to.deep.equal([
      ["proposal", "Pubkey"],
      ["position", "Pubkey"],
      ["voter", "Pubkey"],
      ["side", "VoteSide"],
      ["weight", "u64"],
      ["voted_at", "i64"],
      ["bump", "u8"],
    ]);
    expect(8 + fields.reduce((sum, [, type]) => sum + sizes[type!]!, 0)).to.equal(
      VOTE_RECORD_ACCOUNT_SIZE,
    );
    const idlAccounts: string[] = (STAKING_IDL.accounts ?? []).map((a) => a.name);
    expect(idlAccounts).to.not.include("voteRecord");

    const keys = [Keypair.generate(), Keypair.generate(), Keypair.generate()].map(
      (k) => k.publicKey,
    );
    const data = Buffer.alloc(VOTE_RECORD_ACCOUNT_SIZE);
    Buffer.from(VOTE_RECORD_DISCRIMINATOR).copy(data, 0);
    keys.forEach((k, i) => Buffer.from(k.toBytes()).copy(data, 8 + 32 * i));
    data[104] = 2;
    data.writeBigUInt64LE(123_456_789_012n, 105);
    data.writeBigInt64LE(1_800_000_000n, 113);
    data[121] = 254;
    const record = decodeVoteRecord(data);
    expect(record.proposal.equals(keys[0]!)).to.equal(true);
    expect(record.position.equals(keys[1]!)).to.equal(true);
    expect(record.voter.equals(keys[2]!)).to.equal(true);
    expect(record).to.deep.include({
      weight: 123_456_789_012n,
      votedAt: 1_800_000_000n,
      bump: 254,
    });
    expect(record.side).to.deep.equal({ abstain: {} });
    data[104] = 3;
    expect(() => decodeVoteRecord(data)).to.throw(/side 3/);
    data[0] = data[0]! ^ 1;
    expect(() => decodeVoteRecord(data)).to.throw(/discriminator/);
  });

  it("every change of the IDL names its target program as ParameterChange::target does", () => {
    const targets: Record<string, string> = {
      fees: "iotoken",
      oracleUpdaters: "iotoken",
      lowerEmissionRow: "iotoken",
      tokenParams: "iotoken",
      resumePriceFeed: "iotoken",
      poolDistributor: "iotoken",
      keeperBond: "registry",
      registryMarket: "registry",
      registryAvailability: "registry",
      gpuClasses: "staking",
      minStakeBase: "staking",
      unstakeCooldown: "staking",
      slashing: "staking",
      slashers: "staking",
      governance: "staking",
    };
    // The IDL as generated (PascalCase type and variant names).
    const idl = JSON.parse(
      readFileSync(join(REPO_ROOT, "target", "idl", "staking.json"), "utf8"),
    ) as {
      types: { name: string; type: { variants?: { name: string }[] } }[];
    };
    const camel = (name: string): string => name[0]!.toLowerCase() + name.slice(1);
    const variants = (idl.types.find((t) => t.name === "ParameterChange")?.type.variants ?? []).map(
      (v) => camel(v.name),
    );
    expect(variants).to.have.members(Object.keys(targets));
    for (const variant of variants) {
      const change = { [variant]: {} } as unknown as ParameterChangeLike;
      expect(changeTarget(change), variant).to.equal(targets[variant]);
    }
  });

  it("execute_proposal passes the accounts of the change's target only", async () => {
    const program = stakingProgram();
    const executor = Keypair.generate().publicKey;
    const none = STAKING_PROGRAM_ID.toBase58();
    const optionals = async (change: ParameterChangeLike): Promise<string[]> => {
      const ix = await executeProposalIx(program, { executor, proposalId: 7n, change });
      expect(ix.keys.slice(0, 4).map((k) => k.pubkey.toBase58())).to.deep.equal(
        [
          executor,
          proposalPda(7n).address,
          stakingConfigPda().address,
          governancePda().address,
        ].map((k) => k.toBase58()),
      );
      return ix.keys.slice(4).map((k) => k.pubkey.toBase58());
    };
    const iotoken = [IOTOKEN_PROGRAM_ID.toBase58(), iotokenConfigPda().address.toBase58()];
    const fees = { ...IOTOKEN_DEFAULTS.fees, networkFeeBps: 400 };
    expect(await optionals({ fees: { fees } })).to.deep.equal([...iotoken, none, none, none]);
    expect(await optionals({ oracleUpdaters: { updaters: [executor] } })).to.deep.equal([
      ...iotoken,
      none,
      none,
      none,
    ]);
    expect(await optionals({ lowerEmissionRow: { index: 2, emissionPerEpoch: 5n } })).to.deep.equal(
      [...iotoken, schedulePda().address.toBase58(), none, none],
    );
    // set_pool_distributor's accounts are the authority (the governance PDA) and the config.
    expect(
      await optionals({ poolDistributor: { pool: 0, program: REGISTRY_PROGRAM_ID } }),
    ).to.deep.equal([...iotoken, none, none, none]);
    expect(await optionals({ keeperBond: { amount: IO, unbondCooldownSecs: 60n } })).to.deep.equal([
      none,
      none,
      none,
      REGISTRY_PROGRAM_ID.toBase58(),
      configPda().address.toBase58(),
    ]);
    expect(await optionals({ minStakeBase: { amount: IO } })).to.deep.equal([
      none,
      none,
      none,
      none,
      none,
    ]);
    const create = await createProposalIx(program, {
      proposer: executor,
      pool: { device: executor, operator: executor },
      id: 3,
      title: "t",
      change: { lowerEmissionRow: { index: 2, emissionPerEpoch: 5n } },
    });
    const pool = stakePoolPda(executor, executor).address;
    expect(create.keys.map((k) => k.pubkey.toBase58())).to.deep.include.members([
      pool.toBase58(),
      positionPda(pool, executor).address.toBase58(),
      proposalPda(3n).address.toBase58(),
      schedulePda().address.toBase58(),
    ]);
  });

  it("the default parameters are within the program's bounds (validation.rs)", () => {
    const d = STAKING_DEFAULTS;
    const day = 86_400n;
    expect(d.stake.minStakeBase).to.equal(200n * IO);
    expect(d.stake.minStakeBase >= IO && d.stake.minStakeBase <= 100_000n * IO).to.equal(true);
    expect(d.stake.unstakeCooldownSecs).to.equal(14n * day);
    expect(d.slashing.maxSlashBps >= 1 && d.slashing.maxSlashBps <= 10_000).to.equal(true);
    expect(d.slashing.windowSecs >= 3_600n && d.slashing.windowSecs <= 30n * day).to.equal(true);
    const g = d.governance;
    expect(g.votingPeriodSecs).to.equal(3n * day);
    expect(g.timelockSecs).to.equal(2n * day);
    expect(g.executionWindowSecs).to.equal(7n * day);
    expect(g.quorumWeight > 0n).to.equal(true);
    expect(g.passThresholdBps >= 5_000 && g.passThresholdBps <= 9_900).to.equal(true);
    expect(d.gpuClasses.length <= 16).to.equal(true);
    const seen = new Set<string>();
    for (const c of d.gpuClasses) {
      expect(/^[\x21-\x7e]([\x20-\x7e]{0,22}[\x21-\x7e])?$/.test(c.pattern), c.pattern).to.equal(
        true,
      );
      expect(c.multiplierCenti >= 10 && c.multiplierCenti <= 2_000).to.equal(true);
      expect(seen.has(c.pattern.toLowerCase()), c.pattern).to.equal(false);
      seen.add(c.pattern.toLowerCase());
    }
    // Specific patterns first: no later pattern contains an earlier one.
    d.gpuClasses.forEach((c, i) => {
      for (const earlier of d.gpuClasses.slice(0, i)) {
        expect(c.pattern.toLowerCase().includes(earlier.pattern.toLowerCase())).to.equal(false);
      }
    });
    const rust = stakingSrc("validation.rs");
    expect(rust).to.include("(IO..=100_000 * IO).contains(&params.min_stake_base)");
    expect(rust).to.include("(5_000..=9_900).contains(&params.pass_threshold_bps)");
    expect(rust).to.include("(10..=2_000).contains(&class.multiplier_centi)");
  });
});
