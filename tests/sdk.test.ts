/**
 * The sdk against the program's Rust sources, without a chain: seeds byte for byte, error names,
 * numbers and messages in declaration order, PDA derivation, the device id hash, and offline
 * instruction building and decoding, explorer links.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { AnchorError } from "@coral-xyz/anchor";
import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  AVAILABILITY_EPOCH_SEED,
  AVAILABILITY_ROOT_SEED,
  AVAILABILITY_VAULT_SEED,
  BANDWIDTH_TIER,
  CONFIG_SEED,
  DEVICE_HISTORY_SEED,
  DEVICE_SEED,
  DISTRIBUTOR_SEED,
  KEEPER_BOND_SEED,
  KEEPER_SEED,
  KEEPER_TIPS_VAULT_SEED,
  MARKET_LOCK_SEED,
  REGISTRY_ERRORS,
  REGISTRY_IDL,
  REGISTRY_PROGRAM_ID,
  configPda,
  decodeDevice,
  deviceIdHash,
  deviceHistoryPda,
  devicePda,
  devicePdaFromHash,
  explorerAddressUrl,
  explorerTxUrl,
  isRegistryError,
  keeperBondVaultPda,
  keeperPda,
  marketLockAuthorityPda,
  programErrorName,
  registerDeviceIx,
  registryCoder,
  registryErrorByCode,
  registryErrorCode,
  registryErrorOf,
  registryProgram,
  toBN,
  updateConfigIx,
} from "@iogrid/sdk";
import type { RegistryErrorName } from "@iogrid/sdk";
import { keypairFromJson } from "@iogrid/sdk/node";

import { REPO_ROOT } from "./support/localnet.js";

const registrySrc = (path: string): string =>
  readFileSync(join(REPO_ROOT, "programs", "registry", "src", path), "utf8");

describe("sdk (no chain)", () => {
  it("seeds mirror programs/registry/src/state/seeds.rs byte for byte", () => {
    const rust = registrySrc("state/seeds.rs");
    const declared = new Map(
      [...rust.matchAll(/pub const (\w+): &\[u8\] = b"([^"]*)";/g)].map((m) => [m[1]!, m[2]!]),
    );
    const ts: Record<string, Uint8Array> = {
      CONFIG_SEED,
      DEVICE_SEED,
      DEVICE_HISTORY_SEED,
      KEEPER_SEED,
      KEEPER_BOND_SEED,
      MARKET_LOCK_SEED,
      AVAILABILITY_EPOCH_SEED,
      DISTRIBUTOR_SEED,
      AVAILABILITY_VAULT_SEED,
      KEEPER_TIPS_VAULT_SEED,
      AVAILABILITY_ROOT_SEED,
    };
    expect([...declared.keys()].sort()).to.deep.equal(Object.keys(ts).sort());
    for (const [name, value] of declared) {
      expect(Buffer.from(ts[name]!).toString("latin1"), name).to.equal(value);
    }
  });

  it("the program id matches declare_id!", () => {
    const lib = registrySrc("lib.rs");
    expect(lib).to.include(`declare_id!("${REGISTRY_PROGRAM_ID.toBase58()}")`);
    expect(REGISTRY_IDL.address).to.equal(REGISTRY_PROGRAM_ID.toBase58());
  });

  it("error names, numbers and messages follow RegistryError in declaration order", () => {
    const rust = registrySrc("errors.rs");
    const variants = [...rust.matchAll(/#\[msg\("((?:[^"\\]|\\.)*)"\)\]\s*(\w+),/g)].map((m) => ({
      msg: m[1]!,
      name: m[2]!,
    }));
    expect(variants.length).to.equal(Object.keys(REGISTRY_ERRORS).length);
    variants.forEach(({ name, msg }, index) => {
      const info = REGISTRY_ERRORS[name as RegistryErrorName];
      expect(info, name).to.not.equal(undefined);
      // Anchor numbers custom errors from 6000 in declaration order.
      expect(info.code, name).to.equal(6000 + index);
      expect(info.msg, name).to.equal(msg);
      expect(registryErrorCode(name as RegistryErrorName)).to.equal(info.code);
      expect(registryErrorByCode(info.code)?.name).to.equal(name);
    });
    expect(registryErrorByCode(5999)).to.equal(undefined);
  });

  it("extracts error names from each form a client produces", () => {
    const code = registryErrorCode("NotDeviceOwner");
    const logs = [
      `Program ${REGISTRY_PROGRAM_ID.toBase58()} invoke [1]`,
      "Program log: Instruction: RenameDevice",
      `Program log: AnchorError caused by account: device. Error Code: NotDeviceOwner. Error Number: ${code}. Error Message: ${REGISTRY_ERRORS.NotDeviceOwner.msg}.`,
      `Program ${REGISTRY_PROGRAM_ID.toBase58()} failed: custom program error: 0x${code.toString(16)}`,
    ];
    const anchorError = AnchorError.parse(logs);
    expect(anchorError).to.be.instanceOf(AnchorError);
    expect(isRegistryError(anchorError, "NotDeviceOwner")).to.equal(true);
    expect(isRegistryError(anchorError, "NotDeviceOwnerOrAgent")).to.equal(false);
    expect(registryErrorOf({ logs })?.name).to.equal("NotDeviceOwner");
    expect(programErrorName({ InstructionError: [0, { Custom: code }] })).to.equal(
      "NotDeviceOwner",
    );
    expect(programErrorName({ err: { InstructionError: [1, { Custom: 2001 }] } })).to.equal(
      "ConstraintHasOne",
    );
    expect(registryErrorOf({ InstructionError: [1, { Custom: 2001 }] })).to.equal(undefined);
    expect(programErrorName({ InstructionError: [0, "InvalidAccountData"] })).to.equal(undefined);
    expect(programErrorName(new Error("network down"))).to.equal(undefined);
    expect(programErrorName(null)).to.equal(undefined);
  });

  it("derives PDAs from the mirrored seeds", () => {
    const id = "5f0c2a9e-3b1d-4e7a-9c8b-2d6f1a0e4b3c";
    const [device, bump] = PublicKey.findProgramAddressSync(
      [Buffer.from("device"), Buffer.from(deviceIdHash(id))],
      REGISTRY_PROGRAM_ID,
    );
    expect(devicePda(id).address.equals(device)).to.equal(true);
    expect(devicePda(id).bump).to.equal(bump);
    expect(devicePdaFromHash(deviceIdHash(id)).address.equals(device)).to.equal(true);
    expect(() => devicePdaFromHash(new Uint8Array(31))).to.throw(/32 bytes/);

    const [config] = PublicKey.findProgramAddressSync([Buffer.from("config")], REGISTRY_PROGRAM_ID);
    expect(configPda().address.equals(config)).to.equal(true);
    const authority = Keypair.generate().publicKey;
    const keeper = keeperPda(authority).address;
    expect(
      keeper.equals(
        PublicKey.findProgramAddressSync(
          [Buffer.from("keeper"), authority.toBuffer()],
          REGISTRY_PROGRAM_ID,
        )[0],
      ),
    ).to.equal(true);
    expect(
      keeperBondVaultPda(keeper).address.equals(
        PublicKey.findProgramAddressSync(
          [Buffer.from("keeper_bond"), keeper.toBuffer()],
          REGISTRY_PROGRAM_ID,
        )[0],
      ),
    ).to.equal(true);
    const market = Keypair.generate().publicKey;
    expect(
      marketLockAuthorityPda(market).address.equals(
        PublicKey.findProgramAddressSync([Buffer.from("registry_lock")], market)[0],
      ),
    ).to.equal(true);
  });

  it("hashes device ids with sha256 of their UTF-8 bytes", () => {
    // FIPS 180-2 test vectors.
    expect(Buffer.from(deviceIdHash("abc")).toString("hex")).to.equal(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(Buffer.from(deviceIdHash("")).toString("hex")).to.equal(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    for (const id of ["é", "machine-ü-1", Keypair.generate().publicKey.toBase58()]) {
      expect(Buffer.from(deviceIdHash(id)).toString("hex"), id).to.equal(
        createHash("sha256").update(Buffer.from(id, "utf8")).digest("hex"),
      );
    }
  });

  it("builds instructions offline and converts integers exactly", async () => {
    const program = registryProgram();
    const owner = Keypair.generate().publicKey;
    const agent = Keypair.generate().publicKey;
    const ix = await registerDeviceIx(program, {
      owner,
      deviceId: "rig-7",
      name: "rig 7",
      gpuModel: "NVIDIA L40S",
      region: "us-west",
      specs: {
        gpuCount: 2,
        vramMib: 49_152,
        cpuCores: 32,
        ramMib: 262_144,
        storageGib: 2_000,
        bandwidthTier: BANDWIDTH_TIER.standard,
      },
      pricePerGpuHour: 9_007_199_254_740_993n,
      agent,
    });
    expect(ix.programId.equals(REGISTRY_PROGRAM_ID)).to.equal(true);
    expect(ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).to.deep.equal([
      [owner.toBase58(), true, true],
      // The agent co-signs its device's registration.
      [agent.toBase58(), true, false],
      [devicePda("rig-7").address.toBase58(), false, true],
      [deviceHistoryPda("rig-7").address.toBase58(), false, true],
      ["11111111111111111111111111111111", false, false],
    ]);
    const decoded = registryCoder().instruction.decode(ix.data) as {
      name: string;
      data: { args: { deviceId: string; pricePerGpuHour: BN } };
    };
    expect(decoded.name).to.equal("registerDevice");
    expect(decoded.data.args.deviceId).to.equal("rig-7");
    expect(decoded.data.args.pricePerGpuHour.toString()).to.equal("9007199254740993");

    const update = await updateConfigIx(program, { authority: owner, keeperBondAmount: 5n });
    // The optional new_bond_mint account is passed as the program id when absent.
    expect(update.keys[2]?.pubkey.equals(REGISTRY_PROGRAM_ID)).to.equal(true);

    expect(toBN(12n).toString()).to.equal("12");
    expect(toBN(new BN(7)).toString()).to.equal("7");
    expect(() => toBN(0.5)).to.throw(RangeError);
    expect(() => toBN(2 ** 60)).to.throw(RangeError);
  });

  it("decoders reject data of another account type", async () => {
    const coder = registryCoder();
    const keeper = await coder.accounts.encode("keeper", {
      authority: PublicKey.default,
      bondMint: PublicKey.default,
      bondAmount: new BN(1),
      registeredAt: new BN(0),
      unbondRequestedAt: new BN(0),
      withdrawableAt: new BN(0),
      bump: 255,
      bondVaultBump: 254,
      reserved: new Array(64).fill(0),
    });
    expect(() => decodeDevice(keeper)).to.throw();
    const decoded = coder.accounts.decode<{ bump: number }>("keeper", keeper);
    expect(decoded.bump).to.equal(255);
  });

  it("reads keypairs in the Solana CLI format", () => {
    const keypair = Keypair.generate();
    const loaded = keypairFromJson(JSON.stringify(Array.from(keypair.secretKey)));
    expect(loaded.publicKey.equals(keypair.publicKey)).to.equal(true);
    expect(() => keypairFromJson("[1,2,3]", "test")).to.throw(/64 byte values/);
    expect(() => keypairFromJson("nope", "test")).to.throw(/not JSON/);
  });

  it("links transactions and accounts on Solana Explorer for the cluster in use", () => {
    const sig = "5YNDpvwMiFy4QWqEPuGpZV7cSiWwfL8fNkufRmNtjRfY";
    expect(explorerTxUrl(sig, "https://api.mainnet-beta.solana.com")).to.equal(
      `https://explorer.solana.com/tx/${sig}`,
    );
    expect(explorerTxUrl(sig, "https://api.devnet.solana.com/")).to.equal(
      `https://explorer.solana.com/tx/${sig}?cluster=devnet`,
    );
    expect(explorerTxUrl(sig, "https://api.testnet.solana.com")).to.equal(
      `https://explorer.solana.com/tx/${sig}?cluster=testnet`,
    );
    expect(explorerTxUrl(sig, "http://127.0.0.1:8899")).to.equal(
      `https://explorer.solana.com/tx/${sig}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899`,
    );
    const address = Keypair.generate().publicKey;
    expect(explorerAddressUrl(address, "https://rpc.example.com/?key=a&b=c")).to.equal(
      `https://explorer.solana.com/address/${address.toBase58()}?cluster=custom&customUrl=${encodeURIComponent("https://rpc.example.com/?key=a&b=c")}`,
    );
  });
});
