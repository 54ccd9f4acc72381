/**
 * Who may initialise a program's config (the review's M5): its deployer, mirroring
 * `programs/iotoken/src/deployer.rs`. That is the program's upgrade authority where the BPF
 * upgradeable loader owns the program and it still has one; otherwise (a native program, as the
 * local chain loads them, a loader-v2 program, or an immutable one) the program id's own key.
 * Every `initialize` takes `deployer` (signing), `program` and `programData` accounts.
 * Browser-safe: no Node APIs.
 */
import { PublicKey } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";

/** The BPF upgradeable loader (loader v3). */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey(
  "BPFLoaderUpgradeab1e11111111111111111111111",
);

/** `UpgradeableLoaderState` tags (little-endian u32). */
const PROGRAM_TAG = 2;
const PROGRAM_DATA_TAG = 3;

/** `programId`'s `ProgramData` address under the upgradeable loader, whether it has one or not. */
export function programDataAddress(programId: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID)[0];
}

/** The deployer accounts every `initialize` takes. */
export function deployerAccounts(
  programId: PublicKey,
  deployer: PublicKey,
): { deployer: PublicKey; program: PublicKey; programData: PublicKey } {
  return { deployer, program: programId, programData: programDataAddress(programId) };
}

export interface ExpectedDeployer {
  /** The key that must sign `initialize` as the deployer. */
  deployer: PublicKey;
  /** Why: the program's upgrade authority, or its own id (no ProgramData, or immutable). */
  rule: "upgrade authority" | "program key";
}

/**
 * Reads the chain for the key that must sign `programId`'s `initialize`; throws when the program
 * is not deployed or its ProgramData cannot be read.
 */
export async function expectedDeployer(
  connection: Connection,
  programId: PublicKey,
): Promise<ExpectedDeployer> {
  const program = await connection.getAccountInfo(programId);
  if (!program?.executable) throw new Error(`no program is deployed at ${programId.toBase58()}`);
  if (!program.owner.equals(BPF_LOADER_UPGRADEABLE_ID)) {
    return { deployer: programId, rule: "program key" };
  }
  const data = program.data;
  if (data.length < 36 || data.readUInt32LE(0) !== PROGRAM_TAG) {
    throw new Error(`${programId.toBase58()} is not an upgradeable program account`);
  }
  const programData = new PublicKey(data.subarray(4, 36));
  const info = await connection.getAccountInfo(programData);
  if (!info || info.data.length < 45 || info.data.readUInt32LE(0) !== PROGRAM_DATA_TAG) {
    throw new Error(
      `the ProgramData ${programData.toBase58()} of ${programId.toBase58()} is missing`,
    );
  }
  return info.data[12] === 1
    ? { deployer: new PublicKey(info.data.subarray(13, 45)), rule: "upgrade authority" }
    : { deployer: programId, rule: "program key" };
}
