// `npm test`: every lint and test of the repository, in the order a failure is cheapest to find.
import { ensureNodeModules, run } from "./lib.mjs";

const steps = [
  ["rustfmt", "cargo", ["fmt", "--all", "--check"]],
  ["clippy", "cargo", ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]],
  ["rust tests", "cargo", ["test", "--workspace"]],
  ["build (IDL, types, chain)", "npm", ["run", "build"]],
  ["typecheck", "npm", ["run", "typecheck"]],
  ["eslint + prettier", "npm", ["run", "lint"]],
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
  for (const [name, seconds] of timings) console.log(`${seconds.toFixed(1).padStart(8)} s  ${name}`);
}
console.log("\nall checks passed");
