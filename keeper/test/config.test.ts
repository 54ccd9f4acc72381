/**
 * The keeper's config and pure decisions without a chain: the example config is valid; each bad
 * field is one line naming it; the environment and flags override the file; a keypair in the
 * environment is read but never copied into the config or the logs; the CLI refuses a bad config
 * and a bad --bots by name, before it touches the chain. The priority fee's percentile and caps,
 * and its sources falling back (Helius, recent fees, the fixed fee) without failing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { IO } from "@iogrid/sdk";
import {
  ConfigError,
  PriorityFeeEstimator,
  cappedPrice,
  percentile,
  rpcConnection,
  saveKeypair,
  startHttpServer,
  transactionFee,
  benchmarkHash,
  benchmarkProblem,
  hashChain,
} from "@iogrid/sdk/node";

import { loadKeeperConfig, parseKeeperConfig } from "../src/config.js";
import { loadKeeperKey } from "../src/context.js";
import { keeperCli } from "./support/keeper.js";

const EXAMPLE = new URL("../keeper.example.yaml", import.meta.url);

function problems(text: string): string[] {
  try {
    parseKeeperConfig(text, "keeper.yaml");
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected the config to be refused");
}

describe("keeper config and pure decisions", () => {
  it("the example config is valid, its amounts in base units and every default filled", () => {
    const config = parseKeeperConfig(readFileSync(EXAMPLE, "utf8"));
    expect(config.bots).to.deep.equal(["epoch", "attest", "settle", "clean"]);
    expect(config.clean).to.deep.equal({ intervalMs: 600_000, maxPerTick: 200 });
    expect(config.epoch.minClaimIo).to.equal(0n);
    expect(config.attest).to.deep.include({ probeAttempts: 3, concurrency: 16, report: true });
    expect(config.attest.benchmark).to.deep.equal({
      verify: true,
      minIterations: 1_000,
      maxIterations: 2_000_000,
    });
    expect(config.send.priorityFee).to.deep.include({
      source: "recent",
      maxMicroLamportsPerCu: 200_000,
      maxLamportsPerTx: 1_000_000,
    });
    expect(config.health.listen).to.equal("127.0.0.1:9464");
    const minimal = parseKeeperConfig(
      'rpc: { url: "http://127.0.0.1:8899" }\nepoch: { minClaimIo: "1.5" }',
    );
    expect(minimal.epoch.minClaimIo).to.equal(IO + IO / 2n);
    expect(minimal.epoch.intervalMs).to.equal(10_000);
  });

  it("each bad value is one line naming the file and the field", () => {
    const text = readFileSync(EXAMPLE, "utf8")
      .replace('url: "http://127.0.0.1:8899"', 'url: "localhost:8899"')
      .replace("bots: [epoch, attest, settle, clean]", "bots: [epoch, crank]")
      .replace("percentile: 50", "percentile: 150")
      .replace('minClaimIo: "0"', 'minClaimIo: "lots"')
      .replace("lookbackEpochs: 48", "lookbackEpochs: 0")
      .replace("slotStallMs: 30000", "slotStallMz: 30000")
      .replace("probeAttempts: 3", "probeAttempts: 0")
      .replace("maxPerTick: 200", "maxPerTick: 0");
    const lines = problems(text);
    expect(lines).to.have.length(8);
    for (const line of lines) expect(line.startsWith("keeper.yaml: ")).to.equal(true);
    const text1 = lines.join("\n");
    expect(text1).to.contain("keeper.yaml: rpc.url: expected an http:// or https:// URL");
    expect(text1).to.match(/bots\[1\]: /);
    expect(text1).to.match(/send\.priorityFee\.percentile: /);
    expect(text1).to.contain('epoch.minClaimIo: expected an IO amount like "1000" or "0.5"');
    expect(text1).to.match(/epoch\.lookbackEpochs: /);
    expect(text1).to.contain("health.slotStallMz: unknown field (check its spelling)");
    expect(text1).to.match(/attest\.probeAttempts: /);
    expect(text1).to.match(/clean\.maxPerTick: /);
    expect(problems("rpc: { url: [1, 2")[0]).to.match(/^keeper\.yaml: line 1, column \d+: /);
  });

  it("the environment overrides the file, flags override both; a keypair in the environment stays there", () => {
    const dir = mkdtempSync(join(tmpdir(), "keeper-config-"));
    const file = join(dir, "keeper.yaml");
    writeFileSync(
      file,
      'rpc:\n  url: "http://file:8899"\nkeypair: "/nonexistent/file.json"\nepoch: { minClaimIo: "2" }\n',
    );
    const key = Keypair.generate();
    const secret = JSON.stringify(Array.from(key.secretKey));
    const env = { IOGRID_RPC_URL: "http://env:8899", IOGRID_KEEPER_KEYPAIR: secret };
    const fromEnv = loadKeeperConfig(file, {}, env);
    expect(fromEnv.rpc.url).to.equal("http://env:8899");
    expect(fromEnv.keypair).to.equal("$IOGRID_KEEPER_KEYPAIR");
    expect(fromEnv.epoch.minClaimIo).to.equal(2n * IO);
    expect(
      JSON.stringify(fromEnv, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
    ).to.not.contain(secret.slice(1, 20));
    const flagged = loadKeeperConfig(file, { rpcUrl: "http://flag:8899", bots: ["epoch"] }, env);
    expect(flagged.rpc.url).to.equal("http://flag:8899");
    expect(flagged.bots).to.deep.equal(["epoch"]);
    // A path in the variable is a path.
    const keyFile = join(dir, "key.json");
    saveKeypair(keyFile, key);
    const byPath = loadKeeperConfig(file, {}, { IOGRID_KEEPER_KEYPAIR: keyFile });
    expect(byPath.keypair).to.equal(keyFile);
    expect(loadKeeperKey(byPath.keypair).publicKey.equals(key.publicKey)).to.equal(true);
    // Without a file, the environment alone.
    expect(
      loadKeeperConfig(undefined, {}, { IOGRID_RPC_URL: "http://only-env:1" }).rpc.url,
    ).to.equal("http://only-env:1");
    expect(() => loadKeeperConfig(undefined, {}, {})).to.throw(ConfigError, /needs an RPC URL/);
    expect(() => loadKeeperConfig(file, { bots: ["epoch", "nope"] }, {})).to.throw(
      ConfigError,
      /bots\[1\]/,
    );
  });

  it("a key file others can read is refused with the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "keeper-key-"));
    const keyFile = join(dir, "key.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(Keypair.generate().secretKey)), {
      mode: 0o644,
    });
    expect(() => loadKeeperKey(keyFile)).to.throw(/readable or writable by others.*chmod 600/);
    expect(() => loadKeeperKey(join(dir, "missing.json"))).to.throw(/does not exist/);
  });

  it("the CLI prints each config problem on its own line and exits 2 before touching the chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keeper-cli-"));
    const file = join(dir, "keeper.yaml");
    writeFileSync(file, 'rpc:\n  url: "ftp://x"\nbots: [epoch]\nsend: { maxRebuilds: -1 }\n');
    const bad = await keeperCli(["run", "--config", file, "--once"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain(`${file}: rpc.url: expected an http:// or https:// URL`);
    expect(bad.stderr).to.contain(`${file}: send.maxRebuilds: `);
    expect(bad.stderr).to.contain("nothing was started");
    const bots = await keeperCli(["run", "--once", "--bots", "epoch,teleport"], {
      env: { IOGRID_RPC_URL: "http://127.0.0.1:1" },
    });
    expect(bots.code).to.equal(2);
    expect(bots.stderr).to.contain(
      `flags and environment: bots[1]: Invalid option: expected one of "epoch"|"attest"|"settle"`,
    );
  });

  it("priority fees: the percentile of recent fees, under both caps; what a transaction costs", () => {
    expect(percentile([], 50)).to.equal(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).to.equal(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).to.equal(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).to.equal(1);
    const caps = { maxMicroLamportsPerCu: 1_000, maxLamportsPerTx: 100 };
    expect(cappedPrice(500, 50_000, caps)).to.equal(500);
    expect(cappedPrice(5_000, 50_000, caps)).to.equal(1_000);
    // 100 lamports over 200,000 units: at most 500 micro-lamports a unit.
    expect(cappedPrice(5_000, 200_000, caps)).to.equal(500);
    expect(transactionFee(1, 200_000, 500)).to.equal(5_000 + 100);
  });
  it("priority fee sources fall back, never fatally: Helius, then recent fees, then the fixed fee", async () => {
    let heliusAnswers = true;
    const server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      routes: [
        {
          method: "POST",
          path: "/",
          handle(request) {
            const body = request.json as { id: unknown; method: string };
            if (body.method === "getPriorityFeeEstimate") {
              return heliusAnswers
                ? {
                    status: 200,
                    json: { jsonrpc: "2.0", id: body.id, result: { priorityFeeEstimate: 1234.2 } },
                  }
                : {
                    status: 200,
                    json: { jsonrpc: "2.0", id: body.id, error: { code: -32000, message: "down" } },
                  };
            }
            const fees = [40, 10, 30, 20].map((prioritizationFee, slot) => ({
              slot,
              prioritizationFee,
            }));
            return { status: 200, json: { jsonrpc: "2.0", id: body.id, result: fees } };
          },
        },
      ],
    });
    try {
      const fallbacks: string[] = [];
      const options = {
        source: "helius" as const,
        heliusUrl: server.url,
        fixedMicroLamports: 7,
        maxMicroLamportsPerCu: 1_000_000,
        maxLamportsPerTx: 1_000_000,
        cacheMs: 0,
      };
      const writable = [Keypair.generate().publicKey];
      const live = rpcConnection({ url: server.url });
      const estimator = new PriorityFeeEstimator(live, options, (from) => fallbacks.push(from));
      expect(await estimator.estimate(writable)).to.deep.equal({
        microLamports: 1235,
        source: "helius",
      });
      heliusAnswers = false;
      expect(await estimator.estimate(writable)).to.deep.equal({
        microLamports: 20,
        source: "recent",
      });
      expect(fallbacks).to.deep.equal(["helius"]);
      const recent = new PriorityFeeEstimator(live, {
        ...options,
        source: "recent",
        percentile: 100,
      });
      expect(await recent.estimate(writable)).to.deep.equal({
        microLamports: 40,
        source: "recent",
      });
      const dead = rpcConnection({ url: "http://127.0.0.1:1", timeoutMs: 2_000 });
      const offline = new PriorityFeeEstimator(
        dead,
        { ...options, heliusUrl: "http://127.0.0.1:1" },
        (from) => fallbacks.push(from),
      );
      expect(await offline.estimate(writable)).to.deep.equal({ microLamports: 7, source: "fixed" });
      expect(fallbacks).to.deep.equal(["helius", "helius", "recent"]);
    } finally {
      await server.close();
    }
  });

  it("a probe's benchmark is checked by re-running its hash chain from the challenge", () => {
    const challenge = new Uint8Array(32).fill(7);
    const bounds = { minIterations: 10, maxIterations: 5_000 };
    const result = {
      cpu: { iterations: 1_000, ms: 3, result: hashChain(challenge, 1_000).toString("hex") },
      gpu: null,
    };
    const signed = benchmarkHash(result);
    expect(benchmarkProblem(result, challenge, signed, bounds)).to.equal(undefined);
    // Timings are not hashed; a GPU result is, so adding one the agent did not sign fails.
    expect(
      benchmarkProblem({ ...result, cpu: { ...result.cpu, ms: 99 } }, challenge, signed, bounds),
    ).to.equal(undefined);
    const gpu = { ms: 1, result: "ab".repeat(32), device: "H100" };
    expect(benchmarkProblem({ ...result, gpu }, challenge, signed, bounds)).to.equal(
      "the probe's benchmark hash is not the hash of the reported results",
    );
    const wrong = {
      ...result,
      cpu: { ...result.cpu, result: hashChain(challenge, 999).toString("hex") },
    };
    expect(benchmarkProblem(wrong, challenge, benchmarkHash(wrong), bounds)).to.equal(
      "the CPU benchmark result is not the hash chain of the challenge",
    );
    const long = { ...result, cpu: { ...result.cpu, iterations: 6_000 } };
    expect(benchmarkProblem(long, challenge, signed, bounds)).to.contain(
      "more than this keeper re-runs (5000)",
    );
    const short = { ...result, cpu: { ...result.cpu, iterations: 5 } };
    expect(benchmarkProblem(short, challenge, signed, bounds)).to.contain("fewer than 10");
    expect(benchmarkProblem(undefined, challenge, signed, bounds)).to.equal(
      "no CPU benchmark result",
    );
  });
});
