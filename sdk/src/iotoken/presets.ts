/**
 * The two emission presets as schedule rows, built with the identical integer algorithm as
 * `programs/iotoken/src/math/presets.rs` (the shared test vectors hold both, row by row).
 * Browser-safe.
 *
 * - **Decay** (io.net's published curve): year one emits 8% of the genesis supply (40M IO), each
 *   month (730 epochs) emits 1.02% less than the one before, and the curve ends the epoch the
 *   300M budget is reached (about 16.5 years).
 * - **Halving**: 6M IO a year in 2024-25, 3M in 2026-27, 1.5M in 2028-29, halving every two
 *   calendar years until the hourly rate rounds to zero.
 */
import { EMISSION_BUDGET, EPOCH_SECS, GENESIS_SUPPLY, IO } from "./math.js";
import type { EmissionRow } from "./math.js";

/** Epochs in a preset month: 8760 / 12. */
export const MONTH_EPOCHS = 730n;
/** Year one of the decay curve: 8% of the genesis supply. */
export const DECAY_YEAR_ONE = (GENESIS_SUPPLY / 100n) * 8n;
/** Each month's emission is this many ten-thousandths of the previous month's (1.02% less). */
export const DECAY_MONTHLY_RETAIN_BPS = 9_898n;
/** Fixed-point scale of the decay factors. */
const FACTOR_SCALE = 1_000_000_000_000n;

/** 2024-01-01T00:00:00Z, where the halving preset starts. */
export const HALVING_START = 1_704_067_200n;
export const HALVING_FIRST_YEAR = 2024n;
/** IO per year in the first halving period (2024-25). */
export const HALVING_FIRST_ANNUAL = 6_000_000n * IO;
/** Calendar years per halving period. */
export const HALVING_PERIOD_YEARS = 2n;

/** The decay curve starting at `startTime` (an epoch boundary of the caller's choosing). */
export function decayPreset(startTime: bigint): EmissionRow[] {
  // factor_k = 0.9898^k in fixed point, each step rounded down.
  let yearOneFactors = 0n;
  let f = FACTOR_SCALE;
  for (let k = 0; k < 12; k++) {
    yearOneFactors += f;
    f = (f * DECAY_MONTHLY_RETAIN_BPS) / 10_000n;
  }
  // The first month's emission, such that twelve decaying months sum to year one.
  const firstMonth = (DECAY_YEAR_ONE * FACTOR_SCALE) / yearOneFactors;

  const rows: EmissionRow[] = [];
  let factor = FACTOR_SCALE;
  let emitted = 0n;
  let start = startTime;
  for (;;) {
    const rate = (firstMonth * factor) / FACTOR_SCALE / MONTH_EPOCHS;
    const month = rate * MONTH_EPOCHS;
    const left = EMISSION_BUDGET - emitted;
    if (rate === 0n || month > left) {
      // The last month: as many epochs at the current rate as fit, then one epoch with the
      // remainder, so the curve emits exactly the budget.
      const epochs = left / (rate > 1n ? rate : 1n);
      if (rate > 0n && epochs > 0n) {
        rows.push({ startTime: start, emissionPerEpoch: rate });
        start += epochs * EPOCH_SECS;
      }
      const remainder = left - epochs * rate;
      if (remainder > 0n) {
        rows.push({ startTime: start, emissionPerEpoch: remainder });
        start += EPOCH_SECS;
      }
      rows.push({ startTime: start, emissionPerEpoch: 0n });
      return rows;
    }
    rows.push({ startTime: start, emissionPerEpoch: rate });
    emitted += month;
    start += MONTH_EPOCHS * EPOCH_SECS;
    factor = (factor * DECAY_MONTHLY_RETAIN_BPS) / 10_000n;
  }
}

/** Unix time of January 1st, 00:00 UTC, of `year` (1970 or later). */
export function januaryFirst(year: bigint): bigint {
  const leapDays = (year - 1969n) / 4n - (year - 1901n) / 100n + (year - 1601n) / 400n;
  return ((year - 1970n) * 365n + leapDays) * 86_400n;
}

/** The halving curve, periods starting on January 1st of 2024, 2026, 2028, ... */
export function halvingPreset(): EmissionRow[] {
  const rows: EmissionRow[] = [];
  let annual = HALVING_FIRST_ANNUAL;
  let year = HALVING_FIRST_YEAR;
  for (;;) {
    const start = januaryFirst(year);
    const end = januaryFirst(year + HALVING_PERIOD_YEARS);
    const epochs = (end - start) / EPOCH_SECS;
    const rate = (annual * HALVING_PERIOD_YEARS) / epochs;
    rows.push({ startTime: start, emissionPerEpoch: rate });
    if (rate === 0n) return rows;
    annual /= 2n;
    year += HALVING_PERIOD_YEARS;
  }
}
