/**
 * The registry program through stock `@coral-xyz/anchor` 0.31.1 and the sdk: every instruction
 * with `methods...rpc()`, account fetching and filtering, every event through
 * `addEventListener`, a named `AnchorError` for each bad input, and balances to the unit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { AnchorError, Program } from "@coral-xyz/anchor";
import {
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  createAccount,
  createAssociatedTokenAccount,
  createMint,
  getAccount,
  mintTo,
} from "@solana/spl-token";
import { Keypair, PublicKey, Transaction } from "@solana/web3.js";
import type { Connection, TransactionSignature } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  BANDWIDTH_TIER,
  DEVICE_ACCOUNT_SIZE,
  DEVICE_LAYOUT,
  DEVICE_STATUS,
  MAX_PRICE_PER_GPU_HOUR,
  REGISTRY_PROGRAM_ID,
  RESERVATION_OUTCOME,
  DEVICE_HISTORY_ACCOUNT_SIZE,
  NO_EPOCH,
  changeAgentIx,
  configPda,
  decodeDeviceAccount,
  deregisterDeviceIx,
  deviceAgentFilter,
  deviceHistoryPda,
  deviceIdHash,
  deviceOwnerFilter,
  devicePda,
  deviceSizeFilter,
  deviceStatusFilter,
  keeperBondVaultPda,
  keeperPda,
  marketLockAuthorityPda,
  parseRegistryEvents,
  programErrorName,
  registerDeviceIx,
  registryErrorOf,
  registryErrors,
  registryProgram,
  renameDeviceIx,
  updateDeviceIx,
  deployerAccounts,
} from "@iogrid/sdk";
import type {
  DeviceSpecs,
  Registry,
  RegistryErrorName,
  RegistryEventName,
  RegistryEvents,
} from "@iogrid/sdk";
import { TransactionFailedError, sendAndConfirm, programKeypair } from "@iogrid/sdk/node";

import {
  Collector,
  distinct,
  fundedKeypair,
  warpTo,
  H100_SERVER_SPECS,
  rejectionOf,
  sleep,
  waitFor,
} from "./support/chain.js";
import { expectProgramError } from "./support/errors.js";
import { EventCollectors, transactionLogs } from "./support/events.js";
import type { EventRecord } from "./support/events.js";
import { REPO_ROOT, startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";
import { walletProvider } from "./support/setup.js";

/** Rent: 3,480 lamports per byte-year, exempt at two years, 128 bytes of account overhead. */
const rentExempt = (dataLen: number): number => (128 + dataLen) * 3480 * 2;
/**
 * `8 + RegistryConfig::INIT_SPACE`: authority, bond mint, bond, cooldown, market program and lock
 * authorities (current and previous), availability params (quorum u8, probe age u64, committee
 * u8, passes u8, report window u32, penalty u16), epoch origin, rewards flag, four bumps, keeper
 * bond total and count, reserved.
 */
const CONFIG_ACCOUNT_SIZE =
  8 + 32 + 32 + 8 + 8 + 32 + 32 + 32 + (1 + 8 + 1 + 1 + 4 + 2) + 8 + 1 + 4 + (8 + 4) + 52;
/**
 * `8 + Keeper::INIT_SPACE`: authority, bond mint, bond, three times, two bumps, the activity
 * (earnings: four unsettled epochs of 16 bytes, accrued, claimed; passes and failures), reserved.
 */
const KEEPER_ACCOUNT_SIZE = 8 + 32 + 32 + 8 + 8 + 8 + 8 + 1 + 1 + (4 * 16 + 8 + 8 + 8 + 8) + 64;
const TOKEN_ACCOUNT_SIZE = 165;
const FEE = 5000;

const BOND_DECIMALS = 6;
/** 1,000 bond tokens in base units. */
const KEEPER_BOND = 1_000n * 10n ** BigInt(BOND_DECIMALS);
/** The shortest cooldown the registry allows: one epoch (the tests move the clock past it). */
const COOLDOWN_SECS = 3_600;

const SPECS = H100_SERVER_SPECS;
/** 2.50 USD per GPU-hour, in IOSD base units. */
const PRICE = 2_500_000;

type RegistryEventRecord<N extends RegistryEventName> = EventRecord<RegistryEvents[N]>;

const EVENT_NAMES = [
  "configInitialized",
  "configUpdated",
  "deviceRegistered",
  "deviceUpdated",
  "deviceRenamed",
  "deviceStatusChanged",
  "deviceEndpointSet",
  "deviceDeregistered",
  "deviceAgentChanged",
  "keeperRegistered",
  "keeperBondAdded",
  "keeperUnbondRequested",
  "keeperBondWithdrawn",
] as const satisfies readonly RegistryEventName[];
type ListenedEvent = (typeof EVENT_NAMES)[number];

let idCounter = 0;
function newDeviceId(): string {
  idCounter += 1;
  return `dev-${idCounter}-${Keypair.generate().publicKey.toBase58().slice(0, 12)}`;
}

const bn = (value: BN | undefined): string =>
  value === undefined ? "undefined" : value.toString();

/** Asserts that `promise` rejects with the registry's `AnchorError` `name`. */
const expectRegistryError = (
  promise: Promise<unknown>,
  name: RegistryErrorName,
): Promise<AnchorError> =>
  expectProgramError(registryErrors, REGISTRY_PROGRAM_ID, promise, name, { anchorError: true });

describe("registry through @coral-xyz/anchor 0.31.1 and the sdk", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  let admin: Keypair;
  let program: Program<Registry>;
  let bondMint: PublicKey;
  let bondMintAuthority: Keypair;
  let events: EventCollectors<ListenedEvent, RegistryEvents[ListenedEvent]>;

  /** Waits for the event `name` emitted by transaction `signature`. */
  async function eventOf<N extends ListenedEvent>(
    name: N,
    signature: TransactionSignature,
  ): Promise<RegistryEventRecord<N>> {
    return (await events.of(name, signature)) as RegistryEventRecord<N>;
  }

  async function registerDevice(
    owner: Keypair,
    overrides: Partial<{
      deviceId: string;
      name: string;
      gpuModel: string;
      region: string;
      specs: DeviceSpecs;
      pricePerGpuHour: BN;
      agent: Keypair;
      endpoint: string;
    }> = {},
  ): Promise<{
    deviceId: string;
    device: PublicKey;
    signature: TransactionSignature;
    agent: PublicKey;
  }> {
    const deviceId = overrides.deviceId ?? newDeviceId();
    const agentKeypair = overrides.agent ?? Keypair.generate();
    const agent = agentKeypair.publicKey;
    const device = devicePda(deviceId).address;
    const signature = await program.methods
      .registerDevice({
        deviceId,
        name: overrides.name ?? "rig-01",
        gpuModel: overrides.gpuModel ?? "NVIDIA H100 80GB HBM3",
        region: overrides.region ?? "us-east",
        specs: overrides.specs ?? SPECS,
        pricePerGpuHour: overrides.pricePerGpuHour ?? new BN(PRICE),
        endpoint: overrides.endpoint ?? "https://203.0.113.7:7443/probe",
      })
      .accountsPartial({
        owner: owner.publicKey,
        agent,
        device,
        history: deviceHistoryPda(deviceId).address,
      })
      .signers([owner, agentKeypair])
      .rpc();
    return { deviceId, device, signature, agent };
  }

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    admin = await fundedKeypair(connection, 1000);
    program = registryProgram(walletProvider(connection, admin));
    events = new EventCollectors(EVENT_NAMES, (name, push) => program.addEventListener(name, push));
    bondMintAuthority = Keypair.generate();
    bondMint = await createMint(
      connection,
      admin,
      bondMintAuthority.publicKey,
      null,
      BOND_DECIMALS,
    );
    await sleep(200); // let the log subscription reach the server
  });

  after(async () => {
    await events?.remove((id) => program.removeEventListener(id));
    await net?.stop();
  });

  describe("program", () => {
    it("is deployed at the id of the IDL, the sdk and Anchor.toml", async () => {
      expect(program.programId.equals(REGISTRY_PROGRAM_ID)).to.equal(true);
      const anchorToml = readFileSync(join(REPO_ROOT, "Anchor.toml"), "utf8");
      expect(anchorToml).to.include(`registry = "${REGISTRY_PROGRAM_ID.toBase58()}"`);
      const info = await connection.getAccountInfo(REGISTRY_PROGRAM_ID);
      expect(info?.executable).to.equal(true);
    });
  });

  describe("config", () => {
    // The program id's key co-signs as the deployer: the local chain's programs have no ProgramData.
    const deployerKey = programKeypair(REGISTRY_PROGRAM_ID);
    const deployer = deployerAccounts(REGISTRY_PROGRAM_ID, deployerKey.publicKey);
    it("initialize_config rejects a zero bond and an out-of-range cooldown", async () => {
      const init = (amount: BN, cooldown: BN) =>
        program.methods
          .initializeConfig({ keeperBondAmount: amount, keeperUnbondCooldownSecs: cooldown })
          .accountsPartial({ authority: admin.publicKey, bondMint, ...deployer })
          .signers([deployerKey])
          .rpc();
      await expectRegistryError(init(new BN(0), new BN(60)), "InvalidBondAmount");
      await expectRegistryError(init(new BN(1), new BN(-1)), "InvalidCooldown");
      // Shorter than an epoch: a reporter could take its bond away before a pass contradicts it.
      await expectRegistryError(init(new BN(1), new BN(3_599)), "InvalidCooldown");
      await expectRegistryError(init(new BN(1), new BN(365 * 24 * 3600 + 1)), "InvalidCooldown");
      expect(await connection.getAccountInfo(configPda().address)).to.equal(null);
    });

    it("initialize_config creates the config, pays its rent and emits ConfigInitialized", async () => {
      const before = await connection.getBalance(admin.publicKey);
      const signature = await program.methods
        .initializeConfig({
          keeperBondAmount: new BN(KEEPER_BOND.toString()),
          keeperUnbondCooldownSecs: new BN(COOLDOWN_SECS),
        })
        .accountsPartial({ authority: admin.publicKey, bondMint, ...deployer })
        .signers([deployerKey])
        .rpc();
      const { address, bump } = configPda();
      const config = await program.account.registryConfig.fetch(address);
      expect(config.authority.equals(admin.publicKey)).to.equal(true);
      expect(config.bondMint.equals(bondMint)).to.equal(true);
      expect(bn(config.keeperBondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(config.keeperUnbondCooldownSecs)).to.equal(String(COOLDOWN_SECS));
      expect(config.marketProgram.equals(PublicKey.default)).to.equal(true);
      expect(config.marketLockAuthority.equals(PublicKey.default)).to.equal(true);
      expect(config.bump).to.equal(bump);

      const info = await connection.getAccountInfo(address);
      expect(info?.data.length).to.equal(CONFIG_ACCOUNT_SIZE);
      expect(info?.lamports).to.equal(rentExempt(CONFIG_ACCOUNT_SIZE));
      expect(await connection.getBalance(admin.publicKey)).to.equal(
        before - rentExempt(CONFIG_ACCOUNT_SIZE) - 2 * FEE, // the deployer signs too
      );

      const { event } = await eventOf("configInitialized", signature);
      expect(event.config.equals(address)).to.equal(true);
      expect(event.authority.equals(admin.publicKey)).to.equal(true);
      expect(event.bondMint.equals(bondMint)).to.equal(true);
      expect(bn(event.keeperBondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(event.keeperUnbondCooldownSecs)).to.equal(String(COOLDOWN_SECS));
    });

    it("initialize_config cannot run twice", async () => {
      const err = await rejectionOf(
        program.methods
          .initializeConfig({ keeperBondAmount: new BN(5), keeperUnbondCooldownSecs: new BN(5) })
          .accountsPartial({ authority: admin.publicKey, bondMint, ...deployer })
          .signers([deployerKey])
          .rpc(),
      );
      const logs = (err as { logs?: string[] }).logs ?? [];
      expect(
        logs.some((l) => /already in use/.test(l)),
        logs.join("\n"),
      ).to.equal(true);
      const config = await program.account.registryConfig.fetch(configPda().address);
      expect(bn(config.keeperBondAmount)).to.equal(KEEPER_BOND.toString());
    });

    it("update_config refuses strangers, no-ops and invalid values", async () => {
      const stranger = await fundedKeypair(connection, 1);
      const update = (
        signer: Keypair,
        args: Partial<{
          keeperBondAmount: BN;
          keeperUnbondCooldownSecs: BN;
          marketProgram: PublicKey;
        }>,
      ) =>
        program.methods
          .updateConfig({
            newAuthority: null,
            keeperBondAmount: args.keeperBondAmount ?? null,
            keeperUnbondCooldownSecs: args.keeperUnbondCooldownSecs ?? null,
            marketProgram: args.marketProgram ?? null,
            availability: null,
          })
          .accountsPartial({ authority: signer.publicKey, newBondMint: null })
          .signers([signer])
          .rpc();
      await expectRegistryError(update(admin, {}), "NothingToUpdate");
      await expectRegistryError(
        update(admin, { keeperBondAmount: new BN(KEEPER_BOND.toString()) }),
        "NothingToUpdate",
      );
      await expectRegistryError(
        update(admin, { keeperBondAmount: new BN(0) }),
        "InvalidBondAmount",
      );
      await expectRegistryError(
        update(admin, { keeperUnbondCooldownSecs: new BN(-5) }),
        "InvalidCooldown",
      );
      const err = await expectRegistryError(
        update(stranger, { keeperBondAmount: new BN(1) }),
        "NotConfigAuthority",
      );
      expect(err.error.comparedValues?.map(String)).to.deep.equal([
        admin.publicKey.toBase58(),
        stranger.publicKey.toBase58(),
      ]);
      // Handing the config to the all-zero key would lock it for good.
      await expectRegistryError(
        program.methods
          .updateConfig({
            newAuthority: PublicKey.default,
            keeperBondAmount: null,
            keeperUnbondCooldownSecs: null,
            marketProgram: null,
            availability: null,
          })
          .accountsPartial({ authority: admin.publicKey, newBondMint: null })
          .rpc(),
        "InvalidAuthority",
      );
    });

    it("update_config hands the authority over, and only the new authority may act", async () => {
      const successor = await fundedKeypair(connection, 1);
      const handOver = await program.methods
        .updateConfig({
          newAuthority: successor.publicKey,
          keeperBondAmount: null,
          keeperUnbondCooldownSecs: null,
          marketProgram: null,
          availability: null,
        })
        .accountsPartial({ authority: admin.publicKey, newBondMint: null })
        .rpc();
      const { event } = await eventOf("configUpdated", handOver);
      expect(event.authorityBefore.equals(admin.publicKey)).to.equal(true);
      expect(event.authorityAfter.equals(successor.publicKey)).to.equal(true);
      expect(bn(event.keeperBondAmountAfter)).to.equal(bn(event.keeperBondAmountBefore));
      const config = await program.account.registryConfig.fetch(configPda().address);
      expect(config.authority.equals(successor.publicKey)).to.equal(true);

      const handBack = await program.methods
        .updateConfig({
          newAuthority: admin.publicKey,
          keeperBondAmount: null,
          keeperUnbondCooldownSecs: null,
          marketProgram: null,
          availability: null,
        })
        .accountsPartial({ authority: successor.publicKey, newBondMint: null })
        .signers([successor])
        .rpc();
      expect(
        (await eventOf("configUpdated", handBack)).event.authorityAfter.equals(admin.publicKey),
      ).to.equal(true);
      expect(
        (await program.account.registryConfig.fetch(configPda().address)).authority.equals(
          admin.publicKey,
        ),
      ).to.equal(true);
    });

    it("update_config changes values and emits ConfigUpdated with before and after", async () => {
      const market = Keypair.generate().publicKey;
      const signature = await program.methods
        .updateConfig({
          newAuthority: null,
          keeperBondAmount: new BN(7),
          keeperUnbondCooldownSecs: new BN(7_200),
          marketProgram: market,
          availability: null,
        })
        .accountsPartial({ authority: admin.publicKey, newBondMint: null })
        .rpc();
      const config = await program.account.registryConfig.fetch(configPda().address);
      expect(bn(config.keeperBondAmount)).to.equal("7");
      expect(bn(config.keeperUnbondCooldownSecs)).to.equal("7200");
      expect(config.marketProgram.equals(market)).to.equal(true);
      expect(config.marketLockAuthority.equals(marketLockAuthorityPda(market).address)).to.equal(
        true,
      );

      const { event } = await eventOf("configUpdated", signature);
      expect(event.config.equals(configPda().address)).to.equal(true);
      expect(event.authorityBefore.equals(admin.publicKey)).to.equal(true);
      expect(event.authorityAfter.equals(admin.publicKey)).to.equal(true);
      expect(event.bondMintBefore.equals(bondMint)).to.equal(true);
      expect(event.bondMintAfter.equals(bondMint)).to.equal(true);
      expect(bn(event.keeperBondAmountBefore)).to.equal(KEEPER_BOND.toString());
      expect(bn(event.keeperBondAmountAfter)).to.equal("7");
      expect(bn(event.keeperUnbondCooldownSecsBefore)).to.equal(String(COOLDOWN_SECS));
      expect(bn(event.keeperUnbondCooldownSecsAfter)).to.equal("7200");
      expect(event.marketProgramBefore.equals(PublicKey.default)).to.equal(true);
      expect(event.marketProgramAfter.equals(market)).to.equal(true);

      // Restore the terms the keeper tests below rely on.
      const restore = await program.methods
        .updateConfig({
          newAuthority: null,
          keeperBondAmount: new BN(KEEPER_BOND.toString()),
          keeperUnbondCooldownSecs: new BN(COOLDOWN_SECS),
          marketProgram: PublicKey.default,
          availability: null,
        })
        .accountsPartial({ authority: admin.publicKey, newBondMint: null })
        .rpc();
      const restored = await eventOf("configUpdated", restore);
      expect(restored.event.marketProgramAfter.equals(PublicKey.default)).to.equal(true);
      const after = await program.account.registryConfig.fetch(configPda().address);
      expect(after.marketLockAuthority.equals(PublicKey.default)).to.equal(true);
    });
  });

  describe("devices", () => {
    let alice: Keypair;
    let bob: Keypair;
    let mallory: Keypair;

    before(async () => {
      alice = await fundedKeypair(connection, 10);
      bob = await fundedKeypair(connection, 10);
      mallory = await fundedKeypair(connection, 10);
    });

    it("register_device stores the device, charges its rent and emits DeviceRegistered", async () => {
      const aliceBefore = await connection.getBalance(alice.publicKey);
      const adminBefore = await connection.getBalance(admin.publicKey);
      const { deviceId, device, signature, agent } = await registerDevice(alice, {
        name: "rig 01 · 8×H100",
      });
      const account = await program.account.device.fetch(device);
      expect(account.owner.equals(alice.publicKey)).to.equal(true);
      expect(account.agent.equals(agent)).to.equal(true);
      expect(
        Buffer.from(account.deviceIdHash).equals(Buffer.from(deviceIdHash(deviceId))),
      ).to.equal(true);
      expect(account.status).to.deep.equal(DEVICE_STATUS.active);
      expect(account.reservation.equals(PublicKey.default)).to.equal(true);
      expect(bn(account.pricePerGpuHour)).to.equal(String(PRICE));
      expect(account.specs).to.deep.equal(SPECS);
      expect(account.deviceId).to.equal(deviceId);
      expect(account.name).to.equal("rig 01 · 8×H100");
      expect(account.gpuModel).to.equal("NVIDIA H100 80GB HBM3");
      expect(account.region).to.equal("us-east");
      expect(account.endpoint).to.equal("https://203.0.113.7:7443/probe");
      expect(account.bump).to.equal(devicePda(deviceId).bump);
      const now = Date.now() / 1000;
      expect(account.registeredAt.toNumber()).to.be.within(now - 30, now + 5);
      expect(bn(account.updatedAt)).to.equal(bn(account.registeredAt));

      const info = await connection.getAccountInfo(device);
      expect(info?.owner.equals(REGISTRY_PROGRAM_ID)).to.equal(true);
      expect(info?.data.length).to.equal(DEVICE_ACCOUNT_SIZE);
      expect(info?.lamports).to.equal(rentExempt(DEVICE_ACCOUNT_SIZE));
      // The owner pays the rent, the provider wallet the three signatures (its own, the
      // owner's and the agent's).
      expect(await connection.getBalance(alice.publicKey)).to.equal(
        aliceBefore - rentExempt(DEVICE_ACCOUNT_SIZE),
      );
      expect(await connection.getBalance(admin.publicKey)).to.equal(adminBefore - 3 * FEE);

      const { event } = await eventOf("deviceRegistered", signature);
      expect(event.device.equals(device)).to.equal(true);
      expect(event.owner.equals(alice.publicKey)).to.equal(true);
      expect(event.agent.equals(agent)).to.equal(true);
      expect(event.deviceId).to.equal(deviceId);
      expect(event.name).to.equal("rig 01 · 8×H100");
      expect(event.gpuModel).to.equal("NVIDIA H100 80GB HBM3");
      expect(event.region).to.equal("us-east");
      expect(event.specs).to.deep.equal(SPECS);
      expect(bn(event.pricePerGpuHour)).to.equal(String(PRICE));
      expect(bn(event.registeredAt)).to.equal(bn(account.registeredAt));

      // The same event, parsed by the sdk from the transaction's logs.
      const parsed = parseRegistryEvents(await transactionLogs(connection, signature));
      expect(parsed.map((e) => e.name)).to.deep.equal(["deviceRegistered"]);
      const fromLogs = parsed[0]!.data as RegistryEvents["deviceRegistered"];
      expect(fromLogs.device.equals(device)).to.equal(true);
      expect(fromLogs.deviceId).to.equal(deviceId);
    });

    it("the device layout offsets match the account bytes", async () => {
      const { device, agent } = await registerDevice(bob, { pricePerGpuHour: new BN(123_456_789) });
      const info = (await connection.getAccountInfo(device))!;
      const data = info.data;
      const account = await program.account.device.fetch(device);
      const decoded = decodeDeviceAccount(info);
      expect(decoded.deviceId).to.equal(account.deviceId);
      expect(bn(decoded.pricePerGpuHour)).to.equal("123456789");
      expect(() => decodeDeviceAccount({ ...info, owner: PublicKey.default })).to.throw(/owned by/);
      expect(DEVICE_LAYOUT.owner).to.equal(8);
      expect(DEVICE_LAYOUT.agent).to.equal(40);
      expect(DEVICE_LAYOUT.status).to.equal(104);
      expect(DEVICE_LAYOUT.reservation).to.equal(105);
      expect(
        new PublicKey(data.subarray(DEVICE_LAYOUT.owner, DEVICE_LAYOUT.owner + 32)).equals(
          bob.publicKey,
        ),
      ).to.equal(true);
      expect(
        new PublicKey(data.subarray(DEVICE_LAYOUT.agent, DEVICE_LAYOUT.agent + 32)).equals(agent),
      ).to.equal(true);
      expect(data[DEVICE_LAYOUT.status]).to.equal(0);
      expect(
        data
          .subarray(DEVICE_LAYOUT.reservation, DEVICE_LAYOUT.reservation + 32)
          .every((b) => b === 0),
      ).to.equal(true);
      expect(data.readBigUInt64LE(DEVICE_LAYOUT.pricePerGpuHour)).to.equal(123_456_789n);
      expect(data.readUInt16LE(DEVICE_LAYOUT.specsGpuCount)).to.equal(SPECS.gpuCount);
      expect(data.readUInt32LE(DEVICE_LAYOUT.specsStorageGib)).to.equal(SPECS.storageGib);
      expect(data[DEVICE_LAYOUT.specsBandwidthTier]).to.equal(2); // High
      expect(data.readBigInt64LE(DEVICE_LAYOUT.registeredAt)).to.equal(
        BigInt(account.registeredAt.toString()),
      );
      expect(data[DEVICE_LAYOUT.bump]).to.equal(account.bump);
      const idLength = data.readUInt32LE(DEVICE_LAYOUT.deviceId);
      expect(
        data.subarray(DEVICE_LAYOUT.deviceId + 4, DEVICE_LAYOUT.deviceId + 4 + idLength).toString(),
      ).to.equal(account.deviceId);
    });

    it("register_device names each invalid field", async () => {
      const before = await connection.getBalance(alice.publicKey);
      const cases: [RegistryErrorName, Parameters<typeof registerDevice>[1]][] = [
        ["InvalidDeviceId", { deviceId: "" }],
        ["InvalidDeviceId", { deviceId: "has space" }],
        ["InvalidDeviceId", { deviceId: "x".repeat(65) }],
        ["InvalidName", { name: "" }],
        ["InvalidName", { name: "x".repeat(33) }],
        ["InvalidName", { name: " padded" }],
        ["InvalidName", { name: "line\nbreak" }],
        ["InvalidGpuModel", { gpuModel: "" }],
        ["InvalidGpuModel", { gpuModel: "x".repeat(49) }],
        ["InvalidRegion", { region: "US-East" }],
        ["InvalidRegion", { region: "" }],
        ["InvalidRegion", { region: "r".repeat(17) }],
        ["InvalidGpuCount", { specs: { ...SPECS, gpuCount: 0 } }],
        ["InvalidGpuCount", { specs: { ...SPECS, gpuCount: 65 } }],
        ["InvalidVram", { specs: { ...SPECS, vramMib: 0 } }],
        ["InvalidVram", { specs: { ...SPECS, vramMib: (1 << 20) + 1 } }],
        ["InvalidCpuCores", { specs: { ...SPECS, cpuCores: 0 } }],
        ["InvalidCpuCores", { specs: { ...SPECS, cpuCores: 4097 } }],
        ["InvalidRam", { specs: { ...SPECS, ramMib: 0 } }],
        ["InvalidRam", { specs: { ...SPECS, ramMib: 64 * (1 << 20) + 1 } }],
        ["InvalidStorage", { specs: { ...SPECS, storageGib: (1 << 20) + 1 } }],
        ["InvalidPrice", { pricePerGpuHour: new BN(0) }],
        ["InvalidPrice", { pricePerGpuHour: new BN((MAX_PRICE_PER_GPU_HOUR + 1n).toString()) }],
        ["InvalidEndpoint", { endpoint: "http://a b" }],
        ["InvalidEndpoint", { endpoint: "e".repeat(97) }],
        // A key comparison: its error also logs both keys ("Left:" / "Right:").
        ["InvalidAgentKey", { agent: alice }],
      ];
      for (const [name, overrides] of cases) {
        await expectRegistryError(registerDevice(alice, overrides), name);
      }
      expect(await connection.getBalance(alice.publicKey)).to.equal(before);
    });

    it("register_device needs the agent key's signature: nobody squats a machine's id or names a stranger's key", async () => {
      const deviceId = newDeviceId();
      const stranger = Keypair.generate();
      const ix = await registerDeviceIx(program, {
        owner: mallory.publicKey,
        deviceId,
        name: "squat",
        gpuModel: "NVIDIA H100 80GB HBM3",
        region: "us-east",
        specs: SPECS,
        pricePerGpuHour: PRICE,
        agent: stranger.publicKey,
      });
      for (const key of ix.keys) if (key.pubkey.equals(stranger.publicKey)) key.isSigner = false;
      const err = await rejectionOf(
        sendAndConfirm(connection, new Transaction().add(ix), [mallory], { skipPreflight: true }),
      );
      expect(programErrorName(err)).to.equal("AccountNotSigner");
      expect(await connection.getAccountInfo(devicePda(deviceId).address)).to.equal(null);
    });

    it("register_device accepts every bound exactly", async () => {
      const { device } = await registerDevice(alice, {
        deviceId: "d".repeat(64),
        name: "n".repeat(32),
        gpuModel: "g".repeat(48),
        region: "r".repeat(16),
        specs: {
          gpuCount: 64,
          vramMib: 1 << 20,
          cpuCores: 4096,
          ramMib: 64 * (1 << 20),
          storageGib: 0,
          bandwidthTier: BANDWIDTH_TIER.ultra,
        },
        pricePerGpuHour: new BN(MAX_PRICE_PER_GPU_HOUR.toString()),
        endpoint: "e".repeat(96),
      });
      const account = await program.account.device.fetch(device);
      expect(account.specs.gpuCount).to.equal(64);
      expect(account.specs.bandwidthTier).to.deep.equal(BANDWIDTH_TIER.ultra);
      expect(bn(account.pricePerGpuHour)).to.equal(MAX_PRICE_PER_GPU_HOUR.toString());
      const minimal = await registerDevice(alice, {
        specs: {
          gpuCount: 1,
          vramMib: 1,
          cpuCores: 1,
          ramMib: 1,
          storageGib: 0,
          bandwidthTier: BANDWIDTH_TIER.basic,
        },
        pricePerGpuHour: new BN(1),
        endpoint: "",
      });
      expect((await program.account.device.fetch(minimal.device)).endpoint).to.equal("");
    });

    it("register_device refuses an id already registered", async () => {
      const { deviceId, device } = await registerDevice(alice);
      const before = (await connection.getAccountInfo(device))!.data;
      const err = await rejectionOf(registerDevice(mallory, { deviceId, name: "stolen" }));
      const logs = (err as { logs?: string[] }).logs ?? [];
      expect(
        logs.some((l) => /already in use/.test(l)),
        logs.join("\n"),
      ).to.equal(true);
      expect((await connection.getAccountInfo(device))!.data.equals(before)).to.equal(true);
    });

    it("sdk builders register several devices in one transaction", async () => {
      const ids = [newDeviceId(), newDeviceId(), newDeviceId()];
      // One host agent key serves the three devices; it co-signs each registration.
      const agentKey = Keypair.generate();
      const agent = agentKey.publicKey;
      const tx = new Transaction();
      for (const deviceId of ids) {
        tx.add(
          await registerDeviceIx(program, {
            owner: bob.publicKey,
            deviceId,
            name: deviceId.slice(0, 32),
            gpuModel: "NVIDIA RTX 4090",
            region: "de-fra",
            specs: { ...SPECS, gpuCount: 1, vramMib: 24_576 },
            pricePerGpuHour: 400_000n,
            agent,
          }),
        );
      }
      const before = await connection.getBalance(bob.publicKey);
      const signature = await sendAndConfirm(connection, tx, [bob, agentKey]);
      expect(await connection.getBalance(bob.publicKey)).to.equal(
        before - 3 * rentExempt(DEVICE_ACCOUNT_SIZE) - 2 * FEE,
      );
      for (const deviceId of ids) {
        const account = await program.account.device.fetch(devicePda(deviceId).address);
        expect(account.deviceId).to.equal(deviceId);
        expect(account.owner.equals(bob.publicKey)).to.equal(true);
        expect(bn(account.pricePerGpuHour)).to.equal("400000");
      }
      const registered = await waitFor("three DeviceRegistered events", () => {
        const found = events.get("deviceRegistered").items.filter((r) => r.signature === signature);
        return found.length === 3 ? found : undefined;
      });
      expect(
        registered.map((r) => (r.event as RegistryEvents["deviceRegistered"]).deviceId),
      ).to.deep.equal(ids);
    });

    it("update_device changes the offer and emits DeviceUpdated with before and after", async () => {
      const { device } = await registerDevice(alice);
      const newSpecs: DeviceSpecs = {
        ...SPECS,
        gpuCount: 4,
        bandwidthTier: BANDWIDTH_TIER.standard,
      };
      const signature = await program.methods
        .updateDevice({
          gpuModel: "NVIDIA A100 80GB",
          region: "eu-west",
          specs: newSpecs,
          pricePerGpuHour: new BN(1_750_000),
        })
        .accountsPartial({ owner: alice.publicKey, device })
        .signers([alice])
        .rpc();
      const account = await program.account.device.fetch(device);
      expect(account.gpuModel).to.equal("NVIDIA A100 80GB");
      expect(account.region).to.equal("eu-west");
      expect(account.specs).to.deep.equal(newSpecs);
      expect(bn(account.pricePerGpuHour)).to.equal("1750000");
      expect(account.updatedAt.toNumber()).to.be.at.least(account.registeredAt.toNumber());

      const { event } = await eventOf("deviceUpdated", signature);
      expect(event.device.equals(device)).to.equal(true);
      expect(event.owner.equals(alice.publicKey)).to.equal(true);
      expect(event.gpuModelBefore).to.equal("NVIDIA H100 80GB HBM3");
      expect(event.gpuModelAfter).to.equal("NVIDIA A100 80GB");
      expect(event.regionBefore).to.equal("us-east");
      expect(event.regionAfter).to.equal("eu-west");
      expect(event.specsBefore).to.deep.equal(SPECS);
      expect(event.specsAfter).to.deep.equal(newSpecs);
      expect(bn(event.pricePerGpuHourBefore)).to.equal(String(PRICE));
      expect(bn(event.pricePerGpuHourAfter)).to.equal("1750000");
      expect(bn(event.updatedAt)).to.equal(bn(account.updatedAt));

      // Price only, through the sdk builder.
      const tx = new Transaction().add(
        await updateDeviceIx(program, {
          owner: alice.publicKey,
          device,
          pricePerGpuHour: 1_800_000n,
        }),
      );
      const priceSig = await sendAndConfirm(connection, tx, [alice]);
      const priceEvent = await eventOf("deviceUpdated", priceSig);
      expect(bn(priceEvent.event.pricePerGpuHourBefore)).to.equal("1750000");
      expect(bn(priceEvent.event.pricePerGpuHourAfter)).to.equal("1800000");
      expect(priceEvent.event.gpuModelAfter).to.equal("NVIDIA A100 80GB");
    });

    it("update_device refuses no-ops and invalid values", async () => {
      const { device } = await registerDevice(alice);
      const update = (
        args: Partial<{
          gpuModel: string;
          region: string;
          specs: DeviceSpecs;
          pricePerGpuHour: BN;
        }>,
      ) =>
        program.methods
          .updateDevice({
            gpuModel: args.gpuModel ?? null,
            region: args.region ?? null,
            specs: args.specs ?? null,
            pricePerGpuHour: args.pricePerGpuHour ?? null,
          })
          .accountsPartial({ owner: alice.publicKey, device })
          .signers([alice])
          .rpc();
      await expectRegistryError(update({}), "NothingToUpdate");
      await expectRegistryError(
        update({ pricePerGpuHour: new BN(PRICE), region: "us-east" }),
        "NothingToUpdate",
      );
      await expectRegistryError(update({ pricePerGpuHour: new BN(0) }), "InvalidPrice");
      await expectRegistryError(update({ region: "Nowhere" }), "InvalidRegion");
      await expectRegistryError(update({ gpuModel: "" }), "InvalidGpuModel");
      await expectRegistryError(update({ specs: { ...SPECS, gpuCount: 0 } }), "InvalidGpuCount");
      await expectRegistryError(
        update({ specs: { ...SPECS, storageGib: (1 << 20) + 1 } }),
        "InvalidStorage",
      );
    });

    it("change_agent moves a device to a new agent key that co-signs, emits DeviceAgentChanged, and refuses the rest", async () => {
      const { device, agent } = await registerDevice(alice);
      const newAgent = Keypair.generate();
      const signature = await sendAndConfirm(
        connection,
        new Transaction().add(
          await changeAgentIx(program, {
            owner: alice.publicKey,
            newAgent: newAgent.publicKey,
            device,
          }),
        ),
        [alice, newAgent],
      );
      const account = await program.account.device.fetch(device);
      expect(account.agent.equals(newAgent.publicKey)).to.equal(true);
      const { event } = await eventOf("deviceAgentChanged", signature);
      expect(event.agentBefore.equals(agent)).to.equal(true);
      expect(event.agentAfter.equals(newAgent.publicKey)).to.equal(true);

      const change = (owner: Keypair, next: Keypair) =>
        program.methods
          .changeAgent()
          .accountsPartial({ owner: owner.publicKey, newAgent: next.publicKey, device })
          .signers([owner, next])
          .rpc();
      await expectRegistryError(change(alice, newAgent), "AgentUnchanged");
      await expectRegistryError(change(alice, alice), "InvalidAgentKey");
      await expectRegistryError(change(mallory, Keypair.generate()), "NotDeviceOwner");
      // Without the new key's signature.
      const ix = await changeAgentIx(program, {
        owner: alice.publicKey,
        newAgent: mallory.publicKey,
        device,
      });
      for (const key of ix.keys) if (key.pubkey.equals(mallory.publicKey)) key.isSigner = false;
      const err = await rejectionOf(
        sendAndConfirm(connection, new Transaction().add(ix), [alice], { skipPreflight: true }),
      );
      expect(programErrorName(err)).to.equal("AccountNotSigner");
      expect(
        (await program.account.device.fetch(device)).agent.equals(newAgent.publicKey),
      ).to.equal(true);
    });

    it("nobody but the owner can update or rename a device (the io.net metadata-spoofing hole)", async () => {
      const { device } = await registerDevice(alice);
      const before = (await connection.getAccountInfo(device))!.data;

      // Naming the owner without their signature is refused by the runtime check of the Signer.
      const ix = await renameDeviceIx(program, { owner: alice.publicKey, device, name: "pwned" });
      for (const key of ix.keys) if (key.pubkey.equals(alice.publicKey)) key.isSigner = false;
      const err = await rejectionOf(
        sendAndConfirm(connection, new Transaction().add(ix), [mallory], { skipPreflight: true }),
      );
      expect(err).to.be.instanceOf(TransactionFailedError);
      expect(programErrorName(err)).to.equal("AccountNotSigner");
      expect(registryErrorOf(err)).to.equal(undefined);

      expect((await connection.getAccountInfo(device))!.data.equals(before)).to.equal(true);

      const spoofUpdate = await expectRegistryError(
        program.methods
          .updateDevice({
            gpuModel: "NVIDIA H200",
            region: null,
            specs: { ...SPECS, gpuCount: 64 },
            pricePerGpuHour: null,
          })
          .accountsPartial({ owner: mallory.publicKey, device })
          .signers([mallory])
          .rpc(),
        "NotDeviceOwner",
      );
      expect(spoofUpdate.error.origin).to.equal("device");
      expect(spoofUpdate.error.comparedValues?.map(String)).to.deep.equal([
        alice.publicKey.toBase58(),
        mallory.publicKey.toBase58(),
      ]);
      await expectRegistryError(
        program.methods
          .renameDevice("pwned")
          .accountsPartial({ owner: mallory.publicKey, device })
          .signers([mallory])
          .rpc(),
        "NotDeviceOwner",
      );
      // The agent key runs the machine but may not rewrite what it offers.
      const agentKeypair = Keypair.generate();
      const withAgent = await registerDevice(alice, { agent: agentKeypair });
      await expectRegistryError(
        program.methods
          .renameDevice("agent-name")
          .accountsPartial({ owner: agentKeypair.publicKey, device: withAgent.device })
          .signers([agentKeypair])
          .rpc(),
        "NotDeviceOwner",
      );
      await expectRegistryError(
        program.methods
          .updateDevice({
            gpuModel: null,
            region: null,
            specs: null,
            pricePerGpuHour: new BN(1),
          })
          .accountsPartial({ owner: agentKeypair.publicKey, device: withAgent.device })
          .signers([agentKeypair])
          .rpc(),
        "NotDeviceOwner",
      );

      expect((await connection.getAccountInfo(device))!.data.equals(before)).to.equal(true);
    });

    it("rename_device renames, emits DeviceRenamed, and refuses unchanged or invalid names", async () => {
      const { device } = await registerDevice(alice, { name: "old-name" });
      const rename = (name: string) =>
        program.methods
          .renameDevice(name)
          .accountsPartial({ owner: alice.publicKey, device })
          .preInstructions([distinct()])
          .signers([alice])
          .rpc();
      const signature = await rename("new-name");
      expect((await program.account.device.fetch(device)).name).to.equal("new-name");
      const { event } = await eventOf("deviceRenamed", signature);
      expect(event.device.equals(device)).to.equal(true);
      expect(event.owner.equals(alice.publicKey)).to.equal(true);
      expect(event.nameBefore).to.equal("old-name");
      expect(event.nameAfter).to.equal("new-name");
      expect(event.updatedAt.toNumber()).to.be.greaterThan(0);
      await expectRegistryError(rename("new-name"), "NameUnchanged");
      await expectRegistryError(rename(""), "InvalidName");
      await expectRegistryError(rename("trailing "), "InvalidName");
      await expectRegistryError(rename("x".repeat(33)), "InvalidName");
    });

    it("pause_device and resume_device by owner or agent emit DeviceStatusChanged", async () => {
      const agent = Keypair.generate();
      const { device } = await registerDevice(alice, { agent });
      const pause = (signer: Keypair) =>
        program.methods
          .pauseDevice()
          .accountsPartial({ signer: signer.publicKey, device })
          .signers([signer])
          .rpc();
      const resume = (signer: Keypair) =>
        program.methods
          .resumeDevice()
          .accountsPartial({ signer: signer.publicKey, device })
          .signers([signer])
          .rpc();

      const paused = await pause(alice);
      expect((await program.account.device.fetch(device)).status).to.deep.equal(
        DEVICE_STATUS.paused,
      );
      expect((await connection.getAccountInfo(device))!.data[DEVICE_LAYOUT.status]).to.equal(1);
      const pausedEvent = await eventOf("deviceStatusChanged", paused);
      expect(pausedEvent.event.device.equals(device)).to.equal(true);
      expect(pausedEvent.event.signer.equals(alice.publicKey)).to.equal(true);
      expect(pausedEvent.event.statusBefore).to.deep.equal(DEVICE_STATUS.active);
      expect(pausedEvent.event.statusAfter).to.deep.equal(DEVICE_STATUS.paused);
      await expectRegistryError(pause(agent), "DeviceAlreadyPaused");
      await expectRegistryError(resume(mallory), "NotDeviceOwnerOrAgent");

      const resumed = await resume(agent);
      expect((await program.account.device.fetch(device)).status).to.deep.equal(
        DEVICE_STATUS.active,
      );
      const resumedEvent = await eventOf("deviceStatusChanged", resumed);
      expect(resumedEvent.event.signer.equals(agent.publicKey)).to.equal(true);
      expect(resumedEvent.event.statusBefore).to.deep.equal(DEVICE_STATUS.paused);
      expect(resumedEvent.event.statusAfter).to.deep.equal(DEVICE_STATUS.active);
      await expectRegistryError(resume(alice), "DeviceNotPaused");
      const strangerErr = await expectRegistryError(pause(mallory), "NotDeviceOwnerOrAgent");
      expect(strangerErr.error.origin).to.equal("signer");
    });

    it("set_endpoint by owner or agent emits DeviceEndpointSet; strangers and bad values are refused", async () => {
      const agent = Keypair.generate();
      const { device } = await registerDevice(alice, { agent, endpoint: "" });
      const setEndpoint = (signer: Keypair, endpoint: string) =>
        program.methods
          .setEndpoint(endpoint)
          .accountsPartial({ signer: signer.publicKey, device })
          .signers([signer])
          .rpc();

      const signature = await setEndpoint(agent, "https://198.51.100.4:7443");
      expect((await program.account.device.fetch(device)).endpoint).to.equal(
        "https://198.51.100.4:7443",
      );
      const { event } = await eventOf("deviceEndpointSet", signature);
      expect(event.device.equals(device)).to.equal(true);
      expect(event.signer.equals(agent.publicKey)).to.equal(true);
      expect(event.endpointBefore).to.equal("");
      expect(event.endpointAfter).to.equal("https://198.51.100.4:7443");

      await expectRegistryError(setEndpoint(alice, "https://198.51.100.4:7443"), "NothingToUpdate");
      await expectRegistryError(setEndpoint(alice, "has space"), "InvalidEndpoint");
      await expectRegistryError(setEndpoint(alice, "e".repeat(97)), "InvalidEndpoint");
      await expectRegistryError(
        setEndpoint(mallory, "https://evil.example"),
        "NotDeviceOwnerOrAgent",
      );
      const cleared = await setEndpoint(alice, "");
      expect((await eventOf("deviceEndpointSet", cleared)).event.endpointAfter).to.equal("");
      expect((await program.account.device.fetch(device)).endpoint).to.equal("");
    });

    it("account.device.all with memcmp filters returns exactly the matching devices", async () => {
      const carol = await fundedKeypair(connection, 10);
      const dave = await fundedKeypair(connection, 10);
      const sharedAgent = Keypair.generate();
      const carols = [
        await registerDevice(carol, { agent: sharedAgent }),
        await registerDevice(carol),
        await registerDevice(carol),
      ];
      const daves = [
        await registerDevice(dave, { agent: sharedAgent }),
        await registerDevice(dave),
      ];

      const sorted = (keys: PublicKey[]) => keys.map((k) => k.toBase58()).sort();
      const ofCarol = await program.account.device.all([deviceOwnerFilter(carol.publicKey)]);
      expect(sorted(ofCarol.map((d) => d.publicKey))).to.deep.equal(
        sorted(carols.map((d) => d.device)),
      );
      for (const d of ofCarol) expect(d.account.owner.equals(carol.publicKey)).to.equal(true);
      const ofDave = await program.account.device.all([deviceOwnerFilter(dave.publicKey)]);
      expect(sorted(ofDave.map((d) => d.publicKey))).to.deep.equal(
        sorted(daves.map((d) => d.device)),
      );

      const byAgent = await program.account.device.all([deviceAgentFilter(sharedAgent.publicKey)]);
      expect(sorted(byAgent.map((d) => d.publicKey))).to.deep.equal(
        sorted([carols[0]!.device, daves[0]!.device]),
      );

      await program.methods
        .pauseDevice()
        .accountsPartial({ signer: carol.publicKey, device: carols[1]!.device })
        .signers([carol])
        .rpc();
      const carolPaused = await program.account.device.all([
        deviceOwnerFilter(carol.publicKey),
        deviceStatusFilter("paused"),
      ]);
      expect(sorted(carolPaused.map((d) => d.publicKey))).to.deep.equal(
        sorted([carols[1]!.device]),
      );
      const carolActive = await program.account.device.all([
        deviceOwnerFilter(carol.publicKey),
        deviceStatusFilter("active"),
        deviceSizeFilter(),
      ]);
      expect(carolActive).to.have.length(2);

      const all = await program.account.device.all();
      const raw = await connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
        filters: [deviceSizeFilter()],
      });
      expect(all.length).to.equal(raw.length);
      expect(
        await program.account.device.all([deviceOwnerFilter(Keypair.generate().publicKey)]),
      ).to.deep.equal([]);
    });

    it("deregister_device returns the rent less the history record's, emits DeviceDeregistered, and the id's next registration resumes its counters", async () => {
      const { deviceId, device } = await registerDevice(alice);
      const rent = (await connection.getAccountInfo(device))!.lamports;
      expect(rent).to.equal(rentExempt(DEVICE_ACCOUNT_SIZE));
      const history = deviceHistoryPda(deviceId).address;
      const historyRent = rentExempt(DEVICE_HISTORY_ACCOUNT_SIZE);
      const before = await connection.getBalance(alice.publicKey);
      const signature = await sendAndConfirm(
        connection,
        new Transaction().add(
          await deregisterDeviceIx(program, { owner: alice.publicKey, deviceId }),
        ),
        [alice],
      );
      // The owner paid the fee and the history record's rent out of the device's.
      expect(await connection.getBalance(alice.publicKey)).to.equal(
        before + rent - historyRent - 5_000,
      );
      expect(await connection.getAccountInfo(device)).to.equal(null);
      expect(await program.account.device.fetchNullable(device)).to.equal(null);
      const kept = await program.account.deviceHistory.fetch(history);
      expect(kept.passes).to.equal(0);
      expect(kept.failures).to.equal(0);
      expect(bn(kept.lastFailureEpoch)).to.equal(String(NO_EPOCH));

      const { event } = await eventOf("deviceDeregistered", signature);
      expect(event.device.equals(device)).to.equal(true);
      expect(event.owner.equals(alice.publicKey)).to.equal(true);
      expect(event.deviceId).to.equal(deviceId);
      expect(event.history.equals(history)).to.equal(true);
      expect(bn(event.rentReturned)).to.equal(String(rent));

      // The id can be registered again, by anyone: the history record is read and closed, its
      // rent to the new owner.
      const bobBefore = await connection.getBalance(bob.publicKey);
      const again = await registerDevice(bob, { deviceId });
      expect(again.device.equals(device)).to.equal(true);
      expect((await program.account.device.fetch(device)).owner.equals(bob.publicKey)).to.equal(
        true,
      );
      expect(await connection.getAccountInfo(history)).to.equal(null);
      // (The provider wallet pays the fees of `registerDevice`.)
      expect(await connection.getBalance(bob.publicKey)).to.equal(
        bobBefore - rentExempt(DEVICE_ACCOUNT_SIZE) + historyRent,
      );

      // Nobody else can take a device off the network.
      const other = await registerDevice(alice);
      await expectRegistryError(
        program.methods
          .deregisterDevice()
          .accountsPartial({
            owner: mallory.publicKey,
            device: other.device,
            history: deviceHistoryPda(other.deviceId).address,
          })
          .signers([mallory])
          .rpc(),
        "NotDeviceOwner",
      );
      expect(await connection.getBalance(other.device)).to.equal(rentExempt(DEVICE_ACCOUNT_SIZE));
    });

    it("lock_device and release_device need the configured market's lock authority", async () => {
      const { device } = await registerDevice(alice);
      const reservation = Keypair.generate().publicKey;
      const lock = (signer: Keypair) =>
        program.methods
          .lockDevice(reservation)
          .accountsPartial({ marketAuthority: signer.publicKey, device })
          .signers([signer])
          .rpc();
      await expectRegistryError(lock(mallory), "MarketNotConfigured");
      await expectRegistryError(
        program.methods
          .releaseDevice(reservation, RESERVATION_OUTCOME.completed)
          .accountsPartial({ marketAuthority: alice.publicKey, device })
          .signers([alice])
          .rpc(),
        "NotMarketAuthority",
      );
      const market = Keypair.generate().publicKey;
      await program.methods
        .updateConfig({
          newAuthority: null,
          keeperBondAmount: null,
          keeperUnbondCooldownSecs: null,
          marketProgram: market,
          availability: null,
        })
        .accountsPartial({ authority: admin.publicKey, newBondMint: null })
        .rpc();
      try {
        await expectRegistryError(lock(mallory), "NotMarketAuthority");
        await expectRegistryError(lock(alice), "NotMarketAuthority");
      } finally {
        await program.methods
          .updateConfig({
            newAuthority: null,
            keeperBondAmount: null,
            keeperUnbondCooldownSecs: null,
            marketProgram: PublicKey.default,
            availability: null,
          })
          .accountsPartial({ authority: admin.publicKey, newBondMint: null })
          .rpc();
      }
      expect(
        (await program.account.device.fetch(device)).reservation.equals(PublicKey.default),
      ).to.equal(true);
    });

    it("removeEventListener stops the delivery of events", async () => {
      const { device } = await registerDevice(alice, { name: "listener-a" });
      const removed = new Collector<TransactionSignature>();
      const kept = new Collector<TransactionSignature>();
      const removedId = program.addEventListener("deviceRenamed", (_e, _s, signature) =>
        removed.push(signature),
      );
      const keptId = program.addEventListener("deviceRenamed", (_e, _s, signature) =>
        kept.push(signature),
      );
      await sleep(200);
      const first = await program.methods
        .renameDevice("listener-b")
        .accountsPartial({ owner: alice.publicKey, device })
        .signers([alice])
        .rpc();
      expect(await removed.next("first rename (listener a)", (s) => s === first)).to.equal(first);
      expect(await kept.next("first rename (listener b)", (s) => s === first)).to.equal(first);

      await program.removeEventListener(removedId);
      const second = await program.methods
        .renameDevice("listener-c")
        .accountsPartial({ owner: alice.publicKey, device })
        .signers([alice])
        .rpc();
      expect(await kept.next("second rename", (s) => s === second)).to.equal(second);
      await sleep(300);
      expect(removed.items).to.deep.equal([first]);
      await program.removeEventListener(keptId);
    });
  });

  describe("keepers", () => {
    let keeper: Keypair;
    let keeperAta: PublicKey;
    const startingTokens = 5_000n * 10n ** BigInt(BOND_DECIMALS);

    async function tokenBalance(account: PublicKey, programId?: PublicKey): Promise<bigint> {
      return (await getAccount(connection, account, "confirmed", programId)).amount;
    }

    const registerKeeper = (
      authority: Keypair,
      accounts: { bondMint?: PublicKey; bondSource: PublicKey; tokenProgram?: PublicKey },
      bondAmount = KEEPER_BOND,
    ) =>
      program.methods
        .registerKeeper(new BN(bondAmount.toString()))
        .accountsPartial({
          authority: authority.publicKey,
          bondMint: accounts.bondMint ?? bondMint,
          bondSource: accounts.bondSource,
          tokenProgram: accounts.tokenProgram ?? TOKEN_PROGRAM_ID,
        })
        .preInstructions([distinct()])
        .signers([authority])
        .rpc();

    const withdraw = (
      authority: Keypair,
      destination: PublicKey,
      mint = bondMint,
      tokenProgram?: PublicKey,
    ) =>
      program.methods
        .withdrawBond()
        .accountsPartial({
          authority: authority.publicKey,
          bondMint: mint,
          destination,
          // Nothing was forfeited: no treasury account is needed.
          treasury: null,
          tokenProgram: tokenProgram ?? TOKEN_PROGRAM_ID,
        })
        .preInstructions([distinct()])
        .signers([authority])
        .rpc();

    before(async () => {
      const config = await program.account.registryConfig.fetch(configPda().address);
      expect(bn(config.keeperBondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(config.keeperUnbondCooldownSecs)).to.equal(String(COOLDOWN_SECS));
      keeper = await fundedKeypair(connection, 10);
      keeperAta = await createAssociatedTokenAccount(connection, admin, bondMint, keeper.publicKey);
      await mintTo(connection, admin, bondMint, keeperAta, bondMintAuthority, startingTokens);
    });

    it("register_keeper refuses a short, foreign or wrong-mint bond source, or a bond below the one in force", async () => {
      const poor = await fundedKeypair(connection, 2);
      const poorAta = await createAssociatedTokenAccount(
        connection,
        admin,
        bondMint,
        poor.publicKey,
      );
      await mintTo(connection, admin, bondMint, poorAta, bondMintAuthority, KEEPER_BOND - 1n);
      await expectRegistryError(registerKeeper(poor, { bondSource: poorAta }), "InsufficientBond");
      // A keeper states what it deposits: less than the bond in force is refused before any
      // transfer.
      await expectRegistryError(
        registerKeeper(keeper, { bondSource: keeperAta }, KEEPER_BOND - 1n),
        "BondBelowMinimum",
      );
      await expectRegistryError(
        registerKeeper(poor, { bondSource: keeperAta }),
        "TokenAccountOwnerMismatch",
      );

      const otherMint = await createMint(
        connection,
        admin,
        bondMintAuthority.publicKey,
        null,
        BOND_DECIMALS,
      );
      const otherAta = await createAssociatedTokenAccount(
        connection,
        admin,
        otherMint,
        poor.publicKey,
      );
      await mintTo(connection, admin, otherMint, otherAta, bondMintAuthority, KEEPER_BOND);
      await expectRegistryError(registerKeeper(poor, { bondSource: otherAta }), "BondMintMismatch");
      expect(await tokenBalance(poorAta)).to.equal(KEEPER_BOND - 1n);
      expect(await connection.getAccountInfo(keeperPda(poor.publicKey).address)).to.equal(null);
      // A bond mint other than the configured one (an address constraint, which logs both keys).
      await expectRegistryError(
        registerKeeper(poor, { bondMint: otherMint, bondSource: otherAta }),
        "BondMintMismatch",
      );
    });

    it("register_keeper moves the bond into the keeper's vault and emits KeeperRegistered", async () => {
      const solBefore = await connection.getBalance(keeper.publicKey);
      const signature = await registerKeeper(keeper, { bondSource: keeperAta });
      const { address: keeperAddress, bump } = keeperPda(keeper.publicKey);
      const { address: vault, bump: vaultBump } = keeperBondVaultPda(keeperAddress);

      expect(await tokenBalance(keeperAta)).to.equal(startingTokens - KEEPER_BOND);
      const vaultAccount = await getAccount(connection, vault);
      expect(vaultAccount.amount).to.equal(KEEPER_BOND);
      expect(vaultAccount.owner.equals(keeperAddress)).to.equal(true);
      expect(vaultAccount.mint.equals(bondMint)).to.equal(true);

      const account = await program.account.keeper.fetch(keeperAddress);
      expect(account.authority.equals(keeper.publicKey)).to.equal(true);
      expect(account.bondMint.equals(bondMint)).to.equal(true);
      expect(bn(account.bondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(account.unbondRequestedAt)).to.equal("0");
      expect(bn(account.withdrawableAt)).to.equal("0");
      expect(account.bump).to.equal(bump);
      expect(account.bondVaultBump).to.equal(vaultBump);
      const now = Date.now() / 1000;
      expect(account.registeredAt.toNumber()).to.be.within(now - 30, now + 5);

      expect((await connection.getAccountInfo(keeperAddress))?.data.length).to.equal(
        KEEPER_ACCOUNT_SIZE,
      );
      expect(await connection.getBalance(keeper.publicKey)).to.equal(
        solBefore - rentExempt(KEEPER_ACCOUNT_SIZE) - rentExempt(TOKEN_ACCOUNT_SIZE),
      );

      const { event } = await eventOf("keeperRegistered", signature);
      expect(event.keeper.equals(keeperAddress)).to.equal(true);
      expect(event.authority.equals(keeper.publicKey)).to.equal(true);
      expect(event.bondMint.equals(bondMint)).to.equal(true);
      expect(bn(event.bondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(event.registeredAt)).to.equal(bn(account.registeredAt));

      const again = await rejectionOf(registerKeeper(keeper, { bondSource: keeperAta }));
      const logs = (again as { logs?: string[] }).logs ?? [];
      expect(
        logs.some((l) => /already in use/.test(l)),
        logs.join("\n"),
      ).to.equal(true);
      expect(await tokenBalance(keeperAta)).to.equal(startingTokens - KEEPER_BOND);
    });

    it("withdraw_bond before an unbond request fails with KeeperNotUnbonding", async () => {
      await expectRegistryError(withdraw(keeper, keeperAta), "KeeperNotUnbonding");
    });

    it("request_unbond starts the cooldown and emits KeeperUnbondRequested; only once", async () => {
      const signature = await program.methods
        .requestUnbond()
        .accountsPartial({ authority: keeper.publicKey })
        .signers([keeper])
        .rpc();
      const account = await program.account.keeper.fetch(keeperPda(keeper.publicKey).address);
      const requestedAt = account.unbondRequestedAt.toNumber();
      expect(requestedAt).to.be.greaterThan(0);
      expect(account.withdrawableAt.toNumber()).to.equal(requestedAt + COOLDOWN_SECS);
      const { event } = await eventOf("keeperUnbondRequested", signature);
      expect(event.keeper.equals(keeperPda(keeper.publicKey).address)).to.equal(true);
      expect(event.authority.equals(keeper.publicKey)).to.equal(true);
      expect(event.requestedAt.toNumber()).to.equal(requestedAt);
      expect(event.withdrawableAt.toNumber()).to.equal(requestedAt + COOLDOWN_SECS);

      await expectRegistryError(
        program.methods
          .requestUnbond()
          .accountsPartial({ authority: keeper.publicKey })
          .preInstructions([distinct()])
          .signers([keeper])
          .rpc(),
        "KeeperUnbonding",
      );
      // Immediately after the request the cooldown has not elapsed (the clock follows wall time).
      await expectRegistryError(withdraw(keeper, keeperAta), "CooldownNotElapsed");

      // Someone else cannot pass this keeper's account as theirs: its address is not their PDA.
      const stranger = await fundedKeypair(connection, 1);
      const foreign = await rejectionOf(
        program.methods
          .requestUnbond()
          .accountsPartial({
            authority: stranger.publicKey,
            keeper: keeperPda(keeper.publicKey).address,
          })
          .signers([stranger])
          .rpc(),
      );
      expect(programErrorName(foreign)).to.equal("ConstraintSeeds");
    });

    it("withdraw_bond after the cooldown returns the bond and both rents, and emits KeeperBondWithdrawn", async () => {
      const keeperAddress = keeperPda(keeper.publicKey).address;
      const vault = keeperBondVaultPda(keeperAddress).address;
      const account = await program.account.keeper.fetch(keeperAddress);
      await warpTo(connection, net.rpcUrl, BigInt(account.withdrawableAt.toNumber()));

      const otherMint = await createMint(
        connection,
        admin,
        bondMintAuthority.publicKey,
        null,
        BOND_DECIMALS,
      );
      const wrongDestination = await createAssociatedTokenAccount(
        connection,
        admin,
        otherMint,
        keeper.publicKey,
      );
      await expectRegistryError(withdraw(keeper, wrongDestination), "BondMintMismatch");

      const keeperRent = (await connection.getAccountInfo(keeperAddress))!.lamports;
      const vaultRent = (await connection.getAccountInfo(vault))!.lamports;
      expect(keeperRent).to.equal(rentExempt(KEEPER_ACCOUNT_SIZE));
      expect(vaultRent).to.equal(rentExempt(TOKEN_ACCOUNT_SIZE));
      const solBefore = await connection.getBalance(keeper.publicKey);

      const signature = await withdraw(keeper, keeperAta);
      expect(await tokenBalance(keeperAta)).to.equal(startingTokens);
      expect(await connection.getAccountInfo(vault)).to.equal(null);
      expect(await connection.getAccountInfo(keeperAddress)).to.equal(null);
      expect(await connection.getBalance(keeper.publicKey)).to.equal(
        solBefore + keeperRent + vaultRent,
      );

      const { event } = await eventOf("keeperBondWithdrawn", signature);
      expect(event.keeper.equals(keeperAddress)).to.equal(true);
      expect(event.authority.equals(keeper.publicKey)).to.equal(true);
      expect(event.bondMint.equals(bondMint)).to.equal(true);
      expect(bn(event.bondAmount)).to.equal(KEEPER_BOND.toString());
      expect(bn(event.forfeited)).to.equal("0");

      // The keeper account is gone: a second withdrawal or unbond finds no keeper.
      const closed = await rejectionOf(withdraw(keeper, keeperAta));
      expect(programErrorName(closed)).to.equal("AccountNotInitialized");
      expect(await tokenBalance(keeperAta)).to.equal(startingTokens);
    });

    it("keepers can bond in a Token-2022 mint once the config names it", async () => {
      const mint2022 = await createMint(
        connection,
        admin,
        bondMintAuthority.publicKey,
        null,
        BOND_DECIMALS,
        undefined,
        undefined,
        TOKEN_2022_PROGRAM_ID,
      );
      const signature = await program.methods
        .updateConfig({
          newAuthority: null,
          keeperBondAmount: null,
          keeperUnbondCooldownSecs: null,
          marketProgram: null,
          availability: null,
        })
        .accountsPartial({ authority: admin.publicKey, newBondMint: mint2022 })
        .rpc();
      const { event } = await eventOf("configUpdated", signature);
      expect(event.bondMintBefore.equals(bondMint)).to.equal(true);
      expect(event.bondMintAfter.equals(mint2022)).to.equal(true);
      try {
        const k = await fundedKeypair(connection, 5);
        const source = await createAccount(
          connection,
          admin,
          mint2022,
          k.publicKey,
          undefined,
          undefined,
          TOKEN_2022_PROGRAM_ID,
        );
        await mintTo(
          connection,
          admin,
          mint2022,
          source,
          bondMintAuthority,
          KEEPER_BOND,
          [],
          undefined,
          TOKEN_2022_PROGRAM_ID,
        );
        await registerKeeper(k, {
          bondMint: mint2022,
          bondSource: source,
          tokenProgram: TOKEN_2022_PROGRAM_ID,
        });
        const vault = keeperBondVaultPda(keeperPda(k.publicKey).address).address;
        expect(
          (await connection.getAccountInfo(vault))?.owner.equals(TOKEN_2022_PROGRAM_ID),
        ).to.equal(true);
        expect(await tokenBalance(vault, TOKEN_2022_PROGRAM_ID)).to.equal(KEEPER_BOND);
        expect(await tokenBalance(source, TOKEN_2022_PROGRAM_ID)).to.equal(0n);

        await program.methods
          .requestUnbond()
          .accountsPartial({ authority: k.publicKey })
          .signers([k])
          .rpc();
        const unbonding = await program.account.keeper.fetch(keeperPda(k.publicKey).address);
        await warpTo(connection, net.rpcUrl, BigInt(unbonding.withdrawableAt.toNumber()));
        await withdraw(k, source, mint2022, TOKEN_2022_PROGRAM_ID);
        expect(await tokenBalance(source, TOKEN_2022_PROGRAM_ID)).to.equal(KEEPER_BOND);
        expect(await connection.getAccountInfo(vault)).to.equal(null);
      } finally {
        await program.methods
          .updateConfig({
            newAuthority: null,
            keeperBondAmount: null,
            keeperUnbondCooldownSecs: null,
            marketProgram: null,
            availability: null,
          })
          .accountsPartial({ authority: admin.publicKey, newBondMint: bondMint })
          .rpc();
      }
      const config = await program.account.registryConfig.fetch(configPda().address);
      expect(config.bondMint.equals(bondMint)).to.equal(true);
    });
  });
});
