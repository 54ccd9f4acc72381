/** The backends this agent's config allows, by name. */
import type { Logger } from "@iogrid/sdk/node";

import type { AgentConfig, BackendName } from "../config.js";
import type { AgentContext } from "../context.js";
import { DockerBackend } from "./docker.js";
import { ProcessBackend } from "./process.js";
import { RayBackend } from "./ray.js";
import type { Backend } from "./types.js";

export function createBackends(
  config: AgentConfig,
  log: Logger,
  ctx: AgentContext,
): Map<BackendName, Backend> {
  const backends = new Map<BackendName, Backend>();
  for (const name of config.backends) {
    const deps = { config, log: log.child(name) };
    if (name === "process") backends.set(name, new ProcessBackend(deps));
    if (name === "ray") backends.set(name, new RayBackend(deps, ctx));
    if (name === "docker") backends.set(name, new DockerBackend(deps));
  }
  return backends;
}
