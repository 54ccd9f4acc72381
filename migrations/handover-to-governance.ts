/**
 * Hands the config authority of iotoken, the registry and staking to staking's governance PDA,
 * idempotently: from then on their parameters change only through proposals voted by stake
 * (`create_proposal` ... `execute_proposal`). A deliberate step, run on its own with
 * `npm run migrate:governance`, never by `npm start` or `npm run migrate`.
 *
 * Before sending anything it reads the three configs, and refuses (exit 1, nothing changed):
 * - if a config is missing (run `npm run migrate` first);
 * - if a config's authority is neither the wallet nor already the governance PDA: only the current
 *   authority can hand a config over, so it says whose key is needed;
 * - if iotoken's genesis is not minted or its emission schedule not sealed: authority-only steps no
 *   proposal can take, so handing over before them would stop them for good;
 * - if the registry is not named distributor of the availability and keepers pools: afterwards
 *   only a `PoolDistributor` proposal could name it, and until one passed its vote and timelock
 *   no closed epoch's availability rewards or keeper tips could be drawn.
 * Configs already held by the governance PDA are skipped; the others are handed over in one
 * transaction (`update_config new_authority` for iotoken and the registry, `set_authority` for
 * staking), so the handover never stops half-way. Rerunning it changes nothing.
 *
 *   IOGRID_RPC_URL    JSON-RPC endpoint (default http://127.0.0.1:8899)
 *   IOGRID_WS_URL     its websocket (default: the RPC port + 1)
 *   IOGRID_WALLET     keypair file of the current config authority (default
 *                     ~/.config/solana/id.json; else the wallet generated at .localnet/wallet.json
 *                     by the init scripts)
 *
 * Usage: npm run migrate:governance
 */
import { Transaction } from "@solana/web3.js";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  IOTOKEN_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  REWARD_POOL,
  STAKING_PROGRAM_ID,
  configPda,
  decodeEmissionSchedule,
  decodeRegistryConfig,
  decodeStakingConfig,
  decodeTokenConfig,
  governancePda,
  iotokenConfigPda,
  iotokenProgram,
  poolDistributorOf,
  registryProgram,
  schedulePda,
  setStakingAuthorityIx,
  stakingConfigPda,
  stakingProgram,
  updateConfigIx,
  updateIotokenConfigIx,
} from "@iogrid/sdk";
import { sendAndConfirm } from "@iogrid/sdk/node";

import { UsageError, connect, ensureFunded, loadWallet, logger, run } from "./lib.js";

const log = logger("handover-to-governance");

interface Handover {
  name: string;
  config: PublicKey;
  authority: PublicKey;
  /** Why it cannot be handed over yet, beyond the authority. */
  blocker?: string;
  instruction: (wallet: PublicKey, governance: PublicKey) => Promise<TransactionInstruction>;
}

async function main(): Promise<void> {
  const { connection, local } = await connect(log);
  const { wallet, source } = loadWallet();
  log(`wallet ${wallet.publicKey.toBase58()} (${source})`);
  const governance = governancePda().address;
  log(`governance PDA ${governance.toBase58()} (staking ${STAKING_PROGRAM_ID.toBase58()})`);

  const [iotokenInfo, scheduleInfo, registryInfo, stakingInfo] =
    await connection.getMultipleAccountsInfo([
      iotokenConfigPda().address,
      schedulePda().address,
      configPda().address,
      stakingConfigPda().address,
    ]);
  const missing = [
    [iotokenInfo, `iotoken (${IOTOKEN_PROGRAM_ID.toBase58()})`],
    [registryInfo, `registry (${REGISTRY_PROGRAM_ID.toBase58()})`],
    [stakingInfo, `staking (${STAKING_PROGRAM_ID.toBase58()})`],
  ]
    .filter(([info]) => !info)
    .map(([, name]) => name as string);
  if (missing.length > 0) {
    throw new UsageError(
      `no config for ${missing.join(", ")}: initialise every program first (npm run migrate)`,
    );
  }

  const tokenConfig = decodeTokenConfig(iotokenInfo!.data);
  const schedule = scheduleInfo ? decodeEmissionSchedule(scheduleInfo.data) : undefined;
  const registryDistributor = poolDistributorOf(REGISTRY_PROGRAM_ID);
  const distributorsSet = (["availability", "keepers"] as const).every((pool) =>
    tokenConfig.poolDistributors[REWARD_POOL[pool]]!.equals(registryDistributor),
  );
  const authorityOnly = [
    tokenConfig.genesisMinted ? undefined : "its genesis is not minted",
    schedule?.sealed ? undefined : "its emission schedule is not sealed",
  ].filter((b): b is string => b !== undefined);
  const iotokenBlockers = distributorsSet
    ? authorityOnly
    : [
        ...authorityOnly,
        "the registry is not the distributor of its availability and keepers pools",
      ];
  const iotokenReasons = [
    authorityOnly.length > 0 ? "authority-only steps no proposal can take" : undefined,
    distributorsSet
      ? undefined
      : "afterwards only a PoolDistributor proposal could name it, and no rewards are drawn until one passes its vote and timelock",
  ].filter((r): r is string => r !== undefined);

  const handovers: Handover[] = [
    {
      name: "iotoken",
      config: iotokenConfigPda().address,
      authority: tokenConfig.authority,
      blocker:
        iotokenBlockers.length > 0
          ? `${iotokenBlockers.join(" and ")} (${iotokenReasons.join("; ")}; run npm run migrate)`
          : undefined,
      instruction: (authority, newAuthority) =>
        updateIotokenConfigIx(iotokenProgram(), { authority, newAuthority }),
    },
    {
      name: "registry",
      config: configPda().address,
      authority: decodeRegistryConfig(registryInfo!.data).authority,
      instruction: (authority, newAuthority) =>
        updateConfigIx(registryProgram(), { authority, newAuthority }),
    },
    {
      name: "staking",
      config: stakingConfigPda().address,
      authority: decodeStakingConfig(stakingInfo!.data).authority,
      instruction: (authority, newAuthority) =>
        setStakingAuthorityIx(stakingProgram(), { authority, newAuthority }),
    },
  ];

  const refusals: string[] = [];
  const pending: Handover[] = [];
  for (const h of handovers) {
    if (h.authority.equals(governance)) {
      log(`skip ${h.name}: config ${h.config.toBase58()} is already held by the governance PDA`);
    } else if (!h.authority.equals(wallet.publicKey)) {
      refusals.push(
        `${h.name}: the config authority is ${h.authority.toBase58()}, not the wallet ${wallet.publicKey.toBase58()}; run this with that key (IOGRID_WALLET)`,
      );
    } else if (h.blocker) {
      refusals.push(`${h.name}: not handed over while ${h.blocker}`);
    } else {
      pending.push(h);
    }
  }
  if (refusals.length > 0) {
    throw new UsageError(
      `refusing to hand over (nothing was changed):\n  ${refusals.join("\n  ")}`,
    );
  }
  if (pending.length === 0) {
    log("nothing to do: every config is held by the governance PDA");
    return;
  }

  await ensureFunded(connection, wallet, local, log);
  const tx = new Transaction();
  for (const h of pending) tx.add(await h.instruction(wallet.publicKey, governance));
  const signature = await sendAndConfirm(connection, tx, [wallet]);
  log(
    `handed ${pending.map((h) => h.name).join(", ")} to the governance PDA in one transaction (tx ${signature})`,
  );

  const after = await connection.getMultipleAccountsInfo(handovers.map((h) => h.config));
  const authorities = [
    decodeTokenConfig(after[0]!.data).authority,
    decodeRegistryConfig(after[1]!.data).authority,
    decodeStakingConfig(after[2]!.data).authority,
  ];
  handovers.forEach((h, i) => {
    if (!authorities[i]!.equals(governance)) {
      throw new Error(`${h.name}'s authority is ${authorities[i]!.toBase58()} after the handover`);
    }
    log(`  ${h.name.padEnd(8)} config ${h.config.toBase58()}: authority ${governance.toBase58()}`);
  });
  log("from now on these parameters change only through governance proposals");
}

run("handover-to-governance", main);
