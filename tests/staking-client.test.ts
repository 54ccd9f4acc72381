/**
 * The sdk's staking client helpers a governance UI builds on, without a chain: the parameter
 * changes described from the IDL (every variant, its target and field types), form input parsed
 * into changes that `create_proposal` encodes and decodes back unchanged (and refused, by field,
 * when not a value of its type), the current values a form starts from, the account filters
 * against anchor's own encoding, the weight a vote would carry, a proposal's phases and the
 * times the program enforces on a position.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { utils } from "@coral-xyz/anchor";
import BN from "bn.js";
import { expect } from "chai";

import {
  ChangeInputError,
  DAY_SECS,
  IO,
  IOTOKEN_DEFAULTS,
  PROPOSAL_STATUS,
  STAKING_DEFAULTS,
  bnified,
  changeInputOf,
  changeTarget,
  createProposalIx,
  currentChangeValue,
  initialChangeInput,
  parameterChangeFromInput,
  parameterChangeInput,
  parameterChangeKind,
  parameterChangeKinds,
  parameterChangeName,
  positionValue,
  positionWithdrawableAt,
  proposalDiscriminatorFilter,
  proposalPhase,
  proposalTimelockEnd,
  proposalVoteWeight,
  stakePositionOwnerFilters,
  stakingCoder,
  stakingProgram,
  unstakeCooldownEnd,
  votingWeight,
  withBigints,
} from "@iogrid/sdk";
import type { ChangeInput, ParameterChangeLike, StakingConfig, TokenConfig } from "@iogrid/sdk";

/** `change` through `create_proposal`'s instruction data and back, bigint form. */
async function encodedChange(change: ParameterChangeLike): Promise<unknown> {
  const ix = await createProposalIx(stakingProgram(), {
    proposer: Keypair.generate().publicKey,
    pool: Keypair.generate().publicKey,
    id: 3n,
    title: "t",
    change,
  });
  const decoded = stakingCoder().instruction.decode(ix.data) as {
    data: { change: unknown };
  } | null;
  return withBigints(decoded!.data.change);
}

describe("sdk: staking client helpers (parameter change forms, filters, phases)", () => {
  it("describes every ParameterChange variant from the IDL, with its target", () => {
    const kinds = parameterChangeKinds();
    expect(kinds.map((k) => k.name)).to.deep.equal([
      "fees",
      "oracleUpdaters",
      "lowerEmissionRow",
      "keeperBond",
      "gpuClasses",
      "minStakeBase",
      "unstakeCooldown",
      "slashing",
      "slashers",
      "governance",
      "tokenParams",
      "resumePriceFeed",
      "registryMarket",
      "registryAvailability",
      "poolDistributor",
    ]);
    for (const kind of kinds) {
      expect(kind.target, kind.name).to.equal(
        changeTarget({ [kind.name]: {} } as unknown as ParameterChangeLike),
      );
    }
    const governance = parameterChangeKind("governance").fields[0]!;
    expect(governance.name).to.equal("params");
    expect(governance.type.kind).to.equal("struct");
    const fields = governance.type.kind === "struct" ? governance.type.fields : [];
    expect(
      fields.map((f) => [f.name, f.type.kind === "integer" ? f.type.type : f.type.kind]),
    ).to.deep.equal([
      ["votingPeriodSecs", "i64"],
      ["timelockSecs", "i64"],
      ["executionWindowSecs", "i64"],
      ["quorumWeight", "u64"],
      ["passThresholdBps", "u16"],
      ["proposalMinStake", "u64"],
    ]);
    expect(fields[3]!.docs.join(" ")).to.contain("Weight");
    const token = parameterChangeKind("tokenParams").fields.map((f) => f.type.kind);
    expect(token).to.deep.equal(["option", "option", "option", "option"]);
    const classes = parameterChangeKind("gpuClasses").fields[0]!.type;
    expect(classes.kind === "vec" && classes.item.kind).to.equal("struct");
    expect(parameterChangeKind("resumePriceFeed").fields).to.deep.equal([]);
  });

  it("parses form input into changes create_proposal encodes and decodes unchanged", async () => {
    const updater = Keypair.generate().publicKey;
    const cases: [string, Record<string, ChangeInput>, unknown][] = [
      ["minStakeBase", { amount: " 30000000000 " }, { minStakeBase: { amount: 300n * IO } }],
      ["unstakeCooldown", { secs: "86400" }, { unstakeCooldown: { secs: 86_400n } }],
      [
        "governance",
        {
          params: {
            votingPeriodSecs: "3600",
            timelockSecs: "0",
            executionWindowSecs: "7200",
            quorumWeight: "1",
            passThresholdBps: "6000",
            proposalMinStake: "5",
          },
        },
        {
          governance: {
            params: {
              votingPeriodSecs: 3_600n,
              timelockSecs: 0n,
              executionWindowSecs: 7_200n,
              quorumWeight: 1n,
              passThresholdBps: 6_000,
              proposalMinStake: 5n,
            },
          },
        },
      ],
      [
        "gpuClasses",
        { classes: [{ pattern: "H100", multiplierCenti: "400" }] },
        { gpuClasses: { classes: [{ pattern: "H100", multiplierCenti: 400 }] } },
      ],
      [
        "oracleUpdaters",
        { updaters: [updater.toBase58()] },
        { oracleUpdaters: { updaters: [updater] } },
      ],
      [
        "tokenParams",
        {
          emission: null,
          oracle: null,
          breaker: { windowSecs: "3600", maxIosdPerWindow: "1000" },
          buyback: null,
        },
        {
          tokenParams: {
            emission: null,
            oracle: null,
            breaker: { windowSecs: 3_600n, maxIosdPerWindow: 1_000n },
            buyback: null,
          },
        },
      ],
      ["resumePriceFeed", {}, { resumePriceFeed: {} }],
    ];
    for (const [name, input, expected] of cases) {
      const change = parameterChangeFromInput(parameterChangeKind(name), input);
      expect(withBigints(change), name).to.deep.equal(expected);
      expect(parameterChangeName(change)).to.equal(name);
      expect(await encodedChange(change), name).to.deep.equal(expected);
      // A decoded change (BN fields) shown as input parses back to the same change.
      const decoded = bnified(change as never) as unknown as ParameterChangeLike;
      const again = parameterChangeFromInput(
        parameterChangeKind(name),
        parameterChangeInput(decoded),
      );
      expect(withBigints(again), name).to.deep.equal(expected);
    }
  });

  it("refuses input that is not a value of its field's type, naming the field", () => {
    const refusal = (name: string, input: Record<string, ChangeInput>): ChangeInputError => {
      try {
        parameterChangeFromInput(parameterChangeKind(name), input);
      } catch (err) {
        expect(err).to.be.instanceOf(ChangeInputError);
        return err as ChangeInputError;
      }
      throw new Error("expected a refusal");
    };
    expect(refusal("minStakeBase", { amount: "1.5" }).path).to.equal("amount");
    expect(refusal("minStakeBase", { amount: "-1" }).reason).to.contain("between 0 and");
    expect(refusal("minStakeBase", { amount: String(2n ** 64n) }).reason).to.contain("u64");
    const params = changeInputOf(
      parameterChangeKind("governance").fields[0]!.type,
      STAKING_DEFAULTS.governance,
    ) as Record<string, ChangeInput>;
    const governance = refusal("governance", { params: { ...params, passThresholdBps: "70000" } });
    expect(governance.path).to.equal("params.passThresholdBps");
    expect(refusal("oracleUpdaters", { updaters: ["not-a-key"] }).path).to.equal("updaters[0]");
  });

  it("starts a form from the values the change would replace", () => {
    const staking = {
      stake: bnified(STAKING_DEFAULTS.stake),
      slashing: bnified(STAKING_DEFAULTS.slashing),
      governance: bnified(STAKING_DEFAULTS.governance),
      gpuClasses: STAKING_DEFAULTS.gpuClasses,
      slashers: [{ program: PublicKey.default, authority: PublicKey.default }],
    } as unknown as StakingConfig;
    const token = { fees: bnified(IOTOKEN_DEFAULTS.fees) } as unknown as TokenConfig;
    expect(withBigints(currentChangeValue("minStakeBase", { staking }))).to.deep.equal({
      amount: STAKING_DEFAULTS.stake.minStakeBase,
    });
    const input = initialChangeInput(parameterChangeKind("governance"), { staking });
    const parsed = parameterChangeFromInput(parameterChangeKind("governance"), input);
    expect(withBigints(parsed)).to.deep.equal({
      governance: { params: STAKING_DEFAULTS.governance },
    });
    const fees = parameterChangeFromInput(
      parameterChangeKind("fees"),
      initialChangeInput(parameterChangeKind("fees"), { token }),
    );
    expect(withBigints(fees)).to.deep.equal({ fees: { fees: IOTOKEN_DEFAULTS.fees } });
    expect(initialChangeInput(parameterChangeKind("slashers"), { staking })).to.deep.equal({
      programs: [PublicKey.default.toBase58()],
    });
    // Without the config, or for a change not stored in one: blank.
    expect(currentChangeValue("fees", {})).to.equal(null);
    expect(currentChangeValue("lowerEmissionRow", { staking, token })).to.equal(null);
    expect(initialChangeInput(parameterChangeKind("lowerEmissionRow"), {})).to.deep.equal({
      index: "",
      emissionPerEpoch: "",
    });
  });

  it("filters positions by owner and proposals by discriminator where anchor encodes them", async () => {
    const owner = Keypair.generate().publicKey;
    const pool = Keypair.generate().publicKey;
    const data = await stakingCoder().accounts.encode("stakePosition", {
      pool,
      owner,
      shares: new BN(1),
      coolingShares: new BN(0),
      cooldownEndsAt: new BN(0),
      lockEndsAt: new BN(0),
      rewardDebt: new BN(0),
      rewardsOwed: new BN(0),
      rewardsClaimed: new BN(0),
      voteLockUntil: new BN(0),
      createdAt: new BN(0),
      bump: 255,
      reserved: new Array(64).fill(0),
    });
    const [discriminator, byOwner] = stakePositionOwnerFilters(owner) as {
      memcmp: { offset: number; bytes: string };
    }[];
    const at = (f: { memcmp: { offset: number; bytes: string } }): boolean => {
      const bytes = utils.bytes.bs58.decode(f.memcmp.bytes);
      return Buffer.from(bytes).equals(
        data.subarray(f.memcmp.offset, f.memcmp.offset + bytes.length),
      );
    };
    expect(at(discriminator!)).to.equal(true);
    expect(at(byOwner!)).to.equal(true);
    expect(byOwner!.memcmp.bytes).to.equal(owner.toBase58());
    const proposal = proposalDiscriminatorFilter() as { memcmp: { offset: number; bytes: string } };
    expect(proposal.memcmp.offset).to.equal(0);
    expect(proposal.memcmp.bytes).to.not.equal(discriminator!.memcmp.bytes);
  });

  it("a vote weighs the position's stake times its remaining lock, as cast_vote counts it", () => {
    const pool = { costakeTotal: 3_000n * IO, costakeShares: 2_000n * IO };
    const position = { shares: 1_000n * IO, lockEndsAt: 1_000_000n + 730n * DAY_SECS };
    const proposal = { createdAt: new BN(999_000), votingEndsAt: new BN(1_003_600) };
    const stake = positionValue(position, pool);
    expect(stake).to.equal(1_500n * IO);
    expect(proposalVoteWeight(position, pool, proposal, 1_000_000n)).to.equal(
      votingWeight(stake, position.lockEndsAt, 1_000_000n),
    );
    // Two years left: 2.5x.
    expect(proposalVoteWeight(position, pool, proposal, 1_000_000n)).to.equal(3_750n * IO);
  });

  it("a proposal's phases, its timelock end, and a position's withdrawal time", () => {
    const rules = bnified({
      ...STAKING_DEFAULTS.governance,
      timelockSecs: 100n,
      executionWindowSecs: 50n,
    });
    const voting = {
      status: PROPOSAL_STATUS.voting,
      votingEndsAt: new BN(1_000),
      executableAt: new BN(0),
      rules,
    };
    expect(proposalPhase(voting, 999)).to.equal("voting");
    expect(proposalPhase(voting, 1_000)).to.equal("counting");
    expect(proposalTimelockEnd(voting)).to.equal(1_100n);
    const passed = { ...voting, status: PROPOSAL_STATUS.succeeded, executableAt: new BN(1_100) };
    expect(proposalPhase(passed, 1_099)).to.equal("timelocked");
    expect(proposalPhase(passed, 1_100)).to.equal("executable");
    expect(proposalPhase(passed, 1_149)).to.equal("executable");
    expect(proposalPhase(passed, 1_150)).to.equal("expired");
    expect(proposalTimelockEnd(passed)).to.equal(1_100n);
    expect(proposalPhase({ ...voting, status: PROPOSAL_STATUS.defeated }, 2_000)).to.equal(
      "defeated",
    );
    expect(proposalPhase({ ...passed, status: PROPOSAL_STATUS.executed }, 1_120)).to.equal(
      "executed",
    );

    expect(unstakeCooldownEnd({ stake: { unstakeCooldownSecs: new BN(1_209_600) } }, 10n)).to.equal(
      1_209_610n,
    );
    expect(
      positionWithdrawableAt({ cooldownEndsAt: new BN(500), voteLockUntil: new BN(400) }),
    ).to.equal(500n);
    expect(
      positionWithdrawableAt({ cooldownEndsAt: new BN(500), voteLockUntil: new BN(900) }),
    ).to.equal(900n);
  });
});
