/**
 * Integer bounds and byte encodings every mirror of the programs shares (internal to the sdk).
 */

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;

/** A decoded integer (bigint, number, or Anchor's BN) as a bigint. */
export function toBigInt(value: bigint | number | { toString(): string }): bigint {
  return typeof value === "bigint" ? value : BigInt(value.toString());
}

/** The 8 little-endian bytes of a u64. */
export function u64Le(value: bigint | number): Uint8Array {
  const n = BigInt(value);
  if (n < 0n || n > U64_MAX) throw new RangeError(`${n} is not a u64`);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, n, true);
  return bytes;
}

/** `parts` one after the other. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
