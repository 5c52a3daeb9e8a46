#!/usr/bin/env node
// The `idc-sync` command: the compiled JavaScript in dist/ (`npm run build`; `npm ci` and `npm pack`
// build it through the `prepare` script). No TypeScript is compiled at run time.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "idc-sync: dist/ is missing: this is a source checkout that was not built. Run `npm run build`.\n",
  );
  process.exitCode = 1;
} else {
  await import(entry.href);
}
