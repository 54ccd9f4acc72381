/**
 * How `iogrid` fails: documented exit codes, one line on stderr naming the program's error, and
 * sending through the sdk's `TransactionSender` (simulated first: a refusal costs nothing).
 */
import type { Signer, TransactionInstruction } from "@solana/web3.js";

import { IOTOKEN_ERRORS, MARKET_ERRORS, REGISTRY_ERRORS, STAKING_ERRORS } from "@iogrid/sdk";
import { CliError } from "@iogrid/sdk/node";
import type { SendOutcome, TransactionSender } from "@iogrid/sdk/node";

export { CliError };

/** Exit codes of every command (the README lists them). */
export const EXIT = {
  ok: 0,
  /** The chain or a program refused, a transaction failed, or the RPC could not be reached. */
  failed: 1,
  /** Bad usage or input (flags, filters, files): nothing was sent. */
  usage: 2,
  /** What the command is about does not exist (a reservation, a device, enough matching devices). */
  notFound: 3,
  /** The reservation belongs to another wallet (the market's NotRenter): nothing was sent. */
  notYours: 4,
  /** The wallet cannot pay the quote (balance below it): nothing was sent. */
  insufficientFunds: 5,
  /** Waiting for the agents' acknowledgements ran out of time, or a device did not start. */
  notStarted: 6,
  /** Interrupted (Ctrl-C) before the work was done; the message says how to finish it. */
  interrupted: 130,
} as const;

const TABLES: readonly Readonly<Record<string, { msg: string }>>[] = [
  MARKET_ERRORS,
  REGISTRY_ERRORS,
  STAKING_ERRORS,
  IOTOKEN_ERRORS,
];

/** "<Name>: <the program's message>" for an error name of any iogrid program (or just the name). */
export function errorText(name: string): string {
  for (const table of TABLES) {
    if (Object.hasOwn(table, name)) return `${name}: ${table[name]!.msg}`;
  }
  return name;
}

/** The error of a send that did not confirm, as a one-line `CliError`. */
export function outcomeError(what: string, outcome: SendOutcome): CliError {
  if (outcome.errorName) {
    const where = outcome.stage === "landed" ? ` (transaction ${outcome.signature})` : "";
    return new CliError(`${what} refused: ${errorText(outcome.errorName)}${where}`, EXIT.failed);
  }
  return new CliError(
    `${what} failed: ${outcome.message ?? outcome.status}${outcome.signature ? ` (${outcome.signature})` : ""}`,
    EXIT.failed,
  );
}

/** Sends one transaction of `instructions`; its signature, or a `CliError` naming the refusal. */
export async function sendOrFail(
  sender: TransactionSender,
  what: string,
  instructions: readonly TransactionInstruction[],
  signers: readonly Signer[] = [],
): Promise<string> {
  const outcome = await sender.send({ label: what, instructions, signers });
  if (outcome.status !== "confirmed" || !outcome.signature) throw outcomeError(what, outcome);
  return outcome.signature;
}
