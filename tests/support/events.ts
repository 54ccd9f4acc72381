/** Collecting a program's Anchor events by name, as the suites listening over websockets do. */
import type { Connection, TransactionSignature } from "@solana/web3.js";

import { Collector } from "./chain.js";

/** An event as an Anchor listener received it, with its slot and transaction. */
export interface EventRecord<E> {
  event: E;
  slot: number;
  signature: TransactionSignature;
}

/** A listener callback, as `Program.addEventListener` calls it. */
type Push<E> = (event: E, slot: number, signature: TransactionSignature) => void;

/**
 * One `Collector` per event name, fed by a listener each that `listen` (the program's
 * `addEventListener`) adds; `remove` takes them off again.
 */
export class EventCollectors<N extends string, E> {
  private readonly collectors = new Map<N, Collector<EventRecord<E>>>();
  private readonly listenerIds: number[] = [];

  constructor(names: readonly N[], listen: (name: N, push: Push<E>) => number) {
    for (const name of names) {
      const collector = new Collector<EventRecord<E>>();
      this.collectors.set(name, collector);
      this.listenerIds.push(
        listen(name, (event, slot, signature) => collector.push({ event, slot, signature })),
      );
    }
  }

  /** The collector of the event `name`. */
  get(name: N): Collector<EventRecord<E>> {
    const collector = this.collectors.get(name);
    if (!collector) throw new Error(`no listener for ${name}`);
    return collector;
  }

  /** Waits for the event `name` emitted by transaction `signature`. */
  of(name: N, signature: TransactionSignature): Promise<EventRecord<E>> {
    return this.get(name).next(`${name} of ${signature}`, (r) => r.signature === signature);
  }

  /** Removes every listener through `unlisten` (the program's `removeEventListener`). */
  async remove(unlisten: (listenerId: number) => Promise<void>): Promise<void> {
    for (const id of this.listenerIds.splice(0)) await unlisten(id);
  }
}

/** The log messages of the confirmed transaction `signature` (none if it is not found). */
export async function transactionLogs(
  connection: Connection,
  signature: TransactionSignature,
): Promise<string[]> {
  const tx = await connection.getTransaction(signature, {
    commitment: "confirmed",
    maxSupportedTransactionVersion: 0,
  });
  return tx?.meta?.logMessages ?? [];
}
