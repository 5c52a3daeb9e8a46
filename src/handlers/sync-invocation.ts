/**
 * One invocation of the sync function, free of middy and of the Lambda runtime: parse the event, load
 * the rules, build the ports, run the job (`runJob`, the use case the CLI calls), log, and return a
 * summary. Everything outside comes in through `SyncHandlerDependencies`, so tests drive it with file
 * and in-memory adapters. A failure before the job could alert is alerted by `alertFailureBeforeJob`.
 */
import { randomUUID } from "node:crypto";
import { loadRules } from "../adapters/file/rules-file.js";
import { isMonitoredJob, type JobOptions, jobModeFor, runJob } from "../app/job.js";
import { errorOutcome, type MonitorContext, reportUnrunnableRun } from "../app/monitored-run.js";
import { formatRuleIssue, type Rules } from "../mapping/index.js";
import { defaultNotificationSettings } from "../notify/decide.js";
import { notificationSettingsFromRules } from "../notify/settings.js";
import { SyncError } from "../sync/errors.js";
import type { GuardVerdict } from "../sync/guards.js";
import type { ApplyReport, Change, ChangeKind, ChangeOutcome, Plan } from "../sync/model.js";
import { OutcomeStatus } from "../sync/model.js";
import type { Notice } from "../sync/notices.js";
import type { Clock, Notifier, StateStore } from "../sync/ports.js";
import { renderPlanText } from "../sync/render.js";
import type { SyncScope } from "../sync/run-scope.js";
import type { SyncMode } from "../sync/run-state.js";
import type { SyncPorts } from "../sync/run-sync.js";
import { type PlanSummary, summarizePlan } from "../sync/summary.js";
import { manualPayloadExample, parseSyncEvent, type SyncRequest, type SyncTrigger } from "./sync-event.js";

/** The part of the Lambda context the handler reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  /** For the link to the run's logs in alerts. */
  logGroupName?: string;
  logStreamName?: string;
}

/** Structured logging, as Powertools Logger does it; tests pass a recorder. */
export interface SyncLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
  appendKeys(keys: Record<string, unknown>): void;
}

export interface SyncHandlerDependencies {
  /** Absolute path of the rules file (bundled with the function). */
  rulesPath: string;
  /** Builds the ports for these rules: live Google and AWS in Lambda, files or memory in tests. */
  buildPorts(rules: Rules): Promise<SyncPorts>;
  logger: SyncLogger;
  /**
   * No change starts once less than this is left before the Lambda timeout: a change already started
   * (an assignment being provisioned) must have time to finish, and the summary time to be logged.
   */
  deadlineMarginMs: number;
  /** Changes in flight at once; the adapters still keep to the API limits. */
  concurrency?: number;
  newRunId?: () => string;
  /**
   * Keeps drift, run health and the run history. Without it, runs neither classify drift nor alert
   * (the behaviour before issue #6).
   */
  stateStore?: StateStore;
  /** Slack, when configured; asked for once per run that may alert. */
  notifier?: () => Promise<Notifier | undefined>;
  /** Welcome and farewell messages after an apply (Slack app mode). */
  afterApply?: MonitorContext["afterApply"];
  clock?: Clock;
  /** The run's scope when the event names no subjects: the queue consumer's batch. Default: full. */
  scope?: SyncScope;
  /** The link to this invocation's logs, for alerts and the history. */
  logUrl?: (context: LambdaContextLike) => string | undefined;
}

/** How many keys a summary lists before it only counts (a Lambda response is at most 6 MB). */
export const listedKeysLimit = 200;
/** How much plan text a plan response carries (the full plan is in the logs, change by change). */
export const planTextLimit = 200_000;

export interface ApplySummary {
  applied: number;
  failed: number;
  skipped: number;
  notStarted: number;
  /** True when the deadline stopped the apply; the next run picks up what is left. */
  stoppedByDeadline: boolean;
  failures: { key: string; kind: string; error: string }[];
  /** Keys of the changes left for the next run (notStarted), at most `listedKeysLimit`. */
  left: string[];
  /** Applied and failed changes per kind; kinds with neither are left out. */
  byKind: Partial<Record<ChangeKind, { applied: number; failed: number }>>;
}

export type SyncInvocationResult = {
  runId: string;
  /** True when the run did what it was asked and nothing failed. */
  ok: boolean;
  warnings?: string[];
  /** Planned changes that undo drift (made outside idc-sync), when the run keeps state. */
  drift?: number;
  /** What was posted to Slack (or could not be). */
  notices?: { kind: Notice["kind"]; delivered: boolean }[];
} & (
  | { status: "rejected"; problems: string[]; hint: string }
  | { status: "invalid"; trigger: SyncTrigger; mode: SyncRequest["mode"]; problems: string[] }
  | {
      status: "planned";
      trigger: SyncTrigger;
      mode: "plan";
      plan: PlanSummary;
      guard: GuardVerdict;
      planText: string;
    }
  | {
      status: "blocked";
      trigger: SyncTrigger;
      mode: "apply";
      plan: PlanSummary;
      guard: Extract<GuardVerdict, { ok: false }>;
      planText: string;
    }
  | { status: "applied"; trigger: SyncTrigger; mode: "apply"; plan: PlanSummary; apply: ApplySummary }
  /** Report mode: drift detected and alerted, nothing changed. */
  | { status: "reported"; trigger: SyncTrigger; mode: "report"; plan: PlanSummary; planText: string }
);

/**
 * Runs one invocation. Bad events, rules mistakes and guard stops come back as values (nothing is
 * changed); infrastructure failures are logged with the run id and thrown, so the invocation fails and
 * the Lambda error metric sees it.
 */
export async function handleSyncInvocation(
  event: unknown,
  context: LambdaContextLike,
  deps: SyncHandlerDependencies,
): Promise<SyncInvocationResult> {
  const { logger } = deps;
  const runId = (deps.newRunId ?? randomUUID)();
  logger.appendKeys({ runId });

  const parsed = parseSyncEvent(event);
  if (!parsed.ok) {
    logger.warn("event rejected, nothing was run", { problems: parsed.problems });
    return {
      runId,
      ok: false,
      status: "rejected",
      problems: parsed.problems,
      hint: `invoke with ${manualPayloadExample}`,
    };
  }
  const { trigger, mode, allowDeletions, subjects } = parsed.request;
  logger.appendKeys({ trigger, mode });
  logger.info("sync started", {
    rulesPath: deps.rulesPath,
    ...(allowDeletions === undefined ? {} : { allowDeletions }),
  });

  // Set once a monitored job has the run in hand: from then on it alerts about its own failures.
  let monitored = false;
  try {
    const loaded = await loadRules(deps.rulesPath);
    if (!loaded.ok) {
      const problems = loaded.issues.map(formatRuleIssue);
      logger.error("the rules file has problems, nothing was changed", { problems });
      const told =
        mode === "plan" || deps.stateStore === undefined
          ? undefined
          : await reportUnrunnableRun(
              // The rules are what name the topics; unreadable rules get the defaults (failures alert).
              await monitorContext(deps, context, runId, trigger, mode === "report" ? "report" : "enforce", {
                settings: defaultNotificationSettings,
              }),
              { kind: "invalid", problems },
            );
      return {
        runId,
        ok: false,
        status: "invalid",
        trigger,
        mode,
        problems,
        ...(told ? { notices: noticeList(told.notices) } : {}),
      };
    }
    const warnings = loaded.warnings.map(formatRuleIssue);
    for (const warning of warnings) logger.warn("rules warning", { warning });

    const ports = await deps.buildPorts(loaded.rules);
    const deadline = deadlineCheck(context, deps.deadlineMarginMs, (remainingMs) =>
      logger.warn("deadline near: no new change starts; the next run picks up the rest", { remainingMs }),
    );
    let planLogged = false;
    const logPlan = (plan: Plan) => {
      if (planLogged) return;
      planLogged = true;
      logger.info("plan", { summary: summarizePlan(plan), managedObjectCount: plan.managedObjectCount });
    };

    // A scheduled run follows the rules' sync.mode; a manual apply enforces, a manual report reports.
    const jobMode = jobModeFor(mode, loaded.rules, { followRules: trigger === "schedule" });
    logger.appendKeys({ syncMode: jobMode });
    monitored = isMonitoredJob(jobMode, deps.stateStore);
    const job = await runJob({
      rules: loaded.rules,
      ports,
      mode: jobMode,
      ...(allowDeletions === undefined ? {} : { allowDeletions }),
      ...(subjects !== undefined
        ? { scope: { kind: "targeted" as const, subjects } }
        : deps.scope === undefined
          ? {}
          : { scope: deps.scope }),
      ...(deps.concurrency === undefined ? {} : { concurrency: deps.concurrency }),
      shouldContinue: deadline.shouldContinue,
      // Nobody is there to confirm a scheduled run; this hook is where the plan is known and nothing is
      // applied yet, so the plan is logged here, ahead of the changes.
      confirm: async (plan: Plan) => {
        logPlan(plan);
        return true;
      },
      onOutcome: (outcome: ChangeOutcome, change: Change) => logOutcome(logger, outcome, change),
      clock: deps.clock ?? { now: () => new Date() },
      ...(deps.stateStore === undefined ? {} : { stateStore: deps.stateStore }),
      ...(monitored
        ? {
            monitor: await monitorOf(deps, context, runId, trigger, {
              settings: notificationSettingsFromRules(loaded.rules),
            }),
          }
        : {}),
      onStateUnreadable: (error) =>
        logger.warn("the run state cannot be read; the plan falls back to the rules and managed-by tags", {
          error: errorDetails(error),
        }),
    });
    for (const warning of job.warnings) logger.warn("run reporting problem", { warning });
    const result = job.result;
    const told: Pick<SyncInvocationResult, "notices"> = monitored ? { notices: noticeList(job.notices) } : {};
    const syncMode = jobMode;
    const allWarnings = [...warnings, ...(result.status === "invalid" ? [] : result.warnings)];
    const warningsField = {
      ...(allWarnings.length > 0 ? { warnings: allWarnings } : {}),
      ...told,
      ...("plan" in result && result.plan.changes.some((change) => change.cause !== undefined)
        ? { drift: result.plan.changes.filter((change) => change.cause === "drift").length }
        : {}),
    };

    switch (result.status) {
      case "invalid": {
        const problems = result.problems.map(formatRuleIssue);
        logger.error("the rules do not fit the directory or the organization, nothing was changed", {
          problems,
        });
        return { runId, ok: false, status: "invalid", trigger, mode, problems, ...warningsField };
      }
      case "planned": {
        logPlan(result.plan);
        for (const change of result.plan.changes) {
          logger.info("planned change", {
            key: change.key,
            kind: change.kind,
            reason: change.reason,
            ...(change.cause ? { cause: change.cause } : {}),
          });
        }
        if (syncMode === "report") {
          logger.info("report finished: nothing was changed", { summary: summarizePlan(result.plan) });
          return {
            runId,
            ok: true,
            status: "reported",
            trigger,
            mode: "report",
            plan: summarizePlan(result.plan),
            planText: capText(renderPlanText(result.plan)),
            ...warningsField,
          };
        }
        if (!result.guard.ok) logger.warn("apply would stop at a safety guard", { guard: result.guard });
        return {
          runId,
          ok: true,
          status: "planned",
          trigger,
          mode: "plan",
          plan: summarizePlan(result.plan),
          guard: result.guard,
          planText: capText(renderPlanText(result.plan)),
          ...warningsField,
        };
      }
      case "blocked":
        logPlan(result.plan);
        logger.error("stopped by a safety guard, nothing was applied", { guard: result.guard });
        return {
          runId,
          ok: false,
          status: "blocked",
          trigger,
          mode: "apply",
          plan: summarizePlan(result.plan),
          guard: result.guard,
          planText: capText(renderPlanText(result.plan)),
          ...warningsField,
        };
      case "declined":
        throw new Error("a run with automatic confirmation was declined");
      case "applied": {
        logPlan(result.plan);
        const apply = applySummary(result.report, deadline.stopped());
        const ok = apply.failed === 0 && apply.skipped === 0;
        const log = ok ? logger.info.bind(logger) : logger.error.bind(logger);
        log("sync finished", {
          apply: { ...apply, failures: apply.failures.length, left: apply.left.length },
        });
        return {
          runId,
          ok,
          status: "applied",
          trigger,
          mode: "apply",
          plan: summarizePlan(result.plan),
          apply,
          ...warningsField,
        };
      }
    }
  } catch (error) {
    logger.error("sync failed", { error: errorDetails(error) });
    if (!monitored) await alertFailureBeforeJob(error, deps, context, { runId, trigger, mode });
    throw error;
  }
}

/**
 * A run that failed before the job had it in hand (credentials, instance discovery) is still alerted
 * and recorded, as the job does for its own failures; a plan tells nobody. A failure to report is only
 * logged: the invocation fails with the original error.
 */
async function alertFailureBeforeJob(
  error: unknown,
  deps: SyncHandlerDependencies,
  context: LambdaContextLike,
  { runId, trigger, mode }: { runId: string; trigger: SyncTrigger; mode: SyncRequest["mode"] },
): Promise<void> {
  if (mode === "plan" || deps.stateStore === undefined) return;
  const syncMode = mode === "report" ? "report" : "enforce";
  await monitorContext(deps, context, runId, trigger, syncMode, { settings: defaultNotificationSettings })
    .then((monitor) => reportUnrunnableRun(monitor, errorOutcome(error)))
    .catch((reportError: unknown) =>
      deps.logger.warn("the failure could not be reported", { error: errorDetails(reportError) }),
    );
}

/** Who the run is and whom to tell: what a monitored job needs from the Lambda. */
async function monitorOf(
  deps: SyncHandlerDependencies,
  context: LambdaContextLike,
  runId: string,
  trigger: SyncTrigger,
  { settings }: Pick<MonitorContext, "settings">,
): Promise<NonNullable<JobOptions["monitor"]>> {
  const logUrl = deps.logUrl?.(context);
  const notifier = await deps.notifier?.();
  return {
    run: { runId, trigger, ...(logUrl ? { logUrl } : {}) },
    ...(notifier ? { notifier } : {}),
    ...(deps.afterApply ? { afterApply: deps.afterApply } : {}),
    settings,
    onNotice: (notice, delivery) => {
      if (delivery.delivered) deps.logger.info("notice posted", { notice: notice.kind });
      else if (notifier)
        deps.logger.warn("notice not delivered", { notice: notice.kind, error: delivery.error });
    },
  };
}

/** The whole monitor context, for a run that never reached the job (it is told and recorded all the same). */
async function monitorContext(
  deps: SyncHandlerDependencies,
  context: LambdaContextLike,
  runId: string,
  trigger: SyncTrigger,
  mode: SyncMode,
  { settings }: Pick<MonitorContext, "settings">,
): Promise<MonitorContext> {
  const stateStore = deps.stateStore;
  if (stateStore === undefined) throw new Error("monitorContext needs a state store");
  return {
    ...(await monitorOf(deps, context, runId, trigger, { settings })),
    mode,
    clock: deps.clock ?? { now: () => new Date() },
    stateStore,
  };
}

function noticeList(
  notices: { notice: Notice; delivered: boolean }[],
): NonNullable<SyncInvocationResult["notices"]> {
  return notices.map(({ notice, delivered }) => ({ kind: notice.kind, delivered }));
}

/** `shouldContinue` for runSync: true while more than `marginMs` remain; tells once when it stops. */
export function deadlineCheck(
  context: LambdaContextLike,
  marginMs: number,
  onStop: (remainingMs: number) => void,
): { shouldContinue: () => boolean; stopped: () => boolean } {
  let stopped = false;
  return {
    shouldContinue: () => {
      if (stopped) return false;
      const remainingMs = context.getRemainingTimeInMillis();
      if (remainingMs > marginMs) return true;
      stopped = true;
      onStop(remainingMs);
      return false;
    },
    stopped: () => stopped,
  };
}

function applySummary(report: ApplyReport, stoppedByDeadline: boolean): ApplySummary {
  const failures = report.outcomes
    .filter((outcome) => outcome.status === OutcomeStatus.failed)
    .map((outcome) => ({ key: outcome.key, kind: outcome.kind, error: outcome.error ?? "failed" }));
  const left = report.outcomes
    .filter((outcome) => outcome.status === OutcomeStatus.notStarted)
    .map((outcome) => outcome.key);
  const byKind: ApplySummary["byKind"] = {};
  for (const outcome of report.outcomes) {
    if (outcome.status !== OutcomeStatus.applied && outcome.status !== OutcomeStatus.failed) continue;
    const counts = byKind[outcome.kind] ?? { applied: 0, failed: 0 };
    counts[outcome.status] += 1;
    byKind[outcome.kind] = counts;
  }
  return {
    applied: report.applied,
    failed: report.failed,
    skipped: report.skipped,
    notStarted: report.notStarted,
    stoppedByDeadline,
    failures: failures.slice(0, listedKeysLimit),
    left: left.slice(0, listedKeysLimit),
    byKind,
  };
}

function logOutcome(logger: SyncLogger, outcome: ChangeOutcome, change: Change): void {
  const attributes = { key: outcome.key, kind: outcome.kind, status: outcome.status, reason: change.reason };
  if (outcome.status === OutcomeStatus.applied) logger.info("change applied", attributes);
  else if (outcome.status === OutcomeStatus.failed)
    logger.error("change failed", { ...attributes, error: outcome.error });
  else if (outcome.status === OutcomeStatus.skipped) {
    logger.warn("change skipped", { ...attributes, blockedBy: outcome.blockedBy });
  }
  // notStarted is counted in the summary; a line per left-over change would only repeat it.
}

function capText(text: string): string {
  if (text.length <= planTextLimit) return text;
  return `${text.slice(0, planTextLimit)}\n… (cut; the whole plan is in the logs, one "planned change" line each)\n`;
}

function errorDetails(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  const kind = error instanceof SyncError ? { kind: error.kind } : {};
  return { name: error.name, message: error.message, ...kind, ...cause };
}
