/**
 * The directory snapshot file: a YAML or JSON picture of the Google directory (users, groups with their
 * direct members, org units) and of the AWS organization (OUs, accounts, tags). It is what rule editors
 * plan against offline, what `idc-sync snapshot directory` writes, and what the Google Directory
 * emulator serves, so one sample feeds all three.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { StateFileError } from "../../sync/errors.js";
import { compareStrings } from "../../sync/keys.js";
import type {
  AwsAccount,
  Directory,
  DirectoryGroup,
  DirectoryOrgUnit,
  DirectoryUser,
  Organization,
} from "../../sync/model.js";

const email = z
  .string()
  .email()
  .transform((value) => value.toLowerCase());

const snapshotUserSchema = z.strictObject({
  id: z.string().min(1).optional(),
  primaryEmail: email,
  aliases: z.array(email).default([]),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  orgUnitPath: z.string().startsWith("/").default("/"),
  suspended: z.boolean().default(false),
  archived: z.boolean().default(false),
  department: z.string().optional(),
  costCenter: z.string().optional(),
  title: z.string().optional(),
  employeeId: z.string().optional(),
  manager: email.optional(),
});

const snapshotGroupSchema = z.strictObject({
  id: z.string().min(1).optional(),
  email,
  name: z.string().min(1),
  description: z.string().optional(),
  /** Direct members: user emails, or emails of other groups in this file (nested groups). */
  members: z.array(email).default([]),
  /**
   * Google's "all users in the organization" member is in the group: every user of the customer belongs
   * to it, now and later. The Directory API lists it as one member of `type: CUSTOMER` with no email.
   */
  allUsers: z.boolean().optional(),
});

const orgUnitSchema = z.union([
  z.string().startsWith("/"),
  z.strictObject({ path: z.string().startsWith("/"), name: z.string().optional() }),
]);

const ouIdPattern = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

const organizationSchema = z.strictObject({
  rootId: z.string().regex(/^r-[0-9a-z]{4,32}$/, "a root id looks like r-ab12"),
  organizationalUnits: z
    .array(
      z.strictObject({
        id: z.string().regex(ouIdPattern, "an OU id looks like ou-ab12-34cd5678"),
        name: z.string().min(1),
        parentId: z.string().regex(ouIdPattern),
      }),
    )
    .default([]),
  accounts: z
    .array(
      z.strictObject({
        id: z.string().regex(/^\d{12}$/, "an account id is 12 digits"),
        name: z.string().min(1),
        email: z.string().optional(),
        status: z.enum(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]).default("ACTIVE"),
        parentId: z.string().regex(ouIdPattern),
        tags: z.record(z.string(), z.string()).default({}),
      }),
    )
    .default([]),
});

export const directorySnapshotSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  /**
   * What the snapshot holds. `groups: all` (taken with --all-groups, or written by hand listing every
   * group): a group the rules name that is not here does not exist. `referenced` (the default): only the
   * groups the rules named when it was taken, so a group added to the rules since is missing from the
   * snapshot, not from Google.
   */
  contents: z.strictObject({ groups: z.enum(["all", "referenced"]).default("referenced") }).optional(),
  users: z.array(snapshotUserSchema).default([]),
  groups: z.array(snapshotGroupSchema).default([]),
  orgUnits: z.array(orgUnitSchema).default([]),
  organization: organizationSchema.optional(),
});

export type DirectorySnapshot = z.output<typeof directorySnapshotSchema>;
export type SnapshotUser = DirectorySnapshot["users"][number];
export type SnapshotGroup = DirectorySnapshot["groups"][number];
export type SnapshotOrganization = NonNullable<DirectorySnapshot["organization"]>;

/** Parses snapshot text (YAML is a superset of JSON, so one parser serves both). Throws StateFileError. */
export function parseDirectorySnapshot(text: string, file: string): DirectorySnapshot {
  let raw: unknown;
  try {
    raw = parseJsonOrYaml(text);
  } catch (error) {
    throw new StateFileError(`${file}: not valid YAML or JSON: ${(error as Error).message}`, file, {
      cause: error,
    });
  }
  const parsed = directorySnapshotSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new StateFileError(`${file}: not a valid directory snapshot:\n${problems.join("\n")}`, file);
  }
  const snapshot = parsed.data;
  const duplicates = findDuplicates([
    ...snapshot.users.map((user) => user.primaryEmail),
    ...snapshot.groups.map((group) => group.email),
  ]);
  if (duplicates.length > 0) {
    throw new StateFileError(`${file}: the same address is listed twice: ${duplicates.join(", ")}`, file);
  }
  return snapshot;
}

/**
 * JSON through JSON.parse when the text is JSON: the YAML parser reads it too, but a 50,000-person
 * snapshot took it 20 s and 2 GB; JSON.parse takes a fraction of a second. Anything JSON.parse refuses
 * goes to the YAML parser, whose errors say where the problem is.
 */
function parseJsonOrYaml(text: string): unknown {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all (or broken JSON): the YAML parser explains it.
    }
  }
  return parseYaml(text);
}

/** Reads and parses a snapshot file; a missing or unreadable file is a StateFileError naming it. */
export async function loadDirectorySnapshot(path: string): Promise<DirectorySnapshot> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new StateFileError(`cannot read directory snapshot ${path}: ${(error as Error).message}`, path, {
      cause: error,
    });
  }
  return parseDirectorySnapshot(text, path);
}

/** A stable id for users and groups the snapshot gives none, so plans and emulators agree across runs. */
export function snapshotIdFor(emailAddress: string): string {
  let hash = 0x811c9dc5;
  for (const char of emailAddress) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `s${hash.toString(16).padStart(8, "0")}`;
}

export function snapshotUserToDirectoryUser(user: SnapshotUser): DirectoryUser {
  const { id, ...rest } = user;
  return { ...rest, id: id ?? snapshotIdFor(user.primaryEmail) };
}

/**
 * The users of `groupEmail`, expanded through nested groups the way Google's
 * `includeDerivedMembership=true` does, and whether the group or a group nested in it has the "all
 * users" member. Cycles are tolerated; a member that is not a group of the snapshot is taken as a user
 * address (it may be an external member).
 */
export function expandGroup(
  snapshot: DirectorySnapshot,
  groupEmail: string,
): { memberEmails: string[]; allUsers: boolean } {
  const groupsByEmail = new Map(snapshot.groups.map((group) => [group.email, group]));
  const users = new Set<string>();
  const visited = new Set<string>();
  let allUsers = false;
  const visitGroup = (group: SnapshotGroup): void => {
    if (group.allUsers) allUsers = true;
    for (const member of group.members) visit(member);
  };
  const visit = (address: string): void => {
    if (visited.has(address)) return;
    visited.add(address);
    const group = groupsByEmail.get(address);
    if (group) visitGroup(group);
    else users.add(address);
  };
  const root = groupsByEmail.get(groupEmail.toLowerCase());
  if (root) {
    visited.add(root.email);
    visitGroup(root);
  }
  return { memberEmails: [...users].sort(), allUsers };
}

/** The user addresses of `groupEmail` through nested groups (see `expandGroup`). */
export function expandGroupMembers(snapshot: DirectorySnapshot, groupEmail: string): string[] {
  return expandGroup(snapshot, groupEmail).memberEmails;
}

export function orgUnitsOf(snapshot: DirectorySnapshot): DirectoryOrgUnit[] {
  const paths = new Map<string, string>();
  for (const entry of snapshot.orgUnits) {
    const path = typeof entry === "string" ? entry : entry.path;
    const name = typeof entry === "string" ? undefined : entry.name;
    paths.set(path, name ?? path.split("/").at(-1) ?? path);
  }
  // Org units that users sit in exist by definition, even when the file forgot to list them.
  for (const user of snapshot.users) {
    if (user.orgUnitPath !== "/" && !paths.has(user.orgUnitPath)) {
      paths.set(user.orgUnitPath, user.orgUnitPath.split("/").at(-1)!);
    }
  }
  return [...paths].map(([path, name]) => ({ path, name })).sort((a, b) => compareStrings(a.path, b.path));
}

/** The whole directory a snapshot describes, every group included. */
export function directoryFromSnapshot(snapshot: DirectorySnapshot): Directory {
  const groups: DirectoryGroup[] = snapshot.groups.map((group) => {
    const { memberEmails, allUsers } = expandGroup(snapshot, group.email);
    return {
      id: group.id ?? snapshotIdFor(group.email),
      email: group.email,
      name: group.name,
      memberEmails,
      ...(allUsers ? { allUsers } : {}),
    };
  });
  return {
    users: snapshot.users.map(snapshotUserToDirectoryUser),
    groups,
    orgUnits: orgUnitsOf(snapshot),
    // A snapshot file is read whole or not at all.
    completeness: { proven: true },
  };
}

/** Accounts with their OU ancestry; empty when the snapshot has no organization section. */
export function accountsFromSnapshot(snapshot: DirectorySnapshot, file = "snapshot"): AwsAccount[] {
  const organization = snapshot.organization;
  if (!organization) return [];
  const parents = new Map(organization.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
  const ancestry = (id: string): string[] => {
    const chain: string[] = [];
    let current: string | undefined = id;
    while (current !== undefined) {
      if (chain.includes(current)) {
        throw new StateFileError(`${file}: OU ${current} is its own ancestor`, file);
      }
      chain.unshift(current);
      if (current === organization.rootId) return chain;
      current = parents.get(current);
    }
    throw new StateFileError(`${file}: ${id} does not lead up to the root ${organization.rootId}`, file);
  };
  return organization.accounts
    .map((account) => ({
      id: account.id,
      name: account.name,
      status: account.status,
      parentId: account.parentId,
      ancestorIds: ancestry(account.parentId),
      tags: account.tags,
    }))
    .sort((a, b) => compareStrings(a.id, b.id));
}

/**
 * Writes a directory (as read from Google, members already expanded) and the organization back as a
 * snapshot, so `snapshot directory` output can be planned against offline and gives the same plan.
 * `groups` says whether every Google group was read or only those the rules named.
 */
export function directoryToSnapshotText(
  directory: Directory,
  format: "yaml" | "json" = "yaml",
  options: { groups?: "all" | "referenced"; organization?: Organization } = {},
): string {
  const organization = options.organization;
  const snapshot = {
    version: 1,
    contents: { groups: options.groups ?? "referenced" },
    users: [...directory.users]
      .sort((a, b) => compareStrings(a.primaryEmail, b.primaryEmail))
      .map((user) => dropUndefined({ ...user })),
    groups: [...directory.groups]
      .sort((a, b) => compareStrings(a.email, b.email))
      .map((group) => ({
        id: group.id,
        email: group.email,
        name: group.name,
        members: group.memberEmails,
        ...(group.allUsers ? { allUsers: true } : {}),
      })),
    orgUnits: [...directory.orgUnits]
      .sort((a, b) => compareStrings(a.path, b.path))
      .map((unit) => ({ path: unit.path, name: unit.name })),
    ...(organization === undefined
      ? {}
      : {
          organization: {
            rootId: organization.rootId,
            organizationalUnits: [...organization.organizationalUnits]
              .sort((a, b) => compareStrings(a.id, b.id))
              .map((unit) => ({ id: unit.id, name: unit.name, parentId: unit.parentId })),
            accounts: [...organization.accounts]
              .sort((a, b) => compareStrings(a.id, b.id))
              .map((account) => ({
                id: account.id,
                name: account.name,
                status: account.status,
                parentId: account.parentId,
                tags: account.tags,
              })),
          },
        }),
  };
  return format === "json" ? `${JSON.stringify(snapshot, null, 2)}\n` : stringifyYaml(snapshot);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function findDuplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) duplicates.add(value);
    seen.add(value);
  }
  return [...duplicates].sort();
}
