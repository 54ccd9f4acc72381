/**
 * The daemons' HTTP layer (`@iogrid/sdk/node`): one routing of requests for the server and for
 * requests the relay carries (`answerRequest`), with the errors every route shares by name.
 */
import { expect } from "chai";

import { answerRequest, startHttpServer } from "@iogrid/sdk/node";
import type { HttpRequest, HttpRoute } from "@iogrid/sdk/node";

const routes: HttpRoute[] = [
  { method: "POST", path: "/v1/echo", handle: (r) => ({ status: 200, json: { got: r.json } }) },
  {
    method: "GET",
    path: "/v1/items/",
    prefix: true,
    handle: (r) => ({ status: 200, json: { item: r.path.slice("/v1/items/".length) } }),
  },
  {
    method: "GET",
    path: "/v1/broken",
    handle: () => {
      throw new Error("boom");
    },
  },
];

function request(method: string, path: string, body = ""): Omit<HttpRequest, "json"> {
  return {
    method,
    path,
    query: new URLSearchParams(),
    headers: {},
    remoteAddress: "203.0.113.9",
    body: Buffer.from(body),
  };
}

describe("http: routes answered alike from the server and from the relay", () => {
  it("answers a route with its parsed body, a prefix route by its path", async () => {
    expect(await answerRequest(routes, request("POST", "/v1/echo", '{"a":1}'))).to.deep.equal({
      status: 200,
      json: { got: { a: 1 } },
    });
    expect(await answerRequest(routes, request("GET", "/v1/items/42"))).to.deep.equal({
      status: 200,
      json: { item: "42" },
    });
  });

  it("names each failure: unknown path, wrong method, malformed JSON, a route that throws", async () => {
    const errors: string[] = [];
    const cases: [Omit<HttpRequest, "json">, number, string][] = [
      [request("GET", "/nope"), 404, "NotFound"],
      [request("GET", "/v1/echo"), 405, "MethodNotAllowed"],
      [request("POST", "/v1/echo", "{not json"), 400, "MalformedBody"],
      [request("GET", "/v1/broken"), 500, "InternalError"],
    ];
    for (const [req, status, error] of cases) {
      const reply = await answerRequest(routes, req, (e, r) =>
        errors.push(`${r.path}: ${(e as Error).message}`),
      );
      expect(reply.status, req.path).to.equal(status);
      expect((reply.json as { error: string }).error).to.equal(error);
    }
    expect(errors).to.deep.equal(["/v1/broken: boom"]);
  });

  it("the server routes the same way and refuses bodies over its limit with 413 BodyTooLarge", async () => {
    const server = await startHttpServer({ host: "127.0.0.1", port: 0, routes, maxBodyBytes: 16 });
    try {
      const ok = await fetch(`${server.url}/v1/echo`, { method: "POST", body: '{"b":2}' });
      expect(await ok.json()).to.deep.equal({ got: { b: 2 } });
      const wrong = await fetch(`${server.url}/v1/echo`);
      expect(wrong.status).to.equal(405);
      const big = await fetch(`${server.url}/v1/echo`, {
        method: "POST",
        body: JSON.stringify({ text: "x".repeat(64) }),
      });
      expect(big.status).to.equal(413);
      expect(((await big.json()) as { error: string }).error).to.equal("BodyTooLarge");
    } finally {
      await server.close();
    }
  });
});
