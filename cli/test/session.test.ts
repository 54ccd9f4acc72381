/**
 * A renter's session with the real CLI against real agents: two hosts, each behind its own
 * network namespace (reachable by the renter only through the tunnel relay), run `iogrid-agent
 * start`; the renter quotes, reserves both (environment from a file, delivered to the agents),
 * waits for their acknowledgements, reads the status, reaches the workload's TCP service through
 * `iogrid connect`, extends and cancels, then reads the receipts back from the chain's history;
 * every figure printed is checked against the renter's token balance and the chain's accounts, to
 * the unit. Then a reserve killed half-way and
 * resumed, and refusals that send nothing: an unknown reservation, someone else's, a too-poor
 * wallet.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";

import { createTransferInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { bookingPda, iosdMintPda, reservationVaultPda } from "@iogrid/sdk";

import { fundedKeypair, sendDistinct, tokenBalance } from "../../tests/support/chain.js";
import { AgentProcess, spawnAgent } from "../../agent/test/support/agent.js";
import { freePort, setUpHost, startHost } from "../../agent/test/support/host.js";
import type { Host } from "../../agent/test/support/host.js";
import { Namespaces, canUseNetns } from "../../agent/test/support/netns.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { IOGRID_BIN, iogrid, jsonOf, renterFiles } from "./support/cli.js";
import type { RenterFiles } from "./support/cli.js";

const RELAY_DOMAIN = "relay.iogrid.test";
const ECHO_PORT = 7101;
/** A TCP service greeting with the renter's GREETING, then echoing. */
const WORKLOAD = `exec node -e "require('net').createServer((s) => { s.write((process.env.GREETING || '-') + ':'); s.pipe(s); }).listen(${ECHO_PORT}, '127.0.0.1')"`;

interface ReserveJson {
  reservation: string;
  token: string;
  hours: number;
  paid: string;
  started: number;
  devices: {
    device: string;
    booking: string;
    startedAt: string;
    endsAt: string;
    total: string;
    connect: string;
  }[];
}

interface ReceiptsJson {
  open: boolean;
  ledger: { deposited: string; refundsClaimed: string };
  totals: { paid: string; refundClaimed: string; tipsToRenter: string; renterChange: string };
  receipts: {
    signature: string;
    slot: number;
    kinds: string[];
    paid: string;
    devices: number;
    settlements: { device: string; refund: string; tip: string }[];
    refundClaimed: string;
    surplusSwept: string;
    renterChange: string;
    vaultChange: string;
    explorer: string;
  }[];
}

/** Sends `text` to 127.0.0.1:`port` and reads until the peer has answered `expect` bytes. */
function exchange(port: number, text: string, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1", () => socket.write(text));
    let got = "";
    socket.on("data", (d) => {
      got += d.toString();
      if (got.length >= bytes) {
        socket.end();
        resolve(got);
      }
    });
    socket.on("error", reject);
    setTimeout(
      () => reject(new Error(`no answer through the tunnel, got ${JSON.stringify(got)}`)),
      20_000,
    );
  });
}

describe("iogrid reserve, status, connect, extend, cancel: a session with real agents", function () {
  this.timeout(900_000);
  let n: Network;
  let spaces: Namespaces;
  let relay: AgentProcess;
  let relayUrl: string;
  const hosts: Host[] = [];
  let renter: RenterFiles;
  let envFile: string;
  const iosd = iosdMintPda().address;
  const renterIosd = (): Promise<bigint> =>
    tokenBalance(n.net.connection, getAssociatedTokenAddressSync(iosd, n.renter.publicKey));
  const reserveArgs = (): string[] => [
    "reserve",
    "--gpu",
    "cpu",
    "--region",
    "eu",
    "--devices",
    "2",
    "--hours",
    "2",
    "--workload",
    "process",
    "--command",
    WORKLOAD,
    "--port",
    String(ECHO_PORT),
    "--env-file",
    envFile,
    "--relay",
    relayUrl,
    "--yes",
    "--json",
  ];

  before(async function () {
    if (!canUseNetns()) throw new Error("this suite needs root and `ip netns` (iproute2)");
    n = await startNetwork();
    spaces = new Namespaces();
    const rpcPort = Number(new URL(n.net.rpcUrl).port);
    const wsPort = Number(new URL(n.net.wsUrl).port);
    const relayPort = await freePort();
    relayUrl = `ws://127.0.0.1:${relayPort}`;
    relay = spawnAgent("relay", [
      "relay",
      "--rpc-url",
      n.net.rpcUrl,
      "--listen",
      `0.0.0.0:${relayPort}`,
      "--domain",
      RELAY_DOMAIN,
      "--recheck-ms",
      "1000",
    ]);
    await relay.waitForLine(/relay listening/, 30_000);
    for (const name of ["gpu-a", "gpu-b"]) {
      const ns = spaces.add(name);
      await spaces.forward(ns.gateway, rpcPort);
      await spaces.forward(ns.gateway, wsPort);
      const host = await setUpHost(n, {
        name,
        rpcUrl: `http://${ns.gateway}:${rpcPort}`,
        wsUrl: `ws://${ns.gateway}:${wsPort}`,
        relayUrl: `ws://${ns.gateway}:${relayPort}`,
        listenHost: ns.address,
        netns: ns.name,
        edit: (yaml) =>
          yaml.replace(
            `url: "ws://${ns.gateway}:${relayPort}"`,
            `url: "ws://${ns.gateway}:${relayPort}"\n  domain: "${RELAY_DOMAIN}"`,
          ),
      });
      await startHost(host);
      await host.process!.waitForLine(/attached to relay/, 30_000);
      hosts.push(host);
    }
    renter = renterFiles(n.renter);
    envFile = join(renter.home, "..", "workload.env");
    writeFileSync(envFile, "# the renter's secrets\nGREETING=hello-from-env\n");
  });

  after(async () => {
    for (const h of hosts) await h.process?.stop();
    await relay?.stop();
    await spaces?.destroy();
    await n?.net.stop();
  });

  it("quote -> reserve 2 -> status -> connect -> extend -> cancel, every figure against the balances", async () => {
    const quote = jsonOf<{ totals: { total: string }; devices: { address: string }[] }>(
      await iogrid(n, renter, [
        "quote",
        "--gpu",
        "cpu",
        "--region",
        "eu",
        "--devices",
        "2",
        "--hours",
        "2",
        "--json",
      ]),
    );
    expect(quote.devices.map((d) => d.address).sort()).to.deep.equal(
      hosts.map((h) => h.device.toBase58()).sort(),
    );
    const before = await renterIosd();

    const reserved = await iogrid(n, renter, reserveArgs(), { timeoutMs: 300_000 });
    const r = jsonOf<ReserveJson>(reserved);
    expect(reserved.stderr).to.match(/\[#+\] 2\/2 devices booked/);
    expect(reserved.stderr).to.match(/environment handed over/);
    expect(reserved.stderr.match(/: started \(acknowledged at/g)).to.have.length(2);
    expect(r.started).to.equal(2);
    expect(r.paid).to.equal(quote.totals.total);
    const afterReserve = await renterIosd();
    expect(before - afterReserve).to.equal(BigInt(r.paid));
    const reservation = new PublicKey(r.reservation);
    let chainPaid = 0n;
    for (const d of r.devices) {
      const b = await n.market.account.booking.fetch(
        bookingPda(reservation, new PublicKey(d.device)).address,
      );
      expect(b.startedAt.toString()).to.equal(d.startedAt).and.not.equal("0");
      const total =
        BigInt(b.charges.time.toString()) +
        BigInt(b.charges.reservationFee.toString()) +
        BigInt(b.charges.paymentFee.toString());
      expect(d.total).to.equal(total.toString());
      chainPaid += total;
      expect(d.connect).to.equal(
        `iogrid connect ${r.reservation} --device ${d.device} --port ${ECHO_PORT} --relay ${relayUrl}`,
      );
    }
    expect(chainPaid.toString()).to.equal(r.paid);

    const status = jsonOf<{
      devices: { state: string }[];
      ledger: { deposited: string; escrowOpen: string };
    }>(await iogrid(n, renter, ["status", r.reservation, "--json"]));
    expect(status.devices.map((d) => d.state)).to.deep.equal(["running", "running"]);
    expect(status.ledger.deposited).to.equal(r.paid);
    const mine = jsonOf<{
      reservations: { reservation: string; state: string; devicesAsked: number }[];
    }>(await iogrid(n, renter, ["status", "--json"]));
    expect(mine.reservations.find((x) => x.reservation === r.reservation)).to.include({
      state: "active",
      devicesAsked: 2,
    });
    const table = await iogrid(n, renter, ["status", r.reservation]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.include(r.devices[0]!.device);

    // The workload's service, through the relay only (the agents' namespaces are unreachable).
    for (const d of r.devices) {
      const child = spawn(
        process.execPath,
        [
          IOGRID_BIN,
          "connect",
          r.reservation,
          "--device",
          d.device,
          "--port",
          String(ECHO_PORT),
          "--relay",
          relayUrl,
          "--relay-domain",
          RELAY_DOMAIN,
          "--url",
          n.net.rpcUrl,
          "--keypair",
          renter.keyFile,
          "--json",
        ],
        { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, IOGRID_HOME: renter.home } },
      );
      const tunnel = new AgentProcess(child, "connect");
      try {
        const line = await tunnel.waitForLine(/"listening"/, 30_000);
        const { port } = JSON.parse(line) as { port: number };
        expect(await exchange(port, "ping", "hello-from-env:ping".length)).to.equal(
          "hello-from-env:ping",
        );
      } finally {
        await tunnel.stop(5_000);
      }
    }

    const endsBefore = await Promise.all(
      r.devices.map(async (d) =>
        (await n.market.account.booking.fetch(d.booking)).endsAt.toNumber(),
      ),
    );
    const extended = jsonOf<{
      paid: string;
      signatures: string[];
      devices: { device: string; endsAt: string; hours: number }[];
    }>(await iogrid(n, renter, ["extend", r.reservation, "--hours", "1", "--yes", "--json"]));
    const afterExtend = await renterIosd();
    expect(afterReserve - afterExtend).to.equal(BigInt(extended.paid));
    let chainAfterExtend = 0n;
    for (const [i, d] of r.devices.entries()) {
      const b = await n.market.account.booking.fetch(d.booking);
      expect(b.endsAt.toNumber()).to.equal(endsBefore[i]! + 3_600);
      chainAfterExtend +=
        BigInt(b.charges.time.toString()) +
        BigInt(b.charges.reservationFee.toString()) +
        BigInt(b.charges.paymentFee.toString());
    }
    expect(chainAfterExtend - chainPaid).to.equal(BigInt(extended.paid));
    expect(extended.devices.map((d) => d.hours)).to.deep.equal([3, 3]);

    // Cancelled inside the first hour: each booking pays from its start to an hour after it was
    // booked; the rest of its time charge, and its settle tip (the renter settles), come back.
    let refund = 0n;
    for (const d of r.devices) {
      const b = await n.market.account.booking.fetch(d.booking);
      const time = BigInt(b.charges.time.toString());
      const booked = BigInt(b.endsAt.toString()) - BigInt(b.bookedAt.toString());
      const delivered = BigInt(b.bookedAt.toString()) + 3_600n - BigInt(b.startedAt.toString());
      refund += time - (time * delivered) / booked + BigInt(b.charges.tip.toString());
    }
    const cancelled = jsonOf<{
      expected: { refund: string; tips: string };
      received: string;
      closed: boolean;
      signatures: string[];
    }>(await iogrid(n, renter, ["cancel", r.reservation, "--yes", "--json"]));
    const afterCancel = await renterIosd();
    expect(afterCancel - afterExtend).to.equal(BigInt(cancelled.received));
    expect(BigInt(cancelled.received)).to.equal(refund);
    expect(BigInt(cancelled.expected.refund) + BigInt(cancelled.expected.tips)).to.equal(refund);
    expect(cancelled.closed).to.equal(true);
    expect(await n.net.connection.getAccountInfo(reservation)).to.equal(null);
    expect(before - afterCancel).to.equal(BigInt(r.paid) + BigInt(extended.paid) - refund);
    for (const h of hosts) {
      const device = await n.registry.account.device.fetch(h.device);
      expect(device.reservation.equals(PublicKey.default)).to.equal(true);
    }

    // The receipts, read back from the chain's history after the account is gone: the booking
    // payments, the extension, the settlements and the refund, each amount equal to the renter's
    // balance change, and every transaction of extend and cancel among them, with its link.
    const history = jsonOf<ReceiptsJson>(
      await iogrid(n, renter, ["receipts", r.reservation, "--json"]),
    );
    expect(history.open).to.equal(false);
    const net = (list: ReceiptsJson["receipts"]): bigint =>
      list.reduce((s, x) => s + BigInt(x.renterChange), 0n);
    const paid = (list: ReceiptsJson["receipts"]): bigint =>
      list.reduce((s, x) => s + BigInt(x.paid), 0n);
    const bookings = history.receipts.filter((x) => x.kinds.includes("booking"));
    expect(bookings.reduce((s, x) => s + x.devices, 0)).to.equal(2);
    expect(paid(bookings)).to.equal(BigInt(r.paid));
    for (const x of bookings) expect(BigInt(x.renterChange)).to.equal(-BigInt(x.paid));
    const reservePhase = history.receipts.filter((x) => x.slot <= bookings.at(-1)!.slot);
    expect(net(reservePhase)).to.equal(afterReserve - before);
    const extensions = history.receipts.filter((x) => x.kinds.includes("extension"));
    expect(extensions.map((x) => x.signature)).to.deep.equal(extended.signatures);
    expect(paid(extensions)).to.equal(BigInt(extended.paid));
    expect(net(extensions)).to.equal(afterExtend - afterReserve);
    const cancelPhase = history.receipts.slice(history.receipts.indexOf(extensions.at(-1)!) + 1);
    expect(cancelPhase.map((x) => x.signature)).to.deep.equal(
      cancelled.signatures.filter((sig) => cancelPhase.some((x) => x.signature === sig)),
    );
    expect(cancelPhase.map((x) => x.kinds).flat()).to.include.members([
      "cancel",
      "settlement",
      "refund",
      "close",
    ]);
    expect(net(cancelPhase)).to.equal(BigInt(cancelled.received));
    const settlements = cancelPhase.flatMap((x) => x.settlements);
    expect(settlements.map((x) => x.device).sort()).to.deep.equal(
      r.devices.map((d) => d.device).sort(),
    );
    const refunds = cancelPhase.filter((x) => x.kinds.includes("refund"));
    expect(refunds).to.have.length(1);
    const claimed = BigInt(refunds[0]!.refundClaimed);
    expect(BigInt(refunds[0]!.renterChange)).to.equal(claimed);
    expect(claimed).to.equal(settlements.reduce((s, x) => s + BigInt(x.refund), 0n));
    const tips = settlements.reduce((s, x) => s + BigInt(x.tip), 0n);
    expect(claimed + tips).to.equal(refund);
    expect(BigInt(history.totals.renterChange)).to.equal(afterCancel - before);
    expect(BigInt(history.totals.paid)).to.equal(BigInt(r.paid) + BigInt(extended.paid));
    expect(BigInt(history.totals.refundClaimed)).to.equal(claimed);
    expect(BigInt(history.totals.tipsToRenter)).to.equal(tips);
    expect(BigInt(history.ledger.deposited)).to.equal(BigInt(history.totals.paid));
    expect(BigInt(history.ledger.refundsClaimed)).to.equal(claimed);
    expect(history.receipts.filter((x) => x.kinds.includes("start"))).to.have.length(2);
    expect(history.receipts[0]!.kinds[0]).to.equal("create");
    for (const x of history.receipts) {
      expect(x.explorer).to.equal(
        `https://explorer.solana.com/tx/${x.signature}?cluster=custom&customUrl=${encodeURIComponent(n.net.rpcUrl)}`,
      );
    }
    const text = await iogrid(n, renter, ["receipts", r.reservation]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include(refunds[0]!.explorer);
    expect(text.stdout).to.match(/refund claimed [\d.]+ IOSD/);
  });

  it("a reserve killed half-way is finished by --resume; one killed and cancelled releases its devices", async () => {
    for (const ending of ["resume", "cancel"] as const) {
      const child = spawn(
        process.execPath,
        [IOGRID_BIN, ...reserveArgs(), "--url", n.net.rpcUrl, "--keypair", renter.keyFile],
        {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, IOGRID_HOME: renter.home },
        },
      );
      const cli = new AgentProcess(child, "reserve");
      // Killed once the reservation exists, as its first batch is about to be sent.
      await cli.waitForLine(/0\/2 devices booked/, 60_000);
      await cli.kill();
      const created = cli.matching(/^reservation (\w+): creating$/)[0]!;
      const address = created.split(" ")[1]!.replace(/:$/, "");
      if (ending === "resume") {
        const resumed = jsonOf<ReserveJson>(
          await iogrid(n, renter, ["reserve", "--resume", address, "--json"], {
            timeoutMs: 300_000,
          }),
        );
        expect(resumed.reservation).to.equal(address);
        expect(resumed.started).to.equal(2);
        expect(resumed.devices.map((d) => d.device).sort()).to.deep.equal(
          hosts.map((h) => h.device.toBase58()).sort(),
        );
        const again = jsonOf<ReserveJson>(
          await iogrid(n, renter, ["reserve", "--resume", address, "--json"]),
        );
        expect(again.paid).to.equal(resumed.paid);
      }
      const before = await renterIosd();
      const c = jsonOf<{ received: string; closed: boolean }>(
        await iogrid(n, renter, ["cancel", address, "--yes", "--json"]),
      );
      expect(c.closed).to.equal(true);
      expect((await renterIosd()) - before).to.equal(BigInt(c.received));
      for (const h of hosts) {
        const device = await n.registry.account.device.fetch(h.device);
        expect(device.reservation.equals(PublicKey.default), ending).to.equal(true);
      }
    }
  });

  it("an unknown reservation, someone else's and a too-poor wallet are refused with their exit code, sending nothing", async () => {
    const stranger = renterFiles(await fundedKeypair(n.net.connection, 2));
    const unknown = Keypair.generate().publicKey.toBase58();
    const r = jsonOf<ReserveJson>(await iogrid(n, renter, reserveArgs(), { timeoutMs: 300_000 }));
    const lamports = await n.net.connection.getBalance(stranger.keypair.publicKey);
    const cases: [RenterFiles, string[], number, RegExp][] = [
      [renter, ["status", unknown], 3, /UnknownReservation: no reservation/],
      [renter, ["cancel", unknown, "--yes"], 3, /UnknownReservation/],
      [renter, ["receipts", unknown], 3, /UnknownReservation: no reservation/],
      [renter, ["status", "not-an-address"], 2, /reservation: expected a base58 address/],
      [stranger, ["cancel", r.reservation, "--yes"], 4, /NotRenter: reservation \w+ belongs to/],
      [stranger, ["extend", r.reservation, "--hours", "1", "--yes"], 4, /NotRenter/],
      [
        stranger,
        ["connect", r.reservation, "--device", r.devices[0]!.device, "--relay", relayUrl],
        4,
        /NotRenter/,
      ],
      [
        renter,
        ["connect", r.reservation, "--device", unknown, "--relay", relayUrl],
        3,
        /DeviceNotInReservation/,
      ],
      [
        renter,
        ["ray", r.reservation, "--relay", relayUrl],
        2,
        /NotARayReservation: \w+ runs a process workload/,
      ],
      [stranger, ["ray", r.reservation, "--relay", relayUrl], 4, /NotRenter/],
      [renter, ["ray", unknown, "--relay", relayUrl], 3, /UnknownReservation/],
      [renter, ["extend", r.reservation, "--hours", "48", "--yes"], 2, /InvalidHours/],
      [renter, ["cancel", r.reservation], 2, /pass --yes to confirm without a terminal/],
    ];
    for (const [who, args, code, pattern] of cases) {
      const out = await iogrid(n, who, args);
      expect(out.code, `${args.join(" ")}: ${out.stderr}`).to.equal(code);
      expect(out.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(out.stderr, args.join(" ")).to.match(pattern);
    }
    // Tokens sent to the vault from outside the market: a receipt of its own ("transfer"),
    // swept to the treasury at close.
    const stray = await sendDistinct(
      n.net.connection,
      createTransferInstruction(
        getAssociatedTokenAddressSync(iosd, n.renter.publicKey),
        reservationVaultPda(new PublicKey(r.reservation)).address,
        n.renter.publicKey,
        1n,
      ),
      [n.renter],
    );
    // The devices are taken now: the too-poor wallet finds none; once free, it cannot pay.
    await iogrid(n, renter, ["cancel", r.reservation, "--yes", "--json"]);
    const history = jsonOf<ReceiptsJson>(
      await iogrid(n, stranger, ["receipts", r.reservation, "--json"]),
    );
    const transfer = history.receipts.find((x) => x.signature === stray)!;
    expect(transfer).to.include({ renterChange: "-1", vaultChange: "1" });
    expect(transfer.kinds).to.deep.equal(["transfer"]);
    expect(history.receipts.find((x) => x.kinds.includes("close"))!.surplusSwept).to.equal("1");
    const poor = await iogrid(n, stranger, reserveArgs());
    expect(poor.code, poor.stderr).to.equal(5);
    expect(poor.stderr).to.match(
      /^iogrid: InsufficientFunds: the reservation of 2 devices for 2 h costs [\d.]+ IOSD; this wallet holds 0 IOSD\n$/,
    );
    const mine = jsonOf<{ reservations: unknown[] }>(
      await iogrid(n, stranger, ["status", "--json"]),
    );
    expect(mine.reservations).to.deep.equal([]);
    expect(await n.net.connection.getBalance(stranger.keypair.publicKey)).to.equal(lamports);
  });
});
