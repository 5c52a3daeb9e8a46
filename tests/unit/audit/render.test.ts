import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { summarizeKeyActivity } from "../../../src/audit/activity.js";
import { buildAuditReport } from "../../../src/audit/classify.js";
import { csvColumns, renderAuditReport } from "../../../src/audit/render.js";
import { aKey, anIamUser, aPerson, cliActivity, daysAgo, options } from "./builders.js";

const report = buildAuditReport(
  [
    {
      account: { id: "111111111111", name: "ops | shared" },
      status: "read",
      users: [
        anIamUser("ci-deployer", {
          accessKeys: [aKey("AKIACI", { lastUsed: { at: daysAgo(1), service: "s3", region: "eu-west-1" } })],
          tags: { purpose: 'deploys "site", nightly' },
        }),
        anIamUser("old", { accessKeys: [aKey("AKIAOLD", { createdAt: daysAgo(400) })] }),
        anIamUser("bob.tanaka", { passwordEnabled: true, passwordLastUsed: daysAgo(3) }),
      ],
      activity: { AKIACI: cliActivity("AKIACI", 10), AKIAOLD: summarizeKeyActivity("AKIAOLD", [], []) },
    },
    { account: { id: "444444444444", name: "legacy" }, status: "unreachable", reason: "AccessDenied" },
  ],
  options({
    cloudTrailDays: 30,
    directory: { people: [aPerson("bob.tanaka@example.com", { suspended: true })], domains: ["example.com"] },
  }),
);

describe("rendering the audit report", () => {
  it("writes JSON that parses back to the same report", () => {
    expect(JSON.parse(renderAuditReport(report, "json"))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("writes CSV a CSV parser reads back row for row, commas and quotes included", () => {
    const rows = parse(renderAuditReport(report, "csv"), { columns: true }) as Record<string, string>[];

    expect(Object.keys(rows[0] ?? {})).toEqual([...csvColumns]);
    expect(rows.map((row) => [row.user_name, row.classification, row.recommendation])).toEqual([
      ["bob.tanaka", "person", "leaver: disable now"],
      ["ci-deployer", "system", "keep: used by a system"],
      ["old", "unused", "safe to retire"],
    ]);
    expect(rows[1]).toMatchObject({
      account_name: "ops | shared",
      system_agents: "AWS CLI",
      system_source_ips: "203.0.113.10",
      cloudtrail_events: "10",
      evidence: report.users[1]?.evidence.join("; "),
    });
    expect(rows[0]).toMatchObject({ person: "bob.tanaka@example.com", person_status: "suspended" });
  });

  it("writes a Markdown table whose cells read back, pipes escaped", () => {
    const markdown = renderAuditReport(report, "markdown");
    const userTable = markdown.slice(markdown.indexOf("## Users"));
    const rows = userTable
      .split("\n")
      .filter((line) => line.startsWith("| "))
      .slice(1)
      .map((line) =>
        line
          .slice(2, -2)
          .split(/(?<!\\) \| /)
          .map((cell) => cell.replace(/\\\|/g, "|")),
      );

    expect(rows).toHaveLength(3);
    expect(rows.map((cells) => cells.length)).toEqual([7, 7, 7]);
    expect(rows[1]?.[0]).toBe("111111111111 (ops | shared)");
    expect(rows[1]?.[2]).toBe("system");
    expect(rows[0]?.[5]).toBe("bob.tanaka@example.com (suspended)");
    expect(markdown).toContain("| 444444444444 | legacy | unreachable: AccessDenied | 0 |");
    expect(markdown).toContain("3 IAM users in 1 accounts, 1 leavers, 1 unused (1 safe to retire)");
  });

  it("prints a table for the terminal with the unreachable accounts under it", () => {
    const table = renderAuditReport(report, "table");

    expect(table.split("\n")[0]).toMatch(
      /^ACCOUNT\s+USER\s+CLASS\s+RECOMMENDATION\s+LAST USE\s+FINDINGS\s+PERSON$/,
    );
    expect(table).toContain("! 444444444444 (legacy) not audited: AccessDenied");
    expect(table).toMatch(/ci-deployer\s+system\s+keep: used by a system\s+2025-06-29/);
  });
});
