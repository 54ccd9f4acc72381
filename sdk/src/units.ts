/**
 * Decimal token amounts as people write them ("1000", "2.5") and base units as programs count
 * them, for every mint's decimals (IO 8, IOSD and USDC 6). Browser-safe.
 */

/**
 * The base units of `text`, a non-negative decimal with at most `decimals` fractional digits;
 * undefined when it is not one.
 */
export function parseUnits(text: string, decimals: number): bigint | undefined {
  const trimmed = text.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(trimmed);
  if (!m) return undefined;
  const frac = m[2] ?? "";
  if (frac.length > decimals) return undefined;
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

/** `amount` base units as a decimal with the mint's `decimals`, trailing zeros dropped. */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}
