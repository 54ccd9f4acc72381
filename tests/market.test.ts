/**
 * The market end to end on one chain with iotoken, the registry and staking, through the sdk:
 * the market initialised, named the registry's market program and one of staking's slashers;
 * treasury accounts for IOSD, IO and USDC; devices of two owners registered and staked to their
 * minimum. A renter reserves devices paid in IOSD (booked in legacy-transaction-sized batches),
 * agents acknowledge, the renter extends and cancels inside the first hour, a device that never
 * started is settled as a no-show (and slashed), and a keeper settles everything for its tips;
 * reservations in IO and USDC run to completion. After every step each balance moves to the unit
 * as the sdk's mirror of the program's math predicts, and the vault holds exactly what the
 * reservation's ledger says (`deposited - outflows == escrowOpen`). Along the way, the refusals
 * by name: double booking, paying below the quote, settling early and twice, cancelling someone
 * else's reservation, the wrong agent key, and an IO booking right after a 1000x price print (M1:
 * the feed's EMA moves one bounded step and the spot off it is refused, `PriceDeviatesFromEma`).
 * The clock moves with `localnet_warpClock`.
 */
import type { Program } from "@coral-xyz/anchor";
import {
  closeAccount,
  createAccount,
  createAssociatedTokenAccount,
  createMint,
  getAssociatedTokenAddressSync,
  mintTo,
  transfer,
} from "@solana/spl-token";
import { ComputeBudgetProgram, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import type {
  Connection,
  Signer,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";
import { expect } from "chai";

import {
  IO,
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  SETTLE_BOOKINGS_PER_TX,
  REGISTRY_PROGRAM_ID,
  acknowledgeStartIx,
  bookDevicesBatches,
  bookDevicesIx,
  bookingHours,
  bookingPda,
  cancelReservationIx,
  chargesOf,
  chunked,
  claimRefundIx,
  closeReservationIx,
  conservativePrice,
  createReservationIx,
  createTreasuryAccountIx,
  deliveredValue,
  ending,
  expectedVaultBalance,
  faultSlash,
  extendBookingsIx,
  initializeMarketIx,
  initializeStakingIx,
  ioMintPda,
  iosdMintPda,
  iotokenConfigPda,
  iotokenErrors,
  marketErrors,
  marketProgram,
  matchDevices,
  mintIosdIx,
  parseMarketEvents,
  paymentTerms,
  priceFeedPda,
  publishPriceIx,
  quoteSelection,
  refundOwed,
  reportedOutcome,
  reservationOutcomeName,
  reservationPda,
  reservationVaultPda,
  settleBookingsBatches,
  settleBookingsIx,
  splitTime,
  stakePoolPda,
  stakingConfigPda,
  treasuryPda,
  undeliveredIo,
  updateConfigIx,
  usableIoPrice,
  SlashWindow,
  vaultSurplus,
  withBigints,
  STAKING_PROGRAM_ID,
} from "@iogrid/sdk";
import type {
  Booking,
  BookableDevice,
  DeviceSpecs,
  Iotoken,
  Market,
  MarketDevice,
  MarketErrorName,
  MarketEvents,
  PaymentTokenName,
  Registry,
  Staking,
} from "@iogrid/sdk";
import { sendAndConfirm, programKeypair } from "@iogrid/sdk/node";

import {
  chainTime,
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
  fundIo,
  initializeIoBondedRegistry,
  iogridPrograms,
  mintedGenesis,
  registerStakedDevice,
  sealedSchedule,
  walletProvider,
} from "./support/setup.js";

const big = (value: { toString(): string } | bigint | number): bigint => BigInt(value.toString());

const expectMarketError = (promise: Promise<unknown>, name: MarketErrorName): Promise<unknown> =>
  expectProgramError(marketErrors, MARKET_PROGRAM_ID, promise, name, { anchorError: false });

/** One GPU of a model no staking class names: 200 IO of minimum stake. */
const SPECS: DeviceSpecs = {
  gpuCount: 1,
  vramMib: 81_920,
  cpuCores: 16,
  ramMib: 131_072,
  storageGib: 1_000,
  bandwidthTier: { high: {} },
};
const GPU_MODEL = "NVIDIA H100 80GB HBM3";
/** 25 USD per GPU-hour: the reservation fee (0.25%) of 3 hours is above the 0.10 IOSD tip. */
const PRICE = 25_000_000n;
/** USD per IO (8 decimals): 0.5 USD, with a confidence well inside 2%. */
const IO_PRICE = 50_000_000n;
const IO_CONFIDENCE = 100_000n;
const ACK_GRACE_SECS = 600n;
const HOUR = 3_600n;
/** The most a renter can be asked to pay: anything. */
const U64_MAX = (1n << 64n) - 1n;

interface TestDevice extends BookableDevice {
  agent: Keypair;
}

describe("market: reservations paid in IOSD, IO and USDC, settled to the unit", function () {
  this.timeout(300_000);
  let net: Localnet;
  let connection: Connection;
  let admin: Keypair;
  let renter: Keypair;
  let keeper: Keypair;
  let mallory: Keypair;
  const owners: Keypair[] = [];
  let registry: Program<Registry>;
  let iotoken: Program<Iotoken>;
  let staking: Program<Staking>;
  let market: Program<Market>;
  let usdcMint: PublicKey;
  const mints: Record<PaymentTokenName, PublicKey> = {
    iosd: iosdMintPda().address,
    io: ioMintPda().address,
    usdc: PublicKey.default,
  };
  const ioAccount = new Map<Keypair, PublicKey>();
  const devices: TestDevice[] = [];
  let nextId = 1n;

  const send = (ix: TransactionInstruction, signers: Signer[]): Promise<TransactionSignature> =>
    sendDistinct(connection, ix, signers);
  let units = 1_400_000;
  /** `ix` with the most compute a transaction may use (each such transaction distinct). */
  const sendHeavy = (ix: TransactionInstruction, signers: Signer[]): Promise<string> =>
    sendAndConfirm(
      connection,
      new Transaction().add(ComputeBudgetProgram.setComputeUnitLimit({ units: units-- }), ix),
      signers,
    );
  const balance = (account: PublicKey): Promise<bigint> => tokenBalance(connection, account);
  const now = async (): Promise<bigint> => BigInt(await chainTime(connection));
  const warpTo = (unixTimestamp: bigint): Promise<void> =>
    warpClockTo(connection, net.rpcUrl, unixTimestamp);
  const ata = (mint: PublicKey, owner: PublicKey): PublicKey =>
    getAssociatedTokenAddressSync(mint, owner, true);

  async function eventsNamed<N extends keyof MarketEvents>(
    name: N,
    signature: TransactionSignature,
  ): Promise<MarketEvents[N][]> {
    return parseMarketEvents(await transactionLogs(connection, signature))
      .filter((e) => e.name === name)
      .map((e) => e.data as MarketEvents[N]);
  }

  /**
   * The price feed republished at the chain's time, so IO quotes are current (if it was already
   * published this second, the chain's clock moves on by one: a feed takes one print a second).
   */
  async function publishPrice(): Promise<void> {
    const feed = await iotoken.account.priceFeed.fetch(priceFeedPda().address);
    if (big(feed.publishTime) >= (await now())) await warpTo(big(feed.publishTime) + 1n);
    await send(
      await publishPriceIx(iotoken, {
        updater: admin.publicKey,
        price: IO_PRICE,
        confidence: IO_CONFIDENCE,
        publishTime: await now(),
      }),
      [admin],
    );
  }

  /** The rates and IO price `book_devices` and `extend_bookings` quote with now. */
  async function terms(token: PaymentTokenName) {
    const tokenConfig = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
    const feed = await iotoken.account.priceFeed.fetch(priceFeedPda().address);
    return { ...paymentTerms(tokenConfig, feed, token, await now()), tokenConfig };
  }

  /** Tokens sent into a reservation's vault from outside the market, by reservation. */
  const donated = new Map<string, bigint>();
  const donatedTo = (reservation: PublicKey): bigint => donated.get(reservation.toBase58()) ?? 0n;

  /**
   * Asserts the reservation's vault holds `deposited - outflows == escrowOpen` plus what was sent
   * to it from outside (`vaultSurplus`); returns the ledger's part.
   */
  async function checkInvariant(reservation: PublicKey): Promise<bigint> {
    const state = await market.account.reservation.fetch(reservation);
    const vault = await balance(reservationVaultPda(reservation).address);
    const expected = expectedVaultBalance(state.ledger);
    expect(expected, `ledger ${JSON.stringify(state.ledger)}`).to.not.equal(null);
    expect(vault).to.equal(expected! + donatedTo(reservation));
    expect(vaultSurplus(state.ledger, vault)).to.equal(donatedTo(reservation));
    return expected!;
  }

  /** Balances of `accounts`, to compare after a step. */
  async function balances(accounts: PublicKey[]): Promise<bigint[]> {
    return Promise.all(accounts.map(balance));
  }

  before(async function () {
    this.timeout(600_000);
    net = await startLocalnet();
    connection = net.connection;
    admin = await fundedKeypair(connection, 1000);
    [renter, keeper, mallory] = await fundedKeypairs(connection, 3);
    owners.push(...(await fundedKeypairs(connection, 2)));
    ({ registry, iotoken, staking } = iogridPrograms(connection, admin));
    market = marketProgram(walletProvider(connection, admin));

    const { community } = await mintedGenesis(connection, iotoken, admin, {
      priceUpdaters: [admin.publicKey],
    });
    await sealedSchedule(connection, iotoken, admin);
    await initializeIoBondedRegistry(connection, registry, admin);
    await send(
      await updateConfigIx(registry, {
        authority: admin.publicKey,
        marketProgram: MARKET_PROGRAM_ID,
      }),
      [admin],
    );
    await send(
      await initializeStakingIx(staking, {
        authority: admin.publicKey,
        deployer: STAKING_PROGRAM_ID,
        slasherPrograms: [REGISTRY_PROGRAM_ID, MARKET_PROGRAM_ID],
      }),
      [admin, programKeypair(STAKING_PROGRAM_ID)],
    );
    await fundIo(
      connection,
      admin,
      community,
      [
        [renter, 100_000n * IO],
        [mallory, 10_000n * IO],
        ...owners.map((o): [Keypair, bigint] => [o, 10_000n * IO]),
      ],
      ioAccount,
    );

    // USDC stand-in, and the treasury's accounts for the three payment mints.
    usdcMint = await createMint(connection, admin, admin.publicKey, null, 6);
    mints.usdc = usdcMint;
    for (const mint of Object.values(mints)) {
      await send(await createTreasuryAccountIx(iotoken, { payer: admin.publicKey, mint }), [admin]);
    }
    await send(
      await initializeMarketIx(market, {
        authority: admin.publicKey,
        deployer: MARKET_PROGRAM_ID,
        usdcMint,
        ackGraceSecs: ACK_GRACE_SECS,
        maxReservationHours: 48,
      }),
      [admin, programKeypair(MARKET_PROGRAM_ID)],
    );

    // The renter and mallory pay in IOSD (minted from IO), IO and USDC.
    await publishPrice();
    for (const payer of [renter, mallory]) {
      const iosd = await createAssociatedTokenAccount(
        connection,
        admin,
        mints.iosd,
        payer.publicKey,
      );
      await send(
        await mintIosdIx(iotoken, {
          user: payer.publicKey,
          ioSource: ioAccount.get(payer)!,
          iosdDestination: iosd,
          ioAmount: 5_000n * IO,
        }),
        [payer],
      );
      const usdc = await createAssociatedTokenAccount(connection, admin, usdcMint, payer.publicKey);
      await mintTo(connection, admin, usdcMint, usdc, admin, 10_000_000_000n);
    }
    // Owners and the keeper hold accounts in every payment mint.
    for (const holder of [...owners, keeper]) {
      for (const mint of [mints.iosd, mints.usdc, ...(holder === keeper ? [mints.io] : [])]) {
        await createAssociatedTokenAccount(connection, admin, mint, holder.publicKey);
      }
    }

    // Ten devices, alternating between the two owners, staked to their minimum.
    for (let i = 0; i < 10; i++) {
      const owner = owners[i % 2]!;
      const agent = await fundedKeypair(connection, 1);
      const { address } = await registerStakedDevice(
        connection,
        { registry, staking },
        {
          owner,
          deviceId: `market-${i}`,
          gpuModel: GPU_MODEL,
          specs: SPECS,
          pricePerGpuHour: PRICE + BigInt(i) * 1_000n,
          agent,
          tokenAccount: ioAccount.get(owner)!,
        },
      );
      devices.push({ address, owner: owner.publicKey, agent });
    }
  });

  after(async () => {
    await net?.stop();
  });

  /** The free devices matching the H100 request, ranked, as a client picks them. */
  async function freeDevices(): Promise<MarketDevice[]> {
    const stakingConfig = await staking.account.stakingConfig.fetch(stakingConfigPda().address);
    const found: MarketDevice[] = [];
    for (const d of devices) {
      const device = await registry.account.device.fetch(d.address);
      const pool = await staking.account.stakePool.fetchNullable(
        stakePoolPda(d.address, d.owner).address,
      );
      found.push({ address: d.address, device, pool });
    }
    return matchDevices(found, { gpuModel: GPU_MODEL, minVramMib: 80_000 }, stakingConfig);
  }

  const testDevice = (address: PublicKey): TestDevice =>
    devices.find((d) => d.address.equals(address))!;

  /** A new reservation of `hours` in `token`; returns its address. */
  async function createReservation(token: PaymentTokenName, hours: number): Promise<PublicKey> {
    const id = nextId++;
    await send(
      await createReservationIx(market, {
        renter: renter.publicKey,
        id,
        hours,
        paymentMint: mints[token],
        workload: { kind: "container", image: "ghcr.io/iogrid/llm:1", ports: [8000] },
      }),
      [renter],
    );
    const reservation = reservationPda(renter.publicKey, id).address;
    expect(await checkInvariant(reservation)).to.equal(0n);
    return reservation;
  }

  const renterAccount = (token: PaymentTokenName): PublicKey => ata(mints[token], renter.publicKey);

  /**
   * Books `selection` into `reservation` in legacy-transaction-sized batches, each paying exactly
   * its quote; checks the renter's and the vault's balances to the unit and the invariant.
   */
  async function book(
    reservation: PublicKey,
    token: PaymentTokenName,
    hours: number,
    selection: MarketDevice[],
  ): Promise<bigint> {
    if (token === "io") await publishPrice();
    const { rates, ioPrice } = await terms(token);
    const quoted = quoteSelection(selection, hours, rates, ioPrice);
    const payer = renterAccount(token);
    const vault = reservationVaultPda(reservation).address;
    const [renterBefore, vaultBefore] = await balances([payer, vault]);
    const ixs = await bookDevicesBatches(market, {
      reservation,
      renter: renter.publicKey,
      paymentSource: payer,
      devices: selection.map((d) => testDevice(d.address)),
      maxPayment: (batch) =>
        quoteSelection(
          selection.filter((d) => batch.some((b) => b.address.equals(d.address))),
          hours,
          rates,
          ioPrice,
        ).total,
    });
    for (const ix of ixs) await sendHeavy(ix, [renter]);
    expect(await balance(payer)).to.equal(renterBefore! - quoted.total);
    expect(await checkInvariant(reservation)).to.equal(
      vaultBefore! - donatedTo(reservation) + quoted.total,
    );
    for (const q of quoted.devices) {
      const booking = await market.account.booking.fetch(
        bookingPda(reservation, q.address).address,
      );
      expect(chargesOf(booking.charges)).to.deep.equal(q.charges);
      expect(big(booking.pricePerHour)).to.equal(q.pricePerHour);
      expect(big(booking.endsAt) - big(booking.bookedAt)).to.equal(BigInt(hours) * HOUR);
      expect(big(booking.ackDeadline) - big(booking.bookedAt)).to.equal(ACK_GRACE_SECS);
      const device = await registry.account.device.fetch(q.address);
      expect(device.reservation.equals(reservation)).to.equal(true);
    }
    return quoted.total;
  }

  async function acknowledge(reservation: PublicKey, d: TestDevice): Promise<void> {
    await send(
      await acknowledgeStartIx(market, {
        reservation,
        agent: d.agent.publicKey,
        device: d.address,
      }),
      [d.agent],
    );
    const booking = await market.account.booking.fetch(bookingPda(reservation, d.address).address);
    expect(big(booking.startedAt) > 0n).to.equal(true);
  }

  /**
   * The keeper settles `bookings` in batches; every account moves exactly as the mirror
   * predicts from the bookings, the reservation's cancellation and the chain's time (refunds
   * accrue in the ledger, the renter's accounts untouched), and the invariant holds after each
   * batch.
   */
  async function settle(
    reservation: PublicKey,
    token: PaymentTokenName,
    settled: TestDevice[],
    expectOutcome: Record<string, string>,
  ): Promise<void> {
    const mint = mints[token];
    const state = await market.account.reservation.fetch(reservation);
    const tokenConfig = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
    const tipAccount = ata(mint, keeper.publicKey);
    const treasury = treasuryPda(mint).address;
    const bookings = new Map<string, Booking>();
    for (const d of settled) {
      bookings.set(
        d.address.toBase58(),
        await market.account.booking.fetch(bookingPda(reservation, d.address).address),
      );
    }
    const ixs = await settleBookingsBatches(market, {
      reservation,
      settler: keeper.publicKey,
      tipAccount,
      renter: renter.publicKey,
      paymentMint: mint,
      bookings: settled.map((d) => ({ device: d.address, owner: d.owner })),
    });
    const batches = chunked(settled, SETTLE_BOOKINGS_PER_TX);
    expect(ixs).to.have.length(batches.length);
    for (const [n, ix] of ixs.entries()) {
      const batch = batches[n]!;
      const payees = batch.map((d) => ata(mint, d.owner));
      const watched = [tipAccount, treasury, ...payees];
      const before = await balances(watched);
      const { ledger: ledgerBefore } = await market.account.reservation.fetch(reservation);
      const feed = await iotoken.account.priceFeed.fetch(priceFeedPda().address);
      const stakingConfig = await staking.account.stakingConfig.fetch(stakingConfigPda().address);
      const pools = await Promise.all(
        batch.map((d) => staking.account.stakePool.fetch(stakePoolPda(d.address, d.owner).address)),
      );
      let refunds = 0n;
      const ioTreasuryBefore = await balance(treasuryPda(mints.io).address);
      const signature = await sendHeavy(ix, [keeper]);
      // The clock only moves forward, so the outcomes decided at the settlement hold now.
      const at = await now();
      const events = await eventsNamed("bookingSettled", signature);
      expect(events).to.have.length(batch.length);
      const expected = new Map<string, bigint>(watched.map((k, i) => [k.toBase58(), before[i]!]));
      const add = (k: PublicKey, v: bigint) =>
        expected.set(k.toBase58(), expected.get(k.toBase58())! + v);
      let slashed = 0n;
      for (const [i, d] of batch.entries()) {
        const booking = bookings.get(d.address.toBase58())!;
        const cancelledAt = big(state.cancelledAt) === 0n ? null : big(state.cancelledAt);
        const end = ending(booking, at, cancelledAt, null)!;
        expect(end, `${d.address.toBase58()} settles`).to.not.equal(null);
        expect(end.outcome).to.equal(expectOutcome[d.address.toBase58()]);
        const charges = chargesOf(booking.charges);
        const bookedSecs = big(booking.endsAt) - big(booking.bookedAt);
        const split = splitTime(
          charges.time,
          end.deliveredSecs,
          bookedSecs,
          tokenConfig.fees.networkFeeBps,
          0,
        );
        add(payees[i]!, split.ownerPay);
        add(treasury, split.networkFee + charges.reservationFee - charges.tip + charges.paymentFee);
        add(tipAccount, charges.tip);
        refunds += split.refund;
        const event = withBigints(events[i]!);
        expect(event.device.equals(d.address)).to.equal(true);
        // The registry is told a completion counts only when paid, by an unrelated renter.
        const renterIsDevice =
          renter.publicKey.equals(d.owner) || renter.publicKey.equals(d.agent.publicKey);
        const value = deliveredValue(big(booking.pricePerHour), end.deliveredSecs, bookedSecs);
        expect(reservationOutcomeName(events[i]!.outcome)).to.equal(
          reportedOutcome(end.outcome, value, renterIsDevice),
        );
        expect(event).to.deep.include({
          ownerPay: split.ownerPay,
          stakerShare: 0n,
          networkFee: split.networkFee,
          refund: split.refund,
          tip: charges.tip,
          deliveredSecs: end.deliveredSecs,
          bookedSecs,
        });
        // A fault is slashed by its undelivered value in IO (IOSD and USDC at the feed's usable
        // price, none without one), within the pool's window and stake.
        const fault = end.outcome === "noShow" || end.outcome === "failed";
        const paidInIo = token === "io";
        const price = fault && !paidInIo ? usableIoPrice(feed, tokenConfig.oracle, at) : null;
        const basis = fault ? undeliveredIo(split.refund, paidInIo, price) : null;
        const pool = pools[i]!;
        const totalStake =
          big(pool.operatorStake) + big(pool.operatorCooling) + big(pool.costakeTotal);
        const window = SlashWindow.at(
          {
            start: big(pool.slashWindowStart),
            cap: big(pool.slashWindowCap),
            slashed: big(pool.slashedInWindow),
          },
          at,
          big(stakingConfig.slashing.windowSecs),
          stakingConfig.slashing.maxSlashBps,
          totalStake,
        );
        expect(event).to.deep.include({
          slashBasis: basis ?? 0n,
          slashIoPrice: price ?? 0n,
          slashed: faultSlash(basis, SlashWindow.remaining(window), totalStake),
        });
        slashed += event.slashed;
      }
      // Slashed stake goes to the IO treasury: the payment treasury itself for IO payments.
      if (token === "io") add(treasury, slashed);
      else
        expect(await balance(treasuryPda(mints.io).address)).to.equal(ioTreasuryBefore + slashed);
      const after = await balances(watched);
      watched.forEach((k, i) =>
        expect(after[i], `balance of ${k.toBase58()}`).to.equal(expected.get(k.toBase58())),
      );
      const { ledger } = await market.account.reservation.fetch(reservation);
      expect(big(ledger.refunds)).to.equal(big(ledgerBefore.refunds) + refunds);
      expect(refundOwed(ledger)).to.equal(refundOwed(ledgerBefore)! + refunds);
      await checkInvariant(reservation);
      for (const d of batch) {
        expect(
          await connection.getAccountInfo(bookingPda(reservation, d.address).address),
        ).to.equal(null);
        const device = await registry.account.device.fetch(d.address);
        expect(device.reservation.equals(PublicKey.default)).to.equal(true);
      }
    }
  }

  /**
   * The renter claims every refund owed into `destination` (by default its associated account);
   * returns the amount. A second claim is refused by name.
   */
  async function claim(reservation: PublicKey, destination?: PublicKey): Promise<bigint> {
    const { paymentMint, ledger } = await market.account.reservation.fetch(reservation);
    const owed = refundOwed(ledger)!;
    const to = destination ?? ata(paymentMint, renter.publicKey);
    const [toBefore, vaultBefore] = await balances([to, reservationVaultPda(reservation).address]);
    const ix = () =>
      claimRefundIx(market, {
        reservation,
        renter: renter.publicKey,
        paymentMint,
        destination: to,
      });
    const signature = await send(await ix(), [renter]);
    const [claimed] = await eventsNamed("refundClaimed", signature);
    expect(big(claimed!.amount)).to.equal(owed);
    expect(await balance(to)).to.equal(toBefore! + owed);
    expect(await balance(reservationVaultPda(reservation).address)).to.equal(vaultBefore! - owed);
    const after = await market.account.reservation.fetch(reservation);
    expect(refundOwed(after.ledger)).to.equal(0n);
    await checkInvariant(reservation);
    await expectMarketError(send(await ix(), [renter]), "NoRefundOwed");
    return owed;
  }

  /**
   * The renter closes the reservation, claiming its refunds first (closing before is refused by
   * name); any surplus goes to the payment mint's treasury.
   */
  async function close(reservation: PublicKey): Promise<void> {
    const { paymentMint, ledger } = await market.account.reservation.fetch(reservation);
    const closeIx = () =>
      closeReservationIx(market, { reservation, renter: renter.publicKey, paymentMint });
    if (refundOwed(ledger)! > 0n) {
      await expectMarketError(send(await closeIx(), [renter]), "RefundsUnclaimed");
      await claim(reservation);
    }
    expect(await checkInvariant(reservation)).to.equal(0n);
    const treasury = treasuryPda(paymentMint).address;
    const treasuryBefore = await balance(treasury);
    const signature = await send(await closeIx(), [renter]);
    const [closed] = await eventsNamed("reservationClosed", signature);
    expect(big(closed!.surplusSwept)).to.equal(donatedTo(reservation));
    expect(await balance(treasury)).to.equal(treasuryBefore + donatedTo(reservation));
    expect(await connection.getAccountInfo(reservation)).to.equal(null);
    expect(await connection.getAccountInfo(reservationVaultPda(reservation).address)).to.equal(
      null,
    );
  }

  describe("IOSD: batches, acknowledgements, extension, cancellation, no-show", () => {
    let reservation: PublicKey;
    let selection: MarketDevice[];
    let booked: TestDevice[];

    /** The keeper settles the IOSD reservation's first booking (one that may not settle yet). */
    async function keeperSettlesFirstBooking(): Promise<string> {
      return sendHeavy(
        await settleBookingsIx(market, {
          reservation,
          settler: keeper.publicKey,
          tipAccount: ata(mints.iosd, keeper.publicKey),
          renter: renter.publicKey,
          paymentMint: mints.iosd,
          bookings: [{ device: booked[0]!.address, owner: booked[0]!.owner }],
        }),
        [keeper],
      );
    }

    it("books eight devices in legacy-sized batches, each paying exactly its quote", async () => {
      reservation = await createReservation("iosd", 3);
      selection = (await freeDevices()).slice(0, 8);
      expect(selection).to.have.length(8);
      // Cheapest first: the devices were priced in registration order.
      expect(selection.map((d) => d.address.toBase58())).to.deep.equal(
        devices.slice(0, 8).map((d) => d.address.toBase58()),
      );
      // One unit short of the quote is refused.
      const { rates, ioPrice } = await terms("iosd");
      const first = selection.slice(0, 2);
      const quoted = quoteSelection(first, 3, rates, ioPrice);
      await expectMarketError(
        sendHeavy(
          await bookDevicesIx(market, {
            reservation,
            renter: renter.publicKey,
            paymentSource: renterAccount("iosd"),
            devices: first.map((d) => testDevice(d.address)),
            maxPayment: quoted.total - 1n,
          }),
          [renter],
        ),
        "PaymentBelowQuote",
      );
      await book(reservation, "iosd", 3, selection);
      booked = selection.map((d) => testDevice(d.address));
      const state = await market.account.reservation.fetch(reservation);
      expect(state.bookingsMade).to.equal(8);
      expect(state.bookingsOpen).to.equal(8);
    });

    it("refuses booking a reserved device, in another reservation too", async () => {
      const other = await createReservation("iosd", 1);
      const { rates, ioPrice } = await terms("iosd");
      await expectMarketError(
        sendHeavy(
          await bookDevicesIx(market, {
            reservation: other,
            renter: renter.publicKey,
            paymentSource: renterAccount("iosd"),
            devices: [booked[0]!],
            maxPayment: quoteSelection(selection.slice(0, 1), 1, rates, ioPrice).total,
          }),
          [renter],
        ),
        "DeviceReserved",
      );
      await close(other);
    });

    it("agents acknowledge the start; another key is refused", async () => {
      await expectMarketError(
        send(
          await acknowledgeStartIx(market, {
            reservation,
            agent: booked[1]!.agent.publicKey,
            device: booked[0]!.address,
          }),
          [booked[1]!.agent],
        ),
        "WrongAgentKey",
      );
      // The last device's agent never answers.
      for (const d of booked.slice(0, 7)) await acknowledge(reservation, d);
    });

    it("extends two bookings by an hour at their fixed price", async () => {
      const extended = booked.slice(0, 2);
      const { rates, ioPrice } = await terms("iosd");
      const extra = quoteSelection(
        selection.filter((s) => extended.some((d) => d.address.equals(s.address))),
        1,
        rates,
        ioPrice,
      );
      const payer = renterAccount("iosd");
      const [before, vaultBefore] = await balances([
        payer,
        reservationVaultPda(reservation).address,
      ]);
      const ix = (maxPayment: bigint) =>
        extendBookingsIx(market, {
          reservation,
          renter: renter.publicKey,
          paymentSource: payer,
          devices: extended.map((d) => d.address),
          extraHours: 1,
          maxPayment,
        });
      await expectMarketError(sendHeavy(await ix(extra.total - 1n), [renter]), "PaymentBelowQuote");
      await sendHeavy(await ix(extra.total), [renter]);
      expect(await balance(payer)).to.equal(before! - extra.total);
      expect(await checkInvariant(reservation)).to.equal(vaultBefore! + extra.total);
      for (const d of extended) {
        const b = await market.account.booking.fetch(bookingPda(reservation, d.address).address);
        expect(bookingHours(b)).to.equal(4);
        expect(big(b.endsAt) - big(b.bookedAt)).to.equal(4n * HOUR);
      }
    });

    it("refuses settling a running booking and mallory's cancellation", async () => {
      await expectMarketError(keeperSettlesFirstBooking(), "ReservationNotEnded");
      await expectMarketError(
        send(await cancelReservationIx(market, { reservation, renter: mallory.publicKey }), [
          mallory,
        ]),
        "NotRenter",
      );
    });

    it("settles the device that never started as a no-show, slashed, its time refunded", async () => {
      const booking = await market.account.booking.fetch(
        bookingPda(reservation, booked[7]!.address).address,
      );
      await warpTo(big(booking.ackDeadline) + 1n);
      // A current price values its IOSD time in IO for the slash.
      await publishPrice();
      await settle(reservation, "iosd", [booked[7]!], {
        [booked[7]!.address.toBase58()]: "noShow",
      });
      const device = await registry.account.device.fetch(booked[7]!.address);
      expect(device.availability.failures).to.equal(1);
      const pool = await staking.account.stakePool.fetch(
        stakePoolPda(booked[7]!.address, booked[7]!.owner).address,
      );
      expect(big(pool.totalSlashed) > 0n).to.equal(true);
    });

    it("the renter cancels inside the first hour: the hour is paid, the rest refunded", async () => {
      await send(await cancelReservationIx(market, { reservation, renter: renter.publicKey }), [
        renter,
      ]);
      await expectMarketError(
        send(await cancelReservationIx(market, { reservation, renter: renter.publicKey }), [
          renter,
        ]),
        "ReservationCancelled",
      );
      const outcomes = Object.fromEntries(
        booked.slice(0, 7).map((d) => [d.address.toBase58(), "cancelled"]),
      );
      await settle(reservation, "iosd", booked.slice(0, 7), outcomes);
      const state = await market.account.reservation.fetch(reservation);
      expect(state.bookingsOpen).to.equal(0);
      expect(big(state.ledger.escrowOpen)).to.equal(0n);
    });

    it("a second settlement fails with AlreadySettled; the reservation closes", async () => {
      await expectMarketError(keeperSettlesFirstBooking(), "AlreadySettled");
      await close(reservation);
    });
  });

  describe("IO and USDC: bookings run to completion", () => {
    it("IO after a 1000x print (confidence 0, 10 s later): no quote, book_devices fails with PriceDeviatesFromEma", async () => {
      const reservation = await createReservation("io", 1);
      const [device] = await freeDevices();
      await publishPrice();
      const before = withBigints(await iotoken.account.priceFeed.fetch(priceFeedPda().address));
      await warpTo(before.publishTime + 10n);
      const printedAt = await now();
      await send(
        await publishPriceIx(iotoken, {
          updater: admin.publicKey,
          price: IO_PRICE * 1_000n,
          confidence: 0n,
          publishTime: printedAt,
        }),
        [admin],
      );
      // The EMA moved one bounded step (1 bp of itself per second since the last price), not the
      // 277% an unbounded EMA would have moved.
      const feed = await iotoken.account.priceFeed.fetch(priceFeedPda().address);
      const elapsed = printedAt - before.publishTime;
      expect(big(feed.ema)).to.equal(before.ema + (before.ema * elapsed) / 10_000n);
      const tokenConfig = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
      expect(usableIoPrice(feed, tokenConfig.oracle, await now())).to.equal(null);
      expect(() => paymentTerms(tokenConfig, feed, "io", printedAt)).to.throw(/off its EMA/);

      // Paying whatever is asked, the booking is refused and nothing moves.
      const payer = renterAccount("io");
      const vault = reservationVaultPda(reservation).address;
      const watched = await balances([payer, vault]);
      const [ix] = await bookDevicesBatches(market, {
        reservation,
        renter: renter.publicKey,
        paymentSource: payer,
        devices: [testDevice(device!.address)],
        maxPayment: () => U64_MAX,
      });
      await expectProgramError(
        iotokenErrors,
        IOTOKEN_PROGRAM_ID,
        sendHeavy(ix!, [renter]),
        "PriceDeviatesFromEma",
        { anchorError: false },
      );
      expect(await balances([payer, vault])).to.deep.equal(watched);
      expect(
        await connection.getAccountInfo(bookingPda(reservation, device!.address).address),
      ).to.equal(null);

      // The next honest price is quoted again at the conservative price (the spot, below the
      // EMA the print nudged up); the empty reservation closes.
      await warpTo(printedAt + 10n);
      await publishPrice();
      const honest = await terms("io");
      const after = withBigints(await iotoken.account.priceFeed.fetch(priceFeedPda().address));
      expect(honest.ioPrice).to.equal(conservativePrice(IO_PRICE, after.ema, IO_CONFIDENCE));
      expect(honest.ioPrice).to.equal(IO_PRICE - 2n * IO_CONFIDENCE);
      await close(reservation);
      // The next booking's price is published at a later second.
      await warpTo(after.publishTime + 10n);
    });

    for (const token of ["io", "usdc"] as const) {
      it(`${token.toUpperCase()}: two devices booked, started and completed, settled to the unit`, async () => {
        const reservation = await createReservation(token, 1);
        const selection = (await freeDevices()).slice(0, 2);
        expect(selection).to.have.length(2);
        await book(reservation, token, 1, selection);
        const booked = selection.map((d) => testDevice(d.address));
        for (const d of booked) await acknowledge(reservation, d);
        const booking = await market.account.booking.fetch(
          bookingPda(reservation, booked[1]!.address).address,
        );
        await warpTo(big(booking.endsAt));
        const outcomes = Object.fromEntries(booked.map((d) => [d.address.toBase58(), "completed"]));
        await settle(reservation, token, booked, outcomes);
        for (const d of booked) {
          const device = await registry.account.device.fetch(d.address);
          expect(device.availability.reservationsCompleted).to.be.greaterThan(0);
        }
        await close(reservation);
      });
    }
  });
  describe("the review's attacks on the escrow (C1, M2)", () => {
    it("C1: tokens sent into a live vault block nothing; the close sweeps them to the treasury", async () => {
      const reservation = await createReservation("usdc", 1);
      const [first, second] = (await freeDevices()).slice(0, 2);
      const vault = reservationVaultPda(reservation).address;
      const malloryUsdc = ata(mints.usdc, mallory.publicKey);
      const donate = async (amount: bigint): Promise<void> => {
        const before = await balance(malloryUsdc);
        await transfer(connection, mallory, malloryUsdc, vault, mallory, amount);
        expect(await balance(malloryUsdc)).to.equal(before - amount);
        donated.set(reservation.toBase58(), donatedTo(reservation) + amount);
        await checkInvariant(reservation);
      };
      await book(reservation, "usdc", 1, [first!]);
      // One base unit (the review's attack), then booking more, starting and extending.
      await donate(1n);
      await book(reservation, "usdc", 1, [second!]);
      const booked = [first!, second!].map((d) => testDevice(d.address));
      for (const d of booked) await acknowledge(reservation, d);
      await donate(1_000_000_000n);
      const { rates, ioPrice } = await terms("usdc");
      const extra = quoteSelection([first!, second!], 1, rates, ioPrice);
      const payer = renterAccount("usdc");
      const before = await balance(payer);
      await sendHeavy(
        await extendBookingsIx(market, {
          reservation,
          renter: renter.publicKey,
          paymentSource: payer,
          devices: booked.map((d) => d.address),
          extraHours: 1,
          maxPayment: extra.total,
        }),
        [renter],
      );
      expect(await balance(payer)).to.equal(before - extra.total);
      await checkInvariant(reservation);
      const last = await market.account.booking.fetch(
        bookingPda(reservation, second!.address).address,
      );
      await warpTo(big(last.endsAt));
      const outcomes = Object.fromEntries(booked.map((d) => [d.address.toBase58(), "completed"]));
      await settle(reservation, "usdc", booked, outcomes);
      // `close` checks the treasury receives exactly the 1,000,000,001 units sent.
      await close(reservation);
    });

    it("M2: a renter that closes its token account blocks no settlement; it claims once, later", async () => {
      const reservation = await createReservation("iosd", 2);
      const selection = (await freeDevices()).slice(0, 2);
      await book(reservation, "iosd", 2, selection);
      const booked = selection.map((d) => testDevice(d.address));
      for (const d of booked) await acknowledge(reservation, d);
      await send(await cancelReservationIx(market, { reservation, renter: renter.publicKey }), [
        renter,
      ]);
      // The renter empties and closes the account it paid from.
      const wallet = renterAccount("iosd");
      const kept = await createAccount(
        connection,
        renter,
        mints.iosd,
        renter.publicKey,
        Keypair.generate(),
      );
      await transfer(connection, renter, wallet, kept, renter, await balance(wallet));
      await closeAccount(connection, renter, wallet, renter.publicKey, renter);
      expect(await connection.getAccountInfo(wallet)).to.equal(null);
      // A keeper settles both: owners paid, devices released, the refunds owed in the ledger.
      const outcomes = Object.fromEntries(booked.map((d) => [d.address.toBase58(), "cancelled"]));
      await settle(reservation, "iosd", booked, outcomes);
      const { ledger } = await market.account.reservation.fetch(reservation);
      expect(refundOwed(ledger)! > 0n).to.equal(true);
      // Not to someone else's account; to a new account of the renter's, once (`claim` checks
      // the second claim fails with NoRefundOwed).
      await expectMarketError(
        send(
          await claimRefundIx(market, {
            reservation,
            renter: renter.publicKey,
            paymentMint: mints.iosd,
            destination: ata(mints.iosd, mallory.publicKey),
          }),
          [renter],
        ),
        "InvalidRenterAccount",
      );
      const fresh = await createAccount(
        connection,
        renter,
        mints.iosd,
        renter.publicKey,
        Keypair.generate(),
      );
      expect(await claim(reservation, fresh)).to.equal(refundOwed(ledger));
      await close(reservation);
    });
  });
});
