/**
 * What a run tells people, as plain data. `src/notify/decide.ts` decides which notices a run sends;
 * a `Notifier` adapter renders and delivers them (Slack Block Kit in `src/notify/slack-message.ts`).
 */
import type { GuardViolation } from "./guards.js";
import type { ChangeCause, ChangeKind } from "./model.js";
import type { SyncMode } from "./run-state.js";
import type { PlanSummary } from "./summary.js";

/** The run a notice is about. */
export interface NoticeRun {
  runId: string;
  trigger: "schedule" | "manual" | "cli";
  mode: SyncMode;
  /** ISO-8601: when the run started. */
  at: string;
  /** The run's logs (CloudWatch log stream), when known. */
  logUrl?: string;
}

/** A difference made outside idc-sync, and what this run did about it. */
export interface DriftItem {
  key: string;
  kind: ChangeKind;
  /** The change that undoes it: "- membership developers ← mallory@example.com". */
  summary: string;
  reason: string;
  firstSeenAt: string;
  /** `reverted`: undone by this run; `open`: still there (report mode, a guard stop, or the fix failed). */
  status: "reverted" | "open";
}

export interface ChangeLine {
  key: string;
  summary: string;
  reason: string;
  cause?: ChangeCause;
}

/** The counts of an IAM user inventory (`idc-sync audit iam-users`). */
export interface AuditSummaryCounts {
  users: number;
  /** Accounts whose users were read. */
  accountsRead: number;
  /** Accounts that could not be entered (their users are not counted). */
  accountsUnreachable: number;
  leavers: number;
  unused: number;
  safeToRetire: number;
  people: number;
  systems: number;
  unknown: number;
}

/** One IAM user worth acting on: a leaver's, or one that is safe to retire. */
export interface AuditSummaryLine {
  accountId: string;
  accountName: string;
  userName: string;
  leaver: boolean;
  safeToRetire: boolean;
  /** Why, briefly: "bob@example.com is suspended in Google", "last used 2024-12-01". */
  detail: string;
}

/** The removals of a stopped plan, offered for approval, and what was decided about them before. */
export interface ApprovalRequest {
  /** `removalsDigest` of the plan: what an Approve button approves. */
  digest: string;
  removals: ChangeLine[];
  /** An earlier decision on these very removals: a rejection stands, so no buttons are offered again. */
  rejected?: { by: string; at: string };
  /** An approval given for other removals (the plan changed since): asked again. */
  superseded?: { by: string; at: string; digest: string };
}

export type Notice =
  /** Drift seen for the first time. */
  | { kind: "drift"; run: NoticeRun; items: DriftItem[] }
  /** Drift still open after the reminder interval. */
  | { kind: "driftReminder"; run: NoticeRun; items: DriftItem[] }
  /** Drift that is gone: fixed by hand, undone by an enforce run, or matched by the rules now. */
  | { kind: "driftResolved"; run: NoticeRun; items: (DriftItem & { resolvedBy: "idc-sync" | "elsewhere" })[] }
  /** The run failed: a read, the rules, or some changes. */
  | {
      kind: "failure";
      run: NoticeRun;
      problem: "error" | "invalid" | "changesFailed";
      message: string;
      details: string[];
      /** Consecutive failing runs, this one included. */
      failedRuns: number;
    }
  /** A safety guard stopped the run before anything changed. */
  | {
      kind: "blocked";
      run: NoticeRun;
      violations: GuardViolation[];
      plan: PlanSummary;
      failedRuns: number;
      /** The removals a person can approve (Slack app mode); absent when no guard stop can be approved. */
      approval?: ApprovalRequest;
    }
  /** The first good run after failing ones. */
  | { kind: "recovered"; run: NoticeRun; failingSince: string; failedRuns: number }
  /**
   * Users another provisioner (SCIM) created, seen for the first time: idc-sync leaves them alone.
   * `users` are the new ones; `total` counts all such users this run saw.
   */
  | { kind: "externallyProvisioned"; run: NoticeRun; users: string[]; total: number }
  /** What an enforce run changed for joiners, movers, leavers and rules changes (opt-in). */
  | { kind: "changes"; run: NoticeRun; changes: ChangeLine[]; plan: PlanSummary }
  /** The summary of an IAM user inventory (`idc-sync audit iam-users --slack`); not about a sync run. */
  | {
      kind: "auditSummary";
      /** ISO-8601: when the report was built. */
      generatedAt: string;
      staleDays: number;
      /** The CloudTrail window in days; undefined when CloudTrail was not searched. */
      cloudTrailDays?: number;
      counts: AuditSummaryCounts;
      /** Leavers first, then users safe to retire; at most ten. */
      topFindings: AuditSummaryLine[];
      /** How many more lines there were beyond `topFindings`. */
      moreFindings: number;
      unreachable: { id: string; name: string; reason: string }[];
    };

export type NoticeKind = Notice["kind"];
