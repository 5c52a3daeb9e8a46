/**
 * `idc-sync plan`: what apply would change, and why, without changing anything. Rules with mistakes
 * are still checked against the directory, so every problem shows at once.
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { runJob } from "../../app/job.js";
import { buildStateStore } from "../../app/live-ports.js";
import { formatRuleIssue } from "../../mapping/index.js";
import type { AccountDirectory, DirectorySource } from "../../sync/ports.js";
import { planToJson, renderPlanText } from "../../sync/render.js";
import { renderPlanMarkdown } from "../../sync/render-markdown.js";
import type { SyncSubject } from "../../sync/run-scope.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import {
  allowDeletionsOption,
  type CommonFlags,
  stateLocation,
  stateOption,
  syncCommand,
  targetPorts,
  worldPorts,
} from "../flags.js";
import type { CliIo } from "../io.js";
import { writeJsonDocument } from "../json-output.js";
import { printWarnings, useColor } from "../output.js";
import { createProgressReporter } from "../progress.js";
import {
  checkAgainstWorld,
  displayPath,
  loadRulesFor,
  portsFromWorld,
  printRuleWarnings,
  readWorld,
  reportRules,
} from "../rules-check.js";
import { subjectOption, targetedScope } from "../subject-option.js";

type PlanFlags = CommonFlags & {
  detailedExitcode?: boolean;
  allowDeletions?: number;
  strict?: boolean;
  format?: "text" | "json" | "markdown";
  subject?: SyncSubject[];
};

export function registerPlanCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  syncCommand(program, "plan", "show what apply would change, and why, without changing anything")
    .option("--json", "print the plan as JSON")
    .addOption(
      new Option("--format <format>", "text, json, or markdown for a pull-request comment").choices([
        "text",
        "json",
        "markdown",
      ]),
    )
    .option("--detailed-exitcode", "exit 0 when in sync, 2 when changes are pending")
    .option("--strict", "treat warnings (selectors that match nothing, ...) as errors, for CI")
    .addOption(allowDeletionsOption())
    .addOption(stateOption())
    .addOption(subjectOption())
    .action(async (flags: PlanFlags) => setExitCode(await plan(flags, io)));
}

async function plan(flags: PlanFlags, io: CliIo): Promise<number> {
  if (flags.json && flags.format !== undefined && flags.format !== "json")
    throw new UsageError(`--json and --format ${flags.format} ask for two formats; give one`);
  if (flags.format === "json") flags.json = true;
  const loaded = await loadRulesFor(flags.rules, io);
  const file = loaded.ok ? loaded.rules.source.file : displayPath(io.cwd, resolve(io.cwd, flags.rules));
  if (!loaded.ok && loaded.draft === undefined) {
    reportRules(
      { issues: loaded.issues, file, ...(loaded.text !== undefined ? { text: loaded.text } : {}) },
      io,
      flags.json,
    );
    return ExitCode.usage;
  }
  const world = await worldPorts(flags, io);
  let sourcePorts: { directory: DirectorySource; accounts: AccountDirectory } = world;
  // Rules with mistakes are still checked against the directory, so every problem shows at once; a
  // snapshot is checked for what it lacks before the rules are blamed for it.
  if (!loaded.ok || world.snapshot) {
    const progress = createProgressReporter(io);
    const read = await readWorld(loaded, world, progress.listener).finally(progress.done);
    const check = await checkAgainstWorld(loaded, read, world);
    if (!loaded.ok || check.gaps.length > 0) {
      reportRules(
        {
          issues: [...check.fileIssues, ...(check.gaps.length > 0 && loaded.ok ? [] : check.errors)],
          gaps: check.gaps,
          file,
          ...(loaded.text !== undefined ? { text: loaded.text } : {}),
        },
        io,
        flags.json,
      );
      return ExitCode.usage;
    }
    // A targeted run reads its people from the snapshot itself, as it would from Google.
    sourcePorts = flags.subject ? world : portsFromWorld(read);
  }
  const rules = loaded.rules;
  if (!flags.strict) printRuleWarnings(loaded.warnings, io);
  const ports = {
    ...sourcePorts,
    ...(await targetPorts(flags, rules, io)),
  };
  const progress = createProgressReporter(io);
  const { result } = await runJob({
    rules,
    ports,
    mode: "plan",
    ...targetedScope(flags.subject),
    allowDeletions: flags.allowDeletions,
    onProgress: progress.listener,
    clock: { now: () => new Date() },
    // A plan still works without the run state: unclassified, and removing only what is named in the
    // rules or tagged managed-by=idc-sync.
    stateStore: await buildStateStore(stateLocation(flags, io), io.cwd),
    onStateUnreadable: (error) =>
      io.stderr(
        `warning: the run state cannot be read, so drift is not marked and only permission sets tagged managed-by=idc-sync are recognised as idc-sync's: ${(error as Error).message}\n`,
      ),
  }).finally(progress.done);
  if (result.status === "invalid") {
    reportRules({ issues: result.problems, file, text: loaded.text }, io, flags.json);
    return ExitCode.usage;
  }
  if (result.status !== "planned") throw new Error(`unexpected result ${result.status} for a plan`);
  const warnings = [...loaded.warnings.map(formatRuleIssue), ...result.warnings];
  if (flags.strict && warnings.length > 0) {
    // CI: a warning fails the check like an error, and no plan is shown for rules that fail it.
    for (const warning of warnings) io.stderr(`${warning} (--strict)\n`);
    io.stderr(
      `${warnings.length} problem${warnings.length === 1 ? "" : "s"} in the rules; nothing was changed.\n`,
    );
    return ExitCode.usage;
  }
  printWarnings(result.warnings, io);
  if (flags.json) {
    writeJsonDocument(io.stdout, {
      ...planToJson(result.plan),
      guard: result.guard,
      ...(warnings.length > 0 ? { warnings } : {}),
    });
  } else if (flags.format === "markdown") {
    io.stdout(renderPlanMarkdown(result.plan, { guard: result.guard, warnings }));
  } else {
    io.stdout(renderPlanText(result.plan, { color: useColor(io) }));
    if (!result.guard.ok) {
      for (const violation of result.guard.violations)
        io.stdout(`\n! apply would stop: ${violation.message}\n`);
    }
  }
  return flags.detailedExitcode && result.plan.changes.length > 0 ? ExitCode.changesPending : ExitCode.ok;
}
