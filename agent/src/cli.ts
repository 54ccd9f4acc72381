/**
 * `iogrid-agent`: the host agent's and the relay's command line. Every subcommand has `--help`,
 * exits with `EXIT` codes, prints one line per problem, and `--json` where a script reads it.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { Command, Option } from "commander";

import { PublicKey } from "@solana/web3.js";

import {
  ConfigError,
  createLogger,
  expandHome,
  loadKeypair,
  loadOrCreateKeypair,
  rpcConnection,
} from "@iogrid/sdk/node";

import { BACKENDS, configTemplate, parseConfig, parseListen } from "./config.js";
import type { BackendName } from "./config.js";
import { defaultConfigPath, loadContext } from "./context.js";
import { detectHardware, machineDeviceId } from "./detect.js";
import {
  changeAgent,
  cosignRegistration,
  deregister,
  deviceStatus,
  registerWithOwner,
  registrationLink,
  updateRegistration,
} from "./device.js";
import { CliError, EXIT, fail, printJson } from "./output.js";

const program = new Command("iogrid-agent")
  .description(
    "iogrid host agent: registers this machine, serves probes, runs reserved workloads; and the tunnel relay",
  )
  .showHelpAfterError()
  .exitOverride((err) => {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
    process.exit(EXIT.usage);
  });

const configOption = (): Option =>
  new Option("-c, --config <path>", "agent config file").default(defaultConfigPath());
const jsonOption = (): Option => new Option("--json", "print the result as JSON");

function ownerKeypair(path: string | undefined): ReturnType<typeof loadKeypair> | undefined {
  if (!path) return undefined;
  try {
    return loadKeypair(path);
  } catch (e) {
    throw new CliError(`owner keypair: ${(e as Error).message}`, EXIT.usage);
  }
}

program
  .command("init")
  .description("create the agent key (mode 0600) and a commented config file")
  .addOption(configOption())
  .option("--rpc-url <url>", "Solana JSON-RPC URL", "http://127.0.0.1:8899")
  .option("--ws-url <url>", "PubSub websocket URL (default: RPC port + 1)")
  .option("--agent-key <path>", "agent key file (default: beside the config)")
  .option("--owner <pubkey>", "the owner's wallet address")
  .option("--device-id <id>", "device id (default: derived from /etc/machine-id)")
  .option("--name <name>", "device name", "my-gpu-server")
  .option("--region <region>", "region code", "eu-west")
  .option("--price <usd>", "USD per GPU-hour", "1.00")
  .option("--listen <host:port>", "probe server address", "0.0.0.0:7777")
  .option("--public-endpoint <url>", 'where keepers reach the probe server ("" = relay only)', "")
  .option("--relay-url <url>", "tunnel relay (ws:// or wss://)", "")
  .option("--backends <list>", `comma-separated: ${BACKENDS.join(", ")}`, "process")
  .option("--work-dir <path>", "work dir (default: beside the config)")
  .option("--ray-command <path>", "the ray executable (ray backend)", "ray")
  .option("--ray-port-base <port>", "first of the 100 ports of this agent's Ray nodes", "20000")
  .option("--force", "overwrite an existing config (the key is never overwritten)")
  .addOption(jsonOption())
  .action((o) => {
    const configPath = expandHome(o.config as string);
    if (existsSync(configPath) && !o.force) {
      throw new CliError(`${configPath} exists; pass --force to overwrite it`, EXIT.usage);
    }
    const dir = dirname(configPath);
    const agentKey = expandHome(
      (o.agentKey as string | undefined) ?? resolve(dir, "agent-key.json"),
    );
    const deviceId =
      (o.deviceId as string | undefined) ?? machineDeviceId() ?? `iogrid-${crypto.randomUUID()}`;
    const text = configTemplate({
      rpcUrl: o.rpcUrl,
      wsUrl: o.wsUrl,
      agentKey,
      owner: o.owner,
      deviceId,
      name: o.name,
      region: o.region,
      price: o.price,
      probeListen: o.listen,
      publicEndpoint: o.publicEndpoint,
      relayUrl: o.relayUrl,
      backends: String(o.backends)
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean) as BackendName[],
      workDir: expandHome((o.workDir as string | undefined) ?? resolve(dir, "work")),
      // A bare name is looked up in PATH; a path is taken as given.
      rayCommand: String(o.rayCommand).includes("/")
        ? expandHome(o.rayCommand as string)
        : String(o.rayCommand),
      rayPortBase: Number(o.rayPortBase),
    });
    // The flags become the config: check it as the daemon will, before writing anything.
    parseConfig(text, configPath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { keypair, created } = loadOrCreateKeypair(agentKey);
    writeFileSync(configPath, text, { mode: 0o600 });
    const result = {
      config: configPath,
      agentKey,
      agent: keypair.publicKey,
      keyCreated: created,
      deviceId,
    };
    if (o.json) printJson(result);
    else {
      console.log(`config:    ${configPath}`);
      console.log(
        `agent key: ${agentKey} (${created ? "created" : "kept"}) ${keypair.publicKey.toBase58()}`,
      );
      console.log(`device id: ${deviceId}`);
      console.log(
        "next: iogrid-agent detect, then iogrid-agent register --owner-keypair <owner.json> (or --print-link)",
      );
    }
  });

program
  .command("detect")
  .description("show this machine's hardware as the registry records it")
  .option("--work-dir <path>", "disk to measure", ".")
  .addOption(jsonOption())
  .action(async (o) => {
    const hw = await detectHardware(expandHome(o.workDir as string));
    if (o.json) return printJson(hw);
    console.log(
      `GPU model:  ${hw.gpuModel}${hw.gpuClass ? ` (class ${hw.gpuClass.pattern}, ${hw.gpuClass.multiplierCenti / 100}x)` : ""}`,
    );
    console.log(`GPUs:       ${hw.gpus.length}${hw.gpuDetail ? ` (${hw.gpuDetail})` : ""}`);
    for (const g of hw.gpus)
      console.log(`  ${g.index}: ${g.name} ${g.memoryMib} MiB ${g.uuid} ${g.pciBusId}`);
    console.log(`driver:     ${hw.driverVersion ?? "-"}  CUDA ${hw.cudaVersion ?? "-"}`);
    console.log(
      `record:     ${hw.specs.gpuCount} x ${hw.specs.vramMib} MiB VRAM, ${hw.specs.cpuCores} cores, ${hw.specs.ramMib} MiB RAM, ${hw.specs.storageGib} GiB disk`,
    );
    console.log(`CPU:        ${hw.cpu.model}`);
    console.log(`OS:         ${hw.os}`);
    for (const w of hw.warnings) console.log(`warning:    ${w}`);
  });

program
  .command("register")
  .description(
    "register this machine's device on chain (the owner signs here, or in a browser wallet)",
  )
  .addOption(configOption())
  .option("--owner-keypair <path>", "the owner's keypair file: sign and send here")
  .option("--print-link", "print the web app's add-device link for a browser wallet")
  .option("--cosign <base64>", "co-sign a registration transaction prepared by the web app")
  .addOption(jsonOption())
  .action(async (o) => {
    const modes = [o.ownerKeypair, o.printLink, o.cosign].filter(Boolean).length;
    if (modes !== 1) {
      throw new CliError("pass exactly one of --owner-keypair, --print-link, --cosign", EXIT.usage);
    }
    const ctx = loadContext(o.config);
    const hw = await detectHardware(ctx.config.workDir);
    if (o.ownerKeypair) {
      const signature = await registerWithOwner(ctx, hw, ownerKeypair(o.ownerKeypair)!);
      const result = { device: ctx.device, deviceId: ctx.config.device.id, signature };
      if (o.json) return printJson(result);
      console.log(`registered ${ctx.config.device.id} as ${ctx.device.toBase58()} (${signature})`);
      return;
    }
    if (o.cosign) {
      const transaction = await cosignRegistration(ctx, hw, o.cosign as string);
      if (o.json) return printJson({ transaction });
      console.log(transaction);
      return;
    }
    const link = await registrationLink(ctx, hw);
    if (o.json) return printJson({ device: ctx.device, ...link });
    console.log(link.url);
    if (link.transaction) {
      console.log(
        `(carries the registration co-signed by the agent; valid until block height ${link.lastValidBlockHeight})`,
      );
    }
  });

program
  .command("update")
  .description("re-detect and update changed specs (owner) and endpoint (agent) on chain")
  .addOption(configOption())
  .option("--owner-keypair <path>", "the owner's keypair (needed for specs, model, region, price)")
  .addOption(jsonOption())
  .action(async (o) => {
    const ctx = loadContext(o.config);
    const hw = await detectHardware(ctx.config.workDir);
    const result = await updateRegistration(ctx, hw, ownerKeypair(o.ownerKeypair));
    if (o.json) return printJson(result);
    const changed = Object.keys(result.changes);
    console.log(
      changed.length === 0 ? "the chain's record is current" : `changed: ${changed.join(", ")}`,
    );
    if (result.needsOwner.length > 0) {
      console.log(
        `needs the owner's signature: ${result.needsOwner.join(", ")} (pass --owner-keypair)`,
      );
    }
  });

program
  .command("status")
  .description(
    "the device on chain: status, stake vs minimum, reputation, bookings, claimable rewards",
  )
  .addOption(configOption())
  .addOption(jsonOption())
  .action(async (o) => {
    const ctx = loadContext(o.config);
    const report = await deviceStatus(ctx);
    if (o.json) printJson(report);
    else if (!report.registered) {
      console.log(
        `device ${report.deviceId} (${report.device}) is not registered: run iogrid-agent register`,
      );
    } else {
      console.log(`device:     ${report.deviceId} ${report.device} (${report.status})`);
      console.log(`owner:      ${report.owner}`);
      console.log(
        `agent:      ${report.agent}${report.agentMatches ? "" : " (NOT the device's agent key)"}`,
      );
      console.log(
        `hardware:   ${report.specs?.gpuCount} x ${report.gpuModel}, price ${Number(report.pricePerGpuHour) / 1e6} USD/GPU-hour`,
      );
      if (report.stake) {
        console.log(
          `stake:      ${Number(report.stake.qualifying) / 1e8} IO of ${Number(report.stake.minimum) / 1e8} IO minimum${report.stake.meetsMinimum ? "" : " (below: no availability rewards, not bookable)"}`,
        );
      }
      console.log(`reputation: ${(report.reputationBps ?? 0) / 100}%`);
      console.log(`booking:    ${report.reservation ?? "none"}`);
      console.log(`claimable:  ${Number(report.claimableIo ?? 0n) / 1e8} IO`);
    }
    if (!report.registered) process.exitCode = EXIT.notRegistered;
  });

program
  .command("change-agent")
  .description(
    "make this agent's key the device's agent key (owner and agent sign; refused while reserved)",
  )
  .addOption(configOption())
  .requiredOption("--owner-keypair <path>", "the owner's keypair")
  .addOption(jsonOption())
  .action(async (o) => {
    const ctx = loadContext(o.config);
    const { previous, signature } = await changeAgent(ctx, ownerKeypair(o.ownerKeypair)!);
    const agent = ctx.agent.publicKey;
    if (o.json) return printJson({ device: ctx.device, previous, agent, signature });
    console.log(
      signature
        ? `device ${ctx.device.toBase58()}: agent key ${previous.toBase58()} -> ${agent.toBase58()} (${signature})`
        : `device ${ctx.device.toBase58()} already names this agent key ${agent.toBase58()}`,
    );
  });

program
  .command("deregister")
  .description("close the device account (owner signs; refused while reserved)")
  .addOption(configOption())
  .requiredOption("--owner-keypair <path>", "the owner's keypair")
  .addOption(jsonOption())
  .action(async (o) => {
    const ctx = loadContext(o.config);
    const signature = await deregister(ctx, ownerKeypair(o.ownerKeypair)!);
    if (o.json) return printJson({ device: ctx.device, signature });
    console.log(`deregistered ${ctx.device.toBase58()} (${signature})`);
  });

program
  .command("start")
  .description(
    "run the daemon: reconcile with the chain, serve probes, run bookings, report telemetry",
  )
  .addOption(configOption())
  .option("--check", "check the config and key, then exit")
  .action(async (o) => {
    const ctx = loadContext(o.config);
    if (o.check) {
      console.log(
        `config ${ctx.configPath} is valid; agent ${ctx.agent.publicKey.toBase58()}, device ${ctx.device.toBase58()}`,
      );
      return;
    }
    const { runDaemon } = await import("./daemon.js");
    await runDaemon(ctx);
  });

program
  .command("relay")
  .description("run the tunnel relay: agents dial in, renters connect with a signed request")
  .requiredOption("--rpc-url <url>", "Solana JSON-RPC URL the relay checks reservations on")
  .option("--listen <host:port>", "address to listen on", "0.0.0.0:7070")
  .option("--domain <name>", "the name renters and agents sign for (default: the listen address)")
  .option("--public-url <url>", "the relay's URL as renters reach it (default: ws://<domain>)")
  .option("--recheck-ms <ms>", "how often sessions are re-checked against the chain", "5000")
  .action(async (o) => {
    const listen = parseListen(o.listen as string);
    if (!listen) throw new CliError(`--listen: expected host:port, got ${o.listen}`, EXIT.usage);
    if (!o.domain && (listen.host === "0.0.0.0" || listen.host === "::")) {
      throw new CliError(
        "--domain: name the relay as agents and renters reach it (e.g. relay.example.com:7070)",
        EXIT.usage,
      );
    }
    const { RelayServer } = await import("./relay/server.js");
    const relay = new RelayServer({
      host: listen.host,
      port: listen.port,
      connection: rpcConnection({ url: o.rpcUrl as string }),
      log: createLogger("relay"),
      domain: o.domain as string | undefined,
      publicUrl: o.publicUrl as string | undefined,
      recheckMs: Number(o.recheckMs),
    });
    await relay.start();
    const stop = (): void => void relay.stop().then(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    await new Promise<never>(() => undefined);
  });

program
  .command("connect")
  .description("reach a port of your reservation's device through the relay (renter side)")
  .requiredOption("--relay <url>", "the relay (ws:// or wss://)")
  .option("--relay-domain <name>", "the relay's name (default: the URL's host:port)")
  .requiredOption("--reservation <pubkey>", "the reservation account")
  .requiredOption("--device <pubkey>", "the device account")
  .requiredOption("--port <port>", "the workload's port on the device")
  .requiredOption("--keypair <path>", "the renter's keypair (signs the request)")
  .option("--local-port <port>", "local port to listen on (0: any)", "0")
  .option("--local-host <host>", "local address to listen on", "127.0.0.1")
  .addOption(jsonOption())
  .action(async (o) => {
    const key = (name: string, value: string): PublicKey => {
      try {
        return new PublicKey(value);
      } catch {
        throw new CliError(`--${name}: not a public key: ${value}`, EXIT.usage);
      }
    };
    const port = Number(o.port);
    const localPort = Number(o.localPort);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new CliError(`--port: not a TCP port: ${o.port}`, EXIT.usage);
    if (!Number.isInteger(localPort) || localPort < 0 || localPort > 65_535)
      throw new CliError(`--local-port: not a TCP port: ${o.localPort}`, EXIT.usage);
    const { Tunnel, TunnelRefused } = await import("./relay/connect.js");
    const tunnel = new Tunnel({
      relayUrl: o.relay as string,
      relayDomain: o.relayDomain as string | undefined,
      reservation: key("reservation", o.reservation as string),
      device: key("device", o.device as string),
      port,
      renter: ownerKeypair(o.keypair)!,
      localHost: o.localHost as string,
      localPort,
      log: createLogger("connect"),
    });
    try {
      await tunnel.start();
    } catch (e) {
      if (e instanceof TunnelRefused) throw new CliError(`the relay refused: ${e.message}`);
      throw e;
    }
    const address = tunnel.address;
    if (o.json)
      console.log(
        JSON.stringify({ listening: `${address.address}:${address.port}`, port: address.port }),
      );
    else console.log(`listening on ${address.address}:${address.port} -> device port ${port}`);
    process.on("SIGTERM", () => tunnel.stop());
    process.on("SIGINT", () => tunnel.stop());
    try {
      await tunnel.done;
    } catch (e) {
      throw new CliError(`tunnel closed: ${(e as Error).message}`);
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof CliError) fail(error);
  fail(error);
}
