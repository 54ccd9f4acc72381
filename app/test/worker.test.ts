/**
 * The supplier's flow in a real browser on a local chain: the agent's own `registrationLink`
 * (what `iogrid-agent register --print-link` prints, with the registration co-signed by the agent
 * key) opened with the local wallet as owner, registered, then renamed, paused, resumed and
 * repriced on #/worker; the chain is checked after every step.
 */
import { expect } from "chai";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import {
  BANDWIDTH_TIER,
  decodeDeviceAccount,
  decodeStakingConfig,
  deviceMinimumStake,
  devicePda,
  deviceStatusName,
  registryProgram,
  stakingConfigPda,
} from "@iogrid/sdk";
import type { Device, DeviceSpecs } from "@iogrid/sdk";

import { parseConfig } from "../../agent/src/config.js";
import type { AgentContext } from "../../agent/src/context.js";
import type { DetectedHardware } from "../../agent/src/detect.js";
import {
  AGENT_FUNDING_LAMPORTS,
  cosignRegistration,
  registrationLink,
} from "../../agent/src/device.js";
import { stakeDevice } from "../../agent/test/support/network.js";
import { formatBps, formatIo, formatIosd } from "../src/deviceList.js";
import { big, formatUnits } from "../src/format.js";
import { appSuite } from "./support/app.js";

const H100 = "NVIDIA H100 80GB HBM3";

describe("app: worker page adds a device from the agent's link, renames, pauses, resumes and reprices it", function () {
  this.timeout(240_000);
  const app = appSuite();
  const agent = Keypair.generate();
  const deviceId = `worker-test-${agent.publicKey.toBase58().slice(0, 8)}`;
  const device = devicePda(deviceId).address;
  const specs: DeviceSpecs = {
    gpuCount: 2,
    vramMib: 81_559,
    cpuCores: 48,
    ramMib: 515_000,
    storageGib: 3_500,
    bandwidthTier: BANDWIDTH_TIER.high,
  };
  let owner: PublicKey;
  /** The config's price as the link and the chain carry it (IOSD base units). */
  let price: bigint;

  async function chainDevice(): Promise<Device | null> {
    const info = await app.n.net.connection.getAccountInfo(device, "confirmed");
    return info ? decodeDeviceAccount(info) : null;
  }

  /** Polls the chain until `check` holds for the device (the page's confirmation came first). */
  async function chainUntil(check: (d: Device) => boolean): Promise<Device> {
    for (let i = 0; i < 60; i++) {
      const d = await chainDevice();
      if (d && check(d)) return d;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("the chain never showed the expected device state");
  }

  /**
   * An agent's context as `loadContext` makes it (config parsed by the agent's own schema, the
   * owner's wallet in it when given) and the hardware `detect` would report.
   */
  function agentContext(
    key: Keypair,
    id: string,
    owner?: PublicKey,
  ): { ctx: AgentContext; hardware: DetectedHardware } {
    const connection = app.n.net.connection;
    const config = parseConfig(
      [
        "rpc:",
        `  url: ${JSON.stringify(app.n.net.rpcUrl)}`,
        'agentKey: "/nonexistent/agent.json"',
        'workDir: "/nonexistent/work"',
        ...(owner ? [`owner: ${JSON.stringify(owner.toBase58())}`] : []),
        "device:",
        `  id: ${JSON.stringify(id)}`,
        '  name: "rack-7 gpu box"',
        "  region: eu-west",
        '  pricePerGpuHour: "2.25"',
        "  bandwidth: high",
        '  publicEndpoint: "http://203.0.113.7:7777"',
        `appUrl: ${JSON.stringify(app.url)}`,
      ].join("\n"),
    );
    const ctx: AgentContext = {
      configPath: "/nonexistent/config.yaml",
      config,
      agent: key,
      connection,
      device: devicePda(id).address,
      registry: registryProgram(),
      market: app.n.market,
      staking: app.n.staking,
    };
    const hardware = {
      gpuModel: H100,
      specs: { ...specs, bandwidthTier: BANDWIDTH_TIER.basic },
      gpuClass: null,
      gpus: [],
      cudaVersion: null,
      driverVersion: null,
      gpuStatus: "ok",
      gpuDetail: null,
      mixed: false,
      cpu: { model: "test", cores: specs.cpuCores },
      ramMib: specs.ramMib,
      diskGib: specs.storageGib,
      os: "linux",
      warnings: [],
    } as unknown as DetectedHardware;
    return { ctx, hardware };
  }

  const card = () => app.page.getByTestId(`worker-device-${device.toBase58()}`);

  it("opens the agent's link, shows its specs, and the wallet signs the co-signed registration", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    await app.open("#/worker");
    await app.waitFor(page.getByTestId("worker-empty"));
    owner = new PublicKey(await page.getByTestId("wallet-address").innerText());
    const airdrop = await connection.requestAirdrop(owner, 5 * LAMPORTS_PER_SOL);
    const latest = await connection.getLatestBlockhash();
    await connection.confirmTransaction({ signature: airdrop, ...latest }, "confirmed");

    const { ctx, hardware } = agentContext(agent, deviceId, owner);
    price = BigInt(ctx.config.device.pricePerGpuHour.toString());
    const { url, transaction } = await registrationLink(ctx, hardware);
    expect(transaction, "the link carries the agent-co-signed transaction").to.be.a("string");
    expect(url.startsWith(`${app.url}worker/add-device?`)).to.equal(true);

    await page.goto(url);
    await app.waitFor(page.getByRole("button", { name: "Sign and register" }));
    expect(page.url()).to.contain("#/worker/add");
    expect(await page.getByTestId("add-device-id").innerText()).to.equal(deviceId);
    expect(await page.getByTestId("add-name").innerText()).to.equal("rack-7 gpu box");
    expect(await page.getByTestId("add-gpu-model").innerText()).to.equal(H100);
    expect(await page.getByTestId("add-gpu-count").innerText()).to.equal("2");
    expect(await page.getByTestId("add-vram").innerText()).to.equal("81,559 MiB");
    expect(await page.getByTestId("add-cpu").innerText()).to.equal("48");
    expect(await page.getByTestId("add-bandwidth").innerText()).to.equal("high");
    expect(await page.getByTestId("add-region").innerText()).to.equal("eu-west");
    expect(await page.getByTestId("add-price").innerText()).to.equal(formatIosd(price));
    expect(await page.getByTestId("add-agent").innerText()).to.equal(agent.publicKey.toBase58());
    // The agent key had no SOL: the registration also moves its fee budget.
    expect(await page.getByTestId("add-agent-funding").innerText()).to.equal(
      `${formatUnits(BigInt(AGENT_FUNDING_LAMPORTS), 9)} SOL`,
    );
    await app.screenshot("worker-add-device");

    await page.getByRole("button", { name: "Sign and register" }).click();
    await app.waitFor(page.locator('[data-testid="tx-status"][data-state="confirmed"]'));
    await app.screenshot("worker-add-device-registered");

    const d = (await chainDevice())!;
    expect(d, "the device is on chain").to.not.equal(null);
    expect(d.owner.toBase58()).to.equal(owner.toBase58());
    expect(d.agent.toBase58()).to.equal(agent.publicKey.toBase58());
    expect(d.name).to.equal("rack-7 gpu box");
    expect(d.gpuModel).to.equal(H100);
    expect(d.region).to.equal("eu-west");
    expect(d.endpoint).to.equal("http://203.0.113.7:7777");
    expect(big(d.pricePerGpuHour)).to.equal(price);
    expect(d.specs.gpuCount).to.equal(specs.gpuCount);
    expect(d.specs.vramMib).to.equal(specs.vramMib);
    expect(d.specs.cpuCores).to.equal(specs.cpuCores);
    expect(d.specs.ramMib).to.equal(specs.ramMib);
    expect(d.specs.storageGib).to.equal(specs.storageGib);
    expect(Object.keys(d.specs.bandwidthTier)).to.deep.equal(["high"]);
    expect(deviceStatusName(d.status)).to.equal("active");
    // The registration funded the agent key's own fees.
    expect(await connection.getBalance(agent.publicKey, "confirmed")).to.be.greaterThan(0);
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("shows the device on #/worker with its status, price, reputation, stake and rewards", async () => {
    const page = app.page;
    await page.getByRole("link", { name: "See it among your devices" }).click();
    await app.waitFor(card());
    const d = (await chainDevice())!;
    const c = card();
    expect(await c.getByTestId("device-name").innerText()).to.equal("rack-7 gpu box");
    expect(await c.getByTestId("device-status").innerText()).to.equal("active");
    expect(await c.getByTestId("device-gpu").innerText()).to.equal(`2 × ${H100}`);
    expect(await c.getByTestId("device-price").innerText()).to.equal(formatIosd(price));
    expect(await c.getByTestId("device-reputation").innerText()).to.equal(
      formatBps(d.availability.reputationBps),
    );
    const stake = await c.getByTestId("device-stake").innerText();
    expect(stake.startsWith(`${formatIo(0n)} / `)).to.equal(true);
    expect(stake).to.contain("below the minimum");
    expect(await c.getByTestId("device-claimable").innerText()).to.equal(formatIo(0n));
    await app.screenshot("worker-devices");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("renames (a refused name shows the program's error), pauses, resumes and reprices the device; the chain follows each step", async () => {
    const c = card();
    const confirmed = c.locator('[data-testid="tx-status"][data-state="confirmed"]');
    const step = async (
      act: () => Promise<void>,
      check: (d: Device) => boolean,
    ): Promise<Device> => {
      await act();
      await app.waitFor(confirmed);
      return chainUntil(check);
    };

    // A name the program refuses: the page names the program's error, the chain keeps the name.
    await c.getByLabel("Name", { exact: true }).fill("x".repeat(40));
    await c.getByRole("button", { name: "Rename" }).click();
    await app.waitFor(c.locator('[data-testid="tx-status"][data-state="failed"]'));
    expect(await c.getByTestId("tx-error-name").innerText()).to.equal("InvalidName");
    expect((await chainDevice())!.name).to.equal("rack-7 gpu box");
    await app.screenshot("worker-rename-refused");

    await c.getByLabel("Name", { exact: true }).fill("rack-7 renamed");
    let d = await step(
      () => c.getByRole("button", { name: "Rename" }).click(),
      (x) => x.name === "rack-7 renamed",
    );
    expect(d.name).to.equal("rack-7 renamed");
    await app.waitFor(c.getByTestId("device-name").getByText("rack-7 renamed"));

    d = await step(
      () => c.getByRole("button", { name: "Pause" }).click(),
      (x) => deviceStatusName(x.status) === "paused",
    );
    expect(deviceStatusName(d.status)).to.equal("paused");
    await app.waitFor(c.getByRole("button", { name: "Resume" }));
    expect(await c.getByTestId("device-status").innerText()).to.equal("paused");
    await app.screenshot("worker-paused");

    d = await step(
      () => c.getByRole("button", { name: "Resume" }).click(),
      (x) => deviceStatusName(x.status) === "active",
    );
    expect(deviceStatusName(d.status)).to.equal("active");
    await app.waitFor(c.getByRole("button", { name: "Pause" }));
    expect(await c.getByTestId("device-status").innerText()).to.equal("active");

    await c.getByLabel("Price (IOSD per GPU-hour)", { exact: true }).fill("1.8");
    d = await step(
      () => c.getByRole("button", { name: "Change price" }).click(),
      (x) => big(x.pricePerGpuHour) === 1_800_000n,
    );
    expect(big(d.pricePerGpuHour)).to.equal(1_800_000n);
    await app.waitFor(c.getByTestId("device-price").getByText(formatIosd(1_800_000n)));
    // The rest of the record is untouched.
    expect(d.name).to.equal("rack-7 renamed");
    expect(d.specs.gpuCount).to.equal(specs.gpuCount);
    expect(d.owner.toBase58()).to.equal(owner.toBase58());
    await app.screenshot("worker-repriced");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("changes the endpoint and deregisters the device; the chain shows it gone", async () => {
    const page = app.page;
    const c = card();
    await c.getByLabel("Endpoint", { exact: true }).fill("http://203.0.113.8:7777");
    await c.getByRole("button", { name: "Change endpoint" }).click();
    const d = await chainUntil((x) => x.endpoint === "http://203.0.113.8:7777");
    expect(d.endpoint).to.equal("http://203.0.113.8:7777");
    await app.waitFor(c.getByTestId("device-endpoint").getByText("http://203.0.113.8:7777"));

    await c.getByRole("button", { name: "Deregister" }).click();
    await c.getByRole("button", { name: "Yes, deregister" }).click();
    for (let i = 0; i < 60 && (await chainDevice()) !== null; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await chainDevice(), "the device account is closed").to.equal(null);
    await app.waitFor(page.getByTestId("worker-empty"));
    await app.screenshot("worker-deregistered");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("registers from a link without an owner: the agent co-signs the app's transaction, then the stake shows as met", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    const agentB = Keypair.generate();
    const idB = `worker-cosign-${agentB.publicKey.toBase58().slice(0, 8)}`;
    const deviceB = devicePda(idB).address;
    const { ctx, hardware } = agentContext(agentB, idB);
    const { url, transaction } = await registrationLink(ctx, hardware);
    expect(transaction, "no owner in the config: no transaction in the link").to.equal(undefined);

    await page.goto(url);
    await page.getByRole("button", { name: "Prepare the transaction for the agent" }).click();
    const command = await page.getByTestId("cosign-command").innerText();
    const prefix = "iogrid-agent register --cosign ";
    expect(command.startsWith(prefix)).to.equal(true);
    // What `iogrid-agent register --cosign` does on the machine.
    const cosigned = await cosignRegistration(ctx, hardware, command.slice(prefix.length).trim());
    await page.getByLabel("Co-signed transaction (base64)").fill(cosigned);
    await page.getByRole("button", { name: "Sign and register" }).click();
    await app.waitFor(page.locator('[data-testid="tx-status"][data-state="confirmed"]'));
    const info = await connection.getAccountInfo(deviceB, "confirmed");
    expect(info, "the device is on chain").to.not.equal(null);
    const d = decodeDeviceAccount(info!);
    expect(d.owner.toBase58()).to.equal(owner.toBase58());
    expect(d.agent.toBase58()).to.equal(agentB.publicKey.toBase58());
    expect(d.name).to.equal("rack-7 gpu box");

    // The owner (the browser's local wallet) stakes the device to its minimum.
    const secret = await page.evaluate<string | null>(
      'window.localStorage.getItem("iogrid.localWallet")',
    );
    const ownerKeypair = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(secret!) as number[]));
    expect(ownerKeypair.publicKey.toBase58()).to.equal(owner.toBase58());
    const staked = await stakeDevice(app.n, ownerKeypair, deviceB);
    const rules = decodeStakingConfig(
      (await connection.getAccountInfo(stakingConfigPda().address))!.data,
    );
    expect(staked).to.equal(deviceMinimumStake(rules, H100, specs.gpuCount));

    await app.open("#/worker");
    const cardB = page.getByTestId(`worker-device-${deviceB.toBase58()}`);
    await app.waitFor(cardB);
    expect(await cardB.getByTestId("device-stake").innerText()).to.equal(
      `${formatIo(staked)} / ${formatIo(staked)}`,
    );
    await app.screenshot("worker-staked");
    // At a phone's width nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, "page width at 390 px").to.be.at.most(390);
      await app.screenshot("worker-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("refuses to sign a link for another owner or one whose transaction does more, and names a bad link's problem", async () => {
    const page = app.page;
    const other = Keypair.generate().publicKey;
    const agentC = Keypair.generate();
    const { ctx, hardware } = agentContext(
      agentC,
      `worker-other-${other.toBase58().slice(0, 8)}`,
      other,
    );
    const { url } = await registrationLink(ctx, hardware);
    await page.goto(url);
    await app.waitFor(page.getByTestId("owner-mismatch"));
    expect(await page.getByTestId("owner-mismatch").innerText()).to.contain(other.toBase58());
    expect(await page.getByRole("button", { name: "Sign and register" }).isDisabled()).to.equal(
      true,
    );
    await app.screenshot("worker-add-device-other-owner");

    // A link whose transaction also pays someone else is refused before the wallet signs.
    const mine = agentContext(
      Keypair.generate(),
      `worker-tampered-${other.toBase58().slice(0, 6)}`,
      owner,
    );
    const honest = await registrationLink(mine.ctx, mine.hardware);
    const tampered = Transaction.from(Buffer.from(honest.transaction!, "base64")).add(
      SystemProgram.transfer({ fromPubkey: owner, toPubkey: other, lamports: LAMPORTS_PER_SOL }),
    );
    const tamperedUrl = new URL(honest.url);
    tamperedUrl.searchParams.set(
      "tx",
      tampered
        .serialize({ requireAllSignatures: false, verifySignatures: false })
        .toString("base64"),
    );
    const before = await app.n.net.connection.getBalance(owner, "confirmed");
    await page.goto(tamperedUrl.toString());
    await page.getByRole("button", { name: "Sign and register" }).click();
    await app.waitFor(
      page.getByText(
        "Refusing to sign: it carries an instruction other than this device's registration.",
      ),
    );
    expect(await page.getByTestId("tx-status").count()).to.equal(0);
    expect(await app.n.net.connection.getBalance(owner, "confirmed")).to.equal(before);
    expect(await app.n.net.connection.getAccountInfo(mine.ctx.device)).to.equal(null);

    await page.goto(url.replace(/&agent=[^&]*/, ""));
    await app.waitFor(page.getByText("the add-device link has no agent"));
    expect(app.browser.errors).to.deep.equal([]);
  });
});
