/**
 * Fault suite, concurrent runs (fast part): an apply to a file target or a file run state that another
 * run holds stops before it reads anything, and a lock left by a run that died is taken over. The racing
 * real processes are in concurrent-runs.slow.test.ts.
 */
import { mkdir, readFile, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockFile } from "../../src/adapters/file/file-lock.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "../cli/cli-harness.js";

const applyTo = (target: string, extra: string[] = []) =>
  idcSync([
    "apply",
    "--yes",
    "--rules",
    examples("rules.yaml"),
    "--source",
    `file:${examples("directory.yaml")}`,
    "--target",
    `file:${target}`,
    ...extra,
  ]);

describe("an apply to a file another run is applying to", () => {
  it("stops before reading anything when the Identity Center file is locked, and changes nothing", async () => {
    const target = await aTemporaryIdentityCenter();
    const before = await readFile(target, "utf8");
    const held = await lockFile(target, "the Identity Center state file");
    try {
      const run = await applyTo(target);

      expect(run.exitCode).toBe(69);
      expect(run.stderr).toContain(`another idc-sync run is using the Identity Center state file ${target}`);
      expect(run.stderr).toContain("nothing was changed");
      expect(await readFile(target, "utf8")).toBe(before);
    } finally {
      await held.release();
    }
    expect((await applyTo(target)).exitCode).toBe(0);
  });

  it("stops when the run state file is locked", async () => {
    const target = await aTemporaryIdentityCenter();
    const state = join(dirname(target), "identity-center.state.json");
    const held = await lockFile(state, "the run state file");
    try {
      const run = await applyTo(target);

      expect(run.exitCode).toBe(69);
      expect(run.stderr).toContain(`another idc-sync run is using the run state file ${state}`);
    } finally {
      await held.release();
    }
  });

  it("locks a run state file whose folder does not exist yet, as on a first run", async () => {
    const target = await aTemporaryIdentityCenter();
    const state = join(dirname(target), "not-yet", ".idc-sync", "state.json");

    const run = await applyTo(target, ["--state", state]);

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(await readFile(state, "utf8"))).toMatchObject({ version: 1 });
  });

  it("takes over a lock left by a run that died", async () => {
    const target = await aTemporaryIdentityCenter();
    const lockPath = `${target}.lock`;
    await mkdir(lockPath);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(lockPath, longAgo, longAgo);

    const run = await applyTo(target);

    expect(run.exitCode).toBe(0);
  });
});
