/**
 * The Explorer's network figures in a real browser on a local chain: the current epoch and its
 * countdown against the chain's clock, market prices per GPU model against the devices seeded,
 * IO burned (the renter's IOSD mint at network start) and emitted (epoch 0 ended by a crank; net
 * of the burn backlog, which the 10,000 IO burned exceeds, so 0) against the chain's records, a
 * running cluster listed and its page (devices, state, time left, payment) against the
 * reservation, then its settlement against the owners' balances.
 */
import { expect } from "chai";
import {
  createAssociatedTokenAccountIdempotent,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import {
  IO_DECIMALS,
  decodeEpochRecord,
  decodeReservation,
  endEpochIx,
  epochAt,
  epochRecordPda,
  epochStart,
  ioMintPda,
  iosdMintPda,
  reservationVaultPda,
} from "@iogrid/sdk";

import { chainTime, sendDistinct } from "../../tests/support/chain.js";
import { book, settle, warpBy } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { formatIosd } from "../src/deviceList.js";
import { formatDuration, formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";
import { seedDevice } from "./support/devices.js";
import type { SeededDevice } from "./support/devices.js";

const H100 = "NVIDIA H100 80GB HBM3";
const A100 = "NVIDIA A100 80GB";
const IO = 10n ** BigInt(IO_DECIMALS);

describe("app: explorer shows the epoch, prices, emission and burns, clusters running and a cluster's page", function () {
  this.timeout(240_000);
  const seeded: SeededDevice[] = [];
  const app = appSuite(async (n: Network) => {
    seeded.push(
      await seedDevice(n, {
        name: "h-a",
        gpuModel: H100,
        region: "eu-west",
        price: 2_000_000n,
        gpuCount: 2,
      }),
    );
    seeded.push(
      await seedDevice(n, { name: "h-b", gpuModel: H100, region: "us-east", price: 3_000_000n }),
    );
    seeded.push(
      await seedDevice(n, { name: "h-c", gpuModel: H100, region: "us-east", price: 5_000_000n }),
    );
    seeded.push(
      await seedDevice(n, { name: "a-a", gpuModel: A100, region: "eu-west", price: 1_500_000n }),
    );
  });
  let reservation: PublicKey;

  const stat = (id: string) => app.page.getByTestId(id).innerText();

  it("shows the running epoch with a countdown that follows the chain's clock", async () => {
    await app.open();
    await app.waitFor(app.page.getByTestId("epoch-countdown").getByText(/^\d+:\d\d:\d\d$/));
    const now = BigInt(await chainTime(app.n.net.connection));
    const epoch = epochAt(app.n.origin, now);
    expect(await stat("epoch-current")).to.equal(String(epoch));
    const left = epochStart(app.n.origin, epoch + 1n) - now;
    const shown = await stat("epoch-countdown");
    // Within a few seconds of the chain's clock (read in whole seconds, then counted by the page).
    expect([-2n, -1n, 0n, 1n, 2n, 3n].map((d) => formatDuration(left - d))).to.include(shown);
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await stat("epoch-countdown"), "the countdown ticks").to.not.equal(shown);
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("shows market prices per GPU model: free devices, GPUs, lowest, median and highest", async () => {
    const rows = app.page
      .getByRole("table", { name: "Market prices per GPU model" })
      .locator("tbody tr");
    await app.waitFor(rows.first());
    expect(await rows.allInnerTexts()).to.deep.equal([
      [A100, "1", "1", formatIosd(1_500_000n), formatIosd(1_500_000n), formatIosd(1_500_000n)].join(
        "\t",
      ),
      [H100, "3", "4", formatIosd(2_000_000n), formatIosd(3_000_000n), formatIosd(5_000_000n)].join(
        "\t",
      ),
    ]);
  });

  it("shows IO burned for IOSD in epoch 0, and once the epoch is ended what it emitted, as the chain's record says", async () => {
    const burnedRow = app.page.getByTestId("token-epoch-0");
    await app.waitFor(burnedRow);
    // startNetwork's renter minted IOSD from 10,000 IO.
    expect(await burnedRow.getByTestId("epoch-burned").innerText()).to.equal(
      formatUnits(10_000n * IO, IO_DECIMALS),
    );
    expect(await burnedRow.getByTestId("epoch-emitted").innerText()).to.equal("not ended");
    expect(await stat("io-burned")).to.equal(formatUnits(10_000n * IO, IO_DECIMALS));

    const connection = app.n.net.connection;
    const now = BigInt(await chainTime(connection));
    await warpBy(app.n, Number(epochStart(app.n.origin, 1n) - now + 5n));
    const admin = app.n.admin;
    const tip = await createAssociatedTokenAccountIdempotent(
      connection,
      admin,
      ioMintPda().address,
      admin.publicKey,
    );
    await sendDistinct(
      connection,
      await endEpochIx(app.n.iotoken, {
        cranker: admin.publicKey,
        tipDestination: tip,
        epochs: [0n],
      }),
      [admin],
    );
    const record = decodeEpochRecord(
      (await connection.getAccountInfo(epochRecordPda(0n).address, "confirmed"))!.data,
    );
    await app.open();
    await app.waitFor(
      app.page.getByTestId("token-epoch-0").getByTestId("epoch-emitted").getByText(/\d/),
    );
    const row = app.page.getByTestId("token-epoch-0");
    expect(await row.getByTestId("epoch-emitted").innerText()).to.equal(
      formatUnits(record.netEmission, IO_DECIMALS),
    );
    expect(await stat("io-emitted")).to.equal(formatUnits(record.netEmission, IO_DECIMALS));
    expect(await app.page.getByTestId("chart-emitted").locator("rect").count()).to.equal(1);
    expect(await stat("epoch-current")).to.equal("1");
    await app.screenshot("explorer-network");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("lists a running cluster; its page shows devices, state, time left and the payment; settled, the owners' pay", async () => {
    const devices = seeded
      .slice(0, 2)
      .map((d) => ({ address: d.address, owner: d.owner.publicKey }));
    ({ reservation } = await book(app.n, devices, 1, {
      kind: "process",
      image: "sleep 1",
      ports: [],
    }));
    const connection = app.n.net.connection;
    const vault = reservationVaultPda(reservation).address;
    const paid = BigInt((await connection.getTokenAccountBalance(vault)).value.amount);

    await app.open();
    const running = app.page.getByTestId(`running-${reservation.toBase58()}`);
    await app.waitFor(running);
    await running.getByRole("link").click();
    await app.waitFor(app.page.getByTestId("cluster-state"));
    const r = decodeReservation((await connection.getAccountInfo(reservation, "confirmed"))!.data);
    expect(await stat("cluster-state")).to.equal("running");
    expect(await stat("cluster-paid")).to.equal(formatIosd(paid));
    expect(await stat("cluster-escrow")).to.equal(
      formatIosd(BigInt(r.ledger.escrowOpen.toString())),
    );
    const left = BigInt(r.lastEndsAt.toString()) - BigInt(await chainTime(connection));
    expect([-2n, -1n, 0n, 1n, 2n, 3n].map((d) => formatDuration(left - d))).to.include(
      await stat("cluster-time-left"),
    );
    for (const d of seeded.slice(0, 2)) {
      const row = app.page.getByTestId(`cluster-device-${d.address.toBase58()}`);
      expect(await row.getByTestId("booking-state").innerText()).to.equal("awaiting start");
    }
    expect(await app.page.getByTestId("cluster-no-settlements").innerText()).to.equal(
      "No booking settled yet.",
    );
    await app.screenshot("cluster-page");

    // No agent ever acknowledges: past the end the bookings settle as no-shows.
    await warpBy(app.n, 3_700);
    await settle(app.n, reservation, devices);
    await app.page.reload();
    await app.waitFor(app.page.getByTestId(`settled-${seeded[0]!.address.toBase58()}`));
    const after = decodeReservation(
      (await connection.getAccountInfo(reservation, "confirmed"))!.data,
    );
    expect(await stat("cluster-state")).to.equal("ended");
    expect(await stat("cluster-time-left")).to.equal("0:00:00");
    expect(await stat("cluster-refunds")).to.equal(
      formatIosd(BigInt(after.ledger.refunds.toString())),
    );
    expect(await stat("cluster-payouts")).to.equal(
      formatIosd(BigInt(after.ledger.devicePayouts.toString())),
    );
    for (const d of seeded.slice(0, 2)) {
      const row = app.page.getByTestId(`settled-${d.address.toBase58()}`);
      const ata = getAssociatedTokenAddressSync(iosdMintPda().address, d.owner.publicKey);
      const balance = BigInt((await connection.getTokenAccountBalance(ata)).value.amount);
      expect(await row.getByTestId("settled-owner").innerText()).to.equal(formatIosd(balance));
    }
    expect(await app.page.getByTestId("cluster-no-bookings").innerText()).to.equal(
      "No open booking (all settled).",
    );
    expect(app.browser.errors).to.deep.equal([]);
  });
});
