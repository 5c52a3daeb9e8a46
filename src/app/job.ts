/**
 * The one use case both doors call: `idc-sync plan` / `idc-sync apply` and every Lambda invocation.
 * A job is a mode (plan, enforce, report) over a scope (the whole directory, or what an event names),
 * with the run state when there is one:
 * - `plan` reads the state (drift digests, ownership) but never writes it, and tells nobody;
 * - `enforce` and `report` with a state store are monitored runs (`runMonitoredRun`): the state is
 *   saved, the history kept and Slack told;
 * - without a state store they are plain `runSync` runs (no drift, no alerts).
 * The doors only translate their input into `JobOptions` and the `JobResult` into their output.
 */
import type { Rules } from "../mapping/index.js";
import { syncModeFromRules } from "../notify/settings.js";
import { SyncError } from "../sync/errors.js";
import type { Notice } from "../sync/notices.js";
import type { StateStore } from "../sync/ports.js";
import { fullScope, type SyncScope } from "../sync/run-scope.js";
import { type RunSyncOptions, type RunSyncResult, runSync } from "../sync/run-sync.js";
import { type MonitorContext, runMonitoredRun } from "./monitored-run.js";

/** What a job does: `plan` changes nothing; `enforce` applies; `report` detects drift and alerts. */
export type JobMode = "plan" | "enforce" | "report";

/**
 * The mode a door's word asks for. `apply` (the CLI command, the Lambda event `{"mode":"apply"}`) means
 * enforce, unless `followRules` says the rules' `sync.mode` decides (the schedule, `apply` without
 * `--mode`), which may turn it into a report.
 */
export function jobModeFor(
  requested: JobMode | "apply",
  rules: Rules,
  { followRules }: { followRules: boolean },
): JobMode {
  if (requested !== "apply") return requested;
  return followRules ? syncModeFromRules(rules) : "enforce";
}

export interface JobOptions extends Omit<RunSyncOptions, "mode" | "drift" | "ownership" | "revocationNames"> {
  mode: JobMode;
  /** What the run is about: the whole directory (default), or the people and groups an event names. */
  scope?: SyncScope;
  /**
   * The run state. A plan reads it (so it shows the plan an apply would make); enforce and report
   * read and save it, keep the history and alert. Without it nothing is classified as drift or alerted.
   */
  stateStore?: StateStore;
  /** Who the run is and whom to tell, for monitored runs (enforce and report with a state store). */
  monitor?: Omit<MonitorContext, "mode" | "stateStore" | "clock">;
  /** A plan goes on without a state it cannot read (unclassified, rules and tags only); told why. */
  onStateUnreadable?: (error: unknown) => void;
}

export interface JobResult {
  result: RunSyncResult;
  /** What was posted to Slack (or could not be): monitored runs only. */
  notices: { notice: Notice; delivered: boolean }[];
  /** Slack or state problems that did not stop the run. */
  warnings: string[];
}

/**
 * True when the job alerts and records its own failures (a monitored run); a door alerts about
 * failures before the job only when this is true, so nothing is told twice.
 */
export function isMonitoredJob(mode: JobMode, stateStore: StateStore | undefined): boolean {
  return mode !== "plan" && stateStore !== undefined;
}

export async function runJob(options: JobOptions): Promise<JobResult> {
  const { mode, scope = fullScope, stateStore, monitor, onStateUnreadable, ...syncOptions } = options;
  if (mode === "plan") {
    const remembered = stateStore === undefined ? {} : await rememberedForPlan(stateStore, onStateUnreadable);
    const result = await runSync({ ...syncOptions, ...remembered, scope, mode: "plan" });
    return { result, notices: [], warnings: [] };
  }
  if (stateStore !== undefined) {
    // A bug in a door, not a user mistake: a monitored run must know who it is and whom to tell.
    if (monitor === undefined) throw new SyncError(`a ${mode} job with a state store needs \`monitor\``);
    const run = await runMonitoredRun({
      ...syncOptions,
      ...monitor,
      scope,
      mode,
      stateStore,
      clock: syncOptions.clock ?? { now: () => new Date() },
    });
    return { result: run.result, notices: run.notices, warnings: run.warnings };
  }
  const result = await runSync({ ...syncOptions, scope, mode: mode === "report" ? "plan" : "apply" });
  return { result, notices: [], warnings: [] };
}

/**
 * What a plan reads from the state it never writes: the drift digests and the ownership record, so the
 * plan it shows is the plan an apply would make. Unreadable state only loses those.
 */
async function rememberedForPlan(
  stateStore: StateStore,
  onStateUnreadable: ((error: unknown) => void) | undefined,
): Promise<
  Pick<RunSyncOptions, "drift" | "ownership" | "revocationNames" | "fullRunManagedObjects" | "knownGroups">
> {
  try {
    const { state } = await stateStore.load();
    return {
      drift: { lastApplied: state?.applied?.digests },
      ownership: { record: state?.ownership },
      ...(state?.revocationNames ? { revocationNames: state.revocationNames } : {}),
      // A targeted plan checks a percentage maxDeletions against the last full run's size.
      ...(state?.managedObjects === undefined ? {} : { fullRunManagedObjects: state.managedObjects }),
      ...(state?.knownGroups === undefined ? {} : { knownGroups: state.knownGroups }),
    };
  } catch (error) {
    onStateUnreadable?.(error);
    return {};
  }
}
