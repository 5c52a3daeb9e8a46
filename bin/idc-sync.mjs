#!/usr/bin/env node
// The `idc-sync` command. The sources are TypeScript; tsx compiles them on the fly, so `npx idc-sync`
// works straight after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
