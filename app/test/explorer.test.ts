import { expect } from "chai";
import { Keypair } from "@solana/web3.js";
import type { Server } from "node:http";
import { join } from "node:path";
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
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { formatUnits } from "../src/format.js";
import { ARTIFACTS, openBrowser, serveDist } from "./support/browser.js";
import type { Browser } from "./support/browser.js";

describe("app: explorer home against a local chain", function () {
  this.timeout(120_000);
  let n: Network;
  let server: Server;
  let url: string;
  let browser: Browser;

  before(async () => {
    n = await startNetwork();
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
    ({ url, server } = await serveDist());
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await n?.net.stop();
  });

  it("shows the device count and token supplies the chain holds, to the unit", async () => {
    const { connection, rpcUrl, wsUrl } = n.net;
    const page = browser.page;
    await page.goto(`${url}?rpc=${encodeURIComponent(rpcUrl)}&ws=${encodeURIComponent(wsUrl)}`);
    await page.getByTestId("devices-total").waitFor();

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
    await page.screenshot({ path: join(ARTIFACTS, "home-1280.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "home-390.png"), fullPage: true });

    // The cluster came from the query and is kept for the next visit without it.
    await page.goto(url);
    await page.getByTestId("devices-total").waitFor();
    expect(await page.getByTestId("devices-total").textContent()).to.equal("3");
    expect(browser.errors).to.deep.equal([]);
  });
});
