// `npm test`: every lint and test of the repository, in the order a failure is cheapest to find.
import { existsSync } from "node:fs";

import { ensureNodeModules, run } from "./lib.mjs";

// The app's browser tests drive Debian's chromium; say so before anything runs rather than fail
// after the Rust steps. `.ci/run` installs it (and the agent's sandbox packages) on a new machine.
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(
    `npm test: ${chromium} is missing: install Debian's chromium (apt-get install chromium) or run .ci/run, which installs it`,
  );
  process.exit(1);
}

const steps = [
  ["rustfmt", "cargo", ["fmt", "--all", "--check"]],
  ["clippy", "cargo", ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]],
  ["rust tests", "cargo", ["test", "--workspace"]],
  ["build (IDL, types, chain)", "npm", ["run", "build"]],
  ["typecheck", "npm", ["run", "typecheck"]],
  ["eslint + prettier", "npm", ["run", "lint"]],
  ["Ray venv (the agent's ray backend)", "npm", ["run", "-s", "setup:ray"]],
  ["mocha (stock clients against the local chain)", "npm", ["run", "test:ts"]],
];

const timings = [];
try {
  await ensureNodeModules();
  for (const [name, command, args] of steps) {
    console.log(`\n=== ${name}`);
    const started = Date.now();
    await run(command, args);
    timings.push([name, (Date.now() - started) / 1000]);
  }
} catch (error) {
  console.error(`\n${error.message}`);
  process.exit(1);
} finally {
  for (const [name, seconds] of timings)
    console.log(`${seconds.toFixed(1).padStart(8)} s  ${name}`);
}
console.log("\nall checks passed");
