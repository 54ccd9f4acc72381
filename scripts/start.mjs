// `npm start`: the whole iogrid network on this machine (scripts/start/main.ts says what runs);
// `npm start -- --help` lists the flags. Installs the npm workspaces on a fresh clone first, then
// loads the TypeScript sources through tsx, as the agent's and keeper's command lines do.
import { ensureNodeModules } from "./lib.mjs";

await ensureNodeModules();
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./start/main.ts");
process.exit(await main(process.argv.slice(2)));
