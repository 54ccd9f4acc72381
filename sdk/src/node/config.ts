/**
 * YAML configuration files checked against a zod schema. Every problem becomes one line naming
 * the file, the field's path and what is wrong with it, so an operator fixes a config without
 * reading a stack trace; nothing starts from a config with any problem.
 */
import { readFileSync } from "node:fs";

import { PublicKey } from "@solana/web3.js";
import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

import { expandHome } from "./index.js";

/** A config file that cannot be used; `problems` holds one line per bad field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

/** `a.b[2].c` for a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

/** One line per zod issue: `<file>: <field>: <message>`. */
export function configProblems(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    // Unknown keys are reported once per key, with its own path.
    if (issue.code === "unrecognized_keys") {
      const keys = (issue as { keys: string[] }).keys;
      return keys
        .map(
          (key) =>
            `${file}: ${fieldPath([...issue.path, key])}: unknown field (check its spelling)`,
        )
        .join("\n");
    }
    return `${file}: ${fieldPath(issue.path)}: ${issue.message}`;
  });
}

/**
 * Parses `text` (YAML) and checks it against `schema`; throws `ConfigError` listing every problem
 * (YAML syntax errors with their line, then each bad field). `file` names the source in messages.
 */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  schema: S,
  file = "config",
): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : "YAML";
        return `${file}: ${where}: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ConfigError(file, [`${file}: (top level): expected a mapping of fields`]);
  }
  const value: unknown = doc.toJS() ?? {};
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(file, configProblems(file, result.error).join("\n").split("\n"));
  }
  return result.data as z.infer<S>;
}

/** Reads and checks the YAML config at `path` (see `parseYamlConfig`). */
export function loadYamlConfig<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  const file = expandHome(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new ConfigError(file, [`${file}: cannot read the config file (${why})`]);
  }
  return parseYamlConfig(text, schema, file);
}

// Field types the daemons' schemas share.

/** A base58 Solana public key (as a string). */
export const publicKeyField = z.string().refine(
  (s) => {
    try {
      return new PublicKey(s).toBase58() === s;
    } catch {
      return false;
    }
  },
  { message: "expected a base58 Solana public key" },
);

/** An http:// or https:// URL. */
export const httpUrlField = z
  .string()
  .refine((s) => /^https?:\/\/[^\s/]+/.test(s) && URL.canParse(s), {
    message: "expected an http:// or https:// URL",
  });

/** A ws:// or wss:// URL. */
export const wsUrlField = z.string().refine((s) => /^wss?:\/\/[^\s/]+/.test(s) && URL.canParse(s), {
  message: "expected a ws:// or wss:// URL",
});

/** `host:port` split, or undefined when malformed (port 0 picks a free one). */
export function parseListen(s: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65_535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** `host:port` with a numeric port. */
export const listenField = z.string().refine((s) => parseListen(s) !== undefined, {
  message: 'expected "host:port", e.g. "0.0.0.0:7777"',
});

/** An integer from 1 to `max`. */
export const positiveIntField = (max = Number.MAX_SAFE_INTEGER) => z.number().int().min(1).max(max);
