/**
 * Key-file hygiene for daemons: a secret key file must be readable by its owner only, as ssh
 * insists for private keys, so a daemon refuses to start from one that others could read.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Keypair, PublicKey } from "@solana/web3.js";

import {
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
} from "../constants.js";
import { expandHome, loadKeypair } from "./index.js";

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

/** The workspace programs by id, named as their keypair files in the repository's keys/. */
const PROGRAM_KEY_NAMES: [PublicKey, string][] = [
  [IOTOKEN_PROGRAM_ID, "iotoken"],
  [REGISTRY_PROGRAM_ID, "registry"],
  [STAKING_PROGRAM_ID, "staking"],
  [MARKET_PROGRAM_ID, "market"],
];

/**
 * The keypair of a workspace program's id, from the repository's keys/ (public on purpose: it
 * fixes the program ids of local and test deployments). It signs `initialize` as the deployer of
 * a program without ProgramData, as the local chain loads them (see `expectedDeployer`).
 */
export function programKeypair(
  programId: PublicKey,
  keysDir = fileURLToPath(new URL("../../../keys/", import.meta.url)),
): Keypair {
  const name = PROGRAM_KEY_NAMES.find(([id]) => id.equals(programId))?.[1];
  if (!name) throw new Error(`${programId.toBase58()} is not a workspace program`);
  const keypair = loadKeypair(join(keysDir, `${name}-keypair.json`));
  if (!keypair.publicKey.equals(programId)) {
    throw new Error(`${keysDir}/${name}-keypair.json does not hold ${programId.toBase58()}`);
  }
  return keypair;
}
