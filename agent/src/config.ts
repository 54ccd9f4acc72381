/**
 * The agent's YAML config: its schema (every field checked, unknown fields refused, one line per
 * problem through `@iogrid/sdk/node`'s loader), its defaults, and the commented file `init`
 * writes.
 */
import { z } from "zod";

import { IOSD_DECIMALS, parseUnits } from "@iogrid/sdk";

import {
  httpUrlField as httpUrl,
  listenField as listenAddress,
  loadYamlConfig,
  parseListen,
  parseYamlConfig,
  positiveIntField as positiveInt,
  publicKeyField as publicKey,
  wsUrlField as wsUrl,
} from "@iogrid/sdk/node";

/** The workload backends the agent knows. */
export const BACKENDS = ["process", "docker", "ray"] as const;
export type BackendName = (typeof BACKENDS)[number];

export const BANDWIDTH_TIERS = ["basic", "standard", "high", "ultra"] as const;

export { parseListen };

/** USD with at most 6 decimals ("2.50"), converted to IOSD base units. */
const usdPrice = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const units = parseUnits(String(v), IOSD_DECIMALS);
  if (units === undefined) {
    ctx.addIssue({ code: "custom", message: 'expected a USD amount like "2.50"' });
    return z.NEVER;
  }
  if (units < 1n || units > 1_000_000_000n) {
    ctx.addIssue({ code: "custom", message: "must be between 0.000001 and 1000 USD" });
    return z.NEVER;
  }
  return units;
});

export const configSchema = z.strictObject({
  rpc: z.strictObject({
    url: httpUrl,
    wsUrl: wsUrl.optional(),
    timeoutMs: positiveInt(120_000).default(10_000),
    /** Booking re-poll behind the websocket subscription. */
    pollIntervalMs: positiveInt(600_000).default(5_000),
  }),
  /** Path of the agent's key file (Solana CLI JSON, mode 0600). */
  agentKey: z.string().min(1),
  /** The owner's wallet, when known: registration links and status use it. */
  owner: publicKey.nullable().default(null),
  device: z.strictObject({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces, at most 64 bytes"),
    name: z
      .string()
      .min(1)
      .max(32)
      .refine(
        (s) =>
          s.trim() === s &&
          ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
        {
          message: "no leading/trailing spaces or control characters",
        },
      ),
    region: z
      .string()
      .min(1)
      .max(16)
      .regex(/^[a-z0-9-]+$/, "lowercase letters, digits and dashes, at most 16"),
    /** USD per GPU-hour. */
    pricePerGpuHour: usdPrice,
    bandwidth: z.enum(BANDWIDTH_TIERS).default("standard"),
    /** Where keepers reach the probe server; "" when only the relay reaches this machine. */
    publicEndpoint: z
      .string()
      .max(96)
      .regex(/^[\x21-\x7e]*$/, "printable ASCII without spaces, at most 96 bytes")
      .default(""),
  }),
  probe: z
    .strictObject({
      listen: listenAddress.default("0.0.0.0:7777"),
      /** Probes answered per keeper per minute. */
      perKeeperPerMinute: positiveInt(6_000).default(30),
      /** Iterations of the CPU hash chain. */
      hashChainIterations: positiveInt(100_000_000).default(200_000),
    })
    .prefault({}),
  relay: z
    .strictObject({
      /** The relay's agent endpoint, e.g. "wss://relay.example.com"; "" for none. */
      url: z.union([wsUrl, z.literal("")]).default(""),
      /** The name the relay signs challenges for; by default the URL's host:port. */
      domain: z.string().min(1).optional(),
    })
    .prefault({}),
  backends: z.array(z.enum(BACKENDS)).min(1).default(["process"]),
  /** Where per-booking work dirs, logs and the agent's state live. */
  workDir: z.string().min(1),
  limits: z
    .strictObject({
      /** CPU seconds per workload process (0: unlimited). */
      cpuSeconds: z.number().int().min(0).default(0),
      /** Address space per process, MiB (0: unlimited). */
      memoryMib: z.number().int().min(0).default(0),
      openFiles: positiveInt(1_048_576).default(4_096),
      processes: positiveInt(1_000_000).default(1_024),
      /** Largest log file per booking stream before it is truncated. */
      logMib: positiveInt(100_000).default(64),
    })
    .prefault({}),
  process: z
    .strictObject({
      /** "bwrap" isolates with bubblewrap; "none" runs without a sandbox (warned). */
      sandbox: z.enum(["bwrap", "none"]).default("bwrap"),
      /** "ports": only the workload's ports reach it, no other network; "full": host network. */
      network: z.enum(["ports", "full"]).default("ports"),
    })
    .prefault({}),
  docker: z
    .strictObject({
      /** Docker Engine API: unix socket path or http(s) URL. */
      host: z.string().min(1).default("/var/run/docker.sock"),
    })
    .prefault({}),
  ray: z
    .strictObject({
      /** The `ray` executable (PyPI's `ray`, e.g. in a venv). */
      command: z.string().min(1).default("ray"),
      /** GCS port of a head this agent starts. */
      headPort: positiveInt(65_535).default(6379),
      /** This machine's address as other devices of a cluster reach it. */
      nodeAddress: z.string().min(1).default("127.0.0.1"),
      /** First of the port range this agent's Ray processes use (node manager, workers). */
      portBase: positiveInt(65_000).default(20_000),
      /** CPUs the node offers to Ray's scheduler (0: every core). */
      cpus: z.number().int().min(0).max(4_096).default(0),
      /** Ray's object store per node, MiB (0: Ray's default, 30% of RAM). */
      objectStoreMib: z.number().int().min(0).max(16_777_216).default(0),
    })
    .prefault({}),
  telemetry: z
    .strictObject({
      intervalMs: positiveInt(3_600_000).default(15_000),
    })
    .prefault({}),
  /** The web app, for `register --print-link`. */
  appUrl: httpUrl.default("http://localhost:5173"),
});

export type AgentConfig = z.infer<typeof configSchema>;

/** Loads and checks the config file (throws `ConfigError` with one line per problem). */
export function loadConfig(path: string): AgentConfig {
  return loadYamlConfig(path, configSchema);
}

/** Checks config text (tests and `init --check`). */
export function parseConfig(text: string, file = "config"): AgentConfig {
  return parseYamlConfig(text, configSchema, file);
}

/** Values `init` writes into the template. */
export interface InitValues {
  rpcUrl: string;
  wsUrl?: string;
  agentKey: string;
  owner?: string;
  deviceId: string;
  name: string;
  region: string;
  price: string;
  probeListen: string;
  publicEndpoint: string;
  relayUrl: string;
  backends: BackendName[];
  workDir: string;
  /** The `ray` executable (ray backend). */
  rayCommand?: string;
  /** First port of this agent's Ray nodes. */
  rayPortBase?: number;
}

const q = (s: string): string => JSON.stringify(s);

/** The commented YAML config `init` writes. */
export function configTemplate(v: InitValues): string {
  return `# iogrid-agent configuration. Check it with: iogrid-agent start --check --config <this file>
# Every field is checked when the agent starts; a bad one is named and nothing starts.

rpc:
  # Solana JSON-RPC of the cluster the registry lives on.
  url: ${q(v.rpcUrl)}
  # PubSub websocket; by default the RPC port + 1.
${v.wsUrl ? `  wsUrl: ${q(v.wsUrl)}` : `  # wsUrl: "ws://127.0.0.1:8900"`}
  # Longest wait for one RPC request, and how often bookings are re-read behind the websocket.
  timeoutMs: 10000
  pollIntervalMs: 5000

# The agent's key (created by init, mode 0600). It signs probes, start acknowledgements and
# relay logins; it cannot move the owner's funds.
agentKey: ${q(v.agentKey)}

# The owner's wallet address (it signs registration). Optional.
owner: ${v.owner ? q(v.owner) : "null"}

device:
  # Stable id of this machine (derived from /etc/machine-id); the device account's seed.
  id: ${q(v.deviceId)}
  name: ${q(v.name)}
  # Lowercase letters, digits, dashes.
  region: ${q(v.region)}
  # USD per GPU per hour (IOSD, 6 decimals).
  pricePerGpuHour: ${q(v.price)}
  # basic (<100 Mbit/s), standard (to 1 Gbit/s), high (to 10 Gbit/s), ultra.
  bandwidth: standard
  # Where keepers reach the probe server, e.g. "http://203.0.113.5:7777"; "" when only the
  # relay reaches this machine.
  publicEndpoint: ${q(v.publicEndpoint)}

probe:
  # The probe, health, metrics and telemetry HTTP server.
  listen: ${q(v.probeListen)}
  perKeeperPerMinute: 30
  hashChainIterations: 200000

relay:
  # Tunnel relay this agent dials out to (wss://...); "" for none.
  url: ${q(v.relayUrl)}

# Workload kinds this machine runs: process (bubblewrap sandbox), docker, ray.
backends: [${v.backends.join(", ")}]

# Per-booking work directories, logs and the agent's state file.
workDir: ${q(v.workDir)}

limits:
  cpuSeconds: 0        # per workload process; 0 = unlimited
  memoryMib: 0         # address space per process; 0 = unlimited
  openFiles: 4096
  processes: 1024
  logMib: 64           # per booking and stream

process:
  sandbox: bwrap       # bwrap | none
  network: ports       # ports (only the workload's ports) | full

docker:
  host: "/var/run/docker.sock"

# Ray nodes (ray backend): PyPI's ray[default], e.g. the venv \`npm run setup:ray\` creates.
ray:
  command: ${q(v.rayCommand ?? "ray")}
  # GCS port when this device is a cluster's head.
  headPort: 6379
  # This machine's address as the other devices of a cluster reach it (Ray nodes connect
  # directly: the devices of a Ray reservation must reach each other's addresses).
  nodeAddress: "127.0.0.1"
  # This agent's Ray processes use portBase .. portBase + 99.
  portBase: ${v.rayPortBase ?? 20000}
  cpus: 0              # CPUs offered to Ray's scheduler; 0 = every core
  objectStoreMib: 0    # 0 = Ray's default (30% of RAM)

telemetry:
  intervalMs: 15000

appUrl: "http://localhost:5173"
`;
}
