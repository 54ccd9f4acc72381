/**
 * The registry's, the iotoken program's and the staking program's named errors, read from their
 * IDLs: match errors by name, never by number (each program numbers its own errors from 6000).
 * Browser-safe.
 */
import { AnchorError, LangErrorCode, ProgramError } from "@coral-xyz/anchor";

import iotokenIdlJson from "../../target/idl/iotoken.json" with { type: "json" };
import registryIdlJson from "../../target/idl/registry.json" with { type: "json" };
import stakingIdlJson from "../../target/idl/staking.json" with { type: "json" };
import type { Iotoken } from "../../target/types/iotoken.js";
import type { Registry } from "../../target/types/registry.js";
import type { Staking } from "../../target/types/staking.js";

/**
 * A registry error name exactly as the program defines it (`RegistryError::NotDeviceOwner` is
 * "NotDeviceOwner"), which is also what `AnchorError.error.errorCode.code` carries. The generated
 * `Registry` type holds them camelCased; capitalising restores the Rust name.
 */
export type RegistryErrorName = Capitalize<Registry["errors"][number]["name"]>;

export interface RegistryErrorInfo {
  name: RegistryErrorName;
  /** The program's error number (6000 + its position in `RegistryError`). */
  code: number;
  /** The program's `#[msg]`. */
  msg: string;
}

/** Every registry error by name, from the IDL. */
export const REGISTRY_ERRORS: Readonly<Record<RegistryErrorName, RegistryErrorInfo>> =
  Object.freeze(
    Object.fromEntries(
      registryIdlJson.errors.map((e) => [
        e.name,
        Object.freeze({ name: e.name as RegistryErrorName, code: e.code, msg: e.msg }),
      ]),
    ) as Record<RegistryErrorName, RegistryErrorInfo>,
  );

const BY_CODE: ReadonlyMap<number, RegistryErrorInfo> = new Map(
  Object.values(REGISTRY_ERRORS).map((info) => [info.code, info]),
);

/** The error number of a registry error name. */
export function registryErrorCode(name: RegistryErrorName): number {
  const info = REGISTRY_ERRORS[name];
  if (!info) throw new Error(`unknown registry error ${name}`);
  return info.code;
}

const LANG_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(LangErrorCode).map(([name, code]) => [code, name]),
);

/** The name of an anchor framework error number (e.g. 2001 is "ConstraintHasOne"). */
export function anchorErrorName(code: number): string | undefined {
  return LANG_BY_CODE.get(code);
}

/** The registry error with this number, if it is one. */
export function registryErrorByCode(code: number): RegistryErrorInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * The name of the program error (registry or anchor framework, e.g. "ConstraintHasOne") that
 * `err` carries, from whichever form the client produced: `AnchorError` (from `.rpc()`),
 * `ProgramError`, an error with transaction `logs` (web3.js `SendTransactionError`, the
 * sdk's `TransactionFailedError`), or a transaction error object `{ InstructionError: [i,
 * { Custom: n }] }` as `getSignatureStatuses` / `simulateTransaction` return it.
 */
export function programErrorName(err: unknown): string | undefined {
  return errorNameWith(err, errorNameOfCode);
}

/**
 * `programErrorName` with `nameOfCode` translating bare error numbers (which only the program
 * that failed can interpret).
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

/** The registry error `err` carries, if it is one of the registry's own. */
export function registryErrorOf(err: unknown): RegistryErrorInfo | undefined {
  const name = programErrorName(err);
  return name !== undefined && Object.hasOwn(REGISTRY_ERRORS, name)
    ? REGISTRY_ERRORS[name as RegistryErrorName]
    : undefined;
}

/** Whether `err` is the registry error `name`. */
export function isRegistryError(err: unknown, name: RegistryErrorName): boolean {
  return registryErrorOf(err)?.name === name;
}

function errorNameOfCode(code: number): string | undefined {
  return registryErrorByCode(code)?.name ?? anchorErrorName(code);
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

/**
 * An iotoken error name exactly as the program defines it (`IotokenError::EpochNotEnded` is
 * "EpochNotEnded"), which is also what `AnchorError.error.errorCode.code` carries.
 */
export type IotokenErrorName = Capitalize<Iotoken["errors"][number]["name"]>;

export interface IotokenErrorInfo {
  name: IotokenErrorName;
  /** The program's error number (6000 + its position in `IotokenError`). */
  code: number;
  /** The program's `#[msg]`. */
  msg: string;
}

/** Every iotoken error by name, from the IDL. */
export const IOTOKEN_ERRORS: Readonly<Record<IotokenErrorName, IotokenErrorInfo>> = Object.freeze(
  Object.fromEntries(
    iotokenIdlJson.errors.map((e) => [
      e.name,
      Object.freeze({ name: e.name as IotokenErrorName, code: e.code, msg: e.msg }),
    ]),
  ) as Record<IotokenErrorName, IotokenErrorInfo>,
);

const IOTOKEN_BY_CODE: ReadonlyMap<number, IotokenErrorInfo> = new Map(
  Object.values(IOTOKEN_ERRORS).map((info) => [info.code, info]),
);

/** The error number of an iotoken error name. */
export function iotokenErrorCode(name: IotokenErrorName): number {
  const info = IOTOKEN_ERRORS[name];
  if (!info) throw new Error(`unknown iotoken error ${name}`);
  return info.code;
}

/** The iotoken error with this number, if it is one. */
export function iotokenErrorByCode(code: number): IotokenErrorInfo | undefined {
  return IOTOKEN_BY_CODE.get(code);
}

/**
 * The name of the iotoken or anchor framework error `err` carries, in any of the shapes
 * `programErrorName` accepts; bare error numbers are read as the iotoken program's.
 */
export function iotokenProgramErrorName(err: unknown): string | undefined {
  return errorNameWith(err, (code) => iotokenErrorByCode(code)?.name ?? anchorErrorName(code));
}

/** The iotoken error `err` carries, if it is one of the iotoken program's own. */
export function iotokenErrorOf(err: unknown): IotokenErrorInfo | undefined {
  const name = iotokenProgramErrorName(err);
  return name !== undefined && Object.hasOwn(IOTOKEN_ERRORS, name)
    ? IOTOKEN_ERRORS[name as IotokenErrorName]
    : undefined;
}

/** Whether `err` is the iotoken error `name`. */
export function isIotokenError(err: unknown, name: IotokenErrorName): boolean {
  return iotokenErrorOf(err)?.name === name;
}

/**
 * A staking error name exactly as the program defines it (`StakingError::StakeLocked` is
 * "StakeLocked"), which is also what `AnchorError.error.errorCode.code` carries.
 */
export type StakingErrorName = Capitalize<Staking["errors"][number]["name"]>;

export interface StakingErrorInfo {
  name: StakingErrorName;
  /** The program's error number (6000 + its position in `StakingError`). */
  code: number;
  /** The program's `#[msg]`. */
  msg: string;
}

/** Every staking error by name, from the IDL. */
export const STAKING_ERRORS: Readonly<Record<StakingErrorName, StakingErrorInfo>> = Object.freeze(
  Object.fromEntries(
    stakingIdlJson.errors.map((e) => [
      e.name,
      Object.freeze({ name: e.name as StakingErrorName, code: e.code, msg: e.msg }),
    ]),
  ) as Record<StakingErrorName, StakingErrorInfo>,
);

const STAKING_BY_CODE: ReadonlyMap<number, StakingErrorInfo> = new Map(
  Object.values(STAKING_ERRORS).map((info) => [info.code, info]),
);

/** The error number of a staking error name. */
export function stakingErrorCode(name: StakingErrorName): number {
  const info = STAKING_ERRORS[name];
  if (!info) throw new Error(`unknown staking error ${name}`);
  return info.code;
}

/** The staking error with this number, if it is one. */
export function stakingErrorByCode(code: number): StakingErrorInfo | undefined {
  return STAKING_BY_CODE.get(code);
}

/**
 * The name of the staking or anchor framework error `err` carries, in any of the shapes
 * `programErrorName` accepts; bare error numbers are read as the staking program's. (An error
 * raised by iotoken or the registry inside a proposal's execution comes from the logs with its
 * own name.)
 */
export function stakingProgramErrorName(err: unknown): string | undefined {
  return errorNameWith(err, (code) => stakingErrorByCode(code)?.name ?? anchorErrorName(code));
}

/** The staking error `err` carries, if it is one of the staking program's own. */
export function stakingErrorOf(err: unknown): StakingErrorInfo | undefined {
  const name = stakingProgramErrorName(err);
  return name !== undefined && Object.hasOwn(STAKING_ERRORS, name)
    ? STAKING_ERRORS[name as StakingErrorName]
    : undefined;
}

/** Whether `err` is the staking error `name`. */
export function isStakingError(err: unknown, name: StakingErrorName): boolean {
  return stakingErrorOf(err)?.name === name;
}
