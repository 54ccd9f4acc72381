/**
 * Serves the built app (`app/dist`, what `vite build` writes) over plain HTTP: every path that
 * is not a file of the bundle answers `index.html`, so the app's own routes load. `npm start`
 * serves it this way, and so do the browser tests.
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

/** The bundle's directory, with its trailing slash. */
export const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

export interface ServeOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** HTML placed at the start of `index.html`'s `<head>`, before the bundle's scripts. */
  headHtml?: string;
}

/** Serves `dir` (default `DIST`); resolves once listening, with the base URL. */
export async function serveDist(
  options: ServeOptions = {},
  dir: string = DIST,
): Promise<{ url: string; server: Server }> {
  const index = join(dir, "index.html");
  if (!existsSync(index)) throw new Error(`${index} is missing: build the app first (vite build)`);
  const indexHtml = (): string => {
    const html = readFileSync(index, "utf8");
    return options.headHtml ? html.replace("<head>", `<head>\n${options.headHtml}`) : html;
  };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(dir, path);
    if (
      !file.startsWith(dir) ||
      !existsSync(file) ||
      statSync(file).isDirectory() ||
      file === index
    ) {
      res.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" });
      res.end(indexHtml());
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}/`, server };
}
