/**
 * `npm start`: the whole iogrid network on this machine, in the foreground until Ctrl-C.
 *
 *  1. checks every port is free (else one line naming the port; nothing starts);
 *  2. builds what changed: IDLs, types and the chain (cargo), the app (vite, only when its
 *     sources or the sdk are newer than app/dist); `--no-build` skips this;
 *  3. the chain, its state in <state>/ledger (resumed; `--reset` starts from genesis);
 *  4. the migrations (`npm run migrate`, idempotent), then the dev seeding of the local chain
 *     (migrations/seed-local.ts accounts: keeper, two owners and the renter funded);
 *  5. the relay; the keeper registered with its bond; three agents (two owners) initialised,
 *     registered once and staked to their minimum, each `start`ed; the keeper running every bot;
 *  6. the app bundle served with the chain's URLs and the local wallet.
 *
 * Keys and configs live under <state> (.localnet by default), so a second start registers and
 * bonds nothing again. Each child runs in its own process group with its log in <state>/logs;
 * SIGINT or SIGTERM stops them all (in reverse order) and waits for them.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import type { Server } from "node:http";
import { join, relative, resolve } from "node:path";

import { parseDocument } from "yaml";

import { serveDist } from "../../app/scripts/serve.js";
import { OptionError, USAGE, parseOptions, portInUse, rayPorts } from "./options.js";
import type { StartOptions } from "./options.js";
import { StepError, Supervisor } from "./supervisor.js";
import type { Service } from "./supervisor.js";

const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const NODE = process.execPath;
const AGENT_BIN = join(REPO_ROOT, "agent/bin/iogrid-agent.js");
const KEEPER_BIN = join(REPO_ROOT, "keeper/bin/iogrid-keeper.js");
const VITE = join(REPO_ROOT, "node_modules/vite/bin/vite.js");
const LOCALNET_BIN = join(
  resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR ?? "target"),
  "debug",
  "localnet",
);

/**
 * The three host agents: two devices of owner-1, one of owner-2, each running `process` and
 * `ray` workloads (a Ray reservation of all three is a 3-node Ray cluster); each agent has its
 * own Ray ports so that three can run on one machine.
 */
const AGENTS = [
  { owner: "owner-1", region: "eu-west", price: "1.00", backends: ["process", "ray"] },
  { owner: "owner-1", region: "eu-west", price: "1.20", backends: ["process", "ray"] },
  { owner: "owner-2", region: "us-east", price: "0.80", backends: ["process", "ray"] },
] as const;
const SETUP_RAY = join(REPO_ROOT, "scripts", "setup-ray.mjs");

/** The local wallet's key in the app (app/src/wallet.tsx). */
const APP_WALLET_KEY = "iogrid.localWallet";

interface Layout {
  state: string;
  logs: string;
  keys: string;
  keeperDir: string;
  agentDir: (i: number) => string;
}

function layout(state: string): Layout {
  return {
    state,
    logs: join(state, "logs"),
    keys: join(state, "keys"),
    keeperDir: join(state, "keeper"),
    agentDir: (i) => join(state, "agents", String(i + 1)),
  };
}

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path)
      .filter((name) => name !== "node_modules" && name !== "dist")
      .map((name) => newest(join(path, name))),
  );
}

/** Whether app/dist is older than what the bundle is built from. */
function appStale(): boolean {
  const built = join(REPO_ROOT, "app/dist/index.html");
  if (!existsSync(built)) return true;
  const sources = ["app/src", "app/index.html", "app/vite.config.ts", "sdk/src", "target/types"];
  return Math.max(...sources.map((p) => newest(join(REPO_ROOT, p)))) > statSync(built).mtimeMs;
}

async function jsonRpcHealthy(rpcUrl: string): Promise<boolean> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    signal: AbortSignal.timeout(2_000),
  });
  return res.ok;
}

/** Any HTTP answer at `url` (a service's /health may say 503 while it warms up). */
async function answers(url: string): Promise<boolean> {
  await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return true;
}

function keeperConfig(o: StartOptions, l: Layout, rpcUrl: string, wsUrl: string): string {
  return `# Written by npm start on every start (edit scripts/start/main.ts instead).
# The keeper of the local network: every bot, including the price bot (it publishes 1 USD/IO
# so IOSD stays mintable), its health endpoint on 127.0.0.1:${o.ports.keeper}.
rpc:
  url: ${JSON.stringify(rpcUrl)}
  wsUrl: ${JSON.stringify(wsUrl)}
keypair: ${JSON.stringify(join(l.keys, "keeper.json"))}
stateDir: ${JSON.stringify(join(l.keeperDir, "state"))}
bots: [epoch, attest, settle, clean, price]
health:
  listen: "127.0.0.1:${o.ports.keeper}"
price:
  sources:
    - { kind: static, price: "1" }
log:
  level: info
  format: text
`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the state directory is in use, from the `run.json` a running `npm start` keeps there: it
 * is still running, or it was killed (SIGKILL) and left children behind.
 */
function previousRun(stateDir: string): string | undefined {
  const file = join(stateDir, "run.json");
  if (!existsSync(file)) return undefined;
  let run: { pid: number; children: Record<string, number> };
  try {
    run = JSON.parse(readFileSync(file, "utf8")) as typeof run;
  } catch {
    return undefined;
  }
  const cmdline = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      return "";
    }
  };
  // The pid of a start that ended may be another process's now.
  if (alive(run.pid) && cmdline(run.pid).includes("start.mjs"))
    return `npm start (pid ${run.pid}) is already running on ${stateDir}`;
  const left = Object.entries(run.children).filter(([, pid]) => alive(-pid));
  if (left.length > 0) {
    const list = left.map(([name, pid]) => `${name} ${pid}`).join(", ");
    const groups = left.map(([, pid]) => `-${pid}`).join(" ");
    return `a previous npm start was killed and left ${list} running: stop them (kill -TERM -- ${groups})`;
  }
  rmSync(file);
  return undefined;
}

/** `npm start` itself; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let o: StartOptions;
  try {
    o = parseOptions(argv, process.env, REPO_ROOT);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    console.error(`npm start: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const previous = previousRun(o.stateDir);
  if (previous) {
    console.error(`npm start: ${previous}; nothing was started`);
    return 1;
  }
  const busy = await portInUse(o.ports);
  if (busy) {
    console.error(`npm start: ${busy}; nothing was started`);
    return 1;
  }

  const l = layout(o.stateDir);
  // Traversable by others (not listable): an agent running as root runs its workloads as
  // `nobody`, which must reach their directories under agents/<n>/work. The keys stay private.
  mkdirSync(l.state, { recursive: true, mode: 0o711 });
  chmodSync(l.state, 0o711);
  mkdirSync(l.keys, { recursive: true, mode: 0o700 });
  const rpcUrl = `http://127.0.0.1:${o.ports.rpc}`;
  const wsUrl = `ws://127.0.0.1:${o.ports.ws}`;
  const relayUrl = `ws://127.0.0.1:${o.ports.relay}`;
  const chainEnv = { IOGRID_RPC_URL: rpcUrl, IOGRID_WS_URL: wsUrl, IOGRID_LOCAL_DIR: l.state };
  const s = new Supervisor(l.logs, process.env, REPO_ROOT);
  const show = (path: string): string =>
    path.startsWith(process.cwd()) ? relative(process.cwd(), path) || "." : path;
  console.log(`npm start: logs in ${show(l.logs)}/`);

  let app: Server | undefined;
  let failure: ((reason: string) => void) | undefined;
  const failed = new Promise<string>((resolve) => (failure = resolve));
  s.onExit = (service: Service, how: string) =>
    failure?.(`${service.name} exited (${how}); see ${show(service.log)}`);
  // Kept for the whole run: a second Ctrl-C (the terminal's and npm's forwarded one) must not
  // end this process before its children are stopped.
  const signalled = new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  const stop = async (): Promise<void> => {
    await s.stopAll();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    rmSync(join(l.state, "run.json"), { force: true });
  };

  const bringUp = async (): Promise<void> => {
    if (o.build) {
      console.log(
        `npm start: building what changed (IDLs, types, chain, app; the first build takes minutes, see ${show(join(l.logs, "build.log"))})`,
      );
      await s.run("build", "npm", ["run", "build"]);
      if (appStale()) {
        await s.run("app-build", NODE, [
          VITE,
          "build",
          join(REPO_ROOT, "app"),
          "--logLevel",
          "warn",
        ]);
      }
    }
    if (!existsSync(LOCALNET_BIN)) {
      throw new StepError(`${LOCALNET_BIN} is missing: run npm start without --no-build`);
    }
    if (!existsSync(join(REPO_ROOT, "app/dist/index.html"))) {
      throw new StepError("app/dist is missing: run npm start without --no-build");
    }

    // The Ray venv (a no-op once it is there; the first time it downloads Ray from PyPI).
    const ray = await s.output("setup-ray", NODE, [SETUP_RAY]);
    if (ray.code !== 0) {
      throw new StepError(
        `the Ray venv could not be made (npm run setup:ray); see ${show(join(l.logs, "setup-ray.log"))}`,
      );
    }
    const rayCommand = ray.stdout.trim().split("\n").pop()!;

    // Loaded once built: the sdk reads the programs' IDLs from target/.
    const { devicePda } = await import("@iogrid/sdk");
    const { loadOrCreateKeypair } = await import("@iogrid/sdk/node");

    // A chain started from genesis has none of the keeper's lookup tables.
    if (o.reset) rmSync(join(l.keeperDir, "state"), { recursive: true, force: true });
    const chainArgs = ["--rpc-port", String(o.ports.rpc), "--ws-port", String(o.ports.ws)];
    chainArgs.push("--state-dir", join(l.state, "ledger"), ...(o.reset ? ["--reset"] : []));
    const chain = s.start("chain", LOCALNET_BIN, chainArgs);
    await s.waitReady(chain, "JSON-RPC answer", () => jsonRpcHealthy(rpcUrl));
    console.log(`npm start: chain up at ${rpcUrl}; migrating and seeding`);
    await s.run("migrate", "npm", ["run", "-s", "migrate"], chainEnv);
    const tsx = (script: string, ...args: string[]): [string, string[]] => [
      NODE,
      ["--import", "tsx", join(REPO_ROOT, script), ...args],
    ];
    await s.run("seed", ...tsx("migrations/seed-local.ts", "accounts"), chainEnv);

    const relay = s.start("relay", NODE, [
      AGENT_BIN,
      "relay",
      "--rpc-url",
      rpcUrl,
      "--listen",
      `127.0.0.1:${o.ports.relay}`,
    ]);

    // The keeper: registered with its bond once.
    mkdirSync(l.keeperDir, { recursive: true });
    const keeperYaml = join(l.keeperDir, "keeper.yaml");
    writeFileSync(keeperYaml, keeperConfig(o, l, rpcUrl, wsUrl));
    const keeperFlags = ["--config", keeperYaml, "--keypair", join(l.keys, "keeper.json")];
    const keeperStatus = await s.output("keeper-setup", NODE, [
      KEEPER_BIN,
      "status",
      "--json",
      ...keeperFlags,
    ]);
    if (keeperStatus.code !== 0) {
      throw new StepError(`keeper status failed; see ${show(join(l.logs, "keeper-setup.log"))}`);
    }
    if (!(JSON.parse(keeperStatus.stdout) as { registered: boolean }).registered) {
      await s.run("keeper-setup", NODE, [KEEPER_BIN, "register", ...keeperFlags]);
    }

    // The agents: configs rewritten on every start (same key, same device id), registered once.
    const appBase = `http://127.0.0.1:${o.ports.app}/`;
    const devices = await Promise.all(
      AGENTS.map(async (agent, i) => {
        const dir = l.agentDir(i);
        // Made here, not by `init` (which makes a missing config directory 0700), so that the
        // work directory inside it is reachable by the workloads' user (see above).
        for (const d of [join(l.state, "agents"), dir]) {
          mkdirSync(d, { recursive: true, mode: 0o711 });
          chmodSync(d, 0o711);
        }
        const config = join(dir, "config.yaml");
        const ownerKey = join(l.keys, `${agent.owner}.json`);
        const owner = loadOrCreateKeypair(ownerKey).keypair.publicKey;
        const deviceId = `iogrid-local-${i + 1}`;
        const port = o.ports.agents[i]!;
        const name = `agent-${i + 1}`;
        await s.run(`${name}-setup`, NODE, [
          AGENT_BIN,
          "init",
          "--force",
          "--config",
          config,
          "--rpc-url",
          rpcUrl,
          "--ws-url",
          wsUrl,
          "--owner",
          owner.toBase58(),
          "--device-id",
          deviceId,
          "--name",
          `local-${i + 1}`,
          "--region",
          agent.region,
          "--price",
          agent.price,
          "--listen",
          `127.0.0.1:${port}`,
          "--public-endpoint",
          `http://127.0.0.1:${port}`,
          "--relay-url",
          relayUrl,
          "--backends",
          agent.backends.join(","),
          "--work-dir",
          join(dir, "work"),
          "--ray-command",
          rayCommand,
          "--ray-port-base",
          String(rayPorts(o.ports.ray, i).portBase),
        ]);
        const doc = parseDocument(readFileSync(config, "utf8"));
        doc.setIn(["appUrl"], appBase);
        doc.setIn(["ray", "headPort"], rayPorts(o.ports.ray, i).headPort);
        // Three nodes share this machine's cores and memory.
        doc.setIn(["ray", "cpus"], 1);
        doc.setIn(["ray", "objectStoreMib"], 256);
        writeFileSync(config, doc.toString(), { mode: 0o600 });
        // `status` exits 3 for a device that is not registered.
        const { code } = await s.output(`${name}-setup`, NODE, [
          AGENT_BIN,
          "status",
          "--config",
          config,
        ]);
        if (code !== 0 && code !== 3) {
          throw new StepError(
            `${name}: status failed (exit ${code}); see ${show(join(l.logs, `${name}-setup.log`))}`,
          );
        }
        await s.run(`${name}-setup`, NODE, [
          AGENT_BIN,
          code === 0 ? "update" : "register",
          "--config",
          config,
          "--owner-keypair",
          ownerKey,
        ]);
        return { config, ownerKey, device: devicePda(deviceId).address.toBase58(), name };
      }),
    );
    await s.run(
      "seed",
      ...tsx(
        "migrations/seed-local.ts",
        "stake",
        ...devices.flatMap((d) => [d.ownerKey, d.device]),
      ),
      chainEnv,
    );

    await s.waitReady(relay, "relay answer", () =>
      answers(`http://127.0.0.1:${o.ports.relay}/health`),
    );
    const keeper = s.start("keeper", NODE, [KEEPER_BIN, "run", ...keeperFlags]);
    const agents = devices.map((d) =>
      s.start(d.name, NODE, [AGENT_BIN, "start", "--config", d.config]),
    );
    await s.waitReady(keeper, "health answer", () =>
      answers(`http://127.0.0.1:${o.ports.keeper}/health`),
    );
    for (const [i, agent] of agents.entries()) {
      const url = `http://127.0.0.1:${o.ports.agents[i]}/health`;
      await s.waitReady(agent, "health answer", () => answers(url), 120_000);
    }

    // The app, handing the browser the funded local wallet.
    const renter = loadOrCreateKeypair(join(l.keys, "renter.json")).keypair;
    const secret = JSON.stringify(JSON.stringify(Array.from(renter.secretKey)));
    const served = await serveDist({
      port: o.ports.app,
      headHtml: `<script>localStorage.setItem(${JSON.stringify(APP_WALLET_KEY)}, ${secret});</script>`,
    });
    app = served.server;
    const appUrl = `${served.url}?rpc=${encodeURIComponent(rpcUrl)}&ws=${encodeURIComponent(wsUrl)}`;
    writeFileSync(
      join(l.state, "run.json"),
      JSON.stringify({ pid: process.pid, appUrl, rpcUrl, wsUrl, children: s.pids() }, null, 2) +
        "\n",
    );
    const q = (p: string): string => (/\s/.test(p) ? JSON.stringify(p) : p);
    console.log(`
iogrid is running (Ctrl-C stops it)
  app           ${appUrl}
  RPC           ${rpcUrl} (websocket ${wsUrl})
  local wallet  ${renter.publicKey.toBase58()} (SOL, IO and IOSD; key ${show(join(l.keys, "renter.json"))},
                the app's local wallet when opened from the URL above)
  logs          ${show(l.logs)}/
try:
  npx iogrid devices --url ${rpcUrl} --ws-url ${wsUrl} --keypair ${q(show(join(l.keys, "renter.json")))}
  npx iogrid-agent status --config ${q(show(devices[0]!.config))}
  npx iogrid-keeper status --config ${q(show(join(l.keeperDir, "keeper.yaml")))}
`);
  };

  const outcome = await Promise.race([
    bringUp().then(
      () => Promise.race([signalled.then((sig) => ({ sig })), failed.then((err) => ({ err }))]),
      (e: unknown) => ({
        err: e instanceof StepError ? e.message : String((e as Error).stack ?? e),
      }),
    ),
    signalled.then((sig) => ({ sig })),
    failed.then((err) => ({ err })),
  ]);
  if ("sig" in outcome) console.log(`\nnpm start: ${outcome.sig}: stopping`);
  else console.error(`npm start: ${outcome.err}`);
  await stop();
  console.log("npm start: stopped");
  return "sig" in outcome ? 0 : 1;
}
