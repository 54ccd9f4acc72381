/**
 * Device registration co-signed by the device's agent key: proof that whoever registers a device
 * id holds the agent key it names, so device ids cannot be squatted with someone else's agent.
 * The agent key is a signer of the `register_device` instruction: today as an extra signer
 * account after the ones the program declares (which the program ignores but the runtime still
 * verifies); when `register_device` declares the agent as its own signer account, the builder
 * already carries it and nothing is added. Browser-safe.
 */
import type { Program } from "@coral-xyz/anchor";
import type { TransactionInstruction } from "@solana/web3.js";

import { registerDeviceIx } from "../registry.js";
import type { Registry, RegisterDeviceParams } from "../registry.js";

/** `register_device` with `params.agent` among its signers. */
export async function registerDeviceCosignedIx(
  program: Program<Registry>,
  params: RegisterDeviceParams,
): Promise<TransactionInstruction> {
  const ix = await registerDeviceIx(program, params);
  const existing = ix.keys.find((k) => k.pubkey.equals(params.agent));
  if (existing) existing.isSigner = true;
  else ix.keys.push({ pubkey: params.agent, isSigner: true, isWritable: false });
  return ix;
}
