/**
 * Key-file hygiene for daemons: a secret key file must be readable by its owner only, as ssh
 * insists for private keys, so a daemon refuses to start from one that others could read.
 */
import { statSync } from "node:fs";

import { expandHome } from "./index.js";

/**
 * Why the key file at `path` must not be used, or undefined when it is a regular file that
 * neither group nor others may read or write (mode 0600 or stricter).
 */
export function keyFileProblem(path: string): string | undefined {
  const file = expandHome(path);
  let mode: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return `${file} is not a regular file`;
    mode = stat.mode & 0o777;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${file} does not exist` : `${file}: ${(e as Error).message}`;
  }
  if ((mode & 0o077) !== 0) {
    return `${file} is readable or writable by others (mode ${mode.toString(8).padStart(4, "0")}); run: chmod 600 ${file}`;
  }
  return undefined;
}
