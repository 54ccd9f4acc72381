/**
 * What a staking client reads in bulk and what it derives from it: filters for a wallet's
 * positions and for proposals (one `getProgramAccounts` each, no per-row request), the vote
 * records of a wallet's positions (one `getMultipleAccounts`), the weight a vote would carry, the
 * phase of a proposal and the times the program enforces on a position. Browser-safe.
 */
import type { Commitment, Connection, GetProgramAccountsFilter, PublicKey } from "@solana/web3.js";

import { STAKING_PROGRAM_ID } from "../constants.js";
import { toBigInt } from "../ints.js";
import { voteRecordPda } from "../pda.js";
import {
  decodeProposal,
  decodeStakePosition,
  decodeVoteRecord,
  positionVotingWeight,
  proposalStatusName,
  stakingCoder,
} from "../staking.js";
import type { Proposal, StakePosition, VoteRecord } from "../staking.js";
import type { IntegerLike } from "../registry.js";

type Num = { toString(): string } | bigint;
const big = toBigInt;

function discriminatorFilter(account: "stakePosition" | "proposal"): GetProgramAccountsFilter {
  const { offset, bytes } = stakingCoder().accounts.memcmp(account) as {
    offset: number;
    bytes: string;
  };
  return { memcmp: { offset, bytes } };
}

/** Byte offset of `StakePosition::owner`: after the discriminator and `pool`. */
const POSITION_OWNER_OFFSET = 8 + 32;

/** `getProgramAccounts` filters: the `StakePosition` accounts of `owner`. */
export function stakePositionOwnerFilters(owner: PublicKey): GetProgramAccountsFilter[] {
  return [
    discriminatorFilter("stakePosition"),
    { memcmp: { offset: POSITION_OWNER_OFFSET, bytes: owner.toBase58() } },
  ];
}

/** `getProgramAccounts` filter: every `Proposal` account. */
export function proposalDiscriminatorFilter(): GetProgramAccountsFilter {
  return discriminatorFilter("proposal");
}

/** A decoded account and its address. */
export interface Addressed<T> {
  address: PublicKey;
  account: T;
}

/** Every position `owner` holds, from one `getProgramAccounts`. */
export async function fetchOwnerPositions(
  connection: Connection,
  owner: PublicKey,
  options: { commitment?: Commitment; programId?: PublicKey } = {},
): Promise<Addressed<StakePosition>[]> {
  const accounts = await connection.getProgramAccounts(options.programId ?? STAKING_PROGRAM_ID, {
    commitment: options.commitment ?? "confirmed",
    filters: stakePositionOwnerFilters(owner),
  });
  return accounts.map(({ pubkey, account }) => ({
    address: pubkey,
    account: decodeStakePosition(account.data),
  }));
}

/** Every proposal, newest first, from one `getProgramAccounts`. */
export async function fetchProposals(
  connection: Connection,
  options: { commitment?: Commitment; programId?: PublicKey } = {},
): Promise<Addressed<Proposal>[]> {
  const accounts = await connection.getProgramAccounts(options.programId ?? STAKING_PROGRAM_ID, {
    commitment: options.commitment ?? "confirmed",
    filters: [proposalDiscriminatorFilter()],
  });
  return accounts
    .map(({ pubkey, account }) => ({ address: pubkey, account: decodeProposal(account.data) }))
    .sort((a, b) => {
      const d = big(b.account.id) - big(a.account.id);
      return d > 0n ? 1 : d < 0n ? -1 : 0;
    });
}

/**
 * The votes `positions` cast on `proposals`, from one `getMultipleAccounts` per 100 pairs, keyed
 * `"<proposal>/<position>"` (base58).
 */
export async function fetchVoteRecords(
  connection: Connection,
  proposals: readonly PublicKey[],
  positions: readonly PublicKey[],
  options: { commitment?: Commitment; programId?: PublicKey } = {},
): Promise<Map<string, VoteRecord>> {
  const pairs = proposals.flatMap((proposal) =>
    positions.map((position) => ({ proposal, position })),
  );
  const records = new Map<string, VoteRecord>();
  for (let i = 0; i < pairs.length; i += 100) {
    const chunk = pairs.slice(i, i + 100);
    const infos = await connection.getMultipleAccountsInfo(
      chunk.map((p) => voteRecordPda(p.proposal, p.position, options.programId).address),
      options.commitment ?? "confirmed",
    );
    infos.forEach((info, j) => {
      if (!info) return;
      const { proposal, position } = chunk[j]!;
      records.set(`${proposal.toBase58()}/${position.toBase58()}`, decodeVoteRecord(info.data));
    });
  }
  return records;
}

/**
 * The weight `cast_vote` would give `position`'s vote on `proposal` at unix time `now`: the
 * position's active stake times its lock multiplier. The proposal is an argument so that a rule
 * depending on it (a weight taken when the proposal started) changes only this function.
 */
export function proposalVoteWeight(
  position: { shares: Num; lockEndsAt: Num },
  pool: { costakeTotal: Num; costakeShares: Num },
  proposal: Pick<Proposal, "createdAt" | "votingEndsAt">,
  now: IntegerLike,
): bigint {
  void proposal;
  return positionVotingWeight(
    position as Parameters<typeof positionVotingWeight>[0],
    pool as Parameters<typeof positionVotingWeight>[1],
    now,
  );
}

/**
 * Where a proposal stands at `now`: `voting` (votes accepted), `counting` (voting ended, not yet
 * finalised), `defeated`, `timelocked` (passed, before `executableAt`), `executable` (within the
 * execution window), `expired` (the window passed) or `executed`.
 */
export type ProposalPhase =
  "voting" | "counting" | "defeated" | "timelocked" | "executable" | "expired" | "executed";

export function proposalPhase(
  proposal: Pick<Proposal, "status" | "votingEndsAt" | "executableAt" | "rules">,
  now: IntegerLike,
): ProposalPhase {
  const t = big(now);
  switch (proposalStatusName(proposal.status)) {
    case "voting":
      return t < big(proposal.votingEndsAt) ? "voting" : "counting";
    case "defeated":
      return "defeated";
    case "executed":
      return "executed";
    case "succeeded": {
      const executableAt = big(proposal.executableAt);
      if (t < executableAt) return "timelocked";
      return t < executableAt + big(proposal.rules.executionWindowSecs) ? "executable" : "expired";
    }
  }
}

/** When the timelock of `proposal` would end if its vote passed (or when it ends, once passed). */
export function proposalTimelockEnd(
  proposal: Pick<Proposal, "status" | "votingEndsAt" | "executableAt" | "rules">,
): bigint {
  return proposalStatusName(proposal.status) === "succeeded" ||
    proposalStatusName(proposal.status) === "executed"
    ? big(proposal.executableAt)
    : big(proposal.votingEndsAt) + big(proposal.rules.timelockSecs);
}

/** When an unstake made at `now` would be withdrawable: `now` plus the config's cooldown. */
export function unstakeCooldownEnd(
  config: { stake: { unstakeCooldownSecs: Num } },
  now: IntegerLike,
): bigint {
  return big(now) + big(config.stake.unstakeCooldownSecs);
}

/**
 * The earliest time `withdraw` accepts the position's cooling shares: the end of its cooldown and
 * of the latest vote it cast, whichever is later.
 */
export function positionWithdrawableAt(
  position: Pick<StakePosition, "cooldownEndsAt" | "voteLockUntil">,
): bigint {
  const cooldown = big(position.cooldownEndsAt);
  const vote = big(position.voteLockUntil);
  return cooldown > vote ? cooldown : vote;
}
