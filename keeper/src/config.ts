/**
 * The keeper's configuration: a YAML file checked against a schema (unknown fields refused, one
 * line per problem through `@iogrid/sdk/node`'s loader), then the environment
 * (`IOGRID_RPC_URL`, `IOGRID_WS_URL`, `IOGRID_KEEPER_KEYPAIR`) and command-line flags over it,
 * checked again. `keeper.example.yaml` documents every field.
 */
import { z } from "zod";

import { IO_DECIMALS, parseUnits } from "@iogrid/sdk";
import {
  ConfigError,
  HELIUS_PRIORITY_LEVELS,
  configProblems,
  expandHome,
  httpUrlField,
  listenField,
  loadYamlConfig,
  parseYamlConfig,
  positiveIntField,
  wsUrlField,
} from "@iogrid/sdk/node";

/** The keeper's bots. */
export const BOT_NAMES = ["epoch", "attest", "settle", "price", "clean"] as const;
export type BotName = (typeof BOT_NAMES)[number];

const positiveInt = positiveIntField;
const nonNegativeInt = (max = Number.MAX_SAFE_INTEGER) => z.number().int().min(0).max(max);

/** An IO amount ("1000", "0.5"), converted to base units. */
const ioAmount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const units = parseUnits(String(v), IO_DECIMALS);
  if (units === undefined) {
    ctx.addIssue({ code: "custom", message: 'expected an IO amount like "1000" or "0.5"' });
    return z.NEVER;
  }
  return units;
});

const interval = (defaultMs: number) => positiveInt(86_400_000).default(defaultMs);

/** Where the price bot reads IO's USD price (see `price-sources.ts`). */
const priceSource = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("static"), price: z.string().regex(/^\d+(\.\d+)?$/) }),
  z.strictObject({ kind: z.literal("file"), path: z.string().min(1) }),
  z.strictObject({
    kind: z.literal("http"),
    url: httpUrlField,
    /** Dotted path of the price in the JSON answer (`data.price`, `result.0.last`). */
    path: z.string().min(1),
    /** Dotted path of the quote's unix time (seconds or milliseconds), if the answer has one. */
    timePath: z.string().min(1).optional(),
  }),
]);

export const configSchema = z.strictObject({
  rpc: z.strictObject({
    url: httpUrlField,
    /** PubSub websocket; by default web3.js derives it from `url` (port + 1). */
    wsUrl: wsUrlField.optional(),
    timeoutMs: positiveInt(120_000).default(10_000),
    /** The keeper's own cap on RPC requests per second. */
    requestsPerSecond: positiveInt(10_000).default(40),
    commitment: z.enum(["processed", "confirmed", "finalized"]).default("confirmed"),
  }),
  /** Path of the keeper's keypair file (Solana CLI JSON, mode 0600). */
  keypair: z.string().min(1).optional(),
  /** Where the keeper keeps what it must find again after a restart (its lookup table's address). */
  stateDir: z.string().min(1).default("~/.local/state/iogrid-keeper"),
  /** Bots run by `run` (the `--bots` flag overrides). */
  bots: z
    .array(z.enum(BOT_NAMES))
    .min(1)
    .refine((bots) => new Set(bots).size === bots.length, { message: "a bot is listed twice" })
    .default(["epoch", "attest", "settle", "clean"]),
  /** `/health` and `/metrics`; "" for none. */
  health: z
    .strictObject({
      listen: z.union([listenField, z.literal("")]).default("127.0.0.1:9464"),
      /** A bot whose last tick ended longer ago than this many intervals is unhealthy. */
      staleIntervals: positiveInt(1_000).default(3),
      /** The chain is unhealthy when its slot did not advance for this long. */
      slotStallMs: positiveInt(3_600_000).default(30_000),
    })
    .prefault({}),
  send: z
    .strictObject({
      computeUnitMargin: z.number().min(1).max(3).default(1.2),
      rebroadcastIntervalMs: positiveInt(60_000).default(2_000),
      confirmTimeoutMs: positiveInt(600_000).default(90_000),
      maxRebuilds: nonNegativeInt(20).default(2),
      priorityFee: z
        .strictObject({
          source: z.enum(["recent", "helius", "fixed"]).default("recent"),
          percentile: z.number().min(0).max(100).default(50),
          /** A Helius RPC URL with its api key (https://mainnet.helius-rpc.com/?api-key=...). */
          heliusUrl: z.union([httpUrlField, z.literal("")]).default(""),
          heliusLevel: z.enum(HELIUS_PRIORITY_LEVELS).default("Medium"),
          fixedMicroLamports: nonNegativeInt().default(0),
          maxMicroLamportsPerCu: nonNegativeInt().default(200_000),
          maxLamportsPerTx: nonNegativeInt().default(1_000_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Below this SOL balance the keeper logs a warning. */
  minBalanceSol: z.number().min(0).default(0.02),
  epoch: z
    .strictObject({
      intervalMs: interval(10_000),
      /** Closed epochs looked back over for availability records to close. */
      lookbackEpochs: positiveInt(720).default(48),
      /** Open each hour's availability record (and fix its seed). */
      openAvailability: z.boolean().default(true),
      /** Claim this keeper's tips once at least this much IO is claimable. */
      claimTips: z.boolean().default(true),
      minClaimIo: ioAmount.default(0n),
    })
    .prefault({}),
  attest: z
    .strictObject({
      intervalMs: interval(20_000),
      /** The device list is read again in full this often (a subscription keeps it current). */
      refreshMs: positiveInt(86_400_000).default(300_000),
      /** Longest wait for one agent's answer. */
      probeTimeoutMs: positiveInt(120_000).default(10_000),
      /** Probes of a device per tick before it counts as down (with backoff between). */
      probeAttempts: positiveInt(10).default(3),
      retryDelayMs: positiveInt(60_000).default(2_000),
      /** Agents probed at once. */
      concurrency: positiveInt(256).default(16),
      /** Attestation transactions in flight at once. */
      sendConcurrency: positiveInt(64).default(8),
      /** Pack three probes per v0 transaction through the keeper's lookup table, not two (legacy). */
      lookupTable: z.boolean().default(true),
      /** Report devices that failed every probe, once the epoch's report window is open. */
      report: z.boolean().default(true),
      benchmark: z
        .strictObject({
          /** Re-run each probe's CPU benchmark from the challenge before attesting it. */
          verify: z.boolean().default(true),
          minIterations: nonNegativeInt().default(1_000),
          maxIterations: positiveInt(100_000_000).default(2_000_000),
        })
        .prefault({}),
    })
    .prefault({}),
  settle: z
    .strictObject({
      intervalMs: interval(15_000),
    })
    .prefault({}),
  clean: z
    .strictObject({
      intervalMs: interval(600_000),
      /** Reservations looked at per tick, oldest first. */
      maxPerTick: positiveInt(10_000).default(200),
    })
    .prefault({}),
  price: z
    .strictObject({
      intervalMs: interval(60_000),
      sources: z.array(priceSource).default([]),
      /** Sources that must answer (fresh) for a price to be published. */
      minSources: positiveInt(64).default(1),
      maxSourceAgeSecs: positiveInt(86_400).default(300),
      sourceTimeoutMs: positiveInt(60_000).default(5_000),
      /** Sources further apart than this (of the median) halt the feed instead. */
      maxSpreadBps: positiveInt(10_000).default(200),
      /** A median further than this from the feed's price is refused as an outlier. */
      maxMoveBps: positiveInt(100_000).default(2_000),
      /** Publish when the price moved this much, or when the feed is `heartbeatSecs` old. */
      minChangeBps: nonNegativeInt(10_000).default(10),
      heartbeatSecs: positiveInt(86_400).default(300),
      /** The published confidence: this share of the price, or half the sources' spread if more. */
      confidenceBps: nonNegativeInt(5_000).default(50),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(["debug", "info", "warn", "error"]).default("info"),
      format: z.enum(["text", "json"]).default("json"),
    })
    .prefault({}),
});

export type KeeperConfig = z.infer<typeof configSchema>;

/** The environment variable holding the keeper's keypair (a file path or the JSON array). */
export const KEYPAIR_ENV = "IOGRID_KEEPER_KEYPAIR";

/** What flags and the environment may set over the file. */
export interface ConfigOverrides {
  rpcUrl?: string;
  wsUrl?: string;
  keypair?: string;
  bots?: string[];
  healthListen?: string;
}

/** The environment's overrides (`IOGRID_RPC_URL`, `IOGRID_WS_URL`, `IOGRID_KEEPER_KEYPAIR`). */
export function envOverrides(env: NodeJS.ProcessEnv = process.env): ConfigOverrides {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const keypair = value(KEYPAIR_ENV);
  return {
    rpcUrl: value("IOGRID_RPC_URL"),
    wsUrl: value("IOGRID_WS_URL"),
    // A JSON array in the variable is the secret itself, never copied into the config: the
    // config names the variable and `loadKeeperKey` reads it.
    keypair: keypair?.startsWith("[") ? `$${KEYPAIR_ENV}` : keypair,
  };
}

/**
 * The raw document `raw` (the YAML file's fields, not yet checked) with `overrides` applied over
 * it, checked against the schema; problems name `source` and the field.
 */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: ConfigOverrides,
  source: string,
): KeeperConfig {
  const merged: Record<string, unknown> = structuredClone(raw);
  const section = (name: string): Record<string, unknown> => {
    const value = merged[name];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    const created: Record<string, unknown> = {};
    merged[name] = created;
    return created;
  };
  if (overrides.rpcUrl !== undefined) section("rpc").url = overrides.rpcUrl;
  if (overrides.wsUrl !== undefined) section("rpc").wsUrl = overrides.wsUrl;
  if (overrides.keypair !== undefined) merged.keypair = overrides.keypair;
  if (overrides.bots !== undefined) merged.bots = overrides.bots;
  if (overrides.healthListen !== undefined) section("health").listen = overrides.healthListen;
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(source, configProblems(source, result.error).join("\n").split("\n"));
  }
  return result.data;
}

/**
 * The config from `path` (or only from the environment and flags when `path` is undefined),
 * with the environment and then `flags` over the file's fields.
 */
export function loadKeeperConfig(
  path: string | undefined,
  flags: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): KeeperConfig {
  const defined = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const overrides = { ...defined(envOverrides(env)), ...defined(flags) };
  if (path === undefined) {
    if (!overrides.rpcUrl) {
      throw new ConfigError("config", [
        "config: no --config file and no IOGRID_RPC_URL: the keeper needs an RPC URL",
      ]);
    }
    return applyOverrides({}, overrides, "flags and environment");
  }
  const raw = loadYamlConfig(path, z.record(z.string(), z.unknown()));
  return applyOverrides(raw, overrides, expandHome(path));
}

/** Checks config text (tests). */
export function parseKeeperConfig(text: string, file = "config"): KeeperConfig {
  return parseYamlConfig(text, configSchema, file);
}

/** The bots named in a `--bots` flag ("epoch"; comma-separated). */
export function parseBotList(list: string): string[] {
  return list
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
}
