/**
 * What the migration scripts share: the chain connection, the wallet (configured, the Solana
 * CLI's, or one generated under .localnet/ and funded by airdrop on a local chain), environment
 * parsing, logging and the exit protocol.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { createMint } from "@solana/spl-token";
import { Connection, LAMPORTS_PER_SOL, Transaction } from "@solana/web3.js";
import type { Keypair, PublicKey } from "@solana/web3.js";

import {
  createTreasuryAccountIx,
  expectedDeployer,
  governancePda,
  iotokenProgram,
  treasuryPda,
} from "@iogrid/sdk";
import {
  defaultWalletPath,
  expandHome,
  loadKeypair,
  loadOrCreateKeypair,
  sendAndConfirm,
} from "@iogrid/sdk/node";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
/**
 * Local state of the scripts (git-ignored): generated wallet and keypairs. `IOGRID_LOCAL_DIR`
 * moves it (the migration tests keep each fresh chain's keypairs apart from the developer's).
 */
export const LOCAL_DIR = process.env.IOGRID_LOCAL_DIR?.trim()
  ? resolve(process.env.IOGRID_LOCAL_DIR.trim())
  : join(REPO_ROOT, ".localnet");
const GENERATED_WALLET = join(LOCAL_DIR, "wallet.json");

/** Below this the wallet is topped up on a local chain. */
const MIN_WALLET_LAMPORTS = 2 * LAMPORTS_PER_SOL;
const AIRDROP_LAMPORTS = 100 * LAMPORTS_PER_SOL;

/** A user's mistake (bad environment, unreachable chain): printed without a stack. */
export class UsageError extends Error {}

export type Log = (message: string) => void;

export function logger(script: string): Log {
  return (message) => console.log(`[${script}] ${message}`);
}

export function isLocal(rpcUrl: string): boolean {
  const host = new URL(rpcUrl).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

export function integerEnv(name: string, fallback: bigint): bigint {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw))
    throw new UsageError(`${name} must be a non-negative integer, got "${raw}"`);
  return BigInt(raw);
}

/**
 * Connects to `IOGRID_RPC_URL` (default http://127.0.0.1:8899) and checks it answers. The
 * websocket is `IOGRID_WS_URL`, by default web3.js's guess (the RPC port + 1), which is wrong for
 * a chain started on free ports (`--rpc-port 0 --ws-port 0`).
 */
export async function connect(
  log: Log,
): Promise<{ connection: Connection; rpcUrl: string; local: boolean }> {
  const rpcUrl = process.env.IOGRID_RPC_URL?.trim() || "http://127.0.0.1:8899";
  const wsEndpoint = process.env.IOGRID_WS_URL?.trim() || undefined;
  const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint });
  try {
    const version = await connection.getVersion();
    log(`connected to ${rpcUrl} (solana-core ${version["solana-core"]})`);
  } catch (e) {
    throw new UsageError(
      `cannot reach a Solana JSON-RPC endpoint at ${rpcUrl} (${(e as Error).message}); ` +
        "start the local chain (npm run localnet) or set IOGRID_RPC_URL",
    );
  }
  return { connection, rpcUrl, local: isLocal(rpcUrl) };
}

export function loadWallet(): { wallet: Keypair; source: string; generated: boolean } {
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

export async function ensureFunded(
  connection: Connection,
  wallet: Keypair,
  local: boolean,
  log: Log,
): Promise<void> {
  const balance = await connection.getBalance(wallet.publicKey);
  if (balance >= MIN_WALLET_LAMPORTS) return;
  if (!local) {
    throw new UsageError(
      `wallet ${wallet.publicKey.toBase58()} holds ${balance / LAMPORTS_PER_SOL} SOL; fund it first`,
    );
  }
  await airdrop(connection, wallet.publicKey, AIRDROP_LAMPORTS);
  log(`airdropped ${AIRDROP_LAMPORTS / LAMPORTS_PER_SOL} SOL to ${wallet.publicKey.toBase58()}`);
}

/** Airdrops `lamports` to `to` (a local chain's `requestAirdrop`) and waits for its confirmation. */
export async function airdrop(
  connection: Connection,
  to: PublicKey,
  lamports: number,
): Promise<void> {
  const signature = await connection.requestAirdrop(to, lamports);
  const latest = await connection.getLatestBlockhash();
  const { value } = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (value.err) throw new Error(`airdrop ${signature} failed: ${JSON.stringify(value.err)}`);
}

/**
 * A test mint of the local chain (`name`, e.g. "bond"), its keypair kept at `keypairPath` so
 * reruns find it: created on chain with `decimals` and the wallet as mint authority if missing.
 */
export async function ensureTestMint(
  connection: Connection,
  wallet: Keypair,
  name: string,
  keypairPath: string,
  decimals: number,
  log: Log,
): Promise<PublicKey> {
  const { keypair, created } = loadOrCreateKeypair(keypairPath);
  if (created) log(`generated the test ${name} mint keypair at ${keypairPath}`);
  if (await connection.getAccountInfo(keypair.publicKey)) {
    log(`reusing the test ${name} mint ${keypair.publicKey.toBase58()}`);
    return keypair.publicKey;
  }
  const mint = await createMint(connection, wallet, wallet.publicKey, null, decimals, keypair, {
    commitment: "confirmed",
  });
  log(
    `created the test ${name} mint ${mint.toBase58()} (${decimals} decimals, mint authority ${wallet.publicKey.toBase58()})`,
  );
  return mint;
}

/** iotoken's treasury token account for `mint` (`name` in the log), created if missing. */
export async function ensureTreasuryAccount(
  connection: Connection,
  wallet: Keypair,
  name: string,
  mint: PublicKey,
  log: Log,
): Promise<void> {
  const treasury = treasuryPda(mint).address;
  if (await connection.getAccountInfo(treasury)) {
    log(`skip treasury ${name}: ${treasury.toBase58()} exists`);
    return;
  }
  const ix = await createTreasuryAccountIx(iotokenProgram(), { payer: wallet.publicKey, mint });
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
  log(`created the ${name} treasury account ${treasury.toBase58()} (tx ${signature})`);
}

/**
 * The keypair that signs `name`'s `initialize` as its deployer (M5): the wallet when it is the
 * program's upgrade authority; `IOGRID_DEPLOYER` when set; for a program without ProgramData (the
 * local chain's native programs) the program id's keypair, `keys/<name>-keypair.json`.
 */
export async function loadDeployer(
  connection: Connection,
  name: string,
  programId: PublicKey,
  wallet: Keypair,
): Promise<Keypair> {
  const { deployer, rule } = await expectedDeployer(connection, programId);
  if (deployer.equals(wallet.publicKey)) return wallet;
  const configured = process.env.IOGRID_DEPLOYER?.trim();
  const path = configured
    ? expandHome(configured)
    : rule === "program key"
      ? join(REPO_ROOT, "keys", `${name}-keypair.json`)
      : undefined;
  const keypair = path && existsSync(path) ? loadKeypair(path) : undefined;
  if (!keypair?.publicKey.equals(deployer)) {
    throw new UsageError(
      `only the ${name} program's deployer ${deployer.toBase58()} (its ${rule}) may initialise its config; ` +
        `${path ? `${path} holds ${keypair?.publicKey.toBase58() ?? "no keypair"}` : "the wallet is not it"}: set IOGRID_DEPLOYER to its keypair`,
    );
  }
  return keypair;
}

/**
 * Stops (one error) when `what` at `address` exists under an authority that is neither the wallet
 * nor the governance PDA: someone else initialised it (a front-run, or another deployment), and
 * nothing this script would do on top of it can be trusted.
 */
export function expectOwnAuthority(
  what: string,
  address: PublicKey,
  authority: PublicKey,
  wallet: PublicKey,
): void {
  const governance = governancePda().address;
  if (authority.equals(wallet) || authority.equals(governance)) return;
  throw new UsageError(
    `${what} ${address.toBase58()} exists under an unexpected authority ${authority.toBase58()} ` +
      `(neither this wallet ${wallet.toBase58()} nor the governance PDA ${governance.toBase58()}): ` +
      "it was not initialised by this deployment; stopping",
  );
}

/** Runs `main` and exits: 0 on success, 1 with the message (a stack unless a UsageError). */
export function run(script: string, main: () => Promise<void>): void {
  main().then(
    // Exit explicitly: web3.js may keep an idle websocket (and its reconnection timer) alive.
    () => process.exit(0),
    (e: unknown) => {
      const message =
        e instanceof UsageError
          ? e.message
          : e instanceof Error
            ? (e.stack ?? e.message)
            : String(e);
      console.error(`[${script}] error: ${message}`);
      process.exit(1);
    },
  );
}
