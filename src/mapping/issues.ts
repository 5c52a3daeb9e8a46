/**
 * Rule problems as values with positions, and the index that maps a rule path
 * (`groups[2].members[0].googleGroup`) back to the line and column it came from.
 */

/** One problem in the rules file, at a 1-based line and column. */
export interface RuleIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A path into the rules file: keys and list indexes. */
export type RulePath = readonly (string | number)[];

export interface RulePosition {
  line: number;
  column: number;
}

/**
 * Where each node of the rules file sits, keyed by `formatRulePath`. Plain data, so it travels with the
 * loaded rules and `evaluate` can position its own problems.
 */
export interface RulesSource {
  file: string;
  /** Position of each value node. */
  values: Record<string, RulePosition>;
  /** Position of each map key (the key text, not its value). */
  keys: Record<string, RulePosition>;
}

/** `rules.yaml:12:5: message`, the file as it was given. */
export function formatRuleIssue(issue: RuleIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** `groups[2].members[0].googleGroup`; keys that are not plain words are quoted: `accounts["my set"]`. */
export function formatRulePath(path: RulePath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * The position of a rule path: the node itself, or the nearest ancestor that exists (a missing key is
 * reported at the map that lacks it). `at: "key"` prefers the key of a map entry over its value.
 */
export function locateRule(source: RulesSource, path: RulePath, at: "value" | "key" = "value"): RulePosition {
  if (at === "key") {
    const key = source.keys[formatRulePath(path)];
    if (key) return key;
  }
  for (let length = path.length; length >= 0; length--) {
    const position = source.values[formatRulePath(path.slice(0, length))];
    if (position) return position;
  }
  return { line: 1, column: 1 };
}

/** A positioned issue for a rule path. */
export function ruleIssue(
  source: RulesSource,
  path: RulePath,
  message: string,
  at: "value" | "key" = "value",
): RuleIssue {
  return { file: source.file, ...locateRule(source, path, at), message };
}

const messageOrder = new Intl.Collator("en", { numeric: true });

/** Sorts issues by position so the report reads top to bottom. */
export function sortIssues(issues: RuleIssue[]): RuleIssue[] {
  return [...issues].sort(
    (a, b) =>
      // Numbers inside messages in numeric order: a policy file's line 5 before its line 12.
      a.line - b.line || a.column - b.column || messageOrder.compare(a.message, b.message),
  );
}
