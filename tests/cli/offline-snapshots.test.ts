/**
 * Snapshots for offline work: `snapshot directory` writes the organization and, with `--all-groups`,
 * every group; a plan against a snapshot blames the snapshot, never the rules, for what it lacks; and
 * validate and plan report warnings (exit 0, or 64 under --strict, and in --json).
 */
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { aTemporaryIdentityCenter, examples, idcSync } from "./cli-harness.js";

const rules = ["--rules", "examples/rules.yaml"];

/** A folder with a copy of the example rules and its policy, for rules a test edits. */
async function aRulesFolder(edit: (text: string) => string = (text) => text): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "idc-sync-rules-"));
  await mkdir(join(folder, "policies"));
  await copyFile(examples("policies/developer.json"), join(folder, "policies/developer.json"));
  await writeFile(join(folder, "rules.yaml"), edit(await readFile(examples("rules.yaml"), "utf8")));
  return join(folder, "rules.yaml");
}

const withPlatformGroup = (text: string) =>
  text
    .replace(
      "permissionSets:\n",
      "  - name: platform\n    members:\n      - googleGroup: platform-team@example.com\n\npermissionSets:\n",
    )
    .replace(
      "\nsafety:",
      "  - groups: [platform]\n    permissionSets: [ReadOnly]\n    accounts: [prod]\n\nsafety:",
    );

describe("snapshot directory", () => {
  it("writes the organization, so a plan against the snapshot is the plan against the source (the issue's loop)", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-snap-"));
    const snapshot = join(folder, "snap.yaml");

    const taken = await idcSync([
      "snapshot",
      "directory",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--out",
      snapshot,
    ]);
    expect(taken.exitCode, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/and the organization \(8 accounts, 5 OUs\)/);

    const target = ["--target", `file:${await aTemporaryIdentityCenter()}`];
    const fromSnapshot = await idcSync([
      "plan",
      "--json",
      ...rules,
      "--source",
      `file:${snapshot}`,
      ...target,
    ]);
    const fromSource = await idcSync([
      "plan",
      "--json",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      ...target,
    ]);
    expect(fromSnapshot.exitCode, fromSnapshot.stderr).toBe(0);
    expect(JSON.parse(fromSnapshot.stdout).changes).toEqual(JSON.parse(fromSource.stdout).changes);
  });

  it("takes every group with --all-groups, so a new googleGroup rule plans offline", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-snap-"));
    const snapshot = join(folder, "snap.yaml");
    await idcSync([
      "snapshot",
      "directory",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--all-groups",
      "--out",
      snapshot,
    ]);
    const written = parseYaml(await readFile(snapshot, "utf8"));
    expect(written.contents).toEqual({ groups: "all" });
    expect(written.groups).toHaveLength(4);

    const edited = await aRulesFolder(withPlatformGroup);
    const plan = await idcSync([
      "plan",
      "--rules",
      edited,
      "--source",
      `file:${snapshot}`,
      "--target",
      `file:${await aTemporaryIdentityCenter()}`,
    ]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/\+ group platform × ReadOnly × kaigodx-prod \(444444444444\)/);
  });
});

describe("planning against a snapshot that lacks what the rules need", () => {
  it("says the snapshot lacks a group it did not take, not that the rules are wrong", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-snap-"));
    const snapshot = join(folder, "snap.yaml");
    await idcSync([
      "snapshot",
      "directory",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--out",
      snapshot,
    ]);
    const edited = await aRulesFolder(withPlatformGroup);

    const plan = await idcSync([
      "plan",
      "--rules",
      edited,
      "--source",
      `file:${snapshot}`,
      "--target",
      `file:${await aTemporaryIdentityCenter()}`,
    ]);

    expect(plan.exitCode).toBe(64);
    expect(plan.stderr).toMatch(
      /rules\.yaml:\d+:\d+: Google group 'platform-team@example\.com' is not in the snapshot .*snap\.yaml, which holds only the groups its rules named when it was taken: take it again with --all-groups/,
    );
    expect(plan.stderr).toMatch(
      /The directory snapshot lacks 1 thing the rules need \(not a mistake in the rules\)/,
    );
    expect(plan.stderr).not.toMatch(/problems? in the rules/);
    expect(plan.stderr).not.toMatch(/does not exist/);
  });

  it("says the snapshot has no organization rather than that the accounts are not in it", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-snap-"));
    const snapshot = join(folder, "no-organization.yaml");
    const { organization: _left, ...directory } = parseYaml(
      await readFile(examples("directory.yaml"), "utf8"),
    );
    await writeFile(snapshot, stringifyYaml(directory));

    const plan = await idcSync([
      "plan",
      ...rules,
      "--source",
      `file:${snapshot}`,
      "--target",
      `file:${await aTemporaryIdentityCenter()}`,
    ]);

    expect(plan.exitCode).toBe(64);
    expect(plan.stderr).toMatch(
      /examples\/rules\.yaml:\d+:14: AWS account '111111111111' cannot be checked: the snapshot .*no-organization\.yaml has no organization section/,
    );
    expect(plan.stderr).not.toMatch(/is not in the organization/);
    expect(plan.stderr).not.toMatch(/problems? in the rules/);
  });
});

describe("warnings", () => {
  const withEmptySelectors = (text: string) =>
    text
      .replace(
        "  everything: all",
        "  everything: all\n  nothing: { tag: { product: none } }\n  empty-ou: { ou: ou-ab12-55555555, recursive: false }",
      )
      .replace(
        "  - groups: [aws-admins]\n    permissionSets: [Admin]\n    accounts: [everything]",
        "  - groups: [aws-admins]\n    permissionSets: [Admin]\n    accounts: [everything, nothing, empty-ou]",
      );

  it("are printed with their position and keep exit 0, and are errors under --strict", async () => {
    const edited = await aRulesFolder(withEmptySelectors);
    const args = ["validate", "--rules", edited, "--source", "file:examples/directory.yaml"];

    const run = await idcSync(args);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^warning: .*rules\.yaml:\d+:\d+: tag selector \{ product: none \} matches no active account$/m,
    );

    const strict = await idcSync([...args, "--strict"]);
    expect(strict.exitCode).toBe(64);
    expect(strict.stderr).toMatch(
      /rules\.yaml:\d+:\d+: tag selector \{ product: none \} matches no active account \(--strict\)/,
    );
  });

  it("are in the --json document", async () => {
    const edited = await aRulesFolder(withEmptySelectors);
    const run = await idcSync([
      "validate",
      "--json",
      "--rules",
      edited,
      "--source",
      "file:examples/directory.yaml",
    ]);
    const document = JSON.parse(run.stdout);
    expect(document.valid).toBe(true);
    expect(document.warnings).toContainEqual(
      expect.objectContaining({ message: "tag selector { product: none } matches no active account" }),
    );

    const plan = await idcSync([
      "plan",
      "--json",
      "--rules",
      edited,
      "--source",
      "file:examples/directory.yaml",
      "--target",
      `file:${await aTemporaryIdentityCenter()}`,
    ]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).warnings).toContainEqual(
      expect.stringMatching(/tag selector \{ product: none \} matches no active account$/),
    );
  });

  it("name an OU that exists but holds no active account, and a group that matches nobody", async () => {
    const edited = await aRulesFolder((text) =>
      withEmptySelectors(text).replace(
        "permissionSets:\n",
        "  - name: nobody\n    members:\n      - googleGroup: everyone@example.com\n\npermissionSets:\n",
      ),
    );
    const run = await idcSync(["validate", "--rules", edited, "--source", "file:examples/directory.yaml"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\{ ou: ou-ab12-55555555 \} matches no active account directly in it/);
    expect(run.stderr).toMatch(/group 'nobody' matches nobody/);
  });
});
