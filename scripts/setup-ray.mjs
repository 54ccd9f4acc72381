// `npm run setup:ray`: creates the Python venv the host agent's `ray` backend runs Ray from, with
// PyPI's `ray[default]` (the job API and dashboard need the `default` extra) at the version this
// repository is tested with. Idempotent: a venv that already has that version is left as it is.
// Prints the `ray` executable's path (the agent config's `ray.command`) on its last line.
//
// Where: $IOGRID_RAY_VENV, else /var/cache/iogrid/ray-venv as root (the agent's sandbox runs Ray
// as `nobody`, which cannot enter /root) and ~/.cache/iogrid/ray-venv otherwise; shared by every
// clone on the machine like the cargo target directory, so a new clone does not download Ray
// again. The venv is made from the system's Python (/usr/bin/python3, or $PYTHON) for the same
// reason: a venv's standard library stays in its interpreter's prefix.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

import { run } from "./lib.mjs";

export const RAY_VERSION = "2.60.0";
export const rayVenv =
  process.env.IOGRID_RAY_VENV ??
  (process.getuid?.() === 0
    ? "/var/cache/iogrid/ray-venv"
    : join(homedir(), ".cache", "iogrid", "ray-venv"));
export const rayCommand = join(rayVenv, "bin", "ray");

/** The version of Ray installed in the venv, or undefined. */
function installedVersion() {
  if (!existsSync(rayCommand)) return undefined;
  const result = spawnSync(rayCommand, ["--version"], { encoding: "utf8" });
  return /version (\S+)/.exec(result.stdout ?? "")?.[1];
}

export async function setUpRay() {
  if (installedVersion() === RAY_VERSION) return rayCommand;
  const python =
    process.env.PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const probe = spawnSync(
    python,
    ["-c", "import ensurepip, venv, sys; print(sys.version_info[:2] >= (3, 9))"],
    {
      encoding: "utf8",
    },
  );
  if (probe.status !== 0 || probe.stdout.trim() !== "True") {
    throw new Error(
      `setup-ray: ${python} with venv and ensurepip (3.9 or newer) is needed: apt-get install python3-venv`,
    );
  }
  console.log(`setup-ray: installing ray[default]==${RAY_VERSION} into ${rayVenv}`);
  if (!existsSync(join(rayVenv, "bin", "pip"))) {
    mkdirSync(dirname(rayVenv), { recursive: true, mode: 0o755 });
    await run(python, ["-m", "venv", rayVenv]);
  }
  await run(join(rayVenv, "bin", "pip"), [
    "install",
    "--quiet",
    "--disable-pip-version-check",
    `ray[default]==${RAY_VERSION}`,
  ]);
  const version = installedVersion();
  if (version !== RAY_VERSION)
    throw new Error(`setup-ray: ${rayCommand} reports ${version ?? "nothing"}`);
  return rayCommand;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(await setUpRay());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
