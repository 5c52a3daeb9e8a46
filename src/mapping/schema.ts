/**
 * The rules file schema (DESIGN.md §4). Strict: an unknown key is an error, because a misspelt key
 * silently ignored would grant or revoke access nobody asked for. The schema validates formats and
 * normalises what can be normalised without I/O (emails lower case, managed policy short names to ARNs,
 * durations to one spelling); cross-references, duplicates and inline policy files are checked by
 * `checks.ts` and `load.ts`, which know the YAML positions.
 */
import { z } from "zod";
import type { CustomerManagedPolicyRef, PermissionsBoundary } from "../sync/model.js";

/** Builds a zod error function that keeps zod's own message for wrong types (the loader rewrites them). */
function invalid(describe: (input: unknown) => string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === "invalid_type" ? undefined : describe(issue.input);
}

const quoted = (value: unknown) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value));

/** An email address, lower-cased (Google and Identity Center compare addresses case-insensitively). */
export const emailSchema = z
  .email({ error: invalid((input) => `invalid email address ${quoted(input)}`) })
  .toLowerCase();

const domainSchema = z
  .string()
  .regex(/^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, {
    error: invalid((input) => `invalid domain name ${quoted(input)}`),
  })
  .toLowerCase();

/** A 12-digit AWS account id. Must be quoted in YAML: an unquoted one is read as a number. */
export const accountIdPattern = /^\d{12}$/;

const accountIdSchema = z.string().regex(accountIdPattern, {
  error: invalid((input) => `invalid AWS account id ${quoted(input)}: expected 12 digits`),
});

const ouIdSchema = z.string().regex(/^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, {
  error: invalid(
    (input) => `invalid organizational unit id ${quoted(input)}: expected ou-xxxx-xxxxxxxx or a root r-xxxx`,
  ),
});

const nameText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .max(max, { error: `${what} must be at most ${max} characters` });

// ─── identityCenter, google ─────────────────────────────────────────────────────────────────────────

const identityCenterSchema = z.strictObject({
  instanceArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sso:::instance\/ssoins-[0-9a-f]{16}$/, {
      error: invalid(
        (input) =>
          `invalid Identity Center instance ARN ${quoted(input)}: expected arn:aws:sso:::instance/ssoins-<16 hex>`,
      ),
    })
    .optional(),
  identityStoreId: z
    .string()
    .regex(/^d-[0-9a-f]{10}$/, {
      error: invalid((input) => `invalid identity store id ${quoted(input)}: expected d-<10 hex>`),
    })
    .optional(),
});

const googleSchema = z.strictObject({
  customerId: z.string().min(1, { error: "customerId must not be empty" }).default("my_customer"),
  domains: z.array(domainSchema).min(1, { error: "list at least one Google Workspace domain" }),
});

// ─── users ──────────────────────────────────────────────────────────────────────────────────────────

/** DirectoryUser fields an Identity Center attribute can be copied from. */
export const directoryFields = ["department", "costCenter", "employeeId", "manager", "title"] as const;
export type DirectoryField = (typeof directoryFields)[number];

const directoryFieldSchema = z.enum(directoryFields);
const mappingSchema = (fallback: DirectoryField | false) =>
  z.union([directoryFieldSchema, z.literal(false)]).default(fallback);

/** Placeholders the display name template may use. */
export const displayNamePlaceholders = ["givenName", "familyName", "email"] as const;

const displayNameTemplateSchema = z
  .string()
  .min(1, { error: "the display name template must not be empty" })
  .refine(
    (template) =>
      [...template.matchAll(/\{([^}]*)\}/g)].every((match) =>
        (displayNamePlaceholders as readonly string[]).includes(match[1] ?? ""),
      ),
    {
      error: invalid(
        (input) =>
          `display name template ${quoted(input)} uses an unknown placeholder; use ${displayNamePlaceholders
            .map((name) => `{${name}}`)
            .join(", ")}`,
      ),
    },
  );

const attributesSchema = z.strictObject({
  displayName: displayNameTemplateSchema.default("{givenName} {familyName}"),
  /** `true` is the Google title; a field name copies another field; `false` does not sync it. */
  title: z
    .union([directoryFieldSchema, z.boolean()])
    .default("title")
    .transform((value): DirectoryField | false => (value === true ? "title" : value)),
  department: mappingSchema("department"),
  costCenter: mappingSchema("costCenter"),
  employeeNumber: mappingSchema("employeeId"),
  manager: mappingSchema("manager"),
  organization: mappingSchema(false),
  division: mappingSchema(false),
});

const staticUserSchema = z.strictObject({
  email: emailSchema,
  givenName: nameText("givenName", 64),
  familyName: nameText("familyName", 64),
  displayName: nameText("displayName", 1024).optional(),
  groups: z.array(z.string()).default([]),
});

const usersSchema = z.strictObject({
  provision: z.enum(["mapped", "all"]).default("mapped"),
  exclude: z.array(emailSchema).default([]),
  static: z.array(staticUserSchema).default([]),
  leavers: z.enum(["delete", "strip"]).default("delete"),
  /**
   * Users another provisioner created (SCIM: Google's own AWS app, Okta, ...; they carry ExternalIds):
   * `leave` them alone (default), or `manage` them like any other user.
   */
  externallyProvisioned: z.enum(["leave", "manage"]).default("leave"),
  attributes: attributesSchema.prefault({}),
});

// ─── groups ─────────────────────────────────────────────────────────────────────────────────────────

const orgUnitPathSchema = z
  .string()
  .regex(/^\/(?:[^/]+(?:\/[^/]+)*)?\/?$/, {
    error: invalid(
      (input) => `invalid org unit path ${quoted(input)}: expected an absolute path like /Engineering`,
    ),
  })
  // Google reports paths without a trailing slash; "/" stays the root.
  .transform((path) => (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path));

const whereSchema = z
  .strictObject({
    department: z.string().optional(),
    costCenter: z.string().optional(),
    title: z.string().optional(),
    orgUnitPath: orgUnitPathSchema.optional(),
    employeeId: z.string().optional(),
  })
  .refine((where) => Object.values(where).some((value) => value !== undefined), {
    error: "a where selector needs at least one of department, costCenter, title, orgUnitPath, employeeId",
  });

const selectorSchema = z.union(
  [
    z.strictObject({ googleGroup: emailSchema }),
    z.strictObject({ orgUnit: orgUnitPathSchema, recursive: z.boolean().default(true) }),
    z.strictObject({ user: emailSchema }),
    z.strictObject({ where: whereSchema }),
  ],
  {
    error:
      "a selector is one of {googleGroup: email}, {orgUnit: /Path, recursive?: boolean}, {user: email}, {where: {...}}",
  },
);

const groupNameSchema = nameText("group name", 1024);

const groupSchema = z.strictObject({
  name: groupNameSchema,
  description: z.string().max(1024, { error: "description must be at most 1024 characters" }).optional(),
  previousNames: z.array(groupNameSchema).default([]),
  members: z.array(selectorSchema).default([]),
  exclude: z.array(selectorSchema).default([]),
});

// ─── permission sets ────────────────────────────────────────────────────────────────────────────────

const iamName = /^[\w+=,.@-]+$/;
const awsManagedPolicyArn = /^arn:aws[a-z-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const managedPolicyShortName = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;

/** `PowerUserAccess` and `job-function/ViewOnlyAccess` mean AWS managed policies; full ARNs pass through. */
const managedPolicySchema = z
  .string()
  .refine(
    (value) =>
      awsManagedPolicyArn.test(value) || (!value.startsWith("arn:") && managedPolicyShortName.test(value)),
    {
      error: invalid(
        (input) =>
          `invalid AWS managed policy ${quoted(input)}: expected a name like PowerUserAccess or job-function/ViewOnlyAccess, or arn:aws:iam::aws:policy/NAME`,
      ),
    },
  )
  .transform((value) => (value.startsWith("arn:") ? value : `arn:aws:iam::aws:policy/${value}`));

const iamPathSchema = z.string().regex(/^\/(?:[\w+=,.@-]+\/)*$/, {
  error: invalid((input) => `invalid IAM path ${quoted(input)}: expected / or /like/this/`),
});

const customerPolicyNameSchema = z
  .string()
  .max(128, { error: "policy name must be at most 128 characters" })
  .regex(iamName, { error: invalid((input) => `invalid IAM policy name ${quoted(input)}`) });

const customerManagedPolicySchema = z
  .union(
    [
      customerPolicyNameSchema,
      z.strictObject({ name: customerPolicyNameSchema, path: iamPathSchema.default("/") }),
    ],
    {
      error: "a customer managed policy is a name or {name, path}",
    },
  )
  .transform(
    (value): CustomerManagedPolicyRef => (typeof value === "string" ? { name: value, path: "/" } : value),
  );

const durationPattern = /^PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?$/;

const sessionDurationSchema = z
  .string()
  .regex(durationPattern, {
    error: invalid((input) => `invalid session duration ${quoted(input)}: expected PTnH, PTnM or PTnHnM`),
  })
  .refine(
    (value) => {
      // A malformed duration is already reported by the pattern above.
      if (!durationPattern.test(value)) return true;
      const minutes = durationMinutes(value);
      return minutes >= 60 && minutes <= 720;
    },
    { error: invalid((input) => `session duration ${quoted(input)} must be between PT1H and PT12H`) },
  )
  // One spelling per duration, so PT90M and PT1H30M never look like a change.
  .transform((value) => formatDuration(durationMinutes(value)));

function durationMinutes(value: string): number {
  const match = durationPattern.exec(value);
  return Number(match?.[1] ?? 0) * 60 + Number(match?.[2] ?? 0);
}

function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${hours > 0 ? `${hours}H` : ""}${rest > 0 ? `${rest}M` : ""}`;
}

/** Tag added to every permission set idc-sync creates. */
export const managedByTag = { key: "managed-by", value: "idc-sync" } as const;

const tagsSchema = z
  .record(
    z
      .string()
      .min(1, { error: "tag keys must not be empty" })
      .max(128, { error: "tag keys must be at most 128 characters" })
      .refine((key) => key !== managedByTag.key, {
        error: `tag '${managedByTag.key}' is reserved for idc-sync`,
      }),
    z.string().max(256, { error: "tag values must be at most 256 characters" }),
  )
  .refine((tags) => Object.keys(tags).length <= 49, {
    error: "at most 49 tags per permission set (idc-sync adds managed-by)",
  })
  .default({});

const permissionsBoundarySchema = z
  .union(
    [
      z.strictObject({ managedPolicy: managedPolicySchema }),
      z.strictObject({ customerManagedPolicy: customerManagedPolicySchema }),
    ],
    {
      error:
        "a permissions boundary is {managedPolicy: name or ARN} or {customerManagedPolicy: name or {name, path}}",
    },
  )
  .transform(
    (value): PermissionsBoundary =>
      "managedPolicy" in value
        ? { kind: "managed", managedPolicyArn: value.managedPolicy }
        : { kind: "customerManaged", policy: value.customerManagedPolicy },
  );

/** A file path relative to the rules file, or the policy document itself. Loaded by `load.ts`. */
const inlinePolicySchema = z.union(
  [z.string().min(1, { error: "inlinePolicy path must not be empty" }), z.record(z.string(), z.unknown())],
  { error: "inlinePolicy is a JSON file path relative to the rules file, or a policy document object" },
);

const permissionSetSchema = z.strictObject({
  name: z
    .string()
    .min(1, { error: "permission set name must not be empty" })
    .max(32, { error: "permission set name must be at most 32 characters" })
    .regex(iamName, {
      error: invalid(
        (input) => `invalid permission set name ${quoted(input)}: use letters, digits and +=,.@_-`,
      ),
    }),
  description: z.string().max(700, { error: "description must be at most 700 characters" }).optional(),
  sessionDuration: sessionDurationSchema.default("PT1H"),
  relayState: z
    .string()
    .min(1, { error: "relayState must not be empty" })
    .max(240, { error: "relayState must be at most 240 characters" })
    .optional(),
  managedPolicies: z.array(managedPolicySchema).default([]),
  customerManagedPolicies: z.array(customerManagedPolicySchema).default([]),
  inlinePolicy: inlinePolicySchema.optional(),
  permissionsBoundary: permissionsBoundarySchema.optional(),
  tags: tagsSchema,
});

// ─── accounts, assignments, safety ──────────────────────────────────────────────────────────────────

const accountSelectorSchema = z.union(
  [
    accountIdSchema,
    z.strictObject({ ou: ouIdSchema, recursive: z.boolean().default(true) }),
    z.strictObject({
      tag: z.record(z.string().min(1), z.string()).refine((tags) => Object.keys(tags).length > 0, {
        error: "a tag selector needs at least one key: value",
      }),
    }),
  ],
  { error: "an account selector is a quoted 12-digit id, {ou: ou-... or r-...}, {tag: {key: value}}" },
);
export type AccountSelector = z.output<typeof accountSelectorSchema>;

/** Set names must not look like account ids, so `accounts: [...]` in an assignment is never ambiguous. */
const accountSetNameSchema = z.string().regex(/^(?!\d{12}$)[A-Za-z0-9][\w.-]*$/, {
  error: invalid(
    (input) => `invalid account set name ${quoted(input)}: use letters, digits, _ . - and not 12 digits`,
  ),
});

const accountSetSchema = z.union([z.literal("all"), accountSelectorSchema, z.array(accountSelectorSchema)], {
  error: 'an account set is "all", a list of quoted 12-digit ids, {ou: ou-...} or {tag: {key: value}}',
});
export type AccountSet = z.output<typeof accountSetSchema>;

const assignmentSchema = z
  .strictObject({
    groups: z.array(z.string()).default([]),
    users: z.array(emailSchema).default([]),
    permissionSets: z.array(z.string()).min(1, { error: "list at least one permission set" }),
    accounts: z.array(z.string()).min(1, { error: "list at least one account set or account id" }),
  })
  .refine((assignment) => assignment.groups.length + assignment.users.length > 0, {
    error: "an assignment needs at least one of groups or users",
  });

const maxDeletionsSchema = z.union(
  [
    z.int().min(0, { error: "maxDeletions must not be negative" }),
    z
      .string()
      .regex(/^(?:100|\d{1,2})(?:\.\d+)?%$/, {
        error: invalid(
          (input) => `invalid maxDeletions ${quoted(input)}: expected a number or a percentage like 10%`,
        ),
      })
      .transform((value) => value as `${number}%`),
  ],
  { error: "maxDeletions is a number or a percentage like 10%" },
);

const safetySchema = z.strictObject({
  maxDeletions: maxDeletionsSchema.default("10%"),
  protect: z
    .strictObject({
      users: z.array(emailSchema).default([]),
      groups: z.array(z.string()).default([]),
    })
    .prefault({}),
});

const syncSchema = z.strictObject({
  /** enforce: fix drift and report it; report: detect and alert, change nothing. */
  mode: z.enum(["enforce", "report"], { error: 'sync.mode is "enforce" or "report"' }).default("enforce"),
});

const notificationsSchema = z.strictObject({
  slack: z
    .strictObject({
      /** What to post: drift (new, reminders, resolved), failure (and recovery), changes (joiners, movers, leavers). */
      on: z
        .array(
          z.enum(["drift", "failure", "changes"], {
            error: 'notifications.slack.on lists "drift", "failure" or "changes"',
          }),
        )
        .default(["drift", "failure"]),
      /** Drift still open is reminded about at most this often. */
      remindEveryHours: z
        .number({ error: "remindEveryHours is a number of hours" })
        .positive({ error: "remindEveryHours must be more than 0" })
        .default(24),
    })
    .prefault({}),
});

/** The rules file as written (input) and as parsed (output, before inline policies are loaded). */
export const rulesSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: "version must be 1" }),
  identityCenter: identityCenterSchema.optional(),
  google: googleSchema,
  users: usersSchema.prefault({}),
  groups: z.array(groupSchema).default([]),
  permissionSets: z.array(permissionSetSchema).default([]),
  accounts: z.record(accountSetNameSchema, accountSetSchema).default({}),
  assignments: z.array(assignmentSchema).default([]),
  safety: safetySchema.prefault({}),
  sync: syncSchema.prefault({}),
  notifications: notificationsSchema.prefault({}),
});

export type RulesFileInput = z.input<typeof rulesSchema>;
export type RulesFile = z.output<typeof rulesSchema>;
export type RuleUsers = RulesFile["users"];
export type StaticUser = RuleUsers["static"][number];
export type AttributeMapping = RuleUsers["attributes"];
export type RuleGroup = RulesFile["groups"][number];
export type Selector = RuleGroup["members"][number];
export type RuleAssignment = RulesFile["assignments"][number];
export type SafetyRules = RulesFile["safety"];
export type MaxDeletions = SafetyRules["maxDeletions"];
