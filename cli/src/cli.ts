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
 *   iogrid ray R [--local-port L] --relay URL
 *   iogrid receipts R                                 every payment, settlement and refund, with links
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
import { connect, rayTunnel } from "./connect.js";
import type { ConnectOptions } from "./connect.js";
import { printJson } from "./format.js";
import { cancel, extend, status } from "./manage.js";
import { receipts } from "./receipts.js";
import { reserve } from "./reserve.js";
import type { ReserveOptions } from "./reserve.js";
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
      "wallet keypair (default $IOGRID_KEYPAIR, then the Solana CLI config's keypair_path, then ~/.config/solana/id.json)",
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

filters(common(program.command("reserve")))
  .description(
    "reserve the first N matching devices for H hours, book them in batches, wait until every agent started",
  )
  .option("--devices <n>", "how many devices")
  .option("--hours <h>", "hours per device")
  .option("--pay <token>", "payment token: iosd, usdc or io", "iosd")
  .option("--workload <kind>", "process, container or ray", "process")
  .option("--command <line>", "the command line a process or ray workload runs")
  .option("--image <ref>", "the image a container workload runs")
  .option("--port <port...>", "ports the workload serves (repeat or comma-separate)")
  .option("--env-file <file>", "NAME=value lines handed to the agents (their sha256 goes on chain)")
  .option(
    "--relay <url>",
    "the tunnel relay, for the connect commands printed (default $IOGRID_RELAY_URL)",
  )
  .option(
    "--resume <reservation>",
    "finish an interrupted reserve: book what is missing, wait again",
  )
  .option("--no-wait", "do not wait for the agents' acknowledgements")
  .option(
    "--wait-timeout <secs>",
    "stop waiting after this long (default: until every start deadline)",
  )
  .option("-y, --yes", "reserve without asking")
  .action(async (o: ReserveOptions) => reserve(o));

common(program.command("status"))
  .description("a reservation and its bookings, or (without R) every reservation of the wallet")
  .argument("[reservation]", "the reservation's address")
  .action(async (reservation: string | undefined, o: GlobalOptions) => status(reservation, o));

common(program.command("extend"))
  .description("add hours to every running booking of a reservation, at each booking's price")
  .argument("<reservation>", "the reservation's address")
  .requiredOption("--hours <h>", "hours to add")
  .option("-y, --yes", "extend without asking")
  .action(async (reservation: string, o: GlobalOptions & { hours?: string }) =>
    extend(reservation, o),
  );

common(program.command("cancel"))
  .description(
    "show the refund, cancel, settle the bookings (their tips back to you), claim the refund, close",
  )
  .argument("<reservation>", "the reservation's address")
  .option("-y, --yes", "cancel without asking")
  .action(async (reservation: string, o: GlobalOptions) => cancel(reservation, o));

/** The options of a command that opens a relay tunnel. */
function tunnel(command: Command): Command {
  return command
    .option("--local-port <port>", "local port to listen on (0: any free one)", "0")
    .option("--local-host <host>", "local address to listen on", "127.0.0.1")
    .option("--relay <url>", "the tunnel relay, ws:// or wss:// (default $IOGRID_RELAY_URL)")
    .option(
      "--relay-domain <name>",
      "the relay's name, signed in the request (default $IOGRID_RELAY_DOMAIN, else the URL's host:port)",
    );
}

tunnel(common(program.command("connect")))
  .description("reach a port of a reserved device through the tunnel relay (runs until Ctrl-C)")
  .argument("<reservation>", "the reservation's address")
  .requiredOption("--device <address>", "the device's address")
  .option("--port <port>", "the workload's port on the device (default: its first)")
  .action(async (reservation: string, o: ConnectOptions) => connect(reservation, o));

tunnel(common(program.command("ray")))
  .description(
    "a tunnel to the Ray head's job API of a ray reservation; prints the RAY_ADDRESS to export (runs until Ctrl-C)",
  )
  .argument("<reservation>", "the reservation's address")
  .action(async (reservation: string, o: ConnectOptions) => rayTunnel(reservation, o));

common(program.command("receipts"))
  .description(
    "every payment, settlement and refund of a reservation, from the chain's history, with explorer links",
  )
  .argument("<reservation>", "the reservation's address")
  .action(async (reservation: string, o: GlobalOptions) => receipts(reservation, o));

try {
  await program.parseAsync(joinNegativeValues(process.argv));
} catch (error) {
  exitWithError("iogrid", error);
}
