/**
 * The migration scripts themselves, run as `npm run migrate` and `npm run migrate:governance` run
 * them (tsx, configured by environment), against a fresh local chain: the handover refuses before
 * the programs are initialised; `init-iotoken` names the registry distributor of the availability
 * and keepers pools, `init-registry` initialises its rewards once the schedule is sealed, and
 * `init-staking` initialises staking (with `STAKING_DEFAULTS` and the registry's slasher PDA);
 * `init-market` initialises the market, sets the registry's market program, adds the market to
 * staking's slashers and opens the IOSD, IO and USDC treasury accounts; the
 * handover refuses a wallet that is not the authority, and while a pool distributor is missing,
 * and changes nothing, then hands all three configs to the governance PDA; reruns change nothing.
 * M5: a front-run of `initialize` by anyone but the deployer fails with `NotDeployer`, and every
 * init script run by a wallet that is neither a config's authority nor finds it under governance
 * stops with one error.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAccount } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";
import { expect } from "chai";

import {
  IOTOKEN_PROGRAM_ID,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  REWARD_POOL,
  STAKING_DEFAULTS,
  availabilityVaultPda,
  configPda,
  decodeEmissionSchedule,
  decodeMarketConfig,
  decodeRegistryConfig,
  decodeStakingConfig,
  decodeTokenConfig,
  distributorPda,
  expectedDeployer,
  governancePda,
  initializeIotokenIx,
  iotokenConfigPda,
  iotokenErrors,
  iotokenProgram,
  ioMintPda,
  iosdMintPda,
  keeperTipsVaultPda,
  marketConfigPda,
  schedulePda,
  setPoolDistributorIx,
  slasherPda,
  stakingConfigPda,
  stakingParamsOf,
  treasuryPda,
} from "@iogrid/sdk";
import { loadKeypair, saveKeypair, sendAndConfirm } from "@iogrid/sdk/node";

import { airdrop } from "./support/chain.js";
import { expectProgramError } from "./support/errors.js";
import { REPO_ROOT, startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe("migrations: the init scripts and the handover to governance, on a fresh chain", function () {
  this.timeout(120_000);
  let net: Localnet;
  let connection: Connection;
  let localDir: string;
  let walletPath: string;
  let strangerPath: string;
  let wallet: Keypair;

  /** Runs `migrations/<script>` with tsx, as the npm scripts do, against this test's chain. */
  function runScript(script: string, walletFile = walletPath): Promise<ScriptRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", join(REPO_ROOT, "migrations", script)],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            IOGRID_RPC_URL: net.rpcUrl,
            IOGRID_WS_URL: net.wsUrl,
            IOGRID_WALLET: walletFile,
            IOGRID_LOCAL_DIR: localDir,
          },
          timeout: 100_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  async function succeeds(script: string): Promise<string> {
    const result = await runScript(script);
    expect(result.code, `${script}:\n${result.stdout}\n${result.stderr}`).to.equal(0);
    return result.stdout;
  }

  async function authorities(): Promise<PublicKey[]> {
    const [iotoken, registry, staking] = await connection.getMultipleAccountsInfo([
      iotokenConfigPda().address,
      configPda().address,
      stakingConfigPda().address,
    ]);
    return [
      decodeTokenConfig(iotoken!.data).authority,
      decodeRegistryConfig(registry!.data).authority,
      decodeStakingConfig(staking!.data).authority,
    ];
  }

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    localDir = mkdtempSync(join(tmpdir(), "iogrid-migrations-"));
    wallet = Keypair.generate();
    walletPath = join(localDir, "wallet.json");
    saveKeypair(walletPath, wallet);
    strangerPath = join(localDir, "stranger.json");
    saveKeypair(strangerPath, Keypair.generate());
  });

  after(async () => {
    await net?.stop();
    if (localDir) rmSync(localDir, { recursive: true, force: true });
  });

  it("the handover refuses while the programs are not initialised", async () => {
    const result = await runScript("handover-to-governance.ts");
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/no config for iotoken .*registry .*staking .*npm run migrate/);
  });

  it("M5: a front-run of initialize by anyone but the deployer fails with NotDeployer", async () => {
    const stranger = loadKeypair(strangerPath);
    await airdrop(connection, stranger.publicKey, LAMPORTS_PER_SOL);
    expect(await expectedDeployer(connection, IOTOKEN_PROGRAM_ID)).to.deep.equal({
      deployer: IOTOKEN_PROGRAM_ID,
      rule: "program key",
    });
    const frontRun = await initializeIotokenIx(iotokenProgram(), {
      authority: stranger.publicKey,
      deployer: stranger.publicKey,
      priceUpdaters: [stranger.publicKey],
    });
    await expectProgramError(
      iotokenErrors,
      IOTOKEN_PROGRAM_ID,
      sendAndConfirm(connection, new Transaction().add(frontRun), [stranger]),
      "NotDeployer",
      { anchorError: false },
    );
    expect(await connection.getAccountInfo(iotokenConfigPda().address)).to.equal(null);
  });

  it("init-iotoken names the registry distributor of two pools; init-registry initialises its rewards", async () => {
    const iotokenOut = await succeeds("init-iotoken.ts");
    expect(iotokenOut).to.include("named the registry");
    const registryOut = await succeeds("init-registry.ts");
    expect(registryOut).to.include("initialised availability rewards");

    const [tokenInfo, registryInfo, scheduleInfo] = await connection.getMultipleAccountsInfo([
      iotokenConfigPda().address,
      configPda().address,
      schedulePda().address,
    ]);
    const distributors = decodeTokenConfig(tokenInfo!.data).poolDistributors.map((k) =>
      k.toBase58(),
    );
    const registryDistributor = distributorPda(REGISTRY_PROGRAM_ID).address.toBase58();
    expect(distributors).to.deep.equal([
      registryDistributor,
      PublicKey.default.toBase58(),
      PublicKey.default.toBase58(),
      registryDistributor,
    ]);
    const registry = decodeRegistryConfig(registryInfo!.data);
    expect(registry.rewardsInitialized).to.equal(true);
    const origin = decodeEmissionSchedule(scheduleInfo!.data).rows[0]!.startTime;
    expect(registry.epochOrigin.toString()).to.equal(origin.toString());
    for (const vault of [availabilityVaultPda(), keeperTipsVaultPda()]) {
      const account = await getAccount(connection, vault.address);
      expect(account.mint.equals(ioMintPda().address)).to.equal(true);
      expect(account.owner.toBase58()).to.equal(registryDistributor);
      expect(account.amount).to.equal(0n);
    }

    // Reruns find both steps done and change nothing.
    expect(await succeeds("init-iotoken.ts")).to.include(
      "skip set_pool_distributor: the keepers pool's distributor is the registry's PDA",
    );
    expect(await succeeds("init-registry.ts")).to.include("skip initialize_rewards: done");
    const [tokenAfter, registryAfter] = await connection.getMultipleAccountsInfo([
      iotokenConfigPda().address,
      configPda().address,
    ]);
    expect(tokenAfter!.data.equals(tokenInfo!.data)).to.equal(true);
    expect(registryAfter!.data.equals(registryInfo!.data)).to.equal(true);
  });

  it("npm run migrate's scripts initialise staking with the defaults and the registry as slasher", async () => {
    const stdout = await succeeds("init-staking.ts");
    expect(stdout).to.include("initialised the staking config");
    const info = await connection.getAccountInfo(stakingConfigPda().address);
    const config = decodeStakingConfig(info!.data);
    expect(config.authority.equals(wallet.publicKey)).to.equal(true);
    expect(stakingParamsOf(config)).to.deep.equal(STAKING_DEFAULTS);
    expect(
      config.slashers.map((s) => [s.program.toBase58(), s.authority.toBase58()]),
    ).to.deep.equal([
      [REGISTRY_PROGRAM_ID.toBase58(), slasherPda(REGISTRY_PROGRAM_ID).address.toBase58()],
    ]);
    const again = await succeeds("init-staking.ts");
    expect(again).to.include("skip initialize");
    expect(
      info!.data.equals((await connection.getAccountInfo(stakingConfigPda().address))!.data),
    ).to.equal(true);
  });

  it("init-market initialises the market, names it the registry's market and a staking slasher, and opens the treasury accounts", async () => {
    const stdout = await succeeds("init-market.ts");
    expect(stdout).to.include("initialised the market config");
    const usdc = Keypair.fromSecretKey(
      Uint8Array.from(JSON.parse(readFileSync(join(localDir, "usdc-mint.json"), "utf8"))),
    ).publicKey;
    const [marketInfo, registryInfo, stakingInfo] = await connection.getMultipleAccountsInfo([
      marketConfigPda().address,
      configPda().address,
      stakingConfigPda().address,
    ]);
    const market = decodeMarketConfig(marketInfo!.data);
    expect(market.authority.equals(wallet.publicKey)).to.equal(true);
    expect(market.usdcMint.equals(usdc)).to.equal(true);
    expect(market.ackGraceSecs.toString()).to.equal("600");
    expect(market.maxReservationHours).to.equal(720);
    expect(
      decodeRegistryConfig(registryInfo!.data).marketProgram.equals(MARKET_PROGRAM_ID),
    ).to.equal(true);
    expect(
      decodeStakingConfig(stakingInfo!.data).slashers.map((s) => [
        s.program.toBase58(),
        s.authority.toBase58(),
      ]),
    ).to.deep.equal([
      [REGISTRY_PROGRAM_ID.toBase58(), slasherPda(REGISTRY_PROGRAM_ID).address.toBase58()],
      [MARKET_PROGRAM_ID.toBase58(), slasherPda(MARKET_PROGRAM_ID).address.toBase58()],
    ]);
    for (const mint of [iosdMintPda().address, ioMintPda().address, usdc]) {
      const account = await getAccount(connection, treasuryPda(mint).address);
      expect(account.mint.equals(mint)).to.equal(true);
    }

    // A rerun finds everything done and changes nothing.
    const again = await succeeds("init-market.ts");
    for (const skipped of [
      "skip initialize",
      "skip registry",
      "skip staking",
      "skip treasury IOSD",
      "skip treasury IO:",
      "skip treasury USDC",
    ]) {
      expect(again).to.include(skipped);
    }
    const after = await connection.getMultipleAccountsInfo([
      marketConfigPda().address,
      configPda().address,
      stakingConfigPda().address,
    ]);
    [marketInfo, registryInfo, stakingInfo].forEach((before, i) =>
      expect(after[i]!.data.equals(before!.data)).to.equal(true),
    );
  });

  it("M5: every init script stops with one error when its config exists under an unexpected authority", async () => {
    const addresses = [
      iotokenConfigPda().address,
      configPda().address,
      stakingConfigPda().address,
      marketConfigPda().address,
    ];
    const before = await connection.getMultipleAccountsInfo(addresses);
    const stranger = loadKeypair(strangerPath).publicKey.toBase58();
    for (const [script, what] of [
      ["init-iotoken.ts", "iotoken's config"],
      ["init-registry.ts", "the registry config"],
      ["init-staking.ts", "the staking config"],
      ["init-market.ts", "the market config"],
    ] as const) {
      const result = await runScript(script, strangerPath);
      expect(result.code, `${script}:\n${result.stdout}\n${result.stderr}`).to.equal(1);
      const errors = result.stderr.split("\n").filter((line) => line.includes("error:"));
      expect(errors, script).to.have.length(1);
      expect(errors[0]).to.include(`${what} `);
      expect(errors[0]).to.include(
        `exists under an unexpected authority ${wallet.publicKey.toBase58()} (neither this wallet ${stranger} nor the governance PDA`,
      );
      expect(errors[0]).to.include("it was not initialised by this deployment; stopping");
    }
    const after = await connection.getMultipleAccountsInfo(addresses);
    before.forEach((info, i) => expect(after[i]!.data.equals(info!.data)).to.equal(true));
  });

  it("the handover refuses a wallet that is not the authority, and changes nothing", async () => {
    const result = await runScript("handover-to-governance.ts", strangerPath);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("refusing to hand over (nothing was changed)");
    for (const name of ["iotoken", "registry", "staking"]) {
      expect(result.stderr).to.include(
        `${name}: the config authority is ${wallet.publicKey.toBase58()}`,
      );
    }
    for (const authority of await authorities()) {
      expect(authority.equals(wallet.publicKey)).to.equal(true);
    }
  });

  it("the handover refuses while the registry is not a pool's distributor; init-iotoken restores it", async () => {
    const ix = await setPoolDistributorIx(iotokenProgram(), {
      authority: wallet.publicKey,
      pool: "keepers",
      program: PublicKey.default,
    });
    await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
    const result = await runScript("handover-to-governance.ts");
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(
      "iotoken: not handed over while the registry is not the distributor of its availability and keepers pools",
    );
    expect(result.stderr).to.include("afterwards only a PoolDistributor proposal could name it");
    for (const authority of await authorities()) {
      expect(authority.equals(wallet.publicKey)).to.equal(true);
    }
    expect(await succeeds("init-iotoken.ts")).to.include("distributor of the keepers pool");
    const config = decodeTokenConfig(
      (await connection.getAccountInfo(iotokenConfigPda().address))!.data,
    );
    expect(
      config.poolDistributors[REWARD_POOL.keepers]!.equals(
        distributorPda(REGISTRY_PROGRAM_ID).address,
      ),
    ).to.equal(true);
  });

  it("npm run migrate:governance hands the three configs to the governance PDA, once", async () => {
    const stdout = await succeeds("handover-to-governance.ts");
    expect(stdout).to.include(
      "handed iotoken, registry, staking to the governance PDA in one transaction",
    );
    const governance = governancePda().address;
    for (const authority of await authorities()) {
      expect(authority.equals(governance)).to.equal(true);
    }
    const again = await succeeds("handover-to-governance.ts");
    expect(again).to.include("nothing to do");
    // The init scripts still run after the handover, and skip what needs the authority.
    await succeeds("init-staking.ts");
    await succeeds("init-registry.ts");
    expect(await succeeds("init-market.ts")).to.include("skip initialize");
    for (const authority of await authorities()) {
      expect(authority.equals(governance)).to.equal(true);
    }
  });
});
