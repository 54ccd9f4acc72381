/**
 * Availability rewards end to end on one chain with iotoken, the registry and staking, through the
 * sdk: the registry named iotoken's distributor of the availability and keepers pools and its
 * rewards initialised; three bonded keepers; devices with agent keys, staked to their minimum
 * (one co-staked); agents sign probes bound to a real recent slot read from the SlotHashes sysvar
 * over RPC, and a keeper attests two devices in one transaction (one Ed25519 instruction carrying
 * both signatures). Then the epoch is warped past, iotoken's `end_epoch` mints it, the registry's
 * `close_availability_epoch` draws both pools, and claims pay to the unit what the sdk's mirror
 * predicts (`pot x weight / total`, rounded down; the staker share deposited into the co-staked
 * pool), and keeper tips by qualified passes. Along the way, the attacks a client will try: a
 * forged signature (refused by the Ed25519 program), a replay, another keeper's probe, a probe of
 * another device, a stale slot, Ed25519 entries pointing elsewhere, a double claim, a claim by a
 * stranger, and a failure quorum of three distinct keepers. Last, a governance round sets the
 * registry's availability rules (`RegistryAvailability`).
 */
import type { Program } from "@coral-xyz/anchor";
import { Ed25519Program, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import type {
  Connection,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";
import { expect } from "chai";

import {
  BANDWIDTH_TIER,
  DEFAULT_AVAILABILITY,
  EPOCH_SECS,
  IO,
  IOTOKEN_PROGRAM_ID,
  MAX_LOCK_SECS,
  NO_EPOCH,
  REGISTRY_PROGRAM_ID,
  SEED_DELAY_SLOTS,
  STAKING_PROGRAM_ID,
  VOTE_SIDE,
  addBondIx,
  attestAvailability,
  attestAvailabilityIx,
  availabilityEpochAt,
  availabilityEpochPda,
  availabilityVaultPda,
  castVoteIx,
  claimAvailabilityRewardsIx,
  claimKeeperTipsIx,
  claimableEarnings,
  closeAvailabilityEpochIx,
  configPda,
  createProposalIx,
  decodeEpochRecord,
  deviceMinimumStake,
  devicePda,
  deviceWeight,
  distributorPda,
  drawEpochPoolIx,
  ed25519Instruction,
  endEpochIx,
  epochRecordPda,
  executeProposalIx,
  finalizeProposalIx,
  governancePda,
  indexIncrease,
  initializeRewardsIx,
  initializeStakingIx,
  iotokenConfigPda,
  iotokenErrors,
  ioMintPda,
  isAssigned,
  keeperPda,
  keeperTipsVaultPda,
  openAvailabilityEpochIx,
  openPoolIx,
  parseRegistryEvents,
  passReporters,
  poolDistributorOf,
  poolPda,
  programErrorName,
  proRata,
  probeRequest,
  proposalPda,
  proposalStatusName,
  recentSlotHash,
  registerDeviceIx,
  registerKeeperIx,
  registryErrors,
  reportFailureIx,
  reputationBps,
  setPoolDistributorIx,
  signProbe,
  splitAvailabilityClaim,
  stakePoolPda,
  stakeSelfIx,
  stakeVaultPda,
  stakingConfigPda,
  stakingErrors,
  updateConfigIx,
  withBigints,
} from "@iogrid/sdk";
import type {
  AttestedDevice,
  ClosedEpochLike,
  DeviceSpecs,
  Iotoken,
  ParsedRegistryEvent,
  Registry,
  RegistryErrorName,
  RegistryEventName,
  RegistryEvents,
  SignedProbe,
  Staking,
  StakingErrorName,
} from "@iogrid/sdk";
import { openAvailabilityEpoch, sendAndConfirm, programKeypair } from "@iogrid/sdk/node";

import {
  H100_SERVER_SPECS,
  chainTime,
  distinct,
  fundedKeypair,
  fundedKeypairs,
  rejectionOf,
  sendDistinct,
  sleep,
  tokenBalance,
  warpTo as warpClockTo,
} from "./support/chain.js";
import { expectProgramError } from "./support/errors.js";
import { transactionLogs } from "./support/events.js";
import { startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";
import {
  coStake,
  fundIo,
  initializeIoBondedRegistry,
  iogridPrograms,
  mintedGenesis,
  sealedSchedule,
} from "./support/setup.js";

const big = (value: { toString(): string } | bigint | number): bigint => BigInt(value.toString());

const expectRegistryError = (
  promise: Promise<unknown>,
  name: RegistryErrorName,
): Promise<unknown> =>
  expectProgramError(registryErrors, REGISTRY_PROGRAM_ID, promise, name, { anchorError: false });
const expectStakingError = (promise: Promise<unknown>, name: StakingErrorName): Promise<unknown> =>
  expectProgramError(stakingErrors, STAKING_PROGRAM_ID, promise, name, { anchorError: false });

/**
 * The rules this suite runs under: the defaults, but one assigned pass attests a device (so each
 * keeper's passes pay on their own; the Rust suite covers two passes of distinct keepers).
 */
const SUITE_RULES = { ...DEFAULT_AVAILABILITY, passesRequired: 1 };

const SMALL_SPECS: DeviceSpecs = {
  gpuCount: 2,
  vramMib: 24_576,
  cpuCores: 16,
  ramMib: 65_536,
  storageGib: 2_000,
  bandwidthTier: BANDWIDTH_TIER.standard,
};

interface TestDevice {
  id: string;
  gpuModel: string;
  specs: DeviceSpecs;
  agent: Keypair;
  address: PublicKey;
}

function testDevice(
  id: string,
  gpuModel: string,
  specs: DeviceSpecs,
  agent = Keypair.generate(),
): TestDevice {
  return { id, gpuModel, specs, agent, address: devicePda(id).address };
}

describe("availability: signed probes, attestations, epoch rewards and keeper tips", function () {
  this.timeout(120_000);
  let net: Localnet;
  let connection: Connection;
  let admin: Keypair;
  let operator: Keypair;
  let alice: Keypair;
  let mallory: Keypair;
  let whale: Keypair;
  /** keepers[0] attests the batch, keepers[1] the A100; all three report the offline device. */
  const keepers: Keypair[] = [];
  let registry: Program<Registry>;
  let iotoken: Program<Iotoken>;
  let staking: Program<Staking>;
  const ioMint = ioMintPda().address;
  const ioAccount = new Map<Keypair, PublicKey>();
  let community: PublicKey;
  /** Unix time at which epoch 0 starts: the schedule's first row. */
  let origin: bigint;
  /** The epoch the batch is attested in. */
  let epoch: bigint;
  /** The H100's and the RTX's signed probes of the batch, as a keeper received them. */
  let batch: [SignedProbe, SignedProbe];

  const sharedAgent = Keypair.generate();
  /** 8x H100 (weight 3,200), co-staked by alice: its pool shares the rewards. */
  const h100 = testDevice("avail-h100", "NVIDIA H100 80GB HBM3", H100_SERVER_SPECS, sharedAgent);
  /** 2x RTX 4090 (weight 300), self-stake only. */
  const rtx = testDevice("avail-rtx4090", "NVIDIA GeForce RTX 4090", SMALL_SPECS);
  /** 1x A100 (weight 300), attested by the second keeper. */
  const a100 = testDevice("avail-a100", "NVIDIA A100 80GB", { ...SMALL_SPECS, gpuCount: 1 });
  /** Shares the H100's agent key and has no stake: its pass counts for uptime only. */
  const spare = testDevice("avail-spare", "NVIDIA L40S", SMALL_SPECS, sharedAgent);
  /** Never answers: three keepers report it. */
  const offline = testDevice("avail-offline", "NVIDIA T4", SMALL_SPECS);
  /** Down when two keepers probe it, back for the third: its pass overrides their reports. */
  const flaky = testDevice("avail-flaky", "NVIDIA L4", { ...SMALL_SPECS, gpuCount: 1 });
  const staked = [h100, rtx, a100];

  const send = (ix: TransactionInstruction, signers: Signer[]): Promise<string> =>
    sendDistinct(connection, ix, signers);
  /** `ixs` in one transaction, after a `distinct()` compute budget instruction. */
  const sendAll = (ixs: TransactionInstruction[], signers: Signer[]): Promise<string> =>
    sendAndConfirm(connection, new Transaction().add(distinct(), ...ixs), signers);
  const balance = (account: PublicKey): Promise<bigint> => tokenBalance(connection, account);
  const warpTo = (unixTimestamp: bigint): Promise<void> =>
    warpClockTo(connection, net.rpcUrl, unixTimestamp);
  const fetchDevice = (d: TestDevice) => registry.account.device.fetch(d.address);
  const fetchKeeper = (k: Keypair) => registry.account.keeper.fetch(keeperPda(k.publicKey).address);
  const fetchEpoch = (e: bigint) =>
    registry.account.availabilityEpoch.fetch(availabilityEpochPda(e).address);
  const fetchPool = (d: TestDevice) =>
    staking.account.stakePool.fetch(stakePoolPda(d.address, operator.publicKey).address);
  const fetchStakingConfig = () => staking.account.stakingConfig.fetch(stakingConfigPda().address);
  /** `claim_availability_rewards` of `d` by `owner` into the owner's IO account. */
  const claimRewards = async (
    d: TestDevice,
    owner: Keypair = operator,
    extra: { closedEpochs?: bigint[]; stakePool?: PublicKey } = {},
  ): Promise<string> =>
    send(
      await claimAvailabilityRewardsIx(registry, {
        owner: owner.publicKey,
        device: d.address,
        destination: ioAccount.get(owner)!,
        ...extra,
      }),
      [owner],
    );
  const weightOf = async (d: TestDevice): Promise<bigint> =>
    deviceWeight((await fetchStakingConfig()).gpuClasses, d.gpuModel, d.specs.gpuCount);

  async function eventsOf(signature: TransactionSignature): Promise<ParsedRegistryEvent[]> {
    return parseRegistryEvents(await transactionLogs(connection, signature));
  }

  async function eventsNamed<N extends RegistryEventName>(
    name: N,
    signature: TransactionSignature,
  ): Promise<RegistryEvents[N][]> {
    return (await eventsOf(signature))
      .filter((e) => e.name === name)
      .map((e) => e.data as RegistryEvents[N]);
  }

  /**
   * The agent's probe for `d` (or for `device`) as `keeper` asked for it: bound to the SlotHashes
   * sysvar's newest slot and to the keeper's account, so only `keeper` can attest it.
   */
  async function probeOf(
    d: TestDevice,
    keeper: Keypair,
    options: { epoch?: bigint; device?: PublicKey; slotHash?: Uint8Array } = {},
  ): Promise<SignedProbe> {
    const { slot, hash } = await recentSlotHash(connection);
    const request = probeRequest({
      authority: keeper.publicKey,
      device: options.device ?? d.address,
      epoch: options.epoch ?? epoch,
      slot,
      slotHash: options.slotHash ?? hash,
    });
    return signProbe(d.agent, {
      ...request,
      benchmarkHash: new Uint8Array(32).fill(d.specs.gpuCount),
    });
  }

  /** `probe` attested for `account` (by default the probed device), owned by the operator. */
  const entry = (d: TestDevice, probe: SignedProbe, account = d.address): AttestedDevice => ({
    probe,
    owner: operator.publicKey,
    device: account,
  });

  /** `[distinct, ed25519, attest]` in one transaction, signed by the keeper. */
  async function attest(
    keeper: Keypair,
    devices: AttestedDevice[],
    closedEpochs: bigint[] = [],
    recordEpoch?: bigint,
  ): Promise<TransactionSignature> {
    const ixs = await attestAvailability(registry, {
      authority: keeper.publicKey,
      devices,
      closedEpochs,
      epoch: recordEpoch,
    });
    return sendAll(ixs, [keeper]);
  }

  async function epochRecordOf(e: bigint): Promise<ClosedEpochLike> {
    return fetchEpoch(e);
  }

  before(async function () {
    this.timeout(300_000);
    net = await startLocalnet();
    connection = net.connection;
    admin = await fundedKeypair(connection, 1000);
    [operator, alice, mallory, whale] = await fundedKeypairs(connection, 4);
    keepers.push(...(await fundedKeypairs(connection, 3)));
    ({ registry, iotoken, staking } = iogridPrograms(connection, admin));

    // iotoken: genesis to the admin, the decay schedule from this hour's start, sealed.
    community = (await mintedGenesis(connection, iotoken, admin)).community;
    origin = await sealedSchedule(connection, iotoken, admin);

    // registry: keepers bond 1,000 IO; staking: the defaults, the registry as slasher.
    await initializeIoBondedRegistry(connection, registry, admin);
    await send(
      await initializeStakingIx(staking, {
        authority: admin.publicKey,
        deployer: STAKING_PROGRAM_ID,
        slasherPrograms: [REGISTRY_PROGRAM_ID],
      }),
      [admin, programKeypair(STAKING_PROGRAM_ID)],
    );
    await fundIo(
      connection,
      admin,
      community,
      [
        [operator, 10_000n * IO],
        [alice, 1_000n * IO],
        [mallory, 10n * IO],
        [whale, 3_000_000n * IO],
        // The bond, and 1 IO to top it up after a forfeit.
        ...keepers.map((k): [Keypair, bigint] => [k, 1_001n * IO]),
      ],
      ioAccount,
    );
  });

  after(async () => {
    await net?.stop();
  });

  describe("setup", () => {
    it("set_pool_distributor names the registry's distributor PDA for the availability and keepers pools", async () => {
      for (const pool of ["availability", "keepers"] as const) {
        await send(
          await setPoolDistributorIx(iotoken, {
            authority: admin.publicKey,
            pool,
            program: REGISTRY_PROGRAM_ID,
          }),
          [admin],
        );
      }
      const config = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
      const registryDistributor = distributorPda(REGISTRY_PROGRAM_ID).address;
      expect(poolDistributorOf(REGISTRY_PROGRAM_ID).equals(registryDistributor)).to.equal(true);
      expect(config.poolDistributors.map((k) => k.toBase58())).to.deep.equal(
        [registryDistributor, PublicKey.default, PublicKey.default, registryDistributor].map((k) =>
          k.toBase58(),
        ),
      );
    });

    it("keepers bond 1,000 IO each; attesting waits for initialize_rewards", async () => {
      for (const keeper of keepers) {
        await send(
          await registerKeeperIx(registry, {
            authority: keeper.publicKey,
            bondMint: ioMint,
            bondSource: ioAccount.get(keeper)!,
            bondAmount: 1_000n * IO,
          }),
          [keeper],
        );
        const state = await fetchKeeper(keeper);
        expect(big(state.bondAmount)).to.equal(1_000n * IO);
        expect(withBigints(state.activity)).to.deep.equal({
          earnings: {
            unsettled: Array.from({ length: 4 }, () => ({ epoch: 0n, weight: 0n })),
            accrued: 0n,
            claimed: 0n,
          },
          passesAttested: 0n,
          failuresReported: 0n,
        });
      }
      await expectRegistryError(
        send(
          await attestAvailabilityIx(registry, {
            authority: keepers[0]!.publicKey,
            epoch: 0n,
            devices: [{ device: h100.address, owner: operator.publicKey }],
          }),
          [keepers[0]!],
        ),
        "RewardsNotInitialized",
      );
    });

    it("initialize_rewards copies the emission origin and creates the distributor's vaults, once", async () => {
      // Anyone may pay: the keeper here.
      const signature = await send(
        await initializeRewardsIx(registry, { payer: keepers[2]!.publicKey }),
        [keepers[2]!],
      );
      const config = await registry.account.registryConfig.fetch(configPda().address);
      expect(config.rewardsInitialized).to.equal(true);
      expect(big(config.epochOrigin)).to.equal(origin);
      expect(config.distributorBump).to.equal(distributorPda().bump);
      expect(config.availabilityVaultBump).to.equal(availabilityVaultPda().bump);
      expect(config.keeperTipsVaultBump).to.equal(keeperTipsVaultPda().bump);
      expect(withBigints(config.availability)).to.deep.equal(DEFAULT_AVAILABILITY);
      const [event] = await eventsNamed("rewardsInitialized", signature);
      expect(big(event!.epochOrigin)).to.equal(origin);
      expect(event!.availabilityVault.equals(availabilityVaultPda().address)).to.equal(true);
      expect(event!.keeperTipsVault.equals(keeperTipsVaultPda().address)).to.equal(true);
      expect(await balance(availabilityVaultPda().address)).to.equal(0n);
      expect(await balance(keeperTipsVaultPda().address)).to.equal(0n);
      // Once: the config's flag refuses a second call before the vaults are touched.
      await expectRegistryError(
        send(await initializeRewardsIx(registry, { payer: admin.publicKey }), [admin]),
        "RewardsAlreadyInitialized",
      );
      const after = await registry.account.registryConfig.fetch(configPda().address);
      expect(big(after.epochOrigin)).to.equal(origin);
    });

    it("the suite's rules: one assigned pass attests a device (the default needs two of distinct keepers)", async () => {
      const signature = await send(
        await updateConfigIx(registry, { authority: admin.publicKey, availability: SUITE_RULES }),
        [admin],
      );
      const [updated] = await eventsNamed("configUpdated", signature);
      expect(withBigints(updated!.availabilityBefore)).to.deep.equal(DEFAULT_AVAILABILITY);
      expect(withBigints(updated!.availabilityAfter)).to.deep.equal(SUITE_RULES);
    });

    it("devices register with agent keys; three reach their minimum stake, the H100 co-staked", async () => {
      for (const d of [h100, rtx, a100, spare, offline, flaky]) {
        await send(
          await registerDeviceIx(registry, {
            owner: operator.publicKey,
            deviceId: d.id,
            name: d.id,
            gpuModel: d.gpuModel,
            region: "eu-west",
            specs: d.specs,
            pricePerGpuHour: 1_000_000n,
            agent: d.agent.publicKey,
          }),
          [operator, d.agent],
        );
        const state = await fetchDevice(d);
        expect(state.agent.equals(d.agent.publicKey)).to.equal(true);
        expect(big(state.availability.lastPassEpoch)).to.equal(NO_EPOCH);
        expect(big(state.availability.lastFailureEpoch)).to.equal(NO_EPOCH);
        expect(state.availability.reputationBps).to.equal(0);
      }
      const config = await fetchStakingConfig();
      for (const d of staked) {
        await send(
          await openPoolIx(staking, {
            operator: operator.publicKey,
            device: d.address,
            stakerShareBps: d === h100 ? 300 : 100,
            costakingOpen: d === h100,
          }),
          [operator],
        );
        const minimum = deviceMinimumStake(config, d.gpuModel, d.specs.gpuCount);
        await send(
          await stakeSelfIx(staking, {
            operator: operator.publicKey,
            pool: { device: d.address, operator: operator.publicKey },
            tokenAccount: ioAccount.get(operator)!,
            amount: minimum,
          }),
          [operator],
        );
        expect(big((await fetchPool(d)).operatorStake)).to.equal(minimum);
      }
      expect(deviceMinimumStake(config, h100.gpuModel, 8)).to.equal(6_400n * IO);
      expect(deviceMinimumStake(config, rtx.gpuModel, 2)).to.equal(600n * IO);
      expect(deviceMinimumStake(config, a100.gpuModel, 1)).to.equal(600n * IO);
      const pool = stakePoolPda(h100.address, operator.publicKey).address;
      await coStake(connection, staking, {
        owner: alice,
        pool,
        amount: 1_000n * IO,
      });
      expect(big((await fetchPool(h100)).activeShares) > 0n).to.equal(true);
    });
  });

  describe("an epoch of attestations", () => {
    before(async () => {
      // The next epoch's start, so the whole hour is ahead (epoch 1, or 2 if the setup crossed
      // the hour).
      const config = await registry.account.registryConfig.fetch(configPda().address);
      const next = availabilityEpochAt(origin, BigInt(await chainTime(connection))) + 1n;
      await warpTo(origin + next * EPOCH_SECS + 1n);
      epoch = availabilityEpochAt(big(config.epochOrigin), BigInt(await chainTime(connection)));
      expect(epoch).to.equal(next);
    });

    it("attestations wait for the epoch's record and its seed; opening snapshots the keepers", async () => {
      const probe = await probeOf(a100, keepers[1]!);
      await expectRegistryError(attest(keepers[1]!, [entry(a100, probe)]), "EpochNotOpened");
      const opened = await send(
        await openAvailabilityEpochIx(registry, { payer: keepers[2]!.publicKey, epoch }),
        [keepers[2]!],
      );
      const [event] = withBigints(await eventsNamed("availabilityEpochOpened", opened));
      expect(event).to.deep.include({
        epoch,
        keeperBondTotal: 3_000n * IO,
        keeperCount: 3,
        committeeSize: SUITE_RULES.committeeSize,
        passesRequired: 1,
      });
      expect(event!.seedSlot).to.equal(event!.openedSlot + SEED_DELAY_SLOTS);
      // Its seed slot has not passed yet (or its hash was not read yet): no assignment exists.
      const record = await fetchEpoch(epoch);
      expect(record.seedFixed).to.equal(false);
      const fixed = await openAvailabilityEpoch(connection, registry, keepers[2]!, epoch);
      expect(fixed.seedFixed).to.equal(true);
      await expectRegistryError(
        send(await openAvailabilityEpochIx(registry, { payer: keepers[2]!.publicKey, epoch }), [
          keepers[2]!,
        ]),
        "EpochSeedAlreadyFixed",
      );
      // Three keepers of equal bond and a committee of six: each keeper draws every device, and
      // the sdk says so before any transaction.
      for (const keeper of keepers) {
        const state = await fetchKeeper(keeper);
        for (const d of [h100, rtx, a100, spare, offline, flaky]) {
          const device = await fetchDevice(d);
          expect(
            isAssigned(
              fixed,
              d.address,
              device.registeredSlot,
              keeperPda(keeper.publicKey).address,
              state,
            ),
          ).to.equal(true);
        }
      }
    });

    it("agents sign probes bound to a recent slot; a keeper attests two devices in one transaction", async () => {
      const [h100Probe, rtxProbe] = [
        await probeOf(h100, keepers[0]!),
        await probeOf(rtx, keepers[0]!),
      ];
      batch = [h100Probe, rtxProbe];
      const ixs = await attestAvailability(registry, {
        authority: keepers[0]!.publicKey,
        devices: [entry(h100, h100Probe), entry(rtx, rtxProbe)],
      });
      expect(ixs[0].programId.equals(Ed25519Program.programId)).to.equal(true);
      const tx = new Transaction().add(distinct(), ...ixs);
      const signature = await sendAndConfirm(connection, tx, [keepers[0]!]);
      expect(tx.serialize().length).to.be.at.most(1232);

      const keeperAccount = keeperPda(keepers[0]!.publicKey).address;
      const weights = [await weightOf(h100), await weightOf(rtx)];
      expect(weights).to.deep.equal([3_200n, 300n]);
      const attested = await eventsNamed("deviceAttested", signature);
      expect(attested.map((e) => e.device.toBase58())).to.deep.equal(
        [h100.address, rtx.address].map((k) => k.toBase58()),
      );
      for (const [i, [d, probe]] of (
        [
          [h100, h100Probe],
          [rtx, rtxProbe],
        ] as const
      ).entries()) {
        const event = withBigints(attested[i]!);
        const slot = new DataView(probe.message.buffer).getBigUint64(53, true);
        expect(event).to.deep.include({
          epoch,
          probeSlot: slot,
          qualified: true,
          weight: weights[i],
          uptimeStreak: 1,
          reputationBps: reputationBps(1, 0, 0),
        });
        expect(event.keeper.equals(keeperAccount)).to.equal(true);
        expect(event.stake >= event.minimumStake).to.equal(true);
        const state = withBigints((await fetchDevice(d)).availability);
        expect(state).to.deep.include({
          passes: 1,
          failures: 0,
          uptimeStreak: 1,
          longestUptimeStreak: 1,
          reputationBps: 400,
          lastPassEpoch: epoch,
          lastProbeSlot: slot,
          reportEpoch: NO_EPOCH,
          lastFailureEpoch: NO_EPOCH,
        });
        expect(state.lastBenchmarkHash).to.deep.equal(Array(32).fill(d.specs.gpuCount));
        expect(state.lastAttestedBy.equals(keeperAccount)).to.equal(true);
        expect(state.earnings.unsettled[0]).to.deep.equal({ epoch, weight: weights[i] });
      }
      const record = withBigints(await fetchEpoch(epoch));
      expect(record).to.deep.include({
        epoch,
        totalWeight: 3_500n,
        qualifiedPasses: 2,
        unqualifiedPasses: 0,
        closed: false,
        deviceRewards: 0n,
        keeperRewards: 0n,
        bump: availabilityEpochPda(epoch).bump,
      });
      const activity = withBigints((await fetchKeeper(keepers[0]!)).activity);
      expect(activity.passesAttested).to.equal(2n);
      expect(activity.earnings.unsettled[0]).to.deep.equal({ epoch, weight: 2n });
    });

    it("a forged signature is refused by the Ed25519 program, before the registry runs", async () => {
      const probe = await probeOf(a100, keepers[1]!);
      const forged = { ...probe, signature: Uint8Array.from(probe.signature) };
      forged.signature[10] = forged.signature[10]! ^ 0x40;
      const err = await rejectionOf(attest(keepers[1]!, [entry(a100, forged)]));
      // Instruction 1 (after `distinct`) is the Ed25519 check; 0x2 is its InvalidSignature. The
      // registry never runs.
      expect(String(err)).to.include("Error processing Instruction 1: custom program error: 0x2");
      expect(String(err)).to.not.include(REGISTRY_PROGRAM_ID.toBase58());
      expect(programErrorName(err)).to.equal(undefined);
      expect(big((await fetchDevice(a100)).availability.passes)).to.equal(0n);
      // The same bytes signed by a stranger's key claiming to be the agent fail the same way.
      const impostor = signProbe(Keypair.generate(), {
        device: a100.address,
        epoch,
        slot: 1n,
        slotHash: new Uint8Array(32),
        keeper: keeperPda(keepers[1]!.publicKey).address,
      });
      const err2 = await rejectionOf(
        attest(keepers[1]!, [
          entry(a100, { ...impostor, publicKey: a100.agent.publicKey, message: probe.message }),
        ]),
      );
      expect(String(err2)).to.include("Error processing Instruction 1: custom program error: 0x2");
    });

    it("a replayed attestation fails with AlreadyAttested", async () => {
      // The batch's signed probes again, from their keeper; then one probe twice in a batch.
      await expectRegistryError(
        attest(keepers[0]!, [entry(h100, batch[0]), entry(rtx, batch[1])]),
        "AlreadyAttested",
      );
      const probe = await probeOf(a100, keepers[1]!);
      await expectRegistryError(
        attest(keepers[1]!, [entry(a100, probe), entry(a100, probe)]),
        "AlreadyAttested",
      );
      expect((await fetchDevice(a100)).availability.passes).to.equal(0);
    });

    it("a probe signed for one keeper fails with ChallengeMismatch when another attests it", async () => {
      // keepers[0] asked for the A100's probe; keepers[1] copies the signed probe (as out of a
      // pending attestation) into its own attestation: the challenge binds keepers[0]'s account.
      const probe = await probeOf(a100, keepers[0]!);
      await expectRegistryError(attest(keepers[1]!, [entry(a100, probe)]), "ChallengeMismatch");
      // The batch keepers[0] attested, from keepers[1]: refused for the keeper before the replay.
      await expectRegistryError(
        attest(keepers[1]!, [entry(h100, batch[0]), entry(rtx, batch[1])]),
        "ChallengeMismatch",
      );
      expect((await fetchDevice(a100)).availability.passes).to.equal(0);
      expect(big((await fetchKeeper(keepers[1]!)).activity.passesAttested)).to.equal(0n);
    });

    it("a probe counts for the device it names, signed by that device's agent", async () => {
      // The spare shares the H100's agent: the H100's probe, put forward for the spare.
      const h100Probe = await probeOf(h100, keepers[0]!);
      await expectRegistryError(
        attest(keepers[0]!, [entry(h100, h100Probe, spare.address)]),
        "ProbeDeviceMismatch",
      );
      // The RTX's agent signing for the A100's account.
      await expectRegistryError(
        attest(keepers[0]!, [
          entry(rtx, await probeOf(rtx, keepers[0]!, { device: a100.address }), a100.address),
        ]),
        "AgentKeyMismatch",
      );
      // A probe for the next epoch: the sdk derives the record from the probe, which is not the
      // current epoch's; passed with the current epoch's record, the probe itself is refused.
      const nextEpochProbe = await probeOf(a100, keepers[0]!, { epoch: epoch + 1n });
      await expectRegistryError(
        attest(keepers[0]!, [entry(a100, nextEpochProbe)]),
        "EpochNotOpened",
      );
      await expectRegistryError(
        attest(keepers[0]!, [entry(a100, nextEpochProbe)], [], epoch),
        "ProbeEpochMismatch",
      );
      await expectRegistryError(
        attest(keepers[0]!, [
          entry(a100, await probeOf(a100, keepers[0]!, { slotHash: new Uint8Array(32).fill(1) })),
        ]),
        "ChallengeMismatch",
      );
    });

    it("a probe bound to a slot older than max_probe_age_slots is stale", async () => {
      const setAge = async (maxProbeAgeSlots: bigint, failureQuorum = 3) =>
        send(
          await updateConfigIx(registry, {
            authority: admin.publicKey,
            availability: { ...SUITE_RULES, failureQuorum, maxProbeAgeSlots },
          }),
          [admin],
        );
      await expectRegistryError(setAge(0n), "InvalidProbeAge");
      await expectRegistryError(setAge(513n), "InvalidProbeAge");
      await expectRegistryError(setAge(150n, 1), "InvalidFailureQuorum");
      await expectRegistryError(setAge(150n, 6), "InvalidFailureQuorum");
      const signature = await setAge(2n);
      const [updated] = await eventsNamed("configUpdated", signature);
      expect(withBigints(updated!.availabilityBefore)).to.deep.equal(SUITE_RULES);
      expect(withBigints(updated!.availabilityAfter)).to.deep.equal({
        ...SUITE_RULES,
        maxProbeAgeSlots: 2n,
      });

      const probe = await probeOf(a100, keepers[1]!);
      const slot = new DataView(probe.message.buffer).getBigUint64(53, true);
      while (BigInt(await connection.getSlot("processed")) <= slot + 3n) await sleep(100);
      await expectRegistryError(attest(keepers[1]!, [entry(a100, probe)]), "StaleProbe");
      // A slot the chain has not reached is refused the same way.
      const future = signProbe(a100.agent, {
        device: a100.address,
        epoch,
        slot: slot + 1_000n,
        slotHash: new Uint8Array(32),
        keeper: keeperPda(keepers[1]!.publicKey).address,
      });
      await expectRegistryError(attest(keepers[1]!, [entry(a100, future)]), "StaleProbe");
      await setAge(SUITE_RULES.maxProbeAgeSlots);
    });

    it("the Ed25519 instruction comes right before, with one signature per device, in its own data", async () => {
      const probe = await probeOf(a100, keepers[1]!);
      const attestOnly = await attestAvailabilityIx(registry, {
        authority: keepers[1]!.publicKey,
        epoch,
        devices: [{ device: a100.address, owner: operator.publicKey }],
      });
      await expectRegistryError(sendAll([attestOnly], [keepers[1]!]), "MissingEd25519Instruction");
      await expectRegistryError(
        sendAll(
          [ed25519Instruction([probe, await probeOf(rtx, keepers[1]!)]), attestOnly],
          [keepers[1]!],
        ),
        "SignatureCountMismatch",
      );
      // Entries pointing at instruction 0 by number instead of "this instruction": the Ed25519
      // program verifies the same bytes, but the registry cannot know which it verified.
      const pointed = ed25519Instruction([probe]);
      for (const field of [1, 3, 6]) pointed.data.writeUInt16LE(0, 2 + 2 * field);
      await expectRegistryError(
        sendAndConfirm(connection, new Transaction().add(pointed, attestOnly), [keepers[1]!]),
        "Ed25519LayoutMismatch",
      );
    });

    it("a second keeper attests the A100; an unstaked device's pass earns no weight", async () => {
      const signature = await attest(keepers[1]!, [entry(a100, await probeOf(a100, keepers[1]!))]);
      const [event] = await eventsNamed("deviceAttested", signature);
      expect(event!.qualified).to.equal(true);
      expect(big(event!.weight)).to.equal(await weightOf(a100));

      const spareSignature = await attest(keepers[0]!, [
        entry(spare, await probeOf(spare, keepers[0]!)),
      ]);
      const [spareEvent] = withBigints(await eventsNamed("deviceAttested", spareSignature));
      expect(spareEvent).to.deep.include({ qualified: false, weight: 0n, stake: 0n });
      expect(spareEvent!.minimumStake).to.equal(
        deviceMinimumStake(await fetchStakingConfig(), spare.gpuModel, 2),
      );
      const spareState = withBigints((await fetchDevice(spare)).availability);
      expect(spareState).to.deep.include({ passes: 1, lastPassEpoch: epoch, uptimeStreak: 1 });
      expect(spareState.earnings.unsettled.every((u) => u.weight === 0n)).to.equal(true);

      const record = withBigints(await fetchEpoch(epoch));
      expect(record).to.deep.include({
        totalWeight: 3_800n,
        qualifiedPasses: 3,
        unqualifiedPasses: 1,
      });
      const first = withBigints((await fetchKeeper(keepers[0]!)).activity);
      expect(first.passesAttested).to.equal(3n);
      expect(first.earnings.unsettled[0]).to.deep.equal({ epoch, weight: 2n });
      const second = withBigints((await fetchKeeper(keepers[1]!)).activity);
      expect(second.earnings.unsettled[0]).to.deep.equal({ epoch, weight: 1n });
    });

    const sendReport = async (keeper: Keypair, d: TestDevice, reportEpoch = epoch) =>
      send(
        await reportFailureIx(registry, {
          authority: keeper.publicKey,
          device: d.address,
          epoch: reportEpoch,
        }),
        [keeper],
      );

    it("reports count from the epoch's second half; three assigned keepers' reports make a provisional quorum", async () => {
      // The probe window: the first half of the epoch is the device's chance to pass.
      await expectRegistryError(sendReport(keepers[0]!, offline), "ReportWindowNotOpen");
      await warpTo(origin + epoch * EPOCH_SECS + BigInt(SUITE_RULES.reportAfterSecs));

      const first = await sendReport(keepers[0]!, offline);
      const [reported] = withBigints(await eventsNamed("failureReported", first));
      expect(reported).to.deep.include({ epoch, reports: 1, quorum: 3, quorumReached: false });
      expect(reported!.keeper.equals(keeperPda(keepers[0]!.publicKey).address)).to.equal(true);
      await sendReport(keepers[1]!, offline);
      await expectRegistryError(sendReport(keepers[1]!, offline), "DuplicateFailureReport");
      let state = withBigints((await fetchDevice(offline)).availability);
      expect(state).to.deep.include({
        reportEpoch: epoch,
        reportCount: 2,
        quorumReached: false,
        failures: 0,
      });

      const third = await sendReport(keepers[2]!, offline);
      const [quorum] = withBigints(await eventsNamed("failureReported", third));
      expect(quorum).to.deep.include({ reports: 3, quorumReached: true });
      // Provisional while the epoch runs: nothing is on the device's record yet.
      expect(await eventsNamed("deviceFailed", third)).to.deep.equal([]);
      state = withBigints((await fetchDevice(offline)).availability);
      expect(state).to.deep.include({
        reportCount: 3,
        quorumReached: true,
        firstReportAt: reported!.reportedAt,
        failures: 0,
        lastFailureEpoch: NO_EPOCH,
      });
      expect(state.failureReporters.slice(0, 3).map((k) => k.toBase58())).to.deep.equal(
        keepers.map((k) => keeperPda(k.publicKey).address.toBase58()),
      );
      expect(big((await fetchKeeper(keepers[2]!)).activity.failuresReported)).to.equal(1n);

      await expectRegistryError(sendReport(keepers[0]!, offline), "FailureQuorumReached");
      // A device with a pass this epoch cannot be reported.
      await expectRegistryError(sendReport(keepers[0]!, h100), "DeviceAttestedThisEpoch");
    });

    it("a pass later in the epoch overrides the reports; each reporter forfeits 0.1% of its bond", async () => {
      await sendReport(keepers[1]!, flaky);
      await sendReport(keepers[2]!, flaky);
      const reporters = passReporters(
        await fetchDevice(flaky),
        epoch,
        keeperPda(keepers[0]!.publicKey).address,
      );
      expect(reporters.map(String)).to.deep.equal(
        [keepers[1]!, keepers[2]!].map((k) => keeperPda(k.publicKey).address.toBase58()),
      );
      const bonds = [await fetchKeeper(keepers[1]!), await fetchKeeper(keepers[2]!)].map((k) =>
        big(k.bondAmount),
      );
      const probe = await probeOf(flaky, keepers[0]!);
      // The reporters' accounts must come with the overriding pass.
      await expectRegistryError(
        attest(keepers[0]!, [entry(flaky, probe)]),
        "ReporterAccountMismatch",
      );
      await expectRegistryError(
        attest(keepers[0]!, [
          { ...entry(flaky, probe), reporters: [reporters[1]!, reporters[0]!] },
        ]),
        "ReporterAccountMismatch",
      );
      const signature = await attest(keepers[0]!, [{ ...entry(flaky, probe), reporters }]);
      const penalty = (1_000n * IO * BigInt(SUITE_RULES.falseReportPenaltyBps)) / 10_000n;
      expect(penalty).to.equal(IO);
      const [overridden] = withBigints(await eventsNamed("failureReportsOverridden", signature));
      expect(overridden!.penalties).to.deep.equal([penalty, penalty]);
      expect(overridden!.reporters.map(String)).to.deep.equal(reporters.map(String));
      for (const [i, keeper] of [keepers[1]!, keepers[2]!].entries()) {
        const state = await fetchKeeper(keeper);
        expect(big(state.bondAmount)).to.equal(bonds[i]! - penalty);
        expect(big(state.forfeited)).to.equal(penalty);
      }
      const device = withBigints((await fetchDevice(flaky)).availability);
      expect(device).to.deep.include({
        passes: 1,
        failures: 0,
        reportCount: 0,
        quorumReached: false,
      });
    });

    it("a keeper below the bond in force attests nothing until it tops the bond up", async () => {
      const probe = await probeOf(rtx, keepers[1]!);
      await expectRegistryError(attest(keepers[1]!, [entry(rtx, probe)]), "KeeperBondTooLow");
      const signature = await send(
        await addBondIx(registry, {
          authority: keepers[1]!.publicKey,
          bondMint: ioMint,
          bondSource: ioAccount.get(keepers[1]!)!,
          amount: IO,
        }),
        [keepers[1]!],
      );
      const [added] = withBigints(await eventsNamed("keeperBondAdded", signature));
      expect(added).to.deep.include({ amount: IO, bondBefore: 999n * IO, bondAfter: 1_000n * IO });
      const state = await fetchKeeper(keepers[1]!);
      expect(big(state.bondAmount)).to.equal(1_000n * IO);
      // The top-up weighs in assignments from the next epoch; this epoch keeps the bond it began
      // with (999 IO after the forfeit).
      expect(big(state.priorBond)).to.equal(999n * IO);
      expect(big(state.bondChangedEpoch)).to.equal(epoch);
      // The RTX already has its one pass: the epoch needs no more.
      await expectRegistryError(attest(keepers[1]!, [entry(rtx, probe)]), "PassesComplete");
    });
  });

  describe("closing the epoch, claims and tips", () => {
    /** iotoken's record of the attested epoch: what each pool minted. */
    let pots: { devices: bigint; keepers: bigint };

    before(async () => {
      await warpTo(origin + (epoch + 1n) * EPOCH_SECS + 1n);
    });

    it("close_availability_epoch waits for iotoken's end_epoch, then draws both pools once", async () => {
      const close = async (cranker: Keypair) =>
        send(await closeAvailabilityEpochIx(registry, { cranker: cranker.publicKey, epoch }), [
          cranker,
        ]);
      // iotoken has not closed the epoch: its record does not exist yet.
      const early = await rejectionOf(close(mallory));
      expect(programErrorName(early)).to.equal("AccountNotInitialized");

      await send(
        await endEpochIx(iotoken, {
          cranker: keepers[2]!.publicKey,
          tipDestination: ioAccount.get(keepers[2]!)!,
          // Every epoch so far, the attested one last.
          epochs: Array.from({ length: Number(epoch) + 1 }, (_, e) => BigInt(e)),
        }),
        [keepers[2]!],
      );
      const minted = decodeEpochRecord(
        (await connection.getAccountInfo(epochRecordPda(epoch).address))!.data,
      );
      expect(minted.drawn).to.deep.equal([false, false, false, false]);
      pots = { devices: minted.pools[0], keepers: minted.pools[3] };
      expect(pots.devices > 0n && pots.keepers > 0n).to.equal(true);
      const [availabilityPool, keepersPool] = [poolPda("availability"), poolPda("keepers")].map(
        (p) => p.address,
      );
      const poolsBefore = [await balance(availabilityPool!), await balance(keepersPool!)];

      const signature = await close(mallory);
      expect(await balance(availabilityVaultPda().address)).to.equal(pots.devices);
      expect(await balance(keeperTipsVaultPda().address)).to.equal(pots.keepers);
      expect(await balance(availabilityPool!)).to.equal(poolsBefore[0]! - pots.devices);
      expect(await balance(keepersPool!)).to.equal(poolsBefore[1]! - pots.keepers);
      const record = withBigints(await fetchEpoch(epoch));
      expect(record).to.deep.include({
        closed: true,
        deviceRewards: pots.devices,
        keeperRewards: pots.keepers,
        totalWeight: 3_800n,
        qualifiedPasses: 3,
      });
      expect(record.closedAt >= origin + (epoch + 1n) * EPOCH_SECS).to.equal(true);
      expect(record.closedAt <= BigInt(await chainTime(connection))).to.equal(true);
      const [event] = withBigints(await eventsNamed("availabilityEpochClosed", signature));
      expect(event).to.deep.equal({
        epoch,
        totalWeight: 3_800n,
        qualifiedPasses: 3,
        deviceRewards: pots.devices,
        keeperRewards: pots.keepers,
      });
      const drawn = decodeEpochRecord(
        (await connection.getAccountInfo(epochRecordPda(epoch).address))!.data,
      );
      expect(drawn.drawn).to.deep.equal([true, false, false, true]);

      await expectRegistryError(close(mallory), "EpochAlreadyClosed");
      // Only the registry's distributor PDA draws, and only through the registry.
      await expectProgramError(
        iotokenErrors,
        IOTOKEN_PROGRAM_ID,
        send(
          await drawEpochPoolIx(iotoken, {
            distributor: admin.publicKey,
            pool: "compute",
            epoch,
            destination: ioAccount.get(mallory)!,
          }),
          [admin],
        ),
        "NotPoolDistributor",
        { anchorError: false },
      );
    });

    it("the next attestation settles the closed epoch into the device's and keeper's accrued amounts", async () => {
      const next = epoch + 1n;
      const before = await fetchDevice(h100);
      const closed = [await epochRecordOf(epoch)];
      const expected = claimableEarnings(before.availability.earnings, closed, "devices");
      expect(expected).to.equal(proRata(pots.devices, 3_200n, 3_800n));
      await openAvailabilityEpoch(connection, registry, keepers[2]!, next);
      await attest(
        keepers[0]!,
        [entry(h100, await probeOf(h100, keepers[0]!, { epoch: next }))],
        [epoch],
      );
      const state = withBigints((await fetchDevice(h100)).availability);
      expect(state.earnings.accrued).to.equal(expected);
      expect(state.earnings.unsettled.find((u) => u.weight > 0n)).to.deep.equal({
        epoch: next,
        weight: 3_200n,
      });
      expect(state).to.deep.include({
        passes: 2,
        uptimeStreak: 2,
        longestUptimeStreak: 2,
        lastPassEpoch: next,
        reputationBps: reputationBps(2, 0, 0),
      });
      const activity = withBigints((await fetchKeeper(keepers[0]!)).activity);
      expect(activity.earnings.accrued).to.equal(proRata(pots.keepers, 2n, 3n));
      // The batch, the spare, the flaky device and now the H100 again.
      expect(activity.passesAttested).to.equal(5n);
    });

    it("owners claim pot x weight / total to the unit; the H100's staker share goes to its co-stakers", async () => {
      const destination = ioAccount.get(operator)!;
      const closed = [await epochRecordOf(epoch)];
      const paid: bigint[] = [];
      for (const d of staked) {
        const device = await fetchDevice(d);
        const amount = claimableEarnings(device.availability.earnings, closed, "devices");
        const pool = await fetchPool(d);
        const { toStakers, toOwner } = splitAvailabilityClaim(amount, pool);
        const stakeVault = stakeVaultPda(
          stakePoolPda(d.address, operator.publicKey).address,
        ).address;
        const [ownerBefore, vaultBefore] = [await balance(destination), await balance(stakeVault)];
        const signature = await claimRewards(d, operator, {
          // The H100's epoch was settled by its last attestation already.
          closedEpochs: d === h100 ? [] : [epoch],
        });
        const weight = await weightOf(d);
        expect(amount, d.id).to.equal(proRata(pots.devices, weight, 3_800n));
        expect(await balance(destination)).to.equal(ownerBefore + toOwner);
        expect(await balance(stakeVault)).to.equal(vaultBefore + toStakers);
        const after = await fetchPool(d);
        expect(big(after.rewardIndex)).to.equal(
          big(pool.rewardIndex) +
            (toStakers > 0n ? indexIncrease(toStakers, big(pool.activeShares)) : 0n),
        );
        const [event] = withBigints(await eventsNamed("availabilityRewardsClaimed", signature));
        expect(event).to.deep.include({
          epochsSettled: d === h100 ? 0 : 1,
          toOwner,
          toStakers,
          claimedTotal: amount,
        });
        expect(event!.device.equals(d.address)).to.equal(true);
        const state = withBigints((await fetchDevice(d)).availability.earnings);
        expect(state).to.deep.include({ accrued: 0n, claimed: amount });
        paid.push(amount);
        if (d === h100) {
          expect(toStakers).to.equal((amount * 300n) / 10_000n);
          expect(toStakers > 0n).to.equal(true);
        } else {
          expect(toStakers).to.equal(0n);
        }
      }
      // Rounding down never pays out more than was drawn; the dust stays in the vault.
      const total = paid.reduce((a, b) => a + b, 0n);
      expect(total <= pots.devices).to.equal(true);
      expect(await balance(availabilityVaultPda().address)).to.equal(pots.devices - total);
      expect(pots.devices - total < 3n).to.equal(true);
    });

    it("a second claim has nothing to claim; only the owner may claim", async () => {
      await expectRegistryError(
        claimRewards(rtx, operator, { closedEpochs: [epoch] }),
        "NothingToClaim",
      );
      // The H100 still has the next epoch unsettled: owed, but not claimable before it closes.
      await expectRegistryError(claimRewards(h100), "NothingToClaim");
      await expectRegistryError(
        claimRewards(a100, mallory, {
          stakePool: stakePoolPda(a100.address, operator.publicKey).address,
          closedEpochs: [epoch],
        }),
        "NotDeviceOwner",
      );
      // A record of an epoch not closed cannot be passed for settlement.
      await expectRegistryError(
        claimRewards(h100, operator, { closedEpochs: [epoch + 1n] }),
        "EpochNotClosed",
      );
    });

    it("keepers claim their tips by qualified passes, to the unit", async () => {
      const closed = [await epochRecordOf(epoch)];
      const tips: bigint[] = [];
      for (const [i, keeper] of keepers.entries()) {
        const activity = (await fetchKeeper(keeper)).activity;
        const amount = claimableEarnings(activity.earnings, closed, "keepers");
        const claim = async () =>
          send(
            await claimKeeperTipsIx(registry, {
              authority: keeper.publicKey,
              destination: ioAccount.get(keeper)!,
              closedEpochs: [epoch],
            }),
            [keeper],
          );
        if (i === 2) {
          // Reports earn no tips, and its pass of the unstaked flaky device none either.
          expect(amount).to.equal(0n);
          await expectRegistryError(claim(), "NothingToClaim");
          continue;
        }
        expect(amount).to.equal(proRata(pots.keepers, i === 0 ? 2n : 1n, 3n));
        const before = await balance(ioAccount.get(keeper)!);
        const signature = await claim();
        expect(await balance(ioAccount.get(keeper)!)).to.equal(before + amount);
        const [event] = withBigints(await eventsNamed("keeperTipsClaimed", signature));
        expect(event).to.deep.include({ amount, claimedTotal: amount });
        tips.push(amount);
        await expectRegistryError(claim(), "NothingToClaim");
      }
      const total = tips.reduce((a, b) => a + b, 0n);
      expect(await balance(keeperTipsVaultPda().address)).to.equal(pots.keepers - total);
      expect(pots.keepers - total < 2n).to.equal(true);
    });
  });

  describe("a quorum no pass overrode", () => {
    it("becomes a failure on the device's record once its epoch has ended, when the device is next touched", async () => {
      const next = epoch + 1n;
      const before = withBigints((await fetchDevice(offline)).availability);
      expect(before).to.deep.include({ quorumReached: true, failures: 0, reportEpoch: epoch });
      await warpTo(origin + next * EPOCH_SECS + BigInt(SUITE_RULES.reportAfterSecs));
      // The offline device is still down: a report in the next epoch counts the last one first.
      const signature = await send(
        await reportFailureIx(registry, {
          authority: keepers[0]!.publicKey,
          device: offline.address,
          epoch: next,
        }),
        [keepers[0]!],
      );
      const [failed] = withBigints(await eventsNamed("deviceFailed", signature));
      expect(failed).to.deep.include({
        epoch,
        foundDownAt: before.firstReportAt,
        duringReservation: false,
        failures: 1,
        reputationBps: reputationBps(0, 1, 0),
      });
      const state = withBigints((await fetchDevice(offline)).availability);
      expect(state).to.deep.include({
        failures: 1,
        uptimeStreak: 0,
        lastFailureEpoch: epoch,
        reportEpoch: next,
        reportCount: 1,
        quorumReached: false,
        lockFailureAt: 0n,
      });
    });
  });

  describe("governance", () => {
    it("a RegistryAvailability proposal sets the failure quorum and probe age through the governance PDA", async () => {
      const governance = governancePda().address;
      const pool = stakePoolPda(h100.address, operator.publicKey).address;
      // The whale co-stakes 3,000,000 IO locked 4 years: enough weight for the quorum alone.
      await coStake(connection, staking, {
        owner: whale,
        pool,
        amount: 3_000_000n * IO,
        lockSecs: MAX_LOCK_SECS,
      });
      await send(
        await updateConfigIx(registry, { authority: admin.publicKey, newAuthority: governance }),
        [admin],
      );

      const id = big((await fetchStakingConfig()).proposalCount);
      const propose = async (failureQuorum: number, maxProbeAgeSlots: bigint) =>
        send(
          await createProposalIx(staking, {
            proposer: whale.publicKey,
            pool,
            id,
            title: "Failure quorum 2, probes valid 300 slots",
            change: { registryAvailability: { ...SUITE_RULES, failureQuorum, maxProbeAgeSlots } },
          }),
          [whale],
        );
      await expectStakingError(propose(1, 300n), "InvalidAvailabilityParams");
      await expectStakingError(propose(2, 513n), "InvalidAvailabilityParams");
      await propose(2, 300n);
      await send(
        await castVoteIx(staking, {
          voter: whale.publicKey,
          pool,
          proposalId: id,
          side: VOTE_SIDE.yes,
        }),
        [whale],
      );
      const proposal = await staking.account.proposal.fetch(proposalPda(id).address);
      await warpTo(big(proposal.votingEndsAt));
      await send(await finalizeProposalIx(staking, { proposalId: id }), [mallory]);
      const finalized = await staking.account.proposal.fetch(proposalPda(id).address);
      expect(proposalStatusName(finalized.status)).to.equal("succeeded");
      await warpTo(big(finalized.executableAt));
      const signature = await send(
        await executeProposalIx(staking, {
          executor: mallory.publicKey,
          proposalId: id,
          change: finalized.change,
        }),
        [mallory],
      );
      const config = await registry.account.registryConfig.fetch(configPda().address);
      expect(withBigints(config.availability)).to.deep.equal({
        ...SUITE_RULES,
        failureQuorum: 2,
        maxProbeAgeSlots: 300n,
      });
      const [updated] = await eventsNamed("configUpdated", signature);
      expect(updated!.authorityAfter.equals(governance)).to.equal(true);
      expect(withBigints(updated!.availabilityBefore)).to.deep.equal(SUITE_RULES);
      expect(withBigints(updated!.availabilityAfter)).to.deep.equal({
        ...SUITE_RULES,
        failureQuorum: 2,
        maxProbeAgeSlots: 300n,
      });
      // The admin's key no longer changes the registry's rules.
      await expectRegistryError(
        send(
          await updateConfigIx(registry, {
            authority: admin.publicKey,
            availability: SUITE_RULES,
          }),
          [admin],
        ),
        "NotConfigAuthority",
      );
    });
  });
});
