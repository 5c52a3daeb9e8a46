/**
 * The benchmark result as text: a summary table of the scenarios against the targets, then calls by
 * operation against the lower bound for each scenario.
 */

import { documentedRates } from "./rates.js";
import type { RevocationTimes } from "./revocation-scenarios.js";
import {
  type BenchmarkResult,
  lambdaDeadlineMarginSeconds,
  lambdaTimeoutSeconds,
  type ScenarioResult,
} from "./run-benchmark.js";

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const duration = (seconds: number) =>
  seconds >= 3600
    ? `${fixed(seconds / 3600, 1)} h`
    : seconds >= 120
      ? `${fixed(seconds / 60, 1)} min`
      : `${fixed(seconds, 1)} s`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What each scenario is held to (bench targets, issue #7), as a short verdict. */
export function targetVerdict(scenario: ScenarioResult, peakLimitMb = 512): string {
  const verdicts: string[] = [];
  if (scenario.failed > 0) verdicts.push(`MISSED: ${scenario.failed} failed`);
  if (!scenario.converged) verdicts.push("MISSED: not converged");
  if (scenario.scenario === "noop") {
    verdicts.push(
      scenario.totals.writeCalls === 0 ? "writes 0 ok" : `MISSED: ${scenario.totals.writeCalls} writes`,
    );
    const readRatio = scenario.totals.readCalls / Math.max(1, scenario.totals.readLowerBound);
    verdicts.push(
      readRatio <= 1.05 ? `reads ${fixed(readRatio)}× ok` : `MISSED: reads ${fixed(readRatio)}× LB`,
    );
  }
  if (scenario.scenario === "churn" || scenario.scenario === "accountMoves") {
    verdicts.push(
      scenario.totals.writeCalls === scenario.changes
        ? "writes = changes ok"
        : `MISSED: ${scenario.totals.writeCalls} writes for ${scenario.changes} changes`,
    );
  }
  if (scenario.scenario === "initial") {
    verdicts.push(
      scenario.time.rateUtilisation >= 0.9
        ? `rate ${fixed(scenario.time.rateUtilisation * 100, 0)}% ok`
        : `MISSED: rate ${fixed(scenario.time.rateUtilisation * 100, 0)}%`,
    );
  }
  if (scenario.peakRssMb > peakLimitMb) verdicts.push(`RSS > ${peakLimitMb} MB`);
  return verdicts.join("; ");
}

export function renderResult(result: BenchmarkResult): string {
  const org = result.org;
  const out: string[] = [
    `## Size ${result.size}: ${org.users} users, ${org.googleGroups} Google groups, ${org.accounts} accounts, ${org.permissionSets} permission sets`,
    "",
    `Desired: ${org.desiredUsers} users, ${org.desiredGroups} groups, ${org.desiredMemberships} memberships, ${org.desiredAssignments} assignments.`,
    `Time factor ${result.timeFactor}: emulators throttle at identitystore ${documentedRates.identityStore}/s for all its operations together, ` +
      `sso-admin ${documentedRates.ssoAdmin}/s, organizations ${documentedRates.organizations}/s, each × ${result.timeFactor}; ` +
      `the adapters run at their limits × ${result.timeFactor} (IDC_SYNC_RATE_SCALE). The Google emulator does not throttle.`,
    result.childHeapMb === undefined
      ? "idc-sync heap: Node's default (sized from the machine's memory, collected lazily)."
      : `idc-sync heap capped at ${result.childHeapMb} MB (--max-old-space-size), as in a Lambda of about that size.`,
    "",
    table(
      [
        "scenario",
        "changes",
        "failed",
        "calls",
        "lower bound",
        "ratio",
        "reads (LB)",
        "writes (LB)",
        "throttled",
        "time",
        "LB time",
        "rate used",
        "peak RSS",
        "at real limits",
        "Lambda runs",
        "targets",
      ],
      result.scenarios.map((s) => [
        s.scenario,
        String(s.changes),
        String(s.failed),
        String(s.totals.calls),
        String(s.totals.lowerBound),
        `${fixed(s.totals.ratio)}×`,
        `${s.totals.readCalls} (${s.totals.readLowerBound})`,
        `${s.totals.writeCalls} (${s.totals.writeLowerBound})`,
        String(s.throttled),
        `${fixed(s.time.apiSeconds, 1)} s`,
        `${fixed(s.time.lowerBoundSeconds, 1)} s`,
        `${fixed(s.time.rateUtilisation * 100, 0)}%`,
        `${fixed(s.peakRssMb, 0)} MB`,
        duration(s.realLimits.totalSeconds),
        s.realLimits.invocations === undefined ? "never (reads > budget)" : String(s.realLimits.invocations),
        targetVerdict(s),
      ]),
    ),
    "",
    `time: first API request to last response in the idc-sync process (scaled wall clock); LB time: lower-bound ` +
      `calls at the documented limits × ${result.timeFactor}, rate buckets one after another; rate used = LB time / time. ` +
      `At real limits: the measured calls at the adapters' rates (Google 30/s); a Lambda run has ${lambdaTimeoutSeconds} s and ` +
      `stops starting changes ${lambdaDeadlineMarginSeconds} s before its deadline, and every run reads the state again.`,
    "",
  ];
  for (const scenario of result.scenarios) {
    out.push(`### ${result.size} ${scenario.scenario}: ${scenario.description}`, "");
    const keys = [...new Set([...Object.keys(scenario.calls), ...Object.keys(scenario.lowerBound)])].sort();
    out.push(
      table(
        ["service:operation", "calls", "lower bound", "extra"],
        keys.map((key) => {
          const calls = scenario.calls[key] ?? 0;
          const bound = scenario.lowerBound[key] ?? 0;
          return [
            key,
            String(calls),
            String(bound),
            calls === bound ? "" : `${calls - bound > 0 ? "+" : ""}${calls - bound}`,
          ];
        }),
      ),
      "",
      `Changes: ${
        Object.entries(scenario.changesByKind)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(", ") || "none"
      }. Applied ${scenario.applied}, failed ${scenario.failed}, skipped ${scenario.skipped}, ` +
        `not started ${scenario.notStarted}; converged: ${scenario.converged ? "yes" : "NO"}. Assignment reads: ` +
        `${scenario.assignmentReads.perPrincipal} per principal vs ${scenario.assignmentReads.perPermissionSetAndAccount} per (permission set, account). ` +
        `At real limits: reads ${duration(scenario.realLimits.readSeconds)}, apply ${duration(scenario.realLimits.applySeconds)}.`,
      "",
      ...(scenario.revocation ? [revocationLine(scenario.revocation, result.timeFactor), ""] : []),
    );
  }
  return `${out.join("\n")}\n`;
}

/** The kill switch's scenarios: when the deny was in force against the last removal (issue #20). */
function revocationLine(times: RevocationTimes, timeFactor: number): string {
  const seconds = (value: number | undefined) => (value === undefined ? "never" : `${fixed(value, 2)} s`);
  return (
    `Kill switch (time factor ${timeFactor}, from the first API request): deny in force (last Organizations ` +
    `write answered) at ${seconds(times.denyInForceSeconds)}, last removal answered at ` +
    `${seconds(times.lastRemovalSeconds)}; Organizations calls at the real 5/s: ${duration(times.organizationsSecondsAtRealLimits)}. ` +
    "AWS's propagation of the SCP after that answer is not measured here."
  );
}
