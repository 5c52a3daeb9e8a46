/**
 * What idc-sync remembers between runs (issue #6): the desired state as last left in step (digests),
 * the drift still open with when it was first seen and last alerted, whether runs are failing, and a
 * record of each run for `idc-sync history`. Plain JSON data; the `StateStore` port keeps it.
 */
import type { DesiredDigests } from "./drift.js";
import type { ChangeCause, ChangeKind, KnownGroup, Ownership } from "./model.js";
import type { DriftItem } from "./notices.js";

/** How a run treats drift: `enforce` fixes it (and reports it), `report` only detects and alerts. */
export const SyncMode = { enforce: "enforce", report: "report" } as const;
export type SyncMode = (typeof SyncMode)[keyof typeof SyncMode];

/** One difference made outside idc-sync that is still there. */
export interface OpenDrift {
  /** The key of the change that would undo it. */
  key: string;
  kind: ChangeKind;
  /** "- membership developers ← mallory@example.com". */
  summary: string;
  reason: string;
  /** ISO-8601 instants. */
  firstSeenAt: string;
  lastSeenAt: string;
  /** Absent until an alert about it was delivered. */
  lastAlertAt?: string;
}

export interface RunHealth {
  status: "ok" | "failing";
  /** When the current status began (the first failing run, or the recovery). */
  since: string;
  /** Consecutive failing runs (0 when ok). */
  failedRuns: number;
}

export interface RunState {
  version: 1;
  /** Digests of the desired state as last left in step; absent until a run completes a plan. */
  applied?: { digests: DesiredDigests; runId: string; at: string };
  /** Open drift by change key. */
  drift: Record<string, OpenDrift>;
  /**
   * Drift a run undid whose alert could not be delivered: nothing of it is left in `drift`, so it is
   * kept here and alerted by the next run, once.
   */
  pendingDriftAlerts?: DriftItem[];
  health: RunHealth;
  /**
   * What idc-sync owns (groups, permission sets, Google id → user). Absent until a run keeps one; while
   * absent, plans fall back to "named in the rules, or tagged managed-by=idc-sync".
   */
  ownership?: Ownership;
  /** userNames of users another provisioner owns that people were already told about. */
  externallyProvisionedReported?: string[];
  /**
   * Identity Store user id → userName of the leavers whose denies are in force, so a deny can be named
   * when it ends after the user was deleted. Only labels: the denies themselves are read from AWS.
   */
  revocationNames?: Record<string, string>;
  /**
   * Managed objects the last full run counted: what a percentage `safety.maxDeletions` is of in a
   * targeted run, which sees only its people (issue #14).
   */
  managedObjects?: number;
  /**
   * Every Identity Center group as the last full run listed it (less those its apply deleted): a
   * targeted run names the people's memberships by these instead of listing every group again.
   */
  knownGroups?: KnownGroup[];
  /**
   * Slack app mode: the message each alert's thread hangs from, by thread key (`drift:<change key>`,
   * `failure`, `approval:<digest>`), so reminders, resolutions and recoveries reply in that thread.
   */
  slackThreads?: Record<string, SlackThread>;
  /** A plan a guard stopped that waits for a person's decision in Slack, and that decision. */
  approval?: PlanApproval;
}

/** Where an alert was posted: the parent of its thread. */
export interface SlackThread {
  channel: string;
  ts: string;
  /** ISO-8601: when it was posted. */
  at: string;
}

/** A decision on the removals of a stopped plan, as the interaction endpoint records it. */
export interface ApprovalDecision {
  /** `removalsDigest` of the plan decided on. */
  digest: string;
  verdict: "approved" | "rejected";
  /** Slack user id and name of who clicked. */
  by: string;
  byName?: string;
  /** ISO-8601. */
  at: string;
}

export interface PlanApproval {
  /** The latest stopped plan offered for approval: only a click on its digest counts. */
  requested?: { digest: string; removals: number; runId: string; at: string };
  decision?: ApprovalDecision;
}

/** An empty state: no run yet. */
export function initialRunState(): RunState {
  return { version: 1, drift: {}, health: { status: "ok", since: new Date(0).toISOString(), failedRuns: 0 } };
}

export const RunStatus = {
  /** Enforce: the plan was applied (possibly empty) and nothing failed. */
  applied: "applied",
  /** Report: detected, nothing changed. */
  reported: "reported",
  /** A safety guard stopped the run before anything changed. */
  blocked: "blocked",
  /** Some changes failed. */
  partial: "partial",
  /** The run could not read, plan or save what it needed; nothing was applied. */
  failed: "failed",
  /** The rules do not load or do not fit the directory; nothing was applied. */
  invalid: "invalid",
  /** Not a run: someone approved a stopped plan's removals in Slack. */
  approved: "approved",
  /** Not a run: someone rejected a stopped plan's removals in Slack. */
  rejected: "rejected",
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** One run, as `idc-sync history` lists it. */
export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** `slack`: an approval or rejection recorded by the interaction endpoint (not a sync run). */
  trigger: "schedule" | "manual" | "cli" | "slack";
  mode: SyncMode;
  status: RunStatus;
  /** Planned changes by family. */
  plan?: { add: number; change: number; remove: number };
  /** Planned changes by cause. */
  causes?: Partial<Record<ChangeCause, number>>;
  applied?: number;
  failed?: number;
  /** The error or guard message of a failed, invalid or blocked run. */
  message?: string;
  /** Where the run's logs are (a CloudWatch log stream console link). */
  logUrl?: string;
}
