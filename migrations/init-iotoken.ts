/**
 * Initialises the iotoken program on a chain, idempotently: run it any number of times. Each
 * step checks the chain first and says whether it acted or found the step done:
 *
 * 1. `initialize` with the sdk's default parameters (`IOTOKEN_DEFAULTS`); the wallet becomes the
 *    config authority (and, on a local chain, a price updater);
 * 2. `initialize_pools`: the four reward pool vaults, and the registry named distributor of the
 *    availability and keepers pools (`set_pool_distributor`: its `["distributor"]` PDA alone draws
 *    each closed epoch's share of them; a step the governance handover waits for, as afterwards
 *    only a `PoolDistributor` proposal can change it);
 * 3. `mint_genesis`: 500,000,000 IO to five allocation accounts owned by the wallet (token
 *    accounts whose keypairs are kept in .localnet/genesis/, so reruns find them);
 * 4. the decay emission preset from the chain's current hour, appended in chunks, then sealed
 *    (an interrupted append resumes where it stopped);
 * 5. the treasury's IO and IOSD accounts;
 * 6. on a local chain only: the wallet authorised as price updater and an initial IO/USD price
 *    published (again whenever the last one is stale).
 *
 *   IOGRID_RPC_URL    JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WS_URL     its websocket (default: the RPC port + 1)
 *   IOGRID_WALLET     keypair file paying and becoming the config authority (default
 *                     ~/.config/solana/id.json; else a wallet generated once at .localnet/wallet.json
 *                     and funded by airdrop on a local chain)
 *   IOGRID_DEPLOYER   keypair of the program's deployer, if not the wallet (default without
 *                     ProgramData: keys/iotoken-keypair.json)
 *   IOGRID_IO_PRICE   local initial price, USD per IO with 8 decimals (default 100000000 = 1 USD)
 *
 * Usage: npm run migrate (runs this, then init-registry.ts)
 *
 * Only the program's deployer may initialise its config (M5): its upgrade authority, or the
 * program id's own key where it has none. An existing config whose authority is neither the wallet
 * nor the governance PDA stops the script with one error (someone else initialised it).
 */
import { join } from "node:path";

import { createAccount, getAccount, getMint } from "@solana/spl-token";
import { SYSVAR_CLOCK_PUBKEY, Transaction } from "@solana/web3.js";
import type { Connection, Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  EPOCH_SECS,
  GENESIS_DESTINATION_NAMES,
  IO,
  IOTOKEN_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  REWARD_POOL,
  decayPreset,
  decodeEmissionLedger,
  decodeEmissionSchedule,
  decodePriceFeed,
  decodeTokenConfig,
  emissionRowsOf,
  genesisAllocations,
  initializeIotokenIx,
  initializePoolsIx,
  iotokenConfigPda,
  iotokenProgram,
  ioMintPda,
  iosdMintPda,
  ledgerPda,
  mintGenesisIx,
  poolDistributorOf,
  poolPda,
  priceFeedPda,
  publishPriceIx,
  scheduleChunks,
  schedulePda,
  sealScheduleIx,
  setPoolDistributorIx,
  appendScheduleRowsIx,
  updateIotokenConfigIx,
} from "@iogrid/sdk";
import type { GenesisDestinations, RewardPoolName, TokenConfig } from "@iogrid/sdk";
import { loadOrCreateKeypair, sendAndConfirm } from "@iogrid/sdk/node";

import {
  LOCAL_DIR,
  UsageError,
  connect,
  ensureFunded,
  ensureTreasuryAccount,
  expectOwnAuthority,
  integerEnv,
  loadDeployer,
  loadWallet,
  logger,
  run,
} from "./lib.js";

const log = logger("init-iotoken");
const GENESIS_DIR = join(LOCAL_DIR, "genesis");
/** Rows per `append_schedule_rows` transaction. */
const CHUNK_ROWS = 40;
/** 1 USD per IO. */
const DEFAULT_PRICE = 100_000_000n;

const io = (amount: bigint): string =>
  `${amount / IO}${amount % IO === 0n ? "" : `.${(amount % IO).toString().padStart(8, "0")}`} IO`;

async function chainTime(connection: Connection): Promise<bigint> {
  const info = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (!info) throw new Error("the chain has no clock sysvar");
  return info.data.readBigInt64LE(32);
}

async function main(): Promise<void> {
  const { connection, local } = await connect(log);
  const deployed = await connection.getAccountInfo(IOTOKEN_PROGRAM_ID);
  if (!deployed?.executable) {
    throw new UsageError(`the iotoken program is not deployed at ${IOTOKEN_PROGRAM_ID.toBase58()}`);
  }
  const program = iotokenProgram();
  const { wallet, source, generated } = loadWallet();
  log(`${generated ? "generated wallet" : "wallet"} ${wallet.publicKey.toBase58()} (${source})`);

  /** Sends `ixs`, signed by the wallet and `cosigners` (the deployer of `initialize`). */
  const sendSigned = async (
    what: string,
    ixs: TransactionInstruction[],
    cosigners: Keypair[],
  ): Promise<void> => {
    await ensureFunded(connection, wallet, local, log);
    const signature = await sendAndConfirm(connection, new Transaction().add(...ixs), [
      wallet,
      ...cosigners.filter((key) => !key.publicKey.equals(wallet.publicKey)),
    ]);
    log(`${what} (tx ${signature})`);
  };
  const send = (what: string, ...ixs: TransactionInstruction[]): Promise<void> =>
    sendSigned(what, ixs, []);
  const fetchConfig = async (): Promise<TokenConfig | undefined> => {
    const info = await connection.getAccountInfo(iotokenConfigPda().address);
    return info ? decodeTokenConfig(info.data) : undefined;
  };
  const isAuthority = (config: TokenConfig): boolean => config.authority.equals(wallet.publicKey);

  // 1. Config, mints, schedule, ledger, price feed.
  const configAddress = iotokenConfigPda().address;
  let config = await fetchConfig();
  if (config) {
    log(`skip initialize: config ${configAddress.toBase58()} exists`);
    log(`  authority ${config.authority.toBase58()}`);
    expectOwnAuthority("iotoken's config", configAddress, config.authority, wallet.publicKey);
  } else {
    const deployer = await loadDeployer(connection, "iotoken", IOTOKEN_PROGRAM_ID, wallet);
    await sendSigned(
      `initialized config ${configAddress.toBase58()} with the default parameters; authority ${wallet.publicKey.toBase58()}, deployer ${deployer.publicKey.toBase58()}`,
      [
        await initializeIotokenIx(program, {
          authority: wallet.publicKey,
          deployer: deployer.publicKey,
          priceUpdaters: local ? [wallet.publicKey] : [],
        }),
      ],
      [deployer],
    );
    config = (await fetchConfig())!;
  }
  log(`  IO mint ${ioMintPda().address.toBase58()}, IOSD mint ${iosdMintPda().address.toBase58()}`);
  const authority = isAuthority(config);
  if (!authority) log(`  the wallet is not the config authority: authority-only steps are skipped`);

  // 2. Reward pools.
  if (await connection.getAccountInfo(poolPda("availability").address)) {
    log("skip initialize_pools: the reward pools exist");
  } else {
    await send(
      "created the four reward pools",
      await initializePoolsIx(program, { payer: wallet.publicKey }),
    );
  }

  // 2b. The registry pays the availability and keepers pools out.
  const registryDistributor = poolDistributorOf(REGISTRY_PROGRAM_ID);
  for (const pool of ["availability", "keepers"] as const satisfies readonly RewardPoolName[]) {
    const current = config.poolDistributors[REWARD_POOL[pool]]!;
    if (current.equals(registryDistributor)) {
      log(`skip set_pool_distributor: the ${pool} pool's distributor is the registry's PDA`);
    } else if (!authority) {
      log(`skip set_pool_distributor for the ${pool} pool: not the config authority`);
    } else {
      await send(
        `named the registry (${REGISTRY_PROGRAM_ID.toBase58()}) distributor of the ${pool} pool: its PDA ${registryDistributor.toBase58()} draws each closed epoch's share`,
        await setPoolDistributorIx(program, {
          authority: wallet.publicKey,
          pool,
          program: REGISTRY_PROGRAM_ID,
        }),
      );
    }
  }

  // 3. Genesis.
  const ioMint = ioMintPda().address;
  const allocations = genesisAllocations();
  if (config.genesisMinted) {
    log(
      `skip mint_genesis: genesis minted (IO supply ${io((await getMint(connection, ioMint)).supply)})`,
    );
  } else if (!authority) {
    log("skip mint_genesis: not the config authority");
  } else {
    const accounts: PublicKey[] = [];
    for (const name of GENESIS_DESTINATION_NAMES) {
      const path = join(GENESIS_DIR, `${name}.json`);
      const { keypair } = loadOrCreateKeypair(path);
      if (!(await connection.getAccountInfo(keypair.publicKey))) {
        await ensureFunded(connection, wallet, local, log);
        await createAccount(connection, wallet, ioMint, wallet.publicKey, keypair, {
          commitment: "confirmed",
        });
        log(`created the ${name} IO account ${keypair.publicKey.toBase58()} (keypair ${path})`);
      }
      accounts.push(keypair.publicKey);
    }
    const destinations = Object.fromEntries(
      GENESIS_DESTINATION_NAMES.map((name, i) => [name, accounts[i]!]),
    ) as unknown as GenesisDestinations;
    await send(
      "minted the genesis supply",
      await mintGenesisIx(program, { authority: wallet.publicKey, ...destinations }),
    );
    for (const [i, name] of GENESIS_DESTINATION_NAMES.entries()) {
      const amount = (await getAccount(connection, accounts[i]!)).amount;
      log(`  ${name.padEnd(16)} ${accounts[i]!.toBase58()} ${io(amount)}`);
      if (amount !== allocations[i])
        throw new Error(`${name} holds ${amount}, not ${allocations[i]}`);
    }
  }

  // 4. Emission schedule.
  const scheduleInfo = await connection.getAccountInfo(schedulePda().address);
  const schedule = decodeEmissionSchedule(scheduleInfo!.data);
  if (schedule.sealed) {
    const ledger = decodeEmissionLedger(
      (await connection.getAccountInfo(ledgerPda().address))!.data,
    );
    log(
      `skip schedule: sealed with ${schedule.rows.length} rows, ${io(BigInt(schedule.totalEmission.toString()))} in total; next epoch ${ledger.nextEpoch.toString()}`,
    );
  } else if (!authority) {
    log("skip schedule: not the config authority");
  } else {
    const present = emissionRowsOf(schedule);
    const now = await chainTime(connection);
    const start = present[0]?.startTime ?? now - (now % EPOCH_SECS);
    const rows = decayPreset(start);
    const prefix = rows.slice(0, present.length);
    if (
      JSON.stringify(prefix, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) !==
      JSON.stringify(present, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))
    ) {
      throw new UsageError(
        `the unsealed schedule holds ${present.length} rows that are not the decay preset from ${start}; fix it by hand`,
      );
    }
    if (present.length > 0) log(`resuming the schedule after ${present.length} rows`);
    const missing = rows.slice(present.length);
    for (const [i, chunk] of scheduleChunks(missing, CHUNK_ROWS).entries()) {
      await send(
        `appended schedule rows ${present.length + i * CHUNK_ROWS}..${present.length + i * CHUNK_ROWS + chunk.length} of ${rows.length} (decay preset from ${new Date(Number(start) * 1000).toISOString()})`,
        await appendScheduleRowsIx(program, { authority: wallet.publicKey, rows: chunk }),
      );
    }
    await send(
      "sealed the schedule",
      await sealScheduleIx(program, { authority: wallet.publicKey }),
    );
  }

  // 5. Treasury accounts.
  await ensureTreasuryAccount(connection, wallet, "IO", ioMint, log);
  await ensureTreasuryAccount(connection, wallet, "IOSD", iosdMintPda().address, log);

  // 6. Local price feed.
  if (!local) {
    log("skip price: not a local chain (price updaters publish there)");
    return;
  }
  await ensureLocalPrice(connection, wallet, program, config, authority);
}

async function ensureLocalPrice(
  connection: Connection,
  wallet: Keypair,
  program: ReturnType<typeof iotokenProgram>,
  initial: TokenConfig,
  authority: boolean,
): Promise<void> {
  let config = initial;
  if (!config.priceUpdaters.some((k) => k.equals(wallet.publicKey))) {
    if (!authority) {
      log("skip price: the wallet is neither a price updater nor the config authority");
      return;
    }
    const ix = await updateIotokenConfigIx(program, {
      authority: wallet.publicKey,
      priceUpdaters: [...config.priceUpdaters, wallet.publicKey],
    });
    const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
    log(`authorised the wallet as price updater (tx ${signature})`);
    config = decodeTokenConfig((await connection.getAccountInfo(iotokenConfigPda().address))!.data);
  } else {
    log("skip price updater: the wallet is one");
  }
  const feed = decodePriceFeed((await connection.getAccountInfo(priceFeedPda().address))!.data);
  const now = await chainTime(connection);
  const publishedAt = BigInt(feed.publishTime.toString());
  const maxAge = BigInt(config.oracle.maxStalenessSecs.toString());
  if (publishedAt > 0n && now - publishedAt <= maxAge) {
    log(
      `skip price: ${feed.price.toString()} (USD per IO, 8 decimals) published ${now - publishedAt} s ago`,
    );
    return;
  }
  const price = integerEnv("IOGRID_IO_PRICE", DEFAULT_PRICE);
  if (price === 0n) throw new UsageError("IOGRID_IO_PRICE must be positive");
  // 0.5% confidence: within the default 2% bound.
  const confidence = price / 200n;
  const ix = await publishPriceIx(program, {
    updater: wallet.publicKey,
    price,
    confidence,
    publishTime: now,
  });
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
  log(
    `published ${publishedAt > 0n ? "a fresh" : "an initial"} price ${price} ± ${confidence} (USD per IO, 8 decimals) (tx ${signature})`,
  );
}

run("init-iotoken", main);
