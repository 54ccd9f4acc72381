/**
 * A reservation's receipts, read back from the chain's transaction history: every transaction
 * that touched the reservation or its vault (`getSignaturesForAddress` on both, then
 * `getTransaction`), with what the market's events say it did for this reservation (payments,
 * settlements, refunds claimed, the close) and the token balance changes of the renter and the
 * vault. Works after `close_reservation` too: the history outlives the accounts.
 */
import type {
  ConfirmedSignatureInfo,
  Connection,
  PublicKey,
  TokenBalance,
  VersionedTransactionResponse,
} from "@solana/web3.js";

import { MARKET_PROGRAM_ID } from "./constants.js";
import { toBigInt } from "./ints.js";
import { decodeReservation, parseMarketEvents, paymentTokenName } from "./market.js";
import type { MarketEvents, ParsedMarketEvent, PaymentTokenName } from "./market.js";
import { reservationVaultPda } from "./pda.js";

/** What a transaction did to a reservation, in the order its events say it. */
export type ReceiptKind =
  | "create"
  | "booking"
  | "extension"
  | "start"
  | "cancel"
  | "settlement"
  | "refund"
  | "close"
  /** Tokens moved into or out of the vault with no market event (a transfer from outside). */
  | "transfer";

/** One booking settled (`BookingSettled`), in the payment token's base units. */
export interface SettlementReceipt {
  booking: PublicKey;
  device: PublicKey;
  settler: PublicKey;
  /** The market's `ReservationOutcome`: completed, cancelled, failed, noShow or completedUncredited. */
  outcome: string;
  deliveredSecs: bigint;
  bookedSecs: bigint;
  ownerPay: bigint;
  stakerShare: bigint;
  networkFee: bigint;
  reservationFee: bigint;
  paymentFee: bigint;
  /** Accrued for the renter, paid by `claim_refund`. */
  refund: bigint;
  /** Paid to the settler. */
  tip: bigint;
  slashed: bigint;
}

/** The reservation's ledger (`ReservationLedger`) in bigints. */
export interface LedgerFigures {
  deposited: bigint;
  devicePayouts: bigint;
  stakerShares: bigint;
  networkFees: bigint;
  reservationFees: bigint;
  paymentFees: bigint;
  refunds: bigint;
  refundsClaimed: bigint;
  tips: bigint;
  escrowOpen: bigint;
}

/** One transaction that touched the reservation or its vault, and landed without error. */
export interface ReservationReceipt {
  signature: string;
  slot: number;
  blockTime: number | null;
  kinds: ReceiptKind[];
  /** Paid into the vault by `book_devices` or `extend_bookings` (their `BatchPaid`). */
  paid: bigint;
  /** Devices that payment covers. */
  devices: number;
  settlements: SettlementReceipt[];
  /** Paid to the renter's account by `claim_refund` (`RefundClaimed`). */
  refundClaimed: bigint;
  /** Swept from the vault to the treasury by `close_reservation`. */
  surplusSwept: bigint;
  /** The renter's accounts of the payment mint, after minus before. */
  renterChange: bigint;
  /** The vault, after minus before. */
  vaultChange: bigint;
  /** Lamports the fee payer paid for the transaction. */
  feeLamports: number;
}

/** A reservation's history. */
export interface ReservationReceipts {
  reservation: PublicKey;
  vault: PublicKey;
  renter: PublicKey;
  paymentMint: PublicKey;
  paymentToken: PaymentTokenName;
  /** Whether the account still exists (it is gone after `close_reservation`). */
  open: boolean;
  /** The ledger: the live account's, else the one `close_reservation` reported. */
  ledger: LedgerFigures | null;
  /** Oldest first. */
  receipts: ReservationReceipt[];
  /** Transactions that touched it and failed (they moved no tokens, but paid their fees). */
  failed: { signature: string; slot: number }[];
}

const EVENT_KIND: Partial<Record<ParsedMarketEvent["name"], ReceiptKind>> = {
  reservationCreated: "create",
  deviceBooked: "booking",
  bookingExtended: "extension",
  startAcknowledged: "start",
  reservationCancelled: "cancel",
  bookingSettled: "settlement",
  refundClaimed: "refund",
  reservationClosed: "close",
};

/** Every signature of `address`, newest first (pages of 1,000 until the history ends). */
export async function allSignatures(
  connection: Connection,
  address: PublicKey,
  commitment: "confirmed" | "finalized" = "confirmed",
): Promise<ConfirmedSignatureInfo[]> {
  const out: ConfirmedSignatureInfo[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(
      address,
      { before, limit: 1_000 },
      commitment,
    );
    out.push(...page);
    if (page.length < 1_000) return out;
    before = page[page.length - 1]!.signature;
  }
}

/**
 * The transactions of `signatures`, in their order, 100 per batched request; one the RPC no
 * longer holds throws, or is left out with `skipMissing` (a history that may be pruned).
 */
export async function fetchTransactions(
  connection: Connection,
  signatures: readonly Pick<ConfirmedSignatureInfo, "signature">[],
  commitment: "confirmed" | "finalized" = "confirmed",
  skipMissing = false,
): Promise<VersionedTransactionResponse[]> {
  const txs: VersionedTransactionResponse[] = [];
  for (let i = 0; i < signatures.length; i += 100) {
    const page = await connection.getTransactions(
      signatures.slice(i, i + 100).map((s) => s.signature),
      { commitment, maxSupportedTransactionVersion: 0 },
    );
    page.forEach((tx, j) => {
      if (tx) txs.push(tx);
      else if (!skipMissing)
        throw new Error(`the RPC has no transaction ${signatures[i + j]!.signature}`);
    });
  }
  return txs;
}

function tokenAmount(balance: TokenBalance | undefined): bigint {
  return balance ? BigInt(balance.uiTokenAmount.amount) : 0n;
}

/** Post minus pre of the token accounts `select` picks, by account index. */
function tokenChange(
  tx: VersionedTransactionResponse,
  select: (b: TokenBalance, key: PublicKey) => boolean,
): bigint {
  const keys = tx.transaction.message.getAccountKeys({
    accountKeysFromLookups: tx.meta?.loadedAddresses,
  });
  const pre = tx.meta?.preTokenBalances ?? [];
  const post = tx.meta?.postTokenBalances ?? [];
  const indices = new Set([...pre, ...post].map((b) => b.accountIndex));
  let change = 0n;
  for (const i of indices) {
    const before = pre.find((b) => b.accountIndex === i);
    const after = post.find((b) => b.accountIndex === i);
    const key = keys.get(i);
    if (!key || !select((after ?? before)!, key)) continue;
    change += tokenAmount(after) - tokenAmount(before);
  }
  return change;
}

function ledgerFigures(ledger: Record<keyof LedgerFigures, unknown>): LedgerFigures {
  const big = (v: unknown): bigint => toBigInt(v as bigint);
  return {
    deposited: big(ledger.deposited),
    devicePayouts: big(ledger.devicePayouts),
    stakerShares: big(ledger.stakerShares),
    networkFees: big(ledger.networkFees),
    reservationFees: big(ledger.reservationFees),
    paymentFees: big(ledger.paymentFees),
    refunds: big(ledger.refunds),
    refundsClaimed: big(ledger.refundsClaimed),
    tips: big(ledger.tips),
    escrowOpen: big(ledger.escrowOpen),
  };
}

/** The market events of `tx` about `reservation`. */
export function reservationEvents(
  tx: VersionedTransactionResponse,
  reservation: PublicKey,
  programId: PublicKey = MARKET_PROGRAM_ID,
): ParsedMarketEvent[] {
  const logs = tx.meta?.logMessages ?? [];
  return parseMarketEvents(logs, programId).filter((e) => {
    const about = (e.data as { reservation?: PublicKey }).reservation;
    return about !== undefined && about.equals(reservation);
  });
}

/** The receipt of one landed transaction of a reservation. */
export function receiptOf(
  tx: VersionedTransactionResponse,
  accounts: { reservation: PublicKey; vault: PublicKey; renter: PublicKey; paymentMint: PublicKey },
  programId: PublicKey = MARKET_PROGRAM_ID,
): ReservationReceipt {
  const events = reservationEvents(tx, accounts.reservation, programId);
  const kinds: ReceiptKind[] = [];
  const receipt: ReservationReceipt = {
    signature: tx.transaction.signatures[0]!,
    slot: tx.slot,
    blockTime: tx.blockTime ?? null,
    kinds,
    paid: 0n,
    devices: 0,
    settlements: [],
    refundClaimed: 0n,
    surplusSwept: 0n,
    renterChange: tokenChange(
      tx,
      (b) => b.owner === accounts.renter.toBase58() && b.mint === accounts.paymentMint.toBase58(),
    ),
    vaultChange: tokenChange(tx, (_b, key) => key.equals(accounts.vault)),
    feeLamports: tx.meta?.fee ?? 0,
  };
  for (const event of events) {
    const kind = EVENT_KIND[event.name];
    if (kind && !kinds.includes(kind)) kinds.push(kind);
    if (event.name === "batchPaid") {
      const e = event.data as MarketEvents["batchPaid"];
      receipt.paid += toBigInt(e.amount);
      receipt.devices += e.devices;
    } else if (event.name === "bookingSettled") {
      const e = event.data as MarketEvents["bookingSettled"];
      receipt.settlements.push({
        booking: e.booking,
        device: e.device,
        settler: e.settler,
        outcome: Object.keys(e.outcome)[0] ?? "unknown",
        deliveredSecs: toBigInt(e.deliveredSecs),
        bookedSecs: toBigInt(e.bookedSecs),
        ownerPay: toBigInt(e.ownerPay),
        stakerShare: toBigInt(e.stakerShare),
        networkFee: toBigInt(e.networkFee),
        reservationFee: toBigInt(e.reservationFee),
        paymentFee: toBigInt(e.paymentFee),
        refund: toBigInt(e.refund),
        tip: toBigInt(e.tip),
        slashed: toBigInt(e.slashed),
      });
    } else if (event.name === "refundClaimed") {
      receipt.refundClaimed += toBigInt((event.data as MarketEvents["refundClaimed"]).amount);
    } else if (event.name === "reservationClosed") {
      receipt.surplusSwept += toBigInt(
        (event.data as MarketEvents["reservationClosed"]).surplusSwept,
      );
    }
  }
  if (kinds.length === 0 && receipt.vaultChange !== 0n) kinds.push("transfer");
  return receipt;
}

/**
 * The receipts of `reservation`: every transaction of the reservation or its vault, oldest first,
 * or `null` when the chain knows neither the account nor any transaction of it.
 */
export async function fetchReservationReceipts(
  connection: Connection,
  reservation: PublicKey,
  options: { programId?: PublicKey; commitment?: "confirmed" | "finalized" } = {},
): Promise<ReservationReceipts | null> {
  const programId = options.programId ?? MARKET_PROGRAM_ID;
  const commitment = options.commitment ?? "confirmed";
  const vault = reservationVaultPda(reservation, programId).address;
  const [info, ofReservation, ofVault] = await Promise.all([
    connection.getAccountInfo(reservation, commitment),
    allSignatures(connection, reservation, commitment),
    allSignatures(connection, vault, commitment),
  ]);
  const live = info && info.owner.equals(programId) ? decodeReservation(info.data) : null;
  // Oldest first; within a slot, the reservation's own order, then the vault's others.
  const seen = new Set<string>();
  const signatures = [...ofReservation.reverse(), ...ofVault.reverse()]
    .filter((s) => {
      if (seen.has(s.signature)) return false;
      seen.add(s.signature);
      return true;
    })
    .sort((a, b) => a.slot - b.slot);
  if (!live && signatures.length === 0) return null;

  const txs = await fetchTransactions(connection, signatures, commitment);
  const landed = txs.filter((tx) => !tx.meta?.err);
  const failed = txs
    .filter((tx) => tx.meta?.err)
    .map((tx) => ({ signature: tx.transaction.signatures[0]!, slot: tx.slot }));

  let renter = live?.renter;
  let paymentMint = live?.paymentMint;
  let paymentToken = live ? paymentTokenName(live.paymentToken) : undefined;
  let ledger = live ? ledgerFigures(live.ledger) : null;
  for (const tx of landed) {
    for (const event of reservationEvents(tx, reservation, programId)) {
      if (event.name === "reservationCreated" && !renter) {
        const e = event.data as MarketEvents["reservationCreated"];
        renter = e.renter;
        paymentMint = e.paymentMint;
        paymentToken = paymentTokenName(e.paymentToken);
      } else if (event.name === "reservationClosed" && !live) {
        ledger = ledgerFigures((event.data as MarketEvents["reservationClosed"]).ledger);
      }
    }
  }
  if (!renter || !paymentMint || !paymentToken) {
    throw new Error(
      `reservation ${reservation.toBase58()}: the RPC's history no longer holds its creation, and the account is closed`,
    );
  }
  const accounts = { reservation, vault, renter, paymentMint };
  return {
    reservation,
    vault,
    renter,
    paymentMint,
    paymentToken,
    open: live !== null,
    ledger,
    receipts: landed.map((tx) => receiptOf(tx, accounts, programId)),
    failed,
  };
}
