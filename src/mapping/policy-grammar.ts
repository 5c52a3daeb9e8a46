/**
 * The grammar of an IAM identity policy, checked locally so `"Effect": "Alow"` or an action without its
 * service prefix is a rules error before AWS refuses it halfway through an apply. Written from "Grammar
 * of the IAM JSON policy language" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html:
 * `<effect_block> = "Effect" : ("Allow" | "Deny")`, `<action_block> = ("Action" | "NotAction") : ("*" |
 * [<action_string>, ...])`, `<resource_block> = ("Resource" | "NotResource") : ...`, `<condition_block> =
 * "Condition" : { <condition_map> }`, `<version_block> = "Version" : ("2008-10-17" | "2012-10-17")`) and
 * "IAM JSON policy elements: Condition operators" for the operator names, `...IfExists` ("Add IfExists to
 * the end of any condition operator name except the Null condition") and the `ForAllValues:` /
 * `ForAnyValue:` set operators. A permission set's inline policy is an identity policy: it names no
 * Principal ("You cannot use the Principal element in an identity-based policy").
 *
 * Problems carry the JSON path and never the value: the file may not be a policy at all (a key file
 * named by mistake), and its contents must not be printed. Only key names appear, and only as a path.
 */
import { closestName, didYouMean } from "./suggest.js";

export interface PolicyProblem {
  /** Where in the document: keys and list indexes. */
  path: (string | number)[];
  /** Says what is wrong without quoting any value of the document. */
  message: string;
  /** Point at the key itself rather than its value (an element that does not belong). */
  at: "key" | "value";
  severity: "error" | "warning";
}

export const policyVersions = ["2012-10-17", "2008-10-17"] as const;

const statementElements = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
] as const;

const baseOperators = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
] as const;

/** Every condition operator name the grammar accepts. */
export const conditionOperators: ReadonlySet<string> = new Set(
  ["", "ForAllValues:", "ForAnyValue:"].flatMap((set) => [
    ...baseOperators.flatMap((operator) => [`${set}${operator}`, `${set}${operator}IfExists`]),
    `${set}Null`,
  ]),
);

/** `service:Action`, wildcards allowed in the action part (`ec2:Describe*`, `s3:Get?bject`), or `*`. */
const actionShape = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
/** `arn:partition:service:region:account:resource`: six parts at least, or `*`. */
const resourceShape = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/;
const conditionKeyShape = /^[A-Za-z0-9-]+:\S+$/;
const sidShape = /^[A-Za-z0-9]*$/;

type Json = unknown;
const isRecord = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Checks an identity policy document. Errors make AWS refuse the policy; warnings change what it means. */
export function checkPolicyGrammar(document: Record<string, Json>): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const error = (path: (string | number)[], message: string, at: "key" | "value" = "value") =>
    problems.push({ path, message, at, severity: "error" });
  const warning = (path: (string | number)[], message: string) =>
    problems.push({ path, message, at: "value", severity: "warning" });

  for (const key of Object.keys(document)) {
    if (key !== "Version" && key !== "Id" && key !== "Statement")
      error(
        [key],
        `${describeKey(key)} is not a policy element${didYouMean(key, ["Version", "Id", "Statement"])}: a policy has Version, Id and Statement`,
        "key",
      );
  }
  if (!("Version" in document)) {
    warning(
      [],
      `the policy has no Version: IAM reads it as 2008-10-17, where policy variables such as \${aws:username} are plain text; add "Version": "2012-10-17"`,
    );
  } else if (!(policyVersions as readonly string[]).includes(document.Version as string)) {
    error(["Version"], `Version must be "2012-10-17" (or the old "2008-10-17")`);
  }
  if ("Id" in document && typeof document.Id !== "string") error(["Id"], "Id must be a string");

  const statement = document.Statement;
  if (statement === undefined) {
    error([], "the policy has no Statement");
    return problems;
  }
  const statements = Array.isArray(statement) ? statement : [statement];
  const statementPath = (index: number): (string | number)[] =>
    Array.isArray(statement) ? ["Statement", index] : ["Statement"];
  if (Array.isArray(statement) && statement.length === 0)
    error(["Statement"], "Statement lists no statements");

  const sids = new Map<string, number>();
  statements.forEach((entry, index) => {
    const at = statementPath(index);
    if (!isRecord(entry)) {
      error(at, "a statement must be a JSON object");
      return;
    }
    for (const key of Object.keys(entry)) {
      if (!(statementElements as readonly string[]).includes(key))
        error(
          [...at, key],
          `${describeKey(key)} is not a statement element${didYouMean(key, statementElements)}`,
          "key",
        );
    }
    for (const key of ["Principal", "NotPrincipal"] as const) {
      if (key in entry)
        error(
          [...at, key],
          `${key} is not allowed in a permission set's inline policy (an identity policy): the permission set's users are the principal`,
          "key",
        );
    }
    if ("Sid" in entry) {
      const sid = entry.Sid;
      if (typeof sid !== "string" || !sidShape.test(sid))
        error([...at, "Sid"], "Sid may hold only letters A-Z, a-z and digits 0-9");
      else if (sid !== "") {
        const first = sids.get(sid);
        if (first !== undefined)
          error([...at, "Sid"], `Sid is the same as in statement ${first}: Sids must be unique in a policy`);
        else sids.set(sid, index);
      }
    }

    const effect = entry.Effect;
    if (effect === undefined) error(at, 'the statement has no Effect: add "Effect": "Allow" or "Deny"');
    else if (effect !== "Allow" && effect !== "Deny") {
      const guess = typeof effect === "string" ? closestName(effect, ["Allow", "Deny"]) : undefined;
      error(
        [...at, "Effect"],
        `Effect must be "Allow" or "Deny"${guess === undefined ? "" : `; did you mean '${guess}'?`}`,
      );
    }

    checkOneOf(entry, at, ["Action", "NotAction"], error, (value, path) => {
      if (value !== "*" && (typeof value !== "string" || !actionShape.test(value)))
        error(
          path,
          "not an action: write service:ActionName (letters and digits, * and ? as wildcards), or *",
        );
    });
    checkOneOf(entry, at, ["Resource", "NotResource"], error, (value, path) => {
      if (value !== "*" && (typeof value !== "string" || !resourceShape.test(value)))
        error(path, "not a resource: write an ARN (arn:partition:service:region:account:resource) or *");
    });

    if ("Condition" in entry) checkCondition(entry.Condition, [...at, "Condition"], error);
  });
  return problems;
}

function checkOneOf(
  statement: Record<string, Json>,
  at: (string | number)[],
  [positive, negative]: readonly [string, string],
  error: (path: (string | number)[], message: string, at?: "key" | "value") => void,
  checkValue: (value: Json, path: (string | number)[]) => void,
): void {
  const present = [positive, negative].filter((key) => key in statement);
  if (present.length === 0) {
    error(at, `the statement has neither ${positive} nor ${negative}: it needs one of them`);
    return;
  }
  if (present.length === 2) {
    error([...at, negative], `the statement has both ${positive} and ${negative}: keep one`, "key");
    return;
  }
  const key = present[0]!;
  const value = statement[key];
  if (Array.isArray(value)) {
    if (value.length === 0) error([...at, key], `${key} lists nothing`);
    value.forEach((item, index) => {
      checkValue(item, [...at, key, index]);
    });
  } else if (typeof value === "string") {
    checkValue(value, [...at, key]);
  } else {
    error([...at, key], `${key} must be a string or a list of strings`);
  }
}

function checkCondition(
  condition: Json,
  at: (string | number)[],
  error: (path: (string | number)[], message: string, at?: "key" | "value") => void,
): void {
  if (!isRecord(condition)) {
    error(at, "Condition must be a map of condition operators");
    return;
  }
  for (const [operator, block] of Object.entries(condition)) {
    const path = [...at, operator];
    if (!conditionOperators.has(operator)) {
      error(
        path,
        `${describeKey(operator)} is not a condition operator${didYouMean(operator, conditionOperators)}`,
        "key",
      );
      continue;
    }
    if (!isRecord(block)) {
      error(path, "a condition operator takes a map of condition keys to values");
      continue;
    }
    for (const [key, value] of Object.entries(block)) {
      if (!conditionKeyShape.test(key))
        error(
          [...path, key],
          `${describeKey(key)} is not a condition key: write prefix:key, like aws:PrincipalTag/team`,
          "key",
        );
      const values = Array.isArray(value) ? value : [value];
      if (Array.isArray(value) && value.length === 0) error([...path, key], "the condition lists no values");
      values.forEach((item, index) => {
        if (!["string", "number", "boolean"].includes(typeof item))
          error(
            Array.isArray(value) ? [...path, key, index] : [...path, key],
            "a condition value is a string, a number or true/false",
          );
      });
    }
  }
}

/** A key of the document for a message: short, printable, quoted. */
function describeKey(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, "?");
  return `'${printable.length > 40 ? `${printable.slice(0, 40)}…` : printable}'`;
}
