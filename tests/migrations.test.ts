/**
 * The migration scripts themselves, run as `npm run migrate` and `npm run migrate:governance` run
 * them (tsx, configured by environment), against a fresh local chain: the handover refuses before
 * the programs are initialised; `init-iotoken`, `init-registry` and `init-staking` initialise them
 * (staking with `STAKING_DEFAULTS` and the registry's slasher PDA); the handover refuses a wallet
 * that is not the authority and changes nothing, then hands all three configs to the governance
 * PDA; reruns change nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Keypair } from "@solana/web3.js";
import type { Connection, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  REGISTRY_PROGRAM_ID,
  STAKING_DEFAULTS,
  configPda,
  decodeRegistryConfig,
  decodeStakingConfig,
  decodeTokenConfig,
  governancePda,
  iotokenConfigPda,
  slasherPda,
  stakingConfigPda,
  stakingParamsOf,
} from "@iogrid/sdk";
import { saveKeypair } from "@iogrid/sdk/node";

import { REPO_ROOT, startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe("migrations: init-staking and the handover to governance, on a fresh chain", function () {
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

  it("npm run migrate's scripts initialise staking with the defaults and the registry as slasher", async () => {
    for (const script of ["init-iotoken.ts", "init-registry.ts"]) await succeeds(script);
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
    for (const authority of await authorities()) {
      expect(authority.equals(governance)).to.equal(true);
    }
  });
});
