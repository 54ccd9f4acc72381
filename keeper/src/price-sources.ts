/**
 * Where the price bot reads IO's USD price: a static value, a file (its text a price, its age
 * its modification time), or an HTTP endpoint answering JSON, read at a dotted path
 * (`data.price`, `result.0.last`) with an optional path to the quote's unix time. Prices are USD
 * per IO with the feed's 8 decimals.
 */
import { readFileSync, statSync } from "node:fs";

import { PRICE_DECIMALS, parseUnits } from "@iogrid/sdk";
import { errorText, expandHome } from "@iogrid/sdk/node";

export type PriceSource =
  | { kind: "static"; price: string }
  | { kind: "file"; path: string }
  | { kind: "http"; url: string; path: string; timePath?: string };

/** One source's quote: the price (8 decimals) and when it was quoted (unix seconds). */
export interface Quote {
  price: bigint;
  at: number;
}

/** A source's name in logs. */
export function sourceName(source: PriceSource): string {
  switch (source.kind) {
    case "static":
      return `static ${source.price}`;
    case "file":
      return `file ${source.path}`;
    case "http":
      return `${source.url} at ${source.path}`;
  }
}

/** `value` (a JSON number or decimal string) as a price with 8 decimals. */
export function priceOf(value: unknown): bigint | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value > 0
      ? parseUnits(value.toFixed(PRICE_DECIMALS), PRICE_DECIMALS)
      : undefined;
  }
  if (typeof value !== "string") return undefined;
  const [whole, frac = ""] = value.trim().split(".");
  return parseUnits(frac ? `${whole}.${frac.slice(0, PRICE_DECIMALS)}` : whole!, PRICE_DECIMALS);
}

/** The value at a dotted `path` of `json` (array indices as numbers). */
export function atPath(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split(".").filter((k) => k !== "")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Reads one source now (`nowSecs`, the chain's clock); throws with the reason it could not. */
export async function readSource(
  source: PriceSource,
  nowSecs: number,
  timeoutMs: number,
): Promise<Quote> {
  const parsed = (value: unknown, what: string): bigint => {
    const price = priceOf(value);
    if (price === undefined || price === 0n) {
      throw new Error(`${what} is not a positive price: ${JSON.stringify(value)}`);
    }
    return price;
  };
  switch (source.kind) {
    case "static":
      return { price: parsed(source.price, "the static price"), at: nowSecs };
    case "file": {
      const path = expandHome(source.path);
      const at = Math.floor(statSync(path).mtimeMs / 1000);
      return { price: parsed(readFileSync(path, "utf8").trim(), "the file"), at };
    }
    case "http": {
      const res = await fetch(source.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const json: unknown = await res.json().catch((e: unknown) => {
        throw new Error(`not JSON: ${errorText(e)}`);
      });
      const price = parsed(atPath(json, source.path), source.path);
      if (!source.timePath) return { price, at: nowSecs };
      const at = Number(atPath(json, source.timePath));
      if (!Number.isFinite(at)) throw new Error(`${source.timePath} is not a unix time`);
      return { price, at: Math.floor(at > 1e12 ? at / 1000 : at) };
    }
  }
}

/** The median of `prices` (the lower middle of an even count, so it is one of them). */
export function median(prices: readonly bigint[]): bigint {
  const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** `|a - b|` in basis points of `b`. */
export function bpsApart(a: bigint, b: bigint): bigint {
  if (b === 0n) return 10_000n;
  return ((a > b ? a - b : b - a) * 10_000n) / b;
}
