/**
 * Keeper benchmark: what one keeper does in an hour-epoch for N devices on the local chain.
 *
 * Brings up the whole network (`startNetwork`, one bonded keeper, so it is assigned every device
 * and one pass attests each), registers N one-GPU devices over 20 operators, each staked to its
 * minimum with its own agent key and an endpoint on one in-process HTTP server that serves every
 * agent identity with the agent's real probe service (its challenge checks, SlotHashes read and
 * signed probe; the CPU benchmark at `--iterations`). Then, timed:
 *   1. attest: one tick of the keeper's attest bot: every device probed over HTTP, every answer
 *      checked (benchmark re-run), the passes landed packed per transaction (v0, through the
 *      keeper's lookup table, which the tick creates);
 *   2. settle: `--settle` of the devices booked by the renter and left unacknowledged past the
 *      start deadline, then one tick of the settle bot settling every no-show.
 * Prints transactions, bytes, lamports, seconds and rates, and what they mean per device-hour,
 * for 10,000 and 100,000 devices (linear in the devices: an estimate, said so). Nothing asserts.
 *
 * Usage: npm run bench:keeper -- [--devices 1000] [--settle 200] [--iterations 1000]
 */
import { parseArgs } from "node:util";

import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, Transaction } from "@solana/web3.js";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  EPOCH_SECS,
  IO,
  attestAvailability,
  availabilityEpochAt,
  availabilityEpochPda,
  bookDevicesBatches,
  createReservationIx,
  decodeAvailabilityEpoch,
  deviceMinimumStake,
  devicePda,
  iosdMintPda,
  openPoolIx,
  probeRequest,
  recentSlotHash,
  registerDeviceIx,
  reservationPda,
  signProbe,
  stakeSelfIx,
  stakingConfigPda,
} from "@iogrid/sdk";
import { MetricsRegistry, startHttpServer, transactionSize } from "@iogrid/sdk/node";

import { ProbeService } from "../../agent/src/probe.js";
import { startNetwork } from "../../agent/test/support/network.js";
import { AttestLookupTable } from "../../keeper/src/lookup-table.js";
import { inProcessKeeper } from "../../keeper/test/support/keeper.js";
import type { TestKeeperProcess } from "../../keeper/test/support/keeper.js";
import { chainTime, sendDistinct, warpTo } from "../support/chain.js";
import { fundIo } from "../support/setup.js";
import { SignatureWatcher, fund, latestBlockhash, pack, sendAll, sign } from "./load.js";

const { values: flags } = parseArgs({
  options: {
    devices: { type: "string", default: "1000" },
    settle: { type: "string", default: "200" },
    iterations: { type: "string", default: "1000" },
  },
});
const DEVICES = Number(flags.devices);
const SETTLE = Math.min(Number(flags.settle), DEVICES);
const ITERATIONS = Number(flags.iterations);
const OPERATORS = 20;
const GPU_MODEL = "CPU only";

interface BenchDevice {
  address: PublicKey;
  deviceId: string;
  operator: Keypair;
  agent: Keypair;
}

/** The keeper's counter `name` summed over lines matching `filter`. */
function metric(k: TestKeeperProcess, name: string, filter = ""): number {
  return k.ctx.metrics.registry
    .render()
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) && l.includes(filter))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}

async function main(): Promise<void> {
  console.log(
    `iogrid keeper benchmark: ${DEVICES} devices, ${SETTLE} bookings to settle, benchmark ${ITERATIONS} iterations`,
  );
  const n = await startNetwork({ keepers: 1, readyTimeoutMs: 120_000 });
  const { connection } = n.net;
  const watcher = await SignatureWatcher.open(n.net.wsUrl, 4);
  const agents = new Map<string, ProbeService>();
  const server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    routes: [
      {
        method: "POST",
        path: "/d/",
        prefix: true,
        handle: (r) => agents.get(r.path.split("/")[2] ?? "")!.handle(r),
      },
    ],
  });
  try {
    // --- set-up (not timed) ----------------------------------------------------------------------
    const operators = Array.from({ length: OPERATORS }, () => Keypair.generate());
    await fund(
      n.net,
      watcher,
      n.admin,
      operators.map((o) => o.publicKey),
      20 * LAMPORTS_PER_SOL,
    );
    const stakingConfig = await n.staking.account.stakingConfig.fetch(stakingConfigPda().address);
    const minimum = deviceMinimumStake(stakingConfig, GPU_MODEL, 1);
    const perOperator = BigInt(Math.ceil(DEVICES / OPERATORS));
    await fundIo(
      connection,
      n.admin,
      n.community,
      operators.map((o): [Keypair, bigint] => [o, minimum * perOperator + IO]),
      n.ioAccount,
    );
    const devices: BenchDevice[] = Array.from({ length: DEVICES }, (_, i) => ({
      address: devicePda(`bench-${i}`).address,
      deviceId: `bench-${i}`,
      operator: operators[i % OPERATORS]!,
      agent: Keypair.generate(),
    }));
    for (const [i, d] of devices.entries()) {
      agents.set(
        String(i),
        new ProbeService({
          connection,
          agent: d.agent,
          device: d.address,
          perKeeperPerMinute: 60,
          hashChainIterations: ITERATIONS,
          gpuPython: null,
          metrics: new MetricsRegistry(),
        }),
      );
    }
    const rounds: ((d: BenchDevice, i: number) => Promise<TransactionInstruction>)[] = [
      (d, i) =>
        registerDeviceIx(n.registry, {
          owner: d.operator.publicKey,
          deviceId: d.deviceId,
          name: d.deviceId,
          gpuModel: GPU_MODEL,
          region: "eu-west",
          specs: {
            gpuCount: 1,
            vramMib: 1,
            cpuCores: 8,
            ramMib: 16_384,
            storageGib: 100,
            bandwidthTier: { standard: {} },
          },
          pricePerGpuHour: 1_000_000n,
          agent: d.agent.publicKey,
          endpoint: `http://127.0.0.1:${server.port}/d/${i}`,
        }),
      (d) =>
        openPoolIx(n.staking, {
          operator: d.operator.publicKey,
          device: d.address,
          stakerShareBps: 100,
          costakingOpen: false,
        }),
      (d) =>
        stakeSelfIx(n.staking, {
          operator: d.operator.publicKey,
          pool: { device: d.address, operator: d.operator.publicKey },
          tokenAccount: n.ioAccount.get(d.operator)!,
          amount: minimum,
        }),
    ];
    let started = performance.now();
    for (const [r, round] of rounds.entries()) {
      const blockhash = await latestBlockhash(n.net);
      const txs = [];
      for (const operator of operators) {
        const own = devices.map((d, i) => [d, i] as const).filter(([d]) => d.operator === operator);
        const cosigners = r === 0 ? own.map(([d]) => [d.agent]) : [];
        txs.push(
          ...pack(
            await Promise.all(own.map(([d, i]) => round(d, i))),
            blockhash,
            operator,
            cosigners,
          ),
        );
      }
      const { failed } = await sendAll(n.net, watcher, txs);
      if (failed > 0)
        throw new Error(`device set-up: ${failed} of ${txs.length} transactions failed`);
    }
    console.log(
      `set-up: ${DEVICES} devices registered and staked in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // A fresh epoch, opened and seeded after every registration.
    const epoch = availabilityEpochAt(n.origin, BigInt(await chainTime(connection))) + 1n;
    await warpTo(connection, n.net.rpcUrl, n.origin + epoch * EPOCH_SECS + 5n);
    const keeper = inProcessKeeper(n, n.keeperWallets[0]!, {
      name: "bench-keeper",
      extra: `attest:\n  concurrency: 64\n  probeAttempts: 1\n  benchmark: { minIterations: 1, maxIterations: ${Math.max(ITERATIONS, 1)} }\n`,
    });

    // --- 1. attest --------------------------------------------------------------------------------
    await keeper.bot("attest");
    started = performance.now();
    const summary = await keeper.tick("attest");
    const attestSecs = (performance.now() - started) / 1000;
    const record = decodeAvailabilityEpoch(
      (await connection.getAccountInfo(availabilityEpochPda(epoch).address))!.data,
    );
    const attestTxs = keeper.transactions("attest_availability", "confirmed");
    const attestLamports = metric(keeper, "iogrid_keeper_fees_lamports_total", 'bot="attest"');
    // Bytes of a full attestation transaction, built the way the bot packs them: v0 through the
    // keeper's lookup table (the one the tick created), and legacy for comparison.
    const table = await new AttestLookupTable(keeper.ctx, "attest").forEpoch(epoch);
    const sample = devices.slice(0, 8);
    const { slot, hash } = await recentSlotHash(connection);
    const packing = { v0: { perTx: 1, bytes: 0 }, legacy: { perTx: 1, bytes: 0 } };
    for (let k = 1; k <= sample.length; k++) {
      const ixs = await attestAvailability(n.registry, {
        authority: keeper.wallet.publicKey,
        epoch,
        devices: sample.slice(0, k).map((d) => ({
          probe: signProbe(
            d.agent,
            probeRequest({
              authority: keeper.wallet.publicKey,
              device: d.address,
              epoch,
              slot,
              slotHash: hash,
            }),
          ),
          owner: d.operator.publicKey,
        })),
      });
      const legacy = transactionSize(keeper.wallet.publicKey, ixs);
      if (legacy <= 1232) packing.legacy = { perTx: k, bytes: legacy };
      const v0 = table ? transactionSize(keeper.wallet.publicKey, ixs, [table]) : Infinity;
      if (v0 <= 1232) packing.v0 = { perTx: k, bytes: v0 };
    }
    const { perTx, bytes } = table ? packing.v0 : packing.legacy;
    console.log(`\nattest (one keeper, one tick): ${JSON.stringify(summary)}`);
    console.log(`  devices attested on chain   ${record.devicesAttested} of ${DEVICES}`);
    console.log(
      `  transactions                ${attestTxs} (${perTx} devices each, ${bytes} B each, ${table ? "v0 through the keeper's lookup table" : "legacy"}; legacy holds ${packing.legacy.perTx}, ${packing.legacy.bytes} B)`,
    );
    console.log(
      `  lookup table                ${keeper.transactions("create_lookup_table", "confirmed")} created; then one extend (5,000 lamports and 32 B of rent) an epoch`,
    );
    console.log(`  seconds                     ${attestSecs.toFixed(1)}`);
    console.log(
      `  devices attested per second ${(Number(record.devicesAttested) / attestSecs).toFixed(1)}`,
    );
    console.log(
      `  lamports paid               ${attestLamports} (${(attestLamports / DEVICES).toFixed(0)} per device-pass)`,
    );
    // The registry's rule (two by default); one keeper alone gives one, as the program caps it.
    const passes = (await keeper.ctx.chainNow()).config.availability.passesRequired;
    const perDeviceHour = (attestLamports / DEVICES) * passes;
    console.log(
      `  per device-hour at ${passes} passes: ${perDeviceHour.toFixed(0)} lamports, ${((bytes / perTx) * passes).toFixed(0)} B`,
    );
    const secsPerPass = attestSecs / Math.max(Number(record.devicesAttested), 1);
    for (const scale of [1_000, 10_000, 100_000]) {
      const keeperSecs = secsPerPass * scale;
      const keepers = Math.ceil((keeperSecs * passes) / 3_600);
      console.log(
        `  ${String(scale).padStart(7)} devices: one keeper needs ${keeperSecs.toFixed(0)} s per epoch for one pass each; ${keepers} keeper(s) give every device ${passes} passes within the hour (linear estimate)`,
      );
    }

    // --- 2. settle ----------------------------------------------------------------------------------
    const renter = n.renter;
    const iosd = iosdMintPda().address;
    const reservationId = 9_000n;
    await sendDistinct(
      connection,
      await createReservationIx(n.market, {
        renter: renter.publicKey,
        id: reservationId,
        hours: 1,
        paymentMint: iosd,
        workload: { kind: "process", image: "true", ports: [] },
      }),
      [renter],
    );
    const reservation = reservationPda(renter.publicKey, reservationId).address;
    const bookIxs = await bookDevicesBatches(n.market, {
      reservation,
      renter: renter.publicKey,
      paymentSource: getAssociatedTokenAddressSync(iosd, renter.publicKey),
      devices: devices
        .slice(0, SETTLE)
        .map((d) => ({ address: d.address, owner: d.operator.publicKey })),
      maxPayment: () => 1_000_000_000_000n,
    });
    const blockhash = await latestBlockhash(n.net);
    const { failed } = await sendAll(
      n.net,
      watcher,
      bookIxs.map((ix) => sign(new Transaction().add(ix), blockhash, [renter])),
      1,
    );
    if (failed > 0) throw new Error(`booking: ${failed} transactions failed`);
    await warpTo(connection, n.net.rpcUrl, BigInt(await chainTime(connection)) + 601n);
    await keeper.bot("settle");
    started = performance.now();
    const settled = await keeper.tick("settle");
    const settleSecs = (performance.now() - started) / 1000;
    const settleTxs = keeper.transactions("settle_bookings", "confirmed");
    console.log(`\nsettle (no-shows, one tick): ${JSON.stringify(settled)}`);
    console.log(
      `  transactions ${settleTxs} (+ ${keeper.transactions("create_payee_accounts", "confirmed")} creating payee accounts)`,
    );
    console.log(
      `  seconds      ${settleSecs.toFixed(1)}, ${(Number(settled.settled) / settleSecs).toFixed(1)} settlements per second`,
    );
    await keeper.close();
  } finally {
    watcher.close();
    await server.close();
    await n.net.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
