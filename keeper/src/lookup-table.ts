/**
 * The keeper's address lookup table for attestations. An attestation's fixed accounts (the keeper
 * account, the registry and staking configs, the instructions and SlotHashes sysvars) and the
 * running epoch's availability record take 31 bytes each off every transaction when loaded from a
 * table: a third device's probe then fits a v0 transaction where a legacy one holds two.
 *
 * The table belongs to the keeper's wallet and lives as long as it has room: each epoch adds its
 * record (one `extend` a transaction, the rent of 32 bytes). A full table is deactivated and a
 * new one created; a deactivated table is closed once the chain allows it (SlotHashes no longer
 * holds its deactivation slot), its rent back to the wallet. The table's address is kept in
 * `<stateDir>/lookup-table-<wallet>.json`, written durably before the transaction that creates
 * it, so a keeper killed at any point finds its table (or learns that it never landed) again.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
  AddressLookupTableProgram,
  PublicKey,
  SYSVAR_INSTRUCTIONS_PUBKEY,
  SYSVAR_SLOT_HASHES_PUBKEY,
} from "@solana/web3.js";
import type { AddressLookupTableAccount, TransactionInstruction } from "@solana/web3.js";

import { availabilityEpochPda, configPda, stakingConfigPda } from "@iogrid/sdk";
import { expandHome, writeFileDurably } from "@iogrid/sdk/node";

import type { KeeperContext } from "./context.js";

/** Most addresses one lookup table holds. */
export const LOOKUP_TABLE_CAPACITY = 256;
/** Slots after its deactivation before a table may be closed (SlotHashes' length, plus one). */
const CLOSE_AFTER_SLOTS = 513n;
/** A table that was never deactivated has `u64::MAX` as its deactivation slot. */
const ACTIVE = 2n ** 64n - 1n;
/** Longest wait for the slot after an extension, from which the new addresses are usable. */
const ACTIVATION_WAIT_MS = 5_000;

interface SavedState {
  /** The table in use (created, or being created). */
  table?: string;
  /** Deactivated tables not closed yet. */
  retired: string[];
}

export class AttestLookupTable {
  readonly path: string;
  private state: SavedState;
  private cached: AddressLookupTableAccount | undefined;

  constructor(
    private readonly ctx: KeeperContext,
    private readonly bot: string,
    private readonly capacity = LOOKUP_TABLE_CAPACITY,
  ) {
    const wallet = ctx.wallet.publicKey.toBase58();
    this.path = join(expandHome(ctx.config.stateDir), `lookup-table-${wallet}.json`);
    this.state = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, "utf8")) as SavedState)
      : { retired: [] };
  }

  /** The accounts every attestation of this keeper names, whatever the epoch and devices. */
  fixedAddresses(): PublicKey[] {
    return [
      this.ctx.keeperAccount,
      configPda().address,
      stakingConfigPda().address,
      SYSVAR_INSTRUCTIONS_PUBKEY,
      SYSVAR_SLOT_HASHES_PUBKEY,
    ];
  }

  /**
   * The table with the fixed accounts and `epoch`'s availability record, usable from the current
   * slot; created, extended or replaced as needed. Undefined when it cannot be had now (a refused
   * or dry-run transaction): the caller sends legacy transactions and the next tick tries again.
   */
  async forEpoch(epoch: bigint): Promise<AddressLookupTableAccount | undefined> {
    await this.closeRetired();
    const record = availabilityEpochPda(epoch).address;
    let table = await this.current();
    if (table && !table.state.addresses.some((a) => a.equals(record))) {
      if (table.state.addresses.length < this.capacity) {
        table = await this.extend(table, [record]);
        if (!table) return undefined;
      } else {
        await this.retire(table);
        table = undefined;
      }
    }
    table ??= await this.create([...this.fixedAddresses(), record]);
    if (!table) return undefined;
    return (await this.activated(table)) ? table : undefined;
  }

  /** The table in use as the chain holds it, or undefined when there is none (any more). */
  private async current(): Promise<AddressLookupTableAccount | undefined> {
    if (this.cached) return this.cached;
    if (!this.state.table) return undefined;
    const table = await this.fetch(new PublicKey(this.state.table));
    const mine = table?.state.authority?.equals(this.ctx.wallet.publicKey) ?? false;
    if (table && mine && BigInt(table.state.deactivationSlot) === ACTIVE) {
      this.cached = table;
      return table;
    }
    // Never landed (the keeper was stopped before it did), or not usable: start a new one.
    if (table && mine) this.state.retired.push(this.state.table);
    this.save({ ...this.state, table: undefined });
    return undefined;
  }

  private async create(addresses: PublicKey[]): Promise<AddressLookupTableAccount | undefined> {
    const wallet = this.ctx.wallet.publicKey;
    const recentSlot = await this.ctx.connection.getSlot("finalized");
    const [createIx, address] = AddressLookupTableProgram.createLookupTable({
      authority: wallet,
      payer: wallet,
      recentSlot,
    });
    // Remembered before it is sent: a keeper killed while it lands finds it on restart.
    this.save({ ...this.state, table: address.toBase58() });
    const sent = await this.send("create_lookup_table", [
      createIx,
      AddressLookupTableProgram.extendLookupTable({
        authority: wallet,
        payer: wallet,
        lookupTable: address,
        addresses,
      }),
    ]);
    if (!sent) return undefined;
    this.ctx.log.child(this.bot).info("lookup table created", { table: address.toBase58() });
    return (this.cached = await this.fetch(address));
  }

  private async extend(
    table: AddressLookupTableAccount,
    addresses: PublicKey[],
  ): Promise<AddressLookupTableAccount | undefined> {
    const wallet = this.ctx.wallet.publicKey;
    const sent = await this.send("extend_lookup_table", [
      AddressLookupTableProgram.extendLookupTable({
        authority: wallet,
        payer: wallet,
        lookupTable: table.key,
        addresses,
      }),
    ]);
    // Refetched either way: a refusal may mean a copy of this extension landed already.
    this.cached = undefined;
    return sent ? (this.cached = await this.fetch(table.key)) : undefined;
  }

  /** Deactivates a full table; it is closed once the chain allows. */
  private async retire(table: AddressLookupTableAccount): Promise<void> {
    await this.send("deactivate_lookup_table", [
      AddressLookupTableProgram.deactivateLookupTable({
        authority: this.ctx.wallet.publicKey,
        lookupTable: table.key,
      }),
    ]);
    this.cached = undefined;
    this.save({ table: undefined, retired: [...this.state.retired, table.key.toBase58()] });
  }

  /** Closes the retired tables the chain lets close; forgets those that are gone. */
  private async closeRetired(): Promise<void> {
    if (this.state.retired.length === 0) return;
    const slot = BigInt(await this.ctx.connection.getSlot(this.ctx.commitment));
    const remaining: string[] = [];
    for (const address of this.state.retired) {
      const key = new PublicKey(address);
      const table = await this.fetch(key);
      if (!table) continue;
      const deactivated = BigInt(table.state.deactivationSlot);
      if (deactivated === ACTIVE) {
        // A deactivation that never landed: send it again.
        await this.send("deactivate_lookup_table", [
          AddressLookupTableProgram.deactivateLookupTable({
            authority: this.ctx.wallet.publicKey,
            lookupTable: key,
          }),
        ]);
        remaining.push(address);
        continue;
      }
      const closable = slot > deactivated + CLOSE_AFTER_SLOTS;
      const closed =
        closable &&
        (await this.send("close_lookup_table", [
          AddressLookupTableProgram.closeLookupTable({
            authority: this.ctx.wallet.publicKey,
            lookupTable: key,
            recipient: this.ctx.wallet.publicKey,
          }),
        ]));
      if (!closed) remaining.push(address);
    }
    if (remaining.length !== this.state.retired.length) {
      this.save({ ...this.state, retired: remaining });
    }
  }

  /** Whether the chain is past the slot of the table's last extension (waiting a little). */
  private async activated(table: AddressLookupTableAccount): Promise<boolean> {
    const extended = BigInt(table.state.lastExtendedSlot);
    const deadline = Date.now() + ACTIVATION_WAIT_MS;
    while (BigInt(await this.ctx.connection.getSlot(this.ctx.commitment)) <= extended) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  private async fetch(key: PublicKey): Promise<AddressLookupTableAccount | undefined> {
    const { value } = await this.ctx.connection.getAddressLookupTable(key, {
      commitment: this.ctx.commitment,
    });
    return value ?? undefined;
  }

  private async send(label: string, instructions: TransactionInstruction[]): Promise<boolean> {
    const outcome = await this.ctx.sender(this.bot).send({ label, instructions });
    return outcome.status === "confirmed";
  }

  private save(state: SavedState): void {
    this.state = state;
    writeFileDurably(this.path, JSON.stringify(state, null, 2) + "\n");
  }
}
