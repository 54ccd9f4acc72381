/**
 * The attest bot end to end on a real chain with three bonded keepers: two real agents
 * (`iogrid-agent start`), a device whose endpoint answers forged probes (another device's signed
 * probe, or one signed for another keeper), and a device whose agent is down. Each keeper probes
 * the devices the registry assigns it, checks every answer locally and lands only the valid ones,
 * the two agents' devices in one transaction; a device it passed, or that has every pass it
 * needs, is skipped without sending; the forged and the down device are never attested and, once
 * the epoch's report window opens, are reported by every keeper until the quorum holds. After the
 * epoch, the attested devices' rewards are claimable as the sdk computes them. A keeper that is
 * not bonded says so and sends nothing.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { PublicKey } from "@solana/web3.js";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  EPOCH_SECS,
  availabilityEpochAt,
  availabilityEpochPda,
  claimableEarnings,
  decodeAvailabilityEpoch,
  decodeDevice,
  encodeProbeResponse,
  probeRequest,
  proRata,
  recentSlotHash,
  setEndpointIx,
  signProbe,
} from "@iogrid/sdk";
import type { AvailabilityEpoch, Device } from "@iogrid/sdk";

import { chainTime, fundedKeypair, sendDistinct, warpTo } from "../../tests/support/chain.js";
import { setUpHost, startHost } from "../../agent/test/support/host.js";
import type { Host } from "../../agent/test/support/host.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { inProcessKeeper, stakedDevice } from "./support/keeper.js";
import type { TestDevice, TestKeeperProcess } from "./support/keeper.js";

const big = (v: { toString(): string }): bigint => BigInt(v.toString());

/** How the forger's endpoint answers. */
type ForgeMode = "foreign" | "otherKeeper";

describe("keeper: the attest bot probes real agents and attests, three keepers", function () {
  this.timeout(600_000);
  let n: Network;
  let hosts: Host[];
  let forged: TestDevice;
  let down: TestDevice;
  let forger: Server;
  let forgeMode: ForgeMode = "foreign";
  let keepers: TestKeeperProcess[];
  let epoch: bigint;

  const connection = () => n.net.connection;
  const device = async (address: PublicKey): Promise<Device> =>
    decodeDevice((await connection().getAccountInfo(address))!.data);
  const record = async (): Promise<AvailabilityEpoch> =>
    decodeAvailabilityEpoch(
      (await connection().getAccountInfo(availabilityEpochPda(epoch).address))!.data,
    );
  const epochStart = (e: bigint): bigint => n.origin + e * EPOCH_SECS;

  before(async function () {
    this.timeout(600_000);
    n = await startNetwork({ keepers: 3 });
    hosts = [];
    for (const name of ["rig-a", "rig-b"]) {
      hosts.push(await setUpHost(n, { name, rpcUrl: n.net.rpcUrl, wsUrl: n.net.wsUrl }));
    }
    for (const host of hosts) await startHost(host);
    forged = await stakedDevice(n, "forger");
    down = await stakedDevice(n, "down");
    // The forger answers every probe of its device with a signed probe that is not its own.
    forger = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        void (async () => {
          const asked = JSON.parse(body) as { epoch: string; slot: string; keeper: string };
          let answer: unknown;
          if (forgeMode === "foreign") {
            // Rig A's agent's real answer, about rig A.
            const relayed = await fetch(`${hosts[0]!.endpoint}/v1/probe`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ ...asked, device: hosts[0]!.device.toBase58() }),
            });
            answer = await relayed.json();
          } else {
            // The device's own agent key, but bound to another keeper's challenge.
            const { slot, hash } = await recentSlotHash(connection());
            const other = Keypair.generate().publicKey;
            const probe = signProbe(
              forged.agent,
              probeRequest({
                authority: other,
                device: forged.device,
                epoch: BigInt(asked.epoch),
                slot,
                slotHash: hash,
              }),
            );
            answer = encodeProbeResponse(probe, other);
          }
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
        })();
      });
    });
    await new Promise<void>((resolve) => forger.listen(0, "127.0.0.1", resolve));
    const port = (forger.address() as AddressInfo).port;
    await sendDistinct(
      connection(),
      await setEndpointIx(n.registry, {
        signer: forged.owner.publicKey,
        device: forged.device,
        endpoint: `http://127.0.0.1:${port}`,
      }),
      [forged.owner],
    );
    // Start a fresh epoch, so its report window opens when the test moves the clock there.
    const now = BigInt(await chainTime(connection()));
    epoch = availabilityEpochAt(n.origin, now) + 1n;
    await warpTo(connection(), n.net.rpcUrl, epochStart(epoch) + 5n);
    keepers = n.keeperWallets.map((wallet, i) =>
      inProcessKeeper(n, wallet, {
        name: `keeper-${i + 1}`,
        extra: "attest:\n  probeAttempts: 2\n  retryDelayMs: 200\n  probeTimeoutMs: 5000\n",
      }),
    );
  });

  after(async () => {
    for (const k of keepers ?? []) await k.close();
    for (const host of hosts ?? []) await host.process?.stop();
    forger?.close();
    await n?.net.stop();
  });

  it("the first keeper passes both agents in one transaction and refuses the forged and the down device", async () => {
    const [k1] = keepers;
    const lamports = await connection().getBalance(k1!.wallet.publicKey);
    const summary = await k1!.tick("attest");
    // The fees the keeper counts are what the chain took beyond the rent of the epoch's record it
    // opened: each transaction's signature and, in the attestation, both probes' Ed25519 ones.
    const rent = await connection().getBalance(availabilityEpochPda(epoch).address);
    const paid = lamports - (await connection().getBalance(k1!.wallet.publicKey)) - rent;
    expect(k1!.feesPaid("attest")).to.equal(paid);
    expect(paid).to.be.at.least(5_000 + 5_000 + 3 * 5_000);
    expect(summary).to.include({
      epoch: epoch.toString(),
      assigned: 4,
      skipped: 0,
      probed: 4,
      passed: 2,
      failed: 2,
      attested: 2,
      reported: 0,
    });
    expect(k1!.transactions("attest_availability", "confirmed")).to.equal(1);
    for (const host of hosts) {
      const a = (await device(host.device)).availability;
      expect(big(a.passEpoch)).to.equal(epoch);
      expect(a.passCount).to.equal(1);
      expect(a.passers[0]!.equals(k1!.ctx.keeperAccount)).to.equal(true);
      // One pass of the two the epoch requires: not attested yet.
      expect(big(a.lastPassEpoch)).to.not.equal(epoch);
    }
    for (const d of [forged, down])
      expect((await device(d.device)).availability.passCount).to.equal(0);
    const reasons = k1!.lines.filter((l) => l.includes("probe of")).join("\n");
    expect(reasons).to.contain(forged.device.toBase58());
    expect(reasons).to.contain("signed by another key than the device's agent");
    expect(reasons).to.contain(down.device.toBase58());
    expect(reasons).to.contain("unreachable");
  });

  it("a device the keeper passed is skipped without sending; a probe signed for another keeper is refused", async () => {
    const [k1] = keepers;
    forgeMode = "otherKeeper";
    const before = k1!.transactions(undefined, "confirmed");
    const summary = await k1!.tick("attest");
    expect(summary).to.include({
      assigned: 4,
      skipped: 2,
      probed: 2,
      passed: 0,
      failed: 2,
      attested: 0,
    });
    expect(k1!.transactions(undefined, "confirmed")).to.equal(before);
    expect(k1!.lines.filter((l) => l.includes("probe of")).join("\n")).to.contain(
      "the challenge is not this keeper's",
    );
  });

  it("the second keeper's passes attest both devices; the third finds nothing left to pass", async () => {
    const [, k2, k3] = keepers;
    expect(await k2!.tick("attest")).to.include({ attested: 2 });
    for (const host of hosts) {
      const a = (await device(host.device)).availability;
      expect(a.passCount).to.equal(2);
      expect(big(a.lastPassEpoch)).to.equal(epoch);
    }
    const r = await record();
    expect(r.devicesAttested).to.equal(2);
    expect(await k3!.tick("attest")).to.include({ skipped: 2, attested: 0 });
    for (const result of ["confirmed", "noop", "refused", "failed"]) {
      expect(k3!.transactions("attest_availability", result), result).to.equal(0);
    }
  });

  it("once the report window opens, every keeper reports the forged and the down device until the quorum holds", async () => {
    const { reportAfterSecs } = (await keepers[0]!.ctx.chainNow()).config.availability;
    await warpTo(connection(), n.net.rpcUrl, epochStart(epoch) + BigInt(reportAfterSecs) + 1n);
    for (const k of keepers) expect(await k.tick("attest")).to.include({ failed: 2, reported: 2 });
    for (const d of [forged, down]) {
      const a = (await device(d.device)).availability;
      expect(big(a.reportEpoch)).to.equal(epoch);
      expect(a.reportCount).to.equal(3);
      expect(a.quorumReached).to.equal(true);
      const reporters = a.failureReporters
        .slice(0, 3)
        .map((k) => k.toBase58())
        .sort();
      expect(reporters).to.deep.equal(keepers.map((k) => k.ctx.keeperAccount.toBase58()).sort());
    }
    // Reported once each: a further tick sends nothing.
    const [k1] = keepers;
    expect(await k1!.tick("attest")).to.include({ reported: 0 });
    expect(k1!.transactions("report_failure", "confirmed")).to.equal(2);
  });

  it("after the epoch, the attested devices' rewards are claimable as the sdk computes them", async () => {
    await warpTo(connection(), n.net.rpcUrl, epochStart(epoch + 1n) + 1n);
    await keepers[0]!.tick("epoch");
    const closed = await record();
    expect(closed.closed).to.equal(true);
    const total = big(closed.totalWeight);
    for (const host of hosts) {
      const d = await device(host.device);
      const weight = d.availability.earnings.unsettled.find((u) => big(u.epoch) === epoch);
      expect(weight, "an unsettled epoch entry").to.not.equal(undefined);
      expect(claimableEarnings(d.availability.earnings, [closed], "devices")).to.equal(
        proRata(big(closed.deviceRewards), big(weight!.weight), total),
      );
    }
    for (const d of [forged, down]) {
      expect(
        claimableEarnings((await device(d.device)).availability.earnings, [closed], "devices"),
      ).to.equal(0n);
    }
  });

  it("a keeper that is not bonded says so and sends nothing", async () => {
    const stranger = inProcessKeeper(n, await fundedKeypair(connection(), 2), { name: "stranger" });
    try {
      let error: unknown;
      await stranger.tick("attest").catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("is not a registered keeper");
      expect(stranger.transactions(undefined, "confirmed")).to.equal(0);
    } finally {
      await stranger.close();
    }
  });
});
