/**
 * Checks the schema cannot express: duplicate names, cross-references, inline policy files and
 * static quotas. They run on the raw parsed YAML, defensively, so they report alongside schema errors
 * instead of waiting for the schema to pass.
 */
import { posix, win32 } from "node:path";
import { canonicalJson } from "../sync/canonical-json.js";
import { formatRulePath, type RuleIssue, type RulePath, type RulesSource, ruleIssue } from "./issues.js";
import { describeJsonSyntaxError, jsonPosition } from "./json-syntax.js";
import { checkPolicyGrammar } from "./policy-grammar.js";
import { accountIdPattern, instanceArnPattern, partitionOf } from "./schema.js";
import { didYouMean } from "./suggest.js";

/**
 * Identity Center quotas that a rules file alone can break: the IAM Identity Center quotas page, "AWS account
 * quotas" ("Number of AWS managed and customer managed policies per permission set | 20"; "Maximum size of
 * non-whitespace characters in the inline policy per permission set is 10,240 bytes", beside 32,768 bytes
 * in all). idc-sync sends the policy without white space, so the 10,240 is the one that binds.
 */
export const ruleQuotas = {
  policiesPerPermissionSet: 20,
  inlinePolicyNonWhitespaceBytes: 10_240,
} as const;

/**
 * What an inline policy may contain, after its JSON escapes are read: the IAM Identity Center API reference,
 * PutInlinePolicyToPermissionSet InlinePolicy "[\u0009\u000A\u000D\u0020-\u00FF]+" (IAM's own rule for
 * policy documents too).
 */
const policyCharacter = /^[\t\n\r\u0020-\u00FF]$/;

/** A policy file's text, or why it cannot be used: a phrase after "inline policy file 'X' ". */
export type PolicyFileRead = { text: string } | { problem: string };

export interface CheckContext {
  source: RulesSource;
  /**
   * Reads a policy file by its path relative to the rules file's folder. The path is normalised and
   * stays inside that folder (absolute paths and `..` are refused before the reader is asked).
   */
  readPolicyFile: (path: string) => PolicyFileRead;
  /**
   * Whether a name is written on lines a YAML slip garbled: a reference to it may only look unknown
   * because the slip hid its definition, so it is not reported (the slip is).
   */
  garbled?: (name: string) => boolean;
}

export interface CheckResult {
  errors: RuleIssue[];
  warnings: RuleIssue[];
  /** Canonical inline policies by permission set index. */
  inlinePolicies: Map<number, string>;
  /** Policy files as read, by permission set index: what an online check sends, so its positions are the file's. */
  inlinePolicyFiles: Map<number, { path: string; text: string }>;
}

type Raw = unknown;

const isRecord = (value: Raw): value is Record<string, Raw> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const list = (value: Raw): Raw[] => (Array.isArray(value) ? value : []);
const field = (value: Raw, key: string): Raw => (isRecord(value) ? value[key] : undefined);
const text = (value: Raw): string | undefined => (typeof value === "string" ? value.trim() : undefined);

/** Runs every non-schema check on the raw rules value. */
export function checkRules(raw: Raw, context: CheckContext): CheckResult {
  const result: CheckResult = {
    errors: [],
    warnings: [],
    inlinePolicies: new Map(),
    inlinePolicyFiles: new Map(),
  };
  const error = (path: RulePath, message: string) =>
    result.errors.push(ruleIssue(context.source, path, message));
  const warn = (path: RulePath, message: string, at: "value" | "key" = "value") =>
    result.warnings.push(ruleIssue(context.source, path, message, at));

  const groups = list(field(raw, "groups"));
  const groupNames = uniqueNames(
    groups.flatMap((group, index) => {
      const names: { name: string | undefined; path: RulePath }[] = [
        { name: text(field(group, "name")), path: ["groups", index, "name"] },
      ];
      list(field(group, "previousNames")).forEach((previous, previousIndex) => {
        names.push({ name: text(previous), path: ["groups", index, "previousNames", previousIndex] });
      });
      return names;
    }),
    (name, path, first) =>
      error(path, `group name '${name}' is used twice (first at ${formatRulePath(first)})`),
  );
  const currentGroupNames = new Set(groups.map((group) => text(field(group, "name"))).filter(isString));

  const instanceArn = text(field(field(raw, "identityCenter"), "instanceArn"));
  const instancePartition =
    instanceArn !== undefined && instanceArnPattern.test(instanceArn) ? partitionOf(instanceArn) : undefined;

  const permissionSets = list(field(raw, "permissionSets"));
  const permissionSetNames = uniqueNames(
    permissionSets.map((set, index) => ({
      name: text(field(set, "name")),
      path: ["permissionSets", index, "name"],
    })),
    (name, path, first) =>
      error(path, `permission set '${name}' is defined twice (first at ${formatRulePath(first)})`),
  );

  const staticUsers = list(field(field(raw, "users"), "static"));
  uniqueNames(
    staticUsers.map((user, index) => ({
      name: text(field(user, "email"))?.toLowerCase(),
      path: ["users", "static", index, "email"],
    })),
    (name, path, first) =>
      error(path, `static user '${name}' is listed twice (first at ${formatRulePath(first)})`),
  );

  const accountSets = field(raw, "accounts");
  const accountSetNames = new Set(isRecord(accountSets) ? Object.keys(accountSets) : []);

  const reference = (kind: string, known: Set<string>, value: Raw, path: RulePath, listPath: RulePath) => {
    const name = text(value);
    if (name === undefined || known.has(name)) return;
    if (context.garbled?.(name)) return;
    error(path, `unknown ${kind} '${name}' in ${formatRulePath(listPath)}${didYouMean(name, known)}`);
  };

  staticUsers.forEach((user, index) => {
    const listPath = ["users", "static", index, "groups"];
    list(field(user, "groups")).forEach((name, nameIndex) => {
      reference("group", currentGroupNames, name, [...listPath, nameIndex], listPath);
    });
  });

  const usedPermissionSets = new Set<string>();
  const usedAccountSets = new Set<string>();
  list(field(raw, "assignments")).forEach((assignment, index) => {
    const at = (key: string) => ["assignments", index, key];
    list(field(assignment, "groups")).forEach((name, i) => {
      reference("group", currentGroupNames, name, [...at("groups"), i], at("groups"));
    });
    list(field(assignment, "permissionSets")).forEach((name, i) => {
      const value = text(name);
      if (value !== undefined) usedPermissionSets.add(value);
      reference(
        "permission set",
        permissionSetNames,
        name,
        [...at("permissionSets"), i],
        at("permissionSets"),
      );
    });
    list(field(assignment, "accounts")).forEach((name, i) => {
      const value = text(name);
      if (value === undefined || accountIdPattern.test(value)) return;
      usedAccountSets.add(value);
      if (/^\d+$/.test(value) && !accountSetNames.has(value)) {
        error(
          [...at("accounts"), i],
          `'${value}' in ${formatRulePath(at("accounts"))} is not an account id: account ids have 12 digits`,
        );
        return;
      }
      reference("account set", accountSetNames, name, [...at("accounts"), i], at("accounts"));
    });
  });

  permissionSets.forEach((set, index) => {
    const name = text(field(set, "name"));
    if (name !== undefined && !usedPermissionSets.has(name)) {
      warn(["permissionSets", index, "name"], `permission set '${name}' is not used by any assignment`);
    }
    const policyCount =
      new Set(list(field(set, "managedPolicies")).map(String)).size +
      new Set(list(field(set, "customerManagedPolicies")).map((policy) => JSON.stringify(policy))).size;
    if (policyCount > ruleQuotas.policiesPerPermissionSet) {
      error(
        ["permissionSets", index, "managedPolicies"],
        `permission set '${name ?? index}' has ${policyCount} managed and customer managed policies; Identity Center allows at most ${ruleQuotas.policiesPerPermissionSet}`,
      );
    }
    if (instancePartition !== undefined) {
      const inOtherPartition = (value: Raw, path: RulePath) => {
        const arn = text(value);
        if (arn === undefined || !arn.startsWith("arn:") || partitionOf(arn) === instancePartition) return;
        const name = arn.split(":policy/")[1] ?? "NAME";
        error(
          path,
          `'${arn}' is an AWS managed policy of the partition ${partitionOf(arn)}, but the Identity Center instance is in ${instancePartition}: write the name alone (${name}) or arn:${instancePartition}:iam::aws:policy/${name}`,
        );
      };
      list(field(set, "managedPolicies")).forEach((value, policyIndex) => {
        inOtherPartition(value, ["permissionSets", index, "managedPolicies", policyIndex]);
      });
      const boundary = field(field(set, "permissionsBoundary"), "managedPolicy");
      inOtherPartition(boundary, ["permissionSets", index, "permissionsBoundary", "managedPolicy"]);
    }
    const at: RulePath = ["permissionSets", index, "inlinePolicy"];
    const policy = loadInlinePolicy(field(set, "inlinePolicy"), context);
    if (policy === undefined) return;
    for (const problem of policy.problems) {
      const issue = ruleIssue(context.source, [...at, ...problem.path], problem.message, problem.at);
      (problem.severity === "error" ? result.errors : result.warnings).push(issue);
    }
    if (policy.canonical !== undefined && !policy.problems.some((problem) => problem.severity === "error")) {
      result.inlinePolicies.set(index, policy.canonical);
      if (policy.file) result.inlinePolicyFiles.set(index, policy.file);
    }
  });

  for (const name of accountSetNames) {
    if (!usedAccountSets.has(name))
      warn(["accounts", name], `account set '${name}' is not used by any assignment`, "key");
  }

  const domains = new Set(list(field(field(raw, "google"), "domains")).map((d) => text(d)?.toLowerCase()));
  staticUsers.forEach((user, index) => {
    const email = text(field(user, "email"))?.toLowerCase();
    const domain = email?.split("@")[1];
    if (domain !== undefined && domains.has(domain)) {
      warn(
        ["users", "static", index, "email"],
        `static user '${email}' is in the Google domain ${domain}; the static entry wins over Google`,
      );
    }
  });

  list(field(field(field(raw, "safety"), "protect"), "groups")).forEach((name, index) => {
    const value = text(name);
    if (value !== undefined && groupNames.has(value)) {
      warn(
        ["safety", "protect", "groups", index],
        `group '${value}' is protected, so its rule in groups is ignored`,
      );
    }
  });

  return result;
}

const isString = (value: string | undefined): value is string => value !== undefined;

/** Collects names, reporting each repeat at its own position. */
function uniqueNames(
  entries: { name: string | undefined; path: RulePath }[],
  onDuplicate: (name: string, path: RulePath, first: RulePath) => void,
): Set<string> {
  const first = new Map<string, RulePath>();
  for (const { name, path } of entries) {
    if (name === undefined || name === "") continue;
    const earlier = first.get(name);
    if (earlier) onDuplicate(name, path, earlier);
    else first.set(name, path);
  }
  return new Set(first.keys());
}

/**
 * A problem of an inline policy, as an issue of the rules file: `path` is inside the `inlinePolicy`
 * value (empty for a policy file, whose own position is in the message).
 */
interface PolicyIssue {
  path: RulePath;
  message: string;
  at: "key" | "value";
  severity: "error" | "warning";
}

function loadInlinePolicy(
  value: Raw,
  context: CheckContext,
): { canonical?: string; file?: { path: string; text: string }; problems: PolicyIssue[] } | undefined {
  const fail = (message: string) => ({
    problems: [{ path: [], message, at: "value" as const, severity: "error" as const }],
  });
  let document: unknown;
  let origin: string;
  let fileText: string | undefined;
  if (typeof value === "string" && value !== "") {
    origin = `inline policy file '${value}'`;
    const path = policyPathInRulesFolder(value);
    if ("problem" in path) return fail(`${origin} ${path.problem}`);
    const read = context.readPolicyFile(path.relative);
    if ("problem" in read) return fail(`${origin} ${read.problem}`);
    try {
      document = JSON.parse(read.text);
    } catch {
      // JSON.parse quotes the text around the mistake; a policy path may name a secret, so say only where.
      return fail(`${origin} is not valid JSON: ${describeJsonSyntaxError(read.text)}`);
    }
    fileText = read.text;
  } else if (isRecord(value)) {
    document = value;
    origin = "inline policy";
  } else {
    return undefined;
  }
  if (!isRecord(document)) return fail(`${origin} must contain a JSON object (a policy document)`);

  const problems: PolicyIssue[] = checkPolicyGrammar(document).map((problem) => {
    const where = formatRulePath(problem.path);
    if (fileText === undefined) {
      // Written in the rules file: the issue sits at the node itself.
      return {
        path: problem.path,
        message: `${origin}${where === "" ? "" : ` ${where}`}: ${problem.message}`,
        at: problem.at,
        severity: problem.severity,
      };
    }
    const position = jsonPosition(fileText, problem.path, problem.at);
    return {
      path: [],
      message: `${origin} ${position}${where === "" ? "" : ` (${where})`}: ${problem.message}`,
      at: "value",
      severity: problem.severity,
    };
  });
  const outside = firstCharacterOutside(document, []);
  if (outside !== undefined) {
    const code = outside.character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    const message = `U+${code} '${outside.character}' is not allowed in a policy: Identity Center takes tab, line breaks and U+0020 to U+00FF only (write - for – and ' for ’)`;
    const where = formatRulePath(outside.path);
    problems.push(
      fileText === undefined
        ? {
            path: outside.path,
            message: `${origin}${where === "" ? "" : ` ${where}`}: ${message}`,
            at: outside.at,
            severity: "error",
          }
        : {
            path: [],
            message: `${origin} ${jsonPosition(fileText, outside.path, outside.at)}${where === "" ? "" : ` (${where})`}: ${message}`,
            at: "value",
            severity: "error",
          },
    );
  }
  const canonical = canonicalJson(document);
  const bytes = new TextEncoder().encode(canonical).length;
  if (bytes > ruleQuotas.inlinePolicyNonWhitespaceBytes) {
    problems.push({
      path: [],
      message: `${origin} is ${bytes} bytes without white space; Identity Center allows at most ${ruleQuotas.inlinePolicyNonWhitespaceBytes}`,
      at: "value",
      severity: "error",
    });
  }
  return {
    canonical,
    ...(fileText === undefined || typeof value !== "string" ? {} : { file: { path: value, text: fileText } }),
    problems,
  };
}

/** The first key or string value of a policy holding a character Identity Center refuses, and where. */
function firstCharacterOutside(
  value: unknown,
  path: RulePath,
): { character: string; path: RulePath; at: "key" | "value" } | undefined {
  const bad = (text: string) => [...text].find((character) => !policyCharacter.test(character));
  if (typeof value === "string") {
    const character = bad(value);
    return character === undefined ? undefined : { character, path, at: "value" };
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  for (const [key, item] of entries) {
    const inKey = typeof key === "string" ? bad(key) : undefined;
    if (inKey !== undefined) return { character: inKey, path: [...path, key], at: "key" };
    const found = firstCharacterOutside(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * A policy path as written, checked without touching the disk: relative, and still inside the rules
 * file's folder once `.` and `..` are folded (`policies/../../x` is outside).
 */
function policyPathInRulesFolder(written: string): { relative: string } | { problem: string } {
  if (written.includes("\u0000")) return { problem: "is not a usable path: it contains a NUL character" };
  if (posix.isAbsolute(written) || win32.isAbsolute(written)) {
    return { problem: "is an absolute path: write it relative to the rules file's folder" };
  }
  const relative = posix.normalize(written.replaceAll("\\", "/"));
  if (relative === ".." || relative.startsWith("../")) {
    return { problem: "is outside the rules file's folder: policy files must be in that folder or below it" };
  }
  return { relative };
}
