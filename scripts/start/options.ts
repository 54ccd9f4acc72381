/**
 * `npm start`'s flags, each with an environment variable: ports, the state directory, and
 * whether to build. Flags override the environment.
 */
import { createServer } from "node:net";
import { resolve } from "node:path";

export const USAGE = `usage: npm start -- [options]

  --state-dir <dir>       keys, configs, chain ledger and logs (IOGRID_STATE_DIR; default .localnet)
  --rpc-port <port>       chain JSON-RPC (IOGRID_RPC_PORT; 8899)
  --ws-port <port>        chain websocket (IOGRID_WS_PORT; 8900)
  --relay-port <port>     tunnel relay (IOGRID_RELAY_PORT; 7070)
  --app-port <port>       web app (IOGRID_APP_PORT; 5173)
  --keeper-port <port>    keeper /health and /metrics (IOGRID_KEEPER_PORT; 9464)
  --agent-ports <a,b,c>   the three agents' probe servers (IOGRID_AGENT_PORTS; 7777,7778,7779)
  --ray-ports <base>      agent n's Ray node uses base+1000(n-1) .. +99, its head GCS +999
                          (IOGRID_RAY_PORTS; 20000)
  --no-build              run what is built (IOGRID_NO_BUILD=1); default: build what changed
  --reset                 start the chain from genesis (keys and configs are kept)
  -h, --help              this text`;

export interface Ports {
  rpc: number;
  ws: number;
  relay: number;
  app: number;
  keeper: number;
  agents: [number, number, number];
  /** First port of the agents' Ray ranges (`rayPorts`). */
  ray: number;
}

/** Agent `i`'s Ray ports: its node's range from `portBase` and its head's GCS. */
export function rayPorts(base: number, i: number): { portBase: number; headPort: number } {
  return { portBase: base + 1_000 * i, headPort: base + 1_000 * i + 999 };
}

export interface StartOptions {
  stateDir: string;
  ports: Ports;
  build: boolean;
  reset: boolean;
  help: boolean;
}

/** A mistake in the flags or the environment: printed with the usage, nothing started. */
export class OptionError extends Error {}

/** Where each port comes from, for error messages. */
export const PORT_SOURCES: Record<keyof Ports, string> = {
  rpc: "--rpc-port / IOGRID_RPC_PORT",
  ws: "--ws-port / IOGRID_WS_PORT",
  relay: "--relay-port / IOGRID_RELAY_PORT",
  app: "--app-port / IOGRID_APP_PORT",
  keeper: "--keeper-port / IOGRID_KEEPER_PORT",
  agents: "--agent-ports / IOGRID_AGENT_PORTS",
  ray: "--ray-ports / IOGRID_RAY_PORTS",
};

const PORT_NAMES: Record<keyof Ports, string> = {
  rpc: "chain JSON-RPC",
  ws: "chain websocket",
  relay: "relay",
  app: "app",
  keeper: "keeper health",
  agents: "agent probe",
  ray: "Ray ranges",
};

function port(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65_535) {
    throw new OptionError(`${what}: expected a port from 1 to 65535, got "${text}"`);
  }
  return Number(text);
}

export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): StartOptions {
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help" || arg === "--no-build" || arg === "--reset") {
      switches.add(arg === "-h" ? "--help" : arg);
      continue;
    }
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(name in FLAG_ENV)) throw new OptionError(`unknown option ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new OptionError(`${name} needs a value`);
    flags.set(name, value);
  }
  const value = (flag: keyof typeof FLAG_ENV): string | undefined =>
    flags.get(flag) ?? (env[FLAG_ENV[flag]]?.trim() || undefined);
  const one = (flag: keyof typeof FLAG_ENV, fallback: number): number => {
    const text = value(flag);
    return text === undefined ? fallback : port(text, `${flag} / ${FLAG_ENV[flag]}`);
  };
  const agentText = value("--agent-ports") ?? "7777,7778,7779";
  const agents = agentText
    .split(",")
    .map((p) => port(p.trim(), "--agent-ports / IOGRID_AGENT_PORTS"));
  if (agents.length !== 3) {
    throw new OptionError(`--agent-ports: expected three ports, got "${agentText}"`);
  }
  const ports: Ports = {
    rpc: one("--rpc-port", 8899),
    ws: one("--ws-port", 8900),
    relay: one("--relay-port", 7070),
    app: one("--app-port", 5173),
    keeper: one("--keeper-port", 9464),
    agents: agents as [number, number, number],
    ray: one("--ray-ports", 20_000),
  };
  if (ports.ray > 62_000) {
    throw new OptionError(
      `--ray-ports / IOGRID_RAY_PORTS: at most 62000 (three ranges of 1000), got ${ports.ray}`,
    );
  }
  const seen = new Map<number, string>();
  for (const [name, number] of portList(ports)) {
    const other = seen.get(number);
    if (other) throw new OptionError(`port ${number} is given twice: (${other}) and (${name})`);
    seen.set(number, name);
  }
  const noBuild = switches.has("--no-build") || env.IOGRID_NO_BUILD === "1";
  return {
    stateDir: resolve(value("--state-dir") ?? resolve(repoRoot, ".localnet")),
    ports,
    build: !noBuild,
    reset: switches.has("--reset"),
    help: switches.has("--help"),
  };
}

const FLAG_ENV = {
  "--state-dir": "IOGRID_STATE_DIR",
  "--rpc-port": "IOGRID_RPC_PORT",
  "--ws-port": "IOGRID_WS_PORT",
  "--relay-port": "IOGRID_RELAY_PORT",
  "--app-port": "IOGRID_APP_PORT",
  "--keeper-port": "IOGRID_KEEPER_PORT",
  "--agent-ports": "IOGRID_AGENT_PORTS",
  "--ray-ports": "IOGRID_RAY_PORTS",
} as const;

/** Every port with a name saying what it is for. */
export function portList(ports: Ports): [string, number][] {
  const list: [string, number][] = [];
  for (const key of Object.keys(PORT_NAMES) as (keyof Ports)[]) {
    const value = ports[key];
    // Ray's ports are not checked: a Ray node keeps running across a restart (its agent adopts
    // it), and its ports with it.
    if (key === "ray") continue;
    if (Array.isArray(value)) {
      value.forEach((p, i) => list.push([`${PORT_NAMES[key]} ${i + 1}, ${PORT_SOURCES[key]}`, p]));
    } else {
      list.push([`${PORT_NAMES[key]}, ${PORT_SOURCES[key]}`, value as number]);
    }
  }
  return list;
}

/** Resolves when `port` can be listened on at 127.0.0.1; rejects with the reason otherwise. */
function probePort(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () =>
      server.close(() => resolvePort()),
    );
  });
}

/** The first port already in use, as one sentence naming it, or undefined when all are free. */
export async function portInUse(ports: Ports): Promise<string | undefined> {
  for (const [name, number] of portList(ports)) {
    try {
      await probePort(number);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "EADDRINUSE"
        ? `port ${number} (${name}) is in use: stop what listens there or choose another port`
        : `port ${number} (${name}) cannot be opened: ${(e as Error).message}`;
    }
  }
  return undefined;
}
