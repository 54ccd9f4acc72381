/**
 * The availability epoch crank as a client runs it (Node only): open the running epoch's record
 * and fix its assignment seed once the chain has passed the seed slot. Keepers do this at every
 * epoch's start; tests do it before attesting.
 */
import type { Program } from "@coral-xyz/anchor";
import { Transaction } from "@solana/web3.js";
import type { Connection, Keypair } from "@solana/web3.js";
import { setTimeout as sleep } from "node:timers/promises";

import { availabilityEpochPda } from "../pda.js";
import { openAvailabilityEpochIx } from "../registry.js";
import type { AvailabilityEpoch, Registry } from "../registry.js";
import { sendAndConfirm } from "./index.js";

/**
 * Opens `epoch`'s availability record (it must be the running epoch) if nobody has, waits for the
 * seed slot to pass and fixes the seed if nobody has; returns the record with its seed. `payer`
 * pays the record's rent and the fees.
 */
export async function openAvailabilityEpoch(
  connection: Connection,
  registry: Program<Registry>,
  payer: Keypair,
  epoch: bigint,
  pollMs = 100,
): Promise<AvailabilityEpoch> {
  const address = availabilityEpochPda(epoch, registry.programId).address;
  const open = async () =>
    sendAndConfirm(
      connection,
      new Transaction().add(
        await openAvailabilityEpochIx(registry, { payer: payer.publicKey, epoch }),
      ),
      [payer],
    );
  if (!(await connection.getAccountInfo(address, "confirmed"))) await open();
  let record = await registry.account.availabilityEpoch.fetch(address, "confirmed");
  while (!record.seedFixed) {
    while (BigInt(await connection.getSlot("confirmed")) <= BigInt(record.seedSlot.toString())) {
      await sleep(pollMs);
    }
    // Another client may have fixed it in the meantime: only then is a refusal expected.
    try {
      await open();
    } catch (error) {
      const fixed = await registry.account.availabilityEpoch.fetch(address, "confirmed");
      if (!fixed.seedFixed) throw error;
    }
    record = await registry.account.availabilityEpoch.fetch(address, "confirmed");
  }
  return record;
}
