/**
 * The registry's, the iotoken program's, the staking program's and the market's named errors, read from their
 * IDLs: match errors by name, never by number (each program numbers its own errors from 6000).
 * One generic table (`programErrors`) serves every program. Browser-safe.
 */
import { AnchorError, LangErrorCode, ProgramError } from "@coral-xyz/anchor";
import type { PublicKey } from "@solana/web3.js";

import iotokenIdlJson from "../../target/idl/iotoken.json" with { type: "json" };
import marketIdlJson from "../../target/idl/market.json" with { type: "json" };
import registryIdlJson from "../../target/idl/registry.json" with { type: "json" };
import stakingIdlJson from "../../target/idl/staking.json" with { type: "json" };
import type { Iotoken } from "../../target/types/iotoken.js";
import type { Market } from "../../target/types/market.js";
import type { Registry } from "../../target/types/registry.js";
import type { Staking } from "../../target/types/staking.js";
import {
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
} from "./constants.js";

/**
 * A program's error name exactly as the program defines it (`RegistryError::NotDeviceOwner` is
 * "NotDeviceOwner"), which is also what `AnchorError.error.errorCode.code` carries. The generated
 * IDL type (`Registry`, ...) holds them camelCased; capitalising restores the Rust name.
 */
export type IdlErrorName<I extends { errors: readonly { name: string }[] }> = Capitalize<
  I["errors"][number]["name"]
>;

/** One of a program's errors, as its IDL lists it. */
export interface ProgramErrorInfo<N extends string = string> {
  name: N;
  /** The program's error number (6000 + its position in the program's error enum). */
  code: number;
  /** The program's `#[msg]`. */
  msg: string;
}

/** One program's named errors, from its IDL, and the lookups on them. */
export interface ProgramErrors<N extends string> {
  /** Every error of the program by name. */
  readonly byName: Readonly<Record<N, ProgramErrorInfo<N>>>;
  /** The error number of an error name. */
  readonly code: (name: N) => number;
  /** The program's error with this number, if it is one. */
  readonly byCode: (code: number) => ProgramErrorInfo<N> | undefined;
  /**
   * The name of the program or anchor framework error `err` carries, in any of the shapes
   * `programErrorName` accepts; bare error numbers are read as this program's.
   */
  readonly errorName: (err: unknown) => string | undefined;
  /** The error `err` carries, if it is one of the program's own. */
  readonly of: (err: unknown) => ProgramErrorInfo<N> | undefined;
  /** Whether `err` is the program's error `name`. */
  readonly is: (err: unknown, name: N) => boolean;
}

/**
 * The error table and lookups of the program `program` (named in messages) from its IDL's
 * `errors`; `N` is the program's `IdlErrorName`.
 */
export function programErrors<N extends string>(
  program: string,
  idlErrors: readonly { name: string; code: number; msg: string }[],
): ProgramErrors<N> {
  const byName = Object.freeze(
    Object.fromEntries(
      idlErrors.map((e) => [
        e.name,
        Object.freeze({ name: e.name as N, code: e.code, msg: e.msg }),
      ]),
    ) as Record<N, ProgramErrorInfo<N>>,
  );
  const infoByCode: ReadonlyMap<number, ProgramErrorInfo<N>> = new Map(
    Object.values<ProgramErrorInfo<N>>(byName).map((info) => [info.code, info]),
  );
  const byCode = (code: number): ProgramErrorInfo<N> | undefined => infoByCode.get(code);
  const errorName = (err: unknown): string | undefined =>
    errorNameWith(err, (code) => byCode(code)?.name ?? anchorErrorName(code));
  const of = (err: unknown): ProgramErrorInfo<N> | undefined => {
    const name = errorName(err);
    return name !== undefined && Object.hasOwn(byName, name) ? byName[name as N] : undefined;
  };
  return Object.freeze({
    byName,
    code: (name: N): number => {
      const info = byName[name];
      if (!info) throw new Error(`unknown ${program} error ${name}`);
      return info.code;
    },
    byCode,
    errorName,
    of,
    is: (err: unknown, name: N): boolean => of(err)?.name === name,
  });
}

const LANG_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(LangErrorCode).map(([name, code]) => [code, name]),
);

/** The name of an anchor framework error number (e.g. 2001 is "ConstraintHasOne"). */
export function anchorErrorName(code: number): string | undefined {
  return LANG_BY_CODE.get(code);
}

/**
 * The name of the program error that `err` carries, from whichever form the client produced,
 * with `nameOfCode` translating bare error numbers (which only the program that failed can
 * interpret).
 */
function errorNameWith(
  err: unknown,
  nameOfCode: (code: number) => string | undefined,
): string | undefined {
  if (err instanceof AnchorError) return err.error.errorCode.code;
  if (err instanceof ProgramError) return nameOfCode(err.code);
  if (typeof err !== "object" || err === null) return undefined;

  const logs = (err as { logs?: unknown }).logs;
  if (Array.isArray(logs) && logs.every((l) => typeof l === "string")) {
    const parsed = AnchorError.parse(logs as string[]);
    if (parsed) return parsed.error.errorCode.code;
  }
  const custom = customErrorCode(err);
  if (custom !== undefined) return nameOfCode(custom);
  const nested = (err as { err?: unknown }).err;
  return nested === undefined ? undefined : errorNameWith(nested, nameOfCode);
}

function customErrorCode(err: object): number | undefined {
  const instructionError = (err as { InstructionError?: unknown }).InstructionError;
  if (!Array.isArray(instructionError)) return undefined;
  const detail: unknown = instructionError[1];
  if (typeof detail === "object" && detail !== null && "Custom" in detail) {
    const code = (detail as { Custom: unknown }).Custom;
    return typeof code === "number" ? code : undefined;
  }
  return undefined;
}

/** A registry error name (`RegistryError::NotDeviceOwner` is "NotDeviceOwner"). */
export type RegistryErrorName = IdlErrorName<Registry>;
export type RegistryErrorInfo = ProgramErrorInfo<RegistryErrorName>;
/** The registry's errors and their lookups. */
export const registryErrors: ProgramErrors<RegistryErrorName> = programErrors(
  "registry",
  registryIdlJson.errors,
);
/** Every registry error by name, from the IDL. */
export const REGISTRY_ERRORS: Readonly<Record<RegistryErrorName, RegistryErrorInfo>> =
  registryErrors.byName;
/** The error number of a registry error name. */
export const registryErrorCode: (name: RegistryErrorName) => number = registryErrors.code;
/** The registry error with this number, if it is one. */
export const registryErrorByCode: (code: number) => RegistryErrorInfo | undefined =
  registryErrors.byCode;
/**
 * The name of the program error (registry or anchor framework, e.g. "ConstraintHasOne") that
 * `err` carries, from whichever form the client produced: `AnchorError` (from `.rpc()`),
 * `ProgramError`, an error with transaction `logs` (web3.js `SendTransactionError`, the
 * sdk's `TransactionFailedError`), or a transaction error object `{ InstructionError: [i,
 * { Custom: n }] }` as `getSignatureStatuses` / `simulateTransaction` return it. Bare error
 * numbers are read as the registry's.
 */
export const programErrorName: (err: unknown) => string | undefined = registryErrors.errorName;
/** The registry error `err` carries, if it is one of the registry's own. */
export const registryErrorOf: (err: unknown) => RegistryErrorInfo | undefined = registryErrors.of;
/** Whether `err` is the registry error `name`. */
export const isRegistryError: (err: unknown, name: RegistryErrorName) => boolean =
  registryErrors.is;

/** An iotoken error name (`IotokenError::EpochNotEnded` is "EpochNotEnded"). */
export type IotokenErrorName = IdlErrorName<Iotoken>;
export type IotokenErrorInfo = ProgramErrorInfo<IotokenErrorName>;
/** The iotoken program's errors and their lookups. */
export const iotokenErrors: ProgramErrors<IotokenErrorName> = programErrors(
  "iotoken",
  iotokenIdlJson.errors,
);
/** Every iotoken error by name, from the IDL. */
export const IOTOKEN_ERRORS: Readonly<Record<IotokenErrorName, IotokenErrorInfo>> =
  iotokenErrors.byName;
/** The error number of an iotoken error name. */
export const iotokenErrorCode: (name: IotokenErrorName) => number = iotokenErrors.code;
/** The iotoken error with this number, if it is one. */
export const iotokenErrorByCode: (code: number) => IotokenErrorInfo | undefined =
  iotokenErrors.byCode;
/**
 * The name of the iotoken or anchor framework error `err` carries, in any of the shapes
 * `programErrorName` accepts; bare error numbers are read as the iotoken program's.
 */
export const iotokenProgramErrorName: (err: unknown) => string | undefined =
  iotokenErrors.errorName;
/** The iotoken error `err` carries, if it is one of the iotoken program's own. */
export const iotokenErrorOf: (err: unknown) => IotokenErrorInfo | undefined = iotokenErrors.of;
/** Whether `err` is the iotoken error `name`. */
export const isIotokenError: (err: unknown, name: IotokenErrorName) => boolean = iotokenErrors.is;

/** A staking error name (`StakingError::StakeLocked` is "StakeLocked"). */
export type StakingErrorName = IdlErrorName<Staking>;
export type StakingErrorInfo = ProgramErrorInfo<StakingErrorName>;
/** The staking program's errors and their lookups. */
export const stakingErrors: ProgramErrors<StakingErrorName> = programErrors(
  "staking",
  stakingIdlJson.errors,
);
/** Every staking error by name, from the IDL. */
export const STAKING_ERRORS: Readonly<Record<StakingErrorName, StakingErrorInfo>> =
  stakingErrors.byName;
/** The error number of a staking error name. */
export const stakingErrorCode: (name: StakingErrorName) => number = stakingErrors.code;
/** The staking error with this number, if it is one. */
export const stakingErrorByCode: (code: number) => StakingErrorInfo | undefined =
  stakingErrors.byCode;
/**
 * The name of the staking or anchor framework error `err` carries, in any of the shapes
 * `programErrorName` accepts; bare error numbers are read as the staking program's. (An error
 * raised by iotoken or the registry inside a proposal's execution comes from the logs with its
 * own name.)
 */
export const stakingProgramErrorName: (err: unknown) => string | undefined =
  stakingErrors.errorName;
/** The staking error `err` carries, if it is one of the staking program's own. */
export const stakingErrorOf: (err: unknown) => StakingErrorInfo | undefined = stakingErrors.of;
/** Whether `err` is the staking error `name`. */
export const isStakingError: (err: unknown, name: StakingErrorName) => boolean = stakingErrors.is;

/** A market error name (`MarketError::PaymentBelowQuote` is "PaymentBelowQuote"). */
export type MarketErrorName = IdlErrorName<Market>;
export type MarketErrorInfo = ProgramErrorInfo<MarketErrorName>;
/** The market program's errors and their lookups. */
export const marketErrors: ProgramErrors<MarketErrorName> = programErrors(
  "market",
  marketIdlJson.errors,
);
/** Every market error by name, from the IDL. */
export const MARKET_ERRORS: Readonly<Record<MarketErrorName, MarketErrorInfo>> =
  marketErrors.byName;
/** The market error `err` carries, if it is one of the market's own. */
export const marketErrorOf: (err: unknown) => MarketErrorInfo | undefined = marketErrors.of;
/** Whether `err` is the market error `name`. */
export const isMarketError: (err: unknown, name: MarketErrorName) => boolean = marketErrors.is;

/** Each iogrid program's error lookup by program id (base58). */
const ERRORS_BY_PROGRAM: ReadonlyMap<string, (code: number) => { name: string } | undefined> =
  new Map<string, (code: number) => { name: string } | undefined>([
    [REGISTRY_PROGRAM_ID.toBase58(), registryErrors.byCode],
    [IOTOKEN_PROGRAM_ID.toBase58(), iotokenErrors.byCode],
    [STAKING_PROGRAM_ID.toBase58(), stakingErrors.byCode],
    [MARKET_PROGRAM_ID.toBase58(), marketErrors.byCode],
  ]);

/**
 * The name of the error a transaction failed with, whichever instruction and program failed:
 * the program error in its logs (anchor's "Error Code: <Name>"), else a custom error number
 * read in the table of the program the failing instruction called (`programIds[i]`, the
 * transaction's instructions in order), else the runtime's own error (e.g.
 * "InsufficientFundsForFee", "BlockhashNotFound", "InstructionError:InvalidAccountData").
 * Undefined when `err` carries none of these. Never a bare number for an iogrid program.
 */
export function transactionErrorName(
  err: unknown,
  options: { logs?: readonly string[]; programIds?: readonly PublicKey[] } = {},
): string | undefined {
  const logs = options.logs ?? (err as { logs?: unknown } | null)?.logs;
  if (Array.isArray(logs) && logs.every((l) => typeof l === "string")) {
    const parsed = AnchorError.parse(logs as string[]);
    if (parsed) return parsed.error.errorCode.code;
  }
  if (err instanceof AnchorError) return err.error.errorCode.code;
  const raw = (err as { err?: unknown } | null)?.err ?? err;
  if (typeof raw === "string") return raw;
  if (typeof raw !== "object" || raw === null) return undefined;
  const instructionError = (raw as { InstructionError?: unknown }).InstructionError;
  if (Array.isArray(instructionError)) {
    const [index, detail] = instructionError as [unknown, unknown];
    if (typeof detail === "string") return `InstructionError:${detail}`;
    if (typeof detail === "object" && detail !== null && "Custom" in detail) {
      const code = (detail as { Custom: unknown }).Custom;
      if (typeof code !== "number") return undefined;
      const program = typeof index === "number" ? options.programIds?.[index] : undefined;
      const table = program ? ERRORS_BY_PROGRAM.get(program.toBase58()) : undefined;
      const name = table?.(code)?.name ?? anchorErrorName(code);
      return name ?? `${program ? program.toBase58().slice(0, 8) : "program"}:Custom(${code})`;
    }
    return undefined;
  }
  const keys = Object.keys(raw);
  return keys.length === 1 ? keys[0] : undefined;
}
