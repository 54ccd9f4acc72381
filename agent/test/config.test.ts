/**
 * The agent's config: the file `init` writes passes its own schema; each bad field is reported on
 * one line naming the file and the field; unknown fields, YAML syntax errors and missing files are
 * refused the same way; the key file must be private. `init` and `start --check` as processes.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { ConfigError, keyFileProblem } from "@iogrid/sdk/node";

import { configTemplate, parseConfig } from "../src/config.js";
import type { InitValues } from "../src/config.js";
import { agentCli } from "./support/agent.js";

const VALUES: InitValues = {
  rpcUrl: "http://127.0.0.1:8899",
  agentKey: "/etc/iogrid/agent-key.json",
  deviceId: "iogrid-0123456789abcdef01234567",
  name: "rig-01",
  region: "eu-west",
  price: "2.50",
  probeListen: "0.0.0.0:7777",
  publicEndpoint: "",
  relayUrl: "",
  backends: ["process", "ray"],
  workDir: "/var/lib/iogrid-agent",
};

function problems(text: string): string[] {
  try {
    parseConfig(text, "agent.yaml");
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected the config to be refused");
}

describe("agent config", () => {
  it("the template init writes is valid, with USD prices in IOSD base units and defaults filled", () => {
    const config = parseConfig(configTemplate(VALUES));
    expect(config.device.pricePerGpuHour).to.equal(2_500_000n);
    expect(config.backends).to.deep.equal(["process", "ray"]);
    expect(config.probe.perKeeperPerMinute).to.equal(30);
    expect(config.process).to.deep.equal({ sandbox: "bwrap", network: "ports" });
    expect(config.owner).to.equal(null);
  });

  it("each bad field is one line naming the file and the field", () => {
    const text = configTemplate({
      ...VALUES,
      price: "cheap",
      region: "EU West",
      rpcUrl: "localhost",
    })
      .replace("perKeeperPerMinute: 30", "perKeeperPerMinute: -1")
      .replace("backends: [process, ray]", "backends: [process, kubernetes]")
      .replace("owner: null", 'owner: "not-a-key"');
    const lines = problems(text);
    expect(lines).to.have.members([
      "agent.yaml: rpc.url: expected an http:// or https:// URL",
      "agent.yaml: owner: expected a base58 Solana public key",
      "agent.yaml: device.region: lowercase letters, digits and dashes, at most 16",
      'agent.yaml: device.pricePerGpuHour: expected a USD amount like "2.50"',
      "agent.yaml: probe.perKeeperPerMinute: Too small: expected number to be >=1",
      'agent.yaml: backends[1]: Invalid option: expected one of "process"|"docker"|"ray"',
    ]);
  });

  it("unknown fields are named (a typo is never silently ignored)", () => {
    const lines = problems(configTemplate(VALUES).replace("workDir:", "wrokDir: /tmp\nworkDir:"));
    expect(lines).to.deep.equal(["agent.yaml: wrokDir: unknown field (check its spelling)"]);
  });

  it("missing sections, a YAML syntax error and a non-mapping are one line each", () => {
    expect(problems("agentKey: /k\nworkDir: /w\n")).to.deep.equal([
      "agent.yaml: rpc: Invalid input: expected object, received undefined",
      "agent.yaml: device: Invalid input: expected object, received undefined",
    ]);
    const syntax = problems("rpc:\n  url: [unclosed\n");
    expect(syntax).to.have.length.greaterThan(0);
    expect(syntax[0]).to.match(/^agent\.yaml: line \d+, column \d+: /);
    expect(problems("- a\n- b\n")).to.deep.equal([
      "agent.yaml: (top level): expected a mapping of fields",
    ]);
  });

  it("a price out of the registry's range is refused", () => {
    expect(problems(configTemplate({ ...VALUES, price: "1000.01" }))).to.deep.equal([
      "agent.yaml: device.pricePerGpuHour: must be between 0.000001 and 1000 USD",
    ]);
  });

  describe("init and start --check as processes", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "iogrid-agent-config-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("init creates a 0600 key and a config that start --check accepts; a bad flag writes nothing", async () => {
      const config = join(dir, "agent.yaml");
      const bad = await agentCli(["init", "--config", config, "--region", "Mars Base"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain(
        `${config}: device.region: lowercase letters, digits and dashes`,
      );
      expect(() => statSync(config)).to.throw();

      const ok = await agentCli(["init", "--config", config, "--json", "--price", "0.75"]);
      expect(ok.code, ok.stderr).to.equal(0);
      const out = JSON.parse(ok.stdout) as { agentKey: string; keyCreated: boolean };
      expect(out.keyCreated).to.equal(true);
      expect(statSync(out.agentKey).mode & 0o777).to.equal(0o600);
      expect(keyFileProblem(out.agentKey)).to.equal(undefined);
      expect(readFileSync(config, "utf8")).to.contain('pricePerGpuHour: "0.75"');

      const again = await agentCli(["init", "--config", config]);
      expect(again.code).to.equal(2);
      expect(again.stderr).to.contain("exists; pass --force");

      const check = await agentCli(["start", "--check", "--config", config]);
      expect(check.code, check.stderr).to.equal(0);

      chmodSync(out.agentKey, 0o644);
      const open = await agentCli(["start", "--check", "--config", config]);
      expect(open.code).to.equal(2);
      expect(open.stderr).to.contain(
        "is readable or writable by others (mode 0644); run: chmod 600",
      );
    });

    it("start with a broken config names the field and starts nothing", async () => {
      const config = join(dir, "broken.yaml");
      writeFileSync(config, configTemplate(VALUES).replace('region: "eu-west"', "region: 42"));
      const result = await agentCli(["start", "--config", config]);
      expect(result.code).to.equal(2);
      expect(result.stderr.trim().split("\n")).to.deep.equal([
        `${config}: device.region: Invalid input: expected string, received number`,
        "nothing was started: fix the config and try again",
      ]);
    });
  });
});
