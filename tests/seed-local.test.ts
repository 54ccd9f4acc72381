/**
 * The dev seeding `npm start` runs refuses every chain but iogrid's local one, before it sends
 * anything: a public cluster's genesis hash, an RPC without the local chain's
 * `localnet_warpClock`, an RPC host that is not this machine. The chains here are stand-in
 * JSON-RPC servers; `tests/e2e/start.test.ts` runs the seeding on the real local chain.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { REPO_ROOT } from "./support/localnet.js";

const SCRIPT = join(REPO_ROOT, "migrations/seed-local.ts");

/** A JSON-RPC server answering `getVersion` and `getGenesisHash`; every other method unknown. */
async function fakeRpc(
  genesis: string,
  host = "127.0.0.1",
): Promise<{ url: string; server: Server; methods: string[] }> {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const request = JSON.parse(body) as { id: number; method: string };
      methods.push(request.method);
      const result =
        request.method === "getVersion"
          ? { "solana-core": "2.3.13", "feature-set": 0 }
          : request.method === "getGenesisHash"
            ? genesis
            : undefined;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          result === undefined
            ? {
                jsonrpc: "2.0",
                id: request.id,
                error: { code: -32601, message: "Method not found" },
              }
            : { jsonrpc: "2.0", id: request.id, result },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, server, methods };
}

function seed(rpcUrl: string, localDir: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", SCRIPT, "accounts"],
      {
        env: {
          ...process.env,
          IOGRID_RPC_URL: rpcUrl,
          IOGRID_WS_URL: "",
          IOGRID_LOCAL_DIR: localDir,
        },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe("seed-local: local chains only", function () {
  this.timeout(120_000);
  const localDir = mkdtempSync(join(tmpdir(), "iogrid-seed-"));
  after(() => rmSync(localDir, { recursive: true, force: true }));

  const cases: [string, string, string | undefined, RegExp][] = [
    [
      "a public cluster's genesis hash",
      "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d",
      undefined,
      /refusing to seed .*: it is mainnet-beta/,
    ],
    [
      "an RPC without localnet_warpClock",
      "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
      undefined,
      /it is not iogrid's local chain \(no localnet_warpClock\)/,
    ],
    [
      "an RPC host that is not this machine's loopback name",
      "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
      "127.0.0.2",
      /refusing to seed http:\/\/127\.0\.0\.2:\d+: not a local chain/,
    ],
  ];
  for (const [what, genesis, host, refusal] of cases) {
    it(`refuses ${what}, sending nothing`, async () => {
      const rpc = await fakeRpc(genesis, host);
      try {
        const { code, stderr } = await seed(rpc.url, localDir);
        expect(code, stderr).to.equal(1);
        expect(stderr).to.match(refusal);
        expect(
          rpc.methods.filter(
            (m) => m !== "getVersion" && m !== "getGenesisHash" && m !== "localnet_warpClock",
          ),
        ).to.deep.equal([]);
        expect(readdirSync(localDir), "no key created").to.deep.equal([]);
      } finally {
        rpc.server.close();
      }
    });
  }
});
