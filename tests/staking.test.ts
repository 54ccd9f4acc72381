/**
 * The staking program through stock `@coral-xyz/anchor` 0.31.1 and the sdk, on a local chain whose
 * Clock the test moves forward (`localnet_warpClock`), with iotoken (IO, genesis) and the registry
 * (one 8x H100 device) initialised first: the config with `STAKING_DEFAULTS`, a pool opened by the
 * device's owner, self-stake through its cooldown, co-stake by three wallets, a lock, rewards
 * claimed by every staker to the unit the sdk's math mirror predicts, unstake and withdraw, the
 * named errors a client meets, and a governance round in which proposals change iotoken's fees,
 * the registry's keeper bond and staking's minimum stake and name the registry distributor of
 * iotoken's availability pool, through the governance PDA.
 */
import type { Program } from "@coral-xyz/anchor";
import { getAccount } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import type {
  Connection,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  DAY_SECS,
  IO,
  IOTOKEN_DEFAULTS,
  MAX_LOCK_SECS,
  REGISTRY_PROGRAM_ID,
  REWARD_POOL,
  STAKING_DEFAULTS,
  STAKING_PROGRAM_ID,
  VOTE_RECORD_ACCOUNT_SIZE,
  VOTE_SIDE,
  castVoteIx,
  claimRewardsIx,
  configPda,
  createProposalIx,
  decodeVoteRecord,
  depositRewardsIx,
  deviceMinimumStake,
  devicePda,
  executeProposalIx,
  finalizeProposalIx,
  governancePda,
  indexIncrease,
  initializeStakingIx,
  iotokenConfigPda,
  ioMintPda,
  lockIx,
  openPoolIx,
  closePositionIx,
  openPositionIx,
  parseStakingEvents,
  pendingRewards,
  poolDistributorOf,
  poolQualifyingStake,
  positionClaimable,
  positionCoolingValue,
  positionPda,
  positionValue,
  proposalOutcome,
  proposalPda,
  proposalStatusName,
  registerDeviceIx,
  setPoolTermsIx,
  setStakingAuthorityIx,
  sharesForAmount,
  sharesForDeposit,
  slashIx,
  SLASH_REASON,
  slasherPda,
  stakeIx,
  UNSTAKE_ALL,
  stakePoolPda,
  stakeSelfIx,
  stakeVaultPda,
  stakingConfigPda,
  stakingErrors,
  stakingInitializeArgs,
  stakingParamsOf,
  stakingProgramErrorName,
  unstakeIx,
  unstakeSelfIx,
  updateConfigIx,
  updateIotokenConfigIx,
  updateStakingConfigIx,
  voteRecordPda,
  votingWeight,
  withBigints,
  withdrawIx,
  withdrawSelfIx,
  deployerAccounts,
  CRITICAL_EXTRA_TIMELOCK_SECS,
  proposalTimelockSecs,
} from "@iogrid/sdk";
import type {
  Iotoken,
  ParameterChangeLike,
  ParsedStakingEvent,
  Registry,
  Staking,
  StakingErrorName,
  StakingEventName,
  StakingEvents,
} from "@iogrid/sdk";
import { programKeypair } from "@iogrid/sdk/node";

import {
  H100_SERVER_SPECS,
  chainTime,
  FEE_PER_SIGNATURE,
  fundedKeypair,
  fundedKeypairs,
  sendDistinct,
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
} from "./support/setup.js";

const GPU_MODEL = "NVIDIA H100 80GB HBM3";
const DEVICE_ID = "staking-test-h100-01";

const big = (value: { toString(): string } | bigint | number): bigint => BigInt(value.toString());

/**
 * Asserts that `promise` rejects with the staking error `name`: an `AnchorError` from `.rpc()`
 * with the program's number and message, or (builders sent with `sendAndConfirm`) an error whose
 * logs carry it. Matched by name through the sdk's error mapping.
 */
const expectStakingError = (
  promise: Promise<unknown>,
  name: StakingErrorName,
  { anchorError = false }: { anchorError?: boolean } = {},
): Promise<unknown> =>
  expectProgramError(stakingErrors, STAKING_PROGRAM_ID, promise, name, { anchorError });

describe("staking through @coral-xyz/anchor 0.31.1 and the sdk", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  let admin: Keypair;
  let operator: Keypair;
  let mallory: Keypair;
  let alice: Keypair;
  let bob: Keypair;
  let carol: Keypair;
  let whale: Keypair;
  let program: Program<Staking>;
  let iotoken: Program<Iotoken>;
  let registry: Program<Registry>;
  const config = stakingConfigPda().address;
  const governance = governancePda().address;
  const ioMint = ioMintPda().address;
  const device = devicePda(DEVICE_ID).address;
  let pool: PublicKey;
  let vault: PublicKey;
  /** The admin's community genesis account: where test IO comes from and rewards are paid from. */
  let community: PublicKey;
  /** IO token accounts by wallet. */
  const ioAccount = new Map<Keypair, PublicKey>();

  const send = (ix: TransactionInstruction, signers: Signer[]): Promise<string> =>
    sendDistinct(connection, ix, signers);
  const balance = (account: PublicKey): Promise<bigint> => tokenBalance(connection, account);
  const warpTo = (unixTimestamp: bigint): Promise<void> =>
    warpClockTo(connection, net.rpcUrl, unixTimestamp);

  async function eventsOf(signature: TransactionSignature): Promise<ParsedStakingEvent[]> {
    return parseStakingEvents(await transactionLogs(connection, signature));
  }

  async function eventOf<N extends StakingEventName>(
    name: N,
    signature: TransactionSignature,
  ): Promise<StakingEvents[N]> {
    const found = (await eventsOf(signature)).find((e) => e.name === name);
    expect(found, `${name} in ${signature}`).to.not.equal(undefined);
    return found!.data as StakingEvents[N];
  }

  /** `open_pool` by `owner` on `onDevice`, co-staking open. */
  const openPool = async (owner: Keypair, stakerShareBps: number, onDevice = device) =>
    send(
      await openPoolIx(program, {
        operator: owner.publicKey,
        device: onDevice,
        stakerShareBps,
        costakingOpen: true,
      }),
      [owner],
    );
  /** `set_pool_terms` by the operator. */
  const setPoolTerms = async (stakerShareBps: number, costakingOpen: boolean) =>
    send(
      await setPoolTermsIx(program, {
        operator: operator.publicKey,
        pool,
        stakerShareBps,
        costakingOpen,
      }),
      [operator],
    );
  /** The wallet's position in the shared pool, moving IO to and from its IO account. */
  const positionOf = (wallet: Keypair) => ({
    owner: wallet.publicKey,
    pool,
    tokenAccount: ioAccount.get(wallet)!,
  });
  /** `stake` of `amount` IO from the wallet's IO account. */
  const stake = async (wallet: Keypair, amount: bigint) =>
    send(await stakeIx(program, { ...positionOf(wallet), amount }), [wallet]);
  /** `withdraw` of the wallet's cooled shares into its IO account. */
  const withdraw = async (wallet: Keypair) =>
    send(await withdrawIx(program, positionOf(wallet)), [wallet]);
  const fetchPool = () => program.account.stakePool.fetch(pool);
  const fetchPosition = (owner: Keypair) =>
    program.account.stakePosition.fetch(positionPda(pool, owner.publicKey).address);
  const fetchConfig = () => program.account.stakingConfig.fetch(config);

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    admin = await fundedKeypair(connection, 1000);
    [operator, mallory, alice, bob, carol, whale] = await fundedKeypairs(connection, 6);
    ({ staking: program, iotoken, registry } = iogridPrograms(connection, admin));

    // iotoken: the IO mint and its genesis, all held by the admin.
    community = (await mintedGenesis(connection, iotoken, admin, { pools: false })).community;

    // registry: keepers bond in IO; the operator registers one 8x H100 device.
    await initializeIoBondedRegistry(connection, registry, admin);
    const agent = Keypair.generate();
    await send(
      await registerDeviceIx(registry, {
        owner: operator.publicKey,
        deviceId: DEVICE_ID,
        name: "rig-01",
        gpuModel: GPU_MODEL,
        region: "us-east",
        specs: H100_SERVER_SPECS,
        pricePerGpuHour: 2_500_000n,
        agent: agent.publicKey,
      }),
      [operator, agent],
    );

    await fundIo(
      connection,
      admin,
      community,
      [
        [operator, 10_000n * IO],
        [alice, 20_000n * IO],
        [bob, 5_000n * IO],
        [carol, 500n * IO],
        [whale, 3_000_000n * IO],
        [mallory, 100n * IO],
      ],
      ioAccount,
    );
    pool = stakePoolPda(device, operator.publicKey).address;
    vault = stakeVaultPda(pool).address;
  });

  after(async () => {
    await net?.stop();
  });

  it("is deployed at the id of the IDL and the sdk", async () => {
    const info = await connection.getAccountInfo(STAKING_PROGRAM_ID);
    expect(info?.executable).to.equal(true);
    expect(program.programId.equals(STAKING_PROGRAM_ID)).to.equal(true);
  });

  describe("config", () => {
    it("initialize refuses parameters out of bounds", async () => {
      const params = {
        ...STAKING_DEFAULTS,
        stake: { ...STAKING_DEFAULTS.stake, unstakeCooldownSecs: 0n },
      };
      await expectStakingError(
        program.methods
          .initialize(stakingInitializeArgs([], params))
          .accountsPartial({
            authority: admin.publicKey,
            ...deployerAccounts(STAKING_PROGRAM_ID, STAKING_PROGRAM_ID),
          })
          .signers([programKeypair(STAKING_PROGRAM_ID)])
          .rpc(),
        "InvalidStakeParams",
        { anchorError: true },
      );
      await expectStakingError(
        program.methods
          .initialize(stakingInitializeArgs([REGISTRY_PROGRAM_ID, REGISTRY_PROGRAM_ID]))
          .accountsPartial({
            authority: admin.publicKey,
            ...deployerAccounts(STAKING_PROGRAM_ID, STAKING_PROGRAM_ID),
          })
          .signers([programKeypair(STAKING_PROGRAM_ID)])
          .rpc(),
        "InvalidSlashers",
        { anchorError: true },
      );
    });

    it("initialize creates the config with STAKING_DEFAULTS and the registry's slasher PDA", async () => {
      const signature = await send(
        await initializeStakingIx(program, {
          authority: admin.publicKey,
          deployer: STAKING_PROGRAM_ID,
          slasherPrograms: [REGISTRY_PROGRAM_ID],
        }),
        [admin, programKeypair(STAKING_PROGRAM_ID)],
      );
      const state = await fetchConfig();
      expect(state.authority.equals(admin.publicKey)).to.equal(true);
      expect(state.ioMint.equals(ioMint)).to.equal(true);
      expect(stakingParamsOf(state)).to.deep.equal(STAKING_DEFAULTS);
      expect(state.slashers).to.have.length(1);
      expect(state.slashers[0]!.program.equals(REGISTRY_PROGRAM_ID)).to.equal(true);
      expect(state.slashers[0]!.authority.equals(slasherPda(REGISTRY_PROGRAM_ID).address)).to.equal(
        true,
      );
      expect(big(state.proposalCount)).to.equal(0n);
      expect(state.bump).to.equal(stakingConfigPda().bump);
      expect(state.governanceBump).to.equal(governancePda().bump);
      const event = await eventOf("configInitialized", signature);
      expect(event.governance.equals(governance)).to.equal(true);
      expect(event.authority.equals(admin.publicKey)).to.equal(true);
    });

    it("update_config: the authority only, staking's own parameters only, never a no-op", async () => {
      await expectStakingError(
        program.methods
          .updateConfig({ minStakeBase: { amount: withBn(300n * IO) } })
          .accountsPartial({ authority: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotConfigAuthority",
        { anchorError: true },
      );
      const fees = { fees: { fees: { ...IOTOKEN_DEFAULTS.fees, networkFeeBps: 400 } } };
      await expectStakingError(
        send(await updateStakingConfigIx(program, { authority: admin.publicKey, change: fees }), [
          admin,
        ]),
        "ChangeTargetsOtherProgram",
      );
      await expectStakingError(
        send(
          await updateStakingConfigIx(program, {
            authority: admin.publicKey,
            change: { minStakeBase: { amount: STAKING_DEFAULTS.stake.minStakeBase } },
          }),
          [admin],
        ),
        "NothingToUpdate",
      );
      await expectStakingError(
        send(
          await updateStakingConfigIx(program, {
            authority: admin.publicKey,
            change: { gpuClasses: { classes: [{ pattern: "H100 ", multiplierCenti: 400 }] } },
          }),
          [admin],
        ),
        "InvalidGpuClasses",
      );
    });
  });

  describe("pool and self-stake", () => {
    it("open_pool: only the device's owner, within iotoken's staker share bounds", async () => {
      await expectStakingError(openPool(mallory, 200), "NotDeviceOwner");
      await expectStakingError(
        openPool(operator, 200, iotokenConfigPda().address),
        "NotRegistryDevice",
      );
      await expectStakingError(openPool(operator, 50), "StakerShareOutOfBounds");
      const signature = await openPool(operator, 200);
      const state = await fetchPool();
      expect(state.device.equals(device)).to.equal(true);
      expect(state.operator.equals(operator.publicKey)).to.equal(true);
      expect(state.stakerShareBps).to.equal(200);
      expect(state.costakingOpen).to.equal(true);
      expect(state.bump).to.equal(stakePoolPda(device, operator.publicKey).bump);
      expect(state.vaultBump).to.equal(stakeVaultPda(pool).bump);
      const vaultAccount = await getAccount(connection, vault);
      expect(vaultAccount.mint.equals(ioMint)).to.equal(true);
      expect(vaultAccount.owner.equals(pool)).to.equal(true);
      const event = await eventOf("poolOpened", signature);
      expect(event.pool.equals(pool)).to.equal(true);
      expect(event.stakerShareBps).to.equal(200);
    });

    it("deposit_rewards with no co-stake fails with NoActiveCoStake", async () => {
      await expectStakingError(
        send(
          await depositRewardsIx(program, {
            depositor: admin.publicKey,
            pool,
            source: community,
            amount: IO,
          }),
          [admin],
        ),
        "NoActiveCoStake",
      );
    });

    it("stake_self brings the pool to the device's minimum stake (200 IO x 4.00 x 8 GPUs)", async () => {
      const minimum = deviceMinimumStake(
        await fetchConfig(),
        GPU_MODEL,
        H100_SERVER_SPECS.gpuCount,
      );
      expect(minimum).to.equal(6_400n * IO);
      const source = ioAccount.get(operator)!;
      await expectStakingError(
        send(
          await stakeSelfIx(program, {
            operator: operator.publicKey,
            pool,
            tokenAccount: vault,
            amount: IO,
          }),
          [operator],
        ),
        "VaultAsCounterparty",
      );
      await expectStakingError(
        send(
          await stakeSelfIx(program, {
            operator: mallory.publicKey,
            pool,
            tokenAccount: ioAccount.get(mallory)!,
            amount: IO,
          }),
          [mallory],
        ),
        "NotPoolOperator",
      );
      const before = await balance(source);
      const signature = await send(
        await stakeSelfIx(program, {
          operator: operator.publicKey,
          pool: { device, operator: operator.publicKey },
          tokenAccount: source,
          amount: minimum,
        }),
        [operator],
      );
      expect(await balance(source)).to.equal(before - minimum);
      expect(await balance(vault)).to.equal(minimum);
      const state = await fetchPool();
      expect(big(state.operatorStake)).to.equal(minimum);
      expect(poolQualifyingStake(state)).to.equal(minimum);
      const event = withBigints(await eventOf("selfStaked", signature));
      expect(event).to.deep.include({ amount: minimum, operatorStakeAfter: minimum });
    });

    it("unstake_self cools down; withdraw_self waits for the 14-day cooldown", async () => {
      const amount = 1_000n * IO;
      const signature = await send(
        await unstakeSelfIx(program, { operator: operator.publicKey, device, amount }),
        [operator],
      );
      let state = await fetchPool();
      expect(big(state.operatorStake)).to.equal(5_400n * IO);
      expect(big(state.operatorCooling)).to.equal(amount);
      expect(poolQualifyingStake(state)).to.equal(5_400n * IO);
      const event = withBigints(await eventOf("selfUnstaked", signature));
      expect(event.cooldownEndsAt).to.equal(big(state.operatorCooldownEndsAt));
      const now = BigInt(await chainTime(connection));
      expect(event.cooldownEndsAt - now <= STAKING_DEFAULTS.stake.unstakeCooldownSecs).to.equal(
        true,
      );

      const withdrawSelf = await withdrawSelfIx(program, {
        operator: operator.publicKey,
        device,
        tokenAccount: ioAccount.get(operator)!,
      });
      await expectStakingError(send(withdrawSelf, [operator]), "CooldownNotElapsed");
      await warpTo(event.cooldownEndsAt);
      const before = await balance(ioAccount.get(operator)!);
      const withdrawn = await send(withdrawSelf, [operator]);
      expect(await balance(ioAccount.get(operator)!)).to.equal(before + amount);
      expect(await balance(vault)).to.equal(5_400n * IO);
      state = await fetchPool();
      expect(big(state.operatorCooling)).to.equal(0n);
      expect(withBigints(await eventOf("selfWithdrawn", withdrawn)).amount).to.equal(amount);
      await expectStakingError(send(withdrawSelf, [operator]), "NothingToWithdraw");
    });
  });

  describe("co-staking, locks and rewards", () => {
    /** What each wallet co-stakes: uneven amounts, so shares and rewards round. */
    const STAKES: [() => Keypair, bigint][] = [
      [() => alice, 10_000n * IO],
      [() => bob, 3_000n * IO + 7n],
      [() => carol, 333n * IO + 33_333_333n],
    ];
    /** Rewards claimed by each wallet, and deposited, so far. */
    const claimed = new Map<Keypair, bigint>();
    let deposited = 0n;

    it("set_pool_terms: the operator closes co-staking and reopens it", async () => {
      await expectStakingError(setPoolTerms(200, true), "NothingToUpdate");
      await setPoolTerms(300, false);
      await send(await openPositionIx(program, { owner: alice.publicKey, pool }), [alice]);
      await expectStakingError(stake(alice, IO), "CoStakingClosed");
      const signature = await setPoolTerms(200, true);
      expect(withBigints(await eventOf("poolTermsSet", signature))).to.deep.include({
        stakerShareBpsBefore: 300,
        stakerShareBpsAfter: 200,
        costakingOpenBefore: false,
        costakingOpenAfter: true,
      });
    });

    it("open_position and stake: three wallets mint shares at the pool's value", async () => {
      for (const wallet of [bob, carol]) {
        const signature = await send(
          await openPositionIx(program, { owner: wallet.publicKey, pool }),
          [wallet],
        );
        const event = await eventOf("positionOpened", signature);
        expect(event.owner.equals(wallet.publicKey)).to.equal(true);
      }
      await expectStakingError(stake(alice, 0n), "ZeroAmount");
      for (const [walletOf, amount] of STAKES) {
        const wallet = walletOf();
        const before = await fetchPool();
        const shares = sharesForDeposit(
          amount,
          big(before.costakeTotal),
          big(before.costakeShares),
        );
        const signature = await stake(wallet, amount);
        const position = await fetchPosition(wallet);
        expect(big(position.shares)).to.equal(shares);
        expect(position.owner.equals(wallet.publicKey)).to.equal(true);
        expect(position.pool.equals(pool)).to.equal(true);
        const after = await fetchPool();
        expect(big(after.costakeTotal)).to.equal(big(before.costakeTotal) + amount);
        expect(big(after.activeShares)).to.equal(big(before.activeShares) + shares);
        expect(positionValue(position, after)).to.equal(amount);
        const event = withBigints(await eventOf("staked", signature));
        expect(event).to.deep.include({ amount, shares, positionSharesAfter: shares });
      }
      const state = await fetchPool();
      const costake = STAKES.reduce((sum, [, amount]) => sum + amount, 0n);
      expect(poolQualifyingStake(state)).to.equal(5_400n * IO + costake);
      expect(await balance(vault)).to.equal(5_400n * IO + costake);
    });

    it("lock: 14 days to 4 years, only longer; a locked position cannot unstake", async () => {
      const lock = async (durationSecs: bigint): Promise<string> =>
        send(await lockIx(program, { owner: alice.publicKey, pool, durationSecs }), [alice]);
      await expectStakingError(lock(13n * DAY_SECS), "LockTooShort");
      await expectStakingError(lock(MAX_LOCK_SECS + 1n), "LockTooLong");
      const signature = await lock(30n * DAY_SECS);
      const position = await fetchPosition(alice);
      const event = withBigints(await eventOf("lockExtended", signature));
      expect(event).to.deep.include({
        lockEndsAtBefore: 0n,
        lockEndsAtAfter: big(position.lockEndsAt),
      });
      await expectStakingError(lock(20n * DAY_SECS), "LockCannotShorten");
      await expectStakingError(
        program.methods
          .unstake(withBn(IO))
          .accountsPartial({ owner: alice.publicKey, pool })
          .signers([alice])
          .rpc(),
        "StakeLocked",
        { anchorError: true },
      );
    });

    /** Claims for every staker and checks each claim against the mirror, to the unit. */
    async function claimAll(): Promise<bigint> {
      let total = 0n;
      const state = await fetchPool();
      for (const [walletOf] of STAKES) {
        const wallet = walletOf();
        const position = await fetchPosition(wallet);
        const expected = positionClaimable(position, state);
        expect(expected).to.equal(
          big(position.rewardsOwed) +
            pendingRewards(big(position.shares), big(state.rewardIndex), big(position.rewardDebt)),
        );
        const account = ioAccount.get(wallet)!;
        const before = await balance(account);
        const signature = await send(await claimRewardsIx(program, positionOf(wallet)), [wallet]);
        expect(await balance(account), "claim of a staker").to.equal(before + expected);
        expect(withBigints(await eventOf("rewardsClaimed", signature)).amount).to.equal(expected);
        const after = await fetchPosition(wallet);
        expect(big(after.rewardsOwed)).to.equal(0n);
        expect(big(after.rewardsClaimed)).to.equal((claimed.get(wallet) ?? 0n) + expected);
        claimed.set(wallet, big(after.rewardsClaimed));
        total += expected;
      }
      return total;
    }

    it("deposit_rewards raises the index by amount / active shares; every claim is exact", async () => {
      const amount = 1_234n * IO + 56_789_012n;
      const before = await fetchPool();
      const signature = await send(
        await depositRewardsIx(program, {
          depositor: admin.publicKey,
          pool,
          source: community,
          amount,
        }),
        [admin],
      );
      deposited += amount;
      const state = await fetchPool();
      const index = big(before.rewardIndex) + indexIncrease(amount, big(before.activeShares));
      expect(big(state.rewardIndex)).to.equal(index);
      expect(big(state.rewardsDeposited)).to.equal(deposited);
      const event = withBigints(await eventOf("rewardsDeposited", signature));
      expect(event).to.deep.include({ amount, rewardIndexAfter: index });

      // Each staker's share is its shares over all active shares, rounded down.
      for (const [walletOf, stake] of STAKES) {
        const position = await fetchPosition(walletOf());
        expect(positionClaimable(position, state)).to.equal(
          pendingRewards(stake, index - big(before.rewardIndex), 0n),
        );
      }
      const total = await claimAll();
      expect(total <= amount && amount - total < BigInt(STAKES.length)).to.equal(true);
      await expectStakingError(
        send(await claimRewardsIx(program, positionOf(alice)), [alice]),
        "NothingToClaim",
      );
    });

    it("unstake moves shares to the cooldown: they stop earning; withdraw waits", async () => {
      const amount = 1_000n * IO;
      const before = await fetchPool();
      const shares = sharesForAmount(amount, big(before.costakeTotal), big(before.costakeShares));
      const signature = await send(
        await unstakeIx(program, { owner: bob.publicKey, pool, amount }),
        [bob],
      );
      const position = await fetchPosition(bob);
      expect(big(position.coolingShares)).to.equal(shares);
      expect(big(position.shares)).to.equal(3_000n * IO + 7n - shares);
      expect(positionCoolingValue(position, await fetchPool())).to.equal(amount);
      const event = withBigints(await eventOf("unstaked", signature));
      expect(event).to.deep.include({ amount, shares, coolingSharesAfter: shares });
      expect(event.cooldownEndsAt).to.equal(big(position.cooldownEndsAt));
      await expectStakingError(withdraw(bob), "CooldownNotElapsed");

      // A second deposit is shared by the active shares only.
      const second = 500n * IO + 1n;
      const pre = await fetchPool();
      await send(
        await depositRewardsIx(program, {
          depositor: admin.publicKey,
          pool,
          source: community,
          amount: second,
        }),
        [admin],
      );
      deposited += second;
      const state = await fetchPool();
      const increase = indexIncrease(second, big(pre.activeShares));
      expect(big(state.rewardIndex)).to.equal(big(pre.rewardIndex) + increase);
      const bobAfter = await fetchPosition(bob);
      expect(positionClaimable(bobAfter, state)).to.equal(
        pendingRewards(big(bobAfter.shares), increase, 0n),
      );
      const total = await claimAll();
      expect(total <= second && second - total < BigInt(STAKES.length)).to.equal(true);
      // The vault holds every stake and every unclaimed reward (the rounding dust).
      const claimedTotal = [...claimed.values()].reduce((a, b) => a + b, 0n);
      expect(big(state.rewardsDeposited)).to.equal(deposited);
      expect(await balance(vault)).to.equal(
        big(state.operatorStake) +
          big(state.operatorCooling) +
          big(state.costakeTotal) +
          deposited -
          claimedTotal,
      );
    });
  });

  describe("slashing", () => {
    it("a plain keypair cannot slash (NotSlashAuthority): only registered slasher PDAs", async () => {
      await expectStakingError(
        send(
          await slashIx(program, {
            slasher: mallory.publicKey,
            pool,
            destination: ioAccount.get(mallory)!,
            amount: IO,
            reason: SLASH_REASON.abandonedReservation,
            evidence: PublicKey.default,
          }),
          [mallory],
        ),
        "NotSlashAuthority",
      );
      const state = await fetchConfig();
      expect(state.slashers.some((s) => s.authority.equals(mallory.publicKey))).to.equal(false);
    });
  });

  describe("governance", () => {
    const fees = { ...IOTOKEN_DEFAULTS.fees, networkFeeBps: 400 };
    const keeperBond = { amount: 2_000n * IO, unbondCooldownSecs: 14n * DAY_SECS };
    /** Proposal ids: four that will pass, one that will be defeated. */
    const FEES = 0n;
    const KEEPER_BOND = 1n;
    const MIN_STAKE = 2n;
    const DEFEATED = 3n;
    const POOL_DISTRIBUTOR = 4n;
    const changes: Record<string, ParameterChangeLike> = {
      [String(FEES)]: { fees: { fees } },
      [String(KEEPER_BOND)]: { keeperBond },
      [String(MIN_STAKE)]: { minStakeBase: { amount: 250n * IO } },
      [String(DEFEATED)]: { unstakeCooldown: { secs: 7n * DAY_SECS } },
      [String(POOL_DISTRIBUTOR)]: {
        poolDistributor: { pool: REWARD_POOL.availability, program: REGISTRY_PROGRAM_ID },
      },
    };
    const changeOf = (id: bigint): ParameterChangeLike => changes[String(id)]!;
    /** `create_proposal` by `proposer` through the shared pool. */
    const propose = async (
      proposer: Keypair,
      id: bigint,
      title: string,
      change: ParameterChangeLike = changeOf(id),
    ): Promise<string> =>
      send(
        await createProposalIx(program, { proposer: proposer.publicKey, pool, id, title, change }),
        [proposer],
      );
    /** `cast_vote` by `voter`'s position in the shared pool. */
    const vote = async (
      voter: Keypair,
      proposalId: bigint,
      side: keyof typeof VOTE_SIDE,
    ): Promise<string> =>
      send(
        await castVoteIx(program, {
          voter: voter.publicKey,
          pool,
          proposalId,
          side: VOTE_SIDE[side],
        }),
        [voter],
      );
    /** When each proposal's vote ends; the last one created ends last. */
    const endsAt = new Map<bigint, bigint>();
    let votingEndsAt: bigint;
    let bobCooldownEndsAt: bigint;

    before(async () => {
      bobCooldownEndsAt = big((await fetchPosition(bob)).cooldownEndsAt);
      // Proposals open two days before bob's cooldown ends, so his vote outlasts it.
      await warpTo(bobCooldownEndsAt - 2n * DAY_SECS);
      // The whale co-stakes 3,000,000 IO locked for 4 years: about 12,000,000 IO of weight.
      await coStake(connection, program, {
        owner: whale,
        pool,
        amount: 3_000_000n * IO,
        lockSecs: MAX_LOCK_SECS,
      });
    });

    it("the config authorities of iotoken, registry and staking go to the governance PDA", async () => {
      await send(
        await updateIotokenConfigIx(iotoken, {
          authority: admin.publicKey,
          newAuthority: governance,
        }),
        [admin],
      );
      await send(
        await updateConfigIx(registry, { authority: admin.publicKey, newAuthority: governance }),
        [admin],
      );
      await expectStakingError(
        send(
          await setStakingAuthorityIx(program, {
            authority: admin.publicKey,
            newAuthority: admin.publicKey,
          }),
          [admin],
        ),
        "NothingToUpdate",
      );
      const signature = await send(
        await setStakingAuthorityIx(program, {
          authority: admin.publicKey,
          newAuthority: governance,
        }),
        [admin],
      );
      const event = await eventOf("authorityChanged", signature);
      expect(event.before.equals(admin.publicKey)).to.equal(true);
      expect(event.after.equals(governance)).to.equal(true);
      expect(
        (await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address)).authority.equals(
          governance,
        ),
      ).to.equal(true);
      expect(
        (await registry.account.registryConfig.fetch(configPda().address)).authority.equals(
          governance,
        ),
      ).to.equal(true);
      expect((await fetchConfig()).authority.equals(governance)).to.equal(true);
      // The admin's key no longer changes staking directly.
      await expectStakingError(
        send(
          await updateStakingConfigIx(program, {
            authority: admin.publicKey,
            change: { minStakeBase: { amount: 300n * IO } },
          }),
          [admin],
        ),
        "NotConfigAuthority",
      );
    });

    it("create_proposal refuses a proposer with too little stake and a change out of bounds", async () => {
      await expectStakingError(
        propose(carol, FEES, "Lower the network fee to 4%"),
        "ProposerStakeTooLow",
      );
      await expectStakingError(
        propose(alice, FEES, "Raise the network fee to 20.01%", {
          fees: { fees: { ...fees, networkFeeBps: 2_001 } },
        }),
        "InvalidFeeParams",
      );
      await expectStakingError(propose(alice, FEES, ""), "InvalidProposalTitle");
      await expectStakingError(
        propose(alice, FEES, "The registry distributes pool 4", {
          poolDistributor: { pool: 4, program: REGISTRY_PROGRAM_ID },
        }),
        "InvalidPoolIndex",
      );
    });

    it("create_proposal: five proposals numbered from the config's count, with its rules", async () => {
      const titles = [
        "Lower the network fee to 4%",
        "Keeper bond 2,000 IO, 14-day unbond",
        "Minimum stake base 250 IO",
        "Unstake cooldown 7 days",
        "The registry distributes the availability pool",
      ];
      for (const [i, title] of titles.entries()) {
        const id = BigInt(i);
        expect(big((await fetchConfig()).proposalCount)).to.equal(id);
        const signature = await propose(alice, id, title);
        const proposal = await program.account.proposal.fetch(proposalPda(id).address);
        expect(big(proposal.id)).to.equal(id);
        expect(proposal.title).to.equal(title);
        expect(proposal.proposer.equals(alice.publicKey)).to.equal(true);
        expect(proposalStatusName(proposal.status)).to.equal("voting");
        expect(withBigints(proposal.rules)).to.deep.equal(STAKING_DEFAULTS.governance);
        expect(withBigints(proposal.change)).to.deep.equal(changeOf(id));
        expect(big(proposal.votingEndsAt)).to.equal(
          big(proposal.createdAt) + STAKING_DEFAULTS.governance.votingPeriodSecs,
        );
        endsAt.set(id, big(proposal.votingEndsAt));
        votingEndsAt = big(proposal.votingEndsAt);
        const event = withBigints(await eventOf("proposalCreated", signature));
        expect(event.id).to.equal(id);
        expect(event.change).to.deep.equal(changeOf(id));
      }
      expect(big((await fetchConfig()).proposalCount)).to.equal(5n);
    });

    it("cast_vote: weight is the position's value times its lock multiplier, once per position", async () => {
      const votes: [Keypair, bigint, keyof typeof VOTE_SIDE][] = [
        [whale, FEES, "yes"],
        [whale, KEEPER_BOND, "yes"],
        [whale, MIN_STAKE, "yes"],
        [whale, POOL_DISTRIBUTOR, "yes"],
        [alice, FEES, "no"],
        [alice, DEFEATED, "yes"],
        [bob, DEFEATED, "yes"],
        [carol, DEFEATED, "abstain"],
      ];
      const tally = new Map<bigint, { yes: bigint; no: bigint; abstain: bigint }>();
      const voteLock = new Map<Keypair, bigint>();
      for (const [wallet, id, side] of votes) {
        const signature = await vote(wallet, id, side);
        const position = positionPda(pool, wallet.publicKey).address;
        const recordAddress = voteRecordPda(proposalPda(id).address, position).address;
        const info = await connection.getAccountInfo(recordAddress);
        expect(info?.owner.equals(STAKING_PROGRAM_ID)).to.equal(true);
        expect(info?.data.length).to.equal(VOTE_RECORD_ACCOUNT_SIZE);
        const record = decodeVoteRecord(info!.data);
        const state = await fetchPosition(wallet);
        const expected = votingWeight(
          positionValue(state, await fetchPool()),
          big(state.lockEndsAt),
          record.votedAt,
        );
        expect(record.weight, `weight of ${side} on ${id}`).to.equal(expected);
        expect(record.side).to.deep.equal(VOTE_SIDE[side]);
        expect(record.voter.equals(wallet.publicKey)).to.equal(true);
        expect(record.position.equals(position)).to.equal(true);
        expect(record.proposal.equals(proposalPda(id).address)).to.equal(true);
        expect(record.bump).to.equal(voteRecordPda(proposalPda(id).address, position).bump);
        // The position's stake stays until the latest vote it cast has ended.
        const lock = [voteLock.get(wallet) ?? 0n, endsAt.get(id)!].reduce((a, b) =>
          a > b ? a : b,
        );
        voteLock.set(wallet, lock);
        expect(big(state.voteLockUntil)).to.equal(lock);
        const event = withBigints(await eventOf("voteCast", signature));
        expect(event.weight).to.equal(expected);
        const sums = tally.get(id) ?? { yes: 0n, no: 0n, abstain: 0n };
        sums[side] += expected;
        tally.set(id, sums);
      }
      // The whale's 4-year lock weighs almost 4x: enough for the 10,000,000 IO quorum alone.
      const whaleWeight = tally.get(FEES)!.yes;
      expect(whaleWeight > STAKING_DEFAULTS.governance.quorumWeight).to.equal(true);
      expect(whaleWeight <= 12_000_000n * IO).to.equal(true);
      for (const [id, sums] of tally) {
        const proposal = await program.account.proposal.fetch(proposalPda(id).address);
        expect(big(proposal.yesWeight)).to.equal(sums.yes);
        expect(big(proposal.noWeight)).to.equal(sums.no);
        expect(big(proposal.abstainWeight)).to.equal(sums.abstain);
      }
      await expectStakingError(vote(alice, FEES, "yes"), "AlreadyVoted");
    });

    it("a position that voted cannot withdraw before the vote ends (VoteLocked)", async () => {
      expect(bobCooldownEndsAt < endsAt.get(DEFEATED)!).to.equal(true);
      await warpTo(bobCooldownEndsAt);
      await expectStakingError(
        program.methods.withdraw().accountsPartial(positionOf(bob)).signers([bob]).rpc(),
        "VoteLocked",
        { anchorError: true },
      );
    });

    it("finalize_proposal after the vote: passed ones wait for the timelock, the other is defeated", async () => {
      await expectStakingError(
        send(await finalizeProposalIx(program, { proposalId: FEES }), [mallory]),
        "VotingNotEnded",
      );
      await expectStakingError(
        send(
          await executeProposalIx(program, {
            executor: mallory.publicKey,
            proposalId: FEES,
            change: changeOf(FEES),
          }),
          [mallory],
        ),
        "ProposalNotFinalized",
      );
      await warpTo(votingEndsAt);
      await expectStakingError(vote(carol, FEES, "no"), "VotingEnded");
      for (const id of [FEES, KEEPER_BOND, MIN_STAKE, DEFEATED, POOL_DISTRIBUTOR]) {
        const before = await program.account.proposal.fetch(proposalPda(id).address);
        const signature = await send(await finalizeProposalIx(program, { proposalId: id }), [
          mallory,
        ]);
        const proposal = await program.account.proposal.fetch(proposalPda(id).address);
        const passed = proposalOutcome(before);
        expect(passed, `proposal ${id}`).to.equal(id !== DEFEATED);
        expect(proposalStatusName(proposal.status)).to.equal(passed ? "succeeded" : "defeated");
        // The distributor change is critical (L13): five days beyond the common timelock.
        const timelock = proposalTimelockSecs(
          changeOf(id),
          STAKING_DEFAULTS.governance.timelockSecs,
        );
        expect(timelock > STAKING_DEFAULTS.governance.timelockSecs).to.equal(
          id === POOL_DISTRIBUTOR,
        );
        expect(big(proposal.executableAt)).to.equal(passed ? endsAt.get(id)! + timelock : 0n);
        const event = withBigints(await eventOf("proposalFinalized", signature));
        expect(event.executableAt).to.equal(big(proposal.executableAt));
      }
      await expectStakingError(
        send(await finalizeProposalIx(program, { proposalId: FEES }), [mallory]),
        "ProposalNotVoting",
      );
    });

    it("once the vote has ended, bob withdraws exactly his cooled shares' value", async () => {
      const position = await fetchPosition(bob);
      const amount = positionCoolingValue(position, await fetchPool());
      expect(amount).to.equal(1_000n * IO);
      const before = await balance(ioAccount.get(bob)!);
      const signature = await withdraw(bob);
      expect(await balance(ioAccount.get(bob)!)).to.equal(before + amount);
      expect(withBigints(await eventOf("withdrawn", signature))).to.deep.include({
        amount,
        shares: big(position.coolingShares),
      });
      expect(big((await fetchPosition(bob)).coolingShares)).to.equal(0n);
    });

    it("execute_proposal applies each change through the governance PDA, once, after the timelock", async () => {
      // The change as a client has it: decoded from the proposal account (BN fields).
      const execute = async (id: bigint, executor = mallory): Promise<string> => {
        const { change } = await program.account.proposal.fetch(proposalPda(id).address);
        return send(
          await executeProposalIx(program, {
            executor: executor.publicKey,
            proposalId: id,
            change,
          }),
          [executor],
        );
      };
      await expectStakingError(execute(FEES), "TimelockNotElapsed");
      await expectStakingError(execute(DEFEATED), "ProposalDefeated");
      await warpTo(votingEndsAt + STAKING_DEFAULTS.governance.timelockSecs);

      const feesSignature = await execute(FEES);
      const tokenConfig = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
      expect(withBigints(tokenConfig.fees)).to.deep.equal(fees);
      expect(tokenConfig.fees.networkFeeBps).to.equal(400);
      const executed = withBigints(await eventOf("proposalExecuted", feesSignature));
      expect(executed.id).to.equal(FEES);
      expect(executed.executor.equals(mallory.publicKey)).to.equal(true);
      const proposal = await program.account.proposal.fetch(proposalPda(FEES).address);
      expect(proposalStatusName(proposal.status)).to.equal("executed");

      await execute(KEEPER_BOND);
      const registryConfig = await registry.account.registryConfig.fetch(configPda().address);
      expect(big(registryConfig.keeperBondAmount)).to.equal(keeperBond.amount);
      expect(big(registryConfig.keeperUnbondCooldownSecs)).to.equal(keeperBond.unbondCooldownSecs);

      const minStakeSignature = await execute(MIN_STAKE);
      const state = await fetchConfig();
      expect(big(state.stake.minStakeBase)).to.equal(250n * IO);
      const changed = withBigints(await eventOf("configChanged", minStakeSignature));
      expect(changed.change).to.deep.equal(changeOf(MIN_STAKE));
      expect(changed.proposal.equals(proposalPda(MIN_STAKE).address)).to.equal(true);
      expect(deviceMinimumStake(state, GPU_MODEL, 8)).to.equal(8_000n * IO);

      // With iotoken's config held by governance, a pool's distributor is named by proposal.
      const distributorsBefore = (
        await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address)
      ).poolDistributors;
      expect(distributorsBefore[REWARD_POOL.availability]!.equals(PublicKey.default)).to.equal(
        true,
      );
      // A critical change (L13) is not executable before the extra five days.
      await expectStakingError(execute(POOL_DISTRIBUTOR), "TimelockNotElapsed");
      await warpTo(
        endsAt.get(POOL_DISTRIBUTOR)! +
          STAKING_DEFAULTS.governance.timelockSecs +
          CRITICAL_EXTRA_TIMELOCK_SECS,
      );
      await execute(POOL_DISTRIBUTOR);
      const distributors = (await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address))
        .poolDistributors;
      expect(distributors.map((k) => k.toBase58())).to.deep.equal(
        [poolDistributorOf(REGISTRY_PROGRAM_ID), ...distributorsBefore.slice(1)].map((k) =>
          k.toBase58(),
        ),
      );

      const err = await expectStakingError(execute(FEES), "ProposalAlreadyExecuted");
      expect(stakingProgramErrorName(err)).to.equal("ProposalAlreadyExecuted");
    });

    it("an emptied position closes and its rent goes back to the owner", async () => {
      const dave = await fundedKeypair(connection, 10);
      await fundIo(connection, admin, community, [[dave, 10n * IO]], ioAccount);
      const position = positionPda(pool, dave.publicKey).address;
      await send(await openPositionIx(program, { owner: dave.publicKey, pool }), [dave]);
      const rent = (await connection.getAccountInfo(position))!.lamports;
      await stake(dave, 10n * IO);
      await expectStakingError(
        send(await closePositionIx(program, { owner: dave.publicKey, pool }), [dave]),
        "PositionNotEmpty",
      );

      await send(await unstakeIx(program, { owner: dave.publicKey, pool, amount: UNSTAKE_ALL }), [
        dave,
      ]);
      const { cooldownEndsAt } = await fetchPosition(dave);
      await warpTo(big(cooldownEndsAt));
      await withdraw(dave);
      expect(await balance(ioAccount.get(dave)!)).to.equal(10n * IO);

      const before = await connection.getBalance(dave.publicKey);
      const signature = await send(
        await closePositionIx(program, { owner: dave.publicKey, pool }),
        [dave],
      );
      expect(await connection.getAccountInfo(position)).to.equal(null);
      expect(await connection.getBalance(dave.publicKey)).to.equal(
        before + rent - FEE_PER_SIGNATURE,
      );
      const event = await eventOf("positionClosed", signature);
      expect(event.position.equals(position)).to.equal(true);
    });
  });
});

/** A bigint as the BN anchor's methods take. */
function withBn(value: bigint): BN {
  return new BN(value.toString());
}
