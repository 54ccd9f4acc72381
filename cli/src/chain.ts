/**
 * The chain reads and sends the reservation commands share: a reservation that must exist and
 * be the wallet's, its open bookings, token balances, the clock, and the batches sized to what
 * the sender's transactions carry.
 */
import { createInterface } from "node:readline/promises";

import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Connection, PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  MARKET_PROGRAM_ID,
  clockUnixTimestamp,
  decodeReservation,
  fetchReservationBookings,
  marketProgram,
} from "@iogrid/sdk";
import type { BookingEntry, Market, Reservation } from "@iogrid/sdk";
import { fitsTransaction } from "@iogrid/sdk/node";
import type { Program } from "@coral-xyz/anchor";

import { CliError, EXIT } from "./errors.js";

let program: Program<Market> | undefined;
/** The market client (instructions only: every account is passed, nothing fetched through it). */
export function market(): Program<Market> {
  program ??= marketProgram();
  return program;
}

/** The reservation at `address`, or exit 3 naming it. */
export async function fetchReservation(
  connection: Connection,
  address: PublicKey,
): Promise<Reservation> {
  const info = await connection.getAccountInfo(address, "confirmed");
  if (!info || !info.owner.equals(MARKET_PROGRAM_ID)) {
    throw new CliError(
      `UnknownReservation: no reservation ${address.toBase58()} on this cluster`,
      EXIT.notFound,
    );
  }
  try {
    return decodeReservation(info.data);
  } catch {
    throw new CliError(
      `UnknownReservation: ${address.toBase58()} is not a reservation account`,
      EXIT.notFound,
    );
  }
}

/** Refuses, before anything is sent, a reservation of another wallet (the market's NotRenter). */
export function checkRenter(reservation: Reservation, address: PublicKey, wallet: PublicKey): void {
  if (!reservation.renter.equals(wallet)) {
    throw new CliError(
      `NotRenter: reservation ${address.toBase58()} belongs to ${reservation.renter.toBase58()}, not to this wallet (${wallet.toBase58()})`,
      EXIT.notYours,
    );
  }
}

/** The reservation's open bookings, oldest first. */
export function openBookings(
  connection: Connection,
  reservation: PublicKey,
): Promise<BookingEntry[]> {
  return fetchReservationBookings(connection, reservation);
}

/** The chain's clock (unix seconds). */
export async function chainNow(connection: Connection): Promise<bigint> {
  const clock = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed");
  if (!clock) throw new CliError("the chain returned no clock sysvar", EXIT.failed);
  return clockUnixTimestamp(clock.data);
}

/** The wallet's associated account of `mint` and its balance (0 when it has none). */
export async function tokenBalance(
  connection: Connection,
  mint: PublicKey,
  owner: PublicKey,
): Promise<{ account: PublicKey; balance: bigint; exists: boolean }> {
  const account = getAssociatedTokenAddressSync(mint, owner, true);
  const info = await connection.getAccountInfo(account, "confirmed");
  if (!info || info.data.length < 72) return { account, balance: 0n, exists: false };
  const balance = new DataView(
    info.data.buffer,
    info.data.byteOffset,
    info.data.byteLength,
  ).getBigUint64(64, true);
  return { account, balance, exists: true };
}

/** Refuses, before anything is sent, a payment above the wallet's balance. */
export function checkFunds(
  need: bigint,
  have: bigint,
  show: (amount: bigint) => string,
  what: string,
): void {
  if (have < need) {
    throw new CliError(
      `InsufficientFunds: ${what} costs ${show(need)}; this wallet holds ${show(have)}`,
      EXIT.insufficientFunds,
    );
  }
}

/**
 * The most items per transaction, from `start` down, for which every batch `build` makes fits
 * one of the sender's transactions (with its two compute-budget instructions), and those batches.
 */
export async function fittedBatches(
  payer: PublicKey,
  start: number,
  build: (perTx: number) => Promise<TransactionInstruction[]>,
): Promise<TransactionInstruction[]> {
  for (let perTx = start; perTx >= 1; perTx--) {
    const ixs = await build(perTx);
    if (ixs.every((ix) => fitsTransaction(payer, [ix]))) return ixs;
  }
  throw new CliError("even one device does not fit a transaction", EXIT.failed);
}

/**
 * Asks `question` on a terminal; without one (a script), refuses unless `--yes` was given.
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      `${question.replace(/\?$/, "")}: pass --yes to confirm without a terminal`,
      EXIT.usage,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      throw new CliError("cancelled at the prompt: nothing was sent", EXIT.usage);
    }
  } finally {
    rl.close();
  }
}
