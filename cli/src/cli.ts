/**
 * `iogrid`: the renter's command line.
 *
 *   iogrid devices [filters]                          free devices that match, best first
 *   iogrid quote [filters] --devices N --hours H      the selection and its full quote
 *   iogrid reserve [filters] --devices N --hours H --workload K --command C --port P [--yes]
 *   iogrid reserve --resume R                         finish an interrupted reserve
 *   iogrid status [R]                                 a reservation, or all of the wallet's
 *   iogrid extend R --hours H [--yes]
 *   iogrid cancel R [--yes]                           shows the refund, cancels, settles, refunds
 *   iogrid connect R --device D --port P [--local-port L] --relay URL
 *
 * Every command takes --url, --keypair and --json; exit codes are `EXIT` (errors.ts).
 */
import { Command, Option } from "commander";

import { fetchMarketSnapshot, searchDevices } from "@iogrid/sdk";
import { exitWithError } from "@iogrid/sdk/node";

import { criteriaOf, intArg, joinNegativeValues, payArg } from "./args.js";
import type { FilterFlags } from "./args.js";
import type { GlobalOptions } from "./context.js";
import { readContext } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { printJson } from "./format.js";
import {
  deviceJson,
  devicesTable,
  quoteJson,
  quoteOrFail,
  quoteText,
  selectDevices,
} from "./market.js";

const program = new Command("iogrid")
  .description("iogrid renter CLI: find GPU devices, reserve a cluster, connect, extend, cancel")
  .exitOverride((err) => {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
    process.exit(EXIT.usage);
  });

/** --url, --ws-url, --keypair, --config, --json. */
function common(command: Command): Command {
  return command
    .option(
      "-u, --url <url>",
      "cluster: localhost, devnet, mainnet-beta or an RPC URL (default $IOGRID_RPC_URL, then the Solana CLI config)",
    )
    .option("--ws-url <url>", "websocket URL (default: derived from the RPC URL)")
    .option(
      "-k, --keypair <file>",
      "wallet keypair (default: the Solana CLI config's keypair_path, then ~/.config/solana/id.json)",
    )
    .option(
      "-C, --config <file>",
      "Solana CLI config file (default $SOLANA_CONFIG or ~/.config/solana/cli/config.yml)",
    )
    .addOption(new Option("--json", "print the result as JSON"));
}

/** The search filters. */
function filters(command: Command): Command {
  return command
    .option("--gpu <model>", "GPU model or a part of it, e.g. H100 (case-insensitive)")
    .option("--count <n>", "fewest GPUs in a device")
    .option("--min-vram <GB>", "least VRAM per GPU, GB (1 GB = 1,000 MiB)")
    .option("--region <code>", "region or region family: eu matches eu and eu-*")
    .option("--max-price <usd>", "highest price, USD per GPU-hour")
    .option("--min-reputation <share>", "lowest reputation, a share from 0 to 1 (0.9 = 90%)");
}

type Opts = GlobalOptions & FilterFlags & Record<string, unknown>;

filters(common(program.command("devices")))
  .description("list the free devices that match, ranked cheapest per GPU-hour, then by reputation")
  .action(async (o: Opts) => {
    const criteria = criteriaOf(o);
    const { connection } = readContext(o);
    const snapshot = await fetchMarketSnapshot(connection);
    const matches = searchDevices(snapshot, criteria);
    if (o.json)
      return printJson({ now: snapshot.now, devices: matches.map((d, i) => deviceJson(d, i + 1)) });
    if (matches.length === 0) {
      console.log("no free device matches (try fewer filters)");
      return;
    }
    console.log(devicesTable(matches));
  });

filters(common(program.command("quote")))
  .description("quote the first N matching devices for H hours; nothing is sent")
  .requiredOption("--devices <n>", "how many devices")
  .requiredOption("--hours <h>", "hours per device")
  .option("--pay <token>", "payment token: iosd, usdc or io", "iosd")
  .action(async (o: Opts) => {
    const criteria = criteriaOf(o);
    const count = intArg("--devices", o.devices, 1, 10_000);
    const hours = intArg("--hours", o.hours, 1, 365 * 24);
    const token = payArg(o.pay);
    const { connection } = readContext(o);
    const snapshot = await fetchMarketSnapshot(connection);
    const max = snapshot.marketConfig.maxReservationHours;
    if (hours > max) {
      throw new CliError(
        `--hours: InvalidHours: this market books at most ${max} hours, got ${hours}`,
        EXIT.usage,
      );
    }
    const selection = selectDevices(snapshot, criteria, count);
    const q = quoteOrFail(snapshot, selection, hours, token);
    if (o.json) return printJson({ now: snapshot.now, ...quoteJson(q, selection) });
    console.log(quoteText(q, selection));
  });

try {
  await program.parseAsync(joinNegativeValues(process.argv));
} catch (error) {
  exitWithError("iogrid", error);
}
