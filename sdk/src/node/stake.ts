/**
 * A device owner's self-stake brought up to the device's minimum (Node only): what an operator
 * does once after registering a device so that it earns availability rewards and is bookable.
 * Idempotent: a pool already open is kept, stake already there counts, nothing is sent when the
 * minimum is met.
 */
import type { Program } from "@coral-xyz/anchor";
import { Transaction } from "@solana/web3.js";
import type { Connection, Keypair, PublicKey } from "@solana/web3.js";

import { stakePoolPda, stakingConfigPda } from "../pda.js";
import { decodeDeviceAccount } from "../registry.js";
import {
  decodeStakePool,
  decodeStakingConfig,
  deviceMinimumStake,
  openPoolIx,
  poolQualifyingStake,
  stakeSelfIx,
} from "../staking.js";
import type { Staking } from "../staking.js";
import { sendAndConfirm } from "./index.js";

export interface StakeToMinimumResult {
  pool: PublicKey;
  /** The device's minimum stake under the staking config, IO base units. */
  minimum: bigint;
  /** IO base units staked by this call (0 when the minimum was met already). */
  added: bigint;
  /** Whether this call opened the pool. */
  opened: boolean;
}

/**
 * Opens `owner`'s stake pool of `device` when missing (stakers' share `stakerShareBps`, co-staking
 * closed) and self-stakes from `tokenAccount` (an IO account of the owner's) what the pool's
 * qualifying stake lacks of the device's minimum (`deviceMinimumStake` of its GPU model and count).
 */
export async function stakeToMinimum(
  connection: Connection,
  staking: Program<Staking>,
  params: { owner: Keypair; device: PublicKey; tokenAccount: PublicKey; stakerShareBps?: number },
): Promise<StakeToMinimumResult> {
  const { owner, device } = params;
  const [deviceInfo, configInfo] = await connection.getMultipleAccountsInfo(
    [device, stakingConfigPda(staking.programId).address],
    "confirmed",
  );
  if (!deviceInfo) throw new Error(`device ${device.toBase58()} is not registered`);
  if (!configInfo) throw new Error("the staking config is not initialised");
  const record = decodeDeviceAccount(deviceInfo);
  const minimum = deviceMinimumStake(
    decodeStakingConfig(configInfo.data),
    record.gpuModel,
    record.specs.gpuCount,
  );
  const pool = stakePoolPda(device, owner.publicKey, staking.programId).address;
  const poolInfo = await connection.getAccountInfo(pool, "confirmed");
  const ixs = [];
  if (!poolInfo) {
    ixs.push(
      await openPoolIx(staking, {
        operator: owner.publicKey,
        device,
        stakerShareBps: params.stakerShareBps ?? 100,
        costakingOpen: false,
      }),
    );
  }
  const qualifying = poolInfo ? poolQualifyingStake(decodeStakePool(poolInfo.data)) : 0n;
  const added = qualifying >= minimum ? 0n : minimum - qualifying;
  if (added > 0n) {
    ixs.push(
      await stakeSelfIx(staking, {
        operator: owner.publicKey,
        pool: { device, operator: owner.publicKey },
        tokenAccount: params.tokenAccount,
        amount: added,
      }),
    );
  }
  if (ixs.length > 0) await sendAndConfirm(connection, new Transaction().add(...ixs), [owner]);
  return { pool, minimum, added, opened: !poolInfo };
}
