/**
 * Initialises the registry on a chain, idempotently: run it any number of times.
 *
 *   IOGRID_RPC_URL   JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WALLET    keypair file paying and becoming the config authority (default
 *                    ~/.config/solana/id.json; else a wallet generated once at .localnet/wallet.json
 *                    and funded by airdrop on a local chain)
 *   IOGRID_KEEPER_BOND_TOKENS       keeper bond in whole bond tokens (default 1000)
 *   IOGRID_UNBOND_COOLDOWN_SECS     keeper unbond cooldown (default 7 days)
 *
 * Until the iotoken program exists, keepers bond in a test mint that this script creates (8
 * decimals, like IO) and whose keypair it keeps in .localnet/bond-mint.json, so reruns reuse it.
 *
 * Usage: npm run migrate
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { createMint, getMint } from "@solana/spl-token";
import { Connection, LAMPORTS_PER_SOL, Transaction } from "@solana/web3.js";
import type { Keypair, PublicKey } from "@solana/web3.js";

import {
  configPda,
  decodeRegistryConfig,
  initializeConfigIx,
  REGISTRY_PROGRAM_ID,
  registryProgram,
} from "@iogrid/sdk";
import {
  defaultWalletPath,
  expandHome,
  loadKeypair,
  loadOrCreateKeypair,
  sendAndConfirm,
} from "@iogrid/sdk/node";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const LOCAL_DIR = join(REPO_ROOT, ".localnet");
const GENERATED_WALLET = join(LOCAL_DIR, "wallet.json");
const BOND_MINT_KEYPAIR = join(LOCAL_DIR, "bond-mint.json");

/** Decimals of the test bond mint: the same as IO's. */
const BOND_MINT_DECIMALS = 8;
const DEFAULT_BOND_TOKENS = 1_000n;
const DEFAULT_COOLDOWN_SECS = 7 * 24 * 60 * 60;
/** Below this the wallet is topped up on a local chain. */
const MIN_WALLET_LAMPORTS = 2 * LAMPORTS_PER_SOL;
const AIRDROP_LAMPORTS = 100 * LAMPORTS_PER_SOL;

class UsageError extends Error {}

function log(message: string): void {
  console.log(`[init-registry] ${message}`);
}

function isLocal(rpcUrl: string): boolean {
  const host = new URL(rpcUrl).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

function integerEnv(name: string, fallback: bigint): bigint {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw))
    throw new UsageError(`${name} must be a non-negative integer, got "${raw}"`);
  return BigInt(raw);
}

function loadWallet(): { wallet: Keypair; source: string; generated: boolean } {
  const configured = process.env.IOGRID_WALLET?.trim();
  if (configured) {
    if (!existsSync(expandHome(configured))) {
      throw new UsageError(
        `IOGRID_WALLET points at ${expandHome(configured)}, which does not exist`,
      );
    }
    return { wallet: loadKeypair(configured), source: expandHome(configured), generated: false };
  }
  if (existsSync(defaultWalletPath())) {
    return {
      wallet: loadKeypair(defaultWalletPath()),
      source: defaultWalletPath(),
      generated: false,
    };
  }
  const { keypair, created } = loadOrCreateKeypair(GENERATED_WALLET);
  return { wallet: keypair, source: GENERATED_WALLET, generated: created };
}

async function ensureFunded(
  connection: Connection,
  wallet: Keypair,
  local: boolean,
): Promise<void> {
  const balance = await connection.getBalance(wallet.publicKey);
  if (balance >= MIN_WALLET_LAMPORTS) return;
  if (!local) {
    throw new UsageError(
      `wallet ${wallet.publicKey.toBase58()} holds ${balance / LAMPORTS_PER_SOL} SOL; fund it first`,
    );
  }
  const signature = await connection.requestAirdrop(wallet.publicKey, AIRDROP_LAMPORTS);
  const latest = await connection.getLatestBlockhash();
  const { value } = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (value.err) throw new Error(`airdrop ${signature} failed: ${JSON.stringify(value.err)}`);
  log(`airdropped ${AIRDROP_LAMPORTS / LAMPORTS_PER_SOL} SOL to ${wallet.publicKey.toBase58()}`);
}

/** The test bond mint: the persisted keypair's mint, created on chain if it is not there yet. */
async function ensureBondMint(connection: Connection, wallet: Keypair): Promise<PublicKey> {
  const { keypair, created } = loadOrCreateKeypair(BOND_MINT_KEYPAIR);
  if (created) log(`generated the test bond mint keypair at ${BOND_MINT_KEYPAIR}`);
  if (await connection.getAccountInfo(keypair.publicKey)) {
    log(`reusing the test bond mint ${keypair.publicKey.toBase58()}`);
    return keypair.publicKey;
  }
  const mint = await createMint(
    connection,
    wallet,
    wallet.publicKey,
    null,
    BOND_MINT_DECIMALS,
    keypair,
    { commitment: "confirmed" },
  );
  log(
    `created the test bond mint ${mint.toBase58()} (${BOND_MINT_DECIMALS} decimals, mint authority ${wallet.publicKey.toBase58()})`,
  );
  return mint;
}

async function main(): Promise<void> {
  const rpcUrl = process.env.IOGRID_RPC_URL?.trim() || "http://127.0.0.1:8899";
  const connection = new Connection(rpcUrl, "confirmed");
  try {
    const version = await connection.getVersion();
    log(`connected to ${rpcUrl} (solana-core ${version["solana-core"]})`);
  } catch (e) {
    throw new UsageError(
      `cannot reach a Solana JSON-RPC endpoint at ${rpcUrl} (${(e as Error).message}); ` +
        "start the local chain (npm run localnet) or set IOGRID_RPC_URL",
    );
  }
  const local = isLocal(rpcUrl);

  const program = await connection.getAccountInfo(REGISTRY_PROGRAM_ID);
  if (!program?.executable) {
    throw new UsageError(
      `the registry program is not deployed at ${REGISTRY_PROGRAM_ID.toBase58()} on ${rpcUrl}`,
    );
  }

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
    log("nothing to do");
    return;
  }

  const { wallet, source, generated } = loadWallet();
  log(`${generated ? "generated wallet" : "wallet"} ${wallet.publicKey.toBase58()} (${source})`);
  await ensureFunded(connection, wallet, local);

  const bondMint = await ensureBondMint(connection, wallet);
  const { decimals } = await getMint(connection, bondMint);
  const bondTokens = integerEnv("IOGRID_KEEPER_BOND_TOKENS", DEFAULT_BOND_TOKENS);
  const keeperBondAmount = bondTokens * 10n ** BigInt(decimals);
  const cooldown = integerEnv("IOGRID_UNBOND_COOLDOWN_SECS", BigInt(DEFAULT_COOLDOWN_SECS));

  const ix = await initializeConfigIx(registryProgram(), {
    authority: wallet.publicKey,
    bondMint,
    keeperBondAmount,
    keeperUnbondCooldownSecs: cooldown,
  });
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
  log(`initialised the registry config ${config.toBase58()} (tx ${signature}):`);
  log(`  authority ${wallet.publicKey.toBase58()}`);
  log(
    `  keeper bond ${bondTokens} tokens = ${keeperBondAmount} base units of ${bondMint.toBase58()}`,
  );
  log(`  unbond cooldown ${cooldown} s`);
}

main().then(
  // Exit explicitly: web3.js may keep an idle websocket (and its reconnection timer) alive.
  () => process.exit(0),
  (e: unknown) => {
    const message =
      e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(`[init-registry] error: ${message}`);
    process.exit(1);
  },
);
