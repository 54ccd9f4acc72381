/**
 * How the agent's commands end: the exit codes, `--json` output and one-line failures every
 * iogrid command-line tool shares (`@iogrid/sdk/node`), under the agent's name.
 */
import { exitWithError } from "@iogrid/sdk/node";

export { CliError, EXIT, printJson } from "@iogrid/sdk/node";

/** Prints the failure and exits with its code. */
export function fail(error: unknown): never {
  exitWithError("iogrid-agent", error);
}
