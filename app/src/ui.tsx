import type { ReactElement, ReactNode } from "react";

/** One figure of a stats list: a label and the value a test reads by `id`. */
export function Stat({
  label,
  value,
  id,
}: {
  label: string;
  value: ReactNode;
  id: string;
}): ReactElement {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={id}>{value}</dd>
    </div>
  );
}

/** A labelled text input named `name` (a decimal or whole-number keypad where asked). */
export function TextInput({
  label,
  name,
  value,
  onChange,
  inputMode,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  inputMode?: "decimal" | "numeric";
}): ReactElement {
  return (
    <label>
      {label}{" "}
      <input
        name={name}
        inputMode={inputMode}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/** A labelled select over `[value, text]` options. */
export function Select({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly (readonly [string, string])[];
}): ReactElement {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Loading and error states of a chain read, or nothing once it is ready. */
export function LoadState({
  state,
  what,
}: {
  state: { state: "loading" } | { state: "error"; error: string } | { state: "ready" };
  what: string;
}): ReactElement | null {
  if (state.state === "loading") return <p role="status">Loading {what}…</p>;
  if (state.state === "error")
    return (
      <p role="alert" className="error">
        Could not read the chain: {state.error}
      </p>
    );
  return null;
}
