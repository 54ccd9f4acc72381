/**
 * What a `reserve` was asked for, kept before anything is sent (mode 0600, it may hold the
 * workload's environment): `reserve --resume R` reads it to book what is missing, `status`
 * to say a reservation is incomplete. One JSON file per reservation under `<state>/reservations`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { PublicKey } from "@solana/web3.js";

import type { PaymentTokenName, WorkloadEnv, WorkloadKindName } from "@iogrid/sdk";

import type { FilterFlags } from "./args.js";
import { stateDir } from "./context.js";

export interface Plan {
  version: 1;
  reservation: string;
  renter: string;
  id: string;
  rpcUrl: string;
  /** Devices asked for. */
  devices: number;
  hours: number;
  pay: PaymentTokenName;
  /** The search flags as typed (replacements are searched with them). */
  filters: FilterFlags;
  /** The devices chosen when the plan was made, best first. */
  selected: string[];
  workload: { kind: WorkloadKindName; image: string; ports: number[] };
  env?: WorkloadEnv;
  relay?: string;
  createdAt: string;
}

function planFile(reservation: PublicKey | string): string {
  const name = typeof reservation === "string" ? reservation : reservation.toBase58();
  return join(stateDir(), "reservations", `${name}.json`);
}

export function savePlan(plan: Plan): void {
  writeFileSync(planFile(plan.reservation), JSON.stringify(plan, null, 2) + "\n", { mode: 0o600 });
}

/** The plan of `reservation`, if this machine made it. */
export function loadPlan(reservation: PublicKey): Plan | undefined {
  const file = planFile(reservation);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Plan;
  } catch {
    return undefined;
  }
}
