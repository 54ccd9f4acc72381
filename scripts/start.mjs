// `npm start`: builds everything, starts the local chain with all programs (state kept in
// .localnet/ledger), initialises iotoken, the registry and staking (`npm run migrate`; the handover
// to governance is left to `npm run migrate:governance`), and keeps the chain in the foreground.
// Extra arguments go to the chain, e.g. `npm start -- --reset`.
import { spawn } from "node:child_process";
import { ensureNodeModules, repoRoot, run } from "./lib.mjs";

await ensureNodeModules();
await run("npm", ["run", "build"]);

const chainArgs = ["--state-dir", ".localnet/ledger", ...process.argv.slice(2)];
const chain = spawn("cargo", ["run", "-q", "-p", "iogrid-localnet", "--bin", "localnet", "--", ...chainArgs], {
  cwd: repoRoot,
  stdio: ["ignore", "pipe", "inherit"],
  detached: true,
});
const stop = (signal) => {
  try {
    process.kill(-chain.pid, signal);
  } catch {
    // already gone
  }
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
chain.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

let migrated = false;
chain.stdout.setEncoding("utf8");
chain.stdout.on("data", async (text) => {
  process.stdout.write(text);
  const ready = /localnet ready rpc=(\S+) ws=(\S+)/.exec(text);
  if (ready && !migrated) {
    migrated = true;
    try {
      await run("npm", ["run", "migrate"], { env: { ...process.env, IOGRID_RPC_URL: ready[1], IOGRID_WS_URL: ready[2] } });
      console.log(`\niogrid is running: RPC ${ready[1]}, websocket ${ready[2]}. Ctrl-C stops it.`);
    } catch (error) {
      console.error(error.message);
      stop("SIGTERM");
    }
  }
});
