/**
 * A registered device's life after `register`, as its supplier runs the real CLI: `update` with
 * nothing changed sends nothing; a new endpoint is sent with the agent key alone while a new
 * price waits for the owner's signature, then lands with `--owner-keypair`; `status` reports the
 * chain's record; `deregister` by someone else than the owner is refused, by the owner closes the
 * device account, after which `status` says it is not registered and `start` refuses to run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { saveKeypair } from "@iogrid/sdk/node";

import { agentCli } from "./support/agent.js";
import { setUpHost } from "./support/host.js";
import type { Host } from "./support/host.js";
import { startNetwork } from "./support/network.js";
import type { Network } from "./support/network.js";

describe("agent: update, status and deregister of a registered device", function () {
  this.timeout(300_000);
  let n: Network;
  let host: Host;

  before(async function () {
    this.timeout(300_000);
    n = await startNetwork();
    host = await setUpHost(n, { name: "life", rpcUrl: n.net.rpcUrl, wsUrl: n.net.wsUrl });
  });

  after(async () => {
    await n?.net.stop();
  });

  const device = () => n.registry.account.device.fetch(host.device);
  const edit = (from: string, to: string): void => {
    const text = readFileSync(host.config, "utf8");
    expect(text, from).to.contain(from);
    writeFileSync(host.config, text.replace(from, to));
  };

  it("update with nothing changed sends nothing", async () => {
    const before = await n.net.connection.getBalance(host.agent);
    const out = await agentCli(["update", "--config", host.config, "--json"]);
    expect(out.code, out.stderr).to.equal(0);
    expect(JSON.parse(out.stdout)).to.deep.equal({ changes: {}, signatures: [], needsOwner: [] });
    expect(await n.net.connection.getBalance(host.agent)).to.equal(before);
  });

  it("a new endpoint is sent with the agent key; a new price waits for the owner, then lands", async () => {
    edit(`publicEndpoint: "${host.endpoint}"`, `publicEndpoint: "http://198.51.100.7:7777"`);
    edit('pricePerGpuHour: "2.00"', 'pricePerGpuHour: "2.50"');
    const agentOnly = await agentCli(["update", "--config", host.config, "--json"]);
    expect(agentOnly.code, agentOnly.stderr).to.equal(0);
    const first = JSON.parse(agentOnly.stdout) as {
      changes: Record<string, string>;
      signatures: string[];
      needsOwner: string[];
    };
    expect(first.changes).to.deep.equal({
      endpoint: "http://198.51.100.7:7777",
      pricePerGpuHour: "2500000",
    });
    expect(first.signatures).to.have.length(1);
    expect(first.needsOwner).to.deep.equal(["pricePerGpuHour"]);
    let record = await device();
    expect(record.endpoint).to.equal("http://198.51.100.7:7777");
    expect(record.pricePerGpuHour.toString()).to.equal("2000000");

    const withOwner = await agentCli([
      "update",
      "--config",
      host.config,
      "--owner-keypair",
      host.ownerKeyFile,
      "--json",
    ]);
    expect(withOwner.code, withOwner.stderr).to.equal(0);
    expect(JSON.parse(withOwner.stdout).changes).to.deep.equal({ pricePerGpuHour: "2500000" });
    record = await device();
    expect(record.pricePerGpuHour.toString()).to.equal("2500000");

    const status = JSON.parse(
      (await agentCli(["status", "--config", host.config, "--json"])).stdout,
    ) as { endpoint: string; pricePerGpuHour: string; status: string };
    expect(status.endpoint).to.equal("http://198.51.100.7:7777");
    expect(status.pricePerGpuHour).to.equal("2500000");
  });

  it("deregister: refused for a key that is not the owner's, then the owner closes the device", async () => {
    const strangerFile = join(host.dir, "stranger.json");
    saveKeypair(strangerFile, Keypair.generate());
    const refused = await agentCli([
      "deregister",
      "--config",
      host.config,
      "--owner-keypair",
      strangerFile,
    ]);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr.trim().split("\n")).to.have.length(1);
    expect(await n.net.connection.getAccountInfo(host.device)).to.not.equal(null);

    const done = await agentCli([
      "deregister",
      "--config",
      host.config,
      "--owner-keypair",
      host.ownerKeyFile,
      "--json",
    ]);
    expect(done.code, done.stderr).to.equal(0);
    expect(JSON.parse(done.stdout).device).to.equal(host.device.toBase58());
    expect(await n.net.connection.getAccountInfo(host.device)).to.equal(null);

    const status = await agentCli(["status", "--config", host.config]);
    expect(status.code).to.equal(3);
    expect(status.stdout).to.contain("is not registered");
    const start = await agentCli(["start", "--config", host.config], { timeoutMs: 60_000 });
    expect(start.code).to.equal(3);
    expect(start.stderr).to.match(/is not registered \(or was deregistered\)/);
  });
});
