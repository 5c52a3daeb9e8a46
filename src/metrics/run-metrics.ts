/**
 * What one invocation of the sync function tells CloudWatch: a pure function from how the run ended
 * (the handler's answer, or the error it threw) and what was measured on the way (read time, API calls)
 * to metric values. The Lambda entry publishes them with Powertools Metrics (EMF); the alarms in
 * deploy/serverless/alarms.yml read `RunFailed`, `GuardStops` and `RunSucceeded`.
 */
import type { ApiCallCounts, ApiService } from "../adapters/api-calls.js";
import type { SyncInvocationResult } from "../handlers/sync-invocation.js";

/** The CloudWatch namespace of every idc-sync metric. */
export const metricsNamespace = "IdcSync";

export const RunMetric = {
  /** 1 for a run that did its job: an apply with no failed or skipped change, or a report-mode run. */
  runSucceeded: "RunSucceeded",
  /** 1 for a run that failed: an error thrown (nothing applied after it), invalid rules, a failed change. */
  runFailed: "RunFailed",
  /** 1 for an apply a safety guard stopped before anything changed. */
  guardStops: "GuardStops",
  /** Planned changes that undo drift (changes made outside idc-sync), when the run keeps state. */
  driftFound: "DriftFound",
  changesPlanned: "ChangesPlanned",
  /** Also per change kind (dimension `Kind`). */
  changesApplied: "ChangesApplied",
  /** Also per change kind (dimension `Kind`). */
  changesFailed: "ChangesFailed",
  /** Skipped because a change they depend on failed. */
  changesSkipped: "ChangesSkipped",
  /** Left for the next run because the Lambda deadline came. */
  changesNotStarted: "ChangesNotStarted",
  /** From the first read (Google, Organizations, Identity Center) to the end of the last. */
  readTime: "ReadTime",
  /** Requests to Google and AWS, retries included; also per service (dimension `Service`). */
  apiCalls: "ApiCalls",
  /** Answers that were the service throttling idc-sync; also per service (dimension `Service`). */
  throttles: "Throttles",
} as const;
export type RunMetric = (typeof RunMetric)[keyof typeof RunMetric];

export const MetricUnit = { count: "Count", milliseconds: "Milliseconds" } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface MetricValue {
  name: RunMetric;
  unit: MetricUnit;
  value: number;
  /** Dimensions beyond the ones every idc-sync metric has (service, function). */
  dimensions?: { Kind: string } | { Service: ApiService };
}

/** How the invocation ended: the handler's answer, or a thrown error (an infrastructure failure). */
export type RunEnd = { result: SyncInvocationResult } | { error: unknown };

export interface RunMeasurements {
  /** Undefined when nothing was read (a rejected event, unreadable rules). */
  readMs?: number;
  calls?: ApiCallCounts;
}

/** The metric values of one invocation, in a stable order. */
export function runMetrics(end: RunEnd, measured: RunMeasurements = {}): MetricValue[] {
  const count = (name: RunMetric, value: number): MetricValue => ({ name, unit: MetricUnit.count, value });
  const values: MetricValue[] = [];
  const result = "result" in end ? end.result : undefined;

  const succeeded = result?.ok === true && (result.status === "applied" || result.status === "reported");
  // A rejected manual payload is answered to the person who sent it; it is not a failed sync.
  const failed =
    result === undefined || result.status === "invalid" || (result.status === "applied" && !result.ok);
  values.push(count(RunMetric.runSucceeded, succeeded ? 1 : 0));
  values.push(count(RunMetric.runFailed, failed ? 1 : 0));
  values.push(count(RunMetric.guardStops, result?.status === "blocked" ? 1 : 0));

  if (result !== undefined && "plan" in result) {
    values.push(count(RunMetric.changesPlanned, result.plan.add + result.plan.change + result.plan.remove));
    if (result.drift !== undefined) values.push(count(RunMetric.driftFound, result.drift));
  }
  if (result?.status === "applied") {
    const { apply } = result;
    values.push(count(RunMetric.changesApplied, apply.applied));
    values.push(count(RunMetric.changesFailed, apply.failed));
    values.push(count(RunMetric.changesSkipped, apply.skipped));
    values.push(count(RunMetric.changesNotStarted, apply.notStarted));
    for (const [kind, counts] of Object.entries(apply.byKind).sort(([a], [b]) => a.localeCompare(b))) {
      if (counts.applied > 0)
        values.push({ ...count(RunMetric.changesApplied, counts.applied), dimensions: { Kind: kind } });
      if (counts.failed > 0)
        values.push({ ...count(RunMetric.changesFailed, counts.failed), dimensions: { Kind: kind } });
    }
  }

  if (measured.readMs !== undefined)
    values.push({
      name: RunMetric.readTime,
      unit: MetricUnit.milliseconds,
      value: Math.round(measured.readMs),
    });
  if (measured.calls !== undefined) {
    for (const [name, byService] of [
      [RunMetric.apiCalls, measured.calls.calls],
      [RunMetric.throttles, measured.calls.throttled],
    ] as const) {
      const services = Object.entries(byService) as [ApiService, number][];
      values.push(
        count(
          name,
          services.reduce((sum, [, n]) => sum + n, 0),
        ),
      );
      for (const [service, n] of services)
        if (n > 0) values.push({ ...count(name, n), dimensions: { Service: service } });
    }
  }
  return values;
}
