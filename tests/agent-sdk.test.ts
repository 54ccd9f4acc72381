/**
 * The sdk pieces the host agent, the relay and the keeper share, without a chain: the `Booking`
 * layout against the market's Borsh encoding, what a booking asks of its agent, the workload
 * environment hash, the relay's Sign-In-With-Solana tunnel requests (forged, altered,
 * non-canonical, expired), the add-device link, the co-signed registration, and the Node-only
 * config loader, metrics registry and outage logging.
 */
import { createHash } from "node:crypto";

import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import { z } from "zod";

import {
  BOOKING_ACCOUNT_SIZE,
  BOOKING_LAYOUT,
  BANDWIDTH_TIER,
  addDeviceLink,
  agentAttachText,
  bookingAction,
  chainIdOf,
  decodeBooking,
  envMatchesHash,
  marketCoder,
  parseAddDeviceLink,
  parseTunnelRequest,
  registerDeviceIx,
  registryProgram,
  signTunnelRequest,
  tunnelRequestText,
  tunnelRequestTimeProblem,
  verifyText,
  verifyTunnelRequest,
  signText,
  workloadEnvHash,
} from "@iogrid/sdk";
import type { Booking, BookingView, Device, Reservation, TunnelRequest } from "@iogrid/sdk";
import {
  ConfigError,
  MetricsRegistry,
  OutageTracker,
  backoffDelay,
  parseYamlConfig,
  retrying,
} from "@iogrid/sdk/node";

const key = (): PublicKey => Keypair.generate().publicKey;

function booking(fields: Partial<Booking> = {}): Booking {
  return {
    reservation: key(),
    device: key(),
    owner: key(),
    stakePool: key(),
    pricePerHour: new BN(25_000_000),
    bookedAt: new BN(1_000),
    ackDeadline: new BN(1_600),
    endsAt: new BN(1_000 + 3_600),
    startedAt: new BN(0),
    charges: {
      time: new BN(25_000_000),
      reservationFee: new BN(62_500),
      paymentFee: new BN(0),
      tip: new BN(62_500),
    },
    bump: 254,
    ...fields,
  };
}

describe("agent sdk: bookings, environment, relay messages, links, node helpers", () => {
  describe("Booking layout", () => {
    it("offsets and size match the market's Borsh encoding", async () => {
      const b = booking({ startedAt: new BN(1_234), endsAt: new BN(98_765) });
      const data = await marketCoder().accounts.encode("booking", b);
      expect(data.length).to.equal(BOOKING_ACCOUNT_SIZE);
      expect(
        new PublicKey(
          data.subarray(BOOKING_LAYOUT.reservation, BOOKING_LAYOUT.reservation + 32),
        ).equals(b.reservation),
      ).to.equal(true);
      expect(
        new PublicKey(data.subarray(BOOKING_LAYOUT.device, BOOKING_LAYOUT.device + 32)).equals(
          b.device,
        ),
      ).to.equal(true);
      expect(data.readBigInt64LE(BOOKING_LAYOUT.startedAt)).to.equal(1_234n);
      expect(data.readBigInt64LE(BOOKING_LAYOUT.endsAt)).to.equal(98_765n);
      expect(data[BOOKING_LAYOUT.bump]).to.equal(254);
      expect(decodeBooking(data).device.equals(b.device)).to.equal(true);
    });
  });

  describe("bookingAction", () => {
    const device = key();
    const reservationKey = key();
    const reservation = {
      cancelledAt: new BN(0),
      ledger: { escrowOpen: new BN(25_125_000) },
    } as unknown as Reservation;
    const locked = { reservation: reservationKey } as unknown as Device;
    const view = (over: Partial<BookingView> = {}, b: Partial<Booking> = {}): BookingView => ({
      device,
      booking: booking({ device, reservation: reservationKey, ...b }),
      reservation,
      deviceAccount: locked,
      now: 1_100n,
      ...over,
    });

    it("start before the deadline, run once acknowledged, stop at the end", () => {
      expect(bookingAction(view())).to.deep.equal({
        action: "start",
        ackDeadline: 1_600n,
        endsAt: 4_600n,
      });
      expect(bookingAction(view({}, { startedAt: new BN(1_050) }))).to.deep.equal({
        action: "run",
        endsAt: 4_600n,
      });
      expect(bookingAction(view({ now: 4_600n }, { startedAt: new BN(1_050) }))).to.deep.equal({
        action: "stop",
        reason: "ended",
      });
    });

    it("never runs a settled, cancelled, released, foreign, overdue or unescrowed booking", () => {
      const stop = (v: BookingView): string | undefined => {
        const a = bookingAction(v);
        return a.action === "stop" ? a.reason : undefined;
      };
      expect(stop(view({ booking: null }))).to.equal("settled");
      expect(stop(view({ reservation: null }))).to.equal("reservationClosed");
      expect(stop(view({ reservation: { ...reservation, cancelledAt: new BN(1_050) } }))).to.equal(
        "cancelled",
      );
      expect(stop(view({ deviceAccount: { reservation: key() } as unknown as Device }))).to.equal(
        "deviceReleased",
      );
      expect(stop(view({ deviceAccount: null }))).to.equal("deviceReleased");
      expect(stop(view({}, { device: key() }))).to.equal("notThisDevice");
      expect(stop(view({ now: 1_601n }))).to.equal("startDeadlinePassed");
      expect(
        stop(
          view({
            reservation: {
              ...reservation,
              ledger: { escrowOpen: new BN(100) },
            } as unknown as Reservation,
          }),
        ),
      ).to.equal("notEscrowed");
      expect(stop(view({ vaultBalance: 25_062_499n }))).to.equal("notEscrowed");
      expect(bookingAction(view({ vaultBalance: 25_062_500n })).action).to.equal("start");
    });
  });

  describe("workload environment hash", () => {
    it("sorted NAME=VALUE NUL entries, sha256; empty is all zeros; order of keys does not matter", () => {
      const env = { B: "2", A: "x=y\nz" };
      const hash = workloadEnvHash(env);
      // sha256("A=x=y\nz\0B=2\0")
      expect(Buffer.from(hash).toString("hex")).to.equal(
        createHash("sha256").update("A=x=y\nz\0B=2\0").digest("hex"),
      );
      expect(workloadEnvHash({ A: "x=y\nz", B: "2" })).to.deep.equal(hash);
      expect(envMatchesHash(env, hash)).to.equal(true);
      expect(envMatchesHash({ ...env, B: "3" }, hash)).to.equal(false);
      expect(Array.from(workloadEnvHash({}))).to.deep.equal(new Array(32).fill(0));
      expect(() => workloadEnvHash({ "1BAD": "x" })).to.throw(/invalid variable name/);
      expect(() => workloadEnvHash({ A: "nul\0" })).to.throw(/NUL/);
    });
  });

  describe("tunnel requests (Sign-In-With-Solana)", () => {
    const renter = Keypair.generate();
    const request = (over: Partial<TunnelRequest> = {}): TunnelRequest => ({
      domain: "127.0.0.1:7070",
      renter: renter.publicKey,
      reservation: key(),
      device: key(),
      port: 8000,
      uri: "ws://127.0.0.1:7070",
      chainId: chainIdOf("4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY"),
      nonce: "a1b2c3d4e5f6a7b8",
      issuedAt: Date.parse("2025-06-01T12:00:00.000Z"),
      expiresAt: Date.parse("2025-06-01T12:05:00.000Z"),
      ...over,
    });

    it("renders the SIWS text and parses it back exactly", () => {
      const r = request();
      const text = tunnelRequestText(r);
      expect(text.split("\n").slice(0, 4)).to.deep.equal([
        "127.0.0.1:7070 wants you to sign in with your Solana account:",
        renter.publicKey.toBase58(),
        "",
        `Connect to iogrid reservation ${r.reservation.toBase58()}, device ${r.device.toBase58()}, port 8000`,
      ]);
      expect(text).to.contain("\nChain ID: solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z\n");
      expect(text).to.contain(
        "\nIssued At: 2025-06-01T12:00:00.000Z\nExpiration Time: 2025-06-01T12:05:00.000Z\n",
      );
      const parsed = parseTunnelRequest(text);
      expect(tunnelRequestText(parsed)).to.equal(text);
      expect(parsed.port).to.equal(8000);
    });

    it("verifies the renter's signature; forged, altered and non-canonical messages are refused", () => {
      const signed = signTunnelRequest(renter, request());
      expect(verifyTunnelRequest(signed).renter.equals(renter.publicKey)).to.equal(true);
      const stranger = Keypair.generate();
      expect(() =>
        verifyTunnelRequest({
          message: signed.message,
          signature: signText(stranger, signed.message),
        }),
      ).to.throw("the signature is not the renter's");
      const altered = signed.message
        .replace("port 8000", "port 8001")
        .replace("iogrid:port:8000", "iogrid:port:8001");
      expect(() => verifyTunnelRequest({ ...signed, message: altered })).to.throw(
        "the signature is not the renter's",
      );
      const mismatch = signed.message.replace("iogrid:port:8000", "iogrid:port:22");
      expect(() => parseTunnelRequest(mismatch)).to.throw(
        "not in the canonical tunnel request form",
      );
      expect(() => parseTunnelRequest(signed.message + "\n")).to.throw();
      expect(() => parseTunnelRequest("hello")).to.throw("not a Sign-In-With-Solana message");
      expect(() => signTunnelRequest(stranger, request())).to.throw("another renter");
    });

    it("times: expired, issued in the future, too long-lived", () => {
      const r = request();
      expect(tunnelRequestTimeProblem(r, r.issuedAt + 1_000)).to.equal(undefined);
      expect(tunnelRequestTimeProblem(r, r.expiresAt)).to.equal("the request has expired");
      expect(tunnelRequestTimeProblem(r, r.issuedAt - 120_000)).to.equal(
        "the request is issued in the future",
      );
      expect(tunnelRequestTimeProblem({ issuedAt: 0, expiresAt: 3_600_000 }, 1_000)).to.match(
        /lives longer than/,
      );
    });

    it("the agent's attach message is signed text over the relay's nonce", () => {
      const agent = Keypair.generate();
      const text = agentAttachText({
        domain: "relay",
        device: key(),
        agent: agent.publicKey,
        nonce: "n0nce123",
        issuedAt: 0,
      });
      expect(text.split("\n")[0]).to.equal("iogrid relay agent v1");
      const sig = signText(agent, text);
      expect(verifyText(agent.publicKey, text, sig)).to.equal(true);
      expect(verifyText(agent.publicKey, text.replace("n0nce123", "n0nce124"), sig)).to.equal(
        false,
      );
    });
  });

  describe("add-device link and co-signed registration", () => {
    const agent = Keypair.generate().publicKey;
    const owner = Keypair.generate().publicKey;
    const specs = {
      gpuCount: 8,
      vramMib: 81_559,
      cpuCores: 192,
      ramMib: 1_548_288,
      storageGib: 7_153,
      bandwidthTier: BANDWIDTH_TIER.high,
    };

    it("round-trips every registration argument, the owner and the co-signed transaction", () => {
      const link = {
        deviceId: "iogrid-abc",
        name: "rig 01",
        gpuModel: "NVIDIA H100 80GB HBM3",
        region: "eu-west",
        specs,
        pricePerGpuHour: 2_500_000n,
        agent,
        endpoint: "",
        owner,
        transaction: "AQID+/==",
      };
      const url = addDeviceLink("https://app.example/", link);
      expect(url.startsWith("https://app.example/worker/add-device?v=1&")).to.equal(true);
      expect(parseAddDeviceLink(url)).to.deep.equal(link);
      expect(() => parseAddDeviceLink(url.replace("price=2500000", "price=x"))).to.throw(
        "price is not a number",
      );
    });

    it("register_device carries the agent key as a signer", async () => {
      const ix = await registerDeviceIx(registryProgram(), {
        owner,
        deviceId: "iogrid-abc",
        name: "rig",
        gpuModel: "CPU only",
        region: "eu-west",
        specs,
        pricePerGpuHour: 1n,
        agent,
      });
      const signers = ix.keys.filter((k) => k.isSigner).map((k) => k.pubkey.toBase58());
      expect(signers).to.have.members([owner.toBase58(), agent.toBase58()]);
    });
  });

  describe("@iogrid/sdk/node", () => {
    it("parseYamlConfig: one line per bad field, unknown fields named", () => {
      const schema = z.strictObject({ url: z.string().url(), n: z.number().int() });
      expect(parseYamlConfig("url: http://x\nn: 3\n", schema, "f.yaml")).to.deep.equal({
        url: "http://x",
        n: 3,
      });
      try {
        parseYamlConfig("url: 5\nn: 1.5\nextra: true\n", schema, "f.yaml");
        expect.fail("accepted");
      } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        expect((e as ConfigError).problems).to.deep.equal([
          "f.yaml: url: Invalid input: expected string, received number",
          "f.yaml: n: Invalid input: expected int, received number",
          "f.yaml: extra: unknown field (check its spelling)",
        ]);
      }
    });

    it("MetricsRegistry renders the Prometheus text format", () => {
      const m = new MetricsRegistry();
      const c = m.counter("iogrid_test_total", "Things");
      c.inc({ kind: "a" });
      c.inc({ kind: "a" }, 2);
      const g = m.gauge("iogrid_test_gauge", "A level");
      g.set(1.5);
      const h = m.histogram("iogrid_test_seconds", "Latency", [0.1, 1]);
      h.observe(0.05);
      h.observe(0.5);
      expect(m.render()).to.equal(
        [
          "# HELP iogrid_test_total Things",
          "# TYPE iogrid_test_total counter",
          'iogrid_test_total{kind="a"} 3',
          "# HELP iogrid_test_gauge A level",
          "# TYPE iogrid_test_gauge gauge",
          "iogrid_test_gauge 1.5",
          "# HELP iogrid_test_seconds Latency",
          "# TYPE iogrid_test_seconds histogram",
          'iogrid_test_seconds_bucket{le="0.1"} 1',
          'iogrid_test_seconds_bucket{le="1"} 2',
          'iogrid_test_seconds_bucket{le="+Inf"} 2',
          "iogrid_test_seconds_sum 0.55",
          "iogrid_test_seconds_count 2",
          "",
        ].join("\n"),
      );
      expect(() => c.inc({}, -1)).to.throw("only go up");
    });

    it("retrying logs an outage once when it starts and once when it ends", async () => {
      const log: string[] = [];
      const outage = new OutageTracker("RPC http://x", {
        warn: (m) => log.push(`warn ${m}`),
        info: (m) => log.push(`info ${m}`),
      });
      let calls = 0;
      const value = await retrying(
        async () => {
          calls += 1;
          if (calls < 4) throw new Error("connect ECONNREFUSED 127.0.0.1:1");
          return 42;
        },
        { outage, baseMs: 1, maxMs: 2 },
      );
      expect(value).to.equal(42);
      expect(log).to.have.length(2);
      expect(log[0]).to.equal(
        "warn RPC http://x unavailable (connect ECONNREFUSED 127.0.0.1:1); retrying with backoff",
      );
      expect(log[1]).to.match(
        /^info RPC http:\/\/x available again after [\d.]+ s and 3 attempts$/,
      );
      expect(backoffDelay(0, 500, 30_000, () => 1)).to.equal(500);
      expect(backoffDelay(10, 500, 30_000, () => 1)).to.equal(30_000);
      const fatal = await retrying(
        async () => {
          throw new Error("no");
        },
        { fatal: () => true },
      ).catch((e: Error) => e.message);
      expect(fatal).to.equal("no");
    });
  });
});
