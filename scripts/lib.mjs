// Helpers for the repository's own scripts. Dependency-free: they run before `npm ci`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs a command with inherited output; resolves on success, rejects with its exit status. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: "inherit", ...options });
    child.on("error", (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${[command, ...args].join(" ")} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** Installs the npm workspaces on a fresh clone. */
export async function ensureNodeModules() {
  if (!existsSync(join(repoRoot, "node_modules", ".package-lock.json"))) {
    await run("npm", ["ci"]);
  }
}
