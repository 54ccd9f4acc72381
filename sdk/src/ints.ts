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

/** Basis points in one. */
const BPS = 10_000n;

/**
 * The checked arithmetic of one program's mirror, as the program's `define_safe_math!` defines
 * it: range checks and the basis-point and `a x b / c` helpers, each failing through `fail` with
 * that program's `MathOverflow`.
 */
export function checkedMath(fail: (errorName: string) => never) {
  const inRange = (value: bigint, min: bigint, max: bigint): bigint =>
    value < min || value > max ? fail("MathOverflow") : value;
  const u64 = (value: bigint): bigint => inRange(value, 0n, U64_MAX);
  const i64 = (value: bigint): bigint => inRange(value, I64_MIN, I64_MAX);
  const u128 = (value: bigint): bigint => inRange(value, 0n, U128_MAX);
  /** `a x b / c` in u128, rounded down, back to u64 (`mul_div_floor`). */
  const mulDivFloor = (a: bigint, b: bigint, c: bigint): bigint =>
    c === 0n ? fail("MathOverflow") : u64(u128(a * b) / c);
  /** `a x b / c` in u128, rounded up, back to u64 (`mul_div_ceil`). */
  const mulDivCeil = (a: bigint, b: bigint, c: bigint): bigint =>
    c === 0n ? fail("MathOverflow") : u64((u128(a * b) + c - 1n) / c);
  return {
    u64,
    i64,
    u128,
    mulDivFloor,
    mulDivCeil,
    /** `amount x bps / 10_000`, rounded down (`bps_of`). */
    bpsOf: (amount: bigint, bps: bigint | number): bigint => mulDivFloor(amount, BigInt(bps), BPS),
    /** `amount x bps / 10_000`, rounded up (`bps_ceil`). */
    bpsCeil: (amount: bigint, bps: bigint | number): bigint => mulDivCeil(amount, BigInt(bps), BPS),
  };
}
