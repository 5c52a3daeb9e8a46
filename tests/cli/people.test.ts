/**
 * Issue #11: one person, one Identity Center user. Hanako Suzuki is renamed in Google to
 * hanako.tanaka@example.com and the old address is deleted (no alias left); her Google id stays 100019.
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "./cli-harness.js";

describe("a person renamed in Google without an alias", () => {
  let target: string;
  let renamedDirectory: string;
  const run = (command: string, source: string, ...extra: string[]) =>
    idcSync([
      command,
      "--rules",
      "examples/rules.yaml",
      "--source",
      `file:${source}`,
      "--target",
      `file:${target}`,
      ...extra,
    ]);

  beforeEach(async () => {
    target = await aTemporaryIdentityCenter();
    renamedDirectory = join(dirname(target), "directory-renamed.yaml");
    const original = await readFile(examples("directory.yaml"), "utf8");
    if (!original.includes('id: "100019"\n    primaryEmail: hanako.suzuki@example.com\n'))
      throw new Error("the example directory no longer has Hanako Suzuki as user 100019");
    await writeFile(
      renamedDirectory,
      original
        .replaceAll("hanako.suzuki@example.com", "hanako.tanaka@example.com")
        .replace("    familyName: Suzuki\n", "    familyName: Tanaka\n"),
    );
  });

  const hanako = async () => {
    const state = await loadStateFile(target);
    const user = state.users.find((entry) => entry.userName.startsWith("hanako."));
    return {
      user,
      groups: state.groups
        .filter((group) => group.members?.includes(user?.userName ?? ""))
        .map((group) => group.displayName),
    };
  };

  it("keeps her user, its id, groups and access, as a ~ userName update with the reason", async () => {
    expect((await run("apply", "examples/directory.yaml", "--yes")).exitCode).toBe(0);
    // A run that changes nothing records which user each Google id is.
    expect((await run("apply", "examples/directory.yaml", "--yes")).exitCode).toBe(0);
    const before = await hanako();

    const plan = await run("plan", renamedDirectory);
    const applied = await run("apply", renamedDirectory, "--yes");

    expect(plan.stdout).toContain(
      "  ~ hanako.suzuki@example.com → hanako.tanaka@example.com  # renamed in Google (same Google id 100019): hanako.suzuki@example.com is now hanako.tanaka@example.com",
    );
    expect(plan.stdout).not.toContain("  - hanako.suzuki@example.com");
    expect(plan.stdout).not.toContain("  + hanako.tanaka@example.com");
    expect(applied.exitCode).toBe(0);
    const after = await hanako();
    expect(after.user).toMatchObject({ id: before.user?.id, userName: "hanako.tanaka@example.com" });
    expect(after.groups).toEqual(before.groups);
    expect((await run("plan", renamedDirectory, "--detailed-exitcode")).exitCode).toBe(0);
  });

  it("is found even when she is renamed before any run saw her user's id", async () => {
    expect((await run("apply", "examples/directory.yaml", "--yes")).exitCode).toBe(0);

    const plan = await run("plan", renamedDirectory);

    expect(plan.stdout).toContain("renamed in Google (same Google id 100019)");
    expect(plan.stdout).not.toContain("  + hanako.tanaka@example.com");
  });
});
