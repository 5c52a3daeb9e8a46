/**
 * `idc-sync doctor`: checks what can be checked from the APIs before a first plan (the Identity Center
 * instance and its status, the identity store, the region, and a read of each API a plan uses, with the
 * fix for each that fails), then lists the console settings a person must check by hand. It changes
 * nothing. Exit 0 when every check passed, 78 when something is configured wrong, 69 when a service could
 * not be reached or is not ready.
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { parseEndpointSpec } from "../../app/live-ports.js";
import {
  type CheckResult,
  doctorExitCode,
  FailureCause,
  failed,
  manualChecks,
  passed,
  renderDoctorReport,
  skipped,
} from "../../doctor/checklist.js";
import { checkAws, checkGoogle } from "../../doctor/probes.js";
import { formatRuleIssue } from "../../mapping/index.js";
import type { CliIo } from "../io.js";
import { writeJsonDocument } from "../json-output.js";
import { displayPath, loadRulesFor } from "../rules-check.js";

interface DoctorFlags {
  rules: string;
  source: string;
  target: string;
  json?: boolean;
}

export function registerDoctorCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("doctor")
    .description(
      "check the live setup a plan needs (instance, identity store, region, a read of each API) and list the console settings to check by hand",
    )
    .addOption(new Option("--rules <file>", "the rules file").default("rules.yaml"))
    .addOption(
      new Option(
        "--source <google|file:PATH>",
        "people: check the live Google directory, or skip it for a snapshot",
      ).default("google"),
    )
    .addOption(
      new Option(
        "--target <aws|file:PATH>",
        "Identity Center: check the live one, or skip AWS for a state file",
      ).default("aws"),
    )
    .option("--json", "print the checks as JSON")
    .action(async (flags: DoctorFlags) => {
      const checks = await runChecks(flags, io);
      const report = { checks, manual: manualChecks };
      const exitCode = doctorExitCode(checks);
      if (flags.json) writeJsonDocument(io.stdout, { ...report, exitCode });
      else io.stdout(renderDoctorReport(report));
      setExitCode(exitCode);
    });
}

async function runChecks(flags: DoctorFlags, io: CliIo): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const file = displayPath(io.cwd, resolve(io.cwd, flags.rules));
  const loaded = await loadRulesFor(flags.rules, io);
  if (loaded.ok) checks.push(passed("Rules", `${file} is valid`));
  else
    checks.push(
      failed(
        "Rules",
        `${file}: ${loaded.issues.length} problem${loaded.issues.length === 1 ? "" : "s"}, the first: ${formatRuleIssue(loaded.issues[0]!)}`,
        `idc-sync validate --rules ${flags.rules} lists them all; the checks below go on without the rules' instance and store ids`,
        FailureCause.configuration,
      ),
    );
  const rules = loaded.ok ? loaded.rules : undefined;

  const target = parseEndpointSpec(flags.target, "aws", io.cwd);
  if ("error" in target)
    checks.push(failed("--target", target.error, "give aws or file:PATH", FailureCause.configuration));
  else if (target.kind === "file")
    checks.push(skipped("AWS", `--target is the state file ${flags.target.slice(5)}`));
  else
    checks.push(
      ...(await checkAws(
        {
          rulesFile: file,
          ...(rules?.identityCenter?.instanceArn ? { instanceArn: rules.identityCenter.instanceArn } : {}),
          ...(rules?.identityCenter?.identityStoreId
            ? { identityStoreId: rules.identityCenter.identityStoreId }
            : {}),
        },
        io.env,
      )),
    );

  const source = parseEndpointSpec(flags.source, "google", io.cwd);
  if ("error" in source)
    checks.push(failed("--source", source.error, "give google or file:PATH", FailureCause.configuration));
  else if (source.kind === "file")
    checks.push(skipped("Google", `--source is the snapshot ${flags.source.slice(5)}`));
  else checks.push(await checkGoogle(rules?.google.customerId ?? "my_customer", io.env));
  return checks;
}
