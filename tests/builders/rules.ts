/**
 * Builders for the rules file and for the Google directory and AWS accounts it is evaluated against.
 * `someRules({...})` writes a minimal valid rules file with your parts, loads it and fails loudly if it
 * does not load, so a test states only what it is about.
 */
import { stringify } from "yaml";
import type { PolicyFileRead } from "../../src/mapping/checks.js";
import { parseRules, type Rules } from "../../src/mapping/index.js";
import { formatRuleIssue } from "../../src/mapping/issues.js";
import type { AwsAccount, Directory, DirectoryGroup, DirectoryUser } from "../../src/sync/model.js";

/** The smallest rules file that loads: version and one Google domain, merged with `parts`. */
export function aRulesObject(parts: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, google: { domains: ["example.com"] }, ...parts };
}

/** YAML text of `aRulesObject(parts)`. */
export function aRulesText(parts: Record<string, unknown> = {}): string {
  return stringify(aRulesObject(parts));
}

/** A `readPolicyFile` backed by a map of path (relative to the rules file) → content; others are missing. */
export function inMemoryFiles(files: Record<string, string> = {}): (path: string) => PolicyFileRead {
  return (path) => {
    const text = files[path];
    return text === undefined ? { problem: "does not exist" } : { text };
  };
}

/** Loads rules text as `rules.yaml`, with `files` (paths relative to the rules file) readable. */
export function loadRulesText(text: string, files: Record<string, string> = {}) {
  return parseRules(text, { file: "rules.yaml", readPolicyFile: inMemoryFiles(files) });
}

/** Loaded rules built from `parts`; throws with the formatted issues when they do not load. */
export function someRules(parts: Record<string, unknown> = {}, files: Record<string, string> = {}): Rules {
  const result = loadRulesText(aRulesText(parts), files);
  if (!result.ok) throw new Error(`rules did not load:\n${result.issues.map(formatRuleIssue).join("\n")}`);
  return result.rules;
}

// ─── the directory side ─────────────────────────────────────────────────────────────────────────────

let userCounter = 0;

/** An active Google user in example.com, in the root org unit unless told otherwise. */
export function aDirectoryUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  userCounter += 1;
  const primaryEmail = overrides.primaryEmail ?? `user${userCounter}@example.com`;
  const local = primaryEmail.split("@")[0] ?? "user";
  return {
    id: `google-${local}`,
    primaryEmail,
    aliases: [],
    givenName: capitalise(local),
    familyName: "Tester",
    orgUnitPath: "/",
    suspended: false,
    archived: false,
    ...overrides,
  };
}

/** A Google group whose (already expanded) members are `memberEmails`. */
export function aGoogleGroup(email: string, memberEmails: string[] = []): DirectoryGroup {
  return { id: `group-${email}`, email, name: email.split("@")[0] ?? email, memberEmails };
}

/**
 * A directory of these users and groups. Org units are every path the users sit in (and its parents)
 * plus `orgUnits`, as Google would list them.
 */
export function aDirectory(
  parts: { users?: DirectoryUser[]; groups?: DirectoryGroup[]; orgUnits?: string[] } = {},
): Directory {
  const users = parts.users ?? [];
  const paths = new Set<string>(parts.orgUnits ?? []);
  for (const user of users) {
    const segments = user.orgUnitPath.split("/").filter(Boolean);
    segments.forEach((_, index) => {
      paths.add(`/${segments.slice(0, index + 1).join("/")}`);
    });
  }
  return {
    users,
    groups: parts.groups ?? [],
    orgUnits: [...paths].map((path) => ({ path, name: path.split("/").pop() ?? path })),
    completeness: { proven: true },
  };
}

/** An active account directly under the root `r-root`, unless told otherwise. */
export function anAccount(overrides: Partial<AwsAccount> = {}): AwsAccount {
  const parentId = overrides.parentId ?? "r-root";
  return {
    id: "111111111111",
    name: "dev",
    status: "ACTIVE",
    parentId,
    ancestorIds: parentId === "r-root" ? ["r-root"] : ["r-root", parentId],
    tags: {},
    ...overrides,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
