/**
 * How the iogrid command-line tools (iogrid-agent, iogrid-keeper) end: exit codes, `--json`
 * output and one-line failures with no stack trace for the user.
 */
import { ConfigError } from "./config.js";
import { jsonReplacer } from "./http.js";
import { errorText } from "./rpc.js";

/** Exit codes of every subcommand. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (chain refused, RPC down, workload failed). */
  failed: 1,
  /** Bad arguments or config: nothing was done. */
  usage: 2,
  /** The account the command is about is not registered (a device, a keeper). */
  notRegistered: 3,
} as const;

/** A failure with its exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** `value` as JSON text: bigints as decimal strings, public keys in base58. */
export function jsonText(value: unknown): string {
  return JSON.stringify(
    value,
    (key, v: unknown) => {
      if (v && typeof v === "object" && "toBase58" in v && typeof v.toBase58 === "function") {
        return (v as { toBase58(): string }).toBase58();
      }
      return jsonReplacer(key, v);
    },
    2,
  );
}

/** Prints `value` as JSON (see `jsonText`) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(jsonText(value) + "\n");
}

/**
 * Prints why `tool` failed and exits with the error's code: each config problem on a line of its
 * own (exit 2), a `CliError`'s message, or any other error's first line (its stack with
 * `IOGRID_DEBUG=1`).
 */
export function exitWithError(tool: string, error: unknown): never {
  if (error instanceof ConfigError) {
    for (const line of error.problems) process.stderr.write(`${line}\n`);
    process.stderr.write("nothing was started: fix the config and try again\n");
    process.exit(EXIT.usage);
  }
  if (error instanceof CliError) {
    process.stderr.write(`${tool}: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`${tool}: ${errorText(error)}\n`);
  if (process.env.IOGRID_DEBUG === "1" && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(EXIT.failed);
}
