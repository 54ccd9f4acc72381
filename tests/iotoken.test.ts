/**
 * The iotoken program through stock `@coral-xyz/anchor` 0.31.1 and the sdk, on a local chain
 * whose Clock the test moves forward (`localnet_warpClock`): initialisation, the reward pools,
 * genesis to the unit, the decay preset appended in chunks and sealed, the epoch crank minting
 * exactly what the sdk's `epochMint` predicts, the price feed and burn-mint with exact IOSD, the
 * treasury buyback, a named `AnchorError` for each refusal, and events through
 * `addEventListener`.
 */
import type { Program } from "@coral-xyz/anchor";
import { createAssociatedTokenAccount, getAccount, getMint, transfer } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import type {
  Connection,
  Keypair,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  EMISSION_BUDGET,
  EPOCH_RECORD_ACCOUNT_SIZE,
  EPOCH_SECS,
  GENESIS_DESTINATION_NAMES,
  GENESIS_SUPPLY,
  IO,
  IOTOKEN_DEFAULTS,
  IOTOKEN_GUARD_DEFAULTS,
  IOTOKEN_PROGRAM_ID,
  IotokenMathError,
  REGISTRY_PROGRAM_ID,
  REWARD_POOLS,
  appendScheduleRowsIx,
  boundedEma,
  breakerAfterMint,
  breakerStateOf,
  buybackBurnIx,
  conservativePrice,
  createTreasuryAccountIx,
  decayPreset,
  decodeEpochRecord,
  drawEpochPoolIx,
  emissionRowsOf,
  endEpochIx,
  emaStepBound,
  endableEpochs,
  epochAt,
  epochMint,
  epochMintParamsOf,
  epochRecordMetas,
  epochRecordPda,
  feedUsablePrice,
  genesisAllocations,
  initializeArgs,
  initializePoolsIx,
  iotokenConfigPda,
  iotokenErrors,
  iotokenProgram,
  iotokenProgramErrorName,
  ioMintPda,
  iosdForIo,
  iosdMintPda,
  iosdMintRoom,
  ledgerPda,
  mintGenesisIx,
  mintIosdIx,
  nextEma,
  poolDistributorOf,
  poolPda,
  priceFeedHalted,
  priceFeedPda,
  publishPriceIx,
  scheduleChunks,
  scheduledEmission,
  schedulePda,
  setPoolDistributorIx,
  setPriceHaltedIx,
  treasuryPda,
  updateIotokenConfigIx,
  withBigints,
  deployerAccounts,
} from "@iogrid/sdk";
import type {
  EmissionRow,
  GenesisDestinations,
  Iotoken,
  IotokenErrorName,
  IotokenEventName,
  IotokenEvents,
} from "@iogrid/sdk";
import { programKeypair } from "@iogrid/sdk/node";

import {
  chainTime,
  distinct,
  fundedKeypair,
  rejectionOf,
  warpClock,
  sendDistinct,
  tokenBalance,
  warpTo as warpClockTo,
} from "./support/chain.js";
import { expectProgramError } from "./support/errors.js";
import { EventCollectors } from "./support/events.js";
import { startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";
import { genesisAccounts, walletProvider } from "./support/setup.js";

const EVENT_NAMES = [
  "epochEnded",
  "iosdMinted",
  "pricePublished",
  "buybackBurned",
] as const satisfies readonly IotokenEventName[];
type ListenedEvent = (typeof EVENT_NAMES)[number];

/** 1.25 USD per IO, 8 decimals. */
const PRICE = 125_000_000n;
/** 0.01 USD: 0.8% of the price, within the default 2% bound. */
const CONFIDENCE = 1_000_000n;

const big = (value: BN | bigint | number): bigint => BigInt(value.toString());

/**
 * Asserts that `promise` rejects with the iotoken error `name`: an `AnchorError` from `.rpc()`
 * with the program's number and message, or (builders sent with `sendAndConfirm`) an error whose
 * logs carry it.
 */
const expectIotokenError = (
  promise: Promise<unknown>,
  name: IotokenErrorName,
  { anchorError = true }: { anchorError?: boolean } = {},
): Promise<unknown> =>
  expectProgramError(iotokenErrors, IOTOKEN_PROGRAM_ID, promise, name, { anchorError });

describe("iotoken through @coral-xyz/anchor 0.31.1 and the sdk", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  let admin: Keypair;
  let updater: Keypair;
  let mallory: Keypair;
  let cranker: Keypair;
  let program: Program<Iotoken>;
  const config = iotokenConfigPda().address;
  const ioMint = ioMintPda().address;
  const iosdMint = iosdMintPda().address;
  let events: EventCollectors<ListenedEvent, IotokenEvents[ListenedEvent]>;

  let genesis: GenesisDestinations;
  /** An IOSD account of the admin, used where an IO account is expected. */
  let adminIosd: PublicKey;
  let crankerIo: PublicKey;
  let origin: bigint;
  let rows: EmissionRow[];

  async function eventOf<N extends ListenedEvent>(
    name: N,
    signature: TransactionSignature,
  ): Promise<IotokenEvents[N]> {
    const record = await events.of(name, signature);
    return record.event as IotokenEvents[N];
  }

  const send = (ix: TransactionInstruction, signers: Signer[]): Promise<string> =>
    sendDistinct(connection, ix, signers);
  const balance = (account: PublicKey): Promise<bigint> => tokenBalance(connection, account);
  const warpTo = (unixTimestamp: bigint): Promise<void> =>
    warpClockTo(connection, net.rpcUrl, unixTimestamp);

  function endEpochRpc(epochs: bigint[], signer: Keypair = cranker): Promise<string> {
    return program.methods
      .endEpoch()
      .accountsPartial({
        cranker: signer.publicKey,
        availabilityPool: poolPda("availability").address,
        computePool: poolPda("compute").address,
        stakersPool: poolPda("stakers").address,
        keepersPool: poolPda("keepers").address,
        tipDestination: crankerIo,
      })
      .remainingAccounts(epochRecordMetas(epochs))
      .preInstructions([distinct()])
      .signers([signer])
      .rpc();
  }

  function mintIosdRpc(
    ioAmount: bigint,
    overrides: Partial<{
      user: Keypair;
      ioSource: PublicKey;
      iosdDestination: PublicKey;
      minIosdOut: bigint;
    }> = {},
  ): Promise<string> {
    const user = overrides.user ?? admin;
    return program.methods
      .mintIosd(new BN(ioAmount.toString()), new BN((overrides.minIosdOut ?? 0n).toString()))
      .accountsPartial({
        user: user.publicKey,
        ioSource: overrides.ioSource ?? genesis.community,
        iosdDestination: overrides.iosdDestination ?? adminIosd,
      })
      .preInstructions([distinct()])
      .signers([user])
      .rpc();
  }

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    admin = await fundedKeypair(connection, 1000);
    updater = await fundedKeypair(connection, 10);
    mallory = await fundedKeypair(connection, 10);
    cranker = await fundedKeypair(connection, 10);
    program = iotokenProgram(walletProvider(connection, admin));
    events = new EventCollectors(EVENT_NAMES, (name, push) => program.addEventListener(name, push));
    // Leave epoch 0 at least five minutes to run, so the early crank really is early.
    const now = await chainTime(connection);
    if (now % 3_600 > 3_300) await warpClock(net.rpcUrl, now - (now % 3_600) + 3_601);
  });

  after(async () => {
    await events?.remove((id) => program.removeEventListener(id));
    await net?.stop();
  });

  it("is deployed at the id of the IDL and the sdk", async () => {
    const info = await connection.getAccountInfo(IOTOKEN_PROGRAM_ID);
    expect(info?.executable).to.equal(true);
    expect(program.programId.equals(IOTOKEN_PROGRAM_ID)).to.equal(true);
  });

  describe("initialisation", () => {
    // The program id's key co-signs as the deployer: the local chain's programs have no ProgramData.
    const deployerKey = programKeypair(IOTOKEN_PROGRAM_ID);
    const deployer = deployerAccounts(IOTOKEN_PROGRAM_ID, deployerKey.publicKey);
    it("initialize refuses a reward split that does not sum to 10,000 bps", async () => {
      const params = {
        ...IOTOKEN_DEFAULTS,
        emission: {
          ...IOTOKEN_DEFAULTS.emission,
          split: { ...IOTOKEN_DEFAULTS.emission.split, keepersBps: 501 },
        },
      };
      await expectIotokenError(
        program.methods
          .initialize(initializeArgs([], params))
          .accountsPartial({ authority: admin.publicKey, ...deployer })
          .signers([deployerKey])
          .rpc(),
        "InvalidRewardSplit",
      );
    });

    it("initialize creates the config, the mints, schedule, ledger and feed with the defaults", async () => {
      await program.methods
        .initialize(initializeArgs([updater.publicKey]))
        .accountsPartial({ authority: admin.publicKey, ...deployer })
        .signers([deployerKey])
        .rpc();
      const state = await program.account.tokenConfig.fetch(config);
      expect(state.authority.equals(admin.publicKey)).to.equal(true);
      expect(state.ioMint.equals(ioMint)).to.equal(true);
      expect(state.iosdMint.equals(iosdMint)).to.equal(true);
      expect(state.genesisMinted).to.equal(false);
      expect(state.priceUpdaters.map((k) => k.toBase58())).to.deep.equal([
        updater.publicKey.toBase58(),
      ]);
      expect(withBigints(state.emission)).to.deep.equal(IOTOKEN_DEFAULTS.emission);
      expect(withBigints(state.fees)).to.deep.equal(IOTOKEN_DEFAULTS.fees);
      expect(withBigints(state.oracle)).to.deep.equal(IOTOKEN_DEFAULTS.oracle);
      expect(withBigints(state.breaker)).to.deep.equal(IOTOKEN_DEFAULTS.breaker);
      expect(withBigints(state.buyback)).to.deep.equal(IOTOKEN_DEFAULTS.buyback);
      for (const [mint, decimals] of [
        [ioMint, 8],
        [iosdMint, 6],
      ] as const) {
        const info = await getMint(connection, mint);
        expect(info.decimals).to.equal(decimals);
        expect(info.supply).to.equal(0n);
        expect(info.mintAuthority?.equals(config)).to.equal(true);
        expect(info.freezeAuthority).to.equal(null);
      }
      const schedule = await program.account.emissionSchedule.fetch(schedulePda().address);
      expect(schedule.sealed).to.equal(false);
      expect(schedule.rows).to.have.length(0);
      expect(await connection.getAccountInfo(ledgerPda().address)).to.not.equal(null);
      expect(await connection.getAccountInfo(priceFeedPda().address)).to.not.equal(null);
    });

    it("update_config refuses a non-authority signer and a no-op", async () => {
      await expectIotokenError(
        program.methods
          .updateConfig({
            newAuthority: mallory.publicKey,
            emission: null,
            fees: null,
            oracle: null,
            breaker: null,
            buyback: null,
            priceUpdaters: null,
            guards: null,
          })
          .accountsPartial({ authority: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotConfigAuthority",
      );
      const noop = await updateIotokenConfigIx(program, {
        authority: admin.publicKey,
        fees: IOTOKEN_DEFAULTS.fees,
      });
      await expectIotokenError(send(noop, [admin]), "NothingToUpdate", { anchorError: false });
    });

    it("update_config refuses the authority's key without its signature", async () => {
      const ix = await updateIotokenConfigIx(program, {
        authority: admin.publicKey,
        newAuthority: mallory.publicKey,
      });
      ix.keys[0]!.isSigner = false;
      const err = await rejectionOf(send(ix, [mallory]));
      expect(iotokenProgramErrorName(err)).to.equal("AccountNotSigner");
      const state = await program.account.tokenConfig.fetch(config);
      expect(state.authority.equals(admin.publicKey)).to.equal(true);
    });

    it("initialize_pools creates the four IO pool vaults owned by the config (anyone pays)", async () => {
      await send(await initializePoolsIx(program, { payer: mallory.publicKey }), [mallory]);
      const state = await program.account.tokenConfig.fetch(config);
      for (const [index, name] of REWARD_POOLS.entries()) {
        const pda = poolPda(name);
        const account = await getAccount(connection, pda.address);
        expect(account.mint.equals(ioMint)).to.equal(true);
        expect(account.owner.equals(config)).to.equal(true);
        expect(account.amount).to.equal(0n);
        expect(state.poolBumps[index]).to.equal(pda.bump);
      }
      const again = await initializePoolsIx(program, { payer: mallory.publicKey });
      await rejectionOf(send(again, [mallory]));
    });
  });

  describe("genesis", () => {
    before(async () => {
      genesis = await genesisAccounts(connection, admin);
      adminIosd = await createAssociatedTokenAccount(connection, admin, iosdMint, admin.publicKey);
      crankerIo = await createAssociatedTokenAccount(connection, admin, ioMint, cranker.publicKey);
    });

    it("mint_genesis refuses a non-authority signer", async () => {
      await expectIotokenError(
        program.methods
          .mintGenesis()
          .accountsPartial({ authority: mallory.publicKey, ...genesis })
          .signers([mallory])
          .rpc(),
        "NotConfigAuthority",
      );
    });

    it("mint_genesis refuses an allocation account of another mint", async () => {
      await expectIotokenError(
        program.methods
          .mintGenesis()
          .accountsPartial({ authority: admin.publicKey, ...genesis, seriesA: adminIosd })
          .rpc(),
        "WrongMint",
      );
    });

    it("mint_genesis mints exactly the five allocations, once", async () => {
      await send(await mintGenesisIx(program, { authority: admin.publicKey, ...genesis }), [admin]);
      const expected = genesisAllocations();
      expect(expected.map(String)).to.deep.equal([
        "25000000000000000",
        "8000000000000000",
        "5650000000000000",
        "6250000000000000",
        "5100000000000000",
      ]);
      for (const [i, name] of GENESIS_DESTINATION_NAMES.entries()) {
        expect(await balance(genesis[name]), name).to.equal(expected[i]);
      }
      expect((await getMint(connection, ioMint)).supply).to.equal(GENESIS_SUPPLY);
      expect((await program.account.tokenConfig.fetch(config)).genesisMinted).to.equal(true);
      await expectIotokenError(
        program.methods
          .mintGenesis()
          .accountsPartial({ authority: admin.publicKey, ...genesis })
          .rpc(),
        "GenesisAlreadyMinted",
      );
    });
  });

  describe("emission schedule", () => {
    before(async () => {
      const now = BigInt(await chainTime(connection));
      origin = now - (now % EPOCH_SECS);
      rows = decayPreset(origin);
    });

    it("append_schedule_rows refuses a non-authority signer; seal refuses an empty schedule", async () => {
      await expectIotokenError(
        program.methods
          .appendScheduleRows(
            rows.slice(0, 2).map((r) => ({
              startTime: new BN(r.startTime.toString()),
              emissionPerEpoch: new BN(r.emissionPerEpoch.toString()),
            })),
          )
          .accountsPartial({ authority: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotConfigAuthority",
      );
      await expectIotokenError(
        program.methods.sealSchedule().accountsPartial({ authority: admin.publicKey }).rpc(),
        "ScheduleEmpty",
      );
    });

    it("the decay preset from the current epoch boundary goes in in chunks of 40 rows", async () => {
      const chunks = scheduleChunks(rows, 40);
      expect(chunks).to.have.length(5);
      for (const chunk of chunks) {
        await send(
          await appendScheduleRowsIx(program, { authority: admin.publicKey, rows: chunk }),
          [admin],
        );
      }
      const schedule = await program.account.emissionSchedule.fetch(schedulePda().address);
      expect(emissionRowsOf(schedule)).to.deep.equal(rows);
    });

    it("seal_schedule refuses a non-authority signer, then seals at epoch 0", async () => {
      await expectIotokenError(
        program.methods
          .sealSchedule()
          .accountsPartial({ authority: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotConfigAuthority",
      );
      await program.methods.sealSchedule().accountsPartial({ authority: admin.publicKey }).rpc();
      const schedule = await program.account.emissionSchedule.fetch(schedulePda().address);
      expect(schedule.sealed).to.equal(true);
      expect(big(schedule.totalEmission)).to.equal(EMISSION_BUDGET);
      const ledger = await program.account.emissionLedger.fetch(ledgerPda().address);
      expect(big(ledger.firstEpoch)).to.equal(0n);
      expect(big(ledger.nextEpoch)).to.equal(0n);
      await expectIotokenError(
        program.methods
          .appendScheduleRows([{ startTime: new BN(0), emissionPerEpoch: new BN(0) }])
          .accountsPartial({ authority: admin.publicKey })
          .rpc(),
        "ScheduleSealed",
      );
    });
  });

  describe("epoch crank", () => {
    const params = epochMintParamsOf(IOTOKEN_DEFAULTS.emission);
    const pools = REWARD_POOLS.map((name) => poolPda(name).address);

    it("end_epoch before the epoch has ended fails with EpochNotEnded", async () => {
      await expectIotokenError(endEpochRpc([0n]), "EpochNotEnded");
      await expectIotokenError(endEpochRpc([]), "InvalidEpochCount");
    });

    it("after the epoch ends, end_epoch mints exactly epochMint into the pools and the tip", async () => {
      await warpTo(origin + EPOCH_SECS + 1n);
      const schedule = await program.account.emissionSchedule.fetch(schedulePda().address);
      const ledgerBefore = await program.account.emissionLedger.fetch(ledgerPda().address);
      expect(endableEpochs(ledgerBefore, schedule, await chainTime(connection))).to.deep.equal([
        0n,
      ]);
      const expected = epochMint(scheduledEmission(rows, 0n), 0n, 0n, GENESIS_SUPPLY, params);
      expect(expected.scheduled).to.equal(482_806_328_731n);

      const lamportsBefore = await connection.getBalance(cranker.publicKey);
      const ix = await endEpochIx(program, {
        cranker: cranker.publicKey,
        tipDestination: crankerIo,
        epochs: [0n],
      });
      const signature = await send(ix, [cranker]);

      for (const [i, pool] of pools.entries()) {
        expect(await balance(pool), REWARD_POOLS[i]).to.equal(expected.pools[i]);
      }
      expect(await balance(crankerIo)).to.equal(expected.crankTip);
      expect(expected.crankTip).to.equal(10n * IO);
      expect((await getMint(connection, ioMint)).supply).to.equal(GENESIS_SUPPLY + expected.total);

      const recordInfo = await connection.getAccountInfo(epochRecordPda(0n).address);
      expect(recordInfo?.owner.equals(IOTOKEN_PROGRAM_ID)).to.equal(true);
      expect(recordInfo?.data.length).to.equal(EPOCH_RECORD_ACCOUNT_SIZE);
      const rent = await connection.getMinimumBalanceForRentExemption(EPOCH_RECORD_ACCOUNT_SIZE);
      expect(recordInfo?.lamports).to.equal(rent);
      expect(await connection.getBalance(cranker.publicKey)).to.equal(lamportsBefore - rent - 5000);
      const record = decodeEpochRecord(recordInfo!.data);
      expect(record).to.deep.include({
        epoch: 0n,
        startTime: origin,
        endTime: origin + EPOCH_SECS,
        scheduledEmission: expected.scheduled,
        netEmission: 0n,
        crankTip: expected.crankTip,
        supplyAfter: GENESIS_SUPPLY + expected.total,
        bump: epochRecordPda(0n).bump,
      });
      expect(record.drawn).to.deep.equal([false, false, false, false]);
      expect(record.pools).to.deep.equal(expected.pools);
      expect(record.crankedBy.equals(cranker.publicKey)).to.equal(true);

      const event = withBigints(await eventOf("epochEnded", signature));
      expect(event).to.deep.include({
        epoch: 0n,
        scheduledEmission: expected.scheduled,
        netEmission: 0n,
        crankTip: expected.crankTip,
        supplyAfter: GENESIS_SUPPLY + expected.total,
        netBacklogAfter: 0n,
      });
      expect(event.pools).to.deep.equal(expected.pools);
      expect(event.crankedBy.equals(cranker.publicKey)).to.equal(true);

      const ledger = await program.account.emissionLedger.fetch(ledgerPda().address);
      expect(big(ledger.nextEpoch)).to.equal(1n);
      expect(big(ledger.cumulativeScheduled)).to.equal(expected.scheduled);
    });

    it("the next epoch cannot be closed before it ends", async () => {
      await expectIotokenError(endEpochRpc([1n]), "EpochNotEnded");
    });

    it("closing an epoch twice fails with EpochRecordMismatch; the next one closes exactly", async () => {
      await warpTo(origin + 2n * EPOCH_SECS + 1n);
      await expectIotokenError(endEpochRpc([0n]), "EpochRecordMismatch");

      const before = await Promise.all(pools.map(balance));
      const tipBefore = await balance(crankerIo);
      const ledger = await program.account.emissionLedger.fetch(ledgerPda().address);
      const supply = (await getMint(connection, ioMint)).supply;
      const expected = epochMint(
        scheduledEmission(rows, 1n),
        big(ledger.cumulativeScheduled),
        big(ledger.netBacklog),
        supply,
        params,
      );
      const signature = await endEpochRpc([1n]);
      for (const [i, pool] of pools.entries()) {
        expect(await balance(pool)).to.equal(before[i]! + expected.pools[i]!);
      }
      expect(await balance(crankerIo)).to.equal(tipBefore + expected.crankTip);
      expect((await getMint(connection, ioMint)).supply).to.equal(supply + expected.total);
      const event = withBigints(await eventOf("epochEnded", signature));
      expect(event.epoch).to.equal(1n);
      expect(event.pools).to.deep.equal(expected.pools);
      expect(epochAt(origin, BigInt(await chainTime(connection)))).to.equal(2n);
    });

    it("set_pool_distributor: the authority names a pool's paying program; only its PDA draws", async () => {
      const registry = REGISTRY_PROGRAM_ID;
      const set = (signer: Keypair, pool: number, paying: PublicKey) =>
        program.methods
          .setPoolDistributor(pool, paying)
          .accountsPartial({ authority: signer.publicKey })
          .preInstructions([distinct()])
          .signers([signer])
          .rpc();
      await expectIotokenError(set(mallory, 0, registry), "NotConfigAuthority");
      await expectIotokenError(set(admin, 4, registry), "InvalidPool");
      await expectIotokenError(set(admin, 0, PublicKey.default), "NothingToUpdate");
      await send(
        await setPoolDistributorIx(program, {
          authority: admin.publicKey,
          pool: "availability",
          program: registry,
        }),
        [admin],
      );
      let state = await program.account.tokenConfig.fetch(config);
      expect(state.poolDistributors[0]!.equals(poolDistributorOf(registry))).to.equal(true);
      expect(state.poolDistributors.slice(1).every((k) => k.equals(PublicKey.default))).to.equal(
        true,
      );
      await expectIotokenError(set(admin, 0, registry), "NothingToUpdate");

      // A keypair is never the distributor PDA: neither of a named pool nor of one without.
      for (const pool of ["availability", "compute"] as const) {
        await expectIotokenError(
          send(
            await drawEpochPoolIx(program, {
              distributor: mallory.publicKey,
              pool,
              epoch: 1n,
              destination: crankerIo,
            }),
            [mallory],
          ),
          "NotPoolDistributor",
          { anchorError: false },
        );
      }
      const record = decodeEpochRecord(
        (await connection.getAccountInfo(epochRecordPda(1n).address))!.data,
      );
      expect(record.drawn).to.deep.equal([false, false, false, false]);

      // `Pubkey::default()` stops all draws from the pool again.
      await set(admin, 0, PublicKey.default);
      state = await program.account.tokenConfig.fetch(config);
      expect(state.poolDistributors[0]!.equals(PublicKey.default)).to.equal(true);
    });
  });

  describe("price feed and burn-mint", () => {
    let publishTime: bigint;
    let ema: bigint;

    it("mint_iosd before any price fails with PriceStale", async () => {
      await expectIotokenError(mintIosdRpc(100n * IO), "PriceStale");
    });

    it("publish_price refuses a signer that is not an updater", async () => {
      await expectIotokenError(
        program.methods
          .publishPrice({
            price: new BN(PRICE.toString()),
            confidence: new BN(CONFIDENCE.toString()),
            publishTime: new BN(await chainTime(connection)),
          })
          .accountsPartial({ updater: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotPriceUpdater",
      );
    });

    it("publish_price by the updater sets price and EMA", async () => {
      publishTime = BigInt(await chainTime(connection));
      const signature = await send(
        await publishPriceIx(program, {
          updater: updater.publicKey,
          price: PRICE,
          confidence: CONFIDENCE,
          publishTime,
        }),
        [updater],
      );
      ema = nextEma(0n, PRICE, publishTime, 3_600n);
      const feed = withBigints(await program.account.priceFeed.fetch(priceFeedPda().address));
      expect(feed).to.deep.include({
        price: PRICE,
        confidence: CONFIDENCE,
        ema,
        publishTime,
        halted: false,
        haltExpiresAt: 0n,
        maxDeviationBps: IOTOKEN_GUARD_DEFAULTS.maxDeviationBps,
      });
      const event = withBigints(await eventOf("pricePublished", signature));
      expect(event).to.deep.include({ price: PRICE, emaBefore: 0n, emaAfter: ema, publishTime });
    });

    it("mint_iosd burns IO and mints exactly iosdForIo at the conservative price", async () => {
      const ioAmount = 100n * IO;
      const price = conservativePrice(PRICE, ema, CONFIDENCE)!;
      expect(price).to.equal(123_000_000n);
      const iosd = iosdForIo(ioAmount, price);
      expect(iosd).to.equal(123_000_000n);
      const ioBefore = await balance(genesis.community);
      const supplyBefore = (await getMint(connection, ioMint)).supply;

      await expectIotokenError(
        mintIosdRpc(ioAmount, { minIosdOut: iosd + 1n }),
        "SlippageExceeded",
      );
      const signature = await send(
        await mintIosdIx(program, {
          user: admin.publicKey,
          ioSource: genesis.community,
          iosdDestination: adminIosd,
          ioAmount,
          minIosdOut: iosd,
        }),
        [admin],
      );
      expect(await balance(adminIosd)).to.equal(iosd);
      expect(await balance(genesis.community)).to.equal(ioBefore - ioAmount);
      expect((await getMint(connection, ioMint)).supply).to.equal(supplyBefore - ioAmount);
      expect((await getMint(connection, iosdMint)).supply).to.equal(iosd);
      const event = withBigints(await eventOf("iosdMinted", signature));
      expect(event).to.deep.include({ ioBurned: ioAmount, iosdMinted: iosd, price });
      expect(event.user.equals(admin.publicKey)).to.equal(true);
      const ledger = withBigints(await program.account.emissionLedger.fetch(ledgerPda().address));
      expect(ledger.totalIoBurned).to.equal(ioAmount);
      expect(ledger.totalIosdMinted).to.equal(iosd);
      expect(ledger.breakerUsed).to.equal(iosd);
      expect(event).to.deep.include({ breakerUsedBefore: 0n, breakerUsedAfter: iosd });
    });

    it("mint_iosd refuses accounts of the wrong mint and IO the signer does not own", async () => {
      await expectIotokenError(
        mintIosdRpc(IO, { iosdDestination: genesis.ecosystem }),
        "WrongMint",
      );
      await expectIotokenError(mintIosdRpc(IO, { ioSource: adminIosd }), "WrongMint");
      await expectIotokenError(
        mintIosdRpc(IO, {
          user: mallory,
          ioSource: genesis.community,
          iosdDestination: adminIosd,
        }),
        "NotTokenAccountOwner",
      );
    });

    it("past the breaker's burst mint_iosd fails with CircuitBreakerTripped; the room is predicted", async () => {
      const price = conservativePrice(PRICE, ema, CONFIDENCE)!;
      const ledger = await program.account.emissionLedger.fetch(ledgerPda().address);
      const tokenConfig = await program.account.tokenConfig.fetch(config);
      const now = BigInt(await chainTime(connection));
      // Half the hourly limit at once, the rest refilling over the hour.
      const room = iosdMintRoom(ledger, tokenConfig, now);
      const burst = IOTOKEN_DEFAULTS.breaker.maxIosdPerWindow / 2n;
      expect(room <= burst && room >= burst - iosdForIo(100n * IO, price)).to.equal(true);
      // 410,000 IO at 1.23 USD is 504,300 IOSD: past the 500,000 IOSD burst.
      const ioAmount = 410_000n * IO;
      expect(() =>
        breakerAfterMint(
          breakerStateOf(ledger),
          now,
          IOTOKEN_DEFAULTS.breaker.windowSecs,
          IOTOKEN_DEFAULTS.breaker.maxIosdPerWindow,
          BigInt(IOTOKEN_GUARD_DEFAULTS.breakerBurstBps),
          iosdForIo(ioAmount, price),
        ),
      ).to.throw(IotokenMathError);
      await expectIotokenError(mintIosdRpc(ioAmount), "CircuitBreakerTripped");
    });

    it("while halted mint_iosd fails with PriceFeedHalted; only the authority resumes", async () => {
      await expectIotokenError(
        program.methods
          .setPriceHalted(true)
          .accountsPartial({ signer: mallory.publicKey })
          .signers([mallory])
          .rpc(),
        "NotAuthorityOrUpdater",
      );
      await send(await setPriceHaltedIx(program, { signer: updater.publicKey, halted: true }), [
        updater,
      ]);
      await expectIotokenError(mintIosdRpc(IO), "PriceFeedHalted");
      // An updater's halt ends by itself an hour after it began.
      const halted = withBigints(await program.account.priceFeed.fetch(priceFeedPda().address));
      const end = halted.updaterHalts[0]!.haltedAt + IOTOKEN_GUARD_DEFAULTS.updaterHaltSecs;
      expect(halted.haltExpiresAt).to.equal(end);
      expect(halted.updaterHalts[0]!.updater.equals(updater.publicKey)).to.equal(true);
      expect(priceFeedHalted(halted, end - 1n)).to.equal(true);
      expect(priceFeedHalted(halted, end)).to.equal(false);
      await expectIotokenError(
        program.methods
          .setPriceHalted(false)
          .accountsPartial({ signer: updater.publicKey })
          .signers([updater])
          .rpc(),
        "NotConfigAuthority",
      );
      await program.methods
        .setPriceHalted(false)
        .accountsPartial({ signer: admin.publicKey })
        .rpc();
      const feed = await program.account.priceFeed.fetch(priceFeedPda().address);
      expect(feed.halted).to.equal(false);
      // The updater halted a moment ago: it may not halt again within the day.
      await expectIotokenError(
        program.methods
          .setPriceHalted(true)
          .accountsPartial({ signer: updater.publicKey })
          .signers([updater])
          .rpc(),
        "HaltCooldown",
      );
    });

    it("a price older than the staleness bound fails with PriceStale; a fresh one moves the EMA", async () => {
      await warpTo(publishTime + IOTOKEN_DEFAULTS.oracle.maxStalenessSecs + 1n);
      await expectIotokenError(mintIosdRpc(IO), "PriceStale");

      const newPrice = 130_000_000n;
      const newTime = BigInt(await chainTime(connection));
      await expectIotokenError(
        program.methods
          .publishPrice({
            price: new BN(newPrice.toString()),
            confidence: new BN(CONFIDENCE.toString()),
            publishTime: new BN((newTime + 1_000n).toString()),
          })
          .accountsPartial({ updater: updater.publicKey })
          .signers([updater])
          .rpc(),
        "PublishTimeInFuture",
      );
      await send(
        await publishPriceIx(program, {
          updater: updater.publicKey,
          price: newPrice,
          confidence: CONFIDENCE,
          publishTime: newTime,
        }),
        [updater],
      );
      const guards = IOTOKEN_GUARD_DEFAULTS;
      const newEma = boundedEma(
        ema,
        newPrice,
        newTime - publishTime,
        3_600n,
        BigInt(guards.emaStepBpsPerHour),
        BigInt(guards.maxEmaStepBps),
      );
      // A 4% move: within the step bounds the EMA is the plain one.
      expect(newEma).to.equal(nextEma(ema, newPrice, newTime - publishTime, 3_600n));
      expect(newEma > ema && newEma < newPrice).to.equal(true);
      const feed = withBigints(await program.account.priceFeed.fetch(priceFeedPda().address));
      expect(feed.ema).to.equal(newEma);

      const ioAmount = 7n * IO + 12_345n;
      const price = conservativePrice(newPrice, newEma, CONFIDENCE)!;
      const before = await balance(adminIosd);
      const signature = await mintIosdRpc(ioAmount);
      expect(await balance(adminIosd)).to.equal(before + iosdForIo(ioAmount, price));
      const event = withBigints(await eventOf("iosdMinted", signature));
      expect(event.price).to.equal(price);
      expect(event.iosdMinted).to.equal(iosdForIo(ioAmount, price));
    });

    it("a 1000x print moves the EMA one bounded step and mint_iosd fails with PriceDeviatesFromEma", async () => {
      const before = withBigints(await program.account.priceFeed.fetch(priceFeedPda().address));
      await warpTo(before.publishTime + 10n);
      const time = BigInt(await chainTime(connection));
      const signature = await send(
        await publishPriceIx(program, {
          updater: updater.publicKey,
          price: before.price * 1_000n,
          confidence: 0n,
          publishTime: time,
        }),
        [updater],
      );
      const guards = IOTOKEN_GUARD_DEFAULTS;
      const elapsed = time - before.publishTime;
      const expected = boundedEma(
        before.ema,
        before.price * 1_000n,
        elapsed,
        3_600n,
        BigInt(guards.emaStepBpsPerHour),
        BigInt(guards.maxEmaStepBps),
      );
      const feed = withBigints(await program.account.priceFeed.fetch(priceFeedPda().address));
      expect(feed.ema).to.equal(expected);
      // The step bound holds it: 1 bp of the EMA per second since the last price.
      const step = emaStepBound(
        before.ema,
        elapsed,
        BigInt(guards.emaStepBpsPerHour),
        BigInt(guards.maxEmaStepBps),
      );
      expect(feed.ema).to.equal(before.ema + step);
      expect(step).to.equal((before.ema * elapsed) / 10_000n);
      const event = withBigints(await eventOf("pricePublished", signature));
      expect(event).to.deep.include({
        emaBefore: before.ema,
        emaAfter: expected,
        withinDeviation: false,
      });
      expect(event.emaTarget > expected).to.equal(true);

      const tokenConfig = await program.account.tokenConfig.fetch(config);
      const now = BigInt(await chainTime(connection));
      expect(() => feedUsablePrice(feed, tokenConfig.oracle, now)).to.throw(IotokenMathError);
      const io = await balance(genesis.community);
      await expectIotokenError(mintIosdRpc(IO), "PriceDeviatesFromEma");
      expect(await balance(genesis.community)).to.equal(io);
    });

    it("update_config changes the guards within their bounds (InvalidGuardParams)", async () => {
      const guards = { ...IOTOKEN_GUARD_DEFAULTS, maxDeviationBps: 5_001 };
      await expectIotokenError(
        send(await updateIotokenConfigIx(program, { authority: admin.publicKey, guards }), [admin]),
        "InvalidGuardParams",
        { anchorError: false },
      );
      const tighter = { ...IOTOKEN_GUARD_DEFAULTS, maxDeviationBps: 500, updaterHaltSecs: 600n };
      await send(
        await updateIotokenConfigIx(program, { authority: admin.publicKey, guards: tighter }),
        [admin],
      );
      const state = withBigints(await program.account.tokenConfig.fetch(config));
      expect(state.guards).to.deep.equal(tighter);
    });
  });

  describe("treasury", () => {
    it("create_treasury_account creates the IO and IOSD treasury accounts; buyback burns 1%", async () => {
      for (const mint of [ioMint, iosdMint]) {
        await send(await createTreasuryAccountIx(program, { payer: mallory.publicKey, mint }), [
          mallory,
        ]);
        const account = await getAccount(connection, treasuryPda(mint).address);
        expect(account.mint.equals(mint)).to.equal(true);
        expect(account.owner.equals(config)).to.equal(true);
      }
      const buyback = await buybackBurnIx(program, { caller: mallory.publicKey });
      await expectIotokenError(send(buyback, [mallory]), "NothingToBurn", { anchorError: false });

      const treasuryIo = treasuryPda(ioMint).address;
      await transfer(connection, admin, genesis.community, treasuryIo, admin, 1_000n * IO);
      const supply = (await getMint(connection, ioMint)).supply;
      const signature = await send(await buybackBurnIx(program, { caller: mallory.publicKey }), [
        mallory,
      ]);
      expect(await balance(treasuryIo)).to.equal(990n * IO);
      expect((await getMint(connection, ioMint)).supply).to.equal(supply - 10n * IO);
      const event = withBigints(await eventOf("buybackBurned", signature));
      expect(event).to.deep.include({ ioBurned: 10n * IO, treasuryBalanceAfter: 990n * IO });
      await expectIotokenError(
        program.methods.buybackBurn().accountsPartial({ caller: admin.publicKey }).rpc(),
        "BuybackTooSoon",
      );
    });
  });
});
