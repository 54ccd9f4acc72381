/**
 * Every typed parameter change a governance proposal can carry, described from the staking IDL's
 * `ParameterChange` enum (variants, fields and their types, doc comments), so a client builds a
 * form for each change without restating its layout: `parameterChangeKinds` lists them,
 * `changeInputOf` turns current values into form input, `parameterChangeFromInput` parses form
 * input back into a `ParameterChangeLike` for `createProposalIx` (integers range-checked, keys
 * parsed, a named path on the first bad field), and `currentChangeValue` reads a change's current
 * values from the configs it targets. Browser-safe.
 */
import { PublicKey } from "@solana/web3.js";

import { toBigInt } from "../ints.js";
import { changeTarget, stakingProgram } from "../staking.js";
import type { ChangeTarget, ParameterChangeLike, StakingConfig } from "../staking.js";
import type { TokenConfig } from "../iotoken.js";
import type { RegistryConfig } from "../registry.js";

/** Integer types a change field may have. */
export type ChangeIntType = "u8" | "u16" | "u32" | "u64" | "i64";

/** The shape of one field of a change, as the IDL describes it. */
export type ChangeFieldType =
  | { kind: "integer"; type: ChangeIntType; min: bigint; max: bigint }
  | { kind: "bool" }
  | { kind: "pubkey" }
  | { kind: "string" }
  | { kind: "struct"; name: string; fields: ChangeField[] }
  | { kind: "vec"; item: ChangeFieldType }
  | { kind: "option"; inner: ChangeFieldType };

export interface ChangeField {
  /** camelCase, as the encoded change names it. */
  name: string;
  /** The field's doc comment in the program, if any. */
  docs: string[];
  type: ChangeFieldType;
}

/** One variant of `ParameterChange`. */
export interface ChangeKind {
  /** camelCase variant name (`minStakeBase`), the key of the encoded change. */
  name: string;
  docs: string[];
  /** The program whose config the change applies to. */
  target: ChangeTarget;
  fields: ChangeField[];
}

/**
 * Form input for a field: a string for integers, keys and strings, a boolean for bools, an array
 * for vectors, an object of fields for structs, and `null` for an unset option.
 */
export type ChangeInput =
  string | boolean | null | ChangeInput[] | { [field: string]: ChangeInput };

/** Form input that does not make a valid change; `path` names the field (`fees.settleTip`). */
export class ChangeInputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "ChangeInputError";
  }
}

const RANGES: Record<ChangeIntType, [bigint, bigint]> = {
  u8: [0n, 255n],
  u16: [0n, 65_535n],
  u32: [0n, 4_294_967_295n],
  u64: [0n, 2n ** 64n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

interface IdlField {
  name: string;
  docs?: string[];
  type: unknown;
}
interface IdlTypeDef {
  name: string;
  docs?: string[];
  type: {
    kind: string;
    fields?: IdlField[];
    variants?: { name: string; docs?: string[]; fields?: IdlField[] }[];
  };
}

let kinds: ChangeKind[] | undefined;

/** Every `ParameterChange` variant with its fields, in the program's order. */
export function parameterChangeKinds(): readonly ChangeKind[] {
  if (kinds) return kinds;
  const types = (stakingProgram().idl.types ?? []) as unknown as IdlTypeDef[];
  const byName = new Map(types.map((t) => [t.name, t]));
  const fieldType = (type: unknown): ChangeFieldType => {
    if (typeof type === "string") {
      if (type in RANGES) {
        const [min, max] = RANGES[type as ChangeIntType];
        return { kind: "integer", type: type as ChangeIntType, min, max };
      }
      if (type === "bool" || type === "pubkey" || type === "string") return { kind: type };
      throw new Error(`ParameterChange field type ${type} is not supported`);
    }
    const t = type as { vec?: unknown; option?: unknown; defined?: { name: string } | string };
    if (t.vec !== undefined) return { kind: "vec", item: fieldType(t.vec) };
    if (t.option !== undefined) return { kind: "option", inner: fieldType(t.option) };
    if (t.defined !== undefined) {
      const name = typeof t.defined === "string" ? t.defined : t.defined.name;
      const def = byName.get(name);
      if (def?.type.kind !== "struct") throw new Error(`IDL type ${name} is not a struct`);
      return { kind: "struct", name, fields: (def.type.fields ?? []).map(field) };
    }
    throw new Error(`ParameterChange field type ${JSON.stringify(type)} is not supported`);
  };
  const field = (f: IdlField): ChangeField => ({
    name: f.name,
    docs: f.docs ?? [],
    type: fieldType(f.type),
  });
  const def = byName.get("parameterChange");
  if (!def?.type.variants) throw new Error("the staking IDL has no ParameterChange enum");
  kinds = def.type.variants.map((v) => ({
    name: v.name,
    docs: v.docs ?? [],
    target: changeTarget({ [v.name]: {} } as unknown as ParameterChangeLike),
    fields: (v.fields ?? []).map(field),
  }));
  return kinds;
}

/** The variant named `name`; throws when there is none. */
export function parameterChangeKind(name: string): ChangeKind {
  const kind = parameterChangeKinds().find((k) => k.name === name);
  if (!kind) throw new Error(`no ParameterChange variant ${name}`);
  return kind;
}

/** Empty input for a field of `type` (an unset option, an empty vector, blank strings). */
export function blankChangeInput(type: ChangeFieldType): ChangeInput {
  switch (type.kind) {
    case "bool":
      return false;
    case "struct":
      return Object.fromEntries(type.fields.map((f) => [f.name, blankChangeInput(f.type)]));
    case "vec":
      return [];
    case "option":
      return null;
    default:
      return "";
  }
}

/** Form input showing `value` (a decoded or bigint-form value) for a field of `type`. */
export function changeInputOf(type: ChangeFieldType, value: unknown): ChangeInput {
  switch (type.kind) {
    case "integer":
      return toBigInt(value as bigint).toString();
    case "bool":
      return Boolean(value);
    case "pubkey":
      return (value as PublicKey).toBase58();
    case "string":
      return String(value);
    case "struct": {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(
        type.fields.map((f) => [f.name, changeInputOf(f.type, record[f.name])]),
      );
    }
    case "vec":
      return (value as unknown[]).map((item) => changeInputOf(type.item, item));
    case "option":
      return value === null || value === undefined ? null : changeInputOf(type.inner, value);
  }
}

function parseField(type: ChangeFieldType, input: ChangeInput, path: string): unknown {
  const fail = (reason: string): never => {
    throw new ChangeInputError(path, reason);
  };
  switch (type.kind) {
    case "integer": {
      const text = typeof input === "string" ? input.trim() : "";
      if (!/^-?\d+$/.test(text)) return fail(`${type.type}: enter a whole number`);
      const value = BigInt(text);
      if (value < type.min || value > type.max)
        return fail(`${type.type}: between ${type.min} and ${type.max}`);
      return type.type === "u64" || type.type === "i64" ? value : Number(value);
    }
    case "bool":
      return input === true;
    case "pubkey": {
      const text = typeof input === "string" ? input.trim() : "";
      try {
        return new PublicKey(text);
      } catch {
        return fail("not a base58 public key");
      }
    }
    case "string":
      return typeof input === "string" ? input : fail("text expected");
    case "struct": {
      const record =
        input !== null && typeof input === "object" && !Array.isArray(input) ? input : {};
      return Object.fromEntries(
        type.fields.map((f) => [
          f.name,
          parseField(f.type, record[f.name] ?? blankChangeInput(f.type), `${path}.${f.name}`),
        ]),
      );
    }
    case "vec":
      return Array.isArray(input)
        ? input.map((item, i) => parseField(type.item, item, `${path}[${i}]`))
        : fail("a list expected");
    case "option":
      return input === null ? null : parseField(type.inner, input, path);
  }
}

/**
 * The change `kind` with the field values `input` (keyed by field name), for `createProposalIx`.
 * Throws `ChangeInputError` at the first field that is not a value of its type; the program still
 * checks the change's bounds (its error names the bound).
 */
export function parameterChangeFromInput(
  kind: ChangeKind,
  input: Record<string, ChangeInput>,
): ParameterChangeLike {
  const fields = Object.fromEntries(
    kind.fields.map((f) => [
      f.name,
      parseField(f.type, input[f.name] ?? blankChangeInput(f.type), f.name),
    ]),
  );
  return { [kind.name]: fields } as unknown as ParameterChangeLike;
}

/** The configs the changes act on, as decoded (any may be missing). */
export interface ChangeConfigs {
  staking?: StakingConfig | null;
  token?: TokenConfig | null;
  registry?: RegistryConfig | null;
}

/**
 * The current values of the parameters change `kind` replaces, by field name (what a form starts
 * from), or null when they are not a config's (`lowerEmissionRow`, `poolDistributor`,
 * `resumePriceFeed`) or its config is missing.
 */
export function currentChangeValue(
  kind: string,
  configs: ChangeConfigs,
): Record<string, unknown> | null {
  const { staking, token, registry } = configs;
  switch (kind) {
    case "fees":
      return token ? { fees: token.fees } : null;
    case "oracleUpdaters":
      return token ? { updaters: token.priceUpdaters } : null;
    case "tokenParams":
      return token
        ? {
            emission: token.emission,
            oracle: token.oracle,
            breaker: token.breaker,
            buyback: token.buyback,
          }
        : null;
    case "keeperBond":
      return registry
        ? {
            amount: registry.keeperBondAmount,
            unbondCooldownSecs: registry.keeperUnbondCooldownSecs,
          }
        : null;
    case "registryMarket":
      return registry ? { program: registry.marketProgram } : null;
    case "registryAvailability":
      return registry ? { ...registry.availability } : null;
    case "gpuClasses":
      return staking ? { classes: staking.gpuClasses } : null;
    case "minStakeBase":
      return staking ? { amount: staking.stake.minStakeBase } : null;
    case "unstakeCooldown":
      return staking ? { secs: staking.stake.unstakeCooldownSecs } : null;
    case "slashing":
      return staking ? { params: staking.slashing } : null;
    case "slashers":
      return staking ? { programs: staking.slashers.map((s) => s.program) } : null;
    case "governance":
      return staking ? { params: staking.governance } : null;
    default:
      return null;
  }
}

/** Form input for change `kind`: the current values where known, else blank. */
export function initialChangeInput(
  kind: ChangeKind,
  configs: ChangeConfigs,
): Record<string, ChangeInput> {
  const current = currentChangeValue(kind.name, configs);
  return Object.fromEntries(
    kind.fields.map((f) => {
      const value = current?.[f.name];
      return [
        f.name,
        value === undefined ? blankChangeInput(f.type) : changeInputOf(f.type, value),
      ];
    }),
  );
}

/** The variant name of an encoded change (`{ minStakeBase: { amount } }` -> "minStakeBase"). */
export function parameterChangeName(change: ParameterChangeLike): string {
  const name = Object.keys(change)[0];
  if (!name) throw new Error("an empty ParameterChange");
  return name;
}

/** The change's fields as form input (strings), e.g. to show a proposal's change. */
export function parameterChangeInput(change: ParameterChangeLike): Record<string, ChangeInput> {
  const name = parameterChangeName(change);
  const kind = parameterChangeKind(name);
  const values = (change as unknown as Record<string, Record<string, unknown>>)[name] ?? {};
  return Object.fromEntries(
    kind.fields.map((f) => [f.name, changeInputOf(f.type, values[f.name])]),
  );
}
