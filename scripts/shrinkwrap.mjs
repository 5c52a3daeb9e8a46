#!/usr/bin/env node
// `npm pack` / `npm publish` ship npm-shrinkwrap.json, a copy of package-lock.json: an organisation that
// installs idc-sync gets exactly the dependency tree this repository tested (npm's documented use of a
// shrinkwrap: "command-line tools intended as global installs or devDependencies"), and the install needs
// no registry look-ups to resolve versions. The repository itself keeps only package-lock.json.
//
//   node scripts/shrinkwrap.mjs write    (prepack)
//   node scripts/shrinkwrap.mjs remove   (postpack)
import { copyFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const lock = fileURLToPath(new URL("../package-lock.json", import.meta.url));
const shrinkwrap = fileURLToPath(new URL("../npm-shrinkwrap.json", import.meta.url));

if (process.argv[2] === "write") copyFileSync(lock, shrinkwrap);
else if (process.argv[2] === "remove") rmSync(shrinkwrap, { force: true });
else {
  process.stderr.write("usage: shrinkwrap.mjs write|remove\n");
  process.exitCode = 2;
}
