import { describe, expect, it } from "vitest";
import { formatRuleIssue } from "../../../src/mapping/index.js";
import { approvalAfter, approvalRequestFor, approvedDigest } from "../../../src/notify/approval-state.js";
import type { GuardViolation } from "../../../src/sync/guards.js";
import type { Plan } from "../../../src/sync/model.js";
import { removalsDigest } from "../../../src/sync/plan-digest.js";
import { aRulesText, loadRulesText } from "../../builders/rules.js";

function issuesOf(text: string): string[] {
  const result = loadRulesText(text);
  if (result.ok) throw new Error("expected the rules not to load");
  return result.issues.map(formatRuleIssue);
}

describe("notifications.slack in the rules (app mode)", () => {
  it("reads the channel, the approvers and the welcome settings", () => {
    const result = loadRulesText(
      aRulesText({
        notifications: {
          slack: {
            channel: "#idc-sync-alerts",
            approvers: ["U0123ABCD", "S0456EFGH"],
            welcome: { portalUrl: "https://d-0123456789.awsapps.com/start" },
          },
        },
      }),
    );
    if (!result.ok) throw new Error(result.issues.map(formatRuleIssue).join("\n"));

    expect(result.rules.notifications.slack).toMatchObject({
      channel: "#idc-sync-alerts",
      approvers: ["U0123ABCD", "S0456EFGH"],
      welcome: { portalUrl: "https://d-0123456789.awsapps.com/start", emailOtp: false },
    });
  });

  it("names the file, line and column of an approver that is not a Slack id, and of a portal URL that is not https", () => {
    const text = aRulesText({
      notifications: {
        slack: {
          approvers: ["U0123ABCD", "bob@example.com"],
          welcome: { portalUrl: "http://portal.example.com" },
        },
      },
    });
    const issues = issuesOf(text);
    const lineOf = (needle: string) => text.split("\n").findIndex((line) => line.includes(needle)) + 1;

    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^rules\\.yaml:${lineOf("bob@example.com")}:\\d+: .*approvers are Slack user ids`),
        ),
        expect.stringMatching(new RegExp(`^rules\\.yaml:${lineOf("http://portal")}:\\d+: .*https URL`)),
      ]),
    );
  });
});

describe("approvals across runs", () => {
  const removal = (user: string) => ({
    kind: "removeMember" as const,
    key: `member:aws-admins:${user}`,
    reason: "not in Google",
    groupName: "aws-admins",
    userName: user,
  });
  const plan = (...users: string[]): Plan => ({
    changes: users.map(removal),
    notes: [],
    managedObjectCount: 10,
  });
  const stop: GuardViolation[] = [{ guard: "maxDeletions", message: "too many", removals: 2, limit: 1 }];

  it("gives the same removals the same digest, whatever their order, and other removals another", () => {
    expect(removalsDigest(plan("a@example.com", "b@example.com"))).toBe(
      removalsDigest(plan("b@example.com", "a@example.com")),
    );
    expect(removalsDigest(plan("a@example.com"))).not.toBe(
      removalsDigest(plan("a@example.com", "b@example.com")),
    );
  });

  it("never offers an empty-directory stop for approval", () => {
    const empty: GuardViolation[] = [{ guard: "emptyDirectory", message: "no users", removals: 2 }];

    expect(approvalRequestFor(plan("a@example.com"), empty, {})).toBeUndefined();
    expect(
      approvalAfter(undefined, {
        kind: "blocked",
        plan: plan("a@example.com"),
        violations: empty,
        runId: "r",
        at: "t",
      }),
    ).toBeUndefined();
  });

  it("keeps a decision only while the stopped plan is the same, and uses an approval once", () => {
    const first = plan("a@example.com", "b@example.com");
    const digest = removalsDigest(first);
    const decided = {
      requested: { digest, removals: 2, runId: "r1", at: "t1" },
      decision: { digest, verdict: "approved" as const, by: "U1", at: "t2" },
    };

    expect(approvedDigest({ approval: decided })).toBe(digest);
    expect(
      approvalAfter(decided, {
        kind: "blocked",
        plan: plan("a@example.com", "c@example.com"),
        violations: stop,
        runId: "r2",
        at: "t3",
      })?.decision,
    ).toBeUndefined();
    expect(approvalAfter(decided, { kind: "applied", plan: first })).toBeUndefined();
  });
});
