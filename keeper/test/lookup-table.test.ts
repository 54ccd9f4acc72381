/**
 * The attest bot's address lookup table on a real chain, one bonded keeper and three staked
 * devices answering with the agent's real probe service: the three probes go in one v0
 * transaction through the keeper's table (created once with the fixed accounts and the epoch's
 * record); a keeper restarted on the same state directory reuses the table and only
 * extends it with the next epoch's record; a full table is deactivated for a new one and closed
 * once the chain allows, its rent back to the wallet; with `lookupTable: false` it needs two
 * legacy transactions.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { PublicKey } from "@solana/web3.js";

import { EPOCH_SECS, availabilityEpochAt, availabilityEpochPda, setEndpointIx } from "@iogrid/sdk";
import { MetricsRegistry, startHttpServer } from "@iogrid/sdk/node";
import type { RunningHttpServer } from "@iogrid/sdk/node";

import { ProbeService } from "../../agent/src/probe.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { chainTime, sendDistinct, waitFor, warpTo } from "../../tests/support/chain.js";
import { AttestLookupTable } from "../src/lookup-table.js";
import { inProcessKeeper, stakedDevice } from "./support/keeper.js";
import type { TestDevice, TestKeeperProcess } from "./support/keeper.js";

describe("keeper: attestations through the keeper's address lookup table", function () {
  this.timeout(300_000);
  let n: Network;
  let server: RunningHttpServer;
  let devices: TestDevice[];
  let stateDir: string;
  const running: TestKeeperProcess[] = [];

  const connection = () => n.net.connection;
  const wallet = () => n.keeperWallets[0]!;
  const keeper = (lookupTable = true): TestKeeperProcess => {
    const k = inProcessKeeper(n, wallet(), {
      extra: `stateDir: ${JSON.stringify(stateDir)}
attest:
  probeAttempts: 1
  lookupTable: ${lookupTable}
  benchmark: { minIterations: 1, maxIterations: 1000 }
`,
    });
    running.push(k);
    return k;
  };
  const saved = (): { table?: string; retired: string[] } =>
    JSON.parse(
      readFileSync(join(stateDir, `lookup-table-${wallet().publicKey.toBase58()}.json`), "utf8"),
    );
  const table = async (address: string) =>
    (await connection().getAddressLookupTable(new PublicKey(address))).value;
  /** Moves the clock into the next epoch (its record opened by the bot's first tick). */
  const nextEpoch = async (): Promise<bigint> => {
    const e = availabilityEpochAt(n.origin, BigInt(await chainTime(connection()))) + 1n;
    await warpTo(connection(), n.net.rpcUrl, n.origin + e * EPOCH_SECS + 5n);
    return e;
  };

  before(async function () {
    // Short slots: a deactivated table may be closed 513 slots later.
    n = await startNetwork({ keepers: 1, slotMs: 40 });
    devices = [];
    for (let i = 0; i < 3; i++) devices.push(await stakedDevice(n, `alt-${i}`));
    const services = devices.map(
      (d) =>
        new ProbeService({
          connection: connection(),
          agent: d.agent,
          device: d.device,
          perKeeperPerMinute: 600,
          hashChainIterations: 1000,
          gpuPython: null,
          metrics: new MetricsRegistry(),
        }),
    );
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      routes: [
        {
          method: "POST",
          path: "/d/",
          prefix: true,
          handle: (r) => services[Number(r.path.split("/")[2])]!.handle(r),
        },
      ],
    });
    for (const [i, d] of devices.entries()) {
      await sendDistinct(
        connection(),
        await setEndpointIx(n.registry, {
          signer: d.owner.publicKey,
          device: d.device,
          endpoint: `http://127.0.0.1:${server.port}/d/${i}`,
        }),
        [d.owner],
      );
    }
    stateDir = mkdtempSync(join(tmpdir(), "iogrid-keeper-alt-"));
  });

  after(async () => {
    for (const k of running) await k.close();
    await server?.close();
    await n?.net.stop();
  });

  it("packs three probes in one v0 transaction through a table it creates once", async () => {
    const epoch = await nextEpoch();
    const k = keeper();
    const summary = await k.tick("attest");
    expect(summary).to.include({ epoch: epoch.toString(), passed: 3, attested: 3 });
    expect(k.transactions("attest_availability", "confirmed")).to.equal(1);
    expect(k.transactions("create_lookup_table", "confirmed")).to.equal(1);
    const address = saved().table!;
    const onChain = (await table(address))!;
    expect(onChain.state.authority!.equals(wallet().publicKey)).to.equal(true);
    expect(onChain.state.addresses.map(String)).to.deep.equal(
      [
        ...new AttestLookupTable(k.ctx, "attest").fixedAddresses(),
        availabilityEpochPda(epoch).address,
      ].map(String),
    );
    for (const d of devices) {
      const device = await n.registry.account.device.fetch(d.device);
      expect(BigInt(device.availability.lastPassEpoch.toString())).to.equal(epoch);
    }
  });

  it("restarted on the same state directory, it reuses its table and adds the next epoch's record", async () => {
    const address = saved().table!;
    const epoch = await nextEpoch();
    const k = keeper();
    const summary = await k.tick("attest");
    expect(summary).to.include({ epoch: epoch.toString(), attested: 3 });
    expect(k.transactions("create_lookup_table", "confirmed")).to.equal(0);
    expect(k.transactions("extend_lookup_table", "confirmed")).to.equal(1);
    expect(k.transactions("attest_availability", "confirmed")).to.equal(1);
    expect(saved().table).to.equal(address);
    const addresses = (await table(address))!.state.addresses;
    expect(addresses).to.have.length(7);
    expect(addresses[6]!.equals(availabilityEpochPda(epoch).address)).to.equal(true);
  });

  it("a full table is deactivated for a new one, then closed with its rent back to the wallet", async () => {
    const full = saved().table!;
    const rent = (await connection().getAccountInfo(new PublicKey(full)))!.lamports;
    const epoch = await nextEpoch();
    const k = keeper();
    // A table of seven addresses is full: the third epoch's record needs a new one.
    const tables = new AttestLookupTable(k.ctx, "attest", 7);
    const fresh = (await tables.forEpoch(epoch))!;
    expect(fresh.key.toBase58()).to.not.equal(full);
    expect(saved()).to.deep.equal({ table: fresh.key.toBase58(), retired: [full] });
    expect(k.transactions("deactivate_lookup_table", "confirmed")).to.equal(1);
    const deactivated = BigInt((await table(full))!.state.deactivationSlot);
    expect(deactivated < 2n ** 64n - 1n).to.equal(true);
    // Not closable before SlotHashes forgets the deactivation slot: kept, nothing sent.
    expect((await tables.forEpoch(epoch))!.key.equals(fresh.key)).to.equal(true);
    expect(k.transactionSeries("close_lookup_table", "")).to.deep.equal([]);
    expect(saved().retired).to.deep.equal([full]);
    await waitFor(
      "513 slots after the deactivation",
      async () => (BigInt(await connection().getSlot()) > deactivated + 513n ? true : undefined),
      120_000,
    );
    const before = await connection().getBalance(wallet().publicKey);
    const feesBefore = k.feesPaid("attest");
    await tables.forEpoch(epoch);
    expect(k.transactions("close_lookup_table", "confirmed")).to.equal(1);
    expect(await connection().getAccountInfo(new PublicKey(full))).to.equal(null);
    expect(saved()).to.deep.equal({ table: fresh.key.toBase58(), retired: [] });
    expect(await connection().getBalance(wallet().publicKey)).to.equal(
      before + rent - (k.feesPaid("attest") - feesBefore),
    );
  });

  it("with lookupTable off it needs two legacy transactions for the three probes", async () => {
    const epoch = await nextEpoch();
    const k = keeper(false);
    const summary = await k.tick("attest");
    expect(summary).to.include({ epoch: epoch.toString(), attested: 3 });
    expect(k.transactions("attest_availability", "confirmed")).to.equal(2);
    expect(k.transactions("extend_lookup_table", "confirmed")).to.equal(0);
  });
});
