/**
 * Initialises the staking program on a chain, idempotently: run it any number of times. It
 * `initialize`s the staking config with the sdk's default parameters (`STAKING_DEFAULTS`), the
 * wallet becoming its authority (until `npm run migrate:governance` hands it to the governance
 * PDA), or, when the config exists, prints it and changes nothing; it stops with an error when
 * that config's authority is neither the wallet nor the governance PDA (someone else initialised it).
 * Only the program's deployer may initialise: the wallet when it is the upgrade authority,
 * `IOGRID_DEPLOYER` when set, else (no ProgramData, as on the local chain) keys/staking-keypair.json.
 *
 * Slashers: the registry program is registered as the one slasher program, i.e. its `["slasher"]`
 * PDA may sign `slash`. The registry is where the faults SPEC §4 slashes for are proven (keeper
 * quorums on failed probes; with the market, abandoned reservations), and a PDA can only sign
 * through the registry's own code, which today has no path that signs with it: the entry is inert
 * until the registry gains one, and no person's key can ever slash. Registering it now spares a
 * governance proposal later, which is the only way to change the slasher set once the config has
 * been handed to governance. The market program, which does not exist yet, is added by proposal.
 *
 * Needs iotoken initialised (the IO mint every pool vault holds): `npm run migrate` runs
 * `init-iotoken.ts` and `init-registry.ts` before this.
 *
 *   IOGRID_RPC_URL    JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WS_URL     its websocket (default: the RPC port + 1)
 *   IOGRID_WALLET     keypair file paying and becoming the config authority (default
 *                     ~/.config/solana/id.json; else a wallet generated once at .localnet/wallet.json
 *                     and funded by airdrop on a local chain)
 *   IOGRID_DEPLOYER   keypair file of the program's deployer, when it is not the wallet
 *
 * Usage: npm run migrate (runs init-iotoken.ts, init-registry.ts, then this)
 */
import { Transaction } from "@solana/web3.js";

import {
  IO,
  REGISTRY_PROGRAM_ID,
  STAKING_DEFAULTS,
  STAKING_PROGRAM_ID,
  decodeStakingConfig,
  governancePda,
  initializeStakingIx,
  iotokenConfigPda,
  ioMintPda,
  slasherPda,
  stakingConfigPda,
  stakingParamsOf,
  stakingProgram,
} from "@iogrid/sdk";
import type { StakingConfig, StakingParams } from "@iogrid/sdk";
import { sendAndConfirm } from "@iogrid/sdk/node";

import {
  UsageError,
  connect,
  ensureFunded,
  expectOwnAuthority,
  loadDeployer,
  loadWallet,
  logger,
  run,
} from "./lib.js";
import type { Log } from "./lib.js";

const log = logger("init-staking");
const DAY = 86_400n;

const io = (amount: bigint): string =>
  `${amount / IO}${amount % IO === 0n ? "" : `.${(amount % IO).toString().padStart(8, "0")}`} IO`;

/** One line per parameter group, in the units people read. */
function describe(params: StakingParams, log: Log): void {
  const { stake, slashing, governance: g } = params;
  log(
    `  minimum stake ${io(stake.minStakeBase)} x max(1, class) x GPUs; unstake cooldown ${stake.unstakeCooldownSecs / DAY} days`,
  );
  log(
    `  slashing at most ${slashing.maxSlashBps / 100}% of a pool per ${slashing.windowSecs / 3_600n} h`,
  );
  log(
    `  governance: vote ${g.votingPeriodSecs / DAY} d, timelock ${g.timelockSecs / DAY} d, execution window ${g.executionWindowSecs / DAY} d, quorum ${io(g.quorumWeight)} of weight, threshold ${g.passThresholdBps / 100}%, proposer stake ${io(g.proposalMinStake)}`,
  );
  log(
    `  GPU classes: ${params.gpuClasses.map((c) => `${c.pattern} ${(c.multiplierCenti / 100).toFixed(2)}x`).join(", ")}`,
  );
}

function describeConfig(config: StakingConfig): void {
  const governed = config.authority.equals(governancePda().address);
  log(`  authority ${config.authority.toBase58()}${governed ? " (the governance PDA)" : ""}`);
  describe(stakingParamsOf(config), log);
  log(
    `  slashers: ${config.slashers.map((s) => `${s.program.toBase58()} (signer ${s.authority.toBase58()})`).join(", ") || "none"}`,
  );
  log(`  proposals so far: ${config.proposalCount.toString()}`);
}

async function main(): Promise<void> {
  const { connection, local } = await connect(log);
  const deployed = await connection.getAccountInfo(STAKING_PROGRAM_ID);
  if (!deployed?.executable) {
    throw new UsageError(`the staking program is not deployed at ${STAKING_PROGRAM_ID.toBase58()}`);
  }

  const { wallet, source, generated } = loadWallet();
  log(`${generated ? "generated wallet" : "wallet"} ${wallet.publicKey.toBase58()} (${source})`);
  const address = stakingConfigPda().address;
  const existing = await connection.getAccountInfo(address);
  if (existing) {
    log(`skip initialize: staking config ${address.toBase58()} exists`);
    const config = decodeStakingConfig(existing.data);
    describeConfig(config);
    expectOwnAuthority("the staking config", address, config.authority, wallet.publicKey);
    return;
  }

  const [tokenConfig, mint] = await connection.getMultipleAccountsInfo([
    iotokenConfigPda().address,
    ioMintPda().address,
  ]);
  if (!tokenConfig || !mint) {
    throw new UsageError(
      "iotoken is not initialised (no IO mint): run migrations/init-iotoken.ts first (npm run migrate runs it)",
    );
  }

  await ensureFunded(connection, wallet, local, log);
  const deployer = await loadDeployer(connection, "staking", STAKING_PROGRAM_ID, wallet);
  const ix = await initializeStakingIx(stakingProgram(), {
    authority: wallet.publicKey,
    deployer: deployer.publicKey,
    slasherPrograms: [REGISTRY_PROGRAM_ID],
    params: STAKING_DEFAULTS,
  });
  const signers = deployer === wallet ? [wallet] : [wallet, deployer];
  const signature = await sendAndConfirm(connection, new Transaction().add(ix), signers);
  log(`initialised the staking config ${address.toBase58()} (tx ${signature}):`);
  const config = decodeStakingConfig((await connection.getAccountInfo(address))!.data);
  describeConfig(config);
  log(
    `  governance PDA ${governancePda().address.toBase58()}; the registry's slasher PDA is ${slasherPda(REGISTRY_PROGRAM_ID).address.toBase58()}`,
  );
}

run("init-staking", main);
