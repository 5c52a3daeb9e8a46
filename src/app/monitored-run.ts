/**
 * A sync run that remembers and tells: the use case behind `idc-sync apply` and every Lambda run that
 * is not a plain plan. It loads the run state, runs `runSync` with drift classification (report mode
 * plans only), decides the notices (`decideNotices`, pure), saves the state and a run record, and only
 * then sends the notices: a run killed or timed out while Slack hangs has already saved what it
 * learned. The state is first saved as if no notice got through (so an alert lost with the run is sent
 * again next run), then once more with what was delivered. Slack problems and a refused state save
 * never fail the sync: they come back as warnings.
 */
import { formatRuleIssue } from "../mapping/index.js";
import { approvalAfter, approvalUsedMessage, approvedDigest } from "../notify/approval-state.js";
import {
  type AlertMemory,
  decideNotices,
  type NotificationSettings,
  type RunOutcome,
  rememberUndelivered,
} from "../notify/decide.js";
import { nextAppliedDigests } from "../sync/drift.js";
import { SyncError } from "../sync/errors.js";
import type { JoinerAccess } from "../sync/joiner-access.js";
import type { ApplyReport, Change, Plan } from "../sync/model.js";
import { OutcomeStatus, removalKinds } from "../sync/model.js";
import type { Notice, NoticeRun } from "../sync/notices.js";
import { settleOwnership } from "../sync/ownership.js";
import type { Clock, Notifier, StateStore } from "../sync/ports.js";
import {
  initialRunState,
  type RunRecord,
  type RunState,
  type SlackThread,
  type SyncMode,
} from "../sync/run-state.js";
import { type RunSyncOptions, type RunSyncResult, runSync } from "../sync/run-sync.js";
import { summarizePlan } from "../sync/summary.js";
import { isKeyAboutPeople } from "../sync/targeted/slice.js";

/** Who and what a run is, for notices and the history. */
export interface RunIdentity {
  runId: string;
  trigger: NoticeRun["trigger"];
  /** The run's logs (CloudWatch), when known. */
  logUrl?: string;
}

export interface MonitorContext {
  run: RunIdentity;
  mode: SyncMode;
  clock: Clock;
  stateStore: StateStore;
  /** Absent when no Slack webhook is configured: state and history are still kept. */
  notifier?: Notifier;
  settings: NotificationSettings;
  /**
   * After changes were applied (never in report mode, never when nothing was applied): welcome and
   * farewell messages. Answers warnings; a throw is a warning too.
   */
  afterApply?: (run: {
    plan: Plan;
    report: ApplyReport;
    joiners?: Record<string, JoinerAccess>;
  }) => Promise<string[]>;
  /** Told about each notice as it is sent (or not), for the logs. */
  onNotice?: (notice: Notice, delivery: { delivered: boolean; error?: string }) => void;
}

export type MonitoredRunOptions = Omit<RunSyncOptions, "mode" | "drift"> & MonitorContext;

export interface MonitoredRunResult {
  result: RunSyncResult;
  /** Undefined when the run was declined at the prompt (nothing is recorded then). */
  record?: RunRecord;
  notices: { notice: Notice; delivered: boolean }[];
  /** Slack or state problems that did not stop the run. */
  warnings: string[];
}

/**
 * Runs one sync in `mode` and reports it. A failure to read (Google, Identity Center, the state) is
 * alerted and recorded, then thrown again, so callers exit non-zero as before.
 */
export async function runMonitoredRun(options: MonitoredRunOptions): Promise<MonitoredRunResult> {
  const startedAt = options.clock.now();
  let stored: Awaited<ReturnType<StateStore["load"]>>;
  try {
    stored = await options.stateStore.load();
  } catch (error) {
    // Without the state nothing may be saved over it; the failure is still told and recorded.
    await finish(options, startedAt, undefined, errorOutcome(error), undefined, { save: false });
    throw error;
  }
  const previous = stored.state;
  const {
    clock: _clock,
    stateStore: _store,
    notifier: _notifier,
    settings: _settings,
    run: _run,
    onNotice: _onNotice,
    afterApply: _afterApply,
    ...syncOptions
  } = options;

  let result: RunSyncResult;
  try {
    result = await runSync({
      ...syncOptions,
      mode: options.mode === "report" ? "plan" : "apply",
      drift: { lastApplied: previous?.applied?.digests },
      ownership: { record: previous?.ownership },
      clock: options.clock,
      ...(previous?.revocationNames ? { revocationNames: previous.revocationNames } : {}),
      ...(previous?.managedObjects === undefined ? {} : { fullRunManagedObjects: previous.managedObjects }),
      ...(previous?.knownGroups === undefined ? {} : { knownGroups: previous.knownGroups }),
      ...(approvedDigest(previous) ? { approvedRemovals: approvedDigest(previous) } : {}),
    });
  } catch (error) {
    await finish(options, startedAt, stored, errorOutcome(error), undefined);
    throw error;
  }
  if (result.status === "declined") return { result, notices: [], warnings: [] };
  const outcome: RunOutcome =
    result.status === "invalid"
      ? { kind: "invalid", problems: result.problems.map(formatRuleIssue) }
      : result.status === "planned"
        ? { kind: "reported", plan: result.plan }
        : result.status === "blocked"
          ? { kind: "blocked", plan: result.plan, violations: result.guard.violations }
          : { kind: "applied", plan: result.plan, report: result.report };
  const finished = await finish(options, startedAt, stored, outcome, result);
  if (
    result.status === "applied" &&
    options.mode === "enforce" &&
    options.afterApply &&
    result.report.applied > 0
  ) {
    const greeted = await options
      .afterApply({
        plan: result.plan,
        report: result.report,
        ...(result.joiners ? { joiners: result.joiners } : {}),
      })
      .catch((error: unknown) => [`welcome and farewell messages failed: ${(error as Error).message}`]);
    finished.warnings.push(...greeted);
  }
  return { result, ...finished };
}

/**
 * Alerts and records a run that could not start its sync (the rules file does not load), with the same
 * notices, health tracking and history as any other run.
 */
export async function reportUnrunnableRun(
  context: MonitorContext,
  outcome: Extract<RunOutcome, { kind: "error" | "invalid" }>,
): Promise<Omit<MonitoredRunResult, "result">> {
  const startedAt = context.clock.now();
  let stored: Awaited<ReturnType<StateStore["load"]>> | undefined;
  try {
    stored = await context.stateStore.load();
  } catch {
    stored = undefined;
  }
  return finish(context, startedAt, stored, outcome, undefined, { save: stored !== undefined });
}

async function finish(
  context: MonitorContext,
  startedAt: Date,
  stored: Awaited<ReturnType<StateStore["load"]>> | undefined,
  outcome: RunOutcome,
  result: RunSyncResult | undefined,
  { save }: { save: boolean } = { save: true },
): Promise<Omit<MonitoredRunResult, "result">> {
  const whole = stored?.state ?? initialRunState();
  // A targeted run sees only its people: drift of anyone else is neither seen again nor resolved by it.
  const people = result !== undefined && "targetedPeople" in result ? result.targetedPeople : undefined;
  const untouched = people === undefined ? {} : driftOutside(whole.drift, people);
  const previous: RunState =
    people === undefined
      ? whole
      : {
          ...whole,
          drift: Object.fromEntries(Object.entries(whole.drift).filter(([key]) => !(key in untouched))),
        };
  const run: NoticeRun = {
    runId: context.run.runId,
    trigger: context.run.trigger,
    mode: context.mode,
    at: startedAt.toISOString(),
    ...(context.run.logUrl ? { logUrl: context.run.logUrl } : {}),
  };
  const decision = decideNotices({ now: startedAt, run, previous, outcome, settings: context.settings });
  const warnings: string[] = [];
  const canSave = save && stored !== undefined;
  // Slack app mode: the alerts' threads, as the notifier answers them after each notice.
  let threads = previous.slackThreads ?? {};
  const stateWith = (memory: AlertMemory): RunState => ({
    version: 1,
    ...appliedAfter(previous, result, run),
    drift: { ...untouched, ...memory.drift },
    // Owed only where someone can be told: without Slack there is nobody to tell later either.
    ...(context.notifier && memory.pendingDriftAlerts.length > 0
      ? { pendingDriftAlerts: memory.pendingDriftAlerts }
      : {}),
    health: decision.health,
    ...ownershipAfter(previous, result),
    ...revocationNamesAfter(previous, result),
    ...managedObjectsAfter(previous, result, people),
    ...knownGroupsAfter(previous, result),
    ...(memory.externallyProvisionedReported === undefined
      ? {}
      : { externallyProvisionedReported: memory.externallyProvisionedReported }),
    ...slackStateAfter(previous, outcome, run, threads),
  });

  // As if nothing will be delivered: what the next run must know should this one die mid-alert.
  const delivered: AlertMemory = {
    drift: decision.drift,
    pendingDriftAlerts: decision.pendingDriftAlerts,
    ...(decision.externallyProvisionedReported === undefined
      ? {}
      : { externallyProvisionedReported: decision.externallyProvisionedReported }),
  };
  const undelivered = decision.notices.reduce(
    (memory, notice) => rememberUndelivered(memory, notice, previous),
    delivered,
  );
  let revision = stored?.revision;
  let saved = false;
  if (canSave) {
    try {
      revision = await context.stateStore.save(stateWith(undelivered), revision);
      saved = true;
    } catch (error) {
      warnings.push(`the run state was not saved: ${(error as Error).message}`);
    }
  }

  const plan = result && "plan" in result ? result.plan : undefined;
  const report = result?.status === "applied" ? result.report : undefined;
  const message = [
    messageOf(outcome),
    outcome.kind === "applied" ? approvalUsedMessage(previous.approval, outcome.plan) : undefined,
  ]
    .filter((part) => part !== undefined)
    .join("; ");
  const record: RunRecord = {
    runId: context.run.runId,
    startedAt: startedAt.toISOString(),
    finishedAt: context.clock.now().toISOString(),
    trigger: context.run.trigger,
    mode: context.mode,
    status: decision.status,
    ...(plan ? { plan: pickCounts(summarizePlan(plan)), causes: causesOf(plan.changes) } : {}),
    ...(report ? { applied: report.applied, failed: report.failed } : {}),
    ...(message ? { message } : {}),
    ...(context.run.logUrl ? { logUrl: context.run.logUrl } : {}),
  };
  try {
    await context.stateStore.recordRun(record);
  } catch (error) {
    warnings.push(`the run was not recorded in the history: ${(error as Error).message}`);
  }

  let memory = delivered;
  const sent: MonitoredRunResult["notices"] = [];
  const threadsBefore = threads;
  for (const notice of decision.notices) {
    const delivery = context.notifier
      ? await context.notifier.notify(notice, { threads }).catch((error: unknown) => ({
          delivered: false as const,
          error: (error as Error).message ?? String(error),
        }))
      : ({ delivered: false, error: "no Slack webhook configured" } as const);
    context.onNotice?.(notice, delivery);
    if (delivery.delivered && delivery.threads) threads = delivery.threads;
    sent.push({ notice, delivered: delivery.delivered });
    if (!delivery.delivered) {
      memory = rememberUndelivered(memory, notice, previous);
      if (context.notifier) warnings.push(`the ${notice.kind} notice was not delivered: ${delivery.error}`);
    }
  }

  // Only what was delivered moves the state on from the copy saved before sending.
  if (
    saved &&
    sent.some((entry) => entry.delivered) &&
    (changesMemory(undelivered, memory) || threads !== threadsBefore)
  ) {
    try {
      await context.stateStore.save(stateWith(memory), revision);
    } catch (error) {
      warnings.push(`the run state was not updated after alerting: ${(error as Error).message}`);
    }
  }

  return { record, notices: sent, warnings };
}

/** The Slack threads and the approval to keep after a run. */
function slackStateAfter(
  previous: RunState,
  outcome: RunOutcome,
  run: NoticeRun,
  threads: Record<string, SlackThread>,
): Pick<RunState, "slackThreads" | "approval"> {
  const approval = approvalAfter(
    previous.approval,
    outcome.kind === "blocked"
      ? { kind: "blocked", plan: outcome.plan, violations: outcome.violations, runId: run.runId, at: run.at }
      : outcome.kind === "applied"
        ? { kind: "applied", plan: outcome.plan }
        : { kind: "other" },
  );
  return {
    ...(Object.keys(threads).length > 0 ? { slackThreads: threads } : {}),
    ...(approval ? { approval } : {}),
  };
}

function changesMemory(before: AlertMemory, after: AlertMemory): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

/** Changes that add one managed object (as `Plan.managedObjectCount` counts them). */
const countedCreations: ReadonlySet<string> = new Set([
  "createUser",
  "createGroup",
  "addMember",
  "createPermissionSet",
  "createAssignment",
]);

/** The managed-object count to keep: a full run's own, else the last full run's. */
function managedObjectsAfter(
  previous: RunState,
  result: RunSyncResult | undefined,
  people: readonly string[] | undefined,
): Pick<RunState, "managedObjects"> {
  if (people === undefined && result !== undefined && "plan" in result) {
    // The plan counted what it found; what the apply added and removed is what the next run will find.
    const done =
      result.status === "applied"
        ? new Set(result.report.outcomes.filter((o) => o.status === OutcomeStatus.applied).map((o) => o.key))
        : new Set<string>();
    let count = result.plan.managedObjectCount;
    for (const change of result.plan.changes) {
      if (!done.has(change.key)) continue;
      if (countedCreations.has(change.kind)) count += 1;
      else if (removalKinds.has(change.kind)) count -= 1;
    }
    return { managedObjects: Math.max(0, count) };
  }
  return previous.managedObjects === undefined ? {} : { managedObjects: previous.managedObjects };
}

/**
 * The groups to remember: a full run's read, less the groups its apply deleted (a group it created is
 * not known by id here; a targeted run describes it when someone turns out to be in it), else the last
 * full run's.
 */
function knownGroupsAfter(
  previous: RunState,
  result: RunSyncResult | undefined,
): Pick<RunState, "knownGroups"> {
  if (result !== undefined && "groupsRead" in result && result.groupsRead !== undefined) {
    const applied =
      result.status === "applied"
        ? new Set(result.report.outcomes.filter((o) => o.status === OutcomeStatus.applied).map((o) => o.key))
        : new Set<string>();
    const deleted = new Set(
      result.plan.changes.flatMap((change) =>
        change.kind === "deleteGroup" && applied.has(change.key) ? [change.displayName] : [],
      ),
    );
    return { knownGroups: result.groupsRead.filter((group) => !deleted.has(group.displayName)) };
  }
  return previous.knownGroups === undefined ? {} : { knownGroups: previous.knownGroups };
}

/** The open drift that is not about these people (lower-case userNames). */
function driftOutside(drift: RunState["drift"], people: readonly string[]): RunState["drift"] {
  const names = new Set(people);
  return Object.fromEntries(Object.entries(drift).filter(([key]) => !isKeyAboutPeople(key, names)));
}

/** The digests to keep: every item now in step takes this run's; the rest keep what was known. */
function appliedAfter(
  previous: RunState,
  result: RunSyncResult | undefined,
  run: NoticeRun,
): Pick<RunState, "applied"> {
  if (
    result === undefined ||
    result.status === "invalid" ||
    result.status === "declined" ||
    !result.digests
  ) {
    return previous.applied ? { applied: previous.applied } : {};
  }
  const unsettled = unsettledChanges(result);
  return {
    applied: {
      digests: nextAppliedDigests(result.digests, previous.applied?.digests, unsettled),
      runId: run.runId,
      at: run.at,
    },
  };
}

/** The ownership record to keep: the plan's, corrected for the changes that did not happen. */
function ownershipAfter(previous: RunState, result: RunSyncResult | undefined): Pick<RunState, "ownership"> {
  const kept = previous.ownership ? { ownership: previous.ownership } : {};
  if (result === undefined || result.status === "invalid" || result.status === "declined") return kept;
  const settled = settleOwnership(result.plan, previous.ownership, unsettledChanges(result));
  return settled ? { ownership: settled } : kept;
}

/**
 * The names of the leavers' denies to remember: after an apply, those the plan leaves in force; else
 * the ones known before and the new ones (labels only, so a superset does no harm).
 */
function revocationNamesAfter(
  previous: RunState,
  result: RunSyncResult | undefined,
): Pick<RunState, "revocationNames"> {
  const before = previous.revocationNames;
  const planned =
    result === undefined || result.status === "invalid" || result.status === "declined"
      ? undefined
      : result.revocationNames;
  const names = result?.status === "applied" ? (planned ?? before) : { ...before, ...planned };
  return names === undefined || Object.keys(names).length === 0 ? {} : { revocationNames: names };
}

/** The planned changes that did not happen: all of them unless the plan was applied. */
function unsettledChanges(result: Extract<RunSyncResult, { plan: unknown }>): Change[] {
  // Held-back removals are not in step: the next run must still see them as owed, not as drift.
  const heldBack = result.plan.heldBack?.changes ?? [];
  if (result.status !== "applied") return [...result.plan.changes, ...heldBack];
  const done = new Set(
    result.report.outcomes.filter((o) => o.status === OutcomeStatus.applied).map((o) => o.key),
  );
  return [...result.plan.changes.filter((change) => !done.has(change.key)), ...heldBack];
}

/** A thrown error as a run outcome: its class and message, and its cause. */
export function errorOutcome(error: unknown): Extract<RunOutcome, { kind: "error" }> {
  if (error instanceof SyncError) {
    const cause =
      error.cause instanceof Error ? [`caused by ${error.cause.name}: ${error.cause.message}`] : [];
    return { kind: "error", message: `${error.name}: ${error.message}`, details: cause };
  }
  return {
    kind: "error",
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

function messageOf(outcome: RunOutcome): string | undefined {
  switch (outcome.kind) {
    case "error":
      return outcome.message;
    case "invalid":
      return outcome.problems.slice(0, 3).join("; ");
    case "blocked":
      return outcome.violations.map((violation) => violation.message).join(" ");
    case "applied":
      return outcome.report.failed > 0 ? `${outcome.report.failed} changes failed` : undefined;
    default:
      return undefined;
  }
}

function pickCounts(summary: { add: number; change: number; remove: number }) {
  return { add: summary.add, change: summary.change, remove: summary.remove };
}

function causesOf(changes: Change[]): RunRecord["causes"] {
  const causes: NonNullable<RunRecord["causes"]> = {};
  for (const change of changes) if (change.cause) causes[change.cause] = (causes[change.cause] ?? 0) + 1;
  return causes;
}
