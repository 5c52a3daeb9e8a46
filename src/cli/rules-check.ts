/**
 * The rules editing loop's one pass: load the rules, and (when a directory is given) check what they name
 * against the directory and the organization even when the file itself has mistakes, so every problem
 * shows in the first run; then print them in file order, each with its line and a caret.
 */
import { relative, resolve } from "node:path";
import type { SnapshotContents } from "../adapters/file/file-directory-source.js";
import { loadRules } from "../adapters/file/rules-file.js";
import {
  checkReferences,
  directoryRequestFromDraft,
  directoryRequestFromRules,
  excerptAt,
  formatRuleIssue,
  type LoadRulesResult,
  onDamagedLine,
  type RuleIssue,
  type RulesWorld,
  type SnapshotCoverage,
  withAccountNames,
} from "../mapping/index.js";
import type { AwsAccount, Directory, Organization } from "../sync/model.js";
import type { AccountDirectory, DirectorySource, ProgressListener } from "../sync/ports.js";
import type { CliIo } from "./io.js";

/** Loads the rules file named on the command line; issues name it as the user did, relative to the cwd. */
export async function loadRulesFor(file: string, io: CliIo): Promise<LoadRulesResult> {
  const path = resolve(io.cwd, file);
  return loadRules(path, { file: displayPath(io.cwd, path) });
}

/** `rules/rules.yaml` for a file under the working directory, the absolute path otherwise. */
export function displayPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside !== "" && !inside.startsWith("..") && !inside.startsWith("/") ? inside : path;
}

/** The directory and the organization, read once for the check and the plan. */
export interface World {
  directory: Directory;
  accounts: AwsAccount[];
  organization?: Organization;
}

export interface WorldPorts {
  directory: DirectorySource;
  accounts: AccountDirectory;
  /** Present for a snapshot file: what it holds, so what it lacks is not blamed on the rules. */
  snapshot?: { file: string; contents: () => Promise<SnapshotContents> };
}

/** Reads the directory the rules (or what parsed of them) ask for, and the organization. */
export async function readWorld(
  loaded: LoadRulesResult,
  ports: WorldPorts,
  progress?: ProgressListener,
): Promise<World> {
  const request = loaded.ok
    ? directoryRequestFromRules(loaded.rules)
    : directoryRequestFromDraft(loaded.draft?.raw);
  const directory = await ports.directory.readDirectory(request, progress);
  const organization = ports.accounts.readOrganization
    ? await ports.accounts.readOrganization(progress)
    : undefined;
  const accounts = organization?.accounts ?? (await ports.accounts.listAccounts(progress));
  return { directory, accounts, ...(organization && organization.rootId !== "" ? { organization } : {}) };
}

/** Ports that answer with what `readWorld` read, so a plan after the check reads nothing twice. */
export function portsFromWorld(world: World): { directory: DirectorySource; accounts: AccountDirectory } {
  return {
    directory: { readDirectory: async () => world.directory },
    accounts: {
      listAccounts: async () => world.accounts,
      ...(world.organization ? { readOrganization: async () => world.organization! } : {}),
    },
  };
}

export interface WorldCheck {
  /** Mistakes in the rules found against the world (unknown groups, org units, accounts, OUs). */
  errors: RuleIssue[];
  /** The file's own issues, told what the world knows (an account's name used as an account set). */
  fileIssues: RuleIssue[];
  /** What the snapshot lacks that the rules need: not the rules' fault. */
  gaps: RuleIssue[];
}

/** Checks what the rules (or what parsed of them) name against the world. */
export async function checkAgainstWorld(
  loaded: LoadRulesResult,
  world: World,
  ports: WorldPorts,
): Promise<WorldCheck> {
  const raw = loaded.ok ? loaded.rules : loaded.draft?.raw;
  const source = loaded.ok ? loaded.rules.source : loaded.draft?.source;
  const fileIssues = loaded.ok ? [] : withAccountNames(loaded.issues, world.accounts);
  if (raw === undefined || source === undefined) return { errors: [], gaps: [], fileIssues };
  const coverage: SnapshotCoverage | undefined = ports.snapshot
    ? { file: ports.snapshot.file, ...(await ports.snapshot.contents()) }
    : undefined;
  const rulesWorld: RulesWorld = {
    directory: world.directory,
    accounts: world.accounts,
    ...(world.organization ? { organization: world.organization } : {}),
  };
  const checked = checkReferences(raw, source, rulesWorld, coverage);
  const damaged = loaded.ok ? [] : (loaded.draft?.damagedLines ?? []);
  return {
    errors: checked.errors.filter((issue) => !onDamagedLine(issue, damaged)),
    gaps: checked.gaps,
    fileIssues,
  };
}

export interface RulesReport {
  issues: RuleIssue[];
  /** What the snapshot lacks (positioned at the rule that needs it). */
  gaps?: RuleIssue[];
  warnings?: RuleIssue[];
  /** The rules text, for the line under each issue. */
  text?: string;
  /** The rules file as displayed; only its issues get a line and a caret. */
  file: string;
}

/**
 * Prints every problem in file order with its line and a caret (or, with `--json`, one document on
 * stdout), and the closing count. The rules are only blamed for what is theirs.
 */
export function reportRules(report: RulesReport, io: CliIo, json: boolean | undefined): void {
  const gaps = report.gaps ?? [];
  const warnings = report.warnings ?? [];
  if (json) {
    io.stdout(
      `${JSON.stringify(
        {
          valid: false,
          issues: sortByPosition(report.issues),
          ...(gaps.length > 0 ? { snapshotGaps: sortByPosition(gaps) } : {}),
          ...(warnings.length > 0 ? { warnings } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  printRuleWarnings(warnings, io);
  const all = sortByPosition([...report.issues, ...gaps]);
  for (const issue of all) {
    io.stderr(`${formatRuleIssue(issue)}\n`);
    if (report.text !== undefined && issue.file === report.file) {
      for (const line of excerptAt(report.text, issue.line, issue.column)) io.stderr(`${line}\n`);
    }
  }
  const count = report.issues.length;
  if (count > 0) io.stderr(`${count} problem${count === 1 ? "" : "s"} in the rules; nothing was changed.\n`);
  if (gaps.length > 0) {
    io.stderr(
      `The directory snapshot lacks ${gaps.length} thing${gaps.length === 1 ? "" : "s"} the rules need (not a mistake in the rules); nothing was changed.\n`,
    );
  }
}

export function printRuleWarnings(warnings: readonly (RuleIssue | string)[], io: CliIo): void {
  for (const warning of warnings)
    io.stderr(`warning: ${typeof warning === "string" ? warning : formatRuleIssue(warning)}\n`);
}

const messageOrder = new Intl.Collator("en", { numeric: true });

function sortByPosition(issues: RuleIssue[]): RuleIssue[] {
  const seen = new Set<string>();
  return [...issues]
    .filter((issue) => {
      const key = `${issue.file}:${issue.line}:${issue.column}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(
      (a, b) =>
        (a.file === b.file ? 0 : a.file < b.file ? -1 : 1) ||
        a.line - b.line ||
        a.column - b.column ||
        messageOrder.compare(a.message, b.message),
    );
}
