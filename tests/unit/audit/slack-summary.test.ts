import { describe, expect, it } from "vitest";
import { buildAuditReport } from "../../../src/audit/classify.js";
import type { AccountInventory } from "../../../src/audit/model.js";
import { auditSlackSummary } from "../../../src/audit/slack-summary.js";
import { aKey, anIamUser, aPerson, cliActivity, daysAgo, options } from "./builders.js";

const people = [
  aPerson("bob.tanaka@example.com", { suspended: true }),
  aPerson("carol.jones@example.com", { suspended: true }),
];
const directory = { people, domains: ["example.com"] };

/** Eleven users nobody used ("old-01" signed in 200 days ago), two leavers, one CI user, one unreachable account. */
function inventories(withCloudTrail: boolean): AccountInventory[] {
  const oldUsers = Array.from({ length: 11 }, (_, index) => {
    const name = `old-${String(index + 1).padStart(2, "0")}`;
    return index === 0
      ? anIamUser(name, { passwordEnabled: true, passwordLastUsed: daysAgo(200) })
      : anIamUser(name);
  });
  return [
    {
      account: { id: "111111111111", name: "ops" },
      status: "read",
      users: [
        anIamUser("bob.tanaka", { passwordEnabled: true, passwordLastUsed: daysAgo(3) }),
        anIamUser("carol.jones"),
        anIamUser("ci-deployer", {
          accessKeys: [aKey("AKIACI", { lastUsed: { at: daysAgo(1), service: "s3", region: "eu-west-1" } })],
        }),
        ...oldUsers,
      ],
      ...(withCloudTrail ? { activity: { AKIACI: cliActivity("AKIACI", 10) } } : {}),
    },
    { account: { id: "444444444444", name: "legacy" }, status: "unreachable", reason: "AccessDenied" },
  ];
}

describe("the Slack summary of the audit", () => {
  it("carries the counts, the leavers first, then the users safe to retire, ten at most", () => {
    const report = buildAuditReport(inventories(true), options({ cloudTrailDays: 30, directory }));

    const summary = auditSlackSummary(report);

    expect(summary).toMatchObject({
      kind: "auditSummary",
      generatedAt: "2025-06-30T12:00:00.000Z",
      staleDays: 90,
      cloudTrailDays: 30,
      counts: {
        users: 14,
        accountsRead: 1,
        accountsUnreachable: 1,
        leavers: 2,
        unused: 12,
        safeToRetire: 12,
        people: 1,
        systems: 1,
        unknown: 0,
      },
      unreachable: [{ id: "444444444444", name: "legacy", reason: "AccessDenied" }],
    });
    expect(summary.topFindings.map((line) => line.userName)).toEqual([
      "bob.tanaka",
      "carol.jones",
      "old-01",
      "old-02",
      "old-03",
      "old-04",
      "old-05",
      "old-06",
      "old-07",
      "old-08",
    ]);
    expect(summary.moreFindings).toBe(3);
  });

  it("lists a leaver who is also safe to retire once, as both, and says why for every line", () => {
    const report = buildAuditReport(inventories(true), options({ cloudTrailDays: 30, directory }));

    const [bob, carol, old01, old02] = auditSlackSummary(report).topFindings;

    expect(bob).toEqual({
      accountId: "111111111111",
      accountName: "ops",
      userName: "bob.tanaka",
      leaver: true,
      safeToRetire: false,
      detail: "bob.tanaka@example.com is suspended in Google",
    });
    expect(carol).toMatchObject({ leaver: true, safeToRetire: true });
    expect(old01).toMatchObject({
      leaver: false,
      safeToRetire: true,
      detail: `last used ${daysAgo(200).toISOString().slice(0, 10)}`,
    });
    expect(old02?.detail).toBe("never used");
  });

  it("names only the leavers when CloudTrail was not searched, as nothing is safe to retire then", () => {
    const report = buildAuditReport(inventories(false), options({ directory }));

    const summary = auditSlackSummary(report);

    expect(summary.cloudTrailDays).toBeUndefined();
    expect(summary.counts.safeToRetire).toBe(0);
    expect(summary.topFindings.map((line) => line.userName)).toEqual(["bob.tanaka", "carol.jones"]);
    expect(summary.moreFindings).toBe(0);
  });

  it("has nothing to list for an organisation with no leavers and nothing to retire", () => {
    const report = buildAuditReport(
      [{ account: { id: "111111111111", name: "ops" }, status: "read", users: [] }],
      options(),
    );

    const summary = auditSlackSummary(report);

    expect(summary.counts).toMatchObject({ users: 0, accountsRead: 1, accountsUnreachable: 0 });
    expect(summary.topFindings).toEqual([]);
    expect(summary.unreachable).toEqual([]);
  });
});
