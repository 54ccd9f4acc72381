/**
 * Separate hosts on one machine for the NAT and cluster tests: network namespaces joined to the
 * root namespace by veth pairs, each on its own /24 with no default route, so a namespace reaches
 * the root namespace's address on its link and nothing else (no other namespace: the root does not
 * route between links). TCP forwarders in the root namespace expose loopback services (the chain)
 * on a link address. Everything is created by the test and removed afterwards.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import type { Server } from "node:net";

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Whether this process may create network namespaces (root, `ip netns` present). */
export function canUseNetns(): boolean {
  try {
    const name = `iogrid-probe-${randomBytes(3).toString("hex")}`;
    ip("netns", "add", name);
    ip("netns", "del", name);
    return true;
  } catch {
    return false;
  }
}

export interface Namespace {
  name: string;
  /** This namespace's address on its link. */
  address: string;
  /** The root namespace's address on the same link. */
  gateway: string;
}

/** A set of namespaces created together and removed together. */
export class Namespaces {
  readonly tag = randomBytes(2).toString("hex");
  private readonly created: Namespace[] = [];
  private readonly links: string[] = [];
  private readonly servers: Server[] = [];
  private static subnet = 0;

  /** A new namespace `<tag>-<name>` on its own link `10.<200+n>.<x>.0/24`. */
  add(name: string): Namespace {
    const n = Namespaces.subnet++;
    const octet = 100 + (parseInt(this.tag, 16) % 100);
    const prefix = `10.${200 + (n % 50)}.${octet}`;
    const ns = `ig${this.tag}-${name}`;
    const hostSide = `ig${this.tag}h${n}`;
    const nsSide = `ig${this.tag}n${n}`;
    ip("netns", "add", ns);
    ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
    this.links.push(hostSide);
    ip("link", "set", nsSide, "netns", ns);
    ip("addr", "add", `${prefix}.1/24`, "dev", hostSide);
    ip("link", "set", hostSide, "up");
    ip("-n", ns, "addr", "add", `${prefix}.2/24`, "dev", nsSide);
    ip("-n", ns, "link", "set", nsSide, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    const entry = { name: ns, address: `${prefix}.2`, gateway: `${prefix}.1` };
    this.created.push(entry);
    return entry;
  }

  /** Forwards `listenHost:port` in the root namespace to `127.0.0.1:port` (same port number). */
  async forward(listenHost: string, port: number, targetPort = port): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const upstream = connect({ port: targetPort, host: "127.0.0.1", allowHalfOpen: true });
      socket.pipe(upstream).pipe(socket);
      const close = (): void => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on("error", close);
      upstream.on("error", close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, listenHost, () => resolve());
    });
    this.servers.push(server);
  }

  /** Removes every namespace, link and forwarder. */
  async destroy(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const link of this.links) {
      try {
        ip("link", "del", link);
      } catch {
        // went with its namespace
      }
    }
    for (const ns of this.created) {
      try {
        ip("netns", "del", ns.name);
      } catch {
        // already gone
      }
    }
  }
}

/** Runs a Node script inside `ns`: its exit code, stdout and stderr. */
export function nodeIn(
  ns: string,
  script: string,
  timeoutMs = 20_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "ip",
      ["netns", "exec", ns, process.execPath, "-e", script],
      { timeout: timeoutMs, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}
