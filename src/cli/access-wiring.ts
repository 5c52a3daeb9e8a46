/**
 * What `report access` and `explain` both read: the rules, the directory, the accounts, the desired
 * state, Identity Center and the run state's ownership record, through the same adapters as a plan,
 * and the plan itself. Identity Center is read wide (every group's members, every principal's
 * assignments), because access that no rule explains is the point.
 */
import { resolve } from "node:path";
import { Option } from "commander";
import type { AccessInputs } from "../access/build-report.js";
import { loadRules } from "../adapters/file/rules-file.js";
import {
  buildAccountDirectory,
  buildDirectorySource,
  buildStateStore,
  buildTarget,
  type EndpointSpec,
  parseEndpointSpec,
  runStateLocation,
} from "../app/live-ports.js";
import {
  directoryRequestFromRules,
  evaluate,
  formatRuleIssue,
  type RuleIssue,
  scopeFromRules,
} from "../mapping/index.js";
import { readScopeFor } from "../sync/ownership.js";
import { computePlan } from "../sync/plan.js";
import type { CliIo } from "./io.js";
import { createProgressReporter } from "./progress.js";

export interface AccessSourceFlags {
  rules: string;
  source: string;
  target: string;
  accounts?: string;
  state?: string;
}

/** The four options both commands take, with the same defaults as `plan`. */
export function accessSourceOptions(): Option[] {
  return [
    new Option("--rules <file>", "the rules file").default("rules.yaml"),
    new Option("--source <google|file:PATH>", "people: the live Google directory or a snapshot").default(
      "google",
    ),
    new Option("--target <aws|file:PATH>", "Identity Center: the live one or a state file").default("aws"),
    new Option(
      "--accounts <aws|file:PATH>",
      "AWS accounts (default: the --source snapshot when it is a file, else AWS Organizations)",
    ),
    new Option(
      "--state <file|dynamodb:TABLE>",
      "the run state, for the record of what idc-sync owns (default: where plan finds it)",
    ),
  ];
}

export type AccessInputsResult =
  | { ok: true; inputs: AccessInputs }
  /** A usage mistake or rule problems, already printed. */
  | { ok: false };

/** Reads everything a report or an explanation needs; prints rule problems and usage mistakes itself. */
export async function readAccessInputs(flags: AccessSourceFlags, io: CliIo): Promise<AccessInputsResult> {
  const usage = (message: string): AccessInputsResult => {
    io.stderr(`idc-sync: ${message}\n`);
    return { ok: false };
  };
  const source = parseEndpointSpec(flags.source, "google", io.cwd);
  if ("error" in source) return usage(`--source: ${source.error}`);
  const target = parseEndpointSpec(flags.target, "aws", io.cwd);
  if ("error" in target) return usage(`--target: ${target.error}`);
  const accountsSpec = parseEndpointSpec(
    flags.accounts ?? (source.kind === "file" ? flags.source : "aws"),
    "aws",
    io.cwd,
  );
  if ("error" in accountsSpec) return usage(`--accounts: ${accountsSpec.error}`);

  const loaded = await loadRules(resolve(io.cwd, flags.rules));
  if (!loaded.ok) {
    reportRuleIssues(
      loaded.issues.map((issue) => ({ ...issue, file: relativeTo(io.cwd, issue.file) })),
      io,
    );
    return { ok: false };
  }
  for (const warning of loaded.warnings) io.stderr(`warning: ${formatRuleIssue(warning)}\n`);
  // Rule positions read best the way the user gave the file.
  const rules = { ...loaded.rules, source: { ...loaded.rules.source, file: flags.rules } };

  const progress = createProgressReporter(io);
  try {
    const directory = await (await buildDirectorySource(source, io.env)).readDirectory(
      directoryRequestFromRules(rules),
      progress.listener,
    );
    const accounts = await (await buildAccountDirectory(accountsSpec, io.env)).listAccounts(
      progress.listener,
    );
    const evaluation = evaluate(directory, rules, accounts);
    if (!evaluation.ok) {
      reportRuleIssues(evaluation.problems, io);
      return { ok: false };
    }
    for (const warning of evaluation.warnings) io.stderr(`warning: ${warning}\n`);
    const ownership = await ownershipRecord(flags, target, io);
    const scope = readScopeFor(scopeFromRules(rules), ownership);
    const identityCenter = await buildTarget(target, rules, io.env, { readEveryPrincipal: true });
    const actual = await identityCenter.readState(scope, progress.listener);
    const plan = computePlan(evaluation.desired, actual, scope, ownership);
    return { ok: true, inputs: { rules, directory, accounts, desired: evaluation.desired, actual, plan } };
  } finally {
    progress.done();
  }
}

/** What idc-sync owns, from the run state as `plan` reads it; without it, only the rules' names count. */
async function ownershipRecord(flags: AccessSourceFlags, target: EndpointSpec, io: CliIo) {
  const location = runStateLocation(flags.state, resolve(io.cwd, flags.rules), target);
  try {
    return (await (await buildStateStore(location, io.cwd)).load()).state?.ownership;
  } catch (error) {
    io.stderr(
      `warning: the run state cannot be read, so only the rules say what idc-sync owns: ${(error as Error).message}\n`,
    );
    return undefined;
  }
}

function reportRuleIssues(issues: RuleIssue[], io: CliIo): void {
  for (const issue of issues) io.stderr(`${formatRuleIssue(issue)}\n`);
  io.stderr(`${issues.length} problem${issues.length === 1 ? "" : "s"} in the rules.\n`);
}

function relativeTo(cwd: string, file: string): string {
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}
