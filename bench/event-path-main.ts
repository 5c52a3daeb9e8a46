/**
 * npm run bench:events -- [--size S|M|L] [--time-factor F] [--leavers N] [--burst N] [--json]
 *                         [--scenarios eventLeavers,eventDrift]
 *
 * The event path's benchmark (bench/event-path.ts). Time factor 1 (the default) is the real rate limits.
 * Prints tables (or the result as JSON) on stdout; progress goes to stderr.
 */
import { parseArgs } from "node:util";
import {
  type EventPathResult,
  type EventScenarioName,
  eventScenarioNames,
  removeEventWorkDir,
  runEventPathBenchmark,
} from "./event-path.js";
import { orgSizes, type SizeName } from "./synthetic-org.js";

const seconds = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} s` : "—");

export function renderEventPath(result: EventPathResult): string {
  const lines = [
    `## Event path, size ${result.size}: ${result.org.users} users, ${result.org.googleGroups} Google groups, ${result.org.accounts} accounts`,
    "",
    `Time factor ${result.timeFactor}; seconds are scaled to the real limits (measured × ${result.timeFactor}).`,
    "",
  ];
  const leaverRows = [
    ["one at a time", result.oneAtATime],
    ["one burst", result.burst],
  ] as const;
  if (result.oneAtATime || result.burst) {
    lines.push(
      "| leavers | count | notifications | runs | p50 | p95 | max | calls per leaver | calls of the run that removed one leaver | throttled | no access left |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const [label, entry] of leaverRows) {
      if (!entry) continue;
      const removing = entry.removingRunCalls;
      const unthrottled = removing.map((calls, i) => calls - (entry.removingRunThrottled[i] ?? 0));
      const range =
        removing.length === 0
          ? "—"
          : `${Math.min(...removing)}–${Math.max(...removing)}; without retries ${Math.min(...unthrottled)}–${Math.max(...unthrottled)} (${removing.length} runs)`;
      lines.push(
        `| ${label} | ${entry.leavers} | ${entry.notifications} | ${entry.runs} | ${seconds(entry.latency.p50)} | ${seconds(entry.latency.p95)} | ${seconds(entry.latency.max)} | ${entry.callsPerLeaver.toFixed(1)} | ${range} | ${entry.throttled} | ${entry.noAccessLeft ? "yes" : "NO"} |`,
      );
    }
    lines.push("");
    const costliest = result.oneAtATime?.costliestRemovingRun ?? {};
    if (Object.keys(costliest).length > 0)
      lines.push(
        "The costliest leaver's run (one at a time), by operation:",
        "",
        "| service:operation | calls |",
        "|---|---|",
        ...Object.entries(costliest)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, count]) => `| ${key} | ${count} |`),
        "",
      );
  }
  for (const [label, c] of [
    ["as they come", result.coalescing],
    ["while the consumer is busy", result.coalescingWhileBusy],
  ] as const) {
    if (!c) continue;
    lines.push(
      `Coalescing (${label}): ${c.notifications} notifications for one person → ${c.enqueued} messages → ${c.runs} runs ` +
        `(${c.runsThatWrote} wrote), ${c.calls} calls, ${seconds(c.latencySeconds)} to the last write; ` +
        `no access left: ${c.noAccessLeft ? "yes" : "NO"}.`,
      "",
    );
  }
  if (result.drift) {
    const d = result.drift;
    lines.push(
      `Drift: CloudTrail CreateGroupMembership on the queue → ${d.runs.map((run) => `${run.scope} batch run as ${run.ranAs} (${run.messages} message, ${run.calls} calls of which ${run.throttled} throttled, ${seconds(run.seconds)})`).join(", ")}; ` +
        `undone after ${seconds(d.secondsToUndo)}, Slack post after ${seconds(d.secondsToSlack)} ` +
        `(${d.slackMessages} message${d.slackMessages === 1 ? "" : "s"}); undone: ${d.undone ? "yes" : "NO"}.`,
      "",
      "| service:operation | calls |",
      "|---|---|",
      ...Object.entries(d.callsByOperation)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `| ${key} | ${count} |`),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: "string", default: "S" },
      "time-factor": { type: "string", default: "1" },
      leavers: { type: "string", default: "20" },
      burst: { type: "string", default: "100" },
      scenarios: { type: "string" },
      json: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const sizeName = (values.size ?? "S").toUpperCase();
  if (!(sizeName in orgSizes)) {
    process.stderr.write(`--size must be S, M or L, got '${values.size}'\n`);
    process.exit(64);
  }
  const numbers = {
    "time-factor": Number(values["time-factor"]),
    leavers: Number(values.leavers),
    burst: Number(values.burst),
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value) || value <= 0 || (name !== "time-factor" && !Number.isInteger(value))) {
      process.stderr.write(
        `--${name} must be a positive number, got '${values[name as keyof typeof values]}'\n`,
      );
      process.exit(64);
    }
  }
  if (numbers.burst < 2) {
    process.stderr.write("--burst must be at least 2 (the suspension itself sends two notifications)\n");
    process.exit(64);
  }
  const scenarios = values.scenarios ? values.scenarios.split(",") : [...eventScenarioNames];
  const unknown = scenarios.filter((name) => !(eventScenarioNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario(s) ${unknown.join(", ")}; choose from ${eventScenarioNames.join(", ")}\n`,
    );
    process.exit(64);
  }
  const result = await runEventPathBenchmark({
    sizeName,
    size: orgSizes[sizeName as SizeName],
    timeFactor: numbers["time-factor"],
    leavers: numbers.leavers,
    burst: numbers.burst,
    scenarios: scenarios as EventScenarioName[],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!values.keep) await removeEventWorkDir(result);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderEventPath(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
