import { describe, expect, it } from "vitest";
import { slackMessageFor } from "../../../src/notify/slack-message.js";
import type { DriftItem, Notice, NoticeRun } from "../../../src/sync/notices.js";

const run: NoticeRun = {
  runId: "run-7",
  trigger: "schedule",
  mode: "report",
  at: "2026-05-04T09:00:00.000Z",
};
const item = (n: number): DriftItem => ({
  key: `member:developers:user${n}@example.com`,
  kind: "removeMember",
  summary: `- membership developers ← user${n}@example.com`,
  reason: "no longer matched by the rules for developers",
  firstSeenAt: run.at,
  status: "open",
});
const text = (message: ReturnType<typeof slackMessageFor>) => JSON.stringify(message.blocks);

describe("Slack messages", () => {
  it("list at most ten changes, then say how many more there are", () => {
    const message = slackMessageFor({
      kind: "drift",
      run,
      items: Array.from({ length: 13 }, (_, n) => item(n)),
    });
    expect(text(message)).toContain("user9@example.com");
    expect(text(message)).not.toContain("user10@example.com");
    expect(text(message)).toContain("… and 3 more");
    expect(message.text).toContain("run-7");
  });

  it("explain once why users another provisioner created are left alone, and how to opt in", () => {
    const message = slackMessageFor({
      kind: "externallyProvisioned",
      run,
      users: ["dave@example.com", "erin@example.com"],
      total: 2,
    });

    expect(message.text).toContain("2 users created by another provisioner");
    expect(text(message)).toContain("they carry ExternalIds, which only a SCIM provisioner sets");
    expect(text(message)).toContain("users.externallyProvisioned: manage");
    expect(text(message)).toContain("dave@example.com");
  });

  it("show a failure's details Slack-escaped, not URL-encoded", () => {
    const message = slackMessageFor({
      kind: "failure",
      run,
      problem: "error",
      message: "Google directory read failed",
      details: ["members.list a <b> page 2: 503 Backend Error"],
      failedRuns: 1,
    });
    expect(text(message)).toContain("members.list a &lt;b&gt; page 2: 503 Backend Error");
  });

  it("escape Slack's control characters in names and reasons", () => {
    const message = slackMessageFor({ kind: "drift", run, items: [{ ...item(1), reason: "a <b> & c" }] });
    expect(text(message)).toContain("a &lt;b&gt; &amp; c");
  });

  it("tell how to let a deletion-guard stop through, and that an empty directory cannot be", () => {
    const plan = { add: 0, change: 0, remove: 12, byKind: {} as never };
    const guard = slackMessageFor({
      kind: "blocked",
      run,
      plan,
      failedRuns: 1,
      violations: [
        { guard: "maxDeletions", removals: 12, limit: 5, message: "The plan would remove 12 objects." },
      ],
    });
    expect(text(guard)).toContain("idc-sync apply --allow-deletions 12");
    const empty = slackMessageFor({
      kind: "blocked",
      run,
      plan,
      failedRuns: 1,
      violations: [{ guard: "emptyDirectory", removals: 12, message: "The directory returned no users." }],
    });
    expect(text(empty)).not.toContain("--allow-deletions");
    expect(text(empty)).toContain("never trusted");
  });
});

describe("the Slack summary of an IAM user inventory", () => {
  const summary = (overrides: Partial<Extract<Notice, { kind: "auditSummary" }>> = {}) =>
    slackMessageFor({
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
        safeToRetire: 11,
        people: 1,
        systems: 1,
        unknown: 0,
      },
      topFindings: [
        {
          accountId: "111111111111",
          accountName: "ops <prod> & co",
          userName: "bob.tanaka",
          leaver: true,
          safeToRetire: false,
          detail: "bob.tanaka@example.com is suspended in Google",
        },
        {
          accountId: "222222222222",
          accountName: "222222222222",
          userName: "old-backup",
          leaver: false,
          safeToRetire: true,
          detail: "never used",
        },
      ],
      moreFindings: 3,
      unreachable: [{ id: "444444444444", name: "legacy", reason: "cannot assume <role> & give up" }],
      ...overrides,
    });
  const sections = (message: ReturnType<typeof slackMessageFor>) =>
    message.blocks.flatMap((block) => (block.type === "section" ? [block.text.text] : []));

  it("has a header, the counts, the users to act on and the accounts not audited", () => {
    const message = summary();

    expect(message.blocks.map((block) => block.type)).toEqual([
      "header",
      "section",
      "section",
      "section",
      "context",
    ]);
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "IAM user inventory: 14 users in 1 account" },
    });
    const [counts, findings, unreachable] = sections(message);
    expect(counts).toBe("*2 leavers* · 12 unused (11 safe to retire) · 1 person · 1 system · 0 unknown");
    expect(findings?.split("\n")).toEqual([
      "*Act on these first* (leavers, then users safe to retire):",
      "• `bob.tanaka` in ops &lt;prod&gt; &amp; co (111111111111) _leaver_: bob.tanaka@example.com is suspended in Google",
      "• `old-backup` in 222222222222 _safe to retire_: never used",
      "… and 3 more",
    ]);
    expect(unreachable).toBe(
      "*Not audited* (1 account):\n• legacy (444444444444): cannot assume &lt;role&gt; &amp; give up",
    );
    expect(text(message)).toContain(
      "Generated 2025-06-30T12:00:00.000Z · stale after 90 days · CloudTrail searched over 30 days",
    );
    expect(message.text).toBe(
      ":mag: IAM user inventory: 14 users in 1 account: 2 leavers, 11 safe to retire, 1 account not audited",
    );
  });

  it("says when there is nothing to act on, and that nothing is safe to retire without CloudTrail", () => {
    const message = summary({
      cloudTrailDays: undefined,
      topFindings: [],
      moreFindings: 0,
      unreachable: [],
      counts: {
        users: 3,
        accountsRead: 2,
        accountsUnreachable: 0,
        leavers: 0,
        unused: 1,
        safeToRetire: 0,
        people: 1,
        systems: 1,
        unknown: 0,
      },
    });

    expect(sections(message)).toEqual([
      "*0 leavers* · 1 unused (0 safe to retire) · 1 person · 1 system · 0 unknown",
      "No leavers and no user safe to retire.",
    ]);
    expect(text(message)).toContain(
      "CloudTrail not searched: no user is safe to retire without `--cloudtrail`",
    );
    expect(message.text).not.toContain("not audited");
  });
});
