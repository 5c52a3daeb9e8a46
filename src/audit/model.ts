/**
 * The IAM user inventory: what the audit reads from each AWS account (IAM users, their credentials,
 * permissions and, optionally, CloudTrail activity of their keys), and the classified report built
 * from it. Plain data only; dates are `Date` objects in the inventory and ISO strings in the report.
 */

/** One access key of an IAM user, with what IAM remembers of its last use. */
export interface AccessKeyRecord {
  id: string;
  status: "Active" | "Inactive";
  createdAt?: Date;
  /** From GetAccessKeyLastUsed; absent when the key was never used (or before IAM tracked it, April 2015). */
  lastUsed?: { at: Date; service?: string; region?: string };
}

/** Where a policy comes from: the user itself or one of its groups. */
export type PolicyVia = { kind: "user" } | { kind: "group"; group: string };

export interface AttachedPolicyRecord {
  name: string;
  arn: string;
  via: PolicyVia;
}

export interface InlinePolicyRecord {
  name: string;
  via: PolicyVia;
  /** The policy document as JSON text, when it could be read. */
  document?: string;
}

/** The credential report's view of a user (the CSV row), as far as the audit uses it. */
export interface CredentialReportEntry {
  user: string;
  arn: string;
  passwordEnabled: boolean;
  /** Undefined when never used ("no_information") or not applicable. */
  passwordLastUsed?: Date;
  mfaActive: boolean;
}

/** Everything read about one IAM user in one account. */
export interface IamUserRecord {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createdAt?: Date;
  passwordEnabled: boolean;
  passwordLastUsed?: Date;
  mfaActive: boolean;
  mfaDevices: string[];
  accessKeys: AccessKeyRecord[];
  groups: string[];
  attachedPolicies: AttachedPolicyRecord[];
  inlinePolicies: InlinePolicyRecord[];
  tags: Record<string, string>;
}

/** A CloudTrail event of one access key, reduced to what the summary needs. */
export interface KeyEvent {
  at: Date;
  eventSource: string;
  eventName: string;
  sourceIp?: string;
  userAgent?: string;
  region: string;
}

export interface CountedName {
  name: string;
  count: number;
}

/** What CloudTrail says one access key did in the window. */
export interface KeyActivity {
  accessKeyId: string;
  /** Regions searched (CloudTrail LookupEvents is regional). */
  regions: string[];
  eventCount: number;
  /** True when the event cap stopped the lookup: `eventCount` is a lower bound. */
  truncated: boolean;
  topEventSources: CountedName[];
  topEventNames: CountedName[];
  sourceIps: CountedName[];
  userAgents: (CountedName & { kind: AgentKind })[];
  firstSeen?: Date;
  lastSeen?: Date;
  /** Set when the lookup failed: the activity is unknown, not zero. */
  error?: string;
}

export const AgentKind = {
  console: "console",
  cli: "cli",
  sdk: "sdk",
  terraform: "terraform",
  infrastructureTool: "infrastructure-tool",
  awsService: "aws-service",
  other: "other",
} as const;
export type AgentKind = (typeof AgentKind)[keyof typeof AgentKind];

export interface AuditedAccount {
  id: string;
  name: string;
}

/** What was read from one account: its users, or why it could not be read. */
export type AccountInventory =
  | {
      account: AuditedAccount;
      status: "read";
      users: IamUserRecord[];
      /** By access key id; present only when CloudTrail was searched. */
      activity?: Record<string, KeyActivity>;
    }
  | { account: AuditedAccount; status: "unreachable"; reason: string };

// ─── The report ─────────────────────────────────────────────────────────────────────────────────────

export const UserClass = {
  unused: "unused",
  person: "person",
  system: "system",
  unknown: "unknown",
} as const;
export type UserClass = (typeof UserClass)[keyof typeof UserClass];

export const FindingKind = {
  leaver: "leaver",
  oldKey: "old-key",
  consoleWithoutMfa: "console-without-mfa",
  administrator: "administrator",
} as const;
export type FindingKind = (typeof FindingKind)[keyof typeof FindingKind];

export interface Finding {
  kind: FindingKind;
  message: string;
}

export const Recommendation = {
  safeToRetire: "safe to retire",
  confirmWithCloudTrail: "probably unused: confirm with --cloudtrail",
  offboard: "leaver: disable now",
  migratePerson: "move the person to Identity Center, then retire",
  keepSystem: "keep: used by a system",
  findOwner: "find the owner",
} as const;
export type Recommendation = (typeof Recommendation)[keyof typeof Recommendation];

export const PersonStatus = {
  active: "active",
  suspended: "suspended",
  archived: "archived",
  gone: "gone",
} as const;
export type PersonStatus = (typeof PersonStatus)[keyof typeof PersonStatus];

/** The Google person an IAM user belongs to, and how that was decided. */
export interface PersonMatch {
  email: string;
  status: PersonStatus;
  /** "tag email", "user name", "name alice.smith" ... */
  by: string;
}

/** The system that seems to use a `system` user, from CloudTrail or IAM's last-used data. */
export interface SystemHint {
  agents: string[];
  sourceIps: string[];
  services: string[];
}

export interface ClassifiedUser {
  accountId: string;
  accountName: string;
  userName: string;
  arn: string;
  classification: UserClass;
  /** Why, in words: the facts the classification rests on. */
  evidence: string[];
  findings: Finding[];
  recommendation: Recommendation;
  /** The recommendation spelled out for this user. */
  advice: string;
  person?: PersonMatch;
  system?: SystemHint;
  lastConsoleUse?: string;
  lastKeyUse?: string;
  activeKeys: number;
  /** CloudTrail events of the user's keys in the window; undefined when CloudTrail was not searched. */
  cloudTrailEvents?: number;
  groups: string[];
  policies: string[];
  tags: Record<string, string>;
}

export interface AuditReport {
  generatedAt: string;
  staleDays: number;
  /** The CloudTrail window in days, when CloudTrail was searched. */
  cloudTrailDays?: number;
  accounts: { id: string; name: string; status: "read" | "unreachable"; users: number; reason?: string }[];
  /** Leavers first, then by account and user name. */
  users: ClassifiedUser[];
  totals: Record<UserClass, number> & { safeToRetire: number; leavers: number };
}
