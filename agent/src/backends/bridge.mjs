// Runs inside a workload's sandbox (its own network namespace, no network but loopback): serves
// each of the workload's ports as a unix socket in a directory shared with the agent, forwarding
// every connection to 127.0.0.1:<port> inside the sandbox, then runs the workload and exits with
// its status. The agent forwards 127.0.0.1:<port> on the host to these sockets, so the workload
// is reachable on its ports and reaches nothing else.
//
// usage: node bridge.mjs <socket dir> <port,port,...> -- <command> [args...]
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { connect, createServer } from "node:net";

const [, , dir, portList, sep, ...command] = process.argv;
if (!dir || portList === undefined || sep !== "--" || command.length === 0) {
  process.stderr.write("usage: bridge.mjs <socket dir> <ports> -- <command...>\n");
  process.exit(64);
}
const ports = portList === "" ? [] : portList.split(",").map(Number);
for (const port of ports) {
  const path = `${dir}/${port}.sock`;
  rmSync(path, { force: true });
  createServer({ allowHalfOpen: true }, (socket) => {
    const upstream = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", close);
    upstream.on("error", close);
  }).listen(path);
}
const child = spawn(command[0], command.slice(1), { stdio: "inherit" });
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 128 + 15 : 1));
});
child.on("error", (e) => {
  process.stderr.write(`bridge: cannot run ${command[0]}: ${e.message}\n`);
  process.exit(127);
});
