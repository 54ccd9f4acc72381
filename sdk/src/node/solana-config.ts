/**
 * The Solana CLI's configuration as other Solana tools read it: the config file
 * (`$SOLANA_CONFIG`, else `~/.config/solana/cli/config.yml`) with its `json_rpc_url`,
 * `websocket_url` and `keypair_path`, and the cluster monikers `solana config set --url`
 * accepts. Node-only.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";

import { parse } from "yaml";

import { expandHome } from "./index.js";

/** The Solana CLI's default config file. */
export function defaultSolanaConfigPath(): string {
  return resolve(homedir(), ".config", "solana", "cli", "config.yml");
}

/** What the Solana CLI's config file says (fields it leaves out are absent). */
export interface SolanaCliConfig {
  /** The file read, or undefined when there is none. */
  path?: string;
  jsonRpcUrl?: string;
  websocketUrl?: string;
  keypairPath?: string;
}

/**
 * Reads the Solana CLI's config: `path`, else `$SOLANA_CONFIG`, else the default file. A missing
 * file is an empty config; an unreadable or malformed one throws, naming the file.
 */
export function readSolanaCliConfig(path?: string): SolanaCliConfig {
  const explicit = path || process.env.SOLANA_CONFIG || undefined;
  const file = expandHome(explicit ?? defaultSolanaConfigPath());
  if (!existsSync(file)) {
    if (explicit) throw new Error(`Solana CLI config ${file} does not exist`);
    return {};
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`Solana CLI config ${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return { path: file };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(`Solana CLI config ${file}: expected a YAML mapping`);
  }
  const field = (name: string): string | undefined => {
    const v = (doc as Record<string, unknown>)[name];
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  return {
    path: file,
    jsonRpcUrl: field("json_rpc_url"),
    websocketUrl: field("websocket_url"),
    keypairPath: field("keypair_path"),
  };
}

/** The cluster monikers of `solana --url`, and the RPC URL each names. */
export const CLUSTER_MONIKERS: Readonly<Record<string, string>> = Object.freeze({
  localhost: "http://127.0.0.1:8899",
  l: "http://127.0.0.1:8899",
  devnet: "https://api.devnet.solana.com",
  d: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  t: "https://api.testnet.solana.com",
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
  m: "https://api.mainnet-beta.solana.com",
});

/**
 * The RPC URL `value` names: a moniker (`localhost`, `devnet`, `testnet`, `mainnet-beta` or
 * their initials) or an http(s) URL; undefined when it is neither.
 */
export function clusterUrl(value: string): string | undefined {
  const moniker = CLUSTER_MONIKERS[value.trim()];
  if (moniker) return moniker;
  return /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value) ? value : undefined;
}
