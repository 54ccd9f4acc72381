/**
 * Where a command runs: the cluster (`--url`, else `$IOGRID_RPC_URL`, else the Solana CLI
 * config's `json_rpc_url`, else localhost), the wallet (`--keypair`, else the Solana CLI config's
 * `keypair_path`, else `~/.config/solana/id.json`), the connection and the transaction sender.
 */
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";

import type { Connection, Keypair } from "@solana/web3.js";

import {
  CLUSTER_MONIKERS,
  CliError,
  PriorityFeeEstimator,
  TransactionSender,
  clusterUrl,
  defaultWalletPath,
  expandHome,
  loadKeypair,
  readSolanaCliConfig,
  rpcConnection,
} from "@iogrid/sdk/node";

import { EXIT } from "./errors.js";

/** The options every command takes. */
export interface GlobalOptions {
  url?: string;
  wsUrl?: string;
  keypair?: string;
  config?: string;
  json?: boolean;
  yes?: boolean;
}

/** The cluster a command talks to. */
export interface Cluster {
  rpcUrl: string;
  wsUrl?: string;
  /** Where the URL came from, for messages. */
  source: string;
}

/** The cluster of `o` (see the module comment). */
export function resolveCluster(o: GlobalOptions): Cluster {
  const config = solanaConfig(o);
  const pick = (value: string, source: string): Cluster => {
    const url = clusterUrl(value);
    if (!url) {
      throw new CliError(
        `${source}: not a cluster URL or moniker (${Object.keys(CLUSTER_MONIKERS)
          .filter((m) => m.length > 1)
          .join(", ")}): ${value}`,
        EXIT.usage,
      );
    }
    return { rpcUrl: url, wsUrl: o.wsUrl ?? process.env.IOGRID_WS_URL, source };
  };
  if (o.url) return pick(o.url, "--url");
  if (process.env.IOGRID_RPC_URL) return pick(process.env.IOGRID_RPC_URL, "$IOGRID_RPC_URL");
  if (config.jsonRpcUrl) {
    const cluster = pick(config.jsonRpcUrl, `${config.path} json_rpc_url`);
    return { ...cluster, wsUrl: cluster.wsUrl ?? config.websocketUrl };
  }
  return pick("localhost", "default");
}

function solanaConfig(o: GlobalOptions): ReturnType<typeof readSolanaCliConfig> {
  try {
    return readSolanaCliConfig(o.config);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
}

/** The wallet's keypair file of `o` (see the module comment). */
export function walletPath(o: GlobalOptions): string {
  if (o.keypair) return expandHome(o.keypair);
  if (process.env.IOGRID_KEYPAIR) return expandHome(process.env.IOGRID_KEYPAIR);
  const config = solanaConfig(o);
  return expandHome(config.keypairPath ?? defaultWalletPath());
}

/** Loads the wallet; a missing or malformed file is a usage error. */
export function loadWallet(o: GlobalOptions): Keypair {
  const path = walletPath(o);
  try {
    return loadKeypair(path);
  } catch (e) {
    throw new CliError(
      `wallet: ${(e as Error).message} (pass --keypair <file>, set $IOGRID_KEYPAIR, or set keypair_path with solana config set)`,
      EXIT.usage,
    );
  }
}

/** A command's chain access. */
export interface Context {
  cluster: Cluster;
  connection: Connection;
}

/** A command's chain access with the wallet that signs. */
export interface WalletContext extends Context {
  wallet: Keypair;
  sender: TransactionSender;
}

/** The connection for `o`'s cluster. */
export function readContext(o: GlobalOptions): Context {
  const cluster = resolveCluster(o);
  return {
    cluster,
    connection: rpcConnection({ url: cluster.rpcUrl, wsUrl: cluster.wsUrl, timeoutMs: 30_000 }),
  };
}

/** The connection, the wallet and a sender paying from it. */
export function walletContext(o: GlobalOptions): WalletContext {
  const ctx = readContext(o);
  const wallet = loadWallet(o);
  const sender = new TransactionSender({
    connection: ctx.connection,
    payer: wallet,
    fees: new PriorityFeeEstimator(ctx.connection, {
      source: "recent",
      maxMicroLamportsPerCu: 100_000,
      maxLamportsPerTx: 100_000,
    }),
    rebroadcastIntervalMs: 1_000,
    pollIntervalMs: 250,
  });
  return { ...ctx, wallet, sender };
}

/**
 * Where the CLI keeps what a reservation was asked for (its plan), so an interrupted `reserve`
 * can be resumed: `$IOGRID_HOME`, else `~/.config/iogrid`.
 */
export function stateDir(): string {
  const dir = process.env.IOGRID_HOME
    ? expandHome(process.env.IOGRID_HOME)
    : resolve(homedir(), ".config", "iogrid");
  mkdirSync(resolve(dir, "reservations"), { recursive: true, mode: 0o700 });
  return dir;
}
