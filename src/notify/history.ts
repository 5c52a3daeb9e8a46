/**
 * The run history as text, newest first, one line per run. Pure.
 */
import type { RunRecord } from "../sync/run-state.js";

export const noRunsText = "No runs recorded yet.\n";

/**
 * "2026-05-04T09:15:00.000Z  applied   enforce  schedule  +3 ~0 -1  drift 1  run 5f0c…"; the message of a
 * failed, invalid or blocked run on the next line.
 */
export function renderRunHistory(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return noRunsText;
  const lines: string[] = [];
  for (const run of runs) {
    const plan = run.plan ? `+${run.plan.add} ~${run.plan.change} -${run.plan.remove}` : "-";
    const drift = run.causes?.drift ? `drift ${run.causes.drift}` : "";
    const failed = run.failed ? `failed ${run.failed}` : "";
    lines.push(
      [
        run.startedAt,
        run.status.padEnd(8),
        run.mode.padEnd(7),
        run.trigger.padEnd(8),
        plan.padEnd(12),
        drift,
        failed,
        `run ${run.runId}`,
      ]
        .filter((part) => part !== "")
        .join("  "),
    );
    if (run.message) lines.push(`    ${run.message}`);
  }
  return `${lines.join("\n")}\n`;
}
