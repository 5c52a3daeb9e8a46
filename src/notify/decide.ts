/**
 * What a run tells people, decided from what it found and what the state remembers. Pure: `now` is a
 * parameter, and the answer is the notices to send plus the drift and health to remember.
 *
 * - New drift alerts once; drift still open reminds at most once per `remindEveryMs`; drift that is gone
 *   posts "resolved". Drift an enforce run undid in the same run is one alert that says so; if that
 *   alert cannot be delivered, the next run delivers it (`pendingDriftAlerts`), once.
 * - A failure or a guard stop alerts on every run; the first good run after them posts a recovery.
 * - What an enforce run changed for joiners, movers and leavers is posted only when asked (`changes`).
 */
import type { GuardViolation } from "../sync/guards.js";
import type { ApplyReport, Change, Plan } from "../sync/model.js";
import { OutcomeStatus } from "../sync/model.js";
import type { ChangeLine, DriftItem, Notice, NoticeRun } from "../sync/notices.js";
import { describeChange } from "../sync/render.js";
import type { OpenDrift, RunHealth, RunState, RunStatus } from "../sync/run-state.js";
import { summarizePlan } from "../sync/summary.js";
import { approvalRequestFor } from "./approval-state.js";

/** What people can subscribe to (`notifications.slack.on` in the rules). */
export const NotifyTopic = { drift: "drift", failure: "failure", changes: "changes" } as const;
export type NotifyTopic = (typeof NotifyTopic)[keyof typeof NotifyTopic];

export interface NotificationSettings {
  on: readonly NotifyTopic[];
  /** A reminder about drift still open is sent at most this often. */
  remindEveryMs: number;
}

export const defaultNotificationSettings: NotificationSettings = {
  on: [NotifyTopic.drift, NotifyTopic.failure],
  remindEveryMs: 24 * 60 * 60 * 1000,
};

/** How a run ended, as the decision needs it. Plans carry each change's `cause`. */
export type RunOutcome =
  /** It threw: a read failed, credentials are wrong, the state could not be read. Nothing was applied. */
  | { kind: "error"; message: string; details?: string[] }
  /** The rules do not load or do not fit the directory. Nothing was applied. */
  | { kind: "invalid"; problems: string[] }
  /** Report mode: the plan was made and nothing changed. */
  | { kind: "reported"; plan: Plan }
  | { kind: "blocked"; plan: Plan; violations: GuardViolation[] }
  | { kind: "applied"; plan: Plan; report: ApplyReport };

export interface DecideInput {
  now: Date;
  run: NoticeRun;
  previous: RunState;
  outcome: RunOutcome;
  settings: NotificationSettings;
}

export interface Decision {
  /** In sending order: failures first, then drift, then the rest. */
  notices: Notice[];
  /** The drift to remember if every notice is delivered (see `rememberUndelivered` when one is not). */
  drift: Record<string, OpenDrift>;
  /** Undone drift still owed an alert if every notice is delivered: none. */
  pendingDriftAlerts: DriftItem[];
  health: RunHealth;
  status: RunStatus;
  /** The users another provisioner owns that people know about after this run (undefined: none yet). */
  externallyProvisionedReported?: string[];
}

/** How many failed changes a failure notice lists (the renderer caps what it shows again). */
const failureDetailsLimit = 50;

/** Decides the notices of one run and the drift and health to remember after it. */
export function decideNotices(input: DecideInput): Decision {
  const { now, run, previous, outcome, settings } = input;
  const on = new Set(settings.on);
  const at = now.toISOString();
  const status = runStatusOf(outcome);
  const failing = status !== "applied" && status !== "reported";
  const health: RunHealth = failing
    ? {
        status: "failing",
        since: previous.health.status === "failing" ? previous.health.since : at,
        failedRuns: (previous.health.status === "failing" ? previous.health.failedRuns : 0) + 1,
      }
    : { status: "ok", since: previous.health.status === "ok" ? previous.health.since : at, failedRuns: 0 };

  const notices: Notice[] = [];
  if (on.has("failure")) {
    const failure = failureNotice(outcome, run, health.failedRuns, previous);
    if (failure) notices.push(failure);
    if (!failing && previous.health.status === "failing") {
      notices.push({
        kind: "recovered",
        run,
        failingSince: previous.health.since,
        failedRuns: previous.health.failedRuns,
      });
    }
  }

  const plan = "plan" in outcome ? outcome.plan : undefined;
  const known = previous.externallyProvisionedReported;
  const owed = previous.pendingDriftAlerts ?? [];
  if (plan === undefined) {
    // Nothing was planned, so nothing new is known about drift; what is owed stays owed.
    return { notices, drift: previous.drift, pendingDriftAlerts: owed, health, status, ...reported(known) };
  }

  const tracked = trackDrift(plan, outcome, previous, now, settings, on.has("drift"));
  if (on.has("drift")) {
    // Undone drift a run before could not tell about: told now, unless this run sees it again.
    const seen = new Set(plan.changes.map((change) => change.key));
    tracked.fresh.unshift(...owed.filter((item) => !seen.has(item.key)));
  }
  if (on.has("drift")) {
    if (tracked.fresh.length > 0) notices.push({ kind: "drift", run, items: tracked.fresh });
    if (tracked.reminders.length > 0) notices.push({ kind: "driftReminder", run, items: tracked.reminders });
    if (tracked.resolved.length > 0) notices.push({ kind: "driftResolved", run, items: tracked.resolved });
  }
  if (on.has("changes") && outcome.kind === "applied") {
    const changes = appliedChanges(plan, outcome.report).filter((line) => line.cause !== "drift");
    if (changes.length > 0) notices.push({ kind: "changes", run, changes, plan: summarizePlan(plan) });
  }
  // Users another provisioner owns are told about once, when first seen: idc-sync leaves them alone,
  // so telling again every run would be noise, not news.
  const foreign = plan.externallyProvisionedUsers ?? [];
  const told = new Set(known ?? []);
  const fresh = foreign.filter((userName) => !told.has(userName));
  if (on.has("drift") && fresh.length > 0) {
    notices.push({ kind: "externallyProvisioned", run, users: fresh, total: foreign.length });
  }
  return {
    notices,
    drift: tracked.drift,
    pendingDriftAlerts: [],
    health,
    status,
    ...reported(on.has("drift") ? foreign : known),
  };
}

/**
 * The users to remember as told about when an externally-provisioned notice was not delivered: those
 * known before, so the next run tells again.
 */
export function forgetUndeliveredForeignUsers(
  reportedNow: string[] | undefined,
  notice: Notice,
  previous: string[] | undefined,
): string[] | undefined {
  return notice.kind === "externallyProvisioned" ? previous : reportedNow;
}

function reported(users: string[] | undefined): Pick<Decision, "externallyProvisionedReported"> {
  return users === undefined ? {} : { externallyProvisionedReported: users };
}

/**
 * What a run remembers about its alerts: the open drift (with when each was last alerted), the undone
 * drift still owed an alert, and the users of other provisioners already told about.
 */
export interface AlertMemory {
  drift: Record<string, OpenDrift>;
  pendingDriftAlerts: DriftItem[];
  externallyProvisionedReported?: string[];
}

/**
 * The drift to remember when a drift notice was not delivered: open items get the alert time they had
 * before, so the next run alerts about them again instead of believing people were told; undone items,
 * which leave nothing behind in `drift`, are kept as owed so the next run tells about them, once.
 */
export function rememberUndelivered(
  memory: AlertMemory,
  notice: Notice,
  previousState: Pick<RunState, "drift" | "externallyProvisionedReported">,
): AlertMemory {
  if (notice.kind === "externallyProvisioned") {
    const { externallyProvisionedReported: _told, ...rest } = memory;
    const known = forgetUndeliveredForeignUsers(
      memory.externallyProvisionedReported,
      notice,
      previousState.externallyProvisionedReported,
    );
    return known === undefined ? rest : { ...rest, externallyProvisionedReported: known };
  }
  if (notice.kind !== "drift" && notice.kind !== "driftReminder") return memory;
  const previous = previousState.drift;
  const drift = { ...memory.drift };
  const owed = new Map(memory.pendingDriftAlerts.map((item) => [item.key, item]));
  for (const item of notice.items) {
    const kept = drift[item.key];
    if (kept === undefined) {
      if (notice.kind === "drift" && item.status === "reverted") owed.set(item.key, item);
      continue;
    }
    const before = previous[item.key]?.lastAlertAt;
    const { lastAlertAt: _dropped, ...rest } = kept;
    drift[item.key] = before === undefined ? rest : { ...rest, lastAlertAt: before };
  }
  return { ...memory, drift, pendingDriftAlerts: [...owed.values()] };
}

/** The history status of a run. */
export function runStatusOf(outcome: RunOutcome): RunStatus {
  switch (outcome.kind) {
    case "error":
      return "failed";
    case "invalid":
      return "invalid";
    case "reported":
      return "reported";
    case "blocked":
      return "blocked";
    case "applied":
      return outcome.report.failed > 0 || outcome.report.skipped > 0 ? "partial" : "applied";
  }
}

function failureNotice(
  outcome: RunOutcome,
  run: NoticeRun,
  failedRuns: number,
  previous: Pick<RunState, "approval">,
): Notice | undefined {
  switch (outcome.kind) {
    case "error":
      return {
        kind: "failure",
        run,
        problem: "error",
        message: outcome.message,
        details: outcome.details ?? [],
        failedRuns,
      };
    case "invalid":
      return {
        kind: "failure",
        run,
        problem: "invalid",
        message: "The rules do not load or do not fit the directory; nothing was changed.",
        details: outcome.problems,
        failedRuns,
      };
    case "blocked": {
      const approval = approvalRequestFor(outcome.plan, outcome.violations, previous);
      return {
        kind: "blocked",
        run,
        violations: outcome.violations,
        plan: summarizePlan(outcome.plan),
        failedRuns,
        ...(approval ? { approval } : {}),
      };
    }
    case "applied": {
      const { report, plan } = outcome;
      if (report.failed === 0 && report.skipped === 0) return undefined;
      const byKey = new Map(plan.changes.map((change) => [change.key, change]));
      const details = report.outcomes
        .filter((o) => o.status === OutcomeStatus.failed || o.status === OutcomeStatus.skipped)
        .slice(0, failureDetailsLimit)
        .map((o) => {
          const change = byKey.get(o.key);
          const what = change ? describeChange(change) : o.key;
          return o.status === OutcomeStatus.failed
            ? `${what}: ${o.error ?? "failed"}`
            : `${what}: skipped, blocked by ${(o.blockedBy ?? []).join(", ")}`;
        });
      return {
        kind: "failure",
        run,
        problem: "changesFailed",
        message: `${report.failed} of ${plan.changes.length} changes failed${report.skipped > 0 ? ` and ${report.skipped} were skipped` : ""}; the rest were applied.`,
        details,
        failedRuns,
      };
    }
    default:
      return undefined;
  }
}

interface TrackedDrift {
  drift: Record<string, OpenDrift>;
  fresh: DriftItem[];
  reminders: DriftItem[];
  resolved: (DriftItem & { resolvedBy: "idc-sync" | "elsewhere" })[];
}

function trackDrift(
  plan: Plan,
  outcome: RunOutcome,
  previous: RunState,
  now: Date,
  settings: NotificationSettings,
  alerting: boolean,
): TrackedDrift {
  const at = now.toISOString();
  const applied = new Set(
    outcome.kind === "applied"
      ? outcome.report.outcomes.filter((o) => o.status === OutcomeStatus.applied).map((o) => o.key)
      : [],
  );
  const result: TrackedDrift = { drift: {}, fresh: [], reminders: [], resolved: [] };
  const seen = new Set<string>();

  for (const change of plan.changes) {
    if (change.cause !== "drift") continue;
    seen.add(change.key);
    const prior = previous.drift[change.key];
    const item: DriftItem = {
      key: change.key,
      kind: change.kind,
      summary: describeChange(change),
      reason: change.reason,
      firstSeenAt: prior?.firstSeenAt ?? at,
      status: applied.has(change.key) ? "reverted" : "open",
    };
    const announced = prior?.lastAlertAt !== undefined;
    if (item.status === "reverted") {
      // Undone now: people hear about it once, as news or as the end of what they were told.
      if (announced) result.resolved.push({ ...item, resolvedBy: "idc-sync" });
      else result.fresh.push(item);
      continue;
    }
    let lastAlertAt = prior?.lastAlertAt;
    if (!announced) {
      result.fresh.push(item);
      if (alerting) lastAlertAt = at;
    } else if (now.getTime() - Date.parse(prior.lastAlertAt ?? at) >= settings.remindEveryMs) {
      result.reminders.push(item);
      if (alerting) lastAlertAt = at;
    }
    result.drift[change.key] = {
      key: change.key,
      kind: change.kind,
      summary: item.summary,
      reason: change.reason,
      firstSeenAt: item.firstSeenAt,
      lastSeenAt: at,
      ...(lastAlertAt === undefined ? {} : { lastAlertAt }),
    };
  }

  for (const prior of Object.values(previous.drift)) {
    // Never announced means nobody waits for the all-clear.
    if (seen.has(prior.key) || prior.lastAlertAt === undefined) continue;
    result.resolved.push({
      key: prior.key,
      kind: prior.kind,
      summary: prior.summary,
      reason: prior.reason,
      firstSeenAt: prior.firstSeenAt,
      status: "reverted",
      resolvedBy: "elsewhere",
    });
  }
  return result;
}

function appliedChanges(plan: Plan, report: ApplyReport): ChangeLine[] {
  const applied = new Set(
    report.outcomes.filter((o) => o.status === OutcomeStatus.applied).map((o) => o.key),
  );
  return plan.changes.filter((change) => applied.has(change.key)).map(changeLine);
}

function changeLine(change: Change): ChangeLine {
  return {
    key: change.key,
    summary: describeChange(change),
    reason: change.reason,
    ...(change.cause === undefined ? {} : { cause: change.cause }),
  };
}
