/**
 * `idc-sync apply`: the plan, shown and confirmed (or `--yes`), then applied; in report mode, only
 * detected and alerted. A monitored job: the run state is saved, the history kept, Slack told.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { type FileLock, lockFile } from "../../adapters/file/file-lock.js";
import { jobModeFor, runJob } from "../../app/job.js";
import { buildNotifier, buildStateStore } from "../../app/live-ports.js";
import { greetingsFromEnv, slackAppNotifierFromEnv } from "../../app/slack-app-wiring.js";
import type { Rules } from "../../mapping/index.js";
import { notificationSettingsFromRules } from "../../notify/settings.js";
import type { Plan } from "../../sync/model.js";
import { applyReportToJson, planToJson, renderApplyReportText, renderPlanText } from "../../sync/render.js";
import type { SyncSubject } from "../../sync/run-scope.js";
import { summarizePlan } from "../../sync/summary.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import {
  allowDeletionsOption,
  type CommonFlags,
  endpoint,
  parseCount,
  stateLocation,
  stateOption,
  syncCommand,
  targetPorts,
  worldPorts,
} from "../flags.js";
import type { CliIo } from "../io.js";
import { writeJsonDocument } from "../json-output.js";
import { loadRulesOrReport, printWarnings, reportRuleIssues, useColor } from "../output.js";
import { createProgressReporter } from "../progress.js";
import { subjectOption, targetedScope } from "../subject-option.js";

type ApplyFlags = CommonFlags & {
  yes?: boolean;
  allowDeletions?: number;
  concurrency?: number;
  mode?: "enforce" | "report";
  subject?: SyncSubject[];
};

export function registerApplyCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  syncCommand(program, "apply", "apply the plan to Identity Center (asks first on a terminal unless --yes)")
    .option("--json", "print the plan and the apply report as JSON")
    .option("-y, --yes", "apply without asking")
    .addOption(allowDeletionsOption())
    .addOption(
      new Option(
        "--mode <mode>",
        "enforce: apply, fixing drift; report: detect and alert, change nothing (default: sync.mode in the rules)",
      ).choices(["enforce", "report"]),
    )
    .addOption(stateOption())
    .addOption(subjectOption())
    .option(
      "--concurrency <n>",
      "changes in flight at once (adapters still keep to the API limits)",
      parseCount,
    )
    .action(async (flags: ApplyFlags) => {
      const code = await apply(flags, io);
      if (code !== undefined) setExitCode(code);
    });
}

async function apply(flags: ApplyFlags, io: CliIo): Promise<number | undefined> {
  const rules = await loadRulesOrReport(flags.rules, io, flags.json);
  if (!rules) return ExitCode.usage;
  // `apply` without --mode follows the rules' sync.mode.
  const mode = jobModeFor(flags.mode ?? "apply", rules, { followRules: true });
  if (mode === "enforce" && !flags.yes && !io.isInteractive) {
    throw new UsageError("not a terminal, so nobody can confirm: pass --yes to apply without asking");
  }
  // Files this run reads and then writes back are locked for the whole run (see file-lock.ts).
  const locks = await lockLocalFiles(flags, io);
  try {
    const { directory, accounts } = await worldPorts(flags, io);
    const ports = {
      directory,
      accounts,
      ...(await targetPorts(flags, rules, io)),
    };
    const progress = createProgressReporter(io);
    const job = await runJob({
      rules,
      ports,
      mode,
      ...targetedScope(flags.subject),
      allowDeletions: flags.allowDeletions,
      concurrency: flags.concurrency,
      onProgress: progress.listener,
      confirm: planShownBeforeApply(flags, io, progress.done),
      onOutcome: progress.changeApplied,
      clock: { now: () => new Date() },
      stateStore: await buildStateStore(stateLocation(flags, io), io.cwd),
      monitor: {
        run: { runId: randomUUID(), trigger: "cli" },
        ...(await notifierIfAny(io, rules, resolve(io.cwd, flags.rules))),
        settings: notificationSettingsFromRules(rules),
      },
    }).finally(progress.done);
    for (const warning of job.warnings) io.stderr(`warning: ${warning}\n`);
    const result = job.result;

    switch (result.status) {
      case "invalid":
        reportRuleIssues(result.problems, io, flags.json);
        return ExitCode.usage;
      case "planned":
        // Report mode: the plan is what would undo the drift; nothing was changed.
        printWarnings(result.warnings, io);
        if (flags.json) {
          writeJsonDocument(io.stdout, { ...planToJson(result.plan), mode, guard: result.guard });
        } else {
          io.stdout(renderPlanText(result.plan, { color: useColor(io) }));
          io.stdout("\nReport mode: nothing was changed.\n");
        }
        return ExitCode.ok;
      case "blocked":
        printWarnings(result.warnings, io);
        if (flags.json) {
          writeJsonDocument(io.stdout, { ...planToJson(result.plan), guard: result.guard });
        } else {
          io.stdout(renderPlanText(result.plan, { color: useColor(io) }));
        }
        for (const violation of result.guard.violations)
          io.stderr(`\nStopped by a safety guard: ${violation.message}\n`);
        io.stderr("Nothing was applied.\n");
        return ExitCode.stoppedByGuard;
      case "declined":
        io.stderr("Apply cancelled; nothing was changed.\n");
        return ExitCode.ok;
      case "applied": {
        printWarnings(result.warnings, io);
        if (flags.json) {
          writeJsonDocument(io.stdout, {
            ...planToJson(result.plan),
            report: applyReportToJson(result.report),
          });
        } else {
          // A plan with changes was printed before the apply started; the report adds what happened.
          if (result.plan.changes.length === 0)
            io.stdout(renderPlanText(result.plan, { color: useColor(io) }));
          io.stdout(
            `\n${renderApplyReportText(result.report, result.plan, { color: useColor(io), listApplied: false })}`,
          );
        }
        return result.report.failed > 0 || result.report.skipped > 0 ? ExitCode.failed : ExitCode.ok;
      }
    }
  } finally {
    await releaseLocks(locks, io);
  }
}

/** Slack app mode (`SLACK_BOT_TOKEN`, with welcome and farewell messages) or the webhook, or nobody. */
async function notifierIfAny(io: CliIo, rules: Rules, rulesPath: string) {
  const notifier = slackAppNotifierFromEnv(io.env, rules) ?? (await buildNotifier(io.env));
  return notifier ? { notifier, ...(await greetingsFromEnv(io.env, rules, rulesPath)) } : {};
}

/**
 * Locks the `file:` target and a file run state, in that order, for an apply. Another run holding either
 * stops this one before it reads anything (FileLockedError). DynamoDB needs no lock: its state item is
 * written conditionally on its revision, and the Lambda runs one at a time.
 */
async function lockLocalFiles(flags: CommonFlags, io: CliIo): Promise<FileLock[]> {
  const paths: { path: string; what: string }[] = [];
  const target = endpoint(flags.target, "aws", "--target", io);
  if (target.kind === "file") paths.push({ path: target.path, what: "the Identity Center state file" });
  const state = stateLocation(flags, io);
  if (!state.startsWith("dynamodb:"))
    paths.push({ path: resolve(io.cwd, state), what: "the run state file" });
  const locks: FileLock[] = [];
  try {
    for (const { path, what } of paths) locks.push(await lockFile(path, what));
  } catch (error) {
    for (const lock of locks) await lock.release();
    throw error;
  }
  return locks;
}

async function releaseLocks(locks: FileLock[], io: CliIo): Promise<void> {
  for (const lock of locks) {
    const lost = lock.compromised;
    if (lost) io.stderr(`warning: a file lock was lost during the run: ${lost.message}\n`);
    await lock.release();
  }
}

/**
 * What runs between planning and applying: the plan is printed before anything changes, then asked
 * about, or with --yes applied at once. With --json the one JSON document at the end says it all.
 * `clearProgress` takes the progress line off the terminal first.
 */
function planShownBeforeApply(
  flags: { yes?: boolean; json?: boolean },
  io: CliIo,
  clearProgress: () => void,
): ((plan: Plan) => Promise<boolean>) | undefined {
  if (flags.yes && flags.json) return undefined;
  return async (plan) => {
    clearProgress();
    if (!flags.yes) return confirmPlan(plan, io);
    io.stdout(renderPlanText(plan, { color: useColor(io) }));
    io.stdout("\nApplying…\n");
    return true;
  };
}

async function confirmPlan(plan: Plan, io: CliIo): Promise<boolean> {
  io.stdout(renderPlanText(plan, { color: useColor(io) }));
  if (plan.changes.length === 0) return true;
  const summary = summarizePlan(plan);
  const answer = await io.ask(
    `\nApply ${summary.add + summary.change + summary.remove} changes to Identity Center? Only 'yes' is accepted: `,
  );
  return answer.trim() === "yes";
}
