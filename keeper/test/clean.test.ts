/**
 * The clean bot on a real chain with two bonded keepers: a reservation whose booking was settled
 * as a no-show (its whole time owed back to the renter, never claimed) and one the renter
 * created and never booked into. Nothing is touched until seven days after each one's latest
 * booking end (or creation); then the two keepers racing close each exactly once, paying the
 * unclaimed refund into the renter's associated account to the unit and returning both
 * accounts' rent to the renter, who pays nothing; a second tick finds nothing left.
 */
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  createReservationIx,
  decodeReservation,
  iosdMintPda,
  publicCloseAt,
  refundOwed,
  reservationPda,
  reservationVaultPda,
} from "@iogrid/sdk";

import { sendDistinct, tokenBalance, warpTo } from "../../tests/support/chain.js";
import { book, startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { stakedDevice, twoKeepers } from "./support/keeper.js";
import type { TestKeeperProcess } from "./support/keeper.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());
const WORKLOAD = { kind: "process" as const, image: "exec sleep 100000", ports: [] };

describe("keeper: the clean bot closes idle reservations for their renters, two keepers", function () {
  this.timeout(300_000);
  let n: Network;
  let k1: TestKeeperProcess;
  let k2: TestKeeperProcess;

  before(async function () {
    this.timeout(300_000);
    n = await startNetwork({ keepers: 2 });
    [k1, k2] = twoKeepers(n);
  });

  after(async () => {
    await k1?.close();
    await k2?.close();
    await n?.net.stop();
  });

  it("pays the unclaimed refund into the renter's account and returns the rent, once, after 7 idle days", async () => {
    const connection = n.net.connection;
    const renter = n.renter.publicKey;
    const iosd = iosdMintPda().address;
    const renterIosd = getAssociatedTokenAddressSync(iosd, renter);

    // A no-show: booked, never acknowledged, settled; its time owed back to the renter.
    const silent = await stakedDevice(n, "silent");
    const noShow = await book(
      n,
      [{ address: silent.device, owner: silent.owner.publicKey }],
      1,
      WORKLOAD,
    );
    // A reservation created and never booked into.
    const emptyId = 9_000n;
    await sendDistinct(
      connection,
      await createReservationIx(n.market, {
        renter,
        id: emptyId,
        hours: 1,
        paymentMint: iosd,
        workload: WORKLOAD,
      }),
      [n.renter],
    );
    const empty = reservationPda(renter, emptyId).address;
    const reservationOf = async (r: PublicKey) =>
      decodeReservation((await connection.getAccountInfo(r))!.data);

    const booked = await reservationOf(noShow.reservation);
    await warpTo(connection, n.net.rpcUrl, big(booked.lastEndsAt) + 1n);
    expect(await k1.tick("settle")).to.include({ settled: 1 });
    const refund = refundOwed((await reservationOf(noShow.reservation)).ledger)!;
    expect(refund > 0n).to.equal(true);
    expect(await k1.tick("clean")).to.include({ closable: 0, closed: 0 });

    // One second before the later of the two becomes idle, only the earlier one is closable.
    const idleAt = [
      publicCloseAt(await reservationOf(empty)),
      publicCloseAt(await reservationOf(noShow.reservation)),
    ];
    expect(idleAt[1]! > idleAt[0]!).to.equal(true);
    await warpTo(connection, n.net.rpcUrl, idleAt[1]! - 1n);
    const rentOf = async (r: PublicKey): Promise<bigint> =>
      BigInt(
        (await connection.getBalance(r)) +
          (await connection.getBalance(reservationVaultPda(r).address)),
      );
    const rentEmpty = await rentOf(empty);
    const rentNoShow = await rentOf(noShow.reservation);
    const lamportsBefore = BigInt(await connection.getBalance(renter));
    const iosdBefore = await tokenBalance(connection, renterIosd);
    expect(await k1.tick("clean")).to.include({ closable: 1, closed: 1 });
    expect(await connection.getAccountInfo(empty)).to.equal(null);
    expect(BigInt(await connection.getBalance(renter))).to.equal(lamportsBefore + rentEmpty);
    expect(await connection.getAccountInfo(noShow.reservation)).to.not.equal(null);

    // Idle: both keepers race; the reservation closes once, the refund paid once.
    await warpTo(connection, n.net.rpcUrl, idleAt[1]!);
    const [a, b] = await Promise.all([k1.tick("clean"), k2.tick("clean")]);
    expect(Number(a!.closed) + Number(b!.closed)).to.equal(1);
    expect(await connection.getAccountInfo(noShow.reservation)).to.equal(null);
    expect(
      await connection.getAccountInfo(reservationVaultPda(noShow.reservation).address),
    ).to.equal(null);
    expect(await tokenBalance(connection, renterIosd)).to.equal(iosdBefore + refund);
    expect(BigInt(await connection.getBalance(renter))).to.equal(
      lamportsBefore + rentEmpty + rentNoShow,
    );
    expect(await k2.tick("clean")).to.include({ closable: 0, closed: 0 });
  });
});
