#!/usr/bin/env node
// iogrid-keeper: the keeper bot anyone can run. The sources are TypeScript (the sdk is consumed
// from source), loaded through tsx's ESM hooks.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
