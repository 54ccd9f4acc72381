/**
 * `iogrid connect R --device D --port P`: the agent package's relay client (`Tunnel`) with the
 * wallet as renter, after checking on chain that the reservation is the wallet's, books the
 * device and declares the port, so a mistake is named here rather than refused by the relay.
 * `iogrid ray R` is the same tunnel to the Ray head's job API (the reservation's first booked
 * device, its first port), printing the `RAY_ADDRESS` to export.
 */
import type { PublicKey } from "@solana/web3.js";

import { firstBookedDevice } from "@iogrid/sdk";
import { createLogger } from "@iogrid/sdk/node";
import { Tunnel, TunnelRefused } from "@iogrid/agent/relay/connect";

import { intArg, portArg, pubkeyArg } from "./args.js";
import { checkRenter, fetchReservation, openBookings } from "./chain.js";
import type { GlobalOptions } from "./context.js";
import { walletContext } from "./context.js";
import type { WalletContext } from "./context.js";
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
  const relay = relayArg(o);
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
  await serveTunnel(ctx, { reservation, device, port: target, relay }, o, (listening, local) => {
    if (o.json) printJsonLine({ listening, port: local, reservation, device, devicePort: target });
    else
      console.log(
        `listening on ${listening} -> device ${device.toBase58()} port ${target} (Ctrl-C stops)`,
      );
  });
}

/** `iogrid ray R`: a tunnel to the Ray head's job API; prints the `RAY_ADDRESS` to export. */
export async function rayTunnel(reservationArg: string, o: ConnectOptions): Promise<void> {
  const reservation = pubkeyArg("reservation", reservationArg);
  const relay = relayArg(o);
  const ctx = walletContext(o);
  const r = await fetchReservation(ctx.connection, reservation);
  checkRenter(r, reservation, ctx.wallet.publicKey);
  const kind = Object.keys(r.workload.kind)[0];
  if (kind !== "ray")
    throw new CliError(
      `NotARayReservation: ${reservation.toBase58()} runs a ${kind} workload; use iogrid connect`,
      EXIT.usage,
    );
  const head = firstBookedDevice(await openBookings(ctx.connection, reservation));
  if (!head)
    throw new CliError(
      `NoOpenBookings: ${reservation.toBase58()} has no open booking`,
      EXIT.notFound,
    );
  const port = r.workload.ports[0];
  if (port === undefined)
    throw new CliError(
      "the Ray reservation declares no port: its first port is the head's job API",
      EXIT.usage,
    );
  await serveTunnel(ctx, { reservation, device: head, port, relay }, o, (listening, local) => {
    const rayAddress = `http://${listening}`;
    if (o.json)
      printJsonLine({ rayAddress, listening, port: local, reservation, head, devicePort: port });
    else
      console.log(
        `export RAY_ADDRESS=${rayAddress}\n# the Ray head (device ${head.toBase58()}) job API through the relay; Ctrl-C stops`,
      );
  });
}

function relayArg(o: ConnectOptions): string {
  const relay = o.relay ?? process.env.IOGRID_RELAY_URL;
  if (!relay || !/^wss?:\/\/[^\s/]+/.test(relay)) {
    throw new CliError(
      `--relay: the tunnel relay's ws:// or wss:// URL (or $IOGRID_RELAY_URL)${relay ? `, got ${JSON.stringify(relay)}` : ""}`,
      EXIT.usage,
    );
  }
  return relay;
}

/** Opens the tunnel, reports where it listens, and runs until Ctrl-C or the tunnel closes. */
async function serveTunnel(
  ctx: WalletContext,
  target: { reservation: PublicKey; device: PublicKey; port: number; relay: string },
  o: ConnectOptions,
  listening: (address: string, port: number) => void,
): Promise<void> {
  const { reservation, device, relay } = target;
  const localPort = intArg("--local-port", o.localPort ?? "0", 0, 65_535);
  const tunnel = new Tunnel({
    relayUrl: relay,
    relayDomain: o.relayDomain ?? process.env.IOGRID_RELAY_DOMAIN,
    reservation,
    device,
    port: target.port,
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
  listening(`${address.address}:${address.port}`, address.port);
  process.on("SIGTERM", () => tunnel.stop());
  process.on("SIGINT", () => tunnel.stop());
  try {
    await tunnel.done;
  } catch (e) {
    throw new CliError(`tunnel closed: ${(e as Error).message}`, EXIT.failed);
  }
}
