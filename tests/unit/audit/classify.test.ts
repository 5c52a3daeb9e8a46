import { describe, expect, it } from "vitest";
import { failedKeyActivity, summarizeKeyActivity } from "../../../src/audit/activity.js";
import { allowsEverything, buildAuditReport, classifyUser } from "../../../src/audit/classify.js";
import type { IamUserRecord, KeyActivity, PersonMatch } from "../../../src/audit/model.js";
import { aKey, anIamUser, aPerson, cliActivity, daysAgo, now, options } from "./builders.js";

const account = { id: "111111111111", name: "management" };
const classify = (
  user: IamUserRecord,
  context: { activity?: KeyActivity[]; person?: PersonMatch } = {},
  overrides = {},
) =>
  classifyUser(
    user,
    { ...account, activity: context.activity, person: context.person },
    options({ cloudTrailDays: 90, ...overrides }),
  );

describe("classifying an IAM user", () => {
  it("calls a user whose only key was never used unused, and safe to retire once CloudTrail saw nothing", () => {
    const user = anIamUser("old-backup", {
      accessKeys: [aKey("AKIANEVERUSED", { createdAt: daysAgo(400) })],
    });

    const classified = classify(user, { activity: [summarizeKeyActivity("AKIANEVERUSED", [], [])] });

    expect(classified.classification).toBe("unused");
    expect(classified.recommendation).toBe("safe to retire");
    expect(classified.evidence).toContain("key AKIANEVERUSED (active) never used");
    expect(classified.findings).toEqual([{ kind: "old-key", message: "key AKIANEVERUSED is 400 days old" }]);
  });

  it("does not promise an unused user is safe to retire when CloudTrail was not searched", () => {
    const user = anIamUser("old-backup", { accessKeys: [aKey("AKIANEVERUSED")] });

    const classified = classifyUser(user, { ...account, activity: undefined, person: undefined }, options());

    expect(classified.classification).toBe("unused");
    expect(classified.recommendation).toBe("probably unused: confirm with --cloudtrail");
  });

  it("does not promise an unused user is safe to retire when a CloudTrail lookup failed", () => {
    const user = anIamUser("old-backup", { accessKeys: [aKey("AKIA1", { lastUsed: { at: daysAgo(200) } })] });

    const classified = classify(user, {
      activity: [failedKeyActivity("AKIA1", ["eu-west-1"], "AccessDenied")],
    });

    expect(classified.recommendation).toBe("probably unused: confirm with --cloudtrail");
    expect(classified.evidence).toContain("CloudTrail lookup failed for a key: activity unknown");
  });

  it("calls a user stale when neither its console nor its keys were used within --stale-days", () => {
    const user = anIamUser("carol", {
      passwordEnabled: true,
      passwordLastUsed: daysAgo(200),
      accessKeys: [
        aKey("AKIACAROL", { lastUsed: { at: daysAgo(150), service: "ec2", region: "us-east-1" } }),
      ],
    });

    const classified = classify(user, { activity: [summarizeKeyActivity("AKIACAROL", [], [])] });

    expect(classified.classification).toBe("unused");
    expect(classified.evidence).toContain("console last used 2024-12-12 (200 days ago)");
    expect(classified.evidence).toContain(
      "key AKIACAROL (active) last used 2025-01-31 (150 days ago) on ec2 in us-east-1",
    );
    expect(classify(user, {}, { staleDays: 365 }).classification).not.toBe("unused");
  });

  it("calls a key used daily by the AWS CLI from one address a system, never safe to retire, and says which", () => {
    const user = anIamUser("ci-deployer", {
      accessKeys: [aKey("AKIACI", { lastUsed: { at: daysAgo(1), service: "s3", region: "eu-west-1" } })],
    });

    const classified = classify(user, { activity: [cliActivity("AKIACI", 60)] });

    expect(classified.classification).toBe("system");
    expect(classified.recommendation).toBe("keep: used by a system");
    expect(classified.system).toEqual({ agents: ["AWS CLI"], sourceIps: ["203.0.113.10"], services: ["s3"] });
    expect(classified.advice).toBe(
      "never retire while in use: AWS CLI from 203.0.113.10 calling s3; move it to a role first",
    );
    expect(classified.cloudTrailEvents).toBe(60);
  });

  it("calls a user with a recently used console password a person", () => {
    const user = anIamUser("alice", { passwordEnabled: true, passwordLastUsed: daysAgo(2), mfaActive: true });

    const classified = classify(user);

    expect(classified.classification).toBe("person");
    expect(classified.recommendation).toBe("move the person to Identity Center, then retire");
    expect(classified.findings).toEqual([]);
  });

  it("finds a console password without MFA, and administrator rights through a group or an inline policy", () => {
    const user = anIamUser("bob", {
      passwordEnabled: true,
      passwordLastUsed: daysAgo(2),
      attachedPolicies: [
        {
          name: "AdministratorAccess",
          arn: "arn:aws:iam::aws:policy/AdministratorAccess",
          via: { kind: "group", group: "admins" },
        },
      ],
      inlinePolicies: [
        {
          name: "all",
          via: { kind: "user" },
          document: '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
        },
      ],
    });

    const classified = classify(user);

    expect(classified.findings.map((finding) => finding.message)).toEqual([
      "console password without MFA",
      "administrator through AdministratorAccess (group admins), inline all",
    ]);
  });

  it("does not make a user created inside the stale window safe to retire just because it is not used yet", () => {
    const user = anIamUser("erin", { createdAt: daysAgo(5), passwordEnabled: true });

    const classified = classify(user, { activity: [] });

    expect(classified.classification).toBe("unused");
    expect(classified.recommendation).toBe("find the owner");
  });

  it("tells a leaver whose keys still run a program to move that program before disabling the keys", () => {
    const user = anIamUser("bob", {
      accessKeys: [aKey("AKIABOB", { lastUsed: { at: daysAgo(1), service: "s3" } })],
    });
    const person: PersonMatch = { email: "bob@example.com", status: "suspended", by: "tag email" };

    const classified = classify(user, { activity: [cliActivity("AKIABOB", 3)], person });

    expect(classified.classification).toBe("person");
    expect(classified.recommendation).toBe("leaver: disable now");
    expect(classified.findings[0]).toEqual({
      kind: "leaver",
      message: "bob@example.com is suspended in Google",
    });
    expect(classified.advice).toContain("keys are still in use (AWS CLI from 203.0.113.10 calling s3)");
  });
});

describe("the audit report", () => {
  it("lists the IAM user of a Google leaver first, and reports unreachable accounts", () => {
    const report = buildAuditReport(
      [
        {
          account: { id: "111111111111", name: "management" },
          status: "read",
          users: [
            anIamUser("aaron", { passwordEnabled: true, passwordLastUsed: daysAgo(1), mfaActive: true }),
            anIamUser("zoe.kato", { passwordEnabled: true, passwordLastUsed: daysAgo(1), mfaActive: true }),
          ],
        },
        { account: { id: "444444444444", name: "legacy" }, status: "unreachable", reason: "AccessDenied" },
      ],
      options({
        directory: {
          people: [aPerson("zoe.kato@example.com", { suspended: true })],
          domains: ["example.com"],
        },
      }),
    );

    expect(report.users.map((user) => user.userName)).toEqual(["zoe.kato", "aaron"]);
    expect(report.users[0]?.recommendation).toBe("leaver: disable now");
    expect(report.totals).toMatchObject({ leavers: 1, person: 2 });
    expect(report.accounts).toEqual([
      { id: "111111111111", name: "management", status: "read", users: 2 },
      { id: "444444444444", name: "legacy", status: "unreachable", users: 0, reason: "AccessDenied" },
    ]);
    expect(report.generatedAt).toBe(now.toISOString());
  });
});

describe("spotting an allow-everything policy", () => {
  it("accepts Action and Resource as strings or lists, and ignores conditional or narrower statements", () => {
    expect(allowsEverything('{"Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}')).toBe(true);
    expect(allowsEverything('{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')).toBe(false);
    expect(allowsEverything('{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}')).toBe(false);
    expect(
      allowsEverything(
        '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}',
      ),
    ).toBe(false);
    expect(allowsEverything("not json")).toBe(false);
  });
});
