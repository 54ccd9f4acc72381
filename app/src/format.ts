import { IO_DECIMALS } from "@iogrid/sdk";

/** `amount` base units with `decimals` decimals, exact (no floating point). */
export function formatUnits(amount: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const whole = amount / base;
  const frac = (amount % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac ? `${whole.toLocaleString("en-US")}.${frac}` : whole.toLocaleString("en-US");
}

/** A decimal string (e.g. "12.5") as base units with `decimals` decimals; null when not one. */
export function parseUnits(text: string, decimals: number): bigint | null {
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!match) return null;
  const frac = match[2] ?? "";
  if (frac.length > decimals) return null;
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

/** A decoded integer (BN, number or bigint) as a bigint. */
export function big(value: bigint | number | { toString(): string }): bigint {
  return typeof value === "bigint" ? value : BigInt(value.toString());
}

/** A vote-weight multiplier in basis points as "2.5×". */
export function formatMultiplier(bps: bigint): string {
  return `${formatUnits(bps, 4)}×`;
}

/** A voting weight (IO base units × lock multiplier) in IO. */
export const formatWeight = (weight: bigint): string => formatUnits(weight, IO_DECIMALS);

/** Seconds as "h:mm:ss" (or "d d h:mm:ss" past a day); 0 and below as "0:00:00". */
export function formatDuration(secs: bigint): string {
  const s = secs > 0n ? secs : 0n;
  const d = s / 86_400n;
  const h = (s % 86_400n) / 3_600n;
  const pad = (v: bigint): string => String(v).padStart(2, "0");
  const clock = `${h}:${pad((s % 3_600n) / 60n)}:${pad(s % 60n)}`;
  return d > 0n ? `${d} d ${clock}` : clock;
}
