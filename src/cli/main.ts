/**
 * `idc-sync`: validate, plan and apply the rules; snapshot the live systems for offline work.
 * Commands only parse flags, build adapters, call the one use case and format its result.
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { directoryToSnapshotText } from "../adapters/file/directory-snapshot.js";
import { FileDirectorySource } from "../adapters/file/file-directory-source.js";
import { type FileLock, lockFile } from "../adapters/file/file-lock.js";
import { stateFileText } from "../adapters/file/state-file.js";
import {
  directoryRequestFromDraft,
  directoryRequestFromRules,
  formatRuleIssue,
  type RuleIssue,
  type Rules,
  scopeFromRules,
} from "../mapping/index.js";
import { runMonitoredSync } from "../notify/monitored-sync.js";
import { notificationSettingsFromRules, syncModeFromRules } from "../notify/settings.js";
import { DirectoryReadError, SyncError } from "../sync/errors.js";
import type { Plan } from "../sync/model.js";
import type { AccountDirectory, DirectorySource } from "../sync/ports.js";
import { applyReportToJson, planToJson, renderApplyReportText, renderPlanText } from "../sync/render.js";
import { renderPlanMarkdown } from "../sync/render-markdown.js";
import type { SyncSubject } from "../sync/run-scope.js";
import { runSync } from "../sync/run-sync.js";
import { summarizePlan } from "../sync/summary.js";
import { type AuditCommandDeps, registerAuditCommand } from "./audit-command.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerInitCommand } from "./commands/init.js";
import { ExitCode, exitCodeHelp } from "./exit-codes.js";
import { registerExplainCommand } from "./explain-command.js";
import { registerHistoryCommand } from "./history-command.js";
import type { CliIo } from "./io.js";
import { writeJsonDocument } from "./json-output.js";
import { accessAnalyzerPolicyCheck, type PolicyCheck } from "./online-policies.js";
import { createProgressReporter } from "./progress.js";
import { registerReportCommand } from "./report-command.js";
import {
  checkAgainstWorld,
  displayPath,
  loadRulesFor,
  portsFromWorld,
  printRuleWarnings,
  readWorld,
  reportRules,
  type WorldPorts,
} from "./rules-check.js";
import { buildNotifier, buildStateStore, defaultStateLocation } from "./run-state-wiring.js";
import { subjectOption, targetedScope } from "./subject-option.js";
import { registerValidateCommand } from "./validate-command.js";
import { packageVersion } from "./version.js";
import {
  buildAccountDirectory,
  buildDirectorySource,
  buildRevocationPolicies,
  buildTarget,
  type EndpointSpec,
  parseEndpointSpec,
} from "./wiring.js";

interface CommonFlags {
  rules: string;
  source: string;
  target: string;
  accounts?: string;
  json?: boolean;
  /** The run state: a file or dynamodb:TABLE (default: beside a file target, else next to the rules). */
  state?: string;
}

/** What tests (and only tests) replace below the command line. */
export interface CliOptions {
  audit?: AuditCommandDeps;
  /** `validate --check-policies-online`; IAM Access Analyzer by default. */
  policyCheck?: () => Promise<PolicyCheck>;
}

/**
 * Runs the CLI and resolves to the exit code; never calls process.exit itself. Whatever goes wrong ends
 * as a message and an exit code: a stack trace is printed only with IDC_SYNC_DEBUG set.
 */
export async function runCli(argv: string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    options,
  );
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`idc-sync: ${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof SyncError) {
      io.stderr(`idc-sync: ${error.message}\n`);
      if (error.cause instanceof Error && io.env.IDC_SYNC_DEBUG)
        io.stderr(`  caused by: ${error.cause.stack}\n`);
      return ExitCode.failed;
    }
    // Not one of ours (a file that cannot be written, a bug): still one line, and nothing was applied
    // that the output has not reported.
    io.stderr(`idc-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.IDC_SYNC_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    else io.stderr("  (set IDC_SYNC_DEBUG=1 to see where it happened)\n");
    return ExitCode.failed;
  }
  return exitCode;
}

class UsageError extends Error {
  override name = "UsageError";
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void, options: CliOptions): Command {
  const program = new Command("idc-sync")
    .description("Keep AWS IAM Identity Center in step with Google Workspace, from a rules file in git.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText("after", exitCodeHelp)
    .version(packageVersion(), "-V, --version", "print the version of idc-sync");

  const rulesOption = () => new Option("--rules <file>", "the rules file").default("rules.yaml");
  const sourceOption = () =>
    new Option(
      "--source <google|file:PATH>",
      "where people come from: the live Google directory or a snapshot",
    ).default("google");
  const targetOption = () =>
    new Option(
      "--target <aws|file:PATH>",
      "the Identity Center to change: the live one or a state file",
    ).default("aws");
  const accountsOption = () =>
    new Option(
      "--accounts <aws|file:PATH>",
      "where AWS accounts come from (default: the --source snapshot when it is a file, else AWS Organizations)",
    );
  const stateOption = () =>
    new Option(
      "--state <file|dynamodb:TABLE>",
      "the run state (drift, history): default beside a file target, else .idc-sync/state.json next to the rules",
    );
  const allowDeletionsOption = () =>
    new Option(
      "--allow-deletions <n>",
      "let up to N removals pass the maxDeletions guard, deliberately",
    ).argParser(parseCount);

  registerInitCommand(program, io, setExitCode);
  registerValidateCommand(program, io, setExitCode, {
    worldPorts: (flags) => worldPorts(flags, io),
    policyCheck: options.policyCheck ?? accessAnalyzerPolicyCheck,
    revocationPolicies: async (flags, rules) => {
      const source = endpoint(flags.source, "google", "--source", io);
      const accounts = flags.accounts ?? (source.kind === "file" ? flags.source : "aws");
      // Only AWS Organizations can tell whether SCPs work there; a snapshot cannot.
      if (accounts !== "aws") return undefined;
      return (await buildRevocationPolicies({ kind: "live" }, rules, io.env)).revocation;
    },
  });

  program
    .command("plan")
    .description("show what apply would change, and why, without changing anything")
    .addOption(rulesOption())
    .addOption(sourceOption())
    .addOption(targetOption())
    .addOption(accountsOption())
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
    .action(
      async (
        flags: CommonFlags & {
          detailedExitcode?: boolean;
          allowDeletions?: number;
          strict?: boolean;
          format?: "text" | "json" | "markdown";
          subject?: SyncSubject[];
        },
      ) => {
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
          return setExitCode(ExitCode.usage);
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
            return setExitCode(ExitCode.usage);
          }
          // A targeted run reads its people from the snapshot itself, as it would from Google.
          sourcePorts = flags.subject ? world : portsFromWorld(read);
        }
        const rules = loaded.rules;
        if (!flags.strict) printRuleWarnings(loaded.warnings, io);
        const ports = {
          ...sourcePorts,
          identityCenter: await targetPort(flags, rules, io),
          ...(await revocationPort(flags, rules, io)),
        };
        const progress = createProgressReporter(io);
        const remembered = await rememberedState(flags, io);
        const result = await runSync({
          rules,
          ports,
          mode: "plan",
          allowDeletions: flags.allowDeletions,
          onProgress: progress.listener,
          drift: { lastApplied: remembered?.applied?.digests },
          ownership: { record: remembered?.ownership },
          clock: { now: () => new Date() },
          ...(remembered?.revocationNames ? { revocationNames: remembered.revocationNames } : {}),
          ...targetedScope(flags.subject),
          ...(remembered?.managedObjects === undefined
            ? {}
            : { fullRunManagedObjects: remembered.managedObjects }),
        }).finally(progress.done);
        if (result.status === "invalid") {
          reportRules({ issues: result.problems, file, text: loaded.text }, io, flags.json);
          return setExitCode(ExitCode.usage);
        }
        if (result.status !== "planned") throw new Error(`unexpected result ${result.status} for a plan`);
        const warnings = [...loaded.warnings.map(formatRuleIssue), ...result.warnings];
        if (flags.strict && warnings.length > 0) {
          // CI: a warning fails the check like an error, and no plan is shown for rules that fail it.
          for (const warning of warnings) io.stderr(`${warning} (--strict)\n`);
          io.stderr(
            `${warnings.length} problem${warnings.length === 1 ? "" : "s"} in the rules; nothing was changed.\n`,
          );
          return setExitCode(ExitCode.usage);
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
        if (flags.detailedExitcode && result.plan.changes.length > 0) setExitCode(ExitCode.changesPending);
      },
    );

  program
    .command("apply")
    .description("apply the plan to Identity Center (asks first on a terminal unless --yes)")
    .addOption(rulesOption())
    .addOption(sourceOption())
    .addOption(targetOption())
    .addOption(accountsOption())
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
    .action(
      async (
        flags: CommonFlags & {
          yes?: boolean;
          allowDeletions?: number;
          concurrency?: number;
          mode?: "enforce" | "report";
          subject?: SyncSubject[];
        },
      ) => {
        const rules = await loadRulesOrReport(flags.rules, io, flags.json);
        if (!rules) return setExitCode(ExitCode.usage);
        const mode = flags.mode ?? syncModeFromRules(rules);
        if (mode === "enforce" && !flags.yes && !io.isInteractive) {
          throw new UsageError("not a terminal, so nobody can confirm: pass --yes to apply without asking");
        }
        // Files this run reads and then writes back are locked for the whole run (see file-lock.ts).
        const locks = await lockLocalFiles(flags, io);
        try {
          const ports = {
            ...(await sourcePorts(flags, rules, io)),
            identityCenter: await targetPort(flags, rules, io),
            ...(await revocationPort(flags, rules, io)),
          };
          const progress = createProgressReporter(io);
          const monitored = await runMonitoredSync({
            rules,
            ports,
            mode,
            allowDeletions: flags.allowDeletions,
            concurrency: flags.concurrency,
            onProgress: progress.listener,
            confirm: planShownBeforeApply(flags, io, progress.done),
            onOutcome: progress.changeApplied,
            run: { runId: randomUUID(), trigger: "cli" },
            clock: { now: () => new Date() },
            stateStore: await buildStateStore(stateLocation(flags, io), io.cwd),
            notifier: await buildNotifier(io.env),
            settings: notificationSettingsFromRules(rules),
            ...targetedScope(flags.subject),
          }).finally(progress.done);
          for (const warning of monitored.warnings) io.stderr(`warning: ${warning}\n`);
          const result = monitored.result;

          switch (result.status) {
            case "invalid":
              reportRuleIssues(result.problems, io, flags.json);
              return setExitCode(ExitCode.usage);
            case "planned":
              // Report mode: the plan is what would undo the drift; nothing was changed.
              printWarnings(result.warnings, io);
              if (flags.json) {
                writeJsonDocument(io.stdout, { ...planToJson(result.plan), mode, guard: result.guard });
              } else {
                io.stdout(renderPlanText(result.plan, { color: useColor(io) }));
                io.stdout("\nReport mode: nothing was changed.\n");
              }
              return setExitCode(ExitCode.ok);
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
              return setExitCode(ExitCode.stoppedByGuard);
            case "declined":
              io.stderr("Apply cancelled; nothing was changed.\n");
              return setExitCode(ExitCode.ok);
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
              return setExitCode(
                result.report.failed > 0 || result.report.skipped > 0 ? ExitCode.failed : ExitCode.ok,
              );
            }
          }
        } finally {
          await releaseLocks(locks, io);
        }
      },
    );

  const snapshot = program
    .command("snapshot")
    .description("capture a live system to a file, to plan against offline");

  snapshot
    .command("directory")
    .description(
      "write the Google directory (as the rules read it) and the AWS organization to a snapshot file, to plan against offline",
    )
    .addOption(rulesOption())
    .addOption(sourceOption())
    .addOption(
      new Option(
        "--accounts <aws|file:PATH|none>",
        "where the organization comes from (default: the --source snapshot when it is a file, else AWS Organizations); none leaves it out",
      ),
    )
    .option(
      "--all-groups",
      "every Google group with its members, not only those the rules name (preview new googleGroup rules offline)",
    )
    .requiredOption("--out <file>", "where to write the snapshot (.yaml or .json)")
    .action(
      async (flags: {
        rules: string;
        source: string;
        accounts?: string;
        out: string;
        allGroups?: boolean;
      }) => {
        const loaded = await loadRulesFor(flags.rules, io);
        if (!loaded.ok && loaded.draft === undefined) {
          const file = displayPath(io.cwd, resolve(io.cwd, flags.rules));
          reportRules(
            { issues: loaded.issues, file, ...(loaded.text !== undefined ? { text: loaded.text } : {}) },
            io,
            false,
          );
          return setExitCode(ExitCode.usage);
        }
        if (!loaded.ok) {
          io.stderr(
            `warning: the rules have ${loaded.issues.length} problem(s) (run validate); the snapshot is taken for what parsed of them\n`,
          );
        }
        const ports = await worldPorts(flags, io);
        const request = loaded.ok
          ? directoryRequestFromRules(loaded.rules)
          : directoryRequestFromDraft(loaded.draft?.raw);
        const progress = createProgressReporter(io);
        const [directory, organization] = await Promise.all([
          ports.directory.readDirectory(
            { ...request, ...(flags.allGroups ? { allGroups: true } : {}) },
            progress.listener,
          ),
          ports.accounts.readOrganization?.(progress.listener),
        ]).finally(progress.done);
        if (!directory.completeness.proven) {
          // A snapshot is planned against later as if it were the whole directory: it must be.
          throw new DirectoryReadError(
            `the Google read is not proven complete (${directory.completeness.reasons.join("; ")}); no snapshot was written. Try again.`,
          );
        }
        const withOrganization = organization !== undefined && organization.rootId !== "";
        const out = resolve(io.cwd, flags.out);
        await writeFile(
          out,
          directoryToSnapshotText(directory, out.endsWith(".json") ? "json" : "yaml", {
            groups: flags.allGroups ? "all" : "referenced",
            ...(withOrganization ? { organization } : {}),
          }),
          "utf8",
        );
        io.stderr(
          `Wrote ${directory.users.length} users, ${directory.groups.length} groups (${flags.allGroups ? "every group" : "those the rules name"}), ${directory.orgUnits.length} org units` +
            `${withOrganization ? ` and the organization (${organization.accounts.length} accounts, ${organization.organizationalUnits.length} OUs)` : ", no organization"} to ${flags.out}\n`,
        );
      },
    );

  snapshot
    .command("identity-center")
    .description("write Identity Center (what the rules manage) to a state file")
    .addOption(rulesOption())
    .addOption(targetOption())
    .requiredOption("--out <file>", "where to write the state file (JSON)")
    .action(async (flags: { rules: string; target: string; out: string }) => {
      const rules = await loadRulesOrReport(flags.rules, io, false);
      if (!rules) return setExitCode(ExitCode.usage);
      const identityCenter = await targetPort({ ...flags, source: "google" }, rules, io);
      const progress = createProgressReporter(io);
      const state = await identityCenter
        .readState(scopeFromRules(rules), progress.listener)
        .finally(progress.done);
      await writeFile(resolve(io.cwd, flags.out), stateFileText(state), "utf8");
      io.stderr(
        `Wrote ${state.users.length} users, ${state.groups.length} groups, ${state.permissionSets.length} permission sets and ${state.assignments.length} assignments to ${flags.out}\n`,
      );
    });

  registerAuditCommand(program, io, setExitCode, options.audit);
  registerHistoryCommand(program, io, setExitCode);
  registerReportCommand(program, io, setExitCode);
  registerExplainCommand(program, io, setExitCode);
  registerDoctorCommand(program, io, setExitCode);

  return program;
}

async function loadRulesOrReport(
  file: string,
  io: CliIo,
  json: boolean | undefined,
): Promise<Rules | undefined> {
  const loaded = await loadRulesFor(file, io);
  if (!loaded.ok) {
    reportRules(
      {
        issues: loaded.issues,
        file: loaded.draft?.source.file ?? displayPath(io.cwd, resolve(io.cwd, file)),
        ...(loaded.text !== undefined ? { text: loaded.text } : {}),
      },
      io,
      json,
    );
    return undefined;
  }
  printWarnings(loaded.warnings.map(formatRuleIssue), io);
  return loaded.rules;
}

function reportRuleIssues(issues: RuleIssue[], io: CliIo, json: boolean | undefined, rules?: Rules): void {
  reportRules({ issues, file: rules?.source.file ?? "" }, io, json);
}

function printWarnings(warnings: string[], io: CliIo): void {
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
}

async function sourcePorts(flags: CommonFlags, _rules: Rules, io: CliIo) {
  const { directory, accounts } = await worldPorts(flags, io);
  return { directory, accounts };
}

/**
 * The directory and the accounts as `--source` and `--accounts` name them; for a snapshot file, also what
 * it holds, so what it lacks is never blamed on the rules. `--accounts none` reads no accounts.
 */
async function worldPorts(flags: Pick<CommonFlags, "source" | "accounts">, io: CliIo): Promise<WorldPorts> {
  const source = endpoint(flags.source, "google", "--source", io);
  const directory = await buildDirectorySource(source, io.env);
  const accountsFlag = flags.accounts ?? (source.kind === "file" ? flags.source : "aws");
  const accounts =
    accountsFlag === "none"
      ? noAccounts
      : await buildAccountDirectory(endpoint(accountsFlag, "aws", "--accounts", io), io.env);
  return {
    directory,
    accounts,
    ...(directory instanceof FileDirectorySource
      ? {
          snapshot: {
            file: flags.source.slice("file:".length),
            // A separate --accounts file or AWS answers for the organization whatever the snapshot holds.
            contents: async () => ({
              ...(await directory.contents()),
              ...(accountsFlag === flags.source ? {} : { organization: true }),
            }),
          },
        }
      : {}),
  };
}

/** For commands that read no accounts (snapshot directory --accounts none). */
const noAccounts = { listAccounts: async () => [] };

async function targetPort(flags: CommonFlags, rules: Rules, io: CliIo) {
  return buildTarget(endpoint(flags.target, "aws", "--target", io), rules, io.env);
}

/** The SCPs of `leavers.revokeSessions: scp`, beside a live `--target`. */
function revocationPort(flags: CommonFlags, rules: Rules, io: CliIo) {
  return buildRevocationPolicies(endpoint(flags.target, "aws", "--target", io), rules, io.env);
}

function endpoint(value: string, liveName: "google" | "aws", flag: string, io: CliIo): EndpointSpec {
  const spec = parseEndpointSpec(value, liveName, io.cwd);
  if ("error" in spec) throw new UsageError(`${flag}: ${spec.error}`);
  return spec;
}

function stateLocation(flags: CommonFlags, io: CliIo): string {
  return (
    flags.state ??
    defaultStateLocation(resolve(io.cwd, flags.rules), endpoint(flags.target, "aws", "--target", io))
  );
}

/**
 * Locks the `file:` target and a file run state, in that order, for an apply. Another run holding either
 * stops this one before it reads anything (FileLockedError, exit 1). DynamoDB needs no lock: its state
 * item is written conditionally on its revision, and the Lambda runs one at a time.
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
 * The run state a plan reads: the digests it classifies drift against and the ownership record it plans
 * removals with. A plan still works when they cannot be read: unclassified, and removing only what is
 * named in the rules or tagged managed-by=idc-sync.
 */
async function rememberedState(flags: CommonFlags, io: CliIo) {
  try {
    const stored = await (await buildStateStore(stateLocation(flags, io), io.cwd)).load();
    return stored.state;
  } catch (error) {
    io.stderr(
      `warning: the run state cannot be read, so drift is not marked and only permission sets tagged managed-by=idc-sync are recognised as idc-sync's: ${(error as Error).message}\n`,
    );
    return undefined;
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

function parseCount(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError("expected a whole number, 0 or more");
  return parsed;
}

function useColor(io: CliIo): boolean {
  return io.isInteractive && !io.env.NO_COLOR;
}
