/**
 * IAM Access Analyzer `ValidatePolicy`, the one operation `validate --check-policies-online` calls. Access
 * Analyzer speaks restJson1, not AWS JSON 1.1: "POST /policy/validation?maxResults=maxResults&nextToken=
 * nextToken", a JSON body `{ locale, policyDocument, policyType, validatePolicyResourceType }`, and a
 * 200 answer `{ findings, nextToken }` (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html).
 * Errors carry `x-amzn-ErrorType` and `{ "message": ... }`: ValidationException (400) for a missing
 * `policyDocument` or a `policyType` not among "IDENTITY_POLICY | RESOURCE_POLICY | SERVICE_CONTROL_POLICY |
 * RESOURCE_CONTROL_POLICY".
 *
 * Each finding has `findingDetails`, `findingType` ("ERROR | SECURITY_WARNING | SUGGESTION | WARNING"),
 * `issueCode`, `learnMoreLink` and `locations`, each a `path` of PathElements (`{ value: key }` for the
 * value of a key, `{ index: n }` in a list) and a `span` whose Positions count "line ... starting from 1",
 * "column ... starting from 0", "offset ... starting from 0" (API_ValidatePolicyFinding, API_Location,
 * API_Position). The checks emulated, from "IAM policy validation check reference"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
 * "Error – Invalid action" ("The action {{action}} does not exist"), "Error – Invalid service in action"
 * ("The service {{service}} specified in the action does not exist"), "Error – Invalid effect", "Error –
 * Json syntax error", "Warning – Missing version", and "Security Warning – Pass role with star in
 * resource". The real service knows every action of every service; this one knows the small catalogue
 * below, and (where the docs are silent) treats a wildcard that matches no action of a known service as
 * an invalid action, the stricter reading.
 */
import { findNodeAtLocation, type Node, parseTree } from "jsonc-parser";
import { AwsApiError } from "./protocol.js";

/** Actions per service prefix that the emulator knows (a sample of the service authorization reference). */
export const knownActions: Record<string, readonly string[]> = {
  ce: [
    "GetCostAndUsage",
    "GetCostForecast",
    "GetDimensionValues",
    "GetReservationUtilization",
    "GetTags",
    "ListCostAllocationTags",
  ],
  ec2: [
    "DescribeInstances",
    "DescribeVpcs",
    "RunInstances",
    "StartInstances",
    "StopInstances",
    "TerminateInstances",
  ],
  iam: [
    "AttachUserPolicy",
    "CreateAccessKey",
    "CreateRole",
    "CreateUser",
    "GetRole",
    "ListRoles",
    "PassRole",
  ],
  organizations: ["DescribeOrganization", "ListAccounts", "ListRoots"],
  s3: ["DeleteObject", "GetBucketLocation", "GetObject", "ListAllMyBuckets", "ListBucket", "PutObject"],
  secretsmanager: ["DescribeSecret", "GetSecretValue", "ListSecrets", "PutSecretValue"],
  sso: ["DescribePermissionSet", "ListInstances", "ListPermissionSets"],
  sts: ["AssumeRole", "GetCallerIdentity"],
};

const policyTypes = [
  "IDENTITY_POLICY",
  "RESOURCE_POLICY",
  "SERVICE_CONTROL_POLICY",
  "RESOURCE_CONTROL_POLICY",
];
const learnMore =
  "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

type PathElement = { value: string } | { index: number } | { key: string };
interface Position {
  line: number;
  column: number;
  offset: number;
}
export interface Finding {
  findingDetails: string;
  findingType: "ERROR" | "SECURITY_WARNING" | "SUGGESTION" | "WARNING";
  issueCode: string;
  learnMoreLink: string;
  locations: { path: PathElement[]; span: { start: Position; end: Position } }[];
}

/** Answers one ValidatePolicy request: the query string and the parsed body. */
export function validatePolicy(
  query: URLSearchParams,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const document = body.policyDocument;
  if (typeof document !== "string" || document.length === 0)
    throw new AwsApiError("ValidationException", "policyDocument: Member must not be null", 400, {
      reason: "fieldValidationFailed",
      fieldList: [{ name: "policyDocument", message: "Member must not be null" }],
    });
  if (typeof body.policyType !== "string" || !policyTypes.includes(body.policyType))
    throw new AwsApiError("ValidationException", `Invalid policyType: ${String(body.policyType)}`, 400, {
      reason: "fieldValidationFailed",
      fieldList: [{ name: "policyType", message: "Value is not valid" }],
    });
  const findings = findingsFor(document, body.policyType);
  const maxResults = Number(query.get("maxResults") ?? "100");
  if (!Number.isInteger(maxResults) || maxResults < 1)
    throw new AwsApiError("ValidationException", "maxResults must be a positive integer");
  const start = Number(query.get("nextToken") ?? "0");
  const page = findings.slice(start, start + maxResults);
  return {
    findings: page,
    ...(start + maxResults < findings.length ? { nextToken: String(start + maxResults) } : {}),
  };
}

function findingsFor(document: string, policyType: string): Finding[] {
  const errors: { error: number; offset: number }[] = [];
  const root = parseTree(document, errors as never, { disallowComments: true, allowTrailingComma: false });
  const positionAt = (offset: number): Position => {
    const before = document.slice(0, offset);
    return { line: before.split("\n").length, column: offset - (before.lastIndexOf("\n") + 1), offset };
  };
  const spanOf = (node: Node) => ({
    start: positionAt(node.offset),
    end: positionAt(node.offset + node.length),
  });
  if (root === undefined || errors.length > 0 || root.type !== "object") {
    const offset = errors[0]?.offset ?? 0;
    return [
      {
        findingDetails: "The policy is not valid JSON.",
        findingType: "ERROR",
        issueCode: "JSON_SYNTAX_ERROR",
        learnMoreLink: learnMore,
        locations: [{ path: [], span: { start: positionAt(offset), end: positionAt(offset) } }],
      },
    ];
  }
  const findings: Finding[] = [];
  const finding = (
    findingType: Finding["findingType"],
    issueCode: string,
    findingDetails: string,
    path: PathElement[],
    node: Node,
  ) =>
    findings.push({
      findingDetails,
      findingType,
      issueCode,
      learnMoreLink: learnMore,
      locations: [{ path, span: spanOf(node) }],
    });

  if (findNodeAtLocation(root, ["Version"]) === undefined && policyType === "IDENTITY_POLICY") {
    finding(
      "WARNING",
      "MISSING_VERSION",
      "We recommend that you specify the Version element to help you with debugging permission issues.",
      [],
      root,
    );
  }
  const statementNode = findNodeAtLocation(root, ["Statement"]);
  const statements =
    statementNode?.type === "array" ? (statementNode.children ?? []) : statementNode ? [statementNode] : [];
  statements.forEach((statement, index) => {
    const base: PathElement[] =
      statementNode?.type === "array" ? [{ value: "Statement" }, { index }] : [{ value: "Statement" }];
    const property = (name: string) => findNodeAtLocation(statement, [name]);
    const effect = property("Effect");
    if (effect && effect.value !== "Allow" && effect.value !== "Deny")
      finding(
        "ERROR",
        "INVALID_EFFECT",
        `The effect ${String(effect.value)} is not valid. Use Allow or Deny.`,
        [...base, { value: "Effect" }],
        effect,
      );
    for (const key of ["Action", "NotAction"]) {
      const actions = property(key);
      if (!actions) continue;
      const items =
        actions.type === "array"
          ? (actions.children ?? []).map((node, at) => ({ node, at }))
          : [{ node: actions, at: undefined }];
      for (const { node, at } of items) {
        const action = String(node.value);
        const path: PathElement[] = [...base, { value: key }, ...(at === undefined ? [] : [{ index: at }])];
        if (action === "*") continue;
        const [service = "", name = ""] = action.split(":");
        const catalogue = knownActions[service.toLowerCase()];
        if (catalogue === undefined) {
          finding(
            "ERROR",
            "INVALID_SERVICE_IN_ACTION",
            `The service ${service} specified in the action does not exist.`,
            path,
            node,
          );
          continue;
        }
        const pattern = new RegExp(
          `^${name
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
          "i",
        );
        if (!catalogue.some((known) => pattern.test(known)))
          finding("ERROR", "INVALID_ACTION", `The action ${action} does not exist.`, path, node);
      }
      const resource = property("Resource");
      const passesRoleEverywhere =
        key === "Action" &&
        effect?.value === "Allow" &&
        items.some(
          ({ node }) => /^iam:(PassRole|\*|Pass\*)$/i.test(String(node.value)) || node.value === "*",
        ) &&
        resource !== undefined &&
        (resource.value === "*" || (resource.children ?? []).some((item) => item.value === "*"));
      if (passesRoleEverywhere)
        finding(
          "SECURITY_WARNING",
          "PASS_ROLE_WITH_STAR_IN_RESOURCE",
          "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
          [...base, { value: "Resource" }],
          resource,
        );
    }
  });
  return findings;
}
