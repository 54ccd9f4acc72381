/**
 * The `docker` backend against a real container engine: Podman's Docker-compatible service from
 * Debian's packages (no Docker daemon runs on these machines), run by this test on its own socket
 * and storage, with an image imported from a busybox root filesystem (no registry is reachable).
 * A booked `container` reservation runs the image with the booking's environment, its port on the
 * host's loopback only, every capability dropped and the PID limit applied; the start is
 * acknowledged once; an agent SIGKILLed and restarted adopts the container; at the booking's end
 * the container is stopped and removed. A booking of an image that does not exist anywhere is
 * reported and never acknowledged.
 */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { bookingPda } from "@iogrid/sdk";

import { waitFor } from "../../tests/support/chain.js";
import type { AgentProcess } from "./support/agent.js";
import { freePort, setUpHost, startHost } from "./support/host.js";
import type { Host } from "./support/host.js";
import { book, settle, startNetwork, warpBy } from "./support/network.js";
import type { Network } from "./support/network.js";
import { DockerEngine, containerSpec, demuxLogs } from "../src/backends/docker.js";
import { portOpen } from "../src/backends/process.js";

const exec = promisify(execFile);
const IMAGE = "localhost/iogrid-test-web:1";

describe("docker backend: container spec and log frames", () => {
  it("publishes each port on loopback only, drops every capability, applies the limits", () => {
    const spec = containerSpec(
      {
        booking: Keypair.generate().publicKey,
        reservation: Keypair.generate().publicKey,
        image: "ghcr.io/acme/train:1",
        ports: [8080, 9090],
        env: { TOKEN: "t" },
        gpuCount: 2,
      },
      { cpuSeconds: 0, memoryMib: 512, openFiles: 4096, processes: 256, logMib: 64 },
    ) as {
      Image: string;
      Env: string[];
      HostConfig: Record<string, unknown>;
    };
    expect(spec.Image).to.equal("ghcr.io/acme/train:1");
    expect(spec.Env).to.include("TOKEN=t");
    expect(spec.Env).to.include("IOGRID_PORTS=8080,9090");
    expect(spec.Env.some((e) => e.startsWith("PATH=") || e.startsWith("HOME="))).to.equal(false);
    expect(spec.HostConfig.PortBindings).to.deep.equal({
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
      "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: "9090" }],
    });
    expect(spec.HostConfig.CapDrop).to.deep.equal(["ALL"]);
    expect(spec.HostConfig.PidsLimit).to.equal(256);
    expect(spec.HostConfig.Memory).to.equal(512 * 2 ** 20);
    expect(spec.HostConfig.DeviceRequests).to.deep.equal([
      { Driver: "nvidia", Count: -1, Capabilities: [["gpu"]] },
    ]);
  });

  it("splits the engine's multiplexed log stream into stdout and stderr", () => {
    const frame = (stream: number, text: string): Buffer => {
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([head, Buffer.from(text)]);
    };
    const logs = demuxLogs(
      Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n")]),
    );
    expect(logs).to.deep.equal({ stdout: "out 1\nout 2\n", stderr: "err 1\n" });
  });
});

describe("docker backend: a container reservation on a real engine (Podman's Docker API)", function () {
  this.timeout(600_000);
  let n: Network;
  let host: Host;
  let agent: AgentProcess;
  let service: ChildProcess;
  let engine: DockerEngine;
  let dir: string;
  let port: number;

  before(async function () {
    this.timeout(600_000);
    const podman = await exec("podman", ["--version"]).catch(() => undefined);
    if (!podman) {
      throw new Error(
        "this suite needs Debian's podman, runc and busybox-static (apt-get install podman runc busybox-static; .ci/run installs them)",
      );
    }
    dir = mkdtempSync(join(tmpdir(), "iogrid-podman-"));
    // This machine's cgroups are v1 under a container: runc with cgroupfs works, crun does not.
    const conf = join(dir, "containers.conf");
    writeFileSync(conf, '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n');
    const podmanArgs = [
      "--root",
      join(dir, "storage"),
      "--runroot",
      join(dir, "run"),
      "--storage-driver",
      "vfs",
    ];
    const env = { ...process.env, CONTAINERS_CONF: conf };
    // An image with no registry: busybox's root filesystem and a web server as its command.
    port = await freePort();
    const root = join(dir, "rootfs");
    mkdirSync(join(root, "bin"), { recursive: true });
    mkdirSync(join(root, "www"));
    copyFileSync("/bin/busybox", join(root, "bin", "busybox"));
    chmodSync(join(root, "bin", "busybox"), 0o755);
    for (const tool of ["sh", "httpd", "echo", "cat", "sleep"])
      symlinkSync("busybox", join(root, "bin", tool));
    await exec("tar", ["-C", root, "-cf", join(dir, "rootfs.tar"), "."]);
    const cmd = `echo "hello $GREETING from $IOGRID_BOOKING" > /www/index.html; echo started; exec httpd -f -p ${port} -h /www`;
    await exec(
      "podman",
      [
        ...podmanArgs,
        "import",
        "--change",
        `CMD ["/bin/sh", "-c", ${JSON.stringify(cmd)}]`,
        join(dir, "rootfs.tar"),
        IMAGE,
      ],
      { env },
    );
    const socket = join(dir, "podman.sock");
    service = spawn(
      "podman",
      [...podmanArgs, "system", "service", "--time=0", `unix://${socket}`],
      { env, stdio: "ignore" },
    );
    engine = new DockerEngine(socket);
    await waitFor(
      "podman's API",
      async () =>
        (await engine.call("GET", "/_ping").catch(() => undefined))?.status === 200
          ? true
          : undefined,
      30_000,
      200,
    );

    n = await startNetwork();
    host = await setUpHost(n, {
      name: "docker",
      rpcUrl: n.net.rpcUrl,
      wsUrl: n.net.wsUrl,
      backends: "docker",
      edit: (yaml) =>
        yaml.replace('host: "/var/run/docker.sock"', `host: ${JSON.stringify(socket)}`),
    });
    agent = await startHost(host);
    await agent.waitForLine(/backend docker: Podman Engine 4\./, 5_000);
  });

  after(async () => {
    await agent?.stop();
    await n?.net.stop();
    service?.kill("SIGTERM");
  });

  it("runs the image with the booking's environment on its loopback port, confined, acknowledged once; adopted after SIGKILL; removed at the end", async () => {
    const device = { address: host.device, owner: host.owner.publicKey };
    const { reservation } = await book(n, [device], 1, {
      kind: "container",
      image: IMAGE,
      ports: [port],
    });
    const booking = bookingPda(reservation, host.device).address;
    await waitFor(
      "the start acknowledgement",
      async () => {
        const b = await n.market.account.booking.fetchNullable(booking);
        return b && BigInt(b.startedAt.toString()) !== 0n ? true : undefined;
      },
      180_000,
      250,
    );
    expect(agent.matching(/acknowledging start/)).to.have.length(1);
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page.trim()).to.equal(`hello  from ${booking.toBase58()}`);

    const name = `iogrid-${booking.toBase58()}`;
    const inspect = (await engine.expect([200], "GET", `/containers/${name}/json`)).json() as {
      HostConfig: { CapDrop: string[]; PidsLimit: number; PortBindings: Record<string, unknown> };
      Config: { Labels: Record<string, string> };
    };
    expect(inspect.Config.Labels["iogrid.reservation"]).to.equal(reservation.toBase58());
    expect(inspect.HostConfig.PidsLimit).to.equal(1024);
    expect(inspect.HostConfig.PortBindings).to.deep.equal({
      [`${port}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: String(port) }],
    });
    const logs = demuxLogs(
      (await engine.expect([200], "GET", `/containers/${name}/logs?stdout=1&stderr=1`)).body,
    );
    expect(logs.stdout).to.contain("started");

    await agent.kill();
    agent = await startHost(host);
    await agent.waitForLine(/adopted the running docker workload/, 60_000);
    expect(agent.matching(/acknowledging start/)).to.have.length(0);

    const b = (await n.market.account.booking.fetch(booking))!;
    await warpBy(n, Number(BigInt(b.endsAt.toString()) - BigInt(b.startedAt.toString())) + 5);
    await agent.waitForLine(/workload stopped \(ended\)/, 60_000);
    expect(await portOpen(port)).to.equal(false);
    expect((await engine.call("GET", `/containers/${name}/json`)).status).to.equal(404);
    await settle(n, reservation, [device]);
  });

  it("an image no engine can find is reported and never acknowledged", async () => {
    const device = { address: host.device, owner: host.owner.publicKey };
    const { reservation } = await book(n, [device], 1, {
      kind: "container",
      image: "localhost/iogrid-no-such-image:1",
      ports: [await freePort()],
    });
    await agent.waitForLine(/cannot pull localhost\/iogrid-no-such-image:1: /, 120_000);
    const b = await n.market.account.booking.fetch(bookingPda(reservation, host.device).address);
    expect(BigInt(b.startedAt.toString())).to.equal(0n);
  });
});
