/**
 * The setup sequences the suites running iotoken, the registry and staking on one chain share:
 * the admin's provider, iotoken brought to its genesis, the emission schedule sealed, the registry
 * bonding keepers in IO, wallets funded with IO, and co-stake positions. Every step goes through
 * the sdk's builders, so the setup also exercises the client.
 */
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import type { Program } from "@coral-xyz/anchor";
import {
  createAccount,
  createAssociatedTokenAccount,
  getAssociatedTokenAddressSync,
  transfer,
} from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import type { Connection, PublicKey } from "@solana/web3.js";

import {
  DAY_SECS,
  EPOCH_SECS,
  GENESIS_DESTINATION_NAMES,
  IO,
  appendScheduleRowsIx,
  decayPreset,
  initializeConfigIx,
  initializeIotokenIx,
  initializePoolsIx,
  ioMintPda,
  iotokenProgram,
  lockIx,
  mintGenesisIx,
  openPositionIx,
  registerDeviceIx,
  registryProgram,
  scheduleChunks,
  sealScheduleIx,
  devicePda,
  stakeIx,
  stakingProgram,
  IOTOKEN_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
} from "@iogrid/sdk";
import type { DeviceSpecs, GenesisDestinations, Iotoken, Registry, Staking } from "@iogrid/sdk";
import { programKeypair, stakeToMinimum } from "@iogrid/sdk/node";

import { chainTime, sendDistinct } from "./chain.js";

/** An Anchor provider signing with `wallet`, confirming and preflighting at "confirmed". */
export function walletProvider(connection: Connection, wallet: Keypair): AnchorProvider {
  return new AnchorProvider(connection, new Wallet(wallet), {
    commitment: "confirmed",
    preflightCommitment: "confirmed",
  });
}

/** The three programs, all through `admin`'s provider. */
export function iogridPrograms(
  connection: Connection,
  admin: Keypair,
): { iotoken: Program<Iotoken>; registry: Program<Registry>; staking: Program<Staking> } {
  const provider = walletProvider(connection, admin);
  return {
    iotoken: iotokenProgram(provider),
    registry: registryProgram(provider),
    staking: stakingProgram(provider),
  };
}

/** Five new IO token accounts of `owner` (paid by `payer`), one per genesis allocation. */
export async function genesisAccounts(
  connection: Connection,
  payer: Keypair,
  owner: PublicKey = payer.publicKey,
): Promise<GenesisDestinations> {
  const ioMint = ioMintPda().address;
  const accounts: PublicKey[] = [];
  for (let i = 0; i < GENESIS_DESTINATION_NAMES.length; i++) {
    accounts.push(await createAccount(connection, payer, ioMint, owner, Keypair.generate()));
  }
  return Object.fromEntries(
    GENESIS_DESTINATION_NAMES.map((name, i) => [name, accounts[i]!]),
  ) as unknown as GenesisDestinations;
}

/**
 * iotoken initialised with its defaults by `admin` (with its four reward pools unless
 * `pools: false`, and `priceUpdaters` allowed to publish the IO price) and the genesis minted
 * into five new accounts of the admin, which it returns.
 */
export async function mintedGenesis(
  connection: Connection,
  iotoken: Program<Iotoken>,
  admin: Keypair,
  { pools = true, priceUpdaters = [] }: { pools?: boolean; priceUpdaters?: PublicKey[] } = {},
): Promise<GenesisDestinations> {
  const authority = admin.publicKey;
  const deployer = programKeypair(IOTOKEN_PROGRAM_ID);
  await sendDistinct(
    connection,
    await initializeIotokenIx(iotoken, { authority, deployer: deployer.publicKey, priceUpdaters }),
    [admin, deployer],
  );
  if (pools) {
    await sendDistinct(connection, await initializePoolsIx(iotoken, { payer: authority }), [admin]);
  }
  const destinations = await genesisAccounts(connection, admin);
  await sendDistinct(connection, await mintGenesisIx(iotoken, { authority, ...destinations }), [
    admin,
  ]);
  return destinations;
}

/**
 * The decay schedule appended from the start of the chain's current epoch (the hour) and sealed;
 * returns that start, epoch 0's.
 */
export async function sealedSchedule(
  connection: Connection,
  iotoken: Program<Iotoken>,
  admin: Keypair,
): Promise<bigint> {
  const authority = admin.publicKey;
  const now = BigInt(await chainTime(connection));
  const origin = now - (now % EPOCH_SECS);
  for (const rows of scheduleChunks(decayPreset(origin), 40)) {
    await sendDistinct(connection, await appendScheduleRowsIx(iotoken, { authority, rows }), [
      admin,
    ]);
  }
  await sendDistinct(connection, await sealScheduleIx(iotoken, { authority }), [admin]);
  return origin;
}

/** The registry's config with IO as the bond mint: keepers bond 1,000 IO and unbond in 7 days. */
export async function initializeIoBondedRegistry(
  connection: Connection,
  registry: Program<Registry>,
  admin: Keypair,
): Promise<void> {
  await sendDistinct(
    connection,
    await initializeConfigIx(registry, {
      authority: admin.publicKey,
      deployer: programKeypair(REGISTRY_PROGRAM_ID).publicKey,
      bondMint: ioMintPda().address,
      keeperBondAmount: 1_000n * IO,
      keeperUnbondCooldownSecs: 7n * DAY_SECS,
    }),
    [admin, programKeypair(REGISTRY_PROGRAM_ID)],
  );
}

/**
 * Each wallet's IO associated token account, created by `admin` and funded with its amount from
 * `source` (an IO account of the admin's), recorded in `accounts`.
 */
export async function fundIo(
  connection: Connection,
  admin: Keypair,
  source: PublicKey,
  funding: [Keypair, bigint][],
  accounts: Map<Keypair, PublicKey>,
): Promise<void> {
  const ioMint = ioMintPda().address;
  for (const [wallet, amount] of funding) {
    const account = await createAssociatedTokenAccount(connection, admin, ioMint, wallet.publicKey);
    await transfer(connection, admin, source, account, admin, amount);
    accounts.set(wallet, account);
  }
}

/**
 * `owner` opens a co-stake position in `pool` and stakes `amount` IO from `tokenAccount` (by
 * default the owner's associated IO account, as `fundIo` creates it); with `lockSecs`, then locks
 * it that long.
 */
export async function coStake(
  connection: Connection,
  staking: Program<Staking>,
  params: {
    owner: Keypair;
    pool: PublicKey;
    tokenAccount?: PublicKey;
    amount: bigint;
    lockSecs?: bigint;
  },
): Promise<void> {
  const { owner, pool, amount, lockSecs } = params;
  const tokenAccount =
    params.tokenAccount ?? getAssociatedTokenAddressSync(ioMintPda().address, owner.publicKey);
  const signers = [owner];
  await sendDistinct(
    connection,
    await openPositionIx(staking, { owner: owner.publicKey, pool }),
    signers,
  );
  await sendDistinct(
    connection,
    await stakeIx(staking, { owner: owner.publicKey, pool, tokenAccount, amount }),
    signers,
  );
  if (lockSecs !== undefined) {
    await sendDistinct(
      connection,
      await lockIx(staking, { owner: owner.publicKey, pool, durationSecs: lockSecs }),
      signers,
    );
  }
}

/**
 * A device registered by `owner` under `deviceId` with `agent` (which co-signs) and a price per
 * GPU-hour, its stake pool opened and self-staked to its minimum from `tokenAccount` (an IO
 * account of the owner's); returns the device's address and the stake.
 */
export async function registerStakedDevice(
  connection: Connection,
  programs: { registry: Program<Registry>; staking: Program<Staking> },
  params: {
    owner: Keypair;
    deviceId: string;
    gpuModel: string;
    specs: DeviceSpecs;
    pricePerGpuHour: bigint;
    agent: Keypair;
    tokenAccount: PublicKey;
    region?: string;
    stakerShareBps?: number;
  },
): Promise<{ address: PublicKey; stake: bigint }> {
  const { registry, staking } = programs;
  const { owner, deviceId, gpuModel, specs } = params;
  await sendDistinct(
    connection,
    await registerDeviceIx(registry, {
      owner: owner.publicKey,
      deviceId,
      name: deviceId,
      gpuModel,
      region: params.region ?? "eu-west",
      specs,
      pricePerGpuHour: params.pricePerGpuHour,
      agent: params.agent.publicKey,
    }),
    [owner, params.agent],
  );
  const address = devicePda(deviceId).address;
  const { added: stake } = await stakeToMinimum(connection, staking, {
    owner,
    device: address,
    tokenAccount: params.tokenAccount,
    stakerShareBps: params.stakerShareBps,
  });
  return { address, stake };
}
