/**
 * The whole network as a renter and two owners meet it, on one `npm start --no-build` (free
 * ports, a temporary state directory): in headless chromium with the local wallet the renter
 * reserves the three devices for a Ray workload paying IOSD on the Cloud page; the agents start a
 * 3-node Ray cluster and acknowledge (the page shows each start); the renter opens the relay
 * tunnel to the head's job API (`iogrid ray`) and submits a Ray job whose tasks run on all three
 * nodes, its result checked; the renter extends once on the page; the keeper probes and attests
 * every agent during the reservation; after the end the keeper settles; the owners claim their
 * availability rewards; every balance moved is checked to the unit with the sdk's mirrors of the
 * programs' fee rules, and the cluster card shows the reservation ended and settled. Then the
 * same again with the keeper and a worker's agent SIGKILLed while that agent starts its Ray node
 * (npm start, seeing a child die, stops the rest and is started again on the same state): the
 * same outcome, each start acknowledged once and each booking settled once.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { Connection, PublicKey, Transaction } from "@solana/web3.js";
import type { Keypair } from "@solana/web3.js";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAccount,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import type { Page } from "playwright-core";

import {
  availabilityEpochAt,
  availabilityEpochPda,
  claimAvailabilityRewardsIx,
  claimableEarnings,
  configPda,
  devicePda,
  decodeAvailabilityEpoch,
  decodeDevice,
  decodeRegistryConfig,
  decodeReservation,
  decodeStakePool,
  decodeTokenConfig,
  ending,
  epochStart,
  fetchMarketSnapshot,
  fetchReservationBookings,
  fetchReservations,
  firstBookedDevice,
  iotokenConfigPda,
  ioMintPda,
  iosdMintPda,
  keeperPda,
  paymentTerms,
  quoteExtension,
  quoteOnSnapshot,
  registryProgram,
  reservationVaultPda,
  searchDevices,
  splitAvailabilityClaim,
  splitTime,
  stakePoolPda,
  treasuryPda,
  unsettledEpochs,
} from "@iogrid/sdk";
import type { BookingEntry } from "@iogrid/sdk";
import { loadKeypair, sendAndConfirm } from "@iogrid/sdk/node";

import { openBrowser } from "../../app/test/support/browser.js";
import type { Browser } from "../../app/test/support/browser.js";
import { spawnAgent } from "../../agent/test/support/agent.js";
import type { AgentProcess } from "../../agent/test/support/agent.js";
import { rayCommand } from "../../agent/test/support/host.js";
import { RAY_JOB, rayJobSum } from "../../agent/test/support/ray-job.js";
import { IOGRID_BIN } from "../../cli/test/support/cli.js";
import { chainTime, waitFor, warpTo } from "../support/chain.js";
import { REPO_ROOT } from "../support/localnet.js";
import { freePorts, npmStart, waitForOutput } from "./support.js";
import type { StartRun } from "./support.js";

const exec = promisify(execFile);
const VITE = join(REPO_ROOT, "node_modules/vite/bin/vite.js");

const big = (v: { toString(): string }): bigint => BigInt(v.toString());

describe("end to end: a Ray cluster reserved in the browser, run, extended, attested, settled and claimed", function () {
  this.timeout(900_000);
  const stateDir = mkdtempSync(join(tmpdir(), "iogrid-e2e-"));
  let run: StartRun | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let connection: Connection;
  let appUrl: string;
  let relayUrl: string;
  let rpcUrl: string;
  let ray: string;
  let startFlags: string[];
  const tunnels: AgentProcess[] = [];
  const key = (name: string): Keypair => loadKeypair(join(stateDir, "keys", `${name}.json`));

  before(async function () {
    this.timeout(600_000);
    // The app as the sources say (npm start --no-build serves app/dist as it is).
    execFileSync(process.execPath, [VITE, "build", join(REPO_ROOT, "app"), "--logLevel", "warn"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
    ray = await rayCommand();
    const [rpc, ws, relay, app, keeper, a1, a2, a3] = await freePorts(8);
    rpcUrl = `http://127.0.0.1:${rpc}`;
    relayUrl = `ws://127.0.0.1:${relay}`;
    startFlags = [
      ...["--state-dir", stateDir, "--no-build"],
      ...["--rpc-port", String(rpc), "--ws-port", String(ws), "--relay-port", String(relay)],
      ...["--app-port", String(app), "--keeper-port", String(keeper)],
      ...["--agent-ports", `${a1},${a2},${a3}`],
      // Ray's ranges away from another network's on this machine (the default is 20000).
      ...["--ray-ports", String(23_000 + Math.floor(Math.random() * 39) * 1_000)],
    ];
    run = npmStart(startFlags);
    await waitForOutput(run, /iogrid is running[\s\S]*try:[\s\S]*iogrid-keeper/, 480_000);
    appUrl = (JSON.parse(readFileSync(join(stateDir, "run.json"), "utf8")) as { appUrl: string })
      .appUrl;
    connection = new Connection(rpcUrl, {
      commitment: "confirmed",
      wsEndpoint: `ws://127.0.0.1:${ws}`,
    });
    browser = await openBrowser();
    page = browser.page;
  });

  after(async function () {
    for (const t of tunnels) await t.stop(5_000);
    await browser?.close();
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      process.kill(-run.child.pid!, "SIGINT");
      const timer = setTimeout(() => process.kill(-run!.child.pid!, "SIGKILL"), 60_000);
      await run.exited;
      clearTimeout(timer);
    }
    // A failure keeps the logs of every process npm start ran.
    if (this.currentTest?.state === "failed") console.log(`      logs kept in ${stateDir}/logs`);
    else rmSync(stateDir, { recursive: true, force: true });
  });

  const iosd = iosdMintPda().address;
  const io = ioMintPda().address;
  async function balance(mint: PublicKey, account: PublicKey): Promise<bigint> {
    try {
      return (await getAccount(connection, account, "confirmed")).amount;
    } catch {
      return 0n;
    }
  }
  const ata = (mint: PublicKey, owner: PublicKey): PublicKey =>
    getAssociatedTokenAddressSync(mint, owner, true);

  async function waitOnPage(locator: ReturnType<Page["locator"]>, timeout = 60_000) {
    await locator.waitFor({ timeout }).catch(async (err: unknown) => {
      const text = await page
        .locator("body")
        .innerText()
        .catch(() => "");
      throw new Error(`${String(err)}\npage: ${text}\nerrors: ${browser!.errors.join("\n")}`);
    });
  }

  async function registryState() {
    const info = await connection.getAccountInfo(configPda().address, "confirmed");
    const origin = big(decodeRegistryConfig(info!.data).epochOrigin);
    const now = BigInt(await chainTime(connection));
    return { origin, now, epoch: availabilityEpochAt(origin, now) };
  }

  /** Moves the chain's clock to a few seconds into the next hour-epoch; returns that epoch. */
  async function warpToNextEpoch(): Promise<bigint> {
    const { origin, epoch } = await registryState();
    await warpTo(connection, rpcUrl, epochStart(origin, epoch + 1n) + 5n);
    return epoch + 1n;
  }

  /** How many successful transactions ran `instruction` (its Anchor name) on `account`. */
  async function landed(account: PublicKey, instruction: string): Promise<number> {
    const signatures = await connection.getSignaturesForAddress(account, {}, "confirmed");
    let count = 0;
    for (const s of signatures.filter((x) => x.err === null)) {
      const tx = await connection.getTransaction(s.signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      if (tx?.meta?.logMessages?.some((l) => l === `Program log: Instruction: ${instruction}`))
        count += 1;
    }
    return count;
  }

  /**
   * SIGKILLs the keeper and the agent of `device` while that agent starts its Ray node for
   * `booking` (pids from run.json); npm start sees a child die and stops the rest, and is started
   * again with --no-build on the same state, as a user would.
   */
  async function crashAndRestart(booking: PublicKey, device: PublicKey): Promise<void> {
    const index = [1, 2, 3].find((i) => devicePda(`iogrid-local-${i}`).address.equals(device))!;
    const log = join(stateDir, "logs", `agent-${index}.log`);
    await waitFor(
      `agent-${index} starting its Ray node`,
      () =>
        readFileSync(log, "utf8").includes(`booking ${booking.toBase58()}: starting ray workload`)
          ? true
          : undefined,
      120_000,
      100,
    );
    const { children } = JSON.parse(readFileSync(join(stateDir, "run.json"), "utf8")) as {
      children: Record<string, number>;
    };
    process.kill(children[`agent-${index}`]!, "SIGKILL");
    process.kill(children.keeper!, "SIGKILL");
    const stopped = await run!.exited;
    expect(run!.output.join("")).to.match(/exited \(killed by SIGKILL\)/);
    expect(stopped.code, "npm start stops what it started and exits").to.not.equal(null);
    run = npmStart(startFlags);
    await waitForOutput(run, /iogrid is running[\s\S]*try:[\s\S]*iogrid-keeper/, 300_000);
  }

  async function scenario({ crash }: { crash: boolean }): Promise<void> {
    const renter = key("renter");
    const keeperWallet = key("keeper");
    const owners = [key("owner-1"), key("owner-2")];

    // The keeper's bond counts from the epoch after the one it was placed in.
    const epoch = await warpToNextEpoch();

    // The Cloud page: the three devices, a Ray workload, one hour, IOSD.
    await page.goto(appUrl + "#/cloud");
    await waitOnPage(page.getByTestId("match-row").nth(2));
    const wallet = new PublicKey((await page.getByTestId("wallet-address").textContent())!);
    expect(wallet.toBase58(), "the local wallet is the renter's key").to.equal(
      renter.publicKey.toBase58(),
    );
    const [jobPort] = await freePorts(1);
    await page.locator('input[name="devices"]').fill("3");
    await page.locator('input[name="hours"]').fill("1");
    await page.getByLabel("Pay in").selectOption("iosd");
    await page.getByLabel("Workload").selectOption("ray");
    await page.getByLabel("Command").fill("rayproject/ray:2.60.0");
    await page.getByLabel("Ports").fill(String(jobPort));

    const snapshot = await fetchMarketSnapshot(connection);
    const selection = searchDevices(snapshot, {}).slice(0, 3);
    expect(selection).to.have.length(3);
    const q = quoteOnSnapshot(snapshot, selection, 1, "iosd");
    await waitOnPage(page.getByTestId("quote"));
    const shownTotal = BigInt(
      (await page.getByTestId("quote-total-amount").getAttribute("data-units"))!,
    );
    expect(shownTotal, "the page's quote is the sdk's").to.equal(q.total);

    const renterAta = ata(iosd, renter.publicKey);
    const treasury = treasuryPda(iosd).address;
    const keeperAta = ata(iosd, keeperWallet.publicKey);
    const ownerAtas = owners.map((o) => ata(iosd, o.publicKey));
    const before = {
      renter: await balance(iosd, renterAta),
      treasury: await balance(iosd, treasury),
      keeper: await balance(iosd, keeperAta),
      owners: await Promise.all(ownerAtas.map((a) => balance(iosd, a))),
    };

    await page.getByRole("button", { name: "Deploy" }).click();
    await waitOnPage(page.getByTestId("progress-text").filter({ hasText: /^Deployed: 3 devices/ }));
    const afterDeploy = await balance(iosd, renterAta);
    expect(before.renter - afterDeploy, "the deposit is the quote").to.equal(q.total);

    const [entry] = (await fetchReservations(connection, { renter: renter.publicKey })).filter(
      (r) => r.reservation.bookingsOpen > 0,
    );
    const reservation = entry!.address;
    expect(Object.keys(entry!.reservation.workload.kind)[0]).to.equal("ray");

    if (crash) {
      const booked = await fetchReservationBookings(connection, reservation);
      const first = firstBookedDevice(booked)!;
      const worker = booked.find((b) => !b.booking.device.equals(first))!;
      // Off the app while the network is down (its websocket would log refused connections).
      await page.goto("about:blank");
      await crashAndRestart(worker.address, worker.booking.device);
      await page.goto(appUrl + "#/clusters");
    }

    // The agents start a 3-node Ray cluster; the page shows each device's start.
    const card = page.locator(`[data-testid="cluster"][data-address="${reservation.toBase58()}"]`);
    for (const d of selection) {
      await waitOnPage(
        card
          .locator(`[data-testid="cluster-device"][data-device="${d.address.toBase58()}"]`)
          .getByTestId("cluster-device-status")
          .filter({ hasText: /^started$/ }),
        300_000,
      );
    }
    expect(await card.getByTestId("cluster-started").textContent()).to.equal("3 of 3");

    // The renter reaches the head's job API through the relay and runs a job on all three nodes.
    const head = firstBookedDevice(await fetchReservationBookings(connection, reservation))!;
    const jobDir = mkdtempSync(join(tmpdir(), "iogrid-e2e-job-"));
    writeFileSync(join(jobDir, "job.py"), RAY_JOB);
    const tunnel = spawnAgent(
      "iogrid-ray",
      [
        ...["ray", reservation.toBase58(), "--url", rpcUrl],
        ...["--keypair", join(stateDir, "keys", "renter.json"), "--relay", relayUrl, "--json"],
      ],
      { bin: IOGRID_BIN },
    );
    tunnels.push(tunnel);
    const line = await tunnel.waitForLine(/"rayAddress"/, 60_000);
    const t = JSON.parse(line) as { rayAddress: string; head: string; devicePort: number };
    expect(t.head).to.equal(head.toBase58());
    expect(t.devicePort).to.equal(jobPort);
    const job = await exec(
      ray,
      [
        ...["job", "submit", "--address", t.rayAddress, "--working-dir", jobDir],
        ...["--", "python", "job.py"],
      ],
      {
        env: { ...process.env, RAY_USAGE_STATS_ENABLED: "0" },
        maxBuffer: 16 << 20,
        timeout: 300_000,
      },
    );
    const result = /RESULT (\d+) (\d+) (\d+)/.exec(job.stdout);
    expect(result, job.stdout + job.stderr).to.not.equal(null);
    expect(Number(result![1]), "nodes").to.equal(3);
    expect(Number(result![2]), "nodes that ran a task").to.equal(3);
    expect(BigInt(result![3]!)).to.equal(rayJobSum(3));
    await tunnel.stop(5_000);
    rmSync(jobDir, { recursive: true, force: true });

    // Extend by an hour on the page: its quote is the sdk's and what leaves the wallet.
    const booked = await fetchReservationBookings(connection, reservation);
    const fresh = await fetchMarketSnapshot(connection);
    const terms = paymentTerms(fresh.tokenConfig, fresh.priceFeed, "iosd", fresh.now);
    const ext = quoteExtension(
      booked.map((b) => b.booking),
      1,
      terms.rates,
      terms.ioPrice,
    );
    await card.getByLabel("Add hours").fill("1");
    await waitOnPage(card.getByTestId("extend-quote"));
    expect(
      BigInt((await card.getByTestId("extend-quote-amount").getAttribute("data-units"))!),
    ).to.equal(ext.total);
    await card.getByRole("button", { name: "Extend" }).click();
    await waitOnPage(page.getByTestId("progress-text").filter({ hasText: /extended by 1 h/ }));
    const afterExtend = await balance(iosd, renterAta);
    expect(afterDeploy - afterExtend, "the extension's quote").to.equal(ext.total);

    // The keeper attests every agent in this epoch, while the reservation runs.
    const keeperAccount = keeperPda(keeperWallet.publicKey).address;
    for (const d of selection) {
      await waitFor(
        `the keeper's attestation of ${d.device.name} in epoch ${epoch}`,
        async () => {
          const info = await connection.getAccountInfo(d.address, "confirmed");
          const a = decodeDevice(info!.data).availability;
          return big(a.lastPassEpoch) === epoch && a.lastAttestedBy.equals(keeperAccount)
            ? true
            : undefined;
        },
        180_000,
        1_000,
      );
    }

    // After the end, the keeper settles every booking.
    const bookings: BookingEntry[] = await fetchReservationBookings(connection, reservation);
    expect(bookings).to.have.length(3);
    const lastEnd = bookings.reduce(
      (m, b) => (big(b.booking.endsAt) > m ? big(b.booking.endsAt) : m),
      0n,
    );
    await warpTo(connection, rpcUrl, lastEnd + 5n);
    const settledAt = await waitFor(
      "the keeper's settlement",
      async () => {
        const info = await connection.getAccountInfo(reservation, "confirmed");
        const r = decodeReservation(info!.data);
        return r.bookingsOpen === 0 ? r : undefined;
      },
      120_000,
      1_000,
    );

    // Each start acknowledged once, each booking settled once.
    for (const b of bookings) {
      expect(await landed(b.address, "AcknowledgeStart"), "one acknowledgement").to.equal(1);
      expect(await landed(b.address, "SettleBookings"), "one settlement").to.equal(1);
    }

    // Every token moved, from the sdk's mirrors of the market's fee rules.
    const tokenInfo = await connection.getAccountInfo(iotokenConfigPda().address, "confirmed");
    const fees = decodeTokenConfig(tokenInfo!.data).fees;
    const ownerPay = new Map<string, bigint>();
    let treasuryIn = 0n;
    let tips = 0n;
    let refunds = 0n;
    for (const b of bookings) {
      const x = b.booking;
      const end = ending(x, lastEnd + 5n, null, null)!;
      expect(end.outcome).to.equal("completed");
      const split = splitTime(
        big(x.charges.time),
        end.deliveredSecs,
        big(x.endsAt) - big(x.bookedAt),
        fees.networkFeeBps,
        0,
      );
      const owner = x.owner.toBase58();
      ownerPay.set(owner, (ownerPay.get(owner) ?? 0n) + split.ownerPay);
      const tip = big(x.charges.tip);
      treasuryIn +=
        split.networkFee + big(x.charges.reservationFee) - tip + big(x.charges.paymentFee);
      tips += tip;
      refunds += split.refund;
    }
    expect(big(settledAt.ledger.refunds)).to.equal(refunds);
    expect(big(settledAt.ledger.tips)).to.equal(tips);
    for (const [i, o] of owners.entries()) {
      expect(
        (await balance(iosd, ownerAtas[i]!)) - before.owners[i]!,
        `owner-${i + 1}'s job pay`,
      ).to.equal(ownerPay.get(o.publicKey.toBase58()) ?? 0n);
    }
    expect((await balance(iosd, treasury)) - before.treasury, "the treasury's fees").to.equal(
      treasuryIn,
    );
    expect((await balance(iosd, keeperAta)) - before.keeper, "the keeper's tips").to.equal(tips);
    expect(
      await balance(iosd, reservationVaultPda(reservation).address),
      "the vault holds the refund owed",
    ).to.equal(refunds);

    // The cluster card: ended, every booking settled.
    await page.goto("about:blank");
    await page.goto(appUrl + "#/clusters");
    await waitOnPage(card.getByTestId("cluster-settled").filter({ hasText: /^3$/ }));
    expect(await card.locator("h3").textContent()).to.match(/ended/);

    // The renter settles what is left on the page: the refund owed comes back, the card closes.
    await card.getByRole("button", { name: "Settle and claim…" }).click();
    await waitOnPage(card.getByTestId("cancel-preview"));
    expect(BigInt((await card.getByTestId("cancel-back").getAttribute("data-units"))!)).to.equal(
      refunds,
    );
    await card.getByRole("button", { name: "Settle and refund" }).click();
    await waitOnPage(page.getByTestId("progress-text").filter({ hasText: /cancelled|back/ }));
    expect(await balance(iosd, renterAta), "the renter's IOSD").to.equal(
      before.renter - q.total - ext.total + refunds,
    );
    expect(await connection.getAccountInfo(reservation, "confirmed")).to.equal(null);

    // The epoch closes; each owner claims its devices' availability rewards to the unit.
    const record = await waitFor(
      `epoch ${epoch} closed`,
      async () => {
        const info = await connection.getAccountInfo(availabilityEpochPda(epoch).address);
        const r = info ? decodeAvailabilityEpoch(info.data) : null;
        return r?.closed ? r : undefined;
      },
      120_000,
      1_000,
    );
    expect(record.devicesAttested >= 3).to.equal(true);
    const registry = registryProgram();
    for (const d of selection) {
      const owner = owners.find((o) => o.publicKey.equals(d.device.owner))!;
      const deviceInfo = await connection.getAccountInfo(d.address, "confirmed");
      const earnings = decodeDevice(deviceInfo!.data).availability.earnings;
      const epochs = unsettledEpochs(earnings);
      const closed = [];
      for (const e of epochs) {
        const info = await connection.getAccountInfo(availabilityEpochPda(e).address);
        if (info && decodeAvailabilityEpoch(info.data).closed)
          closed.push(decodeAvailabilityEpoch(info.data));
      }
      // Accrued and unclaimed after settling the closed epochs: what the claim pays.
      const amount = claimableEarnings(earnings, closed, "devices");
      expect(amount > 0n, `${d.device.name} earned`).to.equal(true);
      const poolInfo = await connection.getAccountInfo(
        stakePoolPda(d.address, owner.publicKey).address,
      );
      const split = splitAvailabilityClaim(amount, decodeStakePool(poolInfo!.data));
      const destination = ata(io, owner.publicKey);
      const ioBefore = await balance(io, destination);
      await sendAndConfirm(
        connection,
        new Transaction().add(
          createAssociatedTokenAccountIdempotentInstruction(
            owner.publicKey,
            destination,
            owner.publicKey,
            io,
          ),
          await claimAvailabilityRewardsIx(registry, {
            owner: owner.publicKey,
            device: d.address,
            destination,
            closedEpochs: closed.map((r) => big(r.epoch)),
          }),
        ),
        [owner],
      );
      expect((await balance(io, destination)) - ioBefore, `${d.device.name}'s rewards`).to.equal(
        split.toOwner,
      );
    }
    expect(browser!.errors, "no console errors").to.deep.equal([]);
  }

  it("reserves, runs a Ray job, extends, is attested, settles, pays and claims to the unit", () =>
    scenario({ crash: false }));

  it("the same with the keeper and an agent SIGKILLed mid-reservation: each start acknowledged once, each booking settled once", () =>
    scenario({ crash: true }));
});
