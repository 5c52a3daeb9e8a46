/**
 * The rules against the world: every Google group, org unit, AWS account and OU the rules name must
 * exist in the directory and the organization they are planned against. It runs on the raw parsed
 * rules, defensively, so `validate` can report these problems in the same pass as the file's own
 * mistakes; `evaluate` runs it too, on the loaded rules, so plan and apply say the same.
 *
 * A snapshot may lack what the rules need without the rules being wrong: one taken with only the
 * groups its rules named then, or one without an organization section. Those come back as `gaps`,
 * worded as what the snapshot lacks, never as a mistake in the rules.
 */
import type { AwsAccount, Directory, OrganizationalUnit } from "../sync/model.js";
import { type RuleIssue, type RulePath, type RulesSource, ruleIssue } from "./issues.js";
import { closestName, didYouMean } from "./suggest.js";

/** What the rules are checked against. */
export interface RulesWorld {
  directory: Directory;
  accounts: readonly AwsAccount[];
  /** Every OU and root, empty ones included; undefined when the source cannot tell (then only warnings). */
  organization?: { rootId: string; organizationalUnits: readonly OrganizationalUnit[] };
}

/** What a directory snapshot holds, so its gaps are not blamed on the rules. */
export interface SnapshotCoverage {
  /** The snapshot file as the user named it. */
  file: string;
  /** `all`: every Google group was read; `referenced`: only those the rules of the day named. */
  groups: "all" | "referenced";
  /** Whether the snapshot has an organization section. */
  organization: boolean;
}

export interface ReferenceCheck {
  errors: RuleIssue[];
  /** Positioned at the rule that needs what the snapshot lacks; the message says the snapshot lacks it. */
  gaps: RuleIssue[];
}

type Raw = unknown;
const isRecord = (value: Raw): value is Record<string, Raw> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const list = (value: Raw): Raw[] => (Array.isArray(value) ? value : []);
const field = (value: Raw, key: string): Raw => (isRecord(value) ? value[key] : undefined);
const text = (value: Raw): string | undefined => (typeof value === "string" ? value.trim() : undefined);

const accountIdShape = /^\d{12}$/;
const ouIdShape = /^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;

/** Checks every name the rules use against the directory and the organization. */
export function checkReferences(
  raw: Raw,
  source: RulesSource,
  world: RulesWorld,
  coverage?: SnapshotCoverage,
): ReferenceCheck {
  const result: ReferenceCheck = { errors: [], gaps: [] };
  const error = (path: RulePath, message: string) => result.errors.push(ruleIssue(source, path, message));
  const gap = (path: RulePath, message: string) => result.gaps.push(ruleIssue(source, path, message));

  // ── Google groups and org units ──
  const groups = new Set(world.directory.groups.map((group) => group.email.toLowerCase()));
  const knownGroups = new Set([...groups, ...(world.directory.knownGroupEmails ?? [])]);
  const orgUnits = new Set(["/", ...world.directory.orgUnits.map((unit) => unit.path)]);
  const checkOrgUnit = (value: Raw, path: RulePath) => {
    const written = text(value);
    if (written === undefined || !written.startsWith("/")) return;
    const unit = written.length > 1 && written.endsWith("/") ? written.slice(0, -1) : written;
    if (!orgUnits.has(unit)) error(path, unknownOrgUnitMessage(unit, orgUnits));
  };
  list(field(raw, "groups")).forEach((group, groupIndex) => {
    for (const role of ["members", "exclude"] as const) {
      list(field(group, role)).forEach((selector, index) => {
        const at: RulePath = ["groups", groupIndex, role, index];
        const address = text(field(selector, "googleGroup"))?.toLowerCase();
        if (address?.includes("@") && !groups.has(address)) {
          if (coverage?.groups === "referenced")
            gap([...at, "googleGroup"], groupNotInSnapshotMessage(address, coverage));
          else error([...at, "googleGroup"], unknownGoogleGroupMessage(address, knownGroups));
        }
        checkOrgUnit(field(selector, "orgUnit"), [...at, "orgUnit"]);
        checkOrgUnit(field(field(selector, "where"), "orgUnitPath"), [...at, "where", "orgUnitPath"]);
      });
    }
  });

  // ── AWS accounts and OUs ──
  const accountsById = new Map(world.accounts.map((account) => [account.id, account]));
  const organizationMissing = coverage !== undefined && !coverage.organization;
  const checkAccountId = (id: string, path: RulePath) => {
    if (organizationMissing) gap(path, noOrganizationMessage(`AWS account '${id}'`, coverage));
    else if (!accountsById.has(id)) error(path, unknownAccountMessage(id, world.accounts));
  };
  const checkSelector = (selector: Raw, path: RulePath) => {
    const id = text(selector);
    if (id !== undefined) {
      if (id === "all" && organizationMissing) gap(path, noOrganizationMessage("'all' accounts", coverage));
      else if (accountIdShape.test(id)) checkAccountId(id, path);
      return;
    }
    const ou = text(field(selector, "ou"));
    // A malformed OU id is the schema's to report.
    if (ou !== undefined && ouIdShape.test(ou)) {
      if (organizationMissing) gap([...path, "ou"], noOrganizationMessage(`OU '${ou}'`, coverage));
      else if (world.organization && !ouExists(ou, world.organization))
        error([...path, "ou"], unknownOuMessage(ou, world.organization));
      return;
    }
    if (isRecord(field(selector, "tag")) && organizationMissing)
      gap([...path, "tag"], noOrganizationMessage("a tag selector", coverage));
  };
  const accountSets = field(raw, "accounts");
  if (isRecord(accountSets)) {
    for (const [name, set] of Object.entries(accountSets)) {
      if (Array.isArray(set))
        set.forEach((selector, index) => {
          checkSelector(selector, ["accounts", name, index]);
        });
      else checkSelector(set, ["accounts", name]);
    }
  }
  list(field(raw, "assignments")).forEach((assignment, index) => {
    list(field(assignment, "accounts")).forEach((reference, referenceIndex) => {
      const id = text(reference);
      if (id !== undefined && accountIdShape.test(id))
        checkAccountId(id, ["assignments", index, "accounts", referenceIndex]);
    });
  });
  return result;
}

function ouExists(id: string, organization: NonNullable<RulesWorld["organization"]>): boolean {
  return id === organization.rootId || organization.organizationalUnits.some((unit) => unit.id === id);
}

// ─── messages, shared with evaluate ─────────────────────────────────────────────────────────────────

export function unknownGoogleGroupMessage(address: string, known: Iterable<string>): string {
  return `Google group '${address}' does not exist in Google${didYouMean(address, known)}`;
}

export function unknownOrgUnitMessage(path: string, known: Iterable<string>): string {
  return `org unit '${path}' does not exist in Google${didYouMean(path, known)}`;
}

export function unknownAccountMessage(id: string, accounts: readonly AwsAccount[]): string {
  const guess = closestName(
    id,
    accounts.map((account) => account.id),
  );
  const named = accounts.find((account) => account.id === guess);
  const hint = named === undefined ? "" : `; did you mean '${named.id}' (${named.name})?`;
  return `AWS account '${id}' is not in the organization${hint}`;
}

export function unknownOuMessage(id: string, organization: NonNullable<RulesWorld["organization"]>): string {
  const units = [
    ...organization.organizationalUnits,
    { id: organization.rootId, name: "root", parentId: "" },
  ];
  const guess = closestName(
    id,
    units.map((unit) => unit.id),
  );
  const named = units.find((unit) => unit.id === guess);
  const hint = named === undefined ? "" : `; did you mean '${named.id}' (${named.name})?`;
  return `organizational unit '${id}' is not in the organization${hint}`;
}

/**
 * The file alone can only say "unknown account set 'core-prod'"; against the organization the same
 * mistake can say whose name that is. Rewrites those issues of `issues` whose name is an AWS account's.
 */
export function withAccountNames(issues: readonly RuleIssue[], accounts: readonly AwsAccount[]): RuleIssue[] {
  const byName = new Map(accounts.map((account) => [account.name.toLowerCase(), account]));
  return issues.map((issue) => {
    const written = /^unknown account set '([^']*)' in ([^;]*?)(?:; did you mean '[^']*'\?)?$/.exec(
      issue.message,
    );
    const account = written === null ? undefined : byName.get(written[1]!.toLowerCase());
    if (written === null || account === undefined) return issue;
    return {
      ...issue,
      message: `unknown account set '${written[1]}' in ${written[2]}: '${account.name}' is the name of AWS account '${account.id}'; write the id in quotes, or define an account set`,
    };
  });
}

function groupNotInSnapshotMessage(address: string, coverage: SnapshotCoverage): string {
  return `Google group '${address}' is not in the snapshot ${coverage.file}, which holds only the groups its rules named when it was taken: take it again with --all-groups`;
}

function noOrganizationMessage(what: string, coverage: SnapshotCoverage): string {
  return `${what} cannot be checked: the snapshot ${coverage.file} has no organization section (take it again with \`idc-sync snapshot directory\`, or pass --accounts)`;
}
