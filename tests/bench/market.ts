/**
 * Market benchmark: reserve a cluster of N devices on the local chain end to end and measure it.
 *
 * Sets up iotoken, the registry (market linked), staking (the market a slasher) and the market on
 * its own chain (400 ms slots, like mainnet), registers N one-GPU devices across 20 operators,
 * each staked to its minimum with its own agent key. Then, timed:
 *   1. reserve: `create_reservation` and every `book_devices` batch built, signed, sent and
 *      confirmed (payment in USDC);
 *   2. start: every agent's `acknowledge_start` confirmed — the time from the reservation's last
 *      confirmation to all devices running, as far as the chain can tell;
 *   3. settle: after the end, every `settle_bookings` batch confirmed by one keeper, then
 *      `close_reservation`.
 * Checks that every device was booked and released and that the vault balanced, and prints
 * transactions, bytes, time and an estimate for 10,000 devices. Nothing here asserts on timing.
 *
 * Usage: tsx tests/bench/market.ts [--devices 100,1000] [--slot-ms 400]
 */
import { parseArgs } from "node:util";

import {
  createAssociatedTokenAccount,
  createMint,
  getAssociatedTokenAddressSync,
  mintTo,
} from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import type { TransactionInstruction } from "@solana/web3.js";

import {
  BOOK_DEVICES_PER_TX,
  IO,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  SETTLE_BOOKINGS_PER_TX,
  acknowledgeStartIx,
  bookDevicesBatches,
  claimRefundIx,
  closeReservationIx,
  createReservationIx,
  createTreasuryAccountIx,
  decodeReservation,
  deviceMinimumStake,
  devicePda,
  expectedVaultBalance,
  refundOwed,
  initializeMarketIx,
  initializeStakingIx,
  ioMintPda,
  iotokenConfigPda,
  marketProgram,
  openPoolIx,
  quoteRatesOf,
  quoteSelection,
  registerDeviceIx,
  reservationPda,
  settleBookingsBatches,
  stakeSelfIx,
  stakingConfigPda,
  updateConfigIx,
  STAKING_PROGRAM_ID,
} from "@iogrid/sdk";
import type { BookableDevice, Device } from "@iogrid/sdk";
import { programKeypair } from "@iogrid/sdk/node";

import { H100_SERVER_SPECS, chainTime, warpTo } from "../support/chain.js";
import { startLocalnet } from "../support/localnet.js";
import type { Localnet } from "../support/localnet.js";
import {
  fundIo,
  iogridPrograms,
  initializeIoBondedRegistry,
  mintedGenesis,
  walletProvider,
} from "../support/setup.js";
import {
  SignatureWatcher,
  fund,
  latestBlockhash,
  pack,
  sendAll,
  sign,
  type SignedTransaction,
} from "./load.js";

const { values: flags } = parseArgs({
  options: {
    devices: { type: "string", default: "100,1000" },
    "slot-ms": { type: "string", default: "400" },
  },
});
const CLUSTER_SIZES = flags.devices.split(",").map(Number);
const SLOT_MS = Number(flags["slot-ms"]);
const OPERATORS = 20;
const GPU_MODEL = "NVIDIA RTX 4090";
const PRICE_PER_GPU_HOUR = 400_000n;
const HOURS = 1;
/** io.net's public claim: 10,000 GPUs deployed in under 90 seconds. */
const IO_NET_GPUS = 10_000;
const IO_NET_SECONDS = 90;

interface BenchDevice extends BookableDevice {
  deviceId: string;
  operator: Keypair;
  agent: Keypair;
}

interface Phase {
  transactions: number;
  bytes: number;
  ms: number;
  failed: number;
}

const wireBytes = (txs: SignedTransaction[]) =>
  txs.reduce((sum, tx) => sum + Buffer.from(tx.wire, "base64").length, 0);

/** Sends `txs` and records them as one phase; any failure on chain aborts the benchmark. */
async function phase(
  net: Localnet,
  watcher: SignatureWatcher,
  txs: SignedTransaction[],
  name: string,
): Promise<Phase> {
  const { failed, ms } = await sendAll(net, watcher, txs);
  if (failed > 0) throw new Error(`${name}: ${failed} of ${txs.length} transactions failed`);
  return { transactions: txs.length, bytes: wireBytes(txs), ms, failed };
}

function line(name: string, p: Phase, devices: number): string {
  return (
    `  ${name.padEnd(8)} ${String(p.transactions).padStart(5)} tx  ${String(p.bytes).padStart(8)} B` +
    `  ${(p.ms / 1000).toFixed(2).padStart(7)} s  ${((devices * 1000) / p.ms).toFixed(0).padStart(6)} devices/s` +
    `  ${((p.transactions * 1000) / p.ms).toFixed(0).padStart(5)} tx/s`
  );
}

async function main(): Promise<void> {
  console.log(
    `iogrid market benchmark: clusters of ${CLUSTER_SIZES.join(", ")} devices, slot ${SLOT_MS} ms`,
  );
  const net = await startLocalnet({ slotMs: SLOT_MS, readyTimeoutMs: 120_000 });
  const watcher = await SignatureWatcher.open(net.wsUrl, 4);
  const connection = net.connection;
  try {
    // --- chain set-up (not timed) ---------------------------------------------------------------
    const admin = Keypair.generate();
    const airdrop = await connection.requestAirdrop(admin.publicKey, 1_000_000 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({
      signature: airdrop,
      ...(await connection.getLatestBlockhash()),
    });
    const { iotoken, registry, staking } = iogridPrograms(connection, admin);
    const market = marketProgram(walletProvider(connection, admin));
    const send = async (ixs: TransactionInstruction[], signers: Keypair[] = [admin]) =>
      phase(
        net,
        watcher,
        [sign(new Transaction().add(...ixs), await latestBlockhash(net), signers)],
        "set-up",
      );

    const { community } = await mintedGenesis(connection, iotoken, admin);
    await initializeIoBondedRegistry(connection, registry, admin);
    await send(
      [
        await updateConfigIx(registry, {
          authority: admin.publicKey,
          marketProgram: MARKET_PROGRAM_ID,
        }),
        await initializeStakingIx(staking, {
          authority: admin.publicKey,
          deployer: STAKING_PROGRAM_ID,
          slasherPrograms: [REGISTRY_PROGRAM_ID, MARKET_PROGRAM_ID],
        }),
      ],
      [admin, programKeypair(STAKING_PROGRAM_ID)],
    );
    const usdc = await createMint(connection, admin, admin.publicKey, null, 6);
    await send(
      [
        await createTreasuryAccountIx(iotoken, { payer: admin.publicKey, mint: usdc }),
        await createTreasuryAccountIx(iotoken, {
          payer: admin.publicKey,
          mint: ioMintPda().address,
        }),
        await initializeMarketIx(market, {
          authority: admin.publicKey,
          deployer: MARKET_PROGRAM_ID,
          usdcMint: usdc,
          ackGraceSecs: 600n,
          maxReservationHours: 720,
        }),
      ],
      [admin, programKeypair(MARKET_PROGRAM_ID)],
    );
    const stakingConfig = await staking.account.stakingConfig.fetch(stakingConfigPda().address);
    const tokenConfig = await iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
    const minimum = deviceMinimumStake(stakingConfig, GPU_MODEL, 1);

    const largest = Math.max(...CLUSTER_SIZES);
    const operators = Array.from({ length: OPERATORS }, () => Keypair.generate());
    const keeper = Keypair.generate();
    const renter = Keypair.generate();
    await fund(
      net,
      watcher,
      admin,
      [...operators, keeper, renter].map((k) => k.publicKey),
      100 * LAMPORTS_PER_SOL,
    );
    const ioAccounts = new Map<Keypair, PublicKey>();
    const perOperator = Math.ceil(largest / OPERATORS);
    await fundIo(
      connection,
      admin,
      community,
      operators.map((o): [Keypair, bigint] => [o, minimum * BigInt(perOperator) + IO]),
      ioAccounts,
    );
    for (const o of [...operators, keeper]) {
      await createAssociatedTokenAccount(connection, admin, usdc, o.publicKey);
    }
    const renterUsdc = await createAssociatedTokenAccount(
      connection,
      admin,
      usdc,
      renter.publicKey,
    );
    const tipAccount = getAssociatedTokenAddressSync(usdc, keeper.publicKey);

    // Registered, pooled and staked in three rounds, so no transaction depends on another in flight.
    const devices: BenchDevice[] = [];
    const rounds: Array<(d: BenchDevice) => Promise<TransactionInstruction>> = [
      (d) =>
        registerDeviceIx(registry, {
          owner: d.owner,
          deviceId: d.deviceId,
          name: d.deviceId,
          gpuModel: GPU_MODEL,
          region: "eu-central",
          specs: { ...H100_SERVER_SPECS, gpuCount: 1, vramMib: 24_576 },
          pricePerGpuHour: PRICE_PER_GPU_HOUR,
          agent: d.agent.publicKey,
        }),
      (d) =>
        openPoolIx(staking, {
          operator: d.owner,
          device: d.address,
          stakerShareBps: 100,
          costakingOpen: false,
        }),
      (d) =>
        stakeSelfIx(staking, {
          operator: d.owner,
          pool: { device: d.address, operator: d.owner },
          tokenAccount: ioAccounts.get(d.operator)!,
          amount: minimum,
        }),
    ];
    for (let i = 0; i < largest; i++) {
      const operator = operators[i % OPERATORS]!;
      const deviceId = `bench-${i}`;
      devices.push({
        address: devicePda(deviceId).address,
        owner: operator.publicKey,
        deviceId,
        operator,
        agent: Keypair.generate(),
      });
    }
    let started = performance.now();
    for (const round of rounds) {
      const blockhash = await latestBlockhash(net);
      const txs: SignedTransaction[] = [];
      for (const operator of operators) {
        const own = devices.filter((d) => d.operator === operator);
        // The agents co-sign their devices' registrations.
        const cosigners = round === rounds[0] ? own.map((d) => [d.agent]) : [];
        txs.push(...pack(await Promise.all(own.map(round)), blockhash, operator, cosigners));
      }
      await phase(net, watcher, txs, "device set-up");
    }
    console.log(
      `set-up: ${largest} devices registered, pooled and staked (${minimum / IO} IO each) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const rates = quoteRatesOf(tokenConfig.fees, "usdc");
    for (const [run, size] of CLUSTER_SIZES.entries()) {
      const cluster = devices.slice(0, size);
      const deviceStates = (await registry.account.device.fetchMultiple(
        cluster.map((d) => d.address),
      )) as Device[];
      const selection = cluster.map((d, i) => ({ address: d.address, device: deviceStates[i]! }));
      const quoted = quoteSelection(selection, HOURS, rates, null);
      const quoteOf = new Map(quoted.devices.map((q) => [q.address.toBase58(), q.total]));
      await mintTo(connection, admin, usdc, renterUsdc, admin, quoted.total);
      const id = BigInt(run + 1);
      const reservation = reservationPda(renter.publicKey, id).address;

      // 1. Reserve: create, then every batch.
      started = performance.now();
      const create = sign(
        new Transaction().add(
          await createReservationIx(market, {
            renter: renter.publicKey,
            id,
            hours: HOURS,
            paymentMint: usdc,
            workload: { kind: "container", image: "ghcr.io/iogrid/bench:latest", ports: [8080] },
          }),
        ),
        await latestBlockhash(net),
        [renter],
      );
      const created = await phase(net, watcher, [create], "create_reservation");
      const bookIxs = await bookDevicesBatches(market, {
        renter: renter.publicKey,
        id,
        paymentSource: renterUsdc,
        devices: cluster,
        maxPayment: (batch) =>
          batch.reduce((sum, d) => sum + quoteOf.get(d.address.toBase58())!, 0n),
      });
      let blockhash = await latestBlockhash(net);
      const booked = await phase(
        net,
        watcher,
        bookIxs.map((ix) => sign(new Transaction().add(ix), blockhash, [renter])),
        "book_devices",
      );
      const reserve: Phase = {
        transactions: created.transactions + booked.transactions,
        bytes: created.bytes + booked.bytes,
        ms: performance.now() - started,
        failed: 0,
      };
      const afterBooking = decodeReservation((await connection.getAccountInfo(reservation))!.data);
      if (afterBooking.bookingsOpen !== size)
        throw new Error(`${afterBooking.bookingsOpen} of ${size} booked`);

      // 2. Start: every agent acknowledges (a relayer pays the fee, the agent signs).
      started = performance.now();
      blockhash = await latestBlockhash(net);
      const acks: SignedTransaction[] = [];
      for (const d of cluster) {
        const ix = await acknowledgeStartIx(market, {
          renter: renter.publicKey,
          id,
          agent: d.agent.publicKey,
          device: d.address,
        });
        acks.push(sign(new Transaction().add(ix), blockhash, [keeper, d.agent]));
      }
      const start = {
        ...(await phase(net, watcher, acks, "acknowledge_start")),
        ms: performance.now() - started,
      };

      // 3. Settle after the end, then close.
      await warpTo(
        connection,
        net.rpcUrl,
        BigInt((await chainTime(connection)) + HOURS * 3_600 + 1),
      );
      started = performance.now();
      const settleIxs = await settleBookingsBatches(market, {
        renter: renter.publicKey,
        id,
        settler: keeper.publicKey,
        tipAccount,
        paymentMint: usdc,
        bookings: cluster.map((d) => ({ device: d.address, owner: d.owner })),
      });
      blockhash = await latestBlockhash(net);
      const settled = await phase(
        net,
        watcher,
        settleIxs.map((ix) => sign(new Transaction().add(ix), blockhash, [keeper])),
        "settle_bookings",
      );
      const afterSettle = decodeReservation((await connection.getAccountInfo(reservation))!.data);
      const vault = expectedVaultBalance(afterSettle.ledger);
      if (afterSettle.bookingsOpen !== 0 || vault !== refundOwed(afterSettle.ledger)) {
        throw new Error(
          `after settling: ${afterSettle.bookingsOpen} open, vault by ledger ${vault}`,
        );
      }
      const released = (await registry.account.device.fetchMultiple(
        cluster.map((d) => d.address),
      )) as Device[];
      const stillLocked = released.filter((d) => !d.reservation.equals(PublicKey.default)).length;
      if (stillLocked > 0) throw new Error(`${stillLocked} devices still locked after settlement`);
      const closing = [
        await closeReservationIx(market, { renter: renter.publicKey, id, paymentMint: usdc }),
      ];
      if (vault! > 0n) {
        closing.unshift(
          await claimRefundIx(market, {
            renter: renter.publicKey,
            id,
            paymentMint: usdc,
            destination: renterUsdc,
          }),
        );
      }
      await send(closing, [renter]);
      const settle = { ...settled, ms: performance.now() - started };

      console.log(
        `cluster of ${size} devices (USDC, ${HOURS} h, quote ${quoted.total} base units):`,
      );
      console.log(line("reserve", reserve, size));
      console.log(line("start", start, size));
      console.log(line("settle", settle, size));
      const reserveTxsAt10k = 1 + Math.ceil(IO_NET_GPUS / BOOK_DEVICES_PER_TX);
      const bookTxPerSec = (booked.transactions * 1000) / booked.ms;
      const perDevice = (ms: number) => ((IO_NET_GPUS * ms) / size / 1000).toFixed(1);
      console.log(
        `  10,000 devices: ${reserveTxsAt10k} reservation transactions (${BOOK_DEVICES_PER_TX} devices each); ` +
          `~${perDevice(reserve.ms)} s end to end at this run's rate per device (one client building, ` +
          `signing and sending), ~${(reserveTxsAt10k / bookTxPerSec).toFixed(1)} s of chain time at its ` +
          `${bookTxPerSec.toFixed(0)} book_devices tx/s; acknowledgements from one client ~${perDevice(start.ms)} s ` +
          `(agents acknowledge in parallel, each writing only its booking); settlement ` +
          `${Math.ceil(IO_NET_GPUS / SETTLE_BOOKINGS_PER_TX)} transactions ~${perDevice(settle.ms)} s ` +
          `(io.net claims ${IO_NET_GPUS} GPUs in under ${IO_NET_SECONDS} s)`,
      );
    }
  } finally {
    watcher.close();
    await net.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
