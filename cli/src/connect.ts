/**
 * `iogrid connect R --device D --port P`: the agent package's relay client (`Tunnel`) with the
 * wallet as renter, after checking on chain that the reservation is the wallet's, books the
 * device and declares the port, so a mistake is named here rather than refused by the relay.
 */
import { createLogger } from "@iogrid/sdk/node";
import { Tunnel, TunnelRefused } from "@iogrid/agent/relay/connect";

import { intArg, portArg, pubkeyArg } from "./args.js";
import { checkRenter, fetchReservation, openBookings } from "./chain.js";
import type { GlobalOptions } from "./context.js";
import { walletContext } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { printJsonLine } from "./format.js";

export interface ConnectOptions extends GlobalOptions {
  device?: string;
  port?: string;
  localPort?: string;
  localHost?: string;
  relay?: string;
  relayDomain?: string;
}

export async function connect(reservationArg: string, o: ConnectOptions): Promise<void> {
  const reservation = pubkeyArg("reservation", reservationArg);
  if (o.device === undefined)
    throw new CliError("--device: which device of the reservation", EXIT.usage);
  const device = pubkeyArg("--device", o.device);
  const port = o.port === undefined ? undefined : portArg("--port", o.port);
  const localPort = intArg("--local-port", o.localPort ?? "0", 0, 65_535);
  const relay = o.relay ?? process.env.IOGRID_RELAY_URL;
  if (!relay || !/^wss?:\/\/[^\s/]+/.test(relay)) {
    throw new CliError(
      `--relay: the tunnel relay's ws:// or wss:// URL (or $IOGRID_RELAY_URL)${relay ? `, got ${JSON.stringify(relay)}` : ""}`,
      EXIT.usage,
    );
  }
  const ctx = walletContext(o);
  const r = await fetchReservation(ctx.connection, reservation);
  checkRenter(r, reservation, ctx.wallet.publicKey);
  const bookings = await openBookings(ctx.connection, reservation);
  if (!bookings.some((b) => b.booking.device.equals(device))) {
    throw new CliError(
      `DeviceNotInReservation: ${device.toBase58()} has no open booking in ${reservation.toBase58()}`,
      EXIT.notFound,
    );
  }
  const target = port ?? r.workload.ports[0];
  if (target === undefined) throw new CliError("--port: the workload declares no port", EXIT.usage);
  if (!r.workload.ports.includes(target)) {
    throw new CliError(
      `--port: the workload declares ports ${r.workload.ports.join(", ")}, not ${target}`,
      EXIT.usage,
    );
  }
  const tunnel = new Tunnel({
    relayUrl: relay,
    relayDomain: o.relayDomain ?? process.env.IOGRID_RELAY_DOMAIN,
    reservation,
    device,
    port: target,
    renter: ctx.wallet,
    localHost: o.localHost ?? "127.0.0.1",
    localPort,
    log: createLogger("connect"),
  });
  try {
    await tunnel.start();
  } catch (e) {
    if (e instanceof TunnelRefused)
      throw new CliError(`the relay refused: ${e.message}`, EXIT.failed);
    throw new CliError(`cannot reach the relay ${relay}: ${(e as Error).message}`, EXIT.failed);
  }
  const address = tunnel.address;
  const listening = `${address.address}:${address.port}`;
  if (o.json)
    printJsonLine({ listening, port: address.port, reservation, device, devicePort: target });
  else
    console.log(
      `listening on ${listening} -> device ${device.toBase58()} port ${target} (Ctrl-C stops)`,
    );
  process.on("SIGTERM", () => tunnel.stop());
  process.on("SIGINT", () => tunnel.stop());
  try {
    await tunnel.done;
  } catch (e) {
    throw new CliError(`tunnel closed: ${(e as Error).message}`, EXIT.failed);
  }
}
