/**
 * `iogrid receipts R`: every payment, settlement and refund of a reservation, read back from the
 * chain's history through the sdk (`fetchReservationReceipts`), each transaction with its
 * Solana Explorer link on the cluster in use. Works after `cancel` closed the account.
 */
import { explorerTxUrl, fetchReservationReceipts, paymentDecimals } from "@iogrid/sdk";
import type { PaymentTokenName, ReservationReceipt } from "@iogrid/sdk";

import { pubkeyArg } from "./args.js";
import type { GlobalOptions } from "./context.js";
import { readContext } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { printJson, time, tokenAmount } from "./format.js";

const sum = <T>(items: readonly T[], of: (item: T) => bigint): bigint =>
  items.reduce((s, item) => s + of(item), 0n);

/** `amount` with its sign ("+1.5 IOSD", "-4.01 IOSD", "0 IOSD"). */
function signed(amount: bigint, token: PaymentTokenName): string {
  if (amount === 0n) return tokenAmount(0n, token);
  return `${amount < 0n ? "-" : "+"}${tokenAmount(amount < 0n ? -amount : amount, token)}`;
}

/** What one receipt did, in a line. */
function detail(r: ReservationReceipt, token: PaymentTokenName, renter: string): string {
  const parts: string[] = [];
  if (r.kinds.includes("create")) parts.push("reservation created");
  if (r.paid > 0n) {
    const what = r.kinds.includes("extension") ? "extension" : "booking";
    parts.push(
      `${what} of ${r.devices} device${r.devices === 1 ? "" : "s"} paid ${tokenAmount(r.paid, token)}`,
    );
  }
  if (r.kinds.includes("start")) parts.push("start acknowledged");
  if (r.kinds.includes("cancel")) parts.push("cancelled");
  if (r.settlements.length > 0) {
    const s = r.settlements;
    const tips = sum(s, (x) => x.tip);
    const settlers = [...new Set(s.map((x) => x.settler.toBase58()))];
    const to = settlers.length === 1 && settlers[0] === renter ? "the renter" : settlers.join(",");
    parts.push(
      `${s.length} booking${s.length === 1 ? "" : "s"} settled (${[...new Set(s.map((x) => x.outcome))].join(", ")}): ` +
        `owners ${tokenAmount(
          sum(s, (x) => x.ownerPay),
          token,
        )}, stakers ${tokenAmount(
          sum(s, (x) => x.stakerShare),
          token,
        )}, ` +
        `fees ${tokenAmount(
          sum(s, (x) => x.networkFee + x.reservationFee + x.paymentFee),
          token,
        )}, ` +
        `refund accrued ${tokenAmount(
          sum(s, (x) => x.refund),
          token,
        )}, tips ${tokenAmount(tips, token)} to ${to}`,
    );
  }
  if (r.refundClaimed > 0n) parts.push(`refund claimed ${tokenAmount(r.refundClaimed, token)}`);
  if (r.kinds.includes("close")) {
    parts.push(
      `closed${r.surplusSwept > 0n ? `, ${tokenAmount(r.surplusSwept, token)} surplus swept` : ""}`,
    );
  }
  if (r.kinds.includes("transfer")) parts.push(`vault ${signed(r.vaultChange, token)} (transfer)`);
  return parts.join("; ");
}

/** `iogrid receipts R`. */
export async function receipts(reservationArg: string, o: GlobalOptions): Promise<void> {
  const address = pubkeyArg("reservation", reservationArg);
  const { connection, cluster } = readContext(o);
  const history = await fetchReservationReceipts(connection, address);
  if (!history) {
    throw new CliError(
      `UnknownReservation: no reservation ${address.toBase58()} and no transaction of it on this cluster`,
      EXIT.notFound,
    );
  }
  const token = history.paymentToken;
  const link = (signature: string): string => explorerTxUrl(signature, cluster.rpcUrl);
  const list = history.receipts;
  const totals = {
    paid: sum(list, (r) => r.paid),
    refundClaimed: sum(list, (r) => r.refundClaimed),
    tipsToRenter: sum(list, (r) =>
      sum(
        r.settlements.filter((s) => s.settler.equals(history.renter)),
        (s) => s.tip,
      ),
    ),
    renterChange: sum(list, (r) => r.renterChange),
  };
  if (o.json) {
    return printJson({
      reservation: address,
      renter: history.renter,
      vault: history.vault,
      token,
      paymentMint: history.paymentMint,
      decimals: paymentDecimals(token),
      open: history.open,
      cluster: cluster.rpcUrl,
      ledger: history.ledger,
      totals,
      receipts: list.map((r) => ({
        ...r,
        time: r.blockTime === null ? null : time(r.blockTime),
        explorer: link(r.signature),
      })),
      failed: history.failed.map((f) => ({ ...f, explorer: link(f.signature) })),
    });
  }
  const renter = history.renter.toBase58();
  console.log(
    `reservation ${address.toBase58()} of ${renter}, paid in ${token.toUpperCase()}${history.open ? "" : " (closed)"}`,
  );
  for (const r of list) {
    console.log(
      `${r.blockTime === null ? "-" : time(r.blockTime)}  ${r.kinds.join(",").padEnd(10)}  renter ${signed(r.renterChange, token).padEnd(16)}  ${detail(r, token, renter)}`,
    );
    console.log(`  ${link(r.signature)}`);
  }
  for (const f of history.failed)
    console.log(`failed transaction (no tokens moved): ${link(f.signature)}`);
  console.log(
    `paid ${tokenAmount(totals.paid, token)}, refunds claimed ${tokenAmount(totals.refundClaimed, token)}, settle tips to the renter ${tokenAmount(totals.tipsToRenter, token)}: the renter's balance ${signed(totals.renterChange, token)}`,
  );
  const l = history.ledger;
  if (l) {
    console.log(
      `ledger${history.open ? "" : " at close"}: deposited ${tokenAmount(l.deposited, token)}, to owners ${tokenAmount(l.devicePayouts, token)}, to stakers ${tokenAmount(l.stakerShares, token)}, fees ${tokenAmount(l.networkFees + l.reservationFees + l.paymentFees, token)}, tips ${tokenAmount(l.tips, token)}, refunds ${tokenAmount(l.refunds, token)} (claimed ${tokenAmount(l.refundsClaimed, token)}), in escrow ${tokenAmount(l.escrowOpen, token)}`,
    );
  }
}
