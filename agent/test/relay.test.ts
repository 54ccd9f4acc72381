/**
 * The tunnel relay behind NAT for real: the agent runs in a network namespace that the renter's
 * namespace cannot reach; the relay (root namespace) is reachable from both. A reservation's
 * workload serves a TCP echo and an HTTP service; the renter's `iogrid-agent connect` reaches
 * both only through the relay. Refused by reason: a stranger, an expired request, a replayed
 * request, a wrong port, a forged signature, an agent key of no registered device. The relay
 * restarted under a connected agent: it reattaches and the renter gets through again. The tunnel
 * closes when the booking ends.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import WebSocket from "ws";

import { agentAttachText, bookingPda, signText, signTunnelRequest } from "@iogrid/sdk";
import type { SignedTunnelRequest } from "@iogrid/sdk";
import { saveKeypair } from "@iogrid/sdk/node";

import { fundedKeypair, waitFor } from "../../tests/support/chain.js";
import { spawnAgent } from "./support/agent.js";
import type { AgentProcess } from "./support/agent.js";
import { freePort, setUpHost, startHost } from "./support/host.js";
import type { Host } from "./support/host.js";
import { book, startNetwork, warpBy } from "./support/network.js";
import type { Network } from "./support/network.js";
import { Namespaces, canUseNetns, nodeIn } from "./support/netns.js";
import { TunnelRefused, signedRequest } from "../src/relay/connect.js";
import type { Namespace } from "./support/netns.js";
import { join } from "node:path";

const RELAY_DOMAIN = "relay.iogrid.test";
const ECHO_PORT = 7001;
const HTTP_PORT = 7002;

/** A workload: a TCP echo on ECHO_PORT and an HTTP service on HTTP_PORT. */
const WORKLOAD = `exec node -e "const n = require('net'), h = require('http'); n.createServer((s) => s.pipe(s)).listen(${ECHO_PORT}, '127.0.0.1'); h.createServer((q, s) => s.end('http ok ' + q.url)).listen(${HTTP_PORT}, '127.0.0.1')"`;

/** A client in the renter's namespace: echoes through localPort, then GETs through httpPort. */
function renterClient(echoPort: number, httpPort: number): string {
  return `
    const net = require("net");
    const s = net.connect(${echoPort}, "127.0.0.1", () => { s.write("ping over the relay"); s.end(); });
    let got = "";
    s.on("data", (d) => (got += d));
    s.on("error", (e) => { console.log("ECHO-ERROR " + e.message); process.exit(2); });
    s.on("close", async () => {
      const r = await fetch("http://127.0.0.1:${httpPort}/hello");
      console.log(JSON.stringify({ echo: got, http: await r.text() }));
    });
  `;
}

describe("relay: a renter reaches a device behind NAT only through the relay", function () {
  this.timeout(600_000);
  let n: Network;
  let spaces: Namespaces;
  let agentNs: Namespace;
  let renterNs: Namespace;
  let host: Host;
  let relay: AgentProcess;
  let relayPort: number;
  let reservation: PublicKey;
  let renterKeyFile: string;
  const connects: AgentProcess[] = [];

  before(async function () {
    if (!canUseNetns()) {
      throw new Error(
        "this suite needs root and `ip netns` (iproute2) to create network namespaces",
      );
    }
    n = await startNetwork();
    spaces = new Namespaces();
    agentNs = spaces.add("agent");
    renterNs = spaces.add("renter");
    // The agent's namespace reaches the chain through forwarders on its link's root address.
    const rpcPort = Number(new URL(n.net.rpcUrl).port);
    const wsPort = Number(new URL(n.net.wsUrl).port);
    await spaces.forward(agentNs.gateway, rpcPort);
    await spaces.forward(agentNs.gateway, wsPort);
    relayPort = await freePort();
    relay = startRelay();
    await relay.waitForLine(/relay listening/, 30_000);

    host = await setUpHost(n, {
      name: "nat",
      rpcUrl: `http://${agentNs.gateway}:${rpcPort}`,
      wsUrl: `ws://${agentNs.gateway}:${wsPort}`,
      relayUrl: `ws://${agentNs.gateway}:${relayPort}`,
      relayOnly: true,
      listenHost: agentNs.address,
      netns: agentNs.name,
      edit: (yaml) =>
        yaml.replace(
          `url: "ws://${agentNs.gateway}:${relayPort}"`,
          `url: "ws://${agentNs.gateway}:${relayPort}"\n  domain: "${RELAY_DOMAIN}"`,
        ),
    });
    // Registration ran in the root namespace, which reaches the chain directly; only `start`
    // runs behind the NAT.
    await startHost(host);
    await host.process!.waitForLine(/attached to relay/, 30_000);

    ({ reservation } = await book(n, [{ address: host.device, owner: host.owner.publicKey }], 1, {
      kind: "process",
      image: WORKLOAD,
      ports: [ECHO_PORT, HTTP_PORT],
    }));
    await waitFor(
      "the start acknowledgement",
      async () => {
        const b = await n.market.account.booking.fetchNullable(
          bookingPda(reservation, host.device).address,
        );
        return b && BigInt(b.startedAt.toString()) !== 0n ? true : undefined;
      },
      60_000,
      250,
    );
    renterKeyFile = join(host.dir, "renter.json");
    saveKeypair(renterKeyFile, n.renter);
  });

  after(async () => {
    for (const c of connects) await c.stop(5_000);
    await host?.process?.stop();
    await relay?.stop();
    await spaces?.destroy();
    await n?.net.stop();
  });

  function startRelay(): AgentProcess {
    return spawnAgent("relay", [
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
  }

  /** `connect` in the renter's namespace for `port`; resolves with its local port. */
  async function connectFor(
    port: number,
    keyFile = renterKeyFile,
  ): Promise<{ p: AgentProcess; local: number }> {
    const p = spawnAgent(
      `connect-${port}`,
      [
        "connect",
        "--relay",
        `ws://${renterNs.gateway}:${relayPort}`,
        "--relay-domain",
        RELAY_DOMAIN,
        "--reservation",
        reservation.toBase58(),
        "--device",
        host.device.toBase58(),
        "--port",
        String(port),
        "--keypair",
        keyFile,
        "--json",
      ],
      { netns: renterNs.name },
    );
    connects.push(p);
    const line = await p.waitForLine(/"listening"/, 30_000);
    return { p, local: (JSON.parse(line) as { port: number }).port };
  }

  /** A signed request for the relay, by `signer` (default the renter), with overrides. */
  async function request(
    over: { port?: number; signer?: Keypair; lifetimeMs?: number; issuedAt?: number } = {},
  ): Promise<SignedTunnelRequest> {
    const res = await fetch(`http://127.0.0.1:${relayPort}/v1/nonce`);
    const { nonce, uri, chainId } = (await res.json()) as {
      nonce: string;
      uri: string;
      chainId: string;
    };
    const signer = over.signer ?? n.renter;
    const issuedAt = over.issuedAt ?? Date.now();
    return signTunnelRequest(signer, {
      domain: RELAY_DOMAIN,
      renter: signer.publicKey,
      reservation,
      device: host.device,
      port: over.port ?? ECHO_PORT,
      uri,
      chainId,
      nonce,
      issuedAt,
      expiresAt: issuedAt + (over.lifetimeMs ?? 60_000),
    });
  }

  /** Sends `first` as a renter's (or agent's) first message; resolves with the relay's answer. */
  function answer(
    path: "/v1/connect" | "/v1/agent",
    first: (challenge?: { nonce: string }) => unknown,
  ): Promise<{ t: string; error?: string; reason?: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${relayPort}${path}`);
      ws.on("open", () => {
        if (path === "/v1/connect") ws.send(JSON.stringify(first()));
      });
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data)) as { t: string; nonce?: string };
        if (msg.t === "challenge") return ws.send(JSON.stringify(first({ nonce: msg.nonce! })));
        ws.close();
        resolve(msg as { t: string });
      });
      ws.on("error", reject);
    });
  }

  it("the renter's namespace cannot reach the agent's: no route", async () => {
    const direct = await nodeIn(
      renterNs.name,
      `require("net").connect(${ECHO_PORT}, "${agentNs.address}").on("connect", () => console.log("CONNECTED")).on("error", (e) => console.log(e.code));`,
    );
    expect(direct.stdout.trim()).to.equal("ENETUNREACH");
  });

  it("a TCP echo and an HTTP service are reached through the relay by the renter", async () => {
    const echo = await connectFor(ECHO_PORT);
    const http = await connectFor(HTTP_PORT);
    const result = await nodeIn(renterNs.name, renterClient(echo.local, http.local));
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      echo: "ping over the relay",
      http: "http ok /hello",
    });
  });

  it("with no public endpoint the device's routes are the relay's: a keeper probes it there and attests it", async () => {
    const device = await n.registry.account.device.fetch(host.device);
    expect(device.endpoint).to.equal(
      `http://${agentNs.gateway}:${relayPort}/v1/devices/${host.device.toBase58()}`,
    );
    expect(host.endpoint).to.equal(device.endpoint);
    const probe = await n.keeper.probe(device.endpoint, host.device);
    await n.keeper.attest(probe, host.owner.publicKey);
    const after = await n.registry.account.device.fetch(host.device);
    expect(BigInt(after.availability.lastPassEpoch.toString())).to.equal(await n.keeper.epoch());
    // A forged challenge is the agent's refusal, carried back by the relay.
    const forged = await n.keeper.post(device.endpoint, {
      ...(await n.keeper.request(host.device)),
      device: Keypair.generate().publicKey.toBase58(),
    });
    expect(forged.status).to.be.within(400, 499);
    // The renter's environment reaches the agent the same way (this one names no reservation
    // of the device).
    const env = await fetch(`${device.endpoint}/v1/env`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reservation: Keypair.generate().publicKey.toBase58(), env: {} }),
    });
    expect(env.status).to.equal(404);
    expect(((await env.json()) as { error: string }).error).to.equal("UnknownReservation");
    const telemetry = (await (await fetch(`${device.endpoint}/telemetry`)).json()) as {
      cpu: { cores: number };
    };
    expect(telemetry.cpu.cores).to.be.greaterThan(0);
    // Only the agent's probe, env, telemetry, ray and health routes are carried, and only to an
    // attached agent.
    const metrics = await fetch(`${device.endpoint}/metrics`);
    expect(metrics.status).to.equal(404);
    expect(((await metrics.json()) as { error: string }).error).to.equal("NotFound");
    const stranger = Keypair.generate().publicKey.toBase58();
    const absent = await fetch(`http://127.0.0.1:${relayPort}/v1/devices/${stranger}/health`);
    expect(absent.status).to.equal(404);
    expect(((await absent.json()) as { error: string }).error).to.equal("AgentNotAttached");
  });

  it("a stranger, an expired, a replayed, a forged request and a wrong port are refused with a reason", async () => {
    const stranger = await fundedKeypair(n.net.connection, 1);
    const cases: [string, unknown, string, RegExp][] = [];
    const strangerReq = await request({ signer: stranger });
    cases.push([
      "stranger",
      { t: "request", ...strangerReq },
      "NotAdmitted",
      /not the reservation's renter/,
    ]);
    const expired = await request({ issuedAt: Date.now() - 120_000, lifetimeMs: 60_000 });
    cases.push(["expired", { t: "request", ...expired }, "Expired", /expired/]);
    const wrongPort = await request({ port: 22 });
    cases.push([
      "wrong port",
      { t: "request", ...wrongPort },
      "NotAdmitted",
      /port 22 is not one of the workload's ports \(7001, 7002\)/,
    ]);
    const forged = await request();
    cases.push([
      "forged",
      { t: "request", message: forged.message, signature: signText(stranger, forged.message) },
      "BadRequest",
      /not the renter's/,
    ]);
    for (const [what, body, error, reason] of cases) {
      const reply = await answer("/v1/connect", () => body);
      expect(reply.t, what).to.equal("refused");
      expect(reply.error, what).to.equal(error);
      expect(reply.reason, what).to.match(reason);
    }
    // The same valid request twice: admitted once, then refused as a replay.
    const valid = await request();
    expect((await answer("/v1/connect", () => ({ t: "request", ...valid }))).t).to.equal(
      "admitted",
    );
    const replay = await answer("/v1/connect", () => ({ t: "request", ...valid }));
    expect(replay).to.include({ t: "refused", error: "Replayed" });
  });

  it("the renter signs only for the relay it dialled: a nonce for another name is refused before signing", async () => {
    const dialled = {
      relayUrl: `ws://127.0.0.1:${relayPort}`,
      reservation,
      device: host.device,
      port: ECHO_PORT,
      renter: n.renter,
    };
    // This relay's nonces name RELAY_DOMAIN, not the host:port the renter dialled.
    const refusal = await signedRequest(dialled).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).to.be.instanceOf(TunnelRefused);
    expect((refusal as TunnelRefused).error).to.equal("RelayDomainMismatch");
    const signed = await signedRequest({ ...dialled, relayDomain: RELAY_DOMAIN });
    expect(signed.message).to.include(RELAY_DOMAIN);
  });

  it("an agent key of no registered device, or of another device, cannot attach", async () => {
    const impostor = await fundedKeypair(n.net.connection, 1);
    const hello = (device: PublicKey) => (c?: { nonce: string }) => {
      const issuedAt = Date.now();
      const text = agentAttachText({
        domain: RELAY_DOMAIN,
        device,
        agent: impostor.publicKey,
        nonce: c!.nonce,
        issuedAt,
      });
      return {
        t: "hello",
        device: device.toBase58(),
        agent: impostor.publicKey.toBase58(),
        issuedAt,
        signature: signText(impostor, text),
      };
    };
    expect(await answer("/v1/agent", hello(PublicKey.unique()))).to.include({
      t: "refused",
      error: "UnknownDevice",
    });
    expect(await answer("/v1/agent", hello(host.device))).to.include({
      t: "refused",
      error: "WrongAgentKey",
    });
  });

  it("the relay restarted under a connected agent: the agent reattaches and the renter gets through again", async () => {
    const echo = await connectFor(ECHO_PORT);
    const http = await connectFor(HTTP_PORT);
    const attachedBefore = host.process!.matching(/attached to relay/).length;
    await relay.stop();
    relay = startRelay();
    await relay.waitForLine(/relay listening/, 30_000);
    await waitFor(
      "the agent to reattach",
      () =>
        host.process!.matching(/attached to relay/).length > attachedBefore ? true : undefined,
      60_000,
      200,
    );
    for (const c of [echo, http]) {
      await waitFor(
        "the renter's session again",
        () => (c.p.matching(/admitted by the relay/).length >= 2 ? true : undefined),
        60_000,
        200,
      );
    }
    const result = await nodeIn(renterNs.name, renterClient(echo.local, http.local));
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      echo: "ping over the relay",
      http: "http ok /hello",
    });
  });

  it("the tunnel closes when the booking ends", async () => {
    const echo = await connectFor(ECHO_PORT);
    const booking = await n.market.account.booking.fetch(
      bookingPda(reservation, host.device).address,
    );
    await warpBy(
      n,
      Number(BigInt(booking.endsAt.toString()) - BigInt(booking.startedAt.toString())) + 5,
    );
    const exit = await echo.p.exited;
    expect(exit.code).to.equal(1);
    expect(echo.p.lines.join("\n")).to.match(
      /tunnel closed: BookingEnded: the booking is not running \(ended\)/,
    );
  });
});
