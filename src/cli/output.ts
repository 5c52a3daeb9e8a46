/**
 * What several commands print the same way: warnings, the rules' problems, and whether to color.
 */
import { resolve } from "node:path";
import { formatRuleIssue, type RuleIssue, type Rules } from "../mapping/index.js";
import type { CliIo } from "./io.js";
import { displayPath, loadRulesFor, reportRules } from "./rules-check.js";

export function printWarnings(warnings: string[], io: CliIo): void {
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
}

export function useColor(io: CliIo): boolean {
  return io.isInteractive && !io.env.NO_COLOR;
}

/** The rules, or undefined once every problem of the file has been reported. */
export async function loadRulesOrReport(
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

export function reportRuleIssues(issues: RuleIssue[], io: CliIo, json: boolean | undefined): void {
  reportRules({ issues, file: "" }, io, json);
}
