/**
 * `idc-sync`: the program, one command per file under `commands/`. Commands only parse flags, build
 * adapters, call the one use case (`src/app/job.ts`) and format its result.
 */
import { Command, CommanderError } from "commander";
import { buildRevocationPolicies } from "../app/live-ports.js";
import { SyncError } from "../sync/errors.js";
import { registerApplyCommand } from "./commands/apply.js";
import { type AuditCommandDeps, registerAuditCommand } from "./commands/audit.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerExplainCommand } from "./commands/explain.js";
import { registerHistoryCommand } from "./commands/history.js";
import { registerInitCommand } from "./commands/init.js";
import { registerPlanCommand } from "./commands/plan.js";
import { registerReportCommand } from "./commands/report.js";
import { registerSnapshotCommand } from "./commands/snapshot.js";
import { registerValidateCommand } from "./commands/validate.js";
import { UsageError } from "./errors.js";
import { ExitCode, exitCodeForFailure, exitCodeHelp } from "./exit-codes.js";
import { endpoint, worldPorts } from "./flags.js";
import type { CliIo } from "./io.js";
import { accessAnalyzerPolicyCheck, type PolicyCheck } from "./online-policies.js";
import { packageVersion } from "./version.js";

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
      return exitCodeForFailure(error);
    }
    // Not one of ours (a file that cannot be written: 69; a bug: 70): still one line, and nothing was
    // applied that the output has not reported.
    io.stderr(`idc-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.IDC_SYNC_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    else io.stderr("  (set IDC_SYNC_DEBUG=1 to see where it happened)\n");
    return exitCodeForFailure(error);
  }
  return exitCode;
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void, options: CliOptions): Command {
  const program = new Command("idc-sync")
    .description("Keep AWS IAM Identity Center in step with Google Workspace, from a rules file in git.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText("after", exitCodeHelp)
    .version(packageVersion(), "-V, --version", "print the version of idc-sync");

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
  registerPlanCommand(program, io, setExitCode);
  registerApplyCommand(program, io, setExitCode);
  registerSnapshotCommand(program, io, setExitCode);
  registerAuditCommand(program, io, setExitCode, options.audit);
  registerHistoryCommand(program, io, setExitCode);
  registerReportCommand(program, io, setExitCode);
  registerExplainCommand(program, io, setExitCode);
  registerDoctorCommand(program, io, setExitCode);
  return program;
}
