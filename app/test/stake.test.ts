/**
 * The holder's flow on the Stake & Govern page in a real browser on a local chain, with the local
 * wallet: co-stake on a device with a two-year lock (the 2.5× multiplier shown), the position
 * shown, a proposal raising the minimum stake base created, voted with the weight shown (the
 * vote record's to the unit), finalised and executed once the timelock has passed (local-chain
 * time travel), the staking config changed; refusals (execute in the timelock, unstake while
 * locked, withdraw in the cooldown) named by the program's error; an unlocked co-stake unstaked
 * with its cooldown's end shown and withdrawn after it; a device of the wallet's own given a pool
 * and self-staked. The chain is checked after every step.
 */
import { expect } from "chai";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import type { Locator } from "playwright-core";
import {
  getAccount,
  getAssociatedTokenAddressSync,
  getOrCreateAssociatedTokenAccount,
  transfer,
} from "@solana/spl-token";
import {
  BANDWIDTH_TIER,
  DAY_SECS,
  IO,
  STAKING_DEFAULTS,
  decodeProposal,
  decodeStakePool,
  decodeStakePosition,
  decodeStakingConfig,
  decodeVoteRecord,
  depositRewardsIx,
  devicePda,
  governancePda,
  ioMintPda,
  positionClaimable,
  positionPda,
  positionValue,
  proposalPda,
  proposalStatusName,
  proposalVoteWeight,
  registerDeviceIx,
  setPoolTermsIx,
  setStakingAuthorityIx,
  stakePoolPda,
  stakingConfigPda,
  updateStakingConfigIx,
  voteRecordPda,
  weightMultiplierBps,
} from "@iogrid/sdk";

import { chainTime, sendDistinct, warpTo } from "../../tests/support/chain.js";
import { formatIo, formatTime } from "../src/deviceList.js";
import { big, formatMultiplier, formatWeight } from "../src/format.js";
import { appSuite } from "./support/app.js";
import { seedDevice } from "./support/devices.js";
import type { SeededDevice } from "./support/devices.js";

const H100 = "NVIDIA H100 80GB HBM3";
const RTX = "GeForce RTX 4090";
/** Governance rules a test holder can meet: 1,000 IO of weight for quorum, 100 IO to propose. */
const RULES = {
  ...STAKING_DEFAULTS.governance,
  votingPeriodSecs: 3_600n,
  timelockSecs: DAY_SECS,
  quorumWeight: 1_000n * IO,
  proposalMinStake: 100n * IO,
};

describe("app: Stake & Govern stakes with a lock, proposes, votes and executes after the timelock", function () {
  this.timeout(300_000);
  let a: SeededDevice;
  let b: SeededDevice;
  const app = appSuite(async (n) => {
    const connection = n.net.connection;
    a = await seedDevice(n, {
      name: "stake-h100",
      gpuModel: H100,
      region: "eu-west",
      price: 2_000_000n,
    });
    b = await seedDevice(n, {
      name: "stake-4090",
      gpuModel: RTX,
      region: "us-east",
      price: 500_000n,
    });
    for (const d of [a, b]) {
      await sendDistinct(
        connection,
        await setPoolTermsIx(n.staking, {
          operator: d.owner.publicKey,
          pool: { device: d.address, operator: d.owner.publicKey },
          stakerShareBps: 100,
          costakingOpen: true,
        }),
        [d.owner],
      );
    }
    // Rules a test holder can meet, then staking's config goes to governance (as the handover
    // migration does), so a passed proposal can change it.
    await sendDistinct(
      connection,
      await updateStakingConfigIx(n.staking, {
        authority: n.admin.publicKey,
        change: { governance: { params: RULES } },
      }),
      [n.admin],
    );
    await sendDistinct(
      connection,
      await setStakingAuthorityIx(n.staking, {
        authority: n.admin.publicKey,
        newAuthority: governancePda().address,
      }),
      [n.admin],
    );
  });

  let holder: PublicKey;
  const poolOf = (d: SeededDevice): PublicKey => stakePoolPda(d.address, d.owner.publicKey).address;

  async function account<T>(address: PublicKey, decode: (data: Buffer) => T): Promise<T> {
    const info = await app.n.net.connection.getAccountInfo(address, "confirmed");
    if (!info) throw new Error(`no account ${address.toBase58()}`);
    return decode(info.data);
  }
  async function ioBalance(owner: PublicKey): Promise<bigint> {
    const ata = getAssociatedTokenAddressSync(ioMintPda().address, owner);
    return (await getAccount(app.n.net.connection, ata, "confirmed")).amount;
  }
  async function warp(to: bigint): Promise<void> {
    await warpTo(app.n.net.connection, app.n.net.rpcUrl, to);
  }

  /**
   * Runs `action` and waits for the transaction status in `scope` to settle as a new outcome
   * (a status left by an earlier transaction does not count); returns its state and error name.
   */
  async function txOf(
    scope: Locator,
    action: () => Promise<void>,
  ): Promise<{ state: string; name: string | null }> {
    const status = scope.getByTestId("tx-status");
    // The state, the text and the explorer link: two confirmations differ by their signature.
    const snapshot = async (): Promise<string> => {
      if ((await status.count()) === 0) return "";
      const link = status.getByRole("link");
      const href = (await link.count()) > 0 ? await link.getAttribute("href") : "";
      return `${await status.getAttribute("data-state")}|${await status.innerText()}|${href}`;
    };
    const before = await snapshot();
    await action();
    for (let i = 0; i < 240; i++) {
      const now = await snapshot();
      const state = now.split("|")[0];
      if (now !== before && (state === "confirmed" || state === "failed")) {
        const name =
          state === "failed" ? await status.getByTestId("tx-error-name").innerText() : null;
        return { state, name };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `no transaction outcome; page: ${await app.page.locator("body").innerText()}\nerrors: ${app.browser.errors.join("\n")}`,
    );
  }

  const stakeForm = () => app.page.getByRole("region", { name: "Stake on a device" });
  const positionCard = (d: SeededDevice) =>
    app.page.getByTestId(`position-${positionPda(poolOf(d), holder).address.toBase58()}`);
  const proposalCard = (id: bigint) => app.page.getByTestId(`proposal-${id}`);
  const text = (scope: Locator, id: string) => scope.getByTestId(id).innerText();

  it("co-stakes 2,000 IO locked two years, shows the 2.5× multiplier and the position", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    await app.open("#/stake");
    await app.waitFor(page.getByTestId("positions-empty"));
    expect(await page.getByTestId("proposals-empty").innerText()).to.equal("No proposals yet.");
    expect(
      await page.getByRole("link", { name: "Stake & Govern" }).getAttribute("aria-current"),
    ).to.equal("page");
    holder = new PublicKey(await page.getByTestId("wallet-address").innerText());
    const airdrop = await connection.requestAirdrop(holder, 5 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction(
      { signature: airdrop, ...(await connection.getLatestBlockhash()) },
      "confirmed",
    );
    const ata = await getOrCreateAssociatedTokenAccount(
      connection,
      app.n.admin,
      ioMintPda().address,
      holder,
    );
    await transfer(connection, app.n.admin, app.n.community, ata.address, app.n.admin, 5_000n * IO);
    await app.open("#/stake");
    await app.waitFor(page.getByTestId("io-balance").filter({ hasText: /^5,000 IO$/ }));
    await app.screenshot("stake-empty");

    const form = stakeForm();
    await form.getByLabel("Device").selectOption(poolOf(a).toBase58());
    expect(await text(form, "pool-costaking")).to.equal("open");
    expect(await text(form, "pool-self-stake")).to.equal(
      formatIo(big((await account(poolOf(a), decodeStakePool)).operatorStake)),
    );
    await form.getByLabel("Amount (IO)").fill("2000");
    expect(await text(form, "lock-multiplier")).to.equal("1×");
    await form.getByLabel("Lock (co-stake only)").selectOption("730");
    expect(await text(form, "lock-multiplier")).to.equal(
      formatMultiplier(weightMultiplierBps(730n * DAY_SECS)),
    );
    expect(await text(form, "lock-multiplier")).to.equal("2.5×");
    await app.screenshot("stake-form");
    const outcome = await txOf(form, () => form.getByRole("button", { name: "Co-stake" }).click());
    expect(outcome.state).to.equal("confirmed");

    const position = await account(positionPda(poolOf(a), holder).address, decodeStakePosition);
    const pool = await account(poolOf(a), decodeStakePool);
    expect(positionValue(position, pool)).to.equal(2_000n * IO);
    expect(big(position.lockEndsAt) - big(position.createdAt)).to.equal(730n * DAY_SECS);
    expect(await ioBalance(holder)).to.equal(3_000n * IO);

    const card = positionCard(a);
    await app.waitFor(card);
    expect(await text(card, "position-stake")).to.equal("2,000 IO");
    expect(await text(card, "position-lock-end")).to.contain(formatTime(big(position.lockEndsAt)));
    expect(await text(card, "position-state")).to.equal(
      `locked until ${formatTime(big(position.lockEndsAt))}`,
    );
    expect(await text(card, "position-cooling")).to.equal("0 IO");
    await app.waitFor(page.getByTestId("io-balance").filter({ hasText: /^3,000 IO$/ }));
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("creates a proposal, votes with the weight shown, executes it after the timelock, and names refusals", async () => {
    const page = app.page;
    const form = page.getByRole("region", { name: "New proposal" });
    await form.getByLabel("Change").selectOption("minStakeBase");
    // The form starts from the config's current value.
    const amount = form.getByLabel("Amount (u64)");
    expect(await amount.inputValue()).to.equal(String(STAKING_DEFAULTS.stake.minStakeBase));
    await amount.fill(String(300n * IO));
    await form.getByLabel("Title").fill("Raise the minimum stake base to 300 IO");
    const created = await txOf(form, () =>
      form.getByRole("button", { name: "Create proposal" }).click(),
    );
    expect(created.state).to.equal("confirmed");
    let proposal = await account(proposalPda(0n).address, decodeProposal);
    expect(proposal.title).to.equal("Raise the minimum stake base to 300 IO");
    expect(proposal.proposer.equals(holder)).to.equal(true);
    expect(proposalStatusName(proposal.status)).to.equal("voting");
    expect(
      big(
        (proposal.change as { minStakeBase: { amount: { toString(): string } } }).minStakeBase
          .amount,
      ),
    ).to.equal(300n * IO);

    const card = proposalCard(0n);
    await app.waitFor(card);
    expect(await text(card, "proposal-phase")).to.equal("voting");
    expect(await text(card, "change-amount")).to.equal(String(300n * IO));
    expect(await text(card, "proposal-yes")).to.equal("0");
    expect(await text(card, "proposal-voting-ends")).to.contain(
      formatTime(big(proposal.votingEndsAt)),
    );
    expect(await text(card, "proposal-timelock-end")).to.contain(
      formatTime(big(proposal.votingEndsAt) + RULES.timelockSecs),
    );

    // Ten minutes on, the page reloaded: the weight it shows is the weight the vote carries.
    const connection = app.n.net.connection;
    await warp(BigInt(await chainTime(connection)) + 600n);
    await app.open("#/stake");
    await app.waitFor(card.getByTestId("vote-weight"));
    const shown = await text(card, "vote-weight");
    const voted = await txOf(card, () => card.getByRole("button", { name: "Vote yes" }).click());
    expect(voted.state).to.equal("confirmed");
    const positionAddress = positionPda(poolOf(a), holder).address;
    const record = await account(
      voteRecordPda(proposalPda(0n).address, positionAddress).address,
      decodeVoteRecord,
    );
    expect(formatWeight(record.weight)).to.equal(shown);
    const position = await account(positionAddress, decodeStakePosition);
    const pool = await account(poolOf(a), decodeStakePool);
    proposal = await account(proposalPda(0n).address, decodeProposal);
    expect(record.weight).to.equal(proposalVoteWeight(position, pool, proposal, record.votedAt));
    expect(big(proposal.yesWeight)).to.equal(record.weight);
    // Two years less ten minutes left: just under 2.5× the 2,000 IO.
    expect(record.weight).to.equal((2_000n * IO * 24_999n) / 10_000n);
    await app.waitFor(card.getByTestId("my-vote"));
    expect(await text(card, "my-vote")).to.equal(`You voted yes with weight ${shown}`);
    expect(await text(card, "proposal-yes")).to.equal(formatWeight(record.weight));
    expect(await text(card, "proposal-voters")).to.equal("1");
    await app.screenshot("stake-proposal-voted");

    // The vote ends; anyone finalises it; it passed and waits out its timelock.
    await warp(big(proposal.votingEndsAt) + 1n);
    await app.open("#/stake");
    await app.waitFor(card.getByRole("button", { name: "Finalize the vote" }));
    expect(await text(card, "proposal-phase")).to.equal("voting ended: to be finalised");
    const finalized = await txOf(card, () =>
      card.getByRole("button", { name: "Finalize the vote" }).click(),
    );
    expect(finalized.state).to.equal("confirmed");
    proposal = await account(proposalPda(0n).address, decodeProposal);
    expect(proposalStatusName(proposal.status)).to.equal("succeeded");
    expect(big(proposal.executableAt)).to.equal(big(proposal.votingEndsAt) + RULES.timelockSecs);
    await app.waitFor(
      card.getByTestId("proposal-phase").filter({ hasText: "passed: in its timelock" }),
    );
    expect(await text(card, "proposal-timelock-end")).to.contain(
      formatTime(big(proposal.executableAt)),
    );

    // Executing inside the timelock is refused by the program, by name; nothing changes.
    const early = await txOf(card, () => card.getByRole("button", { name: "Execute" }).click());
    expect(early).to.deep.equal({ state: "failed", name: "TimelockNotElapsed" });
    expect(await text(card, "tx-status")).to.contain("The timelock has not elapsed");
    const config = await account(stakingConfigPda().address, decodeStakingConfig);
    expect(big(config.stake.minStakeBase)).to.equal(STAKING_DEFAULTS.stake.minStakeBase);
    await app.screenshot("stake-execute-refused");

    await warp(big(proposal.executableAt));
    await app.open("#/stake");
    await app.waitFor(card.getByTestId("proposal-phase").filter({ hasText: "passed: executable" }));
    const executed = await txOf(card, () => card.getByRole("button", { name: "Execute" }).click());
    expect(executed.state).to.equal("confirmed");
    const after = await account(stakingConfigPda().address, decodeStakingConfig);
    expect(big(after.stake.minStakeBase)).to.equal(300n * IO);
    proposal = await account(proposalPda(0n).address, decodeProposal);
    expect(proposalStatusName(proposal.status)).to.equal("executed");
    await app.waitFor(card.getByTestId("proposal-phase").filter({ hasText: "executed" }));
    expect(await text(card, "proposal-executed-at")).to.equal(formatTime(big(proposal.executedAt)));

    // The locked position cannot be unstaked: the program says so.
    const positionView = positionCard(a);
    await positionView.getByLabel("Unstake amount (IO)").fill("100");
    const locked = await txOf(positionView, () =>
      positionView.getByRole("button", { name: "Unstake", exact: true }).click(),
    );
    expect(locked).to.deep.equal({ state: "failed", name: "StakeLocked" });
    expect(positionValue(await account(positionAddress, decodeStakePosition), pool)).to.equal(
      2_000n * IO,
    );
    await app.screenshot("stake-executed");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("unstakes an unlocked co-stake showing the cooldown's end, and withdraws after it", async () => {
    const form = stakeForm();
    await form.getByLabel("Device").selectOption(poolOf(b).toBase58());
    await form.getByLabel("Amount (IO)").fill("500");
    await form.getByLabel("Lock (co-stake only)").selectOption("0");
    expect(
      (await txOf(form, () => form.getByRole("button", { name: "Co-stake" }).click())).state,
    ).to.equal("confirmed");
    const card = positionCard(b);
    await app.waitFor(card);
    expect(await text(card, "position-state")).to.equal("active");
    expect(await text(card, "position-multiplier")).to.equal("1×");
    expect(await text(card, "position-weight")).to.equal("500");

    const connection = app.n.net.connection;
    const before = BigInt(await chainTime(connection));
    await card.getByLabel("Unstake amount (IO)").fill("200");
    const unstaked = await txOf(card, () =>
      card.getByRole("button", { name: "Unstake", exact: true }).click(),
    );
    expect(unstaked.state).to.equal("confirmed");
    const address = positionPda(poolOf(b), holder).address;
    const position = await account(address, decodeStakePosition);
    const pool = await account(poolOf(b), decodeStakePool);
    const cooldown = big(
      (await account(stakingConfigPda().address, decodeStakingConfig)).stake.unstakeCooldownSecs,
    );
    const endsAt = big(position.cooldownEndsAt);
    expect(
      endsAt - cooldown >= before && endsAt - cooldown <= BigInt(await chainTime(connection)),
    ).to.equal(true);
    expect(positionValue(position, pool)).to.equal(300n * IO);
    await app.waitFor(card.getByTestId("position-cooling").filter({ hasText: /^200 IO$/ }));
    expect(await text(card, "position-stake")).to.equal("300 IO");
    expect(await text(card, "position-cooldown-end")).to.contain(formatTime(endsAt));
    expect(await text(card, "position-state")).to.equal(`cooling down until ${formatTime(endsAt)}`);
    await app.screenshot("stake-cooling");

    const balance = await ioBalance(holder);
    const early = await txOf(card, () => card.getByRole("button", { name: "Withdraw" }).click());
    expect(early).to.deep.equal({ state: "failed", name: "CooldownNotElapsed" });
    expect(await ioBalance(holder)).to.equal(balance);

    await warp(endsAt);
    await app.open("#/stake");
    await app.waitFor(card.getByTestId("position-state").filter({ hasText: /^withdrawable$/ }));
    const withdrawn = await txOf(card, () =>
      card.getByRole("button", { name: "Withdraw" }).click(),
    );
    expect(withdrawn.state).to.equal("confirmed");
    expect(await ioBalance(holder)).to.equal(balance + 200n * IO);
    await app.waitFor(card.getByTestId("position-cooling").filter({ hasText: /^0 IO$/ }));
    expect(await text(card, "position-cooldown-end")).to.equal("—");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("claims the rewards deposited to the locked position's pool, to the unit", async () => {
    const n = app.n;
    // Anyone may deposit rewards; the holder's position holds every active share of the pool.
    await sendDistinct(
      n.net.connection,
      await depositRewardsIx(n.staking, {
        depositor: n.admin.publicKey,
        pool: poolOf(a),
        source: n.community,
        amount: 10n * IO,
      }),
      [n.admin],
    );
    const position = await account(positionPda(poolOf(a), holder).address, decodeStakePosition);
    const pool = await account(poolOf(a), decodeStakePool);
    const claimable = positionClaimable(position, pool);
    expect(claimable).to.equal(10n * IO);
    await app.open("#/stake");
    const card = positionCard(a);
    await app.waitFor(card.getByTestId("position-claimable").filter({ hasText: /^10 IO$/ }));
    const balance = await ioBalance(holder);
    const claimed = await txOf(card, () =>
      card.getByRole("button", { name: "Claim rewards" }).click(),
    );
    expect(claimed.state).to.equal("confirmed");
    expect(await ioBalance(holder)).to.equal(balance + claimable);
    await app.waitFor(card.getByTestId("position-claimable").filter({ hasText: /^0 IO$/ }));
    expect(await card.getByRole("button", { name: "Claim rewards" }).isDisabled()).to.equal(true);
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("proposes a change with a list (a GPU class added); input not of its type and a change out of bounds are refused by name", async () => {
    const page = app.page;
    await app.open("#/stake");
    const form = page.getByRole("region", { name: "New proposal" });
    await app.waitFor(form);
    await form.getByLabel("Change").selectOption("gpuClasses");
    // The table in force, one row per class, and a new row.
    expect(await form.getByLabel("Pattern").count()).to.equal(STAKING_DEFAULTS.gpuClasses.length);
    await form.getByRole("button", { name: "Add to classes" }).click();
    await form.getByLabel("Pattern").last().fill("B200");
    await form.getByLabel("Multiplier centi (u16)").last().fill("600");
    await form.getByLabel("Title").fill("A class for B200");
    const created = await txOf(form, () =>
      form.getByRole("button", { name: "Create proposal" }).click(),
    );
    expect(created.state).to.equal("confirmed");
    const proposal = await account(proposalPda(1n).address, decodeProposal);
    expect(proposal.title).to.equal("A class for B200");
    expect(proposal.change).to.deep.equal({
      gpuClasses: {
        classes: [...STAKING_DEFAULTS.gpuClasses, { pattern: "B200", multiplierCenti: 600 }],
      },
    });
    const card = proposalCard(1n);
    await app.waitFor(card);
    expect(await text(card, "change-classes")).to.contain(
      '{"pattern":"B200","multiplierCenti":"600"}',
    );

    await form.getByLabel("Change").selectOption("governance");
    const threshold = form.getByLabel("Pass threshold bps (u16)");
    expect(await threshold.inputValue()).to.equal(String(RULES.passThresholdBps));
    await threshold.fill("half");
    await form.getByLabel("Title").fill("Lower the pass threshold");
    await form.getByRole("button", { name: "Create proposal" }).click();
    await app.waitFor(form.getByText("Params › Pass threshold bps: u16: enter a whole number"));
    await threshold.fill("4000");
    const refused = await txOf(form, () =>
      form.getByRole("button", { name: "Create proposal" }).click(),
    );
    expect(refused).to.deep.equal({ state: "failed", name: "InvalidGovernanceParams" });
    const config = await account(stakingConfigPda().address, decodeStakingConfig);
    expect(big(config.proposalCount)).to.equal(2n);
    await app.screenshot("stake-proposal-refused");
    expect(app.browser.errors).to.deep.equal([]);
  });

  it("opens the pool of the wallet's own device and self-stakes it; the page fits a phone", async () => {
    const page = app.page;
    const connection = app.n.net.connection;
    // The browser's local wallet registers a device (as the add-device page would).
    const secret = await page.evaluate<string | null>(
      'window.localStorage.getItem("iogrid.localWallet")',
    );
    const wallet = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(secret!) as number[]));
    expect(wallet.publicKey.equals(holder)).to.equal(true);
    const agent = Keypair.generate();
    const deviceId = `stake-own-${agent.publicKey.toBase58().slice(0, 8)}`;
    await sendDistinct(
      connection,
      await registerDeviceIx(app.n.registry, {
        owner: holder,
        deviceId,
        name: "my-own-box",
        gpuModel: H100,
        region: "eu-west",
        specs: {
          gpuCount: 1,
          vramMib: 81_920,
          cpuCores: 16,
          ramMib: 131_072,
          storageGib: 1_000,
          bandwidthTier: BANDWIDTH_TIER.high,
        },
        pricePerGpuHour: 1_000_000n,
        agent: agent.publicKey,
        endpoint: "",
      }),
      [wallet, agent],
    );
    const device = devicePda(deviceId).address;
    const pool = stakePoolPda(device, holder).address;
    await app.open("#/stake");
    const open = page.getByRole("button", { name: "Open its stake pool" });
    await app.waitFor(open);
    const form = stakeForm();
    expect((await txOf(form, () => open.click())).state).to.equal("confirmed");
    const opened = await account(pool, decodeStakePool);
    expect(opened.operator.equals(holder)).to.equal(true);
    expect(opened.costakingOpen).to.equal(true);

    await form
      .getByLabel("Device")
      .locator(`option[value="${pool.toBase58()}"]`)
      .waitFor({ state: "attached" });
    await form.getByLabel("Device").selectOption(pool.toBase58());
    await app.waitFor(form.getByTestId("pool-operator").filter({ hasText: /^you$/ }));
    const balance = await ioBalance(holder);
    await form.getByLabel("Amount (IO)").fill("750.5");
    expect(
      (await txOf(form, () => form.getByRole("button", { name: "Self-stake" }).click())).state,
    ).to.equal("confirmed");
    const staked = await account(pool, decodeStakePool);
    expect(big(staked.operatorStake)).to.equal(75_050_000_000n);
    expect(await ioBalance(holder)).to.equal(balance - 75_050_000_000n);
    const self = page.getByTestId(`self-stake-${pool.toBase58()}`);
    await app.waitFor(self.getByTestId("self-stake").filter({ hasText: /^750\.5 IO$/ }));
    await app.screenshot("stake-self");

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      const wide = await page.evaluate<string[]>(
        `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + "." + e.className + " " + (e.getAttribute("data-testid") ?? "") + " " + (e.textContent ?? "").slice(0, 40))`,
      );
      expect(width, `page width at 390 px; too wide: ${wide.join("\n")}`).to.be.at.most(390);
      await app.screenshot("stake-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    expect(app.browser.errors).to.deep.equal([]);
  });
});
