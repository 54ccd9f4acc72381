import { expect } from "chai";
import { Keypair } from "@solana/web3.js";
import {
  IOSD_DECIMALS,
  IO_DECIMALS,
  REGISTRY_PROGRAM_ID,
  deviceSizeFilter,
  ioMintPda,
  iosdMintPda,
  registerDeviceIx,
} from "@iogrid/sdk";
import { getMint } from "@solana/spl-token";
import { H100_SERVER_SPECS, fundedKeypair, sendDistinct } from "../../tests/support/chain.js";
import type { Network } from "../../agent/test/support/network.js";
import { formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";

describe("app: explorer home against a local chain", function () {
  this.timeout(120_000);
  const app = appSuite(async (n: Network) => {
    const owner = await fundedKeypair(n.net.connection, 10);
    const models = ["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3", "NVIDIA A100 80GB"];
    for (const [i, gpuModel] of models.entries()) {
      const agent = Keypair.generate();
      await sendDistinct(
        n.net.connection,
        await registerDeviceIx(n.registry, {
          owner: owner.publicKey,
          deviceId: `app-device-${i}`,
          name: `rig ${i}`,
          gpuModel,
          region: "eu-west",
          specs: H100_SERVER_SPECS,
          pricePerGpuHour: 2_500_000n,
          agent: agent.publicKey,
        }),
        [owner, agent],
      );
    }
  });

  it("shows the device count and token supplies the chain holds, to the unit", async () => {
    const { connection } = app.n.net;
    const page = app.page;
    await app.open();
    await app.waitFor(page.getByTestId("devices-total"));

    const devices = await connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
      filters: [deviceSizeFilter()],
      dataSlice: { offset: 0, length: 0 },
    });
    const io = await getMint(connection, ioMintPda().address);
    const iosd = await getMint(connection, iosdMintPda().address);
    expect(devices.length).to.equal(3);
    expect(await page.getByTestId("devices-total").textContent()).to.equal(String(devices.length));
    expect(await page.getByTestId("devices-active").textContent()).to.equal("3");
    expect(await page.getByTestId("io-supply").textContent()).to.equal(
      formatUnits(io.supply, IO_DECIMALS),
    );
    expect(await page.getByTestId("iosd-supply").textContent()).to.equal(
      formatUnits(iosd.supply, IOSD_DECIMALS),
    );
    const rows = page
      .getByRole("table", { name: "Active hardware by GPU model" })
      .locator("tbody tr");
    expect(await rows.allTextContents()).to.deep.equal([
      "NVIDIA A100 80GB1",
      "NVIDIA H100 80GB HBM32",
    ]);
    await app.screenshot("home-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await app.screenshot("home-390");
    await page.setViewportSize({ width: 1280, height: 900 });

    // The cluster came from the query and is kept for the next visit without it.
    await page.goto(app.url);
    await app.waitFor(page.getByTestId("devices-total"));
    expect(await page.getByTestId("devices-total").textContent()).to.equal("3");
    expect(app.browser.errors).to.deep.equal([]);
  });
});
