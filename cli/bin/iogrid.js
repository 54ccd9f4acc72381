#!/usr/bin/env node
// iogrid: the renter's CLI. The sources are TypeScript (the sdk is consumed from source), loaded
// through tsx's ESM hooks.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
