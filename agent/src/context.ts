/**
 * What every chain-facing command needs: the checked config, the agent key (refused when others
 * can read it), an RPC connection with timeouts, and the sdk's programs for building instructions.
 */
import { homedir } from "node:os";
import { join } from "node:path";

import type { Program } from "@coral-xyz/anchor";
import type { Connection, Keypair } from "@solana/web3.js";

import { devicePda, marketProgram, registryProgram, stakingProgram } from "@iogrid/sdk";
import type { Market, Registry, Staking } from "@iogrid/sdk";
import { expandHome, keyFileProblem, loadKeypair, rpcConnection } from "@iogrid/sdk/node";
import type { PublicKey } from "@solana/web3.js";

import { loadConfig } from "./config.js";
import type { AgentConfig } from "./config.js";
import { CliError, EXIT } from "./output.js";

/** The config file used when `--config` is not given. */
export function defaultConfigPath(): string {
  return (
    process.env.IOGRID_AGENT_CONFIG ??
    (process.getuid?.() === 0
      ? "/etc/iogrid/agent.yaml"
      : join(homedir(), ".config", "iogrid-agent", "config.yaml"))
  );
}

export interface AgentContext {
  configPath: string;
  config: AgentConfig;
  agent: Keypair;
  connection: Connection;
  /** The device account (PDA of the configured device id). */
  device: PublicKey;
  registry: Program<Registry>;
  market: Program<Market>;
  staking: Program<Staking>;
}

/** Loads the agent key, refusing a missing file or one others may read. */
export function loadAgentKey(path: string): Keypair {
  const problem = keyFileProblem(path);
  if (problem) throw new CliError(`agent key: ${problem}`, EXIT.usage);
  return loadKeypair(path);
}

/** Config, key, connection and programs for `configPath`. */
export function loadContext(configPath: string): AgentContext {
  const config = loadConfig(configPath);
  const agent = loadAgentKey(config.agentKey);
  const connection = rpcConnection({
    url: config.rpc.url,
    wsUrl: config.rpc.wsUrl,
    timeoutMs: config.rpc.timeoutMs,
  });
  return {
    configPath: expandHome(configPath),
    config,
    agent,
    connection,
    device: devicePda(config.device.id).address,
    registry: registryProgram(),
    market: marketProgram(),
    staking: stakingProgram(),
  };
}
