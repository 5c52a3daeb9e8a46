/**
 * `idc-sync validate`: every problem of the rules in one pass. Without `--source`, the file alone
 * (YAML, schema, references between its parts, policy grammar); with it, also every Google group, org
 * unit, account and OU they name, even when the file has mistakes of its own. Warnings (selectors that
 * match nothing) are printed and keep exit 0 unless `--strict`.
 */
import { type Command, Option } from "commander";
import { evaluate, type RuleIssue, type Rules, ruleIssue } from "../../mapping/index.js";
import type { RevocationPolicies } from "../../sync/ports.js";
import { scpReadinessProblem } from "../../sync/revocation/readiness.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { PolicyCheck } from "../online-policies.js";
import {
  checkAgainstWorld,
  displayPath,
  loadRulesFor,
  printRuleWarnings,
  readWorld,
  reportRules,
  type WorldPorts,
} from "../rules-check.js";

export interface ValidateFlags {
  rules: string;
  source?: string;
  accounts?: string;
  json?: boolean;
  strict?: boolean;
  checkPoliciesOnline?: boolean;
}

export interface ValidateDeps {
  /** The directory and accounts named by `--source` and `--accounts`. */
  worldPorts: (flags: { source: string; accounts?: string }) => Promise<WorldPorts>;
  /**
   * AWS Organizations' SCPs, when the accounts come from AWS and the rules revoke sessions with SCPs;
   * undefined otherwise (a snapshot cannot say whether SCPs work).
   */
  revocationPolicies?: (
    flags: { source: string; accounts?: string },
    rules: Rules,
  ) => Promise<RevocationPolicies | undefined>;
  /** IAM Access Analyzer, for `--check-policies-online`. */
  policyCheck: () => Promise<PolicyCheck>;
}

export function registerValidateCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  deps: ValidateDeps,
): void {
  program
    .command("validate")
    .description(
      "check the rules file, every problem at once; with --source, also against the directory and the accounts",
    )
    .addOption(new Option("--rules <file>", "the rules file").default("rules.yaml"))
    .addOption(new Option("--source <google|file:PATH>", "also check every reference against this directory"))
    .addOption(
      new Option(
        "--accounts <aws|file:PATH>",
        "where AWS accounts come from (default: the --source snapshot when it is a file, else AWS Organizations)",
      ),
    )
    .option("--json", "print the result as JSON")
    .option("--strict", "treat warnings (selectors that match nothing, ...) as errors, for CI")
    .option(
      "--check-policies-online",
      "also validate inline policies with IAM Access Analyzer ValidatePolicy (needs AWS credentials)",
    )
    .action(async (flags: ValidateFlags) => {
      setExitCode(await validate(flags, io, deps));
    });
}

/**
 * `leavers.revokeSessions: scp` in an organization where it cannot work (SCPs disabled, no permission
 * to manage them, no slot on the root) is a configuration error now, not a failed deny at a leaver's
 * run. Checked as far as reading can tell: a missing write permission shows only when writing.
 */
async function revocationIssues(
  rules: Rules,
  source: string,
  accounts: string | undefined,
  deps: ValidateDeps,
): Promise<RuleIssue[]> {
  if (rules.leavers.revokeSessions !== "scp" || deps.revocationPolicies === undefined) return [];
  const policies = await deps.revocationPolicies({ source, ...(accounts ? { accounts } : {}) }, rules);
  if (policies === undefined) return [];
  const problem = scpReadinessProblem(await policies.read());
  return problem === undefined
    ? []
    : [
        ruleIssue(
          rules.source,
          ["leavers", "revokeSessions"],
          `leavers.revokeSessions: 'scp' cannot work in this organization: ${problem}`,
        ),
      ];
}

async function validate(flags: ValidateFlags, io: CliIo, deps: ValidateDeps): Promise<number> {
  const loaded = await loadRulesFor(flags.rules, io);
  const file = loaded.ok
    ? loaded.rules.source.file
    : (loaded.draft?.source.file ?? displayPath(io.cwd, flags.rules));
  const issues: RuleIssue[] = loaded.ok ? [] : [...loaded.issues];
  let warnings: RuleIssue[] = loaded.ok ? [...loaded.warnings] : [];
  let gaps: RuleIssue[] = [];

  if (flags.source !== undefined && (loaded.ok || loaded.draft !== undefined)) {
    const ports = await deps.worldPorts({
      source: flags.source,
      ...(flags.accounts ? { accounts: flags.accounts } : {}),
    });
    const world = await readWorld(loaded, ports);
    const check = await checkAgainstWorld(loaded, world, ports);
    gaps = check.gaps;
    if (!loaded.ok) issues.splice(0, issues.length, ...check.fileIssues);
    if (loaded.ok && gaps.length === 0) {
      // The loaded rules go through evaluate, which also knows the quotas and what matches nobody.
      const evaluation = evaluate(world.directory, loaded.rules, world.accounts, world.organization);
      if (evaluation.ok) warnings.push(...evaluation.warningIssues);
      else issues.push(...evaluation.problems);
    } else {
      issues.push(...check.errors);
    }
    if (loaded.ok) issues.push(...(await revocationIssues(loaded.rules, flags.source, flags.accounts, deps)));
  }

  if (flags.checkPoliciesOnline && loaded.ok) {
    const online = await (await deps.policyCheck()).check(loaded.rules);
    issues.push(...online.errors);
    warnings.push(...online.warnings);
  }

  if (flags.strict && warnings.length > 0) {
    issues.push(...warnings.map((warning) => ({ ...warning, message: `${warning.message} (--strict)` })));
    warnings = [];
  }
  if (issues.length > 0 || gaps.length > 0) {
    reportRules(
      { issues, gaps, warnings, file, ...(loaded.text !== undefined ? { text: loaded.text } : {}) },
      io,
      flags.json,
    );
    return ExitCode.usage;
  }
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ valid: true, file: flags.rules, ...(warnings.length > 0 ? { warnings } : {}) }, null, 2)}\n`,
    );
  } else {
    printRuleWarnings(warnings, io);
    io.stdout(`${flags.rules}: valid\n`);
  }
  return ExitCode.ok;
}
