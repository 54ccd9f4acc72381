import { expect } from "chai";
import { LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import {
  getAccount,
  getAssociatedTokenAddressSync,
  getOrCreateAssociatedTokenAccount,
  transfer,
} from "@solana/spl-token";
import {
  IOSD_DECIMALS,
  acknowledgeStartIx,
  cancelRefunds,
  fetchMarketSnapshot,
  fetchReservationBookings,
  fetchReservations,
  iosdMintPda,
  paymentTerms,
  quoteExtension,
  quoteOnSnapshot,
  searchDevices,
} from "@iogrid/sdk";

import { chainTime, sendDistinct } from "../../tests/support/chain.js";
import { criteriaOf, NO_FILTER, parsePorts } from "../src/cloudRequest.js";
import { formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";
import { seedDevice } from "./support/devices.js";
import type { SeededDevice } from "./support/devices.js";

const H100 = "NVIDIA H100 80GB HBM3";
const A100 = "NVIDIA A100 80GB";
const L40S = "NVIDIA L40S";

describe("app: the Cloud page deploys, extends and cancels a cluster against a local chain", function () {
  this.timeout(240_000);
  const seeded = new Map<string, SeededDevice>();
  const app = appSuite(async (n) => {
    const seeds = [
      { name: "h100-eu-a", gpuModel: H100, region: "eu-west", price: 2_000_000n },
      { name: "h100-eu-b", gpuModel: H100, region: "eu-west", price: 2_200_000n },
      { name: "h100-eu-dear", gpuModel: H100, region: "eu-west", price: 3_000_000n },
      { name: "a100-us", gpuModel: A100, region: "us-east", price: 1_000_000n },
      ...Array.from({ length: 7 }, (_, i) => ({
        name: `l40s-${i + 1}`,
        gpuModel: L40S,
        region: "ap-south",
        price: 500_000n + BigInt(i) * 10_000n,
      })),
    ];
    for (const seed of seeds) seeded.set(seed.name, await seedDevice(n, seed));
  });

  const iosd = iosdMintPda().address;
  async function iosdOf(owner: PublicKey): Promise<bigint> {
    try {
      return (
        await getAccount(
          app.n.net.connection,
          getAssociatedTokenAddressSync(iosd, owner),
          "confirmed",
        )
      ).amount;
    } catch {
      return 0n;
    }
  }
  /** SOL for fees and rent and 500 IOSD from the network's renter into the page's local wallet. */
  async function fund(wallet: PublicKey): Promise<void> {
    const { connection } = app.n.net;
    const n = app.n;
    const sig = await connection.requestAirdrop(wallet, 2 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({
      signature: sig,
      ...(await connection.getLatestBlockhash()),
    });
    const ata = await getOrCreateAssociatedTokenAccount(connection, n.admin, iosd, wallet);
    await transfer(
      connection,
      n.admin,
      getAssociatedTokenAddressSync(iosd, n.renter.publicKey),
      ata.address,
      n.renter,
      500n * 10n ** BigInt(IOSD_DECIMALS),
    );
  }
  const units = async (id: string): Promise<bigint> =>
    BigInt((await app.page.getByTestId(id).first().getAttribute("data-units"))!);

  it("filters, quotes every fee, deploys 2 devices paying IOSD, extends and cancels with the refund shown", async () => {
    const { connection } = app.n.net;
    const n = app.n;
    const page = app.page;
    await app.open("#/cloud");
    await app.waitFor(page.getByTestId("match-row").first());
    expect(await page.getByTestId("no-clusters").textContent()).to.match(/No cluster yet/);
    const wallet = new PublicKey((await page.getByTestId("wallet-address").textContent())!);

    await fund(wallet);

    // Filters: all eleven devices are free; H100 in eu-west at most 2.5 IOSD/GPU-h leaves two.
    expect(await page.getByTestId("match-count").textContent()).to.match(/^11 devices/);
    await page.getByLabel("GPU model").selectOption(H100);
    await page.getByLabel("Region").selectOption("eu-west");
    await page.getByLabel("Min VRAM per GPU (GiB)").fill("80");
    await page.getByLabel("Min GPUs per device").fill("1");
    await page.getByLabel("Min reputation (%)").fill("0");
    expect(await page.getByTestId("match-count").textContent()).to.match(/^3 devices/);
    await page.getByLabel("Max price (IOSD per GPU-hour)").fill("2.5");
    expect(await page.getByTestId("match-count").textContent()).to.match(/^2 devices/);
    await page.getByLabel("Max price (IOSD per GPU-hour)").fill("0.5");
    await app.waitFor(page.getByTestId("no-match"));
    await page.getByLabel("Max price (IOSD per GPU-hour)").fill("2.5");

    await page.locator('input[name="devices"]').fill("2");
    await page.locator('input[name="hours"]').fill("2");
    await page.getByLabel("Pay in").selectOption("iosd");
    await page.getByLabel("Workload").selectOption("container");
    await page.getByLabel("Image").fill("ghcr.io/iogrid/llm:2");
    await page.getByLabel("Ports").fill("8000, 8080");

    // The quote as the sdk makes it from the chain, figure by figure.
    const snapshot = await fetchMarketSnapshot(connection);
    const selection = searchDevices(snapshot, {
      gpuModel: H100,
      region: "eu-west",
      minVramMib: 80 * 1024,
      minGpuCount: 1,
      minReputationBps: 0,
      maxPricePerGpuHour: 2_500_000n,
    }).slice(0, 2);
    expect(selection.map((d) => d.device.name)).to.deep.equal(["h100-eu-a", "h100-eu-b"]);
    const q = quoteOnSnapshot(snapshot, selection, 2, "iosd");
    const sum = (f: (c: (typeof q.devices)[number]["charges"]) => bigint): bigint =>
      q.devices.reduce((s, d) => s + f(d.charges), 0n);
    await app.waitFor(page.getByTestId("quote"));
    expect(await units("quote-total-amount")).to.equal(q.total);
    expect(await units("quote-time-amount")).to.equal(sum((c) => c.time));
    expect(sum((c) => c.time)).to.equal(2n * (2_000_000n + 2_200_000n));
    expect(await units("quote-reservation-fee-amount")).to.equal(sum((c) => c.reservationFee));
    expect(await units("quote-payment-fee-amount")).to.equal(sum((c) => c.paymentFee));
    expect(sum((c) => c.reservationFee) > 0n).to.equal(true);
    expect(await page.getByTestId("quote-io").textContent()).to.match(/IO at [\d.]+ USD\/IO$/);
    expect(
      await page
        .getByTestId("quote-row")
        .evaluateAll((rows) =>
          rows.map((r) => (r as unknown as { dataset: { address: string } }).dataset.address),
        ),
    ).to.deep.equal(selection.map((d) => d.address.toBase58()));
    await page.getByTestId("renter-balance-amount").filter({ hasText: "500 IOSD" }).waitFor();

    // Deploy: one transaction creates the reservation, one books both devices.
    const before = await iosdOf(wallet);
    await page.getByRole("button", { name: "Deploy" }).click();
    await app.waitFor(
      page.getByTestId("progress-text").filter({ hasText: /^Deployed: 2 devices/ }),
    );
    const bar = page.getByLabel("Transactions confirmed");
    expect(await bar.getAttribute("max")).to.equal("2");
    expect(await bar.getAttribute("value")).to.equal("2");
    expect(await page.getByTestId("tx-status").getAttribute("data-state")).to.equal("confirmed");
    const afterDeploy = await iosdOf(wallet);
    expect(before - afterDeploy).to.equal(q.total);

    const reservations = await fetchReservations(connection, { renter: wallet });
    expect(reservations).to.have.length(1);
    const reservation = reservations[0]!.address;
    expect(reservations[0]!.reservation.hours).to.equal(2);
    expect(reservations[0]!.reservation.workload.image).to.equal("ghcr.io/iogrid/llm:2");
    expect(reservations[0]!.reservation.workload.ports).to.deep.equal([8000, 8080]);
    const bookings = await fetchReservationBookings(connection, reservation);
    expect(bookings.map((b) => b.booking.device.toBase58()).sort()).to.deep.equal(
      selection.map((d) => d.address.toBase58()).sort(),
    );

    // My clusters: both devices booked, then one starts as its agent acknowledges.
    const card = page.locator(`[data-testid="cluster"][data-address="${reservation.toBase58()}"]`);
    await app.waitFor(card);
    const statusOf = (device: PublicKey) =>
      card
        .locator(`[data-testid="cluster-device"][data-device="${device.toBase58()}"]`)
        .getByTestId("cluster-device-status");
    const a = seeded.get("h100-eu-a")!;
    const b = seeded.get("h100-eu-b")!;
    await statusOf(a.address)
      .filter({ hasText: /^booked$/ })
      .waitFor();
    expect(await statusOf(b.address).textContent()).to.equal("booked");
    expect(await units("cluster-deposited-amount")).to.equal(q.total);
    await sendDistinct(
      connection,
      await acknowledgeStartIx(n.market, {
        reservation,
        agent: a.agent.publicKey,
        device: a.address,
      }),
      [n.admin, a.agent],
    );
    await statusOf(a.address)
      .filter({ hasText: /^started$/ })
      .waitFor();
    expect(await statusOf(b.address).textContent()).to.equal("booked");
    expect(await card.getByTestId("cluster-started").textContent()).to.equal("1 of 2");
    expect(await card.locator("code.connect").count()).to.equal(4);
    await app.screenshot("cloud-1280");

    // `#/clusters` opens the same page at My clusters, read afresh from the chain.
    await app.open("#/clusters");
    await app.waitFor(card.getByTestId("cluster-device").nth(1));
    expect(await statusOf(a.address).textContent()).to.equal("started");
    await page.setViewportSize({ width: 390, height: 844 });
    await app.screenshot("clusters-390");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Extend by an hour: the page's quote is the sdk's extension quote and what leaves the wallet.
    await card.getByLabel("Add hours").fill("1");
    const fresh = await fetchMarketSnapshot(connection);
    const terms = paymentTerms(fresh.tokenConfig, fresh.priceFeed, "iosd", fresh.now);
    const ext = quoteExtension(
      bookings.map((x) => x.booking),
      1,
      terms.rates,
      terms.ioPrice,
    );
    await app.waitFor(card.getByTestId("extend-quote"));
    expect(
      BigInt((await card.getByTestId("extend-quote-amount").getAttribute("data-units"))!),
    ).to.equal(ext.total);
    await card.getByRole("button", { name: "Extend" }).click();
    await app.waitFor(page.getByTestId("progress-text").filter({ hasText: /extended by 1 h/ }));
    const afterExtend = await iosdOf(wallet);
    expect(afterDeploy - afterExtend).to.equal(ext.total);
    const extended = await fetchReservationBookings(connection, reservation);
    for (const x of extended) {
      expect(BigInt(x.booking.endsAt.toString()) - BigInt(x.booking.bookedAt.toString())).to.equal(
        3n * 3600n,
      );
    }

    // Beyond the market's 48 hours: the program refuses and the page names its error.
    await card.getByLabel("Add hours").fill("46");
    await card.getByRole("button", { name: "Extend" }).click();
    await app.waitFor(page.locator('[data-testid="tx-status"][data-state="failed"]'));
    expect(await page.getByTestId("tx-error-name").textContent()).to.equal("InvalidHours");
    expect(await page.getByTestId("progress-text").textContent()).to.match(/failed/);
    expect(await iosdOf(wallet)).to.equal(afterExtend);

    // Cancel: the refund shown is the sdk's and lands in the wallet, to the unit.
    await card.getByRole("button", { name: "Cancel cluster…" }).click();
    await app.waitFor(card.getByTestId("cancel-preview"));
    const shown = BigInt((await card.getByTestId("cancel-back").getAttribute("data-units"))!);
    const expected = cancelRefunds(
      extended.map((x) => x.booking),
      BigInt(await chainTime(connection)),
    );
    expect(shown).to.equal(expected.refund + expected.tips);
    // The started device keeps its first hour; the other gets its whole time charge back.
    const byDevice = new Map(expected.devices.map((d) => [d.device.toBase58(), d]));
    const timeOf = (device: PublicKey): bigint =>
      BigInt(
        extended.find((x) => x.booking.device.equals(device))!.booking.charges.time.toString(),
      );
    expect(byDevice.get(b.address.toBase58())!.refund).to.equal(timeOf(b.address));
    expect(byDevice.get(a.address.toBase58())!.refund < timeOf(a.address)).to.equal(true);
    expect(BigInt((await card.getByTestId("cancel-refund").getAttribute("data-units"))!)).to.equal(
      expected.refund,
    );
    await card.getByRole("button", { name: "Cancel and refund" }).click();
    await app.waitFor(page.getByTestId("progress-text").filter({ hasText: /cancelled/ }));
    expect(await iosdOf(wallet)).to.equal(afterExtend + shown);
    expect(await connection.getAccountInfo(reservation, "confirmed")).to.equal(null);
    await app.waitFor(page.getByTestId("no-clusters"));
    expect(await page.getByTestId("progress-text").textContent()).to.contain(
      formatUnits(shown, IOSD_DECIMALS),
    );
    await app.screenshot("cloud-cancelled-1280");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("deploys 7 devices in several book_devices batches and cancels them in settle batches", async () => {
    const { connection } = app.n.net;
    const page = app.page;
    await app.open("#/cloud");
    await app.waitFor(page.getByTestId("match-row").first());
    const wallet = new PublicKey((await page.getByTestId("wallet-address").textContent())!);
    const start = await iosdOf(wallet);
    await fund(wallet);
    await page
      .getByTestId("renter-balance-amount")
      .filter({ hasText: formatUnits(start + 500_000_000n, IOSD_DECIMALS) })
      .waitFor();
    await page.getByLabel("GPU model").selectOption(L40S);
    expect(await page.getByTestId("match-count").textContent()).to.match(/^7 devices/);
    await page.locator('input[name="devices"]').fill("7");
    await page.locator('input[name="hours"]').fill("1");
    const snapshot = await fetchMarketSnapshot(connection);
    const selection = searchDevices(snapshot, { gpuModel: L40S }).slice(0, 7);
    const q = quoteOnSnapshot(snapshot, selection, 1, "iosd");
    await app.waitFor(page.getByTestId("quote"));
    expect(await units("quote-total-amount")).to.equal(q.total);

    const before = await iosdOf(wallet);
    await page.getByRole("button", { name: "Deploy" }).click();
    await app.waitFor(
      page.getByTestId("progress-text").filter({ hasText: /^Deployed: 7 devices/ }),
    );
    // One create_reservation, then 6 + 1 devices booked.
    expect(await page.getByLabel("Transactions confirmed").getAttribute("max")).to.equal("3");
    expect(before - (await iosdOf(wallet))).to.equal(q.total);
    const [entry] = await fetchReservations(connection, { renter: wallet });
    const reservation = entry!.address;
    const bookings = await fetchReservationBookings(connection, reservation);
    expect(bookings.map((b) => b.booking.device.toBase58()).sort()).to.deep.equal(
      selection.map((d) => d.address.toBase58()).sort(),
    );

    const card = page.locator(`[data-testid="cluster"][data-address="${reservation.toBase58()}"]`);
    await app.waitFor(card.getByTestId("cluster-device").nth(6));
    const paid = await iosdOf(wallet);
    await card.getByRole("button", { name: "Cancel cluster…" }).click();
    await app.waitFor(card.getByTestId("cancel-preview"));
    const shown = BigInt((await card.getByTestId("cancel-back").getAttribute("data-units"))!);
    // Nothing started: every time charge comes back, with the tips.
    const time = bookings.reduce((s, b) => s + BigInt(b.booking.charges.time.toString()), 0n);
    const tips = bookings.reduce((s, b) => s + BigInt(b.booking.charges.tip.toString()), 0n);
    expect(shown).to.equal(time + tips);
    await card.getByRole("button", { name: "Cancel and refund" }).click();
    await app.waitFor(page.getByTestId("progress-text").filter({ hasText: /cancelled/ }));
    expect(await iosdOf(wallet)).to.equal(paid + shown);
    expect(await connection.getAccountInfo(reservation, "confirmed")).to.equal(null);
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("reads the filter form as the sdk's criteria and refuses what is not a number", () => {
    expect(criteriaOf(NO_FILTER)).to.deep.equal({ ok: true, criteria: {} });
    expect(
      criteriaOf({
        gpuModel: H100,
        minGpus: "2",
        minVramGib: "80",
        region: "eu-west",
        maxPrice: "2.5",
        minReputation: "95.5",
      }),
    ).to.deep.equal({
      ok: true,
      criteria: {
        gpuModel: H100,
        region: "eu-west",
        minGpuCount: 2,
        minVramMib: 81_920,
        maxPricePerGpuHour: 2_500_000n,
        minReputationBps: 9_550,
      },
    });
    expect(criteriaOf({ ...NO_FILTER, maxPrice: "cheap" })).to.deep.equal({
      ok: false,
      field: "max price",
    });
    expect(criteriaOf({ ...NO_FILTER, minReputation: "101" })).to.deep.equal({
      ok: false,
      field: "min reputation",
    });
    expect(parsePorts("8000, 8080")).to.deep.equal([8000, 8080]);
    expect(parsePorts("")).to.deep.equal([]);
    expect(parsePorts("8000,8000")).to.equal(null);
    expect(parsePorts("0")).to.equal(null);
    expect(parsePorts("80a")).to.equal(null);
  });
});
