/**
 * The epoch bot end to end on a real chain with two bonded keepers and one staked device. The
 * bot opens and seeds the running hour's availability epoch; once the hour ended it ends it in
 * iotoken (the crank tip to the keeper), closes its availability record (drawing the pools) and
 * claims the keeper's tips, each to the unit and once; missed hours are caught up twelve to a
 * transaction; two keepers running the bot side by side end and close every epoch exactly once,
 * with nothing paid twice and both healthy; the CLI's `run --once --dry-run` sends nothing and
 * `run --once` does the work and exits 0; `status` shows the tips.
 */
import { expect } from "chai";
import type { Keypair, PublicKey } from "@solana/web3.js";

import {
  EPOCH_SECS,
  availabilityEpochAt,
  availabilityEpochPda,
  decodeAvailabilityEpoch,
  decodeEmissionLedger,
  decodeEpochRecord,
  decodeKeeper,
  epochRecordPda,
  keeperPda,
  keeperTipsVaultPda,
  ledgerPda,
  openAvailabilityEpochIx,
  proRata,
} from "@iogrid/sdk";
import type { AvailabilityEpoch, EpochRecord } from "@iogrid/sdk";

import { ensureAvailabilityEpoch } from "../src/availability.js";
import { chainTime, tokenBalance, waitFor, warpTo } from "../../tests/support/chain.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import {
  attestDevice,
  keeperCli,
  keeperFiles,
  stakedDevice,
  twoKeepers,
} from "./support/keeper.js";
import type { TestDevice, TestKeeperProcess } from "./support/keeper.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());
const KEEPERS_POOL = 3;

describe("keeper: the epoch bot on a real chain, two keepers", function () {
  this.timeout(300_000);
  let n: Network;
  let device: TestDevice;
  let k1: TestKeeperProcess;
  let k2: TestKeeperProcess;
  /** The epoch the suite attests first. */
  let first: bigint;

  const connection = () => n.net.connection;
  const nextEpoch = async (): Promise<bigint> =>
    big(
      decodeEmissionLedger((await connection().getAccountInfo(ledgerPda().address))!.data)
        .nextEpoch,
    );
  const availability = async (e: bigint): Promise<AvailabilityEpoch | null> => {
    const info = await connection().getAccountInfo(availabilityEpochPda(e).address);
    return info ? decodeAvailabilityEpoch(info.data) : null;
  };
  const minted = async (e: bigint): Promise<EpochRecord> =>
    decodeEpochRecord((await connection().getAccountInfo(epochRecordPda(e).address))!.data);
  const io = (k: TestKeeperProcess): Promise<bigint> => tokenBalance(connection(), k.ctx.ioAccount);
  const claimed = async (wallet: Keypair): Promise<bigint> =>
    big(
      decodeKeeper((await connection().getAccountInfo(keeperPda(wallet.publicKey).address))!.data)
        .activity.earnings.claimed,
    );
  const currentEpoch = async (): Promise<bigint> =>
    availabilityEpochAt(n.origin, BigInt(await chainTime(connection())));
  const warpPastEnd = async (e: bigint): Promise<void> =>
    warpTo(connection(), n.net.rpcUrl, n.origin + (e + 1n) * EPOCH_SECS + 1n);
  /** The crank tips of iotoken's records `from` to `to` (exclusive) that `cranker` ended. */
  const crankTips = async (from: bigint, to: bigint, cranker?: PublicKey): Promise<bigint> => {
    let total = 0n;
    for (let e = from; e < to; e++) {
      const record = await minted(e);
      if (!cranker || record.crankedBy.equals(cranker)) total += big(record.crankTip);
    }
    return total;
  };
  /** The keeper tips one pass of the two earns in closed epoch `e`. */
  const tipPerKeeper = async (e: bigint): Promise<bigint> => {
    const record = (await availability(e))!;
    expect(record.qualifiedPasses).to.equal(2);
    return proRata(big(record.keeperRewards), 1n, 2n);
  };

  before(async function () {
    this.timeout(300_000);
    n = await startNetwork({ keepers: 2 });
    device = await stakedDevice(n, "rig");
    [k1, k2] = twoKeepers(n);
  });

  after(async () => {
    await k1?.close();
    await k2?.close();
    await n?.net.stop();
  });

  it("opens the running hour's availability epoch and fixes its seed, once", async () => {
    first = await currentEpoch();
    expect(await availability(first)).to.equal(null);
    const summary = await k1.tick("epoch");
    expect(summary.opened).to.equal(true);
    const record = (await availability(first))!;
    expect(record.seedFixed).to.equal(true);
    expect(record.keeperCount).to.equal(2);
    expect(record.passesRequired).to.equal(2);
    expect(k1.transactions("open_availability_epoch", "confirmed")).to.equal(1);
    expect(k1.transactions("fix_availability_seed", "confirmed")).to.equal(1);
    // Opened and seeded: nothing more to send, by this keeper or the other.
    expect((await k1.tick("epoch")).opened).to.equal(false);
    expect((await k2.tick("epoch")).opened).to.equal(false);
    expect(k1.transactions("open_availability_epoch", "confirmed")).to.equal(1);
    expect(k2.transactions("open_availability_epoch", "confirmed")).to.equal(0);
  });

  it("an ended hour is ended and closed once, the crank tip and the keeper's tips paid to the unit", async () => {
    await attestDevice(n, k1.wallet, device, first);
    await attestDevice(n, k2.wallet, device, first);
    expect((await availability(first))!.devicesAttested).to.equal(1);
    await warpPastEnd(first);

    const ledgerBefore = await nextEpoch();
    const [io1, io2] = [await io(k1), await io(k2)];
    const vaultBefore = await tokenBalance(connection(), keeperTipsVaultPda().address);
    const summary = await k1.tick("epoch");

    expect(await nextEpoch()).to.equal(first + 1n);
    const record = await minted(first);
    expect(record.crankedBy.equals(k1.wallet.publicKey)).to.equal(true);
    const closed = (await availability(first))!;
    expect(closed.closed).to.equal(true);
    expect(big(closed.keeperRewards)).to.equal(big(record.pools[KEEPERS_POOL]!));
    const tip = await tipPerKeeper(first);
    expect(tip > 0n).to.equal(true);
    const crank = await crankTips(ledgerBefore, first + 1n);
    expect(crank).to.equal(big(record.crankTip) * (first + 1n - ledgerBefore));
    expect(await io(k1)).to.equal(io1 + crank + tip);
    expect(await claimed(k1.wallet)).to.equal(tip);
    expect(summary).to.deep.include({
      endedEpochs: Number(first + 1n - ledgerBefore),
      closed: 1,
      tipsClaimed: tip.toString(),
    });
    expect(k1.transactions("close_availability_epoch", "confirmed")).to.equal(1);
    expect(k1.transactions("claim_keeper_tips", "confirmed")).to.equal(1);

    // A second tick, and the other keeper's: nothing ended or closed again; k2 claims its share.
    const endsBefore = k1.transactions("end_epoch", "confirmed");
    await k1.tick("epoch");
    await k2.tick("epoch");
    expect(k1.transactions("end_epoch", "confirmed")).to.equal(endsBefore);
    expect(k1.transactions("close_availability_epoch", "confirmed")).to.equal(1);
    expect(k1.transactions("claim_keeper_tips", "confirmed")).to.equal(1);
    expect(k2.transactions("end_epoch", "confirmed")).to.equal(0);
    expect(k2.transactions("close_availability_epoch", "confirmed")).to.equal(0);
    expect(await io(k1)).to.equal(io1 + crank + tip);
    expect(await io(k2)).to.equal(io2 + tip);
    expect(await claimed(k2.wallet)).to.equal(tip);
    expect(await tokenBalance(connection(), keeperTipsVaultPda().address)).to.equal(
      vaultBefore + big(closed.keeperRewards) - 2n * tip,
    );
  });

  it("missed hours are caught up, twelve to a transaction", async () => {
    const from = await nextEpoch();
    await warpTo(connection(), n.net.rpcUrl, n.origin + (from + 30n) * EPOCH_SECS + 1n);
    const current = await currentEpoch();
    expect(current).to.equal(from + 30n);
    const sends = k1.transactions("end_epoch", "confirmed");
    const before = await io(k1);
    const summary = await k1.tick("epoch");
    expect(await nextEpoch()).to.equal(current);
    expect(summary.endedEpochs).to.equal(30);
    // 30 ended hours: 12 + 12 + 6.
    expect(k1.transactions("end_epoch", "confirmed")).to.equal(sends + 3);
    const crank = await crankTips(from, current, k1.wallet.publicKey);
    expect(crank).to.equal(big((await minted(from)).crankTip) * 30n);
    expect(await io(k1)).to.equal(before + crank);
    // The hour opened before the gap is closed; nobody opened the missed ones: nothing to close.
    expect(summary.closed).to.equal(1);
    expect((await availability(from))!.closed).to.equal(true);
    expect(await availability(from + 1n)).to.equal(null);
    // The running hour is opened and seeded.
    expect((await availability(current))!.seedFixed).to.equal(true);
  });

  it("two keepers running the bot side by side: each epoch ended and closed once, nothing paid twice, both healthy", async () => {
    const running = [k1.keeper(["epoch"]), k2.keeper(["epoch"])];
    const ledgerBefore = await nextEpoch();
    const [io1, io2] = [await io(k1), await io(k2)];
    const [claimed1, claimed2] = [await claimed(k1.wallet), await claimed(k2.wallet)];
    const closes = () =>
      k1.transactions("close_availability_epoch", "confirmed") +
      k2.transactions("close_availability_epoch", "confirmed");
    const closesBefore = closes();
    for (const k of running) await k.start();
    const raced: bigint[] = [];
    try {
      for (let hour = 0; hour < 3; hour++) {
        const e = await currentEpoch();
        await waitFor(
          `epoch ${e} opened and seeded`,
          async () => (await availability(e))?.seedFixed || undefined,
          30_000,
        );
        await attestDevice(n, k1.wallet, device, e);
        await attestDevice(n, k2.wallet, device, e);
        await warpPastEnd(e);
        raced.push(e);
        await waitFor(
          `epoch ${e} closed`,
          async () => (await availability(e))?.closed || undefined,
          30_000,
        );
      }
      let tips = 0n;
      for (const e of raced) tips += await tipPerKeeper(e);
      // Each keeper claims its own share of every raced epoch, once.
      await waitFor(
        "both keepers' tips claimed",
        async () =>
          (await claimed(k1.wallet)) === claimed1 + tips &&
          (await claimed(k2.wallet)) === claimed2 + tips
            ? true
            : undefined,
        30_000,
      );
      for (const k of running) {
        const health = k.health();
        expect(health.healthy, JSON.stringify(health.checks)).to.equal(true);
      }
      const ledgerAfter = await nextEpoch();
      expect(ledgerAfter).to.equal(await currentEpoch());
      expect(closes() - closesBefore).to.equal(raced.length);
      // Every crank tip went to the keeper that ended the epoch, and to nobody else.
      const crank1 = await crankTips(ledgerBefore, ledgerAfter, k1.wallet.publicKey);
      const crank2 = await crankTips(ledgerBefore, ledgerAfter, k2.wallet.publicKey);
      expect(crank1 + crank2).to.equal(await crankTips(ledgerBefore, ledgerAfter));
      expect(await io(k1)).to.equal(io1 + crank1 + tips);
      expect(await io(k2)).to.equal(io2 + crank2 + tips);
      // Losing a race is a named no-op, never a refusal or a landed failure.
      for (const k of [k1, k2]) {
        for (const result of ["refused", "failed", "expired", "error"]) {
          expect(
            k.transactions(undefined, result),
            `${k.wallet.publicKey.toBase58()} ${result}: ${k.transactionSeries(undefined, result).join(", ")}`,
          ).to.equal(0);
        }
      }
    } finally {
      for (const k of running) await k.stop();
    }
  });

  it("run --once --dry-run simulates and sends nothing; run --once does the work and exits 0", async () => {
    const e = await currentEpoch();
    await k1.tick("epoch"); // the running hour opened, so that its end has a record to close
    await warpPastEnd(e);
    const files = keeperFiles(n, k1.wallet);
    const ledgerBefore = await nextEpoch();
    const lamports = await connection().getBalance(k1.wallet.publicKey);
    const dry = await keeperCli(["run", "--config", files.config, "--once", "--dry-run"]);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stderr, dry.stderr).to.match(/end_epoch: dry-run/);
    expect(dry.stderr).to.not.contain(JSON.stringify(Array.from(k1.wallet.secretKey)).slice(1, 30));
    expect(await nextEpoch()).to.equal(ledgerBefore);
    expect((await availability(e))!.closed).to.equal(false);
    expect(await connection().getBalance(k1.wallet.publicKey)).to.equal(lamports);

    const real = await keeperCli(["run", "--config", files.config, "--once"]);
    expect(real.code, real.stderr).to.equal(0);
    expect(await nextEpoch()).to.equal(e + 1n);
    expect((await availability(e))!.closed).to.equal(true);

    const status = await keeperCli(["status", "--config", files.config, "--json"]);
    expect(status.code, status.stderr).to.equal(0);
    const shown = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(shown).to.deep.include({
      wallet: k1.wallet.publicKey.toBase58(),
      registered: true,
      state: "active",
      eligible: "yes",
      tipsClaimable: "0 IO",
    });
  });

  it("an hour that ends while a keeper waits to fix its seed is a no-op, never a refusal", async () => {
    // A fresh hour nobody has opened: k2 opens its record, then the hour ends before the seed is fixed.
    await warpPastEnd(await currentEpoch());
    const e = await currentEpoch();
    const sender = k2.ctx.sender("epoch");
    const opened = await sender.send({
      label: "open_availability_epoch",
      instructions: [
        await openAvailabilityEpochIx(k2.ctx.registry, { payer: k2.wallet.publicKey, epoch: e }),
      ],
    });
    expect(opened.status).to.equal("confirmed");
    expect((await availability(e))!.seedFixed).to.equal(false);
    await warpPastEnd(e);
    const noops = k2.transactions("fix_availability_seed", "noop");
    expect(await ensureAvailabilityEpoch(k2.ctx, sender, e)).to.equal(null);
    expect(k2.transactions("fix_availability_seed", "noop")).to.equal(noops + 1);
    expect(
      k2.transactions(undefined, "refused"),
      k2.transactionSeries(undefined, "refused").join(", "),
    ).to.equal(0);
    expect((await availability(e))!.seedFixed).to.equal(false);
  });
});
