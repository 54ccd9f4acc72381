/**
 * Initialises the registry on a chain, idempotently: run it any number of times. It creates the
 * config (or moves an existing one's keeper bond to IO), then links the registry to iotoken's
 * emissions with `initialize_rewards` once iotoken's schedule is sealed: the epoch origin is
 * copied and the availability and keeper-tips vaults created, so keepers can attest.
 *
 *   IOGRID_RPC_URL   JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WS_URL    its websocket (default: the RPC port + 1)
 *   IOGRID_WALLET    keypair file paying and becoming the config authority (default
 *                    ~/.config/solana/id.json; else a wallet generated once at .localnet/wallet.json
 *                    and funded by airdrop on a local chain)
 *   IOGRID_DEPLOYER  keypair of the program's deployer, if not the wallet (default without
 *                    ProgramData: keys/registry-keypair.json)
 *   IOGRID_KEEPER_BOND_TOKENS       keeper bond in whole bond tokens (default 1000)
 *   IOGRID_UNBOND_COOLDOWN_SECS     keeper unbond cooldown (default 7 days)
 *
 * Keepers bond in IO once the iotoken program is initialised (`init-iotoken.ts`, which
 * `npm run migrate` runs first): a new registry config names the IO mint, and an existing one
 * bonding in another mint is moved to IO with `update_config` (the bond amount rescaled to IO's
 * decimals), if the wallet is its authority. Without iotoken, keepers bond in a test mint that
 * this script creates (8 decimals, like IO) and whose keypair it keeps in .localnet/bond-mint.json,
 * so reruns reuse it.
 *
 * Usage: npm run migrate
 *
 * Only the program's deployer may initialise its config (M5): its upgrade authority, or the
 * program id's own key where it has none. An existing config whose authority is neither the wallet
 * nor the governance PDA stops the script with one error (someone else initialised it).
 */
import { join } from "node:path";

import { getMint } from "@solana/spl-token";
import { Transaction } from "@solana/web3.js";
import type { Connection, PublicKey } from "@solana/web3.js";

import {
  REWARD_POOL,
  availabilityVaultPda,
  configPda,
  decodeEmissionSchedule,
  decodeRegistryConfig,
  decodeTokenConfig,
  initializeConfigIx,
  initializeRewardsIx,
  ioMintPda,
  iotokenConfigPda,
  keeperTipsVaultPda,
  poolDistributorOf,
  REGISTRY_PROGRAM_ID,
  registryProgram,
  schedulePda,
  updateConfigIx,
} from "@iogrid/sdk";
import type { RegistryConfig } from "@iogrid/sdk";
import { sendAndConfirm } from "@iogrid/sdk/node";

import {
  LOCAL_DIR,
  UsageError,
  connect,
  ensureFunded,
  ensureTestMint,
  expectOwnAuthority,
  integerEnv,
  loadDeployer,
  loadWallet,
  logger,
  run,
} from "./lib.js";

const log = logger("init-registry");
const BOND_MINT_KEYPAIR = join(LOCAL_DIR, "bond-mint.json");

/** Decimals of the test bond mint: the same as IO's. */
const BOND_MINT_DECIMALS = 8;
const DEFAULT_BOND_TOKENS = 1_000n;
const DEFAULT_COOLDOWN_SECS = 7 * 24 * 60 * 60;

/** The IO mint, if the iotoken program is initialised on this chain. */
async function ioMintIfInitialised(connection: Connection): Promise<PublicKey | undefined> {
  const [config, mint] = await connection.getMultipleAccountsInfo([
    iotokenConfigPda().address,
    ioMintPda().address,
  ]);
  return config && mint ? ioMintPda().address : undefined;
}

async function main(): Promise<void> {
  const { connection, local } = await connect(log);

  const program = await connection.getAccountInfo(REGISTRY_PROGRAM_ID);
  if (!program?.executable) {
    throw new UsageError(
      `the registry program is not deployed at ${REGISTRY_PROGRAM_ID.toBase58()}`,
    );
  }
  const ioMint = await ioMintIfInitialised(connection);
  log(
    ioMint
      ? `iotoken is initialised: keepers bond in IO (${ioMint.toBase58()})`
      : "iotoken is not initialised: keepers bond in the test bond mint",
  );

  const config = configPda().address;
  const existing = await connection.getAccountInfo(config);
  if (existing) {
    const state = decodeRegistryConfig(existing.data);
    log(`registry config ${config.toBase58()} is already in place:`);
    log(`  authority ${state.authority.toBase58()}`);
    log(
      `  keeper bond ${state.keeperBondAmount.toString()} base units of ${state.bondMint.toBase58()}`,
    );
    log(`  unbond cooldown ${state.keeperUnbondCooldownSecs.toString()} s`);
    expectOwnAuthority(
      "the registry config",
      config,
      state.authority,
      loadWallet().wallet.publicKey,
    );
    if (!ioMint || state.bondMint.equals(ioMint)) {
      log("skip moving the bond: keepers bond in IO, or iotoken is not initialised");
    } else {
      await moveBondToIo(connection, local, state, ioMint);
    }
  } else {
    await initialise(connection, local, ioMint);
  }
  await ensureRewards(connection, local);
}

/** Moves an existing config's keeper bond to IO (the amount rescaled to IO's decimals). */
async function moveBondToIo(
  connection: Connection,
  local: boolean,
  state: RegistryConfig,
  ioMint: PublicKey,
): Promise<void> {
  const { wallet } = loadWallet();
  if (!state.authority.equals(wallet.publicKey)) {
    log(
      `skip moving the bond to IO: the wallet ${wallet.publicKey.toBase58()} is not the registry authority`,
    );
    return;
  }
  await ensureFunded(connection, wallet, local, log);
  const [{ decimals: before }, { decimals: after }] = await Promise.all([
    getMint(connection, state.bondMint),
    getMint(connection, ioMint),
  ]);
  const amount = BigInt(state.keeperBondAmount.toString());
  const rescaled =
    before === after ? undefined : (amount * 10n ** BigInt(after)) / 10n ** BigInt(before);
  const ix = await updateConfigIx(registryProgram(), {
    authority: wallet.publicKey,
    newBondMint: ioMint,
    keeperBondAmount: rescaled,
  });
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
  log(
    `moved the keeper bond from ${state.bondMint.toBase58()} to IO ${ioMint.toBase58()}` +
      (rescaled === undefined ? "" : `, ${rescaled} base units`) +
      ` (tx ${signature})`,
  );
}

/** Creates the registry config: keepers bond in IO, or in the test bond mint without iotoken. */
async function initialise(
  connection: Connection,
  local: boolean,
  ioMint: PublicKey | undefined,
): Promise<void> {
  const config = configPda().address;
  const { wallet, source, generated } = loadWallet();
  log(`${generated ? "generated wallet" : "wallet"} ${wallet.publicKey.toBase58()} (${source})`);
  await ensureFunded(connection, wallet, local, log);

  const bondMint =
    ioMint ??
    (await ensureTestMint(connection, wallet, "bond", BOND_MINT_KEYPAIR, BOND_MINT_DECIMALS, log));
  const { decimals } = await getMint(connection, bondMint);
  const bondTokens = integerEnv("IOGRID_KEEPER_BOND_TOKENS", DEFAULT_BOND_TOKENS);
  const keeperBondAmount = bondTokens * 10n ** BigInt(decimals);
  const cooldown = integerEnv("IOGRID_UNBOND_COOLDOWN_SECS", BigInt(DEFAULT_COOLDOWN_SECS));

  const deployer = await loadDeployer(connection, "registry", REGISTRY_PROGRAM_ID, wallet);
  const ix = await initializeConfigIx(registryProgram(), {
    authority: wallet.publicKey,
    deployer: deployer.publicKey,
    bondMint,
    keeperBondAmount,
    keeperUnbondCooldownSecs: cooldown,
  });
  const signers = deployer === wallet ? [wallet] : [wallet, deployer];
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), signers);
  log(`initialised the registry config ${config.toBase58()} (tx ${signature}):`);
  log(`  authority ${wallet.publicKey.toBase58()}`);
  log(
    `  keeper bond ${bondTokens} tokens = ${keeperBondAmount} base units of ${bondMint.toBase58()}${ioMint ? " (IO)" : ""}`,
  );
  log(`  unbond cooldown ${cooldown} s`);
}

/**
 * `initialize_rewards`, once iotoken's schedule is sealed (anyone may pay; it copies only what
 * the sealed schedule fixes). Warns when iotoken does not name the registry distributor of the
 * availability and keepers pools, without which no closed epoch can be drawn.
 */
async function ensureRewards(connection: Connection, local: boolean): Promise<void> {
  const [configInfo, scheduleInfo, tokenInfo] = await connection.getMultipleAccountsInfo([
    configPda().address,
    schedulePda().address,
    iotokenConfigPda().address,
  ]);
  const state = decodeRegistryConfig(configInfo!.data);
  if (tokenInfo) {
    const distributors = decodeTokenConfig(tokenInfo.data).poolDistributors;
    const registry = poolDistributorOf(REGISTRY_PROGRAM_ID);
    for (const pool of ["availability", "keepers"] as const) {
      if (!distributors[REWARD_POOL[pool]]!.equals(registry)) {
        log(
          `warning: iotoken's ${pool} pool does not name the registry as its distributor (init-iotoken.ts sets it): closed epochs cannot be drawn`,
        );
      }
    }
  }
  if (state.rewardsInitialized) {
    log(
      `skip initialize_rewards: done (epoch origin ${state.epochOrigin.toString()}, vaults ${availabilityVaultPda().address.toBase58()} and ${keeperTipsVaultPda().address.toBase58()})`,
    );
    return;
  }
  const schedule = scheduleInfo ? decodeEmissionSchedule(scheduleInfo.data) : undefined;
  if (!schedule?.sealed) {
    log(
      "skip initialize_rewards: iotoken's emission schedule is not sealed (init-iotoken.ts seals it)",
    );
    return;
  }
  const { wallet } = loadWallet();
  await ensureFunded(connection, wallet, local, log);
  const ix = await initializeRewardsIx(registryProgram(), { payer: wallet.publicKey });
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
  const after = decodeRegistryConfig((await connection.getAccountInfo(configPda().address))!.data);
  log(
    `initialised availability rewards (tx ${signature}): epoch origin ${after.epochOrigin.toString()}, availability vault ${availabilityVaultPda().address.toBase58()}, keeper tips vault ${keeperTipsVaultPda().address.toBase58()}`,
  );
}

run("init-registry", main);
