/**
 * Vitest global setup: compiles src/ to dist/ (incrementally: a few seconds when nothing changed) before
 * any test runs, because the tests that start the real command run `bin/idc-sync.mjs`, which runs the
 * built code. Without this a targeted run after editing src/ would test yesterday's dist/.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");

export default async function buildOnce(): Promise<void> {
  try {
    await run(
      process.execPath,
      [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: root,
      },
    );
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(
      `npm run build failed, so no test can run the command:\n${failed.stdout}${failed.stderr}`,
    );
  }
}
