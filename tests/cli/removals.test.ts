/**
 * Issue #11, "Done when": removing a group or a permission set from examples/rules.yaml plans, and after
 * apply leaves, no membership, assignment, group or permission set behind; the maxDeletions guard stops
 * it first and says what would go; a lost run state removes only what carries idc-sync's tag.
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "./cli-harness.js";

/** The example rules with `edit` applied to their text; every replaced passage must be there. */
function edited(rules: string, replacements: [string, string][]): string {
  let text = rules;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`the example rules no longer contain:\n${from}`);
    text = text.replace(from, to);
  }
  return text;
}

const withoutKaigodxGroup: [string, string][] = [
  ["      groups: [developers, kaigodx-developers]", "      groups: [developers]"],
  [
    `  - name: kaigodx-developers
    description: The KaigoDX product team and its helpers
    members:
      - orgUnit: /Engineering/KaigoDX
      - googleGroup: kaigodx-dev@example.com
`,
    "",
  ],
  [
    `  - groups: [kaigodx-developers]
    permissionSets: [Developer]
    accounts: [kaigodx-dev]
  - groups: [developers, kaigodx-developers, support-readonly]`,
    "  - groups: [developers, support-readonly]",
  ],
];

const withoutReadOnly: [string, string][] = [
  [
    `  - name: ReadOnly
    description: Read-only everywhere it is granted
    sessionDuration: PT4H
    managedPolicies: [ReadOnlyAccess, arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]
`,
    "",
  ],
  [
    `  - groups: [developers, kaigodx-developers, support-readonly]
    permissionSets: [ReadOnly]
    accounts: [prod]
`,
    "",
  ],
];

describe("removing things from examples/rules.yaml", () => {
  let directory: string;
  let target: string;
  let rulesPath: string;
  const run = (command: string, ...extra: string[]) =>
    idcSync([
      command,
      "--rules",
      rulesPath,
      "--source",
      "file:examples/directory.yaml",
      "--target",
      `file:${target}`,
      ...extra,
    ]);

  beforeEach(async () => {
    target = await aTemporaryIdentityCenter();
    directory = dirname(target);
    rulesPath = join(directory, "rules.yaml");
    await cp(examples("policies"), join(directory, "policies"), { recursive: true });
    await cp(examples("rules.yaml"), rulesPath);
    const first = await run("apply", "--yes");
    expect(first.exitCode).toBe(0);
  });

  const rewriteRules = async (replacements: [string, string][]) =>
    writeFile(rulesPath, edited(await readFile(examples("rules.yaml"), "utf8"), replacements));

  it("plans the removal of a group with its memberships and assignments, stops at the guard, and after apply leaves nothing of it", async () => {
    await rewriteRules(withoutKaigodxGroup);
    const before = await loadStateFile(target);

    const plan = await run("plan");
    const blocked = await run("apply", "--yes");

    const reason = "# removed from the rules (was groups[2] kaigodx-developers)";
    expect(plan.stdout).toContain(`  - kaigodx-developers  ${reason}`);
    expect(plan.stdout).toContain(`  - kaigodx-developers ← hanako.suzuki@example.com  ${reason}`);
    expect(plan.stdout).toContain(
      `  - group kaigodx-developers × Developer × kaigodx-dev (333333333333)  ${reason}`,
    );
    expect(plan.stdout).toContain(
      `  - group kaigodx-developers × ReadOnly × kaigodx-prod (444444444444)  ${reason}`,
    );
    expect(plan.stdout).not.toContain("not named in the rules, left alone: kaigodx-developers");
    expect(blocked.exitCode).toBe(3);
    expect(blocked.stderr).toContain(
      "The plan would remove 16 objects (1 group kaigodx-developers; 1 user hiroshi.hasegawa@example.com; 11 memberships; 3 assignments)",
    );
    expect(await loadStateFile(target)).toEqual(before);

    const applied = await run("apply", "--yes", "--allow-deletions", "16");

    expect(applied.exitCode).toBe(0);
    const after = await loadStateFile(target);
    expect(after.groups.map((group) => group.displayName)).not.toContain("kaigodx-developers");
    expect(after.assignments.filter((a) => a.principalName === "kaigodx-developers")).toEqual([]);
    const again = await run("plan", "--detailed-exitcode");
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("No changes.");
  });

  it("removes a permission set after every assignment of it, and leaves none behind", async () => {
    await rewriteRules(withoutReadOnly);

    const plan = await run("plan");
    const applied = await run("apply", "--yes", "--allow-deletions", "20");

    expect(plan.stdout).toContain("  - ReadOnly  # removed from the rules (was permissionSets[2] ReadOnly)");
    expect(plan.stdout).toContain(
      "  - group support-readonly × ReadOnly × core-prod (222222222222)  # removed from the rules (was permissionSets[2] ReadOnly)",
    );
    expect(applied.exitCode).toBe(0);
    const after = await loadStateFile(target);
    expect(after.permissionSets.map((set) => set.name)).toEqual(["Admin", "Developer"]);
    expect(after.assignments.filter((a) => a.permissionSetName === "ReadOnly")).toEqual([]);
    expect((await run("plan", "--detailed-exitcode")).exitCode).toBe(0);
  });

  it("with the run state lost, still removes a permission set it tagged, and leaves a group it cannot tell is its own alone", async () => {
    await rm(target.replace(/\.json$/, ".state.json"));

    await rewriteRules(withoutKaigodxGroup);
    const groupDropped = await run("plan");
    await rewriteRules(withoutReadOnly);
    const permissionSetDropped = await run("plan");

    expect(groupDropped.stdout).toContain("not named in the rules, left alone: kaigodx-developers");
    expect(groupDropped.stdout).not.toContain("  - kaigodx-developers  #");
    expect(groupDropped.stdout).not.toContain("  - group kaigodx-developers ×");
    expect(groupDropped.stdout).not.toContain("  - kaigodx-developers ←");
    expect(permissionSetDropped.stdout).toContain(
      "  - ReadOnly  # removed from the rules (ReadOnly is tagged managed-by=idc-sync)",
    );
  });
});
