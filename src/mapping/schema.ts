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

/**
 * The instance ARN as the IAM Identity Center API reference constrains it (InstanceArn: "arn:aws(-[a-z]{1,5}){0,3}:
 * sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"): any partition (aws, aws-us-gov, aws-cn, ...).
 */
export const instanceArnPattern =
  /^arn:aws(?:-[a-z]{1,5}){0,3}:sso:::instance\/(?:sso)?ins-[a-zA-Z0-9.-]{16}$/;

/** Identity Store API reference, IdentityStoreId: "d-[0-9a-f]{10}" or a UUID. */
export const identityStoreIdPattern =
  /^(?:d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The partition an ARN is in: `aws`, `aws-us-gov`, `aws-cn`, ... */
export function partitionOf(arn: string): string {
  return arn.split(":")[1] ?? "aws";
}

/** The partition AWS managed policy names expand into: the instance's when the rules name it, else `aws`. */
export function rulesPartition(identityCenter: { instanceArn?: string | undefined } | undefined): string {
  const arn = identityCenter?.instanceArn;
  return arn !== undefined && instanceArnPattern.test(arn) ? partitionOf(arn) : "aws";
}

const identityCenterSchema = z.strictObject({
  instanceArn: z
    .string()
    .regex(instanceArnPattern, {
      error: invalid(
        (input) =>
          `invalid Identity Center instance ARN ${quoted(input)}: expected arn:PARTITION:sso:::instance/ssoins-<16 letters or digits> (PARTITION is aws, aws-us-gov, aws-cn, ...)`,
      ),
    })
    .optional()
    .meta({
      description:
        "The Identity Center instance to manage, in any partition. Discovered with ListInstances when omitted; name it outside the aws partition so AWS managed policy names expand into the instance's partition.",
      examples: ["arn:aws:sso:::instance/ssoins-0123456789abcdef"],
    }),
  identityStoreId: z
    .string()
    .regex(identityStoreIdPattern, {
      error: invalid((input) => `invalid identity store id ${quoted(input)}: expected d-<10 hex> or a UUID`),
    })
    .optional()
    .meta({
      description: "The identity store of that instance. Discovered with ListInstances when omitted.",
      examples: ["d-0123456789"],
    }),
});

const googleSchema = z.strictObject({
  customerId: z
    .string()
    .min(1, { error: "customerId must not be empty" })
    .default("my_customer")
    .meta({
      description: "The Google Workspace customer: my_customer (the admin's own) or an id like C01abc234.",
      examples: ["my_customer", "C01abc234"],
    }),
  domains: z
    .array(domainSchema)
    .min(1, { error: "list at least one Google Workspace domain" })
    .meta({
      description:
        "Google Workspace domains whose users idc-sync manages; users elsewhere are never touched.",
      examples: [["example.com"]],
    }),
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

/** The JSON Schema's form of the placeholder check below: every `{...}` is a known placeholder. */
const displayNameTemplatePattern = `^(?:[^{]|\\{(?:${displayNamePlaceholders.join("|")})\\})*(?:\\{[^}]*)?$`;

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
  )
  .meta({ pattern: displayNameTemplatePattern });

const attributesSchema = z.strictObject({
  displayName: displayNameTemplateSchema.default("{givenName} {familyName}").meta({
    description: "How a user's display name is built, from {givenName}, {familyName} and {email}.",
    examples: ["{givenName} {familyName}", "{familyName} {givenName}"],
  }),
  /** `true` is the Google title; a field name copies another field; `false` does not sync it. */
  title: z
    .union([directoryFieldSchema, z.boolean()])
    .default("title")
    .transform((value): DirectoryField | false => (value === true ? "title" : value))
    .meta({
      description:
        "The Google field copied to the Identity Center title: true is title, a field name copies that field, false does not sync it.",
      examples: ["title", false],
    }),
  department: mappingSchema("department").meta({
    description: "The Google field copied to the enterprise department, or false.",
    examples: ["department", false],
  }),
  costCenter: mappingSchema("costCenter").meta({
    description: "The Google field copied to the enterprise cost centre, or false.",
    examples: ["costCenter", false],
  }),
  employeeNumber: mappingSchema("employeeId").meta({
    description: "The Google field copied to the enterprise employee number, or false.",
    examples: ["employeeId", false],
  }),
  manager: mappingSchema("manager").meta({
    description: "The Google field copied to the enterprise manager (a user of Identity Center), or false.",
    examples: ["manager", false],
  }),
  organization: mappingSchema(false).meta({
    description: "The Google field copied to the enterprise organization, or false (the default).",
    examples: ["department", false],
  }),
  division: mappingSchema(false).meta({
    description: "The Google field copied to the enterprise division, or false (the default).",
    examples: ["costCenter", false],
  }),
});

const staticUserSchema = z.strictObject({
  email: emailSchema.meta({
    description: "The person's email address, which becomes the Identity Center user name.",
    examples: ["saburo-kato@partner.example"],
  }),
  givenName: nameText("givenName", 64).meta({
    description: "Given name, 1 to 64 characters.",
    examples: ["Saburo"],
  }),
  familyName: nameText("familyName", 64).meta({
    description: "Family name, 1 to 64 characters.",
    examples: ["Kato"],
  }),
  displayName: nameText("displayName", 1024)
    .optional()
    .meta({
      description: "Display name; built from users.attributes.displayName when omitted.",
      examples: ["Saburo Kato (partner)"],
    }),
  groups: z
    .array(z.string())
    .default([])
    .meta({
      description: "Groups of this rules file the person is a member of, by name.",
      examples: [["developers"]],
    }),
});

const usersSchema = z.strictObject({
  provision: z
    .enum(["mapped", "all"])
    .default("mapped")
    .meta({
      description:
        "mapped: only people who land in at least one group get a user; all: every active user of the domains.",
      examples: ["mapped", "all"],
    }),
  exclude: z
    .array(emailSchema)
    .default([])
    .meta({
      description: "People who never get an Identity Center user, whatever the groups say.",
      examples: [["ceo@example.com"]],
    }),
  static: z
    .array(staticUserSchema)
    .default([])
    .meta({
      description: "People who are not in Google (contractors, partners), written out here.",
      examples: [
        [
          {
            email: "saburo-kato@partner.example",
            givenName: "Saburo",
            familyName: "Kato",
            groups: ["developers"],
          },
        ],
      ],
    }),
  leavers: z
    .enum(["delete", "strip"])
    .default("delete")
    .meta({
      description:
        "What happens to a user who left Google: delete the user, or strip its memberships and assignments and keep it.",
      examples: ["delete", "strip"],
    }),
  externallyProvisioned: z
    .enum(["leave", "manage"])
    .default("leave")
    .meta({
      description:
        "Users another provisioner created (SCIM: Google's own AWS app, Okta, ...; they carry ExternalIds): leave them alone (the default), or manage them like any other user.",
      examples: ["leave", "manage"],
    }),
  attributes: attributesSchema.prefault({}).meta({
    description: "Which Google fields fill the Identity Center user's attributes.",
    examples: [{ displayName: "{givenName} {familyName}", title: "title" }],
  }),
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
    department: z
      .string()
      .optional()
      .meta({ description: "Users whose Google department is exactly this.", examples: ["Support"] }),
    costCenter: z
      .string()
      .optional()
      .meta({ description: "Users whose Google cost centre is exactly this.", examples: ["CC-200"] }),
    title: z
      .string()
      .optional()
      .meta({
        description: "Users whose Google job title is exactly this.",
        examples: ["Site Reliability Engineer"],
      }),
    orgUnitPath: orgUnitPathSchema.optional().meta({
      description: "Users directly in this org unit (sub-units not included).",
      examples: ["/Engineering"],
    }),
    employeeId: z
      .string()
      .optional()
      .meta({ description: "The user with this Google employee id.", examples: ["E1001"] }),
  })
  .refine((where) => Object.values(where).some((value) => value !== undefined), {
    error: "a where selector needs at least one of department, costCenter, title, orgUnitPath, employeeId",
  });

const selectorSchema = z.union(
  [
    z.strictObject({
      googleGroup: emailSchema.meta({
        description: "Members of this Google group, nested groups expanded.",
        examples: ["aws-admins@example.com"],
      }),
    }),
    z.strictObject({
      orgUnit: orgUnitPathSchema.meta({
        description: "Users in this Google org unit, an absolute path.",
        examples: ["/Engineering"],
      }),
      recursive: z
        .boolean()
        .default(true)
        .meta({ description: "Include the org unit's sub-units (the default).", examples: [true, false] }),
    }),
    z.strictObject({
      user: emailSchema.meta({
        description: "One user, by primary email or alias.",
        examples: ["haruto.ito@example.com"],
      }),
    }),
    z.strictObject({
      where: whereSchema.meta({
        description: "Users whose Google fields all match; at least one field.",
        examples: [{ department: "Support" }],
      }),
    }),
  ],
  {
    error:
      "a selector is one of {googleGroup: email}, {orgUnit: /Path, recursive?: boolean}, {user: email}, {where: {...}}",
  },
);

const groupNameSchema = nameText("group name", 1024);

const groupSchema = z.strictObject({
  name: groupNameSchema.meta({
    description: "The Identity Center group's display name.",
    examples: ["developers"],
  }),
  description: z
    .string()
    .max(1024, { error: "description must be at most 1024 characters" })
    .optional()
    .meta({
      description: "The group's description in Identity Center, up to 1024 characters.",
      examples: ["Everyone in Engineering, interns excepted"],
    }),
  previousNames: z
    .array(groupNameSchema)
    .default([])
    .meta({
      description: "Names the group had before: a group found under one is renamed, not recreated.",
      examples: [["devs"]],
    }),
  members: z
    .array(selectorSchema)
    .default([])
    .meta({
      description: "Who is in the group: Google groups, org units, single users or field matches.",
      examples: [[{ orgUnit: "/Engineering" }, { googleGroup: "kaigodx-dev@example.com" }]],
    }),
  exclude: z
    .array(selectorSchema)
    .default([])
    .meta({
      description: "Who is never in the group, even when a member selector matches.",
      examples: [[{ orgUnit: "/Engineering/Interns" }]],
    }),
});

// ─── permission sets ────────────────────────────────────────────────────────────────────────────────

const iamName = /^[\w+=,.@-]+$/;
/** IAM Identity Center API reference, ManagedPolicyArn: "arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy/...". */
const awsManagedPolicyArn = /^arn:aws(?:-[a-z]{1,5}){0,3}:iam::aws:policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const managedPolicyShortName = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;

/** An AWS managed policy as written: its ARN, or its name (expanded into the rules' partition on loading). */
export function awsManagedPolicyArnIn(partition: string, nameOrArn: string): string {
  return nameOrArn.startsWith("arn:") ? nameOrArn : `arn:${partition}:iam::aws:policy/${nameOrArn}`;
}

/**
 * `PowerUserAccess` and `job-function/ViewOnlyAccess` mean AWS managed policies; full ARNs pass through.
 * Names stay names here: `load.ts` expands them into the instance's partition (GovCloud and China policies
 * are `arn:aws-us-gov:...` and `arn:aws-cn:...`), which the schema cannot see from a list item.
 */
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
  // The JSON Schema's form of the check above, from the same two patterns.
  .meta({
    pattern: `^(?:${awsManagedPolicyArn.source.slice(1, -1)}|(?!arn:)${managedPolicyShortName.source.slice(1, -1)})$`,
  });

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
      z.strictObject({
        name: customerPolicyNameSchema.meta({
          description: "The customer managed policy's name, the same in every account.",
          examples: ["DeveloperBoundary"],
        }),
        path: iamPathSchema
          .default("/")
          .meta({ description: "The policy's IAM path.", examples: ["/", "/idc/"] }),
      }),
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

/**
 * The session durations the schema accepts (PT1H to PT12H, in any spelling) as one regular expression,
 * for the JSON Schema: editors then refuse PT24H as the command does.
 */
export const sessionDurationRangePattern = (() => {
  const hours = (count: number) => `0*${count}H`;
  const spellings = [`${integerRangePattern(1, 12)}H`, `${integerRangePattern(60, 720)}M`];
  for (let count = 0; count <= 12; count++)
    spellings.push(`${hours(count)}${integerRangePattern(Math.max(0, 60 - count * 60), 720 - count * 60)}M`);
  return `^PT(?:${spellings.join("|")})$`;
})();

/** A regex source for the whole numbers `low` to `high`, leading zeros allowed. */
function integerRangePattern(low: number, high: number): string {
  const sameLength = (from: string, to: string): string => {
    if (from.length === 1) return from === to ? from : `[${from}-${to}]`;
    if (from[0] === to[0]) return `${from[0]}${sameLength(from.slice(1), to.slice(1))}`;
    const rest = from.length - 1;
    const parts = [`${from[0]}${sameLength(from.slice(1), "9".repeat(rest))}`];
    if (Number(to[0]) - Number(from[0]) > 1)
      parts.push(`[${Number(from[0]) + 1}-${Number(to[0]) - 1}]\\d${rest === 1 ? "" : `{${rest}}`}`);
    parts.push(`${to[0]}${sameLength("0".repeat(rest), to.slice(1))}`);
    return `(?:${parts.join("|")})`;
  };
  const parts: string[] = [];
  for (let digits = String(low).length; digits <= String(high).length; digits++) {
    const from = Math.max(low, digits === 1 ? 0 : 10 ** (digits - 1));
    const to = Math.min(high, 10 ** digits - 1);
    if (from <= to) parts.push(sameLength(String(from), String(to)));
  }
  return `0*(?:${parts.join("|")})`;
}

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

/**
 * IAM Identity Center API reference, Tag: key 1 to 128 and value 0 to 256 characters, both of the pattern
 * "([\p{L}\p{Z}\p{N}_.:/=+\-@]*)": letters, spaces, digits and _ . : / = + - @.
 */
const tagTextPattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const tagText = (what: "key" | "value") =>
  invalid(
    (input) =>
      `invalid tag ${what} ${quoted(input)}: use letters, digits, spaces and _ . : / = + - @${firstOutside(input, tagTextPattern)}`,
  );

const tagsSchema = z
  .record(
    z
      .string()
      .min(1, { error: "tag keys must not be empty" })
      .max(128, { error: "tag keys must be at most 128 characters" })
      .regex(tagTextPattern, { error: tagText("key") })
      .refine((key) => key !== managedByTag.key, {
        error: `tag '${managedByTag.key}' is reserved for idc-sync`,
      }),
    z
      .string()
      .max(256, { error: "tag values must be at most 256 characters" })
      .regex(tagTextPattern, { error: tagText("value") }),
  )
  .refine((tags) => Object.keys(tags).length <= 49, {
    error: "at most 49 tags per permission set (idc-sync adds managed-by)",
  })
  .default({})
  .meta({
    description: "Tags of the permission set, key: value. idc-sync adds managed-by: idc-sync itself.",
    examples: [{ team: "platform" }],
    maxProperties: 49,
    propertyNames: {
      type: "string",
      minLength: 1,
      maxLength: 128,
      pattern: tagTextPattern.source,
      not: { const: managedByTag.key },
    },
  });

/**
 * " (U+2013 '–' is not allowed)" for the first character of `input` outside `allowed` (tested one
 * character at a time against the same class), so a typographic dash or quote is named, not guessed at.
 */
function firstOutside(input: unknown, allowed: RegExp): string {
  if (typeof input !== "string") return "";
  const bad = [...input].find((character) => !allowed.test(character));
  if (bad === undefined) return "";
  const code = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return ` (U+${code} '${bad}' is not allowed)`;
}

const permissionsBoundarySchema = z
  .union(
    [
      z.strictObject({
        managedPolicy: managedPolicySchema.meta({
          description: "An AWS managed policy as the boundary: a name or its ARN.",
          examples: ["PowerUserAccess"],
        }),
      }),
      z.strictObject({
        customerManagedPolicy: customerManagedPolicySchema.meta({
          description: "A customer managed policy as the boundary: a name or {name, path}.",
          examples: ["DeveloperBoundary"],
        }),
      }),
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

/**
 * IAM Identity Center API reference, CreatePermissionSet: Description "[\u0009\u000A\u000D\u0020-\u007E
 * \u00A1-\u00FF]*", 1 to 700; RelayState "[a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+", 1 to 240.
 */
const permissionSetDescriptionPattern = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const relayStatePattern = /^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\] (){}]+$/;

const permissionSetSchema = z.strictObject({
  name: z
    .string()
    .min(1, { error: "permission set name must not be empty" })
    .max(32, { error: "permission set name must be at most 32 characters" })
    .regex(iamName, {
      error: invalid(
        (input) => `invalid permission set name ${quoted(input)}: use letters, digits and +=,.@_-`,
      ),
    })
    .meta({
      description:
        "The permission set's name, as users see it in the AWS access portal: up to 32 letters, digits and +=,.@_-.",
      examples: ["Developer"],
    }),
  description: z
    .string()
    .min(1, { error: "description must not be empty: leave it out instead" })
    .max(700, { error: "description must be at most 700 characters" })
    .regex(permissionSetDescriptionPattern, {
      error: invalid(
        (input) =>
          `invalid description: Identity Center takes tab, line breaks and Latin-1 letters and signs only${firstOutside(input, permissionSetDescriptionPattern)}; write - for – and ' for ’`,
      ),
    })
    .optional()
    .meta({
      description:
        "The permission set's description, 1 to 700 characters of Latin-1 (no typographic quotes or dashes).",
      examples: ["Power user without identity administration"],
    }),
  sessionDuration: sessionDurationSchema.default("PT1H").meta({
    description: "How long a session lasts, ISO 8601 from PT1H to PT12H.",
    examples: ["PT8H", "PT1H30M"],
    pattern: sessionDurationRangePattern,
  }),
  relayState: z
    .string()
    .min(1, { error: "relayState must not be empty" })
    .max(240, { error: "relayState must be at most 240 characters" })
    .regex(relayStatePattern, {
      error: invalid(
        (input) =>
          `invalid relayState ${quoted(input)}: a console URL of ASCII letters, digits and URL punctuation${firstOutside(input, relayStatePattern)}`,
      ),
    })
    .optional()
    .meta({
      description: "Where the console opens after sign-in: a URL of the AWS console.",
      examples: ["https://console.aws.amazon.com/cloudwatch/home"],
    }),
  managedPolicies: z
    .array(managedPolicySchema)
    .default([])
    .meta({
      description:
        "AWS managed policies: a name (PowerUserAccess, job-function/ViewOnlyAccess) or the full ARN.",
      examples: [["PowerUserAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]],
    }),
  customerManagedPolicies: z
    .array(customerManagedPolicySchema)
    .default([])
    .meta({
      description:
        "Customer managed policies by name (or {name, path}); each must exist in every account assigned.",
      examples: [["DeveloperExtras", { name: "Boundary", path: "/idc/" }]],
    }),
  inlinePolicy: inlinePolicySchema.optional().meta({
    description:
      "The inline policy: a JSON file path relative to the rules file's folder, or the policy document itself.",
    examples: ["policies/developer.json"],
  }),
  permissionsBoundary: permissionsBoundarySchema.optional().meta({
    description:
      "A permissions boundary: {managedPolicy: name or ARN} or {customerManagedPolicy: name or {name, path}}.",
    examples: [{ customerManagedPolicy: "DeveloperBoundary" }],
  }),
  tags: tagsSchema,
});

// ─── accounts, assignments, safety ──────────────────────────────────────────────────────────────────

const accountSelectorSchema = z.union(
  [
    accountIdSchema,
    z.strictObject({
      ou: ouIdSchema.meta({
        description: "Accounts in this organizational unit (ou-...) or under the root (r-...).",
        examples: ["ou-ab12-34cd5678"],
      }),
      recursive: z
        .boolean()
        .default(true)
        .meta({
          description: "Include accounts in the OU's child OUs (the default).",
          examples: [true, false],
        }),
    }),
    z.strictObject({
      tag: z
        .record(z.string().min(1), z.string())
        .refine((tags) => Object.keys(tags).length > 0, {
          error: "a tag selector needs at least one key: value",
        })
        .meta({
          description: "Accounts whose AWS Organizations tags have every one of these values.",
          examples: [{ product: "kaigodx", env: "dev" }],
          minProperties: 1,
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
    groups: z
      .array(z.string())
      .default([])
      .meta({
        description: "Groups of this rules file that get the access, by name.",
        examples: [["developers"]],
      }),
    users: z
      .array(emailSchema)
      .default([])
      .meta({
        description: "Users who get the access directly, by email.",
        examples: [["haruto.ito@example.com"]],
      }),
    permissionSets: z
      .array(z.string())
      .min(1, { error: "list at least one permission set" })
      .meta({ description: "Permission sets of this rules file, by name.", examples: [["Developer"]] }),
    accounts: z
      .array(z.string())
      .min(1, { error: "list at least one account set or account id" })
      .meta({
        description: "Account sets of this rules file by name, or quoted 12-digit account ids.",
        examples: [["core-dev", "111111111111"]],
      }),
  })
  .refine((assignment) => assignment.groups.length + assignment.users.length > 0, {
    error: "an assignment needs at least one of groups or users",
  })
  // The JSON Schema's form of the check above.
  .meta({ not: { properties: { groups: { maxItems: 0 }, users: { maxItems: 0 } } } });

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
  maxDeletions: maxDeletionsSchema.default("10%").meta({
    description:
      "The most removals one run may make: a number, or a percentage of the managed objects. More stops the run before anything is applied.",
    examples: ["10%", 25],
  }),
  protect: z
    .strictObject({
      users: z
        .array(emailSchema)
        .default([])
        .meta({
          description: "Users never touched (break-glass accounts), by email.",
          examples: [["breakglass@example.com"]],
        }),
      groups: z
        .array(z.string())
        .default([])
        .meta({
          description: "Identity Center groups never touched, by display name.",
          examples: [["AWSControlTowerAdmins"]],
        }),
    })
    .prefault({})
    .meta({
      description: "Principals idc-sync never changes, whatever else the rules say.",
      examples: [{ users: ["breakglass@example.com"], groups: ["AWSControlTowerAdmins"] }],
    }),
});

/**
 * The revocation margin: how long after a leaver's longest session could end the deny stays, to cover
 * the run that removes their access (the Lambda runs up to 15 minutes, assignment deletions finish
 * asynchronously) and clock skew. From PT15M to PT12H.
 */
const revocationMarginSchema = z
  .string()
  .regex(durationPattern, {
    error: invalid((input) => `invalid margin ${quoted(input)}: expected PTnH, PTnM or PTnHnM`),
  })
  .refine(
    (value) => {
      if (!durationPattern.test(value)) return true;
      const minutes = durationMinutes(value);
      return minutes >= 15 && minutes <= 720;
    },
    { error: invalid((input) => `margin ${quoted(input)} must be between PT15M and PT12H`) },
  )
  .transform((value) => formatDuration(durationMinutes(value)));

/** The kill switch for leavers' sessions (issue #20). */
const leaversSchema = z.strictObject({
  revokeSessions: z
    .enum(["scp", "permissionSets", "off"], {
      error: 'leavers.revokeSessions is "scp", "permissionSets" or "off"',
    })
    .default("off")
    .meta({
      description:
        "Where the deny that ends a leaver's AWS sessions lives: scp (service control policies idc-sync creates, attached to the root; the management account through the inline policy of its permission sets), permissionSets (the inline policy of every permission set the leaver had), or off (the default).",
      examples: ["scp", "permissionSets", "off"],
    }),
  margin: revocationMarginSchema.default("PT1H").meta({
    description:
      "How long the deny outlives the leaver's longest session duration, PT15M to PT12H (default PT1H).",
    examples: ["PT1H", "PT30M"],
    pattern: "^PT(?=\\d)(?:\\d+H)?(?:\\d+M)?$",
  }),
});

const syncSchema = z.strictObject({
  /** enforce: fix drift and report it; report: detect and alert, change nothing. */
  mode: z
    .enum(["enforce", "report"], { error: 'sync.mode is "enforce" or "report"' })
    .default("enforce")
    .meta({
      description: "enforce: apply, fixing drift; report: detect and alert, change nothing.",
      examples: ["enforce", "report"],
    }),
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
        .default(["drift", "failure"])
        .meta({
          description: "What to post: drift, failure (and recovery), changes (joiners, movers, leavers).",
          examples: [["drift", "failure", "changes"]],
        }),
      /** Drift still open is reminded about at most this often. */
      remindEveryHours: z
        .number({ error: "remindEveryHours is a number of hours" })
        .positive({ error: "remindEveryHours must be more than 0" })
        .default(24)
        .meta({
          description: "Drift still open is reminded about at most this often, in hours.",
          examples: [24, 4],
        }),
      /** Slack app mode: the channel alerts go to (the bot token comes from the deployment, never the rules). */
      channel: z
        .string({ error: "channel is a Slack channel id (C0123456789) or name (#idc-sync-alerts)" })
        .regex(/^(?:[CG][A-Z0-9]{2,}|#?[a-z0-9][a-z0-9._-]{0,79})$/, {
          error: "channel is a Slack channel id (C0123456789) or name (#idc-sync-alerts)",
        })
        .optional()
        .meta({
          description: "Slack app mode: the channel alerts go to, by id or name.",
          examples: ["C0123456789", "#idc-sync-alerts"],
        }),
      /**
       * Who may approve the removals of a stopped plan from Slack: user ids (U…, W…) or user group ids
       * (S…, resolved with usergroups.users.list at each click). Empty: no buttons are offered.
       */
      approvers: z
        .array(
          z.string().regex(/^[UWS][A-Z0-9]{2,}$/, {
            error: "approvers are Slack user ids (U0123ABCD, W0123ABCD) or user group ids (S0123ABCD)",
          }),
        )
        .default([])
        .meta({
          description:
            "Slack user ids (U…/W…) or user group ids (S…) allowed to approve a plan a safety guard stopped.",
          examples: [["U0123ABCD", "S0456EFGH"]],
        }),
      /** A direct message to each person just given AWS access. */
      welcome: z
        .strictObject({
          /** The message, a mustache template file next to the rules. */
          template: z
            .string({ error: "welcome.template is the path of a template file" })
            .min(1)
            .optional()
            .meta({
              description:
                "Path (relative to the rules file) of the mustache template of the welcome message; idc-sync's own when absent.",
              examples: ["slack/welcome.mustache"],
            }),
          /** The AWS access portal ("https://d-1234567890.awsapps.com/start"). */
          portalUrl: z
            .url({
              protocol: /^https$/,
              error: "welcome.portalUrl is the https URL of the AWS access portal",
            })
            .meta({
              description: "The AWS access portal URL people sign in at.",
              examples: ["https://d-0123456789.awsapps.com/start"],
            }),
          /**
           * Whether the instance has "Send email OTP" on. "When you create users with the CreateUser API
           * operation, they don't have passwords"; with that setting they get a verification e-mail at their
           * first sign-in, otherwise "you must generate a one-time password and share it" (IAM Identity
           * Center user guide, "Email one-time password to users created with API"). Default false: the
           * message then says to ask for a one-time password.
           */
          emailOtp: z
            .boolean({ error: "welcome.emailOtp is true or false" })
            .default(false)
            .meta({
              description:
                "Whether Identity Center's 'Send email OTP' setting is on (new users get a verification e-mail at first sign-in).",
              examples: [false],
            }),
        })
        .optional()
        .meta({
          description: "Welcome direct messages to people just given AWS access (Slack app mode).",
          examples: [{ portalUrl: "https://d-0123456789.awsapps.com/start", emailOtp: false }],
        }),
      /** A notice to a channel when a leaver's access is removed. */
      farewell: z
        .strictObject({
          channel: z
            .string({ error: "farewell.channel is a Slack channel id or name" })
            .regex(/^(?:[CG][A-Z0-9]{2,}|#?[a-z0-9][a-z0-9._-]{0,79})$/, {
              error: "farewell.channel is a Slack channel id (C0123456789) or name (#it-offboarding)",
            })
            .meta({
              description: "The channel a leaver's notice goes to, by id or name.",
              examples: ["#it-offboarding"],
            }),
          template: z
            .string({ error: "farewell.template is the path of a template file" })
            .min(1)
            .optional()
            .meta({
              description:
                "Path (relative to the rules file) of the farewell template; idc-sync's own when absent.",
              examples: ["slack/farewell.mustache"],
            }),
        })
        .optional()
        .meta({
          description: "A notice to a channel when a leaver's AWS access is removed (Slack app mode).",
          examples: [{ channel: "#it-offboarding" }],
        }),
    })
    .prefault({})
    .meta({
      description:
        "Slack alerts; the webhook URL or the bot token comes from the deployment, never from the rules.",
      examples: [{ on: ["drift", "failure"], remindEveryHours: 24 }],
    }),
});

/** The rules file as written (input) and as parsed (output, before inline policies are loaded). */
export const rulesSchema = z.strictObject({
  $schema: z
    .string()
    .optional()
    .meta({
      description: "The JSON Schema of this file, for editors.",
      examples: ["../schema/rules.schema.json"],
    }),
  version: z
    .literal(1, { error: "version must be 1" })
    .meta({ description: "The rules file format; always 1.", examples: [1] }),
  identityCenter: identityCenterSchema.optional().meta({
    description: "Which Identity Center to manage; discovered with ListInstances when omitted.",
    examples: [
      { instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef", identityStoreId: "d-0123456789" },
    ],
  }),
  google: googleSchema.meta({
    description: "The Google Workspace customer and the domains whose people idc-sync manages.",
    examples: [{ customerId: "my_customer", domains: ["example.com"] }],
  }),
  users: usersSchema.prefault({}).meta({
    description: "Which people get an Identity Center user, and with which attributes.",
    examples: [{ provision: "mapped", leavers: "delete" }],
  }),
  groups: z
    .array(groupSchema)
    .default([])
    .meta({
      description: "Identity Center groups and who is in them.",
      examples: [[{ name: "developers", members: [{ orgUnit: "/Engineering" }] }]],
    }),
  permissionSets: z
    .array(permissionSetSchema)
    .default([])
    .meta({
      description: "Permission sets: what access is, as policies.",
      examples: [[{ name: "Developer", sessionDuration: "PT8H", managedPolicies: ["PowerUserAccess"] }]],
    }),
  accounts: z
    .record(accountSetNameSchema, accountSetSchema)
    .default({})
    .meta({
      description:
        'Named sets of AWS accounts: "all", quoted 12-digit ids, {ou: ...} or {tag: {...}}, or a list of those.',
      examples: [{ "core-dev": ["111111111111"], prod: { ou: "ou-ab12-34cd5678" }, everything: "all" }],
    }),
  assignments: z
    .array(assignmentSchema)
    .default([])
    .meta({
      description: "Who gets which permission sets in which accounts.",
      examples: [[{ groups: ["developers"], permissionSets: ["Developer"], accounts: ["core-dev"] }]],
    }),
  safety: safetySchema.prefault({}).meta({
    description: "Limits that stop a run before it does damage.",
    examples: [{ maxDeletions: "10%" }],
  }),
  leavers: leaversSchema.prefault({}).meta({
    description: "What happens to a leaver's AWS sessions that are already open.",
    examples: [{ revokeSessions: "scp", margin: "PT1H" }],
  }),
  sync: syncSchema
    .prefault({})
    .meta({ description: "How scheduled runs behave.", examples: [{ mode: "enforce" }] }),
  notifications: notificationsSchema
    .prefault({})
    .meta({ description: "What a run tells Slack.", examples: [{ slack: { on: ["drift", "failure"] } }] }),
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
export type LeaverRules = RulesFile["leavers"];
