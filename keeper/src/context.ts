/**
 * What every command and bot shares: the checked config, the keeper's keypair (from a file that
 * only its owner may read, or from the environment; never logged), an RPC connection with
 * timeouts and the keeper's own rate limit, the sdk's programs for building instructions, a
 * sender per bot (its outcomes counted in the metrics), and the chain reads bots share.
 */
import type { Program } from "@coral-xyz/anchor";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Commitment, Connection, Keypair, PublicKey } from "@solana/web3.js";

import {
  availabilityEpochAt,
  clockUnixTimestamp,
  configPda,
  decodeKeeper,
  decodeRegistryConfig,
  ioMintPda,
  iotokenProgram,
  keeperPda,
  registryProgram,
} from "@iogrid/sdk";
import type { Iotoken, Keeper, Registry, RegistryConfig } from "@iogrid/sdk";
import {
  CliError,
  EXIT,
  PriorityFeeEstimator,
  TransactionSender,
  createLogger,
  defaultWalletPath,
  errorText,
  keyFileProblem,
  keypairFromEnv,
  loadKeypair,
  rpcConnection,
} from "@iogrid/sdk/node";
import type { Logger } from "@iogrid/sdk/node";

import { KEYPAIR_ENV } from "./config.js";
import type { KeeperConfig } from "./config.js";
import { countOutcome, keeperMetrics } from "./metrics.js";
import type { KeeperMetrics } from "./metrics.js";

/** Loads the keeper's keypair as the config names it, refusing a file others may read. */
export function loadKeeperKey(keypair: string | undefined): Keypair {
  if (keypair === `$${KEYPAIR_ENV}`) {
    try {
      return keypairFromEnv(KEYPAIR_ENV);
    } catch (e) {
      throw new CliError(`keypair: ${errorText(e)}`, EXIT.usage);
    }
  }
  const path = keypair ?? defaultWalletPath();
  const problem = keyFileProblem(path);
  if (problem) {
    throw new CliError(
      `keypair: ${problem}${keypair ? "" : ` (set keypair in the config or ${KEYPAIR_ENV})`}`,
      EXIT.usage,
    );
  }
  try {
    return loadKeypair(path);
  } catch (e) {
    throw new CliError(`keypair: ${errorText(e)}`, EXIT.usage);
  }
}

/** The chain's clock and the registry's config, read together. */
export interface ChainNow {
  /** `Clock::unix_timestamp`. */
  now: bigint;
  slot: bigint;
  config: RegistryConfig;
  /** The running availability epoch, or undefined before the registry's rewards exist. */
  epoch: bigint | undefined;
}

export interface KeeperContext {
  config: KeeperConfig;
  wallet: Keypair;
  connection: Connection;
  commitment: Commitment;
  registry: Program<Registry>;
  iotoken: Program<Iotoken>;
  log: Logger;
  metrics: KeeperMetrics;
  dryRun: boolean;
  fees: PriorityFeeEstimator;
  /** The keeper's registry account `["keeper", wallet]`. */
  keeperAccount: PublicKey;
  /** The wallet's IO associated token account (crank and keeper tips). */
  ioAccount: PublicKey;
  /** A sender whose outcomes count for `bot`. */
  sender(bot: string): TransactionSender;
  /** The clock, slot and registry config now. */
  chainNow(): Promise<ChainNow>;
  /** The keeper's registry account, or null when not registered. */
  keeper(): Promise<Keeper | null>;
}

export interface ContextOptions {
  dryRun?: boolean;
  /** Log lines go here instead of stderr (tests). */
  logWrite?: (line: string) => void;
  /** Log component name; default "keeper". */
  name?: string;
}

/** The context of `config` signed by `wallet`. */
export function createContext(
  config: KeeperConfig,
  wallet: Keypair,
  options: ContextOptions = {},
): KeeperContext {
  const commitment = config.rpc.commitment;
  const connection = rpcConnection({
    url: config.rpc.url,
    wsUrl: config.rpc.wsUrl,
    timeoutMs: config.rpc.timeoutMs,
    commitment,
    requestsPerSecond: config.rpc.requestsPerSecond,
  });
  const log = createLogger(options.name ?? "keeper", {
    level: config.log.level,
    json: config.log.format === "json",
    write: options.logWrite,
  });
  const metrics = keeperMetrics();
  const fee = config.send.priorityFee;
  const fees = new PriorityFeeEstimator(
    connection,
    {
      source: fee.source,
      percentile: fee.percentile,
      heliusUrl: fee.heliusUrl || undefined,
      heliusLevel: fee.heliusLevel,
      fixedMicroLamports: fee.fixedMicroLamports,
      maxMicroLamportsPerCu: fee.maxMicroLamportsPerCu,
      maxLamportsPerTx: fee.maxLamportsPerTx,
    },
    (from, error) =>
      log.debug(`priority fee from ${from} unavailable, falling back`, {
        error: errorText(error),
      }),
  );
  const senders = new Map<string, TransactionSender>();
  const registry = registryProgram();
  const dryRun = options.dryRun ?? false;
  const keeperAccount = keeperPda(wallet.publicKey).address;
  return {
    config,
    wallet,
    connection,
    commitment,
    registry,
    iotoken: iotokenProgram(),
    log,
    metrics,
    dryRun,
    fees,
    keeperAccount,
    ioAccount: getAssociatedTokenAddressSync(ioMintPda().address, wallet.publicKey),
    sender(bot: string): TransactionSender {
      let sender = senders.get(bot);
      if (!sender) {
        const botLog = log.child(bot);
        sender = new TransactionSender({
          connection,
          payer: wallet,
          fees,
          commitment,
          computeUnitMargin: config.send.computeUnitMargin,
          rebroadcastIntervalMs: config.send.rebroadcastIntervalMs,
          confirmTimeoutMs: config.send.confirmTimeoutMs,
          maxRebuilds: config.send.maxRebuilds,
          dryRun,
          onOutcome: (outcome) => {
            countOutcome(metrics, bot, outcome);
            const fields = {
              label: outcome.label,
              status: outcome.status,
              signature: outcome.signature,
              error: outcome.errorName,
              stage: outcome.stage,
              computeUnits: outcome.computeUnits,
              microLamports: outcome.microLamports,
              feeLamports: outcome.feeLamports || undefined,
              detail: outcome.message,
            };
            if (outcome.status === "confirmed" || outcome.status === "dry-run") {
              botLog.info(`${outcome.label}: ${outcome.status}`, fields);
            } else if (outcome.status === "noop") {
              botLog.debug(`${outcome.label}: already done (${outcome.errorName})`, fields);
            } else {
              botLog.warn(`${outcome.label}: ${outcome.status}`, fields);
            }
          },
        });
        senders.set(bot, sender);
      }
      return sender;
    },
    async chainNow(): Promise<ChainNow> {
      const { context, value } = await connection.getMultipleAccountsInfoAndContext(
        [SYSVAR_CLOCK_PUBKEY, configPda().address],
        commitment,
      );
      const [clock, registryConfig] = value;
      if (!clock) throw new Error("the chain returned no Clock sysvar");
      if (!registryConfig) {
        throw new Error("the registry config does not exist on this chain (run the migrations)");
      }
      const cfg = decodeRegistryConfig(registryConfig.data);
      const now = clockUnixTimestamp(clock.data);
      const origin = BigInt(cfg.epochOrigin.toString());
      return {
        now,
        slot: BigInt(context.slot),
        config: cfg,
        epoch:
          cfg.rewardsInitialized && now >= origin ? availabilityEpochAt(origin, now) : undefined,
      };
    },
    async keeper(): Promise<Keeper | null> {
      const info = await connection.getAccountInfo(keeperAccount, commitment);
      return info ? decodeKeeper(info.data) : null;
    },
  };
}

/**
 * Why the keeper may not attest or report under `config` (and so earns no keeper tips), or
 * undefined when it may; `status` shows it.
 */
export function keeperIneligibility(
  keeper: Keeper | null,
  config: RegistryConfig,
  wallet: PublicKey,
): string | undefined {
  if (!keeper) {
    return `${wallet.toBase58()} is not a registered keeper (the registry's register_keeper bonds it)`;
  }
  if (BigInt(keeper.unbondRequestedAt.toString()) !== 0n) {
    return "this keeper asked to unbond: it may no longer attest or report";
  }
  if (!keeper.bondMint.equals(config.bondMint)) {
    return "this keeper's bond is in a mint the registry no longer bonds in: withdraw and register again";
  }
  const bond = BigInt(keeper.bondAmount.toString());
  const required = BigInt(config.keeperBondAmount.toString());
  if (bond < required) {
    return `this keeper's bond (${bond} base units) is below the bond in force (${required}): top it up with the registry's add_bond`;
  }
  return undefined;
}
