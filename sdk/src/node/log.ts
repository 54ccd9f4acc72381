/**
 * Line-oriented logging for daemons: one line per event on stderr, either human text
 * (`2025-01-01T00:00:00.000Z warn agent: message key=value`) or JSON lines for collectors,
 * with child loggers naming the component.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger for a part of the process, `parent/name`. */
  child(name: string): Logger;
}

export interface LoggerOptions {
  /** Lowest level written; default "info" (env `IOGRID_LOG_LEVEL` overrides). */
  level?: LogLevel;
  /** JSON lines instead of text; default false (env `IOGRID_LOG_FORMAT=json` overrides). */
  json?: boolean;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
}

function fieldText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text =
        typeof v === "string"
          ? v
          : JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
      return `${k}=${/\s/.test(text ?? "") ? JSON.stringify(text) : text}`;
    })
    .join(" ");
}

/** A logger named `name`. */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const envLevel = process.env.IOGRID_LOG_LEVEL as LogLevel | undefined;
  const level = LEVELS[envLevel ?? options.level ?? "info"] ?? LEVELS.info;
  const json = process.env.IOGRID_LOG_FORMAT === "json" || (options.json ?? false);
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const make = (component: string): Logger => {
    const emit = (lvl: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
      if (LEVELS[lvl] < level) return;
      const time = new Date().toISOString();
      if (json) {
        write(
          JSON.stringify({ time, level: lvl, component, message, ...fields }, (_k, v: unknown) =>
            typeof v === "bigint" ? v.toString() : v,
          ),
        );
      } else {
        const extra = fieldText(fields);
        write(`${time} ${lvl} ${component}: ${message}${extra ? ` ${extra}` : ""}`);
      }
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (child) => make(`${component}/${child}`),
    };
  };
  return make(name);
}
