/**
 * `idc-sync snapshot directory` and `snapshot identity-center`: a live system captured to a file, to
 * plan against offline.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { directoryToSnapshotText } from "../../adapters/file/directory-snapshot.js";
import { stateFileText } from "../../adapters/file/state-file.js";
import { directoryRequestFromDraft, directoryRequestFromRules, scopeFromRules } from "../../mapping/index.js";
import { DirectoryReadError } from "../../sync/errors.js";
import { ExitCode } from "../exit-codes.js";
import { rulesOption, sourceOption, targetOption, targetPort, worldPorts } from "../flags.js";
import type { CliIo } from "../io.js";
import { loadRulesOrReport } from "../output.js";
import { createProgressReporter } from "../progress.js";
import { displayPath, loadRulesFor, reportRules } from "../rules-check.js";

type DirectoryFlags = { rules: string; source: string; accounts?: string; out: string; allGroups?: boolean };

export function registerSnapshotCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
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
    .action(async (flags: DirectoryFlags) => {
      const code = await snapshotDirectory(flags, io);
      if (code !== undefined) setExitCode(code);
    });

  snapshot
    .command("identity-center")
    .description("write Identity Center (what the rules manage) to a state file")
    .addOption(rulesOption())
    .addOption(targetOption())
    .requiredOption("--out <file>", "where to write the state file (JSON)")
    .action(async (flags: { rules: string; target: string; out: string }) => {
      const rules = await loadRulesOrReport(flags.rules, io, false);
      if (!rules) return setExitCode(ExitCode.usage);
      const identityCenter = await targetPort(flags, rules, io);
      const progress = createProgressReporter(io);
      const state = await identityCenter
        .readState(scopeFromRules(rules), progress.listener)
        .finally(progress.done);
      await writeFile(resolve(io.cwd, flags.out), stateFileText(state), "utf8");
      io.stderr(
        `Wrote ${state.users.length} users, ${state.groups.length} groups, ${state.permissionSets.length} permission sets and ${state.assignments.length} assignments to ${flags.out}\n`,
      );
    });
}

async function snapshotDirectory(flags: DirectoryFlags, io: CliIo): Promise<number | undefined> {
  const loaded = await loadRulesFor(flags.rules, io);
  if (!loaded.ok && loaded.draft === undefined) {
    const file = displayPath(io.cwd, resolve(io.cwd, flags.rules));
    reportRules(
      { issues: loaded.issues, file, ...(loaded.text !== undefined ? { text: loaded.text } : {}) },
      io,
      false,
    );
    return ExitCode.usage;
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
  return undefined;
}
