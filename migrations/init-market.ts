/**
 * Sets the market up on a chain, idempotently: run it any number of times. Each step looks at the
 * chain first and prints what it did or why it skipped.
 *
 * 1. `initialize` the market config (the wallet becomes its authority) with the USDC mint it
 *    accepts, the agents' start grace period and the longest reservation; an existing config is
 *    printed and left as it is.
 * 2. The registry's `market_program` set to the market (`update_config`), so the market's
 *    `["registry_lock"]` PDA may lock and release devices: only while the wallet is the
 *    registry's authority; otherwise (governance holds it) it says which proposal is needed.
 * 3. The market added to staking's slashers (`update_config` `Slashers`), so failed and
 *    abandoned reservations are slashed; likewise only while the wallet is staking's authority.
 * 4. iotoken treasury accounts (`create_treasury_account`, anyone may pay) for IOSD, IO and the
 *    USDC mint: settlements pay fees there, and slashes to the IO one.
 *
 * USDC: `IOGRID_USDC_MINT` names the mint; on a local chain without it a test mint (6 decimals,
 * the wallet its mint authority) is created once and its keypair kept in .localnet/usdc-mint.json.
 * Needs iotoken, the registry and staking initialised (`npm run migrate` runs their scripts
 * first).
 *
 *   IOGRID_RPC_URL                  JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WS_URL                   its websocket (default: the RPC port + 1)
 *   IOGRID_WALLET                   keypair file paying and becoming the market's authority
 *   IOGRID_DEPLOYER                 keypair of the program's deployer, if not the wallet
 *                                   (default without ProgramData: keys/market-keypair.json)
 *   IOGRID_USDC_MINT                the USDC mint (required off local chains)
 *   IOGRID_ACK_GRACE_SECS           seconds an agent has to acknowledge a start (default 600)
 *   IOGRID_MAX_RESERVATION_HOURS    longest booking, extensions included (default 720)
 *
 * Usage: npm run migrate (runs init-iotoken.ts, init-registry.ts, init-staking.ts, then this)
 *
 * Only the program's deployer may initialise its config (M5): its upgrade authority, or the
 * program id's own key where it has none. An existing config whose authority is neither the wallet
 * nor the governance PDA stops the script with one error (someone else initialised it).
 */
import { join } from "node:path";

import { PublicKey, Transaction } from "@solana/web3.js";
import type { Connection, Keypair, TransactionInstruction } from "@solana/web3.js";

import {
  MARKET_PROGRAM_ID,
  configPda,
  decodeMarketConfig,
  decodeRegistryConfig,
  decodeStakingConfig,
  initializeMarketIx,
  ioMintPda,
  iosdMintPda,
  iotokenConfigPda,
  marketConfigPda,
  marketProgram,
  registryProgram,
  slasherPda,
  stakingConfigPda,
  stakingProgram,
  updateConfigIx,
  updateStakingConfigIx,
} from "@iogrid/sdk";
import type { MarketConfig } from "@iogrid/sdk";
import { sendAndConfirm } from "@iogrid/sdk/node";

import {
  LOCAL_DIR,
  UsageError,
  connect,
  ensureFunded,
  ensureTestMint,
  ensureTreasuryAccount,
  expectOwnAuthority,
  integerEnv,
  loadDeployer,
  loadWallet,
  logger,
  run,
} from "./lib.js";

const log = logger("init-market");
const USDC_MINT_KEYPAIR = join(LOCAL_DIR, "usdc-mint.json");
const USDC_DECIMALS = 6;

function describeConfig(config: MarketConfig): void {
  log(`  authority ${config.authority.toBase58()}`);
  log(`  USDC mint ${config.usdcMint.toBase58()}`);
  log(
    `  agents acknowledge within ${config.ackGraceSecs.toString()} s; bookings last at most ${config.maxReservationHours} h`,
  );
}

/** Sends `ix` signed by the wallet and, for `initialize`, the program's deployer. */
async function send(
  connection: Connection,
  ix: TransactionInstruction,
  wallet: Keypair,
  deployer: Keypair = wallet,
): Promise<string> {
  const signers = deployer === wallet ? [wallet] : [wallet, deployer];
  return sendAndConfirm(connection, new Transaction().add(ix), signers);
}

/** The USDC mint: `IOGRID_USDC_MINT`, or on a local chain the test mint, created once. */
async function usdcMint(
  connection: Connection,
  wallet: Keypair,
  local: boolean,
): Promise<PublicKey> {
  const named = process.env.IOGRID_USDC_MINT?.trim();
  if (named) return new PublicKey(named);
  if (!local) throw new UsageError("IOGRID_USDC_MINT must name the USDC mint off a local chain");
  return ensureTestMint(connection, wallet, "USDC", USDC_MINT_KEYPAIR, USDC_DECIMALS, log);
}

async function main(): Promise<void> {
  const { connection, local } = await connect(log);
  const deployed = await connection.getAccountInfo(MARKET_PROGRAM_ID);
  if (!deployed?.executable) {
    throw new UsageError(`the market program is not deployed at ${MARKET_PROGRAM_ID.toBase58()}`);
  }
  const [tokenConfig, registryInfo, stakingInfo] = await connection.getMultipleAccountsInfo([
    iotokenConfigPda().address,
    configPda().address,
    stakingConfigPda().address,
  ]);
  if (!tokenConfig || !registryInfo || !stakingInfo) {
    throw new UsageError(
      "iotoken, the registry and staking must be initialised first: npm run migrate runs init-iotoken.ts, init-registry.ts and init-staking.ts before this",
    );
  }

  const { wallet, source, generated } = loadWallet();
  log(`${generated ? "generated wallet" : "wallet"} ${wallet.publicKey.toBase58()} (${source})`);
  await ensureFunded(connection, wallet, local, log);

  // 1. The market config.
  const address = marketConfigPda().address;
  const existing = await connection.getAccountInfo(address);
  let config: MarketConfig;
  if (existing) {
    config = decodeMarketConfig(existing.data);
    log(`skip initialize: market config ${address.toBase58()} exists`);
    expectOwnAuthority("the market config", address, config.authority, wallet.publicKey);
  } else {
    const usdc = await usdcMint(connection, wallet, local);
    const deployer = await loadDeployer(connection, "market", MARKET_PROGRAM_ID, wallet);
    const signature = await send(
      connection,
      await initializeMarketIx(marketProgram(), {
        authority: wallet.publicKey,
        deployer: deployer.publicKey,
        usdcMint: usdc,
        ackGraceSecs: integerEnv("IOGRID_ACK_GRACE_SECS", 600n),
        maxReservationHours: Number(integerEnv("IOGRID_MAX_RESERVATION_HOURS", 720n)),
      }),
      wallet,
      deployer,
    );
    config = decodeMarketConfig((await connection.getAccountInfo(address))!.data);
    log(`initialised the market config ${address.toBase58()} (tx ${signature}):`);
  }
  describeConfig(config);

  // 2. The registry locks devices for the market.
  const registryConfig = decodeRegistryConfig(registryInfo.data);
  if (registryConfig.marketProgram.equals(MARKET_PROGRAM_ID)) {
    log("skip registry: market_program is already the market");
  } else if (registryConfig.authority.equals(wallet.publicKey)) {
    const signature = await send(
      connection,
      await updateConfigIx(registryProgram(), {
        authority: wallet.publicKey,
        marketProgram: MARKET_PROGRAM_ID,
      }),
      wallet,
    );
    log(`set the registry's market_program to ${MARKET_PROGRAM_ID.toBase58()} (tx ${signature})`);
  } else {
    log(
      `warning: the registry's market_program is ${registryConfig.marketProgram.toBase58()} and its authority ${registryConfig.authority.toBase58()} is not this wallet: a RegistryMarket proposal must set it, or devices cannot be booked`,
    );
  }

  // 3. Staking lets the market slash.
  const stakingConfig = decodeStakingConfig(stakingInfo.data);
  const slashers = stakingConfig.slashers.map((s) => s.program);
  if (slashers.some((p) => p.equals(MARKET_PROGRAM_ID))) {
    log("skip staking: the market is already a slasher");
  } else if (stakingConfig.authority.equals(wallet.publicKey)) {
    const signature = await send(
      connection,
      await updateStakingConfigIx(stakingProgram(), {
        authority: wallet.publicKey,
        change: { slashers: { programs: [...slashers, MARKET_PROGRAM_ID] } },
      }),
      wallet,
    );
    log(
      `added the market to staking's slashers, signer ${slasherPda(MARKET_PROGRAM_ID).address.toBase58()} (tx ${signature})`,
    );
  } else {
    log(
      `warning: staking's authority ${stakingConfig.authority.toBase58()} is not this wallet: a Slashers proposal must add the market, or failed and abandoned reservations go unslashed`,
    );
  }

  // 4. Treasury accounts for every payment mint (slashes go to the IO one).
  const mints: [string, PublicKey][] = [
    ["IOSD", iosdMintPda().address],
    ["IO", ioMintPda().address],
    ["USDC", config.usdcMint],
  ];
  for (const [name, mint] of mints) {
    if (await connection.getAccountInfo(mint)) {
      await ensureTreasuryAccount(connection, wallet, name, mint, log);
    } else {
      log(`warning: the ${name} mint ${mint.toBase58()} does not exist; no treasury account`);
    }
  }
}

run("init-market", main);
