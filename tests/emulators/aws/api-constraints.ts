/**
 * Input constraints of the Identity Store and IAM Identity Center (sso-admin) APIs, checked before a
 * request does anything, answered as AWS answers them: ValidationException, "1 validation error detected:
 * Value at 'x' failed to satisfy constraint: ...".
 *
 * Source: the API references' "Length Constraints" and "Pattern" lines (Identity Store API Reference:
 * CreateUser, Email, AttributeOperation, UpdateUser; IAM Identity Center API Reference: CreatePermissionSet,
 * Tag, PutInlinePolicyToPermissionSet, AttachManagedPolicyToPermissionSet), which are the service models'
 * traits (botocore `identitystore/2020-06-15` and `sso-admin/2020-07-20` service-2.json, shapes named
 * below; the JavaScript SDK's bundled models keep the shapes' members but drop their patterns). AWS
 * matches a pattern against the whole value (Java `matches`), so each is anchored here.
 */
import { AwsApiError, validation } from "./protocol.js";

export interface StringConstraint {
  min: number;
  max: number;
  /** The pattern as the API reference prints it. */
  pattern?: string;
}

const compiled = new Map<string, RegExp>();
const whole = (pattern: string): RegExp => {
  let regex = compiled.get(pattern);
  if (!regex) {
    // Java's escapes (`\ ` in RelayState) are not all valid in a JavaScript `u` pattern; only \p{...} needs it.
    regex = new RegExp(`^(?:${pattern})$`, pattern.includes("\\p{") ? "u" : "");
    compiled.set(pattern, regex);
  }
  return regex;
};

/** Throws ValidationException unless `value` is a string within the constraint; returns it. */
export function constrained(value: unknown, field: string, constraint: StringConstraint): string {
  const prefix = `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must`;
  if (typeof value !== "string") throw validation(`${prefix} not be null`);
  const length = [...value].length;
  if (length < constraint.min)
    throw validation(`${prefix} have length greater than or equal to ${constraint.min}`);
  if (length > constraint.max)
    throw validation(`${prefix} have length less than or equal to ${constraint.max}`);
  if (constraint.pattern !== undefined && !whole(constraint.pattern).test(value))
    throw validation(`${prefix} satisfy regular expression pattern: ${constraint.pattern}`);
  return value;
}

/** The same, for a member that may be absent. */
export function optionalConstrained(
  value: unknown,
  field: string,
  constraint: StringConstraint,
): string | undefined {
  return value === undefined || value === null ? undefined : constrained(value, field, constraint);
}

// ─── IAM Identity Center (sso-admin) ───────────────────────────────────────────────────────────────

/** Shape `InstanceArn`: "arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}", 10 to 1224. */
export const instanceArnConstraint: StringConstraint = {
  min: 10,
  max: 1224,
  pattern: "arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}",
};

/** Shape `PermissionSetDescription` (CreatePermissionSet, UpdatePermissionSet "Description"): 1 to 700. */
export const permissionSetDescriptionConstraint: StringConstraint = {
  min: 1,
  max: 700,
  pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
};

/** Shape `RelayState`: 1 to 240. */
export const relayStateConstraint: StringConstraint = {
  min: 1,
  max: 240,
  pattern: "[a-zA-Z0-9&$@#\\\\\\/%?=~\\-_'\"|!:,.;*+\\[\\]\\ \\(\\)\\{\\}]+",
};

/** Shapes `TagKey` (1 to 128) and `TagValue` (0 to 256): letters, separators, numbers and _.:/=+-@. */
export const tagKeyConstraint: StringConstraint = {
  min: 1,
  max: 128,
  pattern: "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
};
export const tagValueConstraint: StringConstraint = {
  min: 0,
  max: 256,
  pattern: "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
};

/** Shape `ManagedPolicyArn`: an AWS managed policy in any partition, 20 to 2048. */
export const managedPolicyArnConstraint: StringConstraint = {
  min: 20,
  max: 2048,
  pattern: "arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\\.,\\+@=_-]+)*)/([A-Za-z0-9\\.,\\+=@_-]+)",
};

/** Shape `PermissionSetPolicyDocument` (PutInlinePolicyToPermissionSet "InlinePolicy"): 1 to 32,768. */
export const inlinePolicyConstraint: StringConstraint = {
  min: 1,
  max: 32_768,
  pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
};

/**
 * IAM Identity Center quotas page, "AWS account quotas": "Maximum size of inline policy per permission set
 * | 32,768 bytes. Maximum size of non-whitespace characters in the inline policy per permission set is
 * 10,240 bytes." Counted here in UTF-8 bytes once every white space character is removed (the page does
 * not say which encoding; UTF-8 counts Latin-1 letters twice, the stricter count).
 */
export const inlinePolicyNonWhitespaceBytes = 10_240;

export function nonWhitespaceBytes(text: string): number {
  return Buffer.byteLength(text.replace(/\s/gu, ""), "utf8");
}

/**
 * The quotas page, same table: "Number of AWS managed and customer managed policies per permission set |
 * 20" (the copies of docs.aws.amazon.com and docs.amazonaws.cn the search tool holds; one markdown copy of
 * the page reads 25 with the same footnote: 20 is the stricter). AttachManagedPolicyToPermissionSet and AttachCustomerManagedPolicyReferenceToPermissionSet
 * list ServiceQuotaExceededException for it.
 */
export const policiesPerPermissionSet = 20;

/**
 * The quotas page, "Additional quotas": "Total number of groups that can be assigned to a permission set
 * per AWS account, or to an application | 100 | No". CreateAccountAssignment lists
 * ServiceQuotaExceededException.
 */
export const groupsPerPermissionSetPerAccount = 100;

export function serviceQuotaExceeded(message: string): AwsApiError {
  return new AwsApiError("ServiceQuotaExceededException", message);
}

/** The partition an ARN names: `aws`, `aws-us-gov`, `aws-cn`, ... */
export function partitionOf(arn: string): string {
  return arn.split(":")[1] ?? "";
}

// ─── Identity Store ────────────────────────────────────────────────────────────────────────────────

/** Shape `IdentityStoreId`: "d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 1 to 36. */
export const identityStoreIdConstraint: StringConstraint = {
  min: 1,
  max: 36,
  pattern: "d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
};

/** Shape `UserName` (CreateUser "UserName"): 1 to 128 letters, marks, symbols, numbers, punctuation. */
export const userNameConstraint: StringConstraint = {
  min: 1,
  max: 128,
  pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
};

/**
 * Shape `SensitiveStringType`: DisplayName, Title, Name.GivenName, Name.FamilyName, Email.Value,
 * Email.Type, ...; 1 to 1024, white space allowed.
 */
export const userTextConstraint: StringConstraint = {
  min: 1,
  max: 1024,
  pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r \\u00A0\\u3000]+",
};

/**
 * Shape `AttributePath` (AttributeOperation): "(?:\p{L}+:\p{L}+:\p{L}+(?:\.\p{L}+){0,3}|\p{L}+(?:\.\p{L}+){0,2})",
 * 1 to 255: an extension name (`aws:identitystore:enterprise`) or up to three dotted names.
 */
export const attributePathConstraint: StringConstraint = {
  min: 1,
  max: 255,
  pattern: "(?:\\p{L}+:\\p{L}+:\\p{L}+(?:\\.\\p{L}+){0,3}|\\p{L}+(?:\\.\\p{L}+){0,2})",
};

/** Shape `Emails`: "Array Members: Fixed number of 1 item" (a list of at least 1 and at most 1). */
export const emailsPerUser = 1;
