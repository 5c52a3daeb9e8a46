/**
 * `idc-sync plan|apply --subject ...` (issue #14): a targeted run from the example snapshot a week
 * later. Ren left (suspended) and Sora joined; a run about Ren touches Ren only.
 */
import { cp } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "./cli-harness.js";

describe("a targeted run from the command line", () => {
  let target: string;
  let rulesPath: string;
  const run = (command: string, source: string, ...extra: string[]) =>
    idcSync([
      command,
      "--rules",
      rulesPath,
      "--source",
      `file:${source}`,
      "--target",
      `file:${target}`,
      ...extra,
    ]);

  beforeEach(async () => {
    target = await aTemporaryIdentityCenter();
    rulesPath = join(dirname(target), "rules.yaml");
    await cp(examples("policies"), join(dirname(target), "policies"), { recursive: true });
    await cp(examples("rules.yaml"), rulesPath);
    expect((await run("apply", "examples/directory.yaml", "--yes")).exitCode).toBe(0);
  });

  it("plans and applies the leaver it names, and nobody else", async () => {
    const full = await run("plan", "examples/directory-next.yaml");
    const plan = await run(
      "plan",
      "examples/directory-next.yaml",
      "--subject",
      "person:ren.takahashi@example.com",
    );

    expect(plan.exitCode).toBe(0);
    const lines = plan.stdout.split("\n").filter((line) => /^\s+[-+~] /.test(line));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.includes("ren.takahashi@example.com"))).toBe(true);
    for (const line of lines) expect(full.stdout).toContain(line);
    expect(full.stdout).toContain("sora");

    const applied = await run(
      "apply",
      "examples/directory-next.yaml",
      "--yes",
      "--subject",
      "person:ren.takahashi@example.com",
    );
    expect(applied.exitCode).toBe(0);
    const after = await loadStateFile(target);
    expect(after.users.map((user) => user.userName)).not.toContain("ren.takahashi@example.com");
    const rest = await run("plan", "examples/directory-next.yaml", "--detailed-exitcode");
    expect(rest.exitCode).toBe(ExitCode.changesPending);
    expect(rest.stdout).not.toContain("ren.takahashi");
  });

  it("says what a subject looks like when one is mistyped, and runs nothing", async () => {
    const before = await loadStateFile(target);
    const mistyped = await run(
      "apply",
      "examples/directory-next.yaml",
      "--yes",
      "--subject",
      "ren.takahashi",
    );
    expect(mistyped.exitCode).toBe(ExitCode.usage);
    expect(mistyped.stderr).toContain("use person:EMAIL, group:EMAIL");
    expect(await loadStateFile(target)).toEqual(before);
  });
});
