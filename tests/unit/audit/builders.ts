import { summarizeKeyActivity } from "../../../src/audit/activity.js";
import type { AuditOptions } from "../../../src/audit/classify.js";
import type { AccessKeyRecord, IamUserRecord, KeyActivity } from "../../../src/audit/model.js";
import type { DirectoryUser } from "../../../src/sync/model.js";

export const now = new Date("2025-06-30T12:00:00Z");
const day = 86_400_000;
export const daysAgo = (days: number) => new Date(now.getTime() - days * day);

export function anIamUser(userName: string, overrides: Partial<IamUserRecord> = {}): IamUserRecord {
  return {
    userName,
    userId: `AIDA${userName.toUpperCase()}`,
    arn: `arn:aws:iam::111111111111:user/${userName}`,
    path: "/",
    createdAt: daysAgo(1000),
    passwordEnabled: false,
    mfaActive: false,
    mfaDevices: [],
    accessKeys: [],
    groups: [],
    attachedPolicies: [],
    inlinePolicies: [],
    tags: {},
    ...overrides,
  };
}

export function aKey(id: string, overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return { id, status: "Active", createdAt: daysAgo(30), ...overrides };
}

export function aPerson(primaryEmail: string, overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  const [given = "x", family = "y"] = primaryEmail.split("@")[0]!.split(".");
  return {
    id: primaryEmail,
    primaryEmail,
    aliases: [],
    givenName: given.charAt(0).toUpperCase() + given.slice(1),
    familyName: family.charAt(0).toUpperCase() + family.slice(1),
    orgUnitPath: "/",
    suspended: false,
    archived: false,
    ...overrides,
  };
}

/** `count` CLI calls a day from one address, the last one yesterday. */
export function cliActivity(keyId: string, count: number, ip = "203.0.113.10"): KeyActivity {
  return summarizeKeyActivity(
    keyId,
    ["eu-west-1"],
    Array.from({ length: count }, (_, index) => ({
      at: daysAgo(index + 1),
      eventSource: "s3.amazonaws.com",
      eventName: "PutObject",
      sourceIp: ip,
      userAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/6.1",
      region: "eu-west-1",
    })),
  );
}

export function options(overrides: Partial<AuditOptions> = {}): AuditOptions {
  return { now, staleDays: 90, keyMaxAgeDays: 90, ...overrides };
}
