/**
 * `idc-sync report access` and `idc-sync explain` as an operator runs them, on the example company
 * applied from examples/directory.yaml and read a week later (examples/directory-next.yaml).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { accessCsvColumns } from "../../src/access/render-report.js";
import { loadRules } from "../../src/adapters/file/rules-file.js";
import { aTemporaryIdentityCenter, examples, idcSync, idcSyncProcess } from "./cli-harness.js";

const rules = ["--rules", "examples/rules.yaml"];
const nextWeek = ["--source", "file:examples/directory-next.yaml"];
let target: string[];
/** `examples/rules.yaml:LINE` of a rule path, as the commands print it. */
let at: (rule: string) => string;

beforeAll(async () => {
  const loaded = await loadRules(examples("rules.yaml"));
  if (!loaded.ok) throw new Error("examples/rules.yaml does not load");
  at = (rule) => `${rule} (examples/rules.yaml:${loaded.rules.source.values[rule]?.line})`;
  const state = await aTemporaryIdentityCenter();
  target = ["--target", `file:${state}`];
  const applied = await idcSync([
    "apply",
    ...rules,
    "--source",
    "file:examples/directory.yaml",
    ...target,
    "--yes",
  ]);
  expect(applied.exitCode).toBe(0);
});

describe("idc-sync report access", () => {
  it("writes markdown to stdout by default: the summary, access no rule explains, accounts, people", async () => {
    const run = await idcSync(["report", "access", ...rules, ...nextWeek, ...target]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^# Access report\n/);
    expect(run.stdout).toContain("## Access no rule explains");
    expect(run.stdout).toContain("| support-readonly | erika.ishii@example.com | not explained |");
    expect(run.stdout).toContain("| developers | ren.takahashi@example.com | not explained |");
    expect(run.stdout).toContain(
      "| group AWSControlTowerAdmins (protected) | AWSAdministratorAccess | management (999999999999) | unmanaged |",
    );
    expect(run.stdout).toContain("### core-dev (111111111111)");
    expect(run.stdout).toMatch(
      /\| Ren Takahashi <ren\.takahashi@example\.com> \| suspended \| core-dev \(111111111111\): Developer via developers \(not explained\)/,
    );
  });

  it("picks the format from the --out extension and writes CSV a path a row", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "idc-sync-access-")), "access.csv");
    const run = await idcSync(["report", "access", ...rules, ...nextWeek, ...target, "--out", out]);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/^Wrote the access report \(csv\) of \d+ people/);
    const rows = parse(await readFile(out, "utf8"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...accessCsvColumns]);
    expect(rows).toContainEqual(
      expect.objectContaining({
        person: "sora.kato@example.com",
        account_id: "333333333333",
        account_name: "kaigodx-dev",
        permission_set: "Developer",
        via: "group",
        group: "kaigodx-developers",
        status: "pending",
        member_sources: "groups[2].members[0] orgUnit /Engineering/KaigoDX and sub-units",
        assignment_rules: "assignments[2] via accounts kaigodx-dev",
      }),
    );
  });

  it("writes one JSON document whose paths name every account, permission set and group", async () => {
    const run = await idcSync(["report", "access", ...rules, ...nextWeek, ...target, "--format", "json"]);

    const report = JSON.parse(run.stdout);
    expect(report.summary.paths).toEqual({ granted: 130, pending: 9, unexplained: 5, unmanaged: 1 });
    expect(report.paths).toContainEqual({
      person: "breakglass@example.com",
      accountId: "999999999999",
      accountName: "management",
      permissionSet: "AWSAdministratorAccess",
      via: "group",
      group: "AWSControlTowerAdmins",
      status: "unmanaged",
      membershipStatus: "unmanaged",
      assignmentStatus: "unmanaged",
      memberSources: [],
      assignmentRules: [],
    });
  });

  it("runs as the real command and writes a self-contained HTML page", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "idc-sync-access-")), "access.html");
    const run = await idcSyncProcess(["report", "access", ...rules, ...nextWeek, ...target, "--out", out]);

    expect(run.exitCode).toBe(0);
    const html = await readFile(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("Content-Security-Policy");
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
  });

  it("lists every rule problem and exits 64 when the rules are wrong", async () => {
    const run = await idcSync([
      "report",
      "access",
      "--rules",
      "tests/fixtures/rules/three-mistakes.yaml",
      ...nextWeek,
      ...target,
    ]);

    expect(run.exitCode).toBe(64);
    expect(run.stderr).toMatch(/3 problems in the rules/);
  });

  it("says which file it could not write, and exits 1", async () => {
    const run = await idcSync([
      "report",
      "access",
      ...rules,
      ...nextWeek,
      ...target,
      "--out",
      "/nonexistent/dir/a.md",
    ]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^idc-sync: cannot write \/nonexistent\/dir\/a\.md: ENOENT/);
  });
});

describe("idc-sync explain", () => {
  it("explains a leaver's access left behind, rule by rule", async () => {
    const run = await idcSync(["explain", "ren.takahashi@example.com", ...rules, ...nextWeek, ...target]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Standing:        suspended in Google: the rules give them nothing");
    expect(run.stdout).toContain("Access: 3 paths (3 not explained)");
    expect(run.stdout).toContain(
      "  [not explained] core-dev (111111111111) · Developer · via group developers",
    );
    expect(run.stdout).toContain(
      `      · ${at("groups[1].members[0]")} orgUnit /Engineering and sub-units — org unit /Engineering: not applied to them`,
    );
  });

  it("names the exclude that keeps an intern out, and limits itself to one account by name", async () => {
    const run = await idcSync([
      "explain",
      "akari.ikeda@example.com",
      "--account",
      "core-dev",
      ...rules,
      ...nextWeek,
      ...target,
    ]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("  Account:         core-dev (111111111111) only");
    expect(run.stdout).toContain(
      "No access to this account: Identity Center has none, and the rules grant none.",
    );
    expect(run.stdout).toContain(
      `      ✗ ${at("groups[1].exclude[0]")} orgUnit /Engineering/Interns and sub-units — org unit /Engineering/Interns: excludes them`,
    );
    expect(run.stdout).toContain(
      `  ${at("assignments[1]")}: Developer in core-dev → core-dev (111111111111)`,
    );
  });

  it("finds a renamed person by the old address and prints JSON", async () => {
    const run = await idcSync([
      "explain",
      "hanako.suzuki@example.com",
      ...rules,
      ...nextWeek,
      ...target,
      "--json",
    ]);

    expect(run.exitCode).toBe(0);
    const explanation = JSON.parse(run.stdout);
    expect(explanation.person).toMatchObject({
      key: "hanako.tanaka@example.com",
      aliases: ["hanako.suzuki@example.com"],
      identityCenterUserName: "hanako.suzuki@example.com",
    });
    expect(explanation.rulesFile).toBe("examples/rules.yaml");
    expect(explanation.access.every((path: { status: string }) => path.status === "granted")).toBe(true);
  });

  it("exits 64 for a person nobody has, with the closest address it knows", async () => {
    const run = await idcSync(["explain", "ren.takahasi@example.com", ...rules, ...nextWeek, ...target]);

    expect(run.exitCode).toBe(64);
    expect(run.stderr).toBe(
      "idc-sync: nobody in Google, the static users or Identity Center is 'ren.takahasi@example.com'; did you mean 'ren.takahashi@example.com'?\n",
    );
  });

  it("exits 64 for an account the organization does not have", async () => {
    const run = await idcSync([
      "explain",
      "aiko.yamamoto@example.com",
      "--account",
      "nope",
      ...rules,
      ...nextWeek,
      ...target,
    ]);

    expect(run.exitCode).toBe(64);
    expect(run.stderr).toMatch(/^idc-sync: no AWS account has the id or name 'nope'/);
  });
});
