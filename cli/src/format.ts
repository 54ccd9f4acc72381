/**
 * What people read: tables, token amounts with their symbol, times. Scripts read `--json`, where
 * amounts are base-unit strings (bigints as decimal strings, addresses in base58).
 */
import { IOSD_DECIMALS, formatUnits, paymentDecimals } from "@iogrid/sdk";
import type { PaymentTokenName } from "@iogrid/sdk";

import { jsonText, printJson } from "@iogrid/sdk/node";

export { printJson };

/** Prints `value` as JSON on one line (for a long-running command's scripts to read as it comes). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(JSON.parse(jsonText(value))) + "\n");
}

/** `amount` base units of `token` with its symbol ("4.01 IOSD"). */
export function tokenAmount(amount: bigint, token: PaymentTokenName): string {
  return `${formatUnits(amount, paymentDecimals(token))} ${token.toUpperCase()}`;
}

/** IOSD base units as USD ("2.5 USD"). */
export function usd(amount: bigint): string {
  return `${formatUnits(amount, IOSD_DECIMALS)} USD`;
}

/** Basis points as a percentage ("95.5%"). */
export function percent(bps: number | bigint): string {
  return `${formatUnits(BigInt(bps), 2)}%`;
}

/** Unix seconds as an ISO time without milliseconds. */
export function time(unix: bigint | number): string {
  const n = Number(unix);
  if (n === 0) return "-";
  return new Date(n * 1000).toISOString().replace(".000Z", "Z");
}

/** Rows under a header, columns padded; numbers right-aligned when `right` says so. */
export function table(
  header: readonly string[],
  rows: readonly string[][],
  right: number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** Writes a progress line on stderr (stdout stays for results and `--json`). */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A fixed-width bar for `done` of `total`. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}
