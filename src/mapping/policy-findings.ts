/**
 * Findings of IAM Access Analyzer's ValidatePolicy as rules issues. A policy file was sent as written, so
 * a finding's span is a position in that file; a policy written in the rules was sent as JSON, so its
 * path (`Statement`, index 0, `Action`, ...) leads to the node in the rules file. Only policies that
 * passed the local grammar check are sent: they are policies, so quoting the service's words is safe.
 */
import { formatRulePath, type RuleIssue, type RulePath, ruleIssue } from "./issues.js";
import type { Rules } from "./rules.js";

/** A ValidatePolicy finding, as the API returns it. */
export interface PolicyFinding {
  findingType: string;
  issueCode: string;
  findingDetails: string;
  learnMoreLink?: string;
  locations: {
    path: ({ index: number } | { key: string } | { value: string } | { substring: unknown })[];
    span?: { start: { line: number; column: number } };
  }[];
}

/** The document to send for a permission set's inline policy: the file as read, or the canonical JSON. */
export function policyDocumentToValidate(rules: Rules, index: number): string | undefined {
  return rules.inlinePolicyFiles?.[index]?.text ?? rules.permissionSets[index]?.inlinePolicy;
}

/** Turns findings on permission set `index`'s inline policy into errors (ERROR) and warnings (the rest). */
export function findingsToIssues(
  rules: Rules,
  index: number,
  findings: readonly PolicyFinding[],
): { errors: RuleIssue[]; warnings: RuleIssue[] } {
  const result: { errors: RuleIssue[]; warnings: RuleIssue[] } = { errors: [], warnings: [] };
  const at: RulePath = ["permissionSets", index, "inlinePolicy"];
  const file = rules.inlinePolicyFiles?.[index];
  for (const finding of findings) {
    const location = finding.locations[0];
    const path: RulePath = (location?.path ?? []).flatMap((element): (string | number)[] =>
      "index" in element
        ? [element.index]
        : "value" in element
          ? [element.value]
          : "key" in element
            ? [element.key]
            : [],
    );
    const where = formatRulePath(path);
    const kind = finding.findingType.toLowerCase().replace("_", " ");
    const words = `Access Analyzer ${kind} ${finding.issueCode}: ${finding.findingDetails}`;
    let issue: RuleIssue;
    if (file) {
      const start = location?.span?.start;
      const position = start ? `line ${start.line}, column ${start.column + 1}` : "";
      issue = ruleIssue(
        rules.source,
        at,
        `inline policy file '${file.path}'${position === "" ? "" : ` ${position}`}${where === "" ? "" : ` (${where})`}: ${words}`,
      );
    } else {
      issue = ruleIssue(
        rules.source,
        [...at, ...path],
        `inline policy${where === "" ? "" : ` ${where}`}: ${words}`,
      );
    }
    (finding.findingType === "ERROR" ? result.errors : result.warnings).push(issue);
  }
  return result;
}
