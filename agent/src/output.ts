/**
 * How commands end: exit codes, `--json` output and one-line failures.
 */
import { ConfigError, errorText, jsonReplacer } from "@iogrid/sdk/node";

/** Exit codes of every subcommand. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (chain refused, RPC down, workload failed). */
  failed: 1,
  /** Bad arguments or config: nothing was done. */
  usage: 2,
  /** The device is not registered (status, start). */
  notRegistered: 3,
} as const;

/** A failure with its exit code and a one-line message (no stack trace for the user). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Prints `value` as JSON (bigints as strings, keys as base58) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(
      value,
      (key, v: unknown) => {
        if (v && typeof v === "object" && "toBase58" in v && typeof v.toBase58 === "function") {
          return (v as { toBase58(): string }).toBase58();
        }
        return jsonReplacer(key, v);
      },
      2,
    ) + "\n",
  );
}

/** Prints the failure and exits with its code. */
export function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    for (const line of error.problems) process.stderr.write(`${line}\n`);
    process.stderr.write("nothing was started: fix the config and try again\n");
    process.exit(EXIT.usage);
  }
  if (error instanceof CliError) {
    process.stderr.write(`iogrid-agent: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`iogrid-agent: ${errorText(error)}\n`);
  if (process.env.IOGRID_DEBUG === "1" && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(EXIT.failed);
}
