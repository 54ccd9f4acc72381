/**
 * The settle bot end to end on a real chain with two bonded keepers, a real agent that runs and
 * acknowledges its bookings, and a device whose agent never answers. A booking nobody
 * acknowledged settles as a no-show once its start deadline passed, releasing the device, the
 * renter's refund owed and the tip paid to the settling keeper; a booking that ran to its end
 * settles with the owner paid to the unit what the sdk's split says, the tip to the keeper that
 * landed it; two keepers racing for it settle it exactly once and both ticks succeed. The
 * owners' payment accounts are created when missing. The real keeper process killed with
 * SIGKILL in the middle of settling a reservation and started again settles the rest, each
 * booking once, the tips and refunds to the unit. Last, a new operator's keeper life through the
 * CLI: register (bonding the bond in force), unbond, withdraw after the cooldown. And the chain
 * restarted under a running keeper (six seconds down): it stays up, settles what comes after, is
 * healthy again and stops cleanly on SIGTERM. Behind an RPC proxy that drops every third request
 * and delays the rest, the running keeper retries with backoff and settles once, to the unit.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  IO,
  bookingPda,
  keeperPda,
  decodeBooking,
  decodeDevice,
  decodeReservation,
  decodeTokenConfig,
  iosdMintPda,
  iotokenConfigPda,
  splitTime,
} from "@iogrid/sdk";
import type { Booking, Reservation } from "@iogrid/sdk";

import {
  chainTime,
  fundedKeypair,
  tokenBalance,
  waitFor,
  warpTo,
} from "../../tests/support/chain.js";
import { fundIo } from "../../tests/support/setup.js";
import { AgentProcess } from "../../agent/test/support/agent.js";
import { freePort, setUpHost, startHost } from "../../agent/test/support/host.js";
import type { Host } from "../../agent/test/support/host.js";
import { book, startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import {
  KEEPER_BIN,
  inProcessKeeper,
  keeperCli,
  keeperFiles,
  stakedDevice,
  twoKeepers,
} from "./support/keeper.js";
import type { TestDevice, TestKeeperProcess } from "./support/keeper.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());
const WORKLOAD = { kind: "process" as const, image: "exec sleep 100000", ports: [] };

describe("keeper: the settle bot settles ended and no-show bookings, two keepers", function () {
  this.timeout(600_000);
  let n: Network;
  let host: Host;
  let silent: TestDevice;
  let k1: TestKeeperProcess;
  let k2: TestKeeperProcess;
  const iosd = iosdMintPda().address;

  const connection = () => n.net.connection;
  const reservationOf = async (r: PublicKey): Promise<Reservation> =>
    decodeReservation((await connection().getAccountInfo(r))!.data);
  const bookingOf = async (r: PublicKey, device: PublicKey): Promise<Booking | null> => {
    const info = await connection().getAccountInfo(bookingPda(r, device).address);
    return info ? decodeBooking(info.data) : null;
  };
  const iosdOf = async (owner: PublicKey): Promise<bigint> => {
    const ata = getAssociatedTokenAddressSync(iosd, owner, true);
    return (await connection().getAccountInfo(ata)) ? tokenBalance(connection(), ata) : 0n;
  };
  const networkFeeBps = async (): Promise<bigint> =>
    big(
      decodeTokenConfig((await connection().getAccountInfo(iotokenConfigPda().address))!.data).fees
        .networkFeeBps,
    );

  before(async function () {
    this.timeout(600_000);
    n = await startNetwork({ keepers: 2 });
    host = await setUpHost(n, { name: "rig", rpcUrl: n.net.rpcUrl, wsUrl: n.net.wsUrl });
    await startHost(host);
    silent = await stakedDevice(n, "silent");
    [k1, k2] = twoKeepers(n);
  });

  after(async () => {
    await k1?.close();
    await k2?.close();
    await host?.process?.stop();
    await n?.net.stop();
  });

  it("a booking nobody acknowledged settles as a no-show after its start deadline, releasing the device", async () => {
    const { reservation } = await book(
      n,
      [{ address: silent.device, owner: silent.owner.publicKey }],
      1,
      WORKLOAD,
    );
    const booking = (await bookingOf(reservation, silent.device))!;
    expect(await k1.tick("settle")).to.include({ due: 0, settled: 0 });
    await warpTo(connection(), n.net.rpcUrl, big(booking.ackDeadline) + 1n);
    const tipsBefore = await iosdOf(k1.wallet.publicKey);
    expect(await k1.tick("settle")).to.include({ due: 1, reservations: 1, settled: 1 });
    expect(await bookingOf(reservation, silent.device)).to.equal(null);
    const device = decodeDevice((await connection().getAccountInfo(silent.device))!.data);
    expect(device.reservation.equals(PublicKey.default)).to.equal(true);
    const ledger = (await reservationOf(reservation)).ledger;
    const booked = big(booking.endsAt) - big(booking.bookedAt);
    const split = splitTime(big(booking.charges.time), 0n, booked, await networkFeeBps(), 0);
    expect(big(ledger.refunds)).to.equal(split.refund);
    expect(big(ledger.devicePayouts)).to.equal(0n);
    expect((await iosdOf(k1.wallet.publicKey)) - tipsBefore).to.equal(big(booking.charges.tip));
    expect(await k1.tick("settle")).to.include({ due: 0, settled: 0 });
  });

  it("a booking that ran to its end settles once with the owner paid to the unit, two keepers racing", async () => {
    const { reservation } = await book(
      n,
      [{ address: host.device, owner: host.owner.publicKey }],
      1,
      WORKLOAD,
    );
    const started = await waitFor(
      "the agent's start acknowledgement",
      async () => {
        const b = await bookingOf(reservation, host.device);
        return b && big(b.startedAt) !== 0n ? b : undefined;
      },
      60_000,
      500,
    );
    expect(await k1.tick("settle")).to.include({ due: 0 });
    await warpTo(connection(), n.net.rpcUrl, big(started.endsAt) + 1n);
    const ownerBefore = await iosdOf(host.owner.publicKey);
    const tips = [await iosdOf(k1.wallet.publicKey), await iosdOf(k2.wallet.publicKey)];
    const [s1, s2] = await Promise.all([k1.tick("settle"), k2.tick("settle")]);
    expect(Number(s1.settled) + Number(s2.settled)).to.equal(1);
    expect(await bookingOf(reservation, host.device)).to.equal(null);

    const booked = big(started.endsAt) - big(started.bookedAt);
    const delivered = big(started.endsAt) - big(started.startedAt);
    const split = splitTime(big(started.charges.time), delivered, booked, await networkFeeBps(), 0);
    expect((await iosdOf(host.owner.publicKey)) - ownerBefore).to.equal(split.ownerPay);
    const ledger = (await reservationOf(reservation)).ledger;
    expect(big(ledger.devicePayouts)).to.equal(split.ownerPay);
    expect(big(ledger.refunds)).to.equal(split.refund);
    const earned = [
      (await iosdOf(k1.wallet.publicKey)) - tips[0]!,
      (await iosdOf(k2.wallet.publicKey)) - tips[1]!,
    ];
    const winner = Number(s1.settled) === 1 ? 0 : 1;
    expect(earned[winner]).to.equal(big(started.charges.tip));
    expect(earned[1 - winner]).to.equal(0n);
    // The loser's attempt, if it got that far, was a no-op, never a failure.
    for (const k of [k1, k2]) {
      for (const result of ["refused", "failed", "expired", "error"]) {
        expect(k.transactions("settle_bookings", result), result).to.equal(0);
      }
    }
    expect(await k2.tick("settle")).to.include({ due: 0, settled: 0 });
    expect(await chainTime(connection())).to.be.greaterThan(Number(started.endsAt));
  });

  it("SIGKILLed mid-reservation and run again, the keeper settles every booking once", async () => {
    const devices: TestDevice[] = [];
    for (let i = 0; i < 4; i++) devices.push(await stakedDevice(n, `idle-${i}`));
    const { reservation } = await book(
      n,
      devices.map((d) => ({ address: d.device, owner: d.owner.publicKey })),
      1,
      WORKLOAD,
    );
    const bookings = await Promise.all(devices.map((d) => bookingOf(reservation, d.device)));
    await warpTo(connection(), n.net.rpcUrl, big(bookings[0]!.ackDeadline) + 1n);
    const files = keeperFiles(n, k1.wallet, "settle:\n  intervalMs: 500\n");
    const tipsBefore = await iosdOf(k1.wallet.publicKey);
    const refundsBefore = big((await reservationOf(reservation)).ledger.refunds);
    const child = new AgentProcess(
      spawn(process.execPath, [KEEPER_BIN, "run", "--config", files.config, "--bots", "settle"], {
        stdio: ["ignore", "pipe", "pipe"],
      }),
      "keeper",
    );
    await child.waitForLine(/settle_bookings: confirmed/, 60_000);
    await child.kill();
    const open = async (): Promise<number> =>
      (await Promise.all(devices.map((d) => bookingOf(reservation, d.device)))).filter(Boolean)
        .length;
    // Killed between two of the reservation's transactions: some bookings are left to settle.
    expect(await open()).to.be.within(1, devices.length - 1);
    const again = await keeperCli(["run", "--config", files.config, "--bots", "settle", "--once"]);
    expect(again.code, again.stderr).to.equal(0);
    expect(await open()).to.equal(0);
    const feeBps = await networkFeeBps();
    let refunds = 0n;
    let tips = 0n;
    for (const b of bookings) {
      const booked = big(b!.endsAt) - big(b!.bookedAt);
      refunds += splitTime(big(b!.charges.time), 0n, booked, feeBps, 0).refund;
      tips += big(b!.charges.tip);
    }
    const ledger = (await reservationOf(reservation)).ledger;
    expect(big(ledger.refunds) - refundsBefore).to.equal(refunds);
    expect((await iosdOf(k1.wallet.publicKey)) - tipsBefore).to.equal(tips);
    expect((await reservationOf(reservation)).bookingsOpen).to.equal(0);
  });

  it("the CLI registers a keeper with the bond in force, unbonds it and withdraws after the cooldown", async () => {
    const operator = await fundedKeypair(connection(), 2);
    await fundIo(connection(), n.admin, n.community, [[operator, 1_500n * IO]], n.ioAccount);
    const io = n.ioAccount.get(operator)!;
    const files = keeperFiles(n, operator);
    const cli = (...args: string[]) => keeperCli([...args, "--config", files.config, "--json"]);
    const low = await cli("register", "--bond", "5");
    expect(low.code).to.equal(2);
    expect(low.stderr).to.contain("--bond: 5 IO is below the bond in force (1000 IO)");
    const registered = await cli("register");
    expect(registered.code, registered.stderr).to.equal(0);
    expect(JSON.parse(registered.stdout)).to.include({ bond: "1000 IO" });
    expect(await tokenBalance(connection(), io)).to.equal(500n * IO);
    const twice = await cli("register");
    expect(twice.code).to.equal(1);
    expect(twice.stderr).to.contain("is already a registered keeper");
    expect((await cli("claim-tips")).stdout).to.contain('"claimed": "0 IO"');
    expect((await cli("unbond")).code).to.equal(0);
    const early = await cli("withdraw");
    expect(early.code).to.equal(1);
    expect(early.stderr).to.contain("withdraw_bond: CooldownNotElapsed");
    expect(await tokenBalance(connection(), io)).to.equal(500n * IO);
    await warpTo(
      connection(),
      n.net.rpcUrl,
      BigInt(await chainTime(connection())) + 7n * 86_400n + 1n,
    );
    const withdrawn = await cli("withdraw");
    expect(withdrawn.code, withdrawn.stderr).to.equal(0);
    expect(await tokenBalance(connection(), io)).to.equal(1_500n * IO);
    expect(await connection().getAccountInfo(keeperPda(operator.publicKey).address)).to.equal(null);
  });

  it("the chain restarted under a running keeper: it stays up and settles what comes after", async () => {
    const port = await freePort();
    const files = keeperFiles(n, k2.wallet, "settle:\n  intervalMs: 500\n");
    const child = new AgentProcess(
      spawn(
        process.execPath,
        [
          KEEPER_BIN,
          "run",
          "--config",
          files.config,
          "--bots",
          "settle",
          "--health-listen",
          `127.0.0.1:${port}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      ),
      "keeper",
    );
    const health = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) }))
        .status;
    try {
      await child.waitForLine(/settle: tick done/, 60_000);
      expect(await health()).to.equal(200);
      await n.net.restart(6_000);
      expect(child.alive).to.equal(true);
      const { reservation } = await book(
        n,
        [{ address: silent.device, owner: silent.owner.publicKey }],
        1,
        WORKLOAD,
      );
      const booking = (await bookingOf(reservation, silent.device))!;
      await warpTo(connection(), n.net.rpcUrl, big(booking.ackDeadline) + 1n);
      await waitFor(
        "the keeper settling the booking made after the restart",
        async () => ((await bookingOf(reservation, silent.device)) === null ? true : undefined),
        60_000,
        500,
      );
      await waitFor(
        "a healthy keeper",
        async () => ((await health()) === 200 ? true : undefined),
        60_000,
        500,
      );
      const stopped = await child.stop();
      expect(stopped.code).to.equal(0);
    } finally {
      await child.kill();
    }
  });

  it("behind an RPC that drops and delays requests, the keeper retries and settles once", async () => {
    let requests = 0;
    let dropped = 0;
    const proxy = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        requests += 1;
        if (requests % 3 === 0) {
          dropped += 1;
          req.socket.destroy();
          return;
        }
        void (async () => {
          await new Promise((resolve) => setTimeout(resolve, 150));
          const upstream = await fetch(n.net.rpcUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          res.writeHead(upstream.status, { "content-type": "application/json" });
          res.end(await upstream.text());
        })().catch(() => req.socket.destroy());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxied = {
      ...n,
      net: { ...n.net, rpcUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
    };
    const flaky = inProcessKeeper(proxied, k1.wallet, {
      name: "flaky",
      extra: "settle:\n  intervalMs: 500\n",
    });
    const running = flaky.keeper(["settle"]);
    try {
      const { reservation } = await book(
        n,
        [{ address: silent.device, owner: silent.owner.publicKey }],
        1,
        WORKLOAD,
      );
      const booking = (await bookingOf(reservation, silent.device))!;
      const tipsBefore = await iosdOf(k1.wallet.publicKey);
      await warpTo(connection(), n.net.rpcUrl, big(booking.ackDeadline) + 1n);
      await running.start();
      await waitFor(
        "the settlement through the flaky RPC",
        async () => ((await bookingOf(reservation, silent.device)) === null ? true : undefined),
        90_000,
        500,
      );
      expect(dropped).to.be.greaterThan(0);
      expect((await iosdOf(k1.wallet.publicKey)) - tipsBefore).to.equal(big(booking.charges.tip));
      // Once: the tip above is paid exactly once. A dropped answer may hide the keeper's own
      // confirmation (then the send expires, or its rebuild finds AlreadySettled), but nothing
      // it sent was refused or failed.
      expect(flaky.transactions("settle_bookings", "confirmed")).to.be.at.most(1);
      expect(
        flaky.transactions("settle_bookings", "refused") +
          flaky.transactions("settle_bookings", "failed"),
      ).to.equal(0);
    } finally {
      await running.stop();
      await flaky.close();
      proxy.close();
    }
  });
});
