import { expect } from "chai";
import type { PublicKey } from "@solana/web3.js";
import {
  decodeStakingConfig,
  deviceListStatus,
  deviceStake,
  fetchDeviceBookings,
  fetchMarketDevices,
  pauseDeviceIx,
  stakingConfigPda,
} from "@iogrid/sdk";
import type { MarketDevice } from "@iogrid/sdk";

import { sendDistinct } from "../../tests/support/chain.js";
import { book } from "../../agent/test/support/network.js";
import { filterRows, formatBps, formatIo, formatIosd, visibleWindow } from "../src/deviceList.js";
import { big } from "../src/format.js";
import { appSuite } from "./support/app.js";
import { seedDevice } from "./support/devices.js";
import type { SeededDevice } from "./support/devices.js";

const H100 = "NVIDIA H100 80GB HBM3";
const A100 = "NVIDIA A100 80GB";

describe("app: explorer devices list and device page against a local chain", function () {
  this.timeout(180_000);
  const seeded: SeededDevice[] = [];
  let reservation: PublicKey;
  const app = appSuite(async (n) => {
    const seeds = [
      { name: "h100-eu-a", gpuModel: H100, region: "eu-west", price: 2_500_000n, gpuCount: 8 },
      { name: "h100-us", gpuModel: H100, region: "us-east", price: 2_100_000n, gpuCount: 4 },
      { name: "a100-eu", gpuModel: A100, region: "eu-west", price: 1_200_000n, gpuCount: 2 },
      { name: "a100-us-paused", gpuModel: A100, region: "us-east", price: 900_000n },
      { name: "h100-eu-unstaked", gpuModel: H100, region: "eu-west", price: 3_000_000n },
    ];
    for (const seed of seeds) {
      seeded.push(await seedDevice(n, { ...seed, unstaked: seed.name.endsWith("unstaked") }));
    }
    const paused = seeded[3]!;
    await sendDistinct(
      n.net.connection,
      await pauseDeviceIx(n.registry, { signer: paused.owner.publicKey, device: paused.address }),
      [paused.owner],
    );
    const booked = seeded[1]!;
    ({ reservation } = await book(
      n,
      [{ address: booked.address, owner: booked.owner.publicKey }],
      3,
      { kind: "container", image: "ghcr.io/iogrid/llm:1", ports: [8000] },
    ));
  });

  async function chainDevices(): Promise<MarketDevice[]> {
    return fetchMarketDevices(app.n.net.connection);
  }

  it("lists every device with the chain's values, filters and sorts them", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    await app.open("#/devices");
    await app.waitFor(page.getByTestId("device-row").first());
    const devices = await chainDevices();
    expect(devices).to.have.length(5);
    const rules = decodeStakingConfig(
      (await connection.getAccountInfo(stakingConfigPda().address))!.data,
    );
    const expectedRow = (d: MarketDevice): string[] => [
      d.device.name,
      d.device.gpuModel,
      String(d.device.specs.gpuCount),
      String(d.device.specs.vramMib),
      d.device.region,
      formatIosd(big(d.device.pricePerGpuHour)),
      formatBps(d.device.availability.reputationBps),
      deviceListStatus(d.device),
      formatIo(deviceStake(d, rules).qualifying),
    ];
    const byAddress = new Map(devices.map((d) => [d.address.toBase58(), d]));
    const rowsShown = async (): Promise<string[][]> => {
      const rows = page.getByTestId("device-row");
      const out: string[][] = [];
      for (let i = 0; i < (await rows.count()); i++) {
        out.push(await rows.nth(i).locator("td").allTextContents());
      }
      return out;
    };
    const addressesShown = (): Promise<string[]> =>
      page
        .getByTestId("device-row")
        .evaluateAll((rows) =>
          rows.map((r) => (r as unknown as { dataset: { address: string } }).dataset.address),
        );

    expect(await page.getByTestId("devices-count").textContent()).to.equal("5 of 5 devices");
    const shown = await rowsShown();
    const order = await addressesShown();
    expect(shown).to.deep.equal(order.map((a) => expectedRow(byAddress.get(a)!)));
    // The chain's statuses: one reserved by the booking, one paused, the rest active.
    expect(shown.map((r) => r[7]).sort()).to.deep.equal([
      "active",
      "active",
      "active",
      "paused",
      "reserved",
    ]);
    // Stake as the chain holds it: the unstaked device shows 0, the others their minimum.
    const unstaked = byAddress.get(seeded[4]!.address.toBase58())!;
    expect(deviceStake(unstaked, rules).qualifying).to.equal(0n);
    expect(deviceStake(byAddress.get(seeded[0]!.address.toBase58())!, rules).met).to.equal(true);

    await page.getByLabel("Sort by").selectOption("price-asc");
    const prices = (await rowsShown()).map((r) => r[5]);
    expect(prices).to.deep.equal(
      [...devices]
        .sort((a, b) => Number(big(a.device.pricePerGpuHour) - big(b.device.pricePerGpuHour)))
        .map((d) => formatIosd(big(d.device.pricePerGpuHour))),
    );

    await page.getByLabel("GPU model").selectOption(H100);
    await page.getByLabel("Region").selectOption("eu-west");
    expect(await page.getByTestId("devices-count").textContent()).to.equal("2 of 5 devices");
    expect((await rowsShown()).map((r) => r[0])).to.deep.equal(["h100-eu-a", "h100-eu-unstaked"]);
    await page.getByLabel("Sort by").selectOption("price-desc");
    expect((await rowsShown()).map((r) => r[0])).to.deep.equal(["h100-eu-unstaked", "h100-eu-a"]);

    await page.getByLabel("GPU model").selectOption("");
    await page.getByLabel("Region").selectOption("");
    await page.getByLabel("Status").selectOption("reserved");
    expect((await rowsShown()).map((r) => r[0])).to.deep.equal(["h100-us"]);
    await page.getByLabel("Status").selectOption("paused");
    expect((await rowsShown()).map((r) => r[0])).to.deep.equal(["a100-us-paused"]);
    await app.screenshot("devices-1280");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("shows a device's hardware, stake, reputation, uptime and bookings as the chain holds them", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    const target = seeded[1]!;
    await app.open("#/devices");
    await app.waitFor(page.getByTestId("device-row").first());
    await page.getByRole("link", { name: "h100-us" }).click();
    await app.waitFor(page.getByTestId("device-booking").first());
    expect(new URL(page.url()).hash).to.equal(`#/device/${target.address.toBase58()}`);
    const d = (await chainDevices()).find((x) => x.address.equals(target.address))!;
    const rules = decodeStakingConfig(
      (await connection.getAccountInfo(stakingConfigPda().address))!.data,
    );
    const a = d.device.availability;
    const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
    expect(await text("device-name")).to.equal("h100-us");
    expect(await text("device-status")).to.equal("reserved");
    expect(await text("device-price")).to.equal(formatIosd(big(d.device.pricePerGpuHour)));
    expect(await text("device-reputation")).to.equal(formatBps(a.reputationBps));
    expect(await text("device-stake")).to.equal(formatIo(deviceStake(d, rules).qualifying));
    expect(await text("device-min-stake")).to.equal(formatIo(deviceStake(d, rules).minimum));
    expect(await text("device-passes")).to.equal(String(a.passes));
    expect(await text("device-failures")).to.equal(String(a.failures));
    expect(await text("device-uptime-streak")).to.equal(String(a.uptimeStreak));
    expect(await text("device-completed")).to.equal(String(a.reservationsCompleted));
    expect(await text("hw-GPUs")).to.equal("4");
    expect(await text("hw-GPU model")).to.equal(H100);
    expect(await text("hw-Owner")).to.equal(target.owner.publicKey.toBase58());
    expect(await text("hw-Agent key")).to.equal(target.agent.publicKey.toBase58());
    expect(await text("hw-Region")).to.equal("us-east");

    const bookings = await fetchDeviceBookings(connection, target.address);
    expect(bookings).to.have.length(1);
    const cells = await page.getByTestId("device-booking").first().locator("td").allTextContents();
    expect(cells[0]).to.equal(reservation.toBase58());
    expect(cells[3]).to.equal("3");
    expect(cells[4]).to.equal(formatIosd(big(bookings[0]!.booking.pricePerHour)));
    expect(cells[6]).to.equal("starting");
    await app.screenshot("device-1280");

    // A device without bookings says so.
    await app.open(`#/device/${seeded[0]!.address.toBase58()}`);
    await app.waitFor(page.getByTestId("device-no-bookings"));
    expect(await text("device-status")).to.equal("active");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("renders a bounded window of rows however long the list", () => {
    expect(visibleWindow(0, 540, 10_000)).to.deep.equal({ start: 0, end: 23 });
    expect(visibleWindow(36 * 5_000, 540, 10_000)).to.deep.equal({ start: 4_992, end: 5_023 });
    expect(visibleWindow(36 * 20_000, 540, 10_000)).to.deep.equal({ start: 10_000, end: 10_000 });
    expect(visibleWindow(0, 540, 3)).to.deep.equal({ start: 0, end: 3 });
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      address: `a${String(i).padStart(5, "0")}`,
      name: "",
      gpuModel: i % 2 ? H100 : A100,
      gpuCount: 1,
      vramMib: 1,
      region: "eu-west",
      price: BigInt(i % 97),
      reputationBps: i % 10_000,
      status: "active" as const,
      stake: 0n,
      stakeMet: true,
    }));
    const sorted = filterRows(rows, { gpuModel: H100, region: "", status: "", sort: "price-asc" });
    expect(sorted).to.have.length(5_000);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i - 1]!.price <= sorted[i]!.price).to.equal(true);
    }
  });
});
