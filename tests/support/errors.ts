/** Asserting that a call fails with one program's named error, through the sdk's error tables. */
import { AnchorError } from "@coral-xyz/anchor";
import type { ProgramErrors } from "@iogrid/sdk";
import type { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { rejectionOf } from "./chain.js";

/**
 * Asserts that `promise` rejects with the error `name` of the program whose sdk error table is
 * `errors`, matched by name through the sdk's mapping. With `anchorError`, it must also be an
 * `AnchorError` (as `.rpc()` throws) carrying the program's number and message and `programId`;
 * without, any error the mapping reads works (builders sent with `sendAndConfirm` reject with an
 * error whose logs carry the name).
 */
export async function expectProgramError<N extends string>(
  errors: ProgramErrors<N>,
  programId: PublicKey,
  promise: Promise<unknown>,
  name: NoInfer<N>,
  options: { anchorError: true },
): Promise<AnchorError>;
export async function expectProgramError<N extends string>(
  errors: ProgramErrors<N>,
  programId: PublicKey,
  promise: Promise<unknown>,
  name: NoInfer<N>,
  options: { anchorError: boolean },
): Promise<unknown>;
export async function expectProgramError<N extends string>(
  errors: ProgramErrors<N>,
  programId: PublicKey,
  promise: Promise<unknown>,
  name: N,
  { anchorError }: { anchorError: boolean },
): Promise<unknown> {
  const err = await rejectionOf(promise);
  expect(errors.is(err, name), `expected ${name}, got ${String(err)}`).to.equal(true);
  if (anchorError) {
    expect(err, `expected an AnchorError, got ${String(err)}`).to.be.instanceOf(AnchorError);
    const e = err as AnchorError;
    expect(e.error.errorCode.code).to.equal(name);
    expect(e.error.errorCode.number).to.equal(errors.code(name));
    expect(e.error.errorMessage).to.equal(errors.byName[name].msg);
    expect(e.program.equals(programId)).to.equal(true);
  }
  return err;
}
