/**
 * `iogrid-keeper`: run the bots and see the keeper's state.
 *
 *   iogrid-keeper run [--config keeper.yaml] [--bots epoch,attest,settle] [--once] [--dry-run]
 *   iogrid-keeper status [--json]
 *   iogrid-keeper register [--bond IO] | unbond | withdraw | claim-tips
 *
 * Every command takes --config, --rpc-url, --ws-url and --keypair; the environment
 * (IOGRID_RPC_URL, IOGRID_WS_URL, IOGRID_KEEPER_KEYPAIR, IOGRID_KEEPER_CONFIG) fills what flags
 * leave out.
 */
import { Command, Option } from "commander";

import type { TransactionInstruction } from "@solana/web3.js";

import {
  IO_DECIMALS,
  claimableEarnings,
  formatUnits,
  parseUnits,
  registerKeeperIx,
  requestUnbondIx,
  unsettledEpochs,
  withdrawBondIx,
} from "@iogrid/sdk";
import { CliError, EXIT, exitWithError, printJson } from "@iogrid/sdk/node";

import { ClosedEpochs } from "./availability.js";
import { claimTips, ioAccountIxs } from "./bots/epoch.js";
import { BOT_NAMES, loadKeeperConfig, parseBotList } from "./config.js";
import type { BotName, ConfigOverrides } from "./config.js";
import { createContext, keeperIneligibility, loadKeeperKey } from "./context.js";
import type { KeeperContext } from "./context.js";
import { Keeper, createBot } from "./keeper.js";

interface CommonOptions {
  config?: string;
  rpcUrl?: string;
  wsUrl?: string;
  keypair?: string;
  json?: boolean;
}

function common(command: Command): Command {
  return command
    .option("--config <file>", "YAML config (default $IOGRID_KEEPER_CONFIG)")
    .option("--rpc-url <url>", "JSON-RPC URL (default $IOGRID_RPC_URL or the config's)")
    .option("--ws-url <url>", "websocket URL (default $IOGRID_WS_URL or the config's)")
    .option("--keypair <file>", "keypair file (default $IOGRID_KEEPER_KEYPAIR or the config's)")
    .option("--json", "print JSON");
}

function contextOf(o: CommonOptions, extra: ConfigOverrides = {}, dryRun = false): KeeperContext {
  const config = loadKeeperConfig(o.config ?? process.env.IOGRID_KEEPER_CONFIG, {
    rpcUrl: o.rpcUrl,
    wsUrl: o.wsUrl,
    keypair: o.keypair,
    ...extra,
  });
  return createContext(config, loadKeeperKey(config.keypair), { dryRun });
}

/** Prints `value` as JSON or as `key: value` lines. */
function report(o: CommonOptions, value: Record<string, unknown>): void {
  if (o.json) return printJson(value);
  for (const [k, v] of Object.entries(value)) {
    const text = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
    process.stdout.write(`${k}: ${text}\n`);
  }
}

const io = (amount: bigint | { toString(): string }): string =>
  `${formatUnits(BigInt(amount.toString()), IO_DECIMALS)} IO`;

const program = new Command("iogrid-keeper")
  .description(
    "iogrid keeper: ends and closes epochs, attests devices and reports failures, settles bookings, claims its tips",
  )
  .showHelpAfterError();

common(
  program
    .command("run")
    .description("run the bots until stopped (SIGTERM/SIGINT)")
    .option("--bots <list>", `comma-separated bots (${BOT_NAMES.join(",")})`)
    .option("--once", "run each bot's work once and exit (0 when every bot succeeded)")
    .option("--dry-run", "simulate every transaction and log it; send nothing")
    .addOption(
      new Option("--health-listen <host:port>", 'health and metrics server ("" for none)'),
    ),
).action(
  async (
    o: CommonOptions & { bots?: string; once?: boolean; dryRun?: boolean; healthListen?: string },
  ) => {
    const ctx = contextOf(
      o,
      {
        bots: o.bots !== undefined ? parseBotList(o.bots) : undefined,
        healthListen: o.healthListen,
      },
      o.dryRun ?? false,
    );
    const log = ctx.log;
    log.info("keeper starting", {
      keeper: ctx.wallet.publicKey.toBase58(),
      rpc: ctx.config.rpc.url,
      bots: ctx.config.bots.join(","),
      dryRun: ctx.dryRun,
      once: o.once ?? false,
    });
    const keeper = new Keeper(
      ctx,
      ctx.config.bots.map((name) => createBot(ctx, name as BotName)),
    );
    if (o.once) {
      const ok = await keeper.runner.runOnce();
      for (const [name, state] of keeper.runner.states) {
        log.info(
          `${name}: ${state.lastError ? `failed: ${state.lastError}` : "done"}`,
          state.lastSummary ?? {},
        );
      }
      if (o.json) printJson(Object.fromEntries(keeper.runner.states));
      await keeper.stop();
      process.exit(ok ? EXIT.ok : EXIT.failed);
    }
    await keeper.start();
    const stop = (signal: string) => {
      log.info(`${signal}: stopping after the running ticks`);
      void keeper.stop().then(() => process.exit(EXIT.ok));
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  },
);

common(
  program.command("status").description("the keeper's bond, tips and, when running, its bots"),
).action(async (o: CommonOptions) => {
  const ctx = contextOf(o);
  const [chain, keeper, lamports, ioBalance] = await Promise.all([
    ctx.chainNow(),
    ctx.keeper(),
    ctx.connection.getBalance(ctx.wallet.publicKey),
    ctx.connection.getTokenAccountBalance(ctx.ioAccount).then(
      (b) => BigInt(b.value.amount),
      () => 0n,
    ),
  ]);
  const out: Record<string, unknown> = {
    wallet: ctx.wallet.publicKey.toBase58(),
    keeperAccount: ctx.keeperAccount.toBase58(),
    sol: lamports / 1e9,
    io: io(ioBalance),
    registered: keeper !== null,
    epoch: chain.epoch?.toString() ?? null,
  };
  if (keeper) {
    const earnings = keeper.activity.earnings;
    const closed = await new ClosedEpochs(ctx).settling(earnings);
    out.bond = io(keeper.bondAmount);
    out.forfeited = io(keeper.forfeited);
    out.bondRequired = io(chain.config.keeperBondAmount);
    out.state = BigInt(keeper.unbondRequestedAt.toString()) === 0n ? "active" : "unbonding";
    if (out.state === "unbonding") {
      out.withdrawableAt = new Date(Number(keeper.withdrawableAt.toString()) * 1000).toISOString();
    }
    out.eligible = keeperIneligibility(keeper, chain.config, ctx.wallet.publicKey) ?? "yes";
    out.passesAttested = keeper.activity.passesAttested.toString();
    out.failuresReported = keeper.activity.failuresReported.toString();
    out.tipsClaimed = io(earnings.claimed);
    out.tipsClaimable = io(claimableEarnings(earnings, closed, "keepers"));
    out.tipsPendingEpochs = unsettledEpochs(earnings).map(String);
  }
  const listen = ctx.config.health.listen;
  if (listen !== "") {
    const url = `http://${listen.replace(/^0\.0\.0\.0:/, "127.0.0.1:")}/health`;
    out.running = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then(async (r) => (await r.json()) as Record<string, unknown>)
      .then((h) => ({ healthy: h.healthy, bots: h.bots, checks: h.checks }))
      .catch(() => `no keeper answers on ${url}`);
  }
  report(o, out);
  process.exit(EXIT.ok);
});

/** Sends one transaction for a command; throws a one-line error naming the program's refusal. */
async function sendCommand(
  ctx: KeeperContext,
  label: string,
  instructions: TransactionInstruction[],
): Promise<string> {
  const outcome = await ctx.sender("cli").send({ label, instructions });
  if (outcome.status === "confirmed") return outcome.signature ?? "";
  const why = outcome.errorName ?? outcome.status;
  throw new CliError(
    `${label}: ${why}${outcome.message ? `: ${outcome.message}` : ""}`,
    EXIT.failed,
  );
}

common(
  program
    .command("register")
    .description("register this wallet as a keeper, bonding IO from its IO account")
    .option("--bond <IO>", "IO to bond (default: the registry's bond in force)"),
).action(async (o: CommonOptions & { bond?: string }) => {
  const ctx = contextOf(o);
  const [{ config }, keeper] = await Promise.all([ctx.chainNow(), ctx.keeper()]);
  if (keeper) {
    throw new CliError(
      `${ctx.wallet.publicKey.toBase58()} is already a registered keeper (see status)`,
      EXIT.failed,
    );
  }
  const required = BigInt(config.keeperBondAmount.toString());
  const bond = o.bond === undefined ? required : parseUnits(o.bond, IO_DECIMALS);
  if (bond === undefined)
    throw new CliError(`--bond: expected an IO amount like "1000", got ${o.bond}`, EXIT.usage);
  if (bond < required) {
    throw new CliError(
      `--bond: ${io(bond)} is below the bond in force (${io(required)})`,
      EXIT.usage,
    );
  }
  const signature = await sendCommand(ctx, "register_keeper", [
    await registerKeeperIx(ctx.registry, {
      authority: ctx.wallet.publicKey,
      bondMint: config.bondMint,
      bondSource: ctx.ioAccount,
      bondAmount: bond,
    }),
  ]);
  report(o, { keeperAccount: ctx.keeperAccount.toBase58(), bond: io(bond), signature });
  process.exit(EXIT.ok);
});

common(
  program.command("unbond").description("stop attesting and start the bond's cooldown"),
).action(async (o: CommonOptions) => {
  const ctx = contextOf(o);
  const signature = await sendCommand(ctx, "request_unbond", [
    await requestUnbondIx(ctx.registry, { authority: ctx.wallet.publicKey }),
  ]);
  const keeper = await ctx.keeper();
  report(o, {
    signature,
    withdrawableAt: keeper
      ? new Date(Number(keeper.withdrawableAt.toString()) * 1000).toISOString()
      : null,
  });
  process.exit(EXIT.ok);
});

common(
  program
    .command("withdraw")
    .description("after the cooldown: the bond back to the wallet's IO account, the keeper closed"),
).action(async (o: CommonOptions) => {
  const ctx = contextOf(o);
  const keeper = await ctx.keeper();
  if (!keeper)
    throw new CliError(
      `${ctx.wallet.publicKey.toBase58()} is not a registered keeper`,
      EXIT.failed,
    );
  const signature = await sendCommand(ctx, "withdraw_bond", [
    ...(await ioAccountIxs(ctx)),
    await withdrawBondIx(ctx.registry, {
      authority: ctx.wallet.publicKey,
      bondMint: keeper.bondMint,
      destination: ctx.ioAccount,
      withTreasury: BigInt(keeper.forfeited.toString()) > 0n,
    }),
  ]);
  report(o, { signature, withdrawn: io(BigInt(keeper.bondAmount.toString())) });
  process.exit(EXIT.ok);
});

common(program.command("claim-tips").description("claim the keeper tips of closed epochs")).action(
  async (o: CommonOptions) => {
    const ctx = contextOf(o);
    const claimed = await claimTips(ctx, "cli", new ClosedEpochs(ctx), 1n);
    report(o, { claimed: io(claimed) });
    process.exit(EXIT.ok);
  },
);

program.parseAsync(process.argv).catch((error: unknown) => exitWithError("iogrid-keeper", error));
