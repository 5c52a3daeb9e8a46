import { createRequire } from "node:module";

/**
 * The installed package's version, from its package.json: two folders up from both src/cli (tests, tsx)
 * and dist/cli (the built command), so the number printed is the one npm installed.
 */
export function packageVersion(): string {
  const manifest = createRequire(import.meta.url)("../../package.json") as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error("package.json has no version");
  return manifest.version;
}
