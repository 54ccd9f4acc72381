import { expect } from "chai";
import { LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import {
  IO,
  IOSD_DECIMALS,
  IO_DECIMALS,
  PRICE_DECIMALS,
  decodePriceFeed,
  decodeTokenConfig,
  feedUsablePrice,
  iosdForIo,
  iosdMintPda,
  ioMintPda,
  iotokenConfigPda,
  priceFeedPda,
  publishPriceIx,
} from "@iogrid/sdk";
import {
  getAccount,
  getAssociatedTokenAddressSync,
  getOrCreateAssociatedTokenAccount,
  transfer,
} from "@solana/spl-token";
import { chainTime, sendDistinct } from "../../tests/support/chain.js";
import { formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";

describe("app: local wallet and the token page's burn IO -> IOSD", function () {
  this.timeout(180_000);
  const app = appSuite();

  async function balanceOf(mint: PublicKey, owner: PublicKey): Promise<bigint> {
    const address = getAssociatedTokenAddressSync(mint, owner);
    try {
      return (await getAccount(app.n.net.connection, address, "confirmed")).amount;
    } catch {
      return 0n;
    }
  }

  it("airdrops SOL, burns IO for the IOSD the sdk predicts, and names a refusal", async () => {
    const { connection, rpcUrl } = app.n.net;
    const n = app.n;
    const page = app.page;
    await app.open("#/token");
    await app.waitFor(page.getByTestId("io-balance"));
    const owner = new PublicKey((await page.getByTestId("wallet-address").textContent())!);
    expect(await page.getByTestId("io-balance").textContent()).to.equal("0");

    await page.getByRole("button", { name: "Airdrop 2 SOL" }).click();
    await page
      .getByTestId("sol-balance")
      .filter({ hasText: /^2 SOL$/ })
      .waitFor();
    expect(await connection.getBalance(owner, "confirmed")).to.equal(2 * LAMPORTS_PER_SOL);

    // A fresh price (the network's is minutes old by now), then IO from the community allocation.
    await sendDistinct(
      connection,
      await publishPriceIx(n.iotoken, {
        updater: n.admin.publicKey,
        price: 50_000_000n,
        confidence: 100_000n,
        publishTime: BigInt(await chainTime(connection)),
      }),
      [n.admin],
    );
    const ioAta = await getOrCreateAssociatedTokenAccount(
      connection,
      n.admin,
      ioMintPda().address,
      owner,
    );
    await transfer(connection, n.admin, n.community, ioAta.address, n.admin, 100n * IO);
    await page.getByTestId("io-balance").filter({ hasText: /^100$/ }).waitFor();

    const config = decodeTokenConfig(
      (await connection.getAccountInfo(iotokenConfigPda().address))!.data,
    );
    const feed = decodePriceFeed((await connection.getAccountInfo(priceFeedPda().address))!.data);
    const price = feedUsablePrice(feed, config.oracle, await chainTime(connection));
    const burn = 25n * IO;
    const expectedIosd = iosdForIo(burn, price);
    expect(expectedIosd > 0n).to.equal(true);
    expect(await page.getByTestId("burn-price").textContent()).to.equal(
      formatUnits(price, PRICE_DECIMALS),
    );
    expect(await page.getByTestId("breaker-room").textContent()).to.match(/IOSD/);

    const ioBefore = await balanceOf(ioMintPda().address, owner);
    const iosdBefore = await balanceOf(iosdMintPda().address, owner);
    await page.locator('input[name="io-amount"]').fill("25");
    expect(await page.getByTestId("burn-quote").textContent()).to.equal(
      `You receive ${formatUnits(expectedIosd, IOSD_DECIMALS)} IOSD`,
    );
    await page.getByRole("button", { name: "Burn" }).click();
    await page.locator('[data-testid="tx-status"][data-state="confirmed"]').waitFor();
    const href = await page
      .getByRole("link", { name: "View on Solana Explorer" })
      .getAttribute("href");
    expect(href).to.match(
      new RegExp(`^https://explorer\\.solana\\.com/tx/\\w+\\?cluster=custom&customUrl=`),
    );
    expect(href).to.contain(encodeURIComponent(rpcUrl));

    const ioAfter = await balanceOf(ioMintPda().address, owner);
    const iosdAfter = await balanceOf(iosdMintPda().address, owner);
    expect(ioBefore - ioAfter).to.equal(burn);
    expect(iosdAfter - iosdBefore).to.equal(expectedIosd);
    await page
      .getByTestId("io-balance")
      .filter({ hasText: `${formatUnits(ioAfter, IO_DECIMALS)}` })
      .waitFor();
    expect(await page.getByTestId("io-balance").textContent()).to.equal("75");
    await page
      .getByTestId("iosd-balance")
      .filter({ hasText: formatUnits(iosdAfter, IOSD_DECIMALS) })
      .waitFor();
    expect(await page.getByTestId("iosd-balance").textContent()).to.equal(
      formatUnits(iosdAfter, IOSD_DECIMALS),
    );
    await app.screenshot("token-1280");

    // More IO than the wallet holds: refused on the page, nothing signed or sent.
    const signatures = await connection.getSignaturesForAddress(owner, {}, "confirmed");
    await page.locator('input[name="io-amount"]').fill("75.00000001");
    expect(await page.getByTestId("burn-refusal").textContent()).to.equal(
      "You hold 75 IO: you cannot burn more than that.",
    );
    expect(await page.getByRole("button", { name: "Burn" }).isDisabled()).to.equal(true);
    await page
      .locator("form.burn")
      .evaluate((form) => (form as unknown as { requestSubmit(): void }).requestSubmit());
    expect(await page.getByTestId("tx-status").getAttribute("data-state")).to.equal("confirmed");
    expect(await connection.getSignaturesForAddress(owner, {}, "confirmed")).to.deep.equal(
      signatures,
    );
    await page.locator('input[name="io-amount"]').fill("75");
    expect(await page.getByTestId("burn-quote").textContent()).to.match(/^You receive /);

    // Asking for more IOSD than 1 IO buys: the program refuses and the page names why.
    await page.locator('input[name="io-amount"]').fill("1");
    await page.locator('input[name="min-iosd-out"]').fill("1000");
    await page.getByRole("button", { name: "Burn" }).click();
    await page.locator('[data-testid="tx-status"][data-state="failed"]').waitFor();
    expect(await page.getByTestId("tx-error-name").textContent()).to.equal("SlippageExceeded");
    expect(await page.getByTestId("tx-status").textContent()).to.contain(
      "IOSD out is below the minimum asked for",
    );
    expect(await balanceOf(ioMintPda().address, owner)).to.equal(ioAfter);
    await page.setViewportSize({ width: 390, height: 844 });
    await app.screenshot("token-390");
    expect(app.browser.errors).to.deep.equal([]);
  });
});
