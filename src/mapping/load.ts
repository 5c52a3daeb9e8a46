/**
 * Loading the rules file: YAML → schema → cross-checks → normalised `Rules`, reporting every problem
 * at once with its line and column. `parseRules` is pure (policy files come through `readPolicyFile`); `loadRules`
 * at the bottom is the thin wrapper that touches the disk.
 */
import { LineCounter, parseDocument, type YAMLWarning } from "yaml";
import type { z } from "zod";
import { sortCustomerPolicies } from "../sync/keys.js";
import type { CustomerManagedPolicyRef } from "../sync/model.js";
import { checkRules, type PolicyFileRead } from "./checks.js";
import {
  formatRulePath,
  type RuleIssue,
  type RulePath,
  type RulesSource,
  ruleIssue,
  sortIssues,
} from "./issues.js";
import type { Rules } from "./rules.js";
import { awsManagedPolicyArnIn, type RulesFile, rulesPartition, rulesSchema } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { describeYamlErrors } from "./yaml-errors.js";
import { indexDocument } from "./yaml-index.js";
import { checkYamlLimits, yamlLimits } from "./yaml-limits.js";

export type LoadRulesResult =
  | { ok: true; rules: Rules; warnings: RuleIssue[]; text: string }
  | {
      ok: false;
      issues: RuleIssue[];
      /** The rules text, when it could be read (to show the line of each issue). */
      text?: string;
      /**
       * What could be made of the rules despite their mistakes, so they can still be checked against the
       * directory and the organization in the same pass. Undefined when nothing could.
       */
      draft?: RulesDraft;
    };

/** Rules that did not load, as far as they parsed: the raw value, its positions and what a slip damaged. */
export interface RulesDraft {
  raw: unknown;
  source: RulesSource;
  /** Issues on these lines (1-based, inclusive) are consequences of a YAML slip already reported. */
  damagedLines: [number, number][];
}

export interface ParseRulesOptions {
  /** The rules file name as the user gave it; used in messages. */
  file: string;
  /**
   * Reads an inline policy file by its path relative to the rules file's folder. parseRules hands over
   * only normalised paths that stay inside that folder; the reader must refuse whatever a link leads out.
   */
  readPolicyFile: (path: string) => PolicyFileRead;
}

/**
 * Parses and validates rules text. Never throws for a user mistake: every problem comes back in
 * `issues`, positioned at the offending YAML node.
 */
export function parseRules(text: string, options: ParseRulesOptions): LoadRulesResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: options.file, line, column: col };
  };
  const syntax = describeYamlErrors(document.errors, text, lineCounter);
  const yamlIssues = [
    ...syntax.problems.map((problem) => ({ ...at(problem.offset), message: problem.message })),
    ...document.warnings.filter(isDirectiveProblem).map((warning) => ({
      ...at(warning.pos[0]),
      message: directiveMessage(warning.message),
    })),
  ];
  // Aliases and nesting are checked before anything expands them, whatever else is wrong.
  const limits = checkYamlLimits(document).map((problem) => ({
    ...at(problem.offset),
    message: problem.message,
  }));
  if (limits.length > 0) {
    // Nothing is expanded; a limit broken only on a slip's lines is the slip, already reported.
    const own = limits.filter((issue) => !onDamagedLine(issue, syntax.damagedLines));
    return { ok: false, issues: sortIssues([...yamlIssues, ...own]), text };
  }
  const yamlWarnings = document.warnings
    .filter((warning) => !isDirectiveProblem(warning))
    .map((warning) => ({
      ...at(warning.pos[0]),
      message: firstLine(warning.message),
    }));

  const source = indexDocument(options.file, document, lineCounter);
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: yamlLimits.maxAliasExpansion });
  } catch (error) {
    // checkYamlLimits catches what makes toJS throw; this is the second line of defence, never a crash.
    return {
      ok: false,
      issues: sortIssues([
        ...yamlIssues,
        { ...at(0), message: `cannot expand the YAML: ${firstLine((error as Error).message)}` },
      ]),
      text,
    };
  }
  if (raw === null || raw === undefined) {
    const empty = { file: options.file, line: 1, column: 1, message: "the rules file is empty" };
    return { ok: false, issues: yamlIssues.length > 0 ? sortIssues(yamlIssues) : [empty], text };
  }

  // What the parser recovered from a slip is checked too, so one run shows every mistake; what the slip
  // itself garbled (its lines, and references into its section) is left to the slip's own message.
  const damaged = { lines: syntax.damagedLines, sections: syntax.damagedSections };
  const textLines = text.split("\n");
  const garbledText = syntax.damagedLines
    .map(([from, to]) => textLines.slice(from - 1, to).join("\n"))
    .join("\n");
  const checked = checkRules(raw, {
    source,
    readPolicyFile: options.readPolicyFile,
    garbled: (name) => garbledText.includes(name),
  });
  const parsed = rulesSchema.safeParse(raw);
  const schemaIssues = parsed.success
    ? []
    : describeZodIssues(parsed.error.issues, [], raw, source).filter(
        (issue) => !isMissingDamagedSection(issue.message, damaged.sections),
      );
  const issues = dedupe([
    ...yamlIssues,
    ...[...schemaIssues, ...checked.errors].filter((issue) => !onDamagedLine(issue, damaged.lines)),
  ]);
  if (!parsed.success || issues.length > 0) {
    return {
      ok: false,
      issues: sortIssues(issues),
      text,
      draft: { raw, source, damagedLines: syntax.damagedLines },
    };
  }

  return {
    ok: true,
    rules: {
      ...normalise(parsed.data, checked.inlinePolicies, source),
      ...(checked.inlinePolicyFiles.size > 0
        ? { inlinePolicyFiles: Object.fromEntries(checked.inlinePolicyFiles) }
        : {}),
    },
    warnings: sortIssues([...yamlWarnings, ...checked.warnings]),
    text,
  };
}

/** Whether an issue sits on a line that a YAML slip made unreliable. */
export function onDamagedLine(issue: RuleIssue, damagedLines: readonly [number, number][]): boolean {
  return damagedLines.some(([from, to]) => issue.line >= from && issue.line <= to);
}

function isMissingDamagedSection(message: string, sections: ReadonlySet<string>): boolean {
  const key = /^missing required key '([^']+)'$/.exec(message)?.[1];
  return key !== undefined && sections.has(key);
}

function normalise(file: RulesFile, inlinePolicies: Map<number, string>, source: RulesSource): Rules {
  const { $schema: _ignored, permissionSets, ...rest } = file;
  // AWS managed policies exist once per partition: a name means the policy of the instance's partition.
  const partition = rulesPartition(file.identityCenter);
  const policyArn = (nameOrArn: string) => awsManagedPolicyArnIn(partition, nameOrArn);
  return {
    ...rest,
    permissionSets: permissionSets.map((set, index) => ({
      name: set.name,
      ...(set.description === undefined ? {} : { description: set.description }),
      sessionDuration: set.sessionDuration,
      ...(set.relayState === undefined ? {} : { relayState: set.relayState }),
      managedPolicyArns: [...new Set(set.managedPolicies.map(policyArn))].sort(),
      customerManagedPolicies: sortPolicyRefs(set.customerManagedPolicies),
      ...(inlinePolicies.has(index) ? { inlinePolicy: inlinePolicies.get(index) } : {}),
      ...(set.permissionsBoundary === undefined
        ? {}
        : {
            permissionsBoundary:
              set.permissionsBoundary.kind === "managed"
                ? { kind: "managed", managedPolicyArn: policyArn(set.permissionsBoundary.managedPolicyArn) }
                : set.permissionsBoundary,
          }),
      tags: { ...set.tags },
    })),
    source,
  };
}

function sortPolicyRefs(refs: CustomerManagedPolicyRef[]): CustomerManagedPolicyRef[] {
  const unique = new Map(refs.map((ref) => [`${ref.path}\u0000${ref.name}`, ref]));
  return sortCustomerPolicies([...unique.values()]);
}

// ─── zod issues → positioned messages ──────────────────────────────────────────────────────────────

type ZodIssue = z.core.$ZodIssue;

function describeZodIssues(
  issues: readonly ZodIssue[],
  base: RulePath,
  raw: unknown,
  source: RulesSource,
): RuleIssue[] {
  return issues.flatMap((issue) =>
    describeZodIssue(issue, [...base, ...(issue.path as (string | number)[])], raw, source),
  );
}

function describeZodIssue(issue: ZodIssue, path: RulePath, raw: unknown, source: RulesSource): RuleIssue[] {
  const where = formatRulePath(path);
  const prefixed = (message: string) => (where === "" ? message : `${where}: ${message}`);
  const input = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) =>
        ruleIssue(
          source,
          [...path, key],
          `unknown key '${key}'${where === "" ? "" : ` in ${where}`}${didYouMean(key, allowed)}`,
          "key",
        ),
      );
    }
    case "invalid_type": {
      if (input === undefined) {
        const parent = path.slice(0, -1);
        const parentText = formatRulePath(parent);
        return [
          ruleIssue(
            source,
            parent,
            `${parentText === "" ? "" : `${parentText}: `}missing required key '${String(path[path.length - 1])}'`,
          ),
        ];
      }
      return [
        ruleIssue(
          source,
          path,
          prefixed(`expected ${article(issue.expected)}, got ${describeValue(input)}${quoteHint(input)}`),
        ),
      ];
    }
    case "invalid_union": {
      // `dept` where a field name or false is expected: every branch names the values it takes.
      const values = issue.errors.every(
        (branch) => branch.length === 1 && branch[0]?.code === "invalid_value" && branch[0].path.length === 0,
      )
        ? issue.errors.flatMap((branch) => (branch[0]?.code === "invalid_value" ? branch[0].values : []))
        : [];
      if (values.length > 0)
        return [
          ruleIssue(
            source,
            path,
            prefixed(
              `expected ${values.map((value) => JSON.stringify(value)).join(" or ")}, got ${describeValue(input)}`,
            ),
          ),
        ];
      const best = bestBranch(issue.errors);
      if (best !== undefined) return describeZodIssues(best, path, raw, source);
      return [
        ruleIssue(
          source,
          path,
          prefixed(`${issue.message}${quoteHint(input)}${unknownKeyHint(issue.errors)}`),
        ),
      ];
    }
    case "invalid_value":
      return [
        ruleIssue(
          source,
          path,
          prefixed(
            isDefaultMessage(issue.message)
              ? `expected ${issue.values.map((value) => JSON.stringify(value)).join(" or ")}, got ${describeValue(input)}`
              : issue.message,
          ),
        ),
      ];
    case "invalid_key":
      return issue.issues.map((inner) =>
        ruleIssue(
          source,
          path,
          prefixed(isDefaultMessage(inner.message) ? `invalid key` : inner.message),
          "key",
        ),
      );
    case "too_small":
    case "too_big": {
      if (!isDefaultMessage(issue.message)) return [ruleIssue(source, path, prefixed(issue.message))];
      const bound = issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const unit = issue.origin === "array" ? "item(s)" : issue.origin === "string" ? "character(s)" : "";
      return [ruleIssue(source, path, prefixed(`must have ${bound} ${unit}`.trim()))];
    }
    default:
      return [
        ruleIssue(source, path, prefixed(isDefaultMessage(issue.message) ? "invalid value" : issue.message)),
      ];
  }
}

/**
 * Of the branches of a failed union, the one the user evidently meant: the single branch with the
 * fewest problems, not counting branches whose very type is wrong. Undefined when it is a tie.
 */
function bestBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | undefined {
  const scored = branches.map((issues) => ({ issues, score: branchScore(issues) }));
  const lowest = Math.min(...scored.map((branch) => branch.score));
  const winners = scored.filter((branch) => branch.score === lowest);
  return lowest < wrongType && winners.length === 1 ? winners[0]?.issues : undefined;
}

const wrongType = 100;

function branchScore(issues: readonly ZodIssue[]): number {
  let score = 0;
  for (const issue of issues) {
    const atRoot = issue.path.length === 0;
    if (atRoot && (issue.code === "invalid_type" || issue.code === "invalid_value")) score += wrongType;
    else if (atRoot && issue.code === "invalid_union")
      score += Math.min(wrongType, ...issue.errors.map((branch) => branchScore(branch)));
    else if (issue.code === "unrecognized_keys") score += issue.keys.length;
    else score += 1;
  }
  return score;
}

/** For `{googleGroupp: x}`: every branch rejects the key, and the keys the branches miss are the options. */
function unknownKeyHint(branches: readonly (readonly ZodIssue[])[]): string {
  const missing = new Set<string>();
  const unknownIn = new Map<string, number>();
  for (const branch of branches) {
    for (const issue of branch) {
      if (issue.code === "invalid_type" && issue.path.length === 1) missing.add(String(issue.path[0]));
      if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
        for (const key of issue.keys) unknownIn.set(key, (unknownIn.get(key) ?? 0) + 1);
      }
    }
  }
  const unknown = [...unknownIn].filter(([, count]) => count === branches.length).map(([key]) => key);
  return unknown.map((key) => `; unknown key '${key}'${didYouMean(key, missing)}`).join("");
}

function quoteHint(input: unknown): string {
  if (typeof input === "number" && Number.isInteger(input))
    return " (put it in quotes: YAML reads unquoted digits as a number and drops leading zeros)";
  // `domains:[example.com]` is one string to YAML: a key needs a space after its colon.
  if (typeof input === "string" && /^[A-Za-z_$][\w$-]*:\S/.test(input))
    return " (a ':' needs a space after it to start a key)";
  return "";
}

function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too small|Too big|Unrecognized)/.test(message);
}

function article(expected: string): string {
  if (expected === "object") return "a map";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `'${value}'`;
  return String(value);
}

function valueAt(raw: unknown, path: RulePath): unknown {
  let value = raw;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The keys the schema allows at a path, for did-you-mean on unknown keys. */
function allowedKeysAt(path: RulePath): string[] {
  const keys = new Set<string>();
  const walk = (schema: z.core.$ZodType, index: number): void => {
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
        walk(def.innerType as z.core.$ZodType, index);
        return;
      case "pipe":
        walk(def.in as z.core.$ZodType, index);
        return;
      case "union":
        for (const option of def.options as z.core.$ZodType[]) walk(option, index);
        return;
      case "object": {
        const shape = def.shape as Record<string, z.core.$ZodType>;
        if (index === path.length) {
          for (const key of Object.keys(shape)) keys.add(key);
          return;
        }
        const next = shape[String(path[index])];
        if (next) walk(next, index + 1);
        return;
      }
      case "array":
        if (typeof path[index] === "number") walk(def.element as z.core.$ZodType, index + 1);
        return;
      case "record":
        if (index < path.length) walk(def.valueType as z.core.$ZodType, index + 1);
        return;
      default:
        return;
    }
  };
  walk(rulesSchema, 0);
  return [...keys];
}

function dedupe(issues: RuleIssue[]): RuleIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** An unknown directive or `%YAML 9.9` is only a warning to yaml; a rules file must not depend on either. */
function isDirectiveProblem(warning: YAMLWarning): boolean {
  return warning.code === "BAD_DIRECTIVE";
}

function directiveMessage(message: string): string {
  const version = /^Unsupported YAML version (\S+)/.exec(message)?.[1];
  if (version !== undefined) return `unsupported YAML version ${version}: use %YAML 1.2 (or no directive)`;
  const directive = /^Unknown directive (\S+)/.exec(message)?.[1];
  if (directive !== undefined) return `unknown YAML directive ${directive}`;
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
