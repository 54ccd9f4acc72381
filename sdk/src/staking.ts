/**
 * The staking program's client: the typed anchor `Program`, instruction builders for every
 * staking instruction (`executeProposalIx` passes the accounts of the config the proposal's
 * change targets), the default parameters, decoders (including `VoteRecord`, which the IDL does
 * not describe), event parsing, and what a client computes from decoded accounts (a pool's
 * qualifying stake, a position's value, pending rewards and voting weight, a device's minimum
 * stake). Its arithmetic is mirrored in `staking/math.ts`. Browser-safe: no Node APIs.
 *
 * Units: IO amounts are IO base units (1e8 = 1 IO); shares are the pool's own unit; voting weight
 * is IO base units times the lock multiplier; GPU class multipliers are hundredths (400 = 4.00x);
 * fees basis points; times unix seconds.
 */
import { EventParser, Program } from "@coral-xyz/anchor";
import type { BorshCoder, IdlAccounts, IdlEvents, IdlTypes, Provider } from "@coral-xyz/anchor";
import { sha256 } from "@noble/hashes/sha2";
import { PublicKey } from "@solana/web3.js";
import type { Connection, TransactionInstruction } from "@solana/web3.js";
import type BN from "bn.js";
import { Buffer } from "buffer";

import stakingIdlJson from "../../target/idl/staking.json" with { type: "json" };
import type { Staking } from "../../target/types/staking.js";
import { IOTOKEN_PROGRAM_ID, REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID } from "./constants.js";
import { deployerAccounts } from "./deployer.js";
import { toBigInt } from "./ints.js";
import { bnified, withBigints } from "./iotoken.js";
import type { WithBigints } from "./iotoken.js";
import { IO } from "./iotoken/math.js";
import {
  configPda,
  governancePda,
  iotokenConfigPda,
  ioMintPda,
  positionPda,
  proposalPda,
  priceFeedPda,
  schedulePda,
  slasherPda,
  stakePoolPda,
  stakeVaultPda,
  stakingConfigPda,
  voteRecordPda,
} from "./pda.js";
import { toBN } from "./registry.js";
import type { IntegerLike } from "./registry.js";
import {
  DAY_SECS,
  gpuClassMultiplier,
  minimumStake,
  pendingRewards,
  proposalPasses,
  valueOfShares,
  votingWeight,
} from "./staking/math.js";

export type { Staking };

/**
 * The staking IDL as generated into `target/idl/staking.json` (snake_case, as on chain), typed
 * with the camelCase `Staking` type that anchor's `Program` exposes.
 */
export const STAKING_IDL: Staking = stakingIdlJson as unknown as Staking;

if (STAKING_IDL.address !== STAKING_PROGRAM_ID.toBase58()) {
  throw new Error(
    `staking IDL address ${STAKING_IDL.address} differs from STAKING_PROGRAM_ID ${STAKING_PROGRAM_ID.toBase58()}: regenerate the IDL (npm run build:idl)`,
  );
}

/** Decoded `StakingConfig` account. */
export type StakingConfig = IdlAccounts<Staking>["stakingConfig"];
/** Decoded `StakePool` account: amounts IO base units, `rewardIndex` scaled by 1e12. */
export type StakePool = IdlAccounts<Staking>["stakePool"];
/** Decoded `StakePosition` account. */
export type StakePosition = IdlAccounts<Staking>["stakePosition"];
/** Decoded `Proposal` account: weights are IO base units x lock multiplier. */
export type Proposal = IdlAccounts<Staking>["proposal"];
export type StakeParams = IdlTypes<Staking>["stakeParams"];
export type SlashParams = IdlTypes<Staking>["slashParams"];
export type GovernanceParams = IdlTypes<Staking>["governanceParams"];
/** A GPU class: `pattern` and `multiplierCenti` (hundredths: 400 = 4.00x). */
export type GpuClass = IdlTypes<Staking>["gpuClass"];
/** A program allowed to slash and its `["slasher"]` PDA. */
export type Slasher = IdlTypes<Staking>["slasher"];
/** A typed change of protocol parameters, as anchor encodes it (`{ fees: { fees } }`, ...). */
export type ParameterChange = IdlTypes<Staking>["parameterChange"];
/** `ParameterChange` with bigints for u64/i64: what the builders take (BN is accepted too). */
export type ParameterChangeLike = ParameterChange | WithBigints<ParameterChange>;
export type ProposalStatus = IdlTypes<Staking>["proposalStatus"];
export type VoteSide = IdlTypes<Staking>["voteSide"];
export type SlashReason = IdlTypes<Staking>["slashReason"];
export type StakingInitializeArgs = IdlTypes<Staking>["initializeArgs"];
export type SlashArgs = IdlTypes<Staking>["slashArgs"];
/** Every staking event, by its camelCase name (as `addEventListener` takes it). */
export type StakingEvents = IdlEvents<Staking>;
export type StakingEventName = keyof StakingEvents;

/** Vote sides as anchor encodes them. */
export const VOTE_SIDE = {
  yes: { yes: {} },
  no: { no: {} },
  abstain: { abstain: {} },
} as const satisfies Record<string, VoteSide>;
export type VoteSideName = keyof typeof VOTE_SIDE;
/** Borsh enum index of each vote side. */
const VOTE_SIDES: readonly VoteSideName[] = Object.freeze(["yes", "no", "abstain"]);

/** Proposal statuses as anchor encodes them. */
export const PROPOSAL_STATUS = {
  voting: { voting: {} },
  succeeded: { succeeded: {} },
  defeated: { defeated: {} },
  executed: { executed: {} },
} as const satisfies Record<string, ProposalStatus>;
export type ProposalStatusName = keyof typeof PROPOSAL_STATUS;

/** The faults a slashing program may prove, as anchor encodes them. */
export const SLASH_REASON = {
  /** A keeper quorum found the device down during a reservation. */
  failedProbesDuringReservation: { failedProbesDuringReservation: {} },
  /** The device's operator abandoned a reservation. */
  abandonedReservation: { abandonedReservation: {} },
} as const satisfies Record<string, SlashReason>;

/** The name of a decoded vote side. */
export function voteSideName(side: VoteSide): VoteSideName {
  return "yes" in side ? "yes" : "no" in side ? "no" : "abstain";
}

/** The name of a decoded proposal status. */
export function proposalStatusName(status: ProposalStatus): ProposalStatusName {
  if ("voting" in status) return "voting";
  if ("succeeded" in status) return "succeeded";
  return "defeated" in status ? "defeated" : "executed";
}

/** Staking's own parameters (what `initialize` takes besides the slashers), bigint form. */
export interface StakingParams {
  stake: WithBigints<StakeParams>;
  slashing: WithBigints<SlashParams>;
  governance: WithBigints<GovernanceParams>;
  /** First match wins, so more specific patterns go first. */
  gpuClasses: GpuClass[];
}

/** Default parameters of a new deployment (SPEC §3-4 and the seeds). */
export const STAKING_DEFAULTS: Readonly<StakingParams> = Object.freeze({
  stake: {
    /** 200 IO x max(1, class multiplier) x GPU count. */
    minStakeBase: 200n * IO,
    unstakeCooldownSecs: 14n * DAY_SECS,
  },
  /** At most 10% of a pool's stake slashed per day. */
  slashing: { maxSlashBps: 1_000, windowSecs: DAY_SECS },
  governance: {
    votingPeriodSecs: 3n * DAY_SECS,
    timelockSecs: 2n * DAY_SECS,
    executionWindowSecs: 7n * DAY_SECS,
    /** 10,000,000 IO of weight voting (yes, no and abstain together). */
    quorumWeight: 10_000_000n * IO,
    /** More yes than no. */
    passThresholdBps: 5_000,
    /** 10,000 IO of active co-stake behind a proposal. */
    proposalMinStake: 10_000n * IO,
  },
  gpuClasses: [
    { pattern: "H200", multiplierCenti: 500 },
    { pattern: "H100", multiplierCenti: 400 },
    { pattern: "A100", multiplierCenti: 300 },
    { pattern: "L40S", multiplierCenti: 200 },
    { pattern: "RTX 4090", multiplierCenti: 150 },
    { pattern: "RTX 3090", multiplierCenti: 100 },
    { pattern: "T4", multiplierCenti: 50 },
  ],
});

/** `initialize`'s arguments: `params` (default `STAKING_DEFAULTS`) and the slasher programs. */
export function stakingInitializeArgs(
  slasherPrograms: PublicKey[] = [],
  params: StakingParams = STAKING_DEFAULTS,
): StakingInitializeArgs {
  return {
    stake: bnified(params.stake),
    slashing: bnified(params.slashing),
    governance: bnified(params.governance),
    gpuClasses: params.gpuClasses.map((c) => ({ ...c })),
    slasherPrograms,
  };
}

/** A change as anchor encodes it (bigints to BN). */
export function parameterChange(change: ParameterChangeLike): ParameterChange {
  return bnified(change as WithBigints<ParameterChange>) as unknown as ParameterChange;
}

/** Which program's config a change applies to (`ParameterChange::target`). */
export type ChangeTarget = "iotoken" | "registry" | "staking";

/** Seconds a passed critical change waits beyond the proposal's timelock (L13); mirrors staking. */
export const CRITICAL_EXTRA_TIMELOCK_SECS = 5n * DAY_SECS;

/**
 * Whether `change` is critical (staking's `ParameterChange::is_critical`): the slashing cap, the
 * slasher set, a reward pool's distributor, the registry's market and the governance rules.
 */
export function isCriticalChange(change: ParameterChangeLike): boolean {
  return (
    "slashing" in change ||
    "slashers" in change ||
    "poolDistributor" in change ||
    "registryMarket" in change ||
    "governance" in change
  );
}

/** Seconds a passed proposal of `change` waits after its vote under `timelockSecs`. */
export function proposalTimelockSecs(change: ParameterChangeLike, timelockSecs: bigint): bigint {
  return timelockSecs + (isCriticalChange(change) ? CRITICAL_EXTRA_TIMELOCK_SECS : 0n);
}

/** The program whose config `change` changes. */
export function changeTarget(change: ParameterChangeLike): ChangeTarget {
  if (
    "fees" in change ||
    "oracleUpdaters" in change ||
    "lowerEmissionRow" in change ||
    "tokenParams" in change ||
    "resumePriceFeed" in change ||
    "poolDistributor" in change
  ) {
    return "iotoken";
  }
  return "keeperBond" in change || "registryMarket" in change || "registryAvailability" in change
    ? "registry"
    : "staking";
}

const OFFLINE_PROVIDER: Provider = {
  get connection(): Connection {
    throw new Error(
      "this staking Program was created without a provider: pass one to stakingProgram()",
    );
  },
};

/**
 * The staking program as a typed anchor `Program`. Without a provider it can still build
 * instructions (the builders below pass every account) and decode accounts and events.
 */
export function stakingProgram(provider: Provider = OFFLINE_PROVIDER): Program<Staking> {
  return new Program<Staking>(STAKING_IDL, provider);
}

let offlineProgram: Program<Staking> | undefined;
function offline(): Program<Staking> {
  offlineProgram ??= stakingProgram();
  return offlineProgram;
}

/** The staking Borsh coder (accounts, instructions, events, types), camelCase field names. */
export function stakingCoder(): BorshCoder {
  return offline().coder as BorshCoder;
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes the `StakingConfig` account's data (discriminator checked). */
export function decodeStakingConfig(data: Uint8Array): StakingConfig {
  return stakingCoder().accounts.decode<StakingConfig>("stakingConfig", toBuffer(data));
}

/** Decodes a `StakePool` account's data (discriminator checked). */
export function decodeStakePool(data: Uint8Array): StakePool {
  return stakingCoder().accounts.decode<StakePool>("stakePool", toBuffer(data));
}

/** Decodes a `StakePosition` account's data (discriminator checked). */
export function decodeStakePosition(data: Uint8Array): StakePosition {
  return stakingCoder().accounts.decode<StakePosition>("stakePosition", toBuffer(data));
}

/** Decodes a `Proposal` account's data (discriminator checked). */
export function decodeProposal(data: Uint8Array): Proposal {
  return stakingCoder().accounts.decode<Proposal>("proposal", toBuffer(data));
}

/**
 * One position's vote on one proposal (`programs/staking/src/state/proposal.rs`). `cast_vote`
 * creates it by hand (its existence is what refuses a second vote), so the IDL does not describe
 * it; decoded here.
 */
export interface VoteRecord {
  proposal: PublicKey;
  position: PublicKey;
  voter: PublicKey;
  side: VoteSide;
  /** IO base units x lock multiplier, fixed when the vote was cast. */
  weight: bigint;
  votedAt: bigint;
  bump: number;
}

/** Anchor's account discriminator of `VoteRecord`: sha256("account:VoteRecord")[..8]. */
export const VOTE_RECORD_DISCRIMINATOR: Uint8Array = sha256(
  new TextEncoder().encode("account:VoteRecord"),
).slice(0, 8);
/** `8 + VoteRecord::INIT_SPACE`: three keys, the side (1), weight, time and bump. */
export const VOTE_RECORD_ACCOUNT_SIZE = 8 + 32 * 3 + 1 + 8 + 8 + 1;

/** Decodes a `VoteRecord` account's data (discriminator checked). */
export function decodeVoteRecord(data: Uint8Array): VoteRecord {
  if (data.length < VOTE_RECORD_ACCOUNT_SIZE) {
    throw new Error(
      `vote record data is ${data.length} bytes, expected ${VOTE_RECORD_ACCOUNT_SIZE}`,
    );
  }
  if (!VOTE_RECORD_DISCRIMINATOR.every((b, i) => data[i] === b)) {
    throw new Error("not a VoteRecord account (discriminator mismatch)");
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 8;
  const key = (): PublicKey => {
    const value = new PublicKey(data.slice(offset, offset + 32));
    offset += 32;
    return value;
  };
  const proposal = key();
  const position = key();
  const voter = key();
  const sideIndex = data[offset]!;
  offset += 1;
  const sideName = VOTE_SIDES[sideIndex];
  if (sideName === undefined) throw new Error(`vote record side ${sideIndex} is not a VoteSide`);
  const weight = view.getBigUint64(offset, true);
  offset += 8;
  const votedAt = view.getBigInt64(offset, true);
  offset += 8;
  const bump = data[offset]!;
  return { proposal, position, voter, side: VOTE_SIDE[sideName], weight, votedAt, bump };
}

/** A staking event decoded from transaction logs. */
export type ParsedStakingEvent = {
  [K in StakingEventName]: { name: K; data: StakingEvents[K] };
}[StakingEventName];

/** The staking events in a transaction's log messages (CPI-aware, as anchor parses them). */
export function parseStakingEvents(
  logs: string[],
  programId: PublicKey = STAKING_PROGRAM_ID,
): ParsedStakingEvent[] {
  const parser = new EventParser(programId, stakingCoder());
  return [...parser.parseLogs(logs)] as ParsedStakingEvent[];
}

// What clients compute from decoded accounts (BN or bigint fields alike).

type Num = BN | bigint;
const big = (value: Num | number): bigint => toBigInt(value);

type PoolShares = {
  costakeTotal: Num;
  costakeShares: Num;
};

/**
 * IO base units counted towards the device's minimum stake (`StakePool::qualifying_stake`):
 * active self-stake plus the value of active co-stake; stake cooling down does not count.
 */
export function poolQualifyingStake(
  pool: PoolShares & { operatorStake: Num; activeShares: Num },
): bigint {
  return (
    big(pool.operatorStake) +
    valueOfShares(big(pool.activeShares), big(pool.costakeTotal), big(pool.costakeShares))
  );
}

/** IO base units the pool's vault must hold for stake: self-stake and co-stake, active and cooling. */
export function poolTotalStake(pool: {
  operatorStake: Num;
  operatorCooling: Num;
  costakeTotal: Num;
}): bigint {
  return big(pool.operatorStake) + big(pool.operatorCooling) + big(pool.costakeTotal);
}

/** IO value of a position's active shares: what it stakes, votes and proposes with. */
export function positionValue(position: { shares: Num }, pool: PoolShares): bigint {
  return valueOfShares(big(position.shares), big(pool.costakeTotal), big(pool.costakeShares));
}

/** IO value of a position's cooling shares: what `withdraw` pays once the cooldown ends. */
export function positionCoolingValue(position: { coolingShares: Num }, pool: PoolShares): bigint {
  return valueOfShares(
    big(position.coolingShares),
    big(pool.costakeTotal),
    big(pool.costakeShares),
  );
}

/** IO base units `claim_rewards` would pay the position now: settled plus accrued. */
export function positionClaimable(
  position: { shares: Num; rewardDebt: Num; rewardsOwed: Num },
  pool: { rewardIndex: Num },
): bigint {
  return (
    big(position.rewardsOwed) +
    pendingRewards(big(position.shares), big(pool.rewardIndex), big(position.rewardDebt))
  );
}

/** The weight a vote by `position` would carry at unix time `now` (as `cast_vote` computes it). */
export function positionVotingWeight(
  position: { shares: Num; lockEndsAt: Num },
  pool: PoolShares,
  now: IntegerLike,
): bigint {
  return votingWeight(positionValue(position, pool), big(position.lockEndsAt), big(now));
}

/**
 * IO base units a device of `gpuCount` x `gpuModel` must have staked to earn availability
 * rewards under `config` (its minimum stake base and GPU class table).
 */
export function deviceMinimumStake(
  config: { stake: { minStakeBase: Num }; gpuClasses: readonly GpuClass[] },
  gpuModel: string,
  gpuCount: number,
): bigint {
  const multiplier = gpuClassMultiplier(config.gpuClasses, gpuModel);
  return minimumStake(big(config.stake.minStakeBase), multiplier, gpuCount);
}

/** Whether the proposal's votes, as they stand, pass its quorum and threshold. */
export function proposalOutcome(
  proposal: Pick<Proposal, "rules"> & { yesWeight: Num; noWeight: Num; abstainWeight: Num },
): boolean {
  return proposalPasses(
    big(proposal.yesWeight),
    big(proposal.noWeight),
    big(proposal.abstainWeight),
    {
      quorumWeight: big(proposal.rules.quorumWeight),
      passThresholdBps: proposal.rules.passThresholdBps,
    },
  );
}

/** A staking config's parameters in the sdk's bigint form (to compare with `STAKING_DEFAULTS`). */
export function stakingParamsOf(config: StakingConfig): StakingParams {
  return {
    stake: withBigints(config.stake),
    slashing: withBigints(config.slashing),
    governance: withBigints(config.governance),
    gpuClasses: config.gpuClasses.map((c) => ({ ...c })),
  };
}

// Instruction builders.

/** A pool by address, or by its device and operator (`["pool", device, operator]`). */
export type PoolRef = PublicKey | { device: PublicKey; operator: PublicKey };

function poolAddress(pool: PoolRef, programId: PublicKey): PublicKey {
  return pool instanceof PublicKey
    ? pool
    : stakePoolPda(pool.device, pool.operator, programId).address;
}

/**
 * `initialize`: creates the config; `authority` becomes its authority (until the handover
 * migration gives it to the governance PDA). `slasherPrograms` are the programs whose
 * `["slasher"]` PDA may slash.
 */
export function initializeStakingIx(
  program: Program<Staking>,
  params: {
    authority: PublicKey;
    /** The program's deployer (see `expectedDeployer`); it signs too. */
    deployer: PublicKey;
    slasherPrograms?: PublicKey[];
    params?: StakingParams;
    ioMint?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .initialize(stakingInitializeArgs(params.slasherPrograms ?? [], params.params))
    .accountsPartial({
      authority: params.authority,
      ...deployerAccounts(id, params.deployer),
      config: stakingConfigPda(id).address,
      ioMint: params.ioMint ?? ioMintPda().address,
      governance: governancePda(id).address,
    })
    .instruction();
}

/** `update_config` (authority): one typed change of staking's own parameters. */
export function updateStakingConfigIx(
  program: Program<Staking>,
  params: { authority: PublicKey; change: ParameterChangeLike },
): Promise<TransactionInstruction> {
  return program.methods
    .updateConfig(parameterChange(params.change))
    .accountsPartial({
      authority: params.authority,
      config: stakingConfigPda(program.programId).address,
    })
    .instruction();
}

/** `set_authority` (authority): hands the staking config to `newAuthority`. */
export function setStakingAuthorityIx(
  program: Program<Staking>,
  params: { authority: PublicKey; newAuthority: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .setAuthority(params.newAuthority)
    .accountsPartial({
      authority: params.authority,
      config: stakingConfigPda(program.programId).address,
    })
    .instruction();
}

/**
 * `open_pool` (the device's owner): opens the pool of the registry device at `device`, with the
 * stakers' share in basis points (within iotoken's staker share bounds).
 */
export function openPoolIx(
  program: Program<Staking>,
  params: {
    operator: PublicKey;
    device: PublicKey;
    stakerShareBps: number;
    costakingOpen: boolean;
    ioMint?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const pool = stakePoolPda(params.device, params.operator, id).address;
  return program.methods
    .openPool(params.stakerShareBps, params.costakingOpen)
    .accountsPartial({
      operator: params.operator,
      device: params.device,
      config: stakingConfigPda(id).address,
      tokenConfig: iotokenConfigPda().address,
      pool,
      vault: stakeVaultPda(pool, id).address,
      ioMint: params.ioMint ?? ioMintPda().address,
    })
    .instruction();
}

/** `set_pool_terms` (operator): the stakers' share and whether new co-stake is accepted. */
export function setPoolTermsIx(
  program: Program<Staking>,
  params: { operator: PublicKey; pool: PoolRef; stakerShareBps: number; costakingOpen: boolean },
): Promise<TransactionInstruction> {
  return program.methods
    .setPoolTerms(params.stakerShareBps, params.costakingOpen)
    .accountsPartial({
      operator: params.operator,
      tokenConfig: iotokenConfigPda().address,
      pool: poolAddress(params.pool, program.programId),
    })
    .instruction();
}

function selfStakeAccounts(
  programId: PublicKey,
  params: { operator: PublicKey; pool: PoolRef; tokenAccount: PublicKey },
): {
  operator: PublicKey;
  config: PublicKey;
  pool: PublicKey;
  vault: PublicKey;
  tokenAccount: PublicKey;
} {
  const pool = poolAddress(params.pool, programId);
  return {
    operator: params.operator,
    config: stakingConfigPda(programId).address,
    pool,
    vault: stakeVaultPda(pool, programId).address,
    tokenAccount: params.tokenAccount,
  };
}

/** `stake_self` (operator): `amount` IO from `tokenAccount` as self-stake (slashed first). */
export function stakeSelfIx(
  program: Program<Staking>,
  params: { operator: PublicKey; pool: PoolRef; tokenAccount: PublicKey; amount: IntegerLike },
): Promise<TransactionInstruction> {
  return program.methods
    .stakeSelf(toBN(params.amount))
    .accountsPartial(selfStakeAccounts(program.programId, params))
    .instruction();
}

/**
 * `unstake_self` (operator): moves `amount` of the self-stake of `device`'s pool into the cooldown
 * (restarting it). Refused (`DeviceReserved`) while the device is reserved.
 */
export function unstakeSelfIx(
  program: Program<Staking>,
  params: { operator: PublicKey; device: PublicKey; amount: IntegerLike },
): Promise<TransactionInstruction> {
  const id = program.programId;
  return program.methods
    .unstakeSelf(toBN(params.amount))
    .accountsPartial({
      operator: params.operator,
      config: stakingConfigPda(id).address,
      pool: stakePoolPda(params.device, params.operator, id).address,
      device: params.device,
    })
    .instruction();
}

/**
 * `withdraw_self` (operator): pays the cooled-down self-stake of `device`'s pool to
 * `tokenAccount`. Refused (`DeviceReserved`) while the device is reserved.
 */
export function withdrawSelfIx(
  program: Program<Staking>,
  params: { operator: PublicKey; device: PublicKey; tokenAccount: PublicKey },
): Promise<TransactionInstruction> {
  const { operator, device, tokenAccount } = params;
  return program.methods
    .withdrawSelf()
    .accountsPartial({
      ...selfStakeAccounts(program.programId, {
        operator,
        pool: { device, operator },
        tokenAccount,
      }),
      device,
    })
    .instruction();
}

/** `open_position`: `owner`'s empty co-stake position in the pool (`owner` pays its rent). */
export function openPositionIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const pool = poolAddress(params.pool, id);
  return program.methods
    .openPosition()
    .accountsPartial({
      owner: params.owner,
      pool,
      position: positionPda(pool, params.owner, id).address,
    })
    .instruction();
}

function positionAccounts(
  programId: PublicKey,
  params: { owner: PublicKey; pool: PoolRef },
): { owner: PublicKey; config: PublicKey; pool: PublicKey; position: PublicKey } {
  const pool = poolAddress(params.pool, programId);
  return {
    owner: params.owner,
    config: stakingConfigPda(programId).address,
    pool,
    position: positionPda(pool, params.owner, programId).address,
  };
}

function positionTransferAccounts(
  programId: PublicKey,
  params: { owner: PublicKey; pool: PoolRef; tokenAccount: PublicKey },
): ReturnType<typeof positionAccounts> & { vault: PublicKey; tokenAccount: PublicKey } {
  const accounts = positionAccounts(programId, params);
  return {
    ...accounts,
    vault: stakeVaultPda(accounts.pool, programId).address,
    tokenAccount: params.tokenAccount,
  };
}

/** `stake`: co-stakes `amount` IO from `tokenAccount`, minting shares at the current value. */
export function stakeIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef; tokenAccount: PublicKey; amount: IntegerLike },
): Promise<TransactionInstruction> {
  return program.methods
    .stake(toBN(params.amount))
    .accountsPartial(positionTransferAccounts(program.programId, params))
    .instruction();
}

/** `lock`: locks the position for `durationSecs` from now (14 days to 4 years; only extends). */
export function lockIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef; durationSecs: IntegerLike },
): Promise<TransactionInstruction> {
  return program.methods
    .lock(toBN(params.durationSecs))
    .accountsPartial(positionAccounts(program.programId, params))
    .instruction();
}

/** `unstake`'s amount that unstakes every active share (`UNSTAKE_ALL` in the program). */
export const UNSTAKE_ALL = 2n ** 64n - 1n;

/**
 * `unstake`: moves `amount` IO of active co-stake into the cooldown (restarting it);
 * `UNSTAKE_ALL` moves every share.
 */
export function unstakeIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef; amount: IntegerLike },
): Promise<TransactionInstruction> {
  return program.methods
    .unstake(toBN(params.amount))
    .accountsPartial(positionAccounts(program.programId, params))
    .instruction();
}

/** `withdraw`: pays the position's cooled-down shares, at their value now, to `tokenAccount`. */
export function withdrawIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef; tokenAccount: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .withdraw()
    .accountsPartial(positionTransferAccounts(program.programId, params))
    .instruction();
}

/** `claim_rewards`: pays the position's rewards (see `positionClaimable`) to `tokenAccount`. */
export function claimRewardsIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef; tokenAccount: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .claimRewards()
    .accountsPartial(positionTransferAccounts(program.programId, params))
    .instruction();
}

/**
 * `close_position`: closes an emptied position (no shares, nothing left to claim) and returns its
 * rent to the owner.
 */
export function closePositionIx(
  program: Program<Staking>,
  params: { owner: PublicKey; pool: PoolRef },
): Promise<TransactionInstruction> {
  const { owner, pool, position } = positionAccounts(program.programId, params);
  return program.methods.closePosition().accountsPartial({ owner, pool, position }).instruction();
}

/** `deposit_rewards` (anyone): `amount` IO from `source` for the pool's active co-stakers. */
export function depositRewardsIx(
  program: Program<Staking>,
  params: { depositor: PublicKey; pool: PoolRef; source: PublicKey; amount: IntegerLike },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const pool = poolAddress(params.pool, id);
  return program.methods
    .depositRewards(toBN(params.amount))
    .accountsPartial({
      depositor: params.depositor,
      config: stakingConfigPda(id).address,
      pool,
      vault: stakeVaultPda(pool, id).address,
      source: params.source,
    })
    .instruction();
}

/**
 * `slash`: signed by a slashing program's `["slasher"]` PDA (`slasherPda(program)`) through that
 * program's CPI; `destination` is an IO account the slashing program chooses.
 */
export function slashIx(
  program: Program<Staking>,
  params: {
    slasher: PublicKey;
    pool: PoolRef;
    destination: PublicKey;
    amount: IntegerLike;
    reason: SlashReason;
    evidence: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const pool = poolAddress(params.pool, id);
  return program.methods
    .slash({ amount: toBN(params.amount), reason: params.reason, evidence: params.evidence })
    .accountsPartial({
      slasher: params.slasher,
      config: stakingConfigPda(id).address,
      pool,
      vault: stakeVaultPda(pool, id).address,
      destination: params.destination,
    })
    .instruction();
}

/**
 * `create_proposal`: proposal number `id` (the config's `proposalCount`), backed by the
 * proposer's position in `pool`. iotoken's schedule is passed for `lowerEmissionRow` only.
 */
export function createProposalIx(
  program: Program<Staking>,
  params: {
    proposer: PublicKey;
    pool: PoolRef;
    id: IntegerLike;
    title: string;
    change: ParameterChangeLike;
    iotokenProgramId?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const programId = program.programId;
  const pool = poolAddress(params.pool, programId);
  return program.methods
    .createProposal(params.title, parameterChange(params.change))
    .accountsPartial({
      proposer: params.proposer,
      config: stakingConfigPda(programId).address,
      pool,
      position: positionPda(pool, params.proposer, programId).address,
      proposal: proposalPda(big(params.id), programId).address,
      schedule:
        "lowerEmissionRow" in params.change
          ? schedulePda(params.iotokenProgramId ?? IOTOKEN_PROGRAM_ID).address
          : null,
    })
    .instruction();
}

/** `cast_vote`: the voter's position in `pool` votes `side` on proposal `id` (once). */
export function castVoteIx(
  program: Program<Staking>,
  params: { voter: PublicKey; pool: PoolRef; proposalId: IntegerLike; side: VoteSide },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const pool = poolAddress(params.pool, id);
  const proposal = proposalPda(big(params.proposalId), id).address;
  const position = positionPda(pool, params.voter, id).address;
  return program.methods
    .castVote(params.side)
    .accountsPartial({
      voter: params.voter,
      proposal,
      pool,
      position,
      voteRecord: voteRecordPda(proposal, position, id).address,
    })
    .instruction();
}

/** `finalize_proposal` (anyone, once voting ended): passed or defeated. */
export function finalizeProposalIx(
  program: Program<Staking>,
  params: { proposalId: IntegerLike },
): Promise<TransactionInstruction> {
  return program.methods
    .finalizeProposal()
    .accountsPartial({
      proposal: proposalPda(big(params.proposalId), program.programId).address,
    })
    .instruction();
}

/**
 * `execute_proposal` (anyone, between the end of the timelock and the end of the execution
 * window): applies `change` (the proposal's) through the governance PDA, passing the accounts of
 * its target: iotoken's program and config (`fees`, `oracleUpdaters`, `tokenParams`,
 * `poolDistributor`; with the schedule for `lowerEmissionRow`, the price feed for
 * `resumePriceFeed`), the registry's program and config, or none for staking's own parameters.
 */
export function executeProposalIx(
  program: Program<Staking>,
  params: {
    executor: PublicKey;
    proposalId: IntegerLike;
    change: ParameterChangeLike;
    iotokenProgramId?: PublicKey;
    registryProgramId?: PublicKey;
  },
): Promise<TransactionInstruction> {
  const id = program.programId;
  const iotokenId = params.iotokenProgramId ?? IOTOKEN_PROGRAM_ID;
  const registryId = params.registryProgramId ?? REGISTRY_PROGRAM_ID;
  const target = changeTarget(params.change);
  const iotoken = target === "iotoken";
  const registry = target === "registry";
  return program.methods
    .executeProposal()
    .accountsPartial({
      executor: params.executor,
      proposal: proposalPda(big(params.proposalId), id).address,
      config: stakingConfigPda(id).address,
      governance: governancePda(id).address,
      iotokenProgram: iotoken ? iotokenId : null,
      iotokenConfig: iotoken ? iotokenConfigPda(iotokenId).address : null,
      iotokenTarget: iotokenTargetOf(params.change, iotokenId),
      registryProgram: registry ? registryId : null,
      registryConfig: registry ? configPda(registryId).address : null,
    })
    .instruction();
}

/** The iotoken account `change` acts on besides the config, if any. */
function iotokenTargetOf(change: ParameterChangeLike, iotokenId: PublicKey): PublicKey | null {
  if ("lowerEmissionRow" in change) return schedulePda(iotokenId).address;
  if ("resumePriceFeed" in change) return priceFeedPda(iotokenId).address;
  return null;
}

/** The `["slasher"]` PDAs staking trusts, as `initialize` derives them from `programs`. */
export function slashersOf(
  programs: readonly PublicKey[],
): { program: PublicKey; authority: PublicKey }[] {
  return programs.map((p) => ({ program: p, authority: slasherPda(p).address }));
}
