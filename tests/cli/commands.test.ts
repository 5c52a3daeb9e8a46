import { readFileSync } from "node:fs";
import { cp, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { aTemporaryIdentityCenter, examples, idcSync, idcSyncProcess } from "./cli-harness.js";

const rules = ["--rules", "examples/rules.yaml"];
const today = ["--source", "file:examples/directory.yaml"];
const nextWeek = ["--source", "file:examples/directory-next.yaml"];

describe("idc-sync validate", () => {
  it("accepts the example rules with exit 0", async () => {
    const run = await idcSync(["validate", ...rules]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("examples/rules.yaml: valid");
  });

  it("prints each of three independent mistakes as FILE:LINE:COL and exits 64", async () => {
    const run = await idcSync(["validate", "--rules", "tests/fixtures/rules/three-mistakes.yaml"]);
    expect(run.exitCode).toBe(64);
    const lines = run.stderr
      .split("\n")
      .filter((line) => /^tests\/fixtures\/rules\/three-mistakes\.yaml:\d+:\d+: /.test(line));
    expect(lines).toEqual([
      expect.stringMatching(/:50:22: .*PT24H/),
      expect.stringMatching(/:60:14: .*11111111111/),
      expect.stringMatching(/:69:14: unknown group 'developer'.*did you mean 'developers'/),
    ]);
  });

  it("checks references against a directory when given --source", async () => {
    const directory = await aTemporaryIdentityCenter();
    const snapshot = directory.replace("identity-center.json", "directory.yaml");
    const text = await readFile(examples("directory.yaml"), "utf8");
    await writeFile(
      snapshot,
      text.replace("email: kaigodx-dev@example.com", "email: kaigodx-devs@example.com"),
    );
    const run = await idcSync(["validate", ...rules, "--source", `file:${snapshot}`]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toMatch(/examples\/rules\.yaml:\d+:\d+: .*kaigodx-dev@example\.com/);
  });

  it("reports a missing rules file as bad usage", async () => {
    const run = await idcSync(["validate", "--rules", "no-such-rules.yaml"]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain("no-such-rules.yaml");
  });
});

describe("idc-sync plan and apply against files", () => {
  it("plans the example company, applies it, and then plans nothing", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];

    const plan = await idcSync(["plan", ...rules, ...today, ...target, "--detailed-exitcode"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toMatch(/\+ .*aiko\.yamamoto@example\.com/);
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to remove\./);

    const apply = await idcSync(["apply", ...rules, ...today, ...target, "--yes"]);
    expect(apply.exitCode).toBe(0);

    const again = await idcSync(["plan", ...rules, ...today, ...target, "--detailed-exitcode"]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("No changes.");

    const state_ = JSON.parse(await readFile(state, "utf8"));
    expect(state_.users.map((user: { userName: string }) => user.userName)).toContain(
      "breakglass@example.com",
    );
  });

  it("explains the leaver, the joiner, the mover and the rename of the following week", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];
    await idcSync(["apply", ...rules, ...today, ...target, "--yes"]);

    const plan = await idcSync(["plan", ...rules, ...nextWeek, ...target, "--json"]);
    expect(plan.exitCode).toBe(0);
    const changes: { kind: string; key: string; reason: string }[] = JSON.parse(plan.stdout).changes;
    const find = (kind: string, key: string) =>
      changes.find((change) => change.kind === kind && change.key === key);

    expect(find("deleteUser", "user:ren.takahashi@example.com")?.reason).toBe("suspended in Google");
    expect(find("createUser", "user:sora.kato@example.com")).toBeDefined();
    expect(find("addMember", "member:developers:erika.ishii@example.com")).toBeDefined();
    expect(find("removeMember", "member:support-readonly:erika.ishii@example.com")).toBeDefined();
    expect(changes.filter((change) => change.key.includes("hanako"))).toEqual([
      expect.objectContaining({ kind: "updateUser" }),
    ]);
  });

  it("stops at the maxDeletions guard with exit 3 and changes nothing, until deletions are allowed", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];
    await idcSync(["apply", ...rules, ...today, ...target, "--yes"]);
    const before = await readFile(state, "utf8");

    const strictRules = (await readFile(examples("rules.yaml"), "utf8")).replace(
      "maxDeletions: 10%",
      "maxDeletions: 1",
    );
    const strictPath = state.replace("identity-center.json", "rules.yaml");
    await writeFile(strictPath, strictRules);
    await cp(examples("policies"), strictPath.replace("rules.yaml", "policies"), { recursive: true });

    const blocked = await idcSync(["apply", "--rules", strictPath, ...nextWeek, ...target, "--yes"]);
    expect(blocked.exitCode).toBe(3);
    expect(blocked.stderr).toMatch(/--allow-deletions \d+/);
    expect(await readFile(state, "utf8")).toBe(before);

    const allowed = await idcSync([
      "apply",
      "--rules",
      strictPath,
      ...nextWeek,
      ...target,
      "--yes",
      "--allow-deletions",
      "50",
    ]);
    expect(allowed.exitCode).toBe(0);
  });

  it("with --yes prints the plan before the apply starts, then what happened, without repeating the plan", async () => {
    const state = await aTemporaryIdentityCenter();
    const before = await readFile(state, "utf8");
    const targetWhenThePlanWasPrinted: string[] = [];

    const run = await idcSync(["apply", ...rules, ...today, "--target", `file:${state}`, "--yes"], {
      onStdout: (text) => {
        if (text.includes("Plan: 92 to add")) targetWhenThePlanWasPrinted.push(readFileSync(state, "utf8"));
      },
    });

    expect(run.exitCode).toBe(0);
    expect(targetWhenThePlanWasPrinted).toEqual([before]);
    expect(run.stdout.indexOf("Apply: 92 applied")).toBeGreaterThan(run.stdout.indexOf("Plan: 92 to add"));
    expect(run.stdout.split("+ developers ← aiko.yamamoto@example.com")).toHaveLength(2);
    expect(run.stdout).not.toContain("Applied (92)");
  });

  it("after a yes at the prompt reports the apply without repeating the plan it asked about", async () => {
    const state = await aTemporaryIdentityCenter();
    const run = await idcSync(["apply", ...rules, ...today, "--target", `file:${state}`], {
      interactive: true,
      answer: "yes",
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split("+ developers ← aiko.yamamoto@example.com")).toHaveLength(2);
    expect(run.stdout).toContain("Apply: 92 applied, 0 failed, 0 skipped, 0 not started.");
  });

  it("prints the plan as markdown for a pull-request comment, and refuses two formats at once", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];
    await idcSync(["apply", ...rules, ...today, ...target, "--yes"]);

    const plan = await idcSync(["plan", ...rules, ...nextWeek, ...target, "--format", "markdown"]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout.startsWith("<!-- idc-sync:plan -->")).toBe(true);
    expect(plan.stdout).toContain("**Plan: 4 to add, 2 to change, 3 to remove.**");
    expect(plan.stdout).toContain(
      "✅ **Safety guards:** an apply would go ahead (3 removals, within `safety.maxDeletions`).",
    );
    expect(plan.stdout).toContain("- ren.takahashi@example.com  # suspended in Google  [leaver]");

    const both = await idcSync(["plan", ...rules, ...nextWeek, ...target, "--json", "--format", "markdown"]);
    expect(both.exitCode).toBe(64);
    expect(both.stderr).toContain("--json and --format markdown");
  });

  it("asks before applying on a terminal and changes nothing without a yes", async () => {
    const state = await aTemporaryIdentityCenter();
    const before = await readFile(state, "utf8");
    const run = await idcSync(["apply", ...rules, ...today, "--target", `file:${state}`], {
      interactive: true,
      answer: "no",
    });
    expect(run.questions).toHaveLength(1);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("nothing was changed");
    expect(await readFile(state, "utf8")).toBe(before);
  });

  it("refuses to apply without --yes when nobody is at a terminal", async () => {
    const state = await aTemporaryIdentityCenter();
    const run = await idcSync(["apply", ...rules, ...today, "--target", `file:${state}`]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain("--yes");
  });

  it("reports a corrupt state file and leaves it as it was", async () => {
    const state = await aTemporaryIdentityCenter();
    await writeFile(state, "{ not json");
    const run = await idcSync(["apply", ...rules, ...today, "--target", `file:${state}`, "--yes"]);
    // A file given as a state file that is not one: the user's to fix (64), not a failed change.
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain(state);
    expect(await readFile(state, "utf8")).toBe("{ not json");
  });

  it("rejects an unknown --source kind as bad usage", async () => {
    const run = await idcSync(["plan", ...rules, "--source", "ldap", "--target", "file:/tmp/x.json"]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain("--source");
  });
});

describe("the idc-sync command", () => {
  it("runs from bin/ as a real process", async () => {
    const run = await idcSyncProcess(["validate", ...rules]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("valid");
  });

  it("documents its exit codes in --help", async () => {
    const run = await idcSyncProcess(["--help"]);
    expect(run.stdout).toMatch(/64 +bad usage/);
  });
});
