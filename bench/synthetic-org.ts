/**
 * A deterministic synthetic organisation for the benchmark: a Google directory (users in departments
 * and teams, groups, some nested, some suspended people), an AWS organization (OUs, accounts with
 * tags) and a rules file in the real format that maps org units, Google groups and a `where` selector
 * to Identity Center groups, and assigns permission sets over account ids, OUs and tags. Same size and
 * seed, same bytes: runs compare like with like.
 */
import type { DirectorySnapshot, SnapshotOrganization } from "../src/adapters/file/directory-snapshot.js";

export interface OrgSize {
  users: number;
  googleGroups: number;
  accounts: number;
  permissionSets: number;
}

export const orgSizes = {
  S: { users: 1_000, googleGroups: 50, accounts: 20, permissionSets: 5 },
  M: { users: 10_000, googleGroups: 300, accounts: 100, permissionSets: 10 },
  L: { users: 50_000, googleGroups: 1_000, accounts: 300, permissionSets: 20 },
} as const satisfies Record<string, OrgSize>;
export type SizeName = keyof typeof orgSizes;

export const benchDomain = "bench.example";
const teamsPerDepartment = 5;
/** Google groups listed per assignment rule: a rule's groups share one permission set and account set. */
const groupsPerRule = 20;
/** Accounts per tag value `team`: a tag-selected account set holds about this many accounts. */
const accountsPerTeamTag = 5;

export interface SyntheticOrg {
  size: OrgSize;
  snapshot: DirectorySnapshot;
  /** The rules file text (YAML); inline policy paths are relative to it. */
  rulesYaml: string;
  /** Files the rules refer to, relative to the rules file. */
  ruleFiles: Record<string, string>;
}

/** mulberry32: a tiny seeded generator; Math.random would make runs incomparable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");
const departmentName = (d: number) => `Dept${pad(d, 2)}`;
const userEmail = (i: number) => `u${pad(i, 6)}@${benchDomain}`;
const groupEmail = (g: number) => `grp${pad(g, 4)}@${benchDomain}`;
const accountId = (a: number) => `1${pad(a, 11)}`;
const permissionSetName = (p: number) => `PS${pad(p, 2)}`;

/** OUs of the synthetic AWS organization; `prod` is also the target of the account moves. */
export const awsOus = {
  root: "r-bnch",
  prod: "ou-bnch-00000001",
  payments: "ou-bnch-00000002",
  staging: "ou-bnch-00000003",
  dev: "ou-bnch-00000004",
  sandbox: "ou-bnch-00000005",
} as const;

export function departmentsFor(size: OrgSize): number {
  return Math.max(5, Math.ceil(size.users / 2_500));
}

/** Builds the organisation of `size`; `seed` makes a different but equally deterministic one. */
export function generateOrg(size: OrgSize, seed = 7): SyntheticOrg {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const departments = departmentsFor(size);

  const orgUnits: string[] = ["/"];
  for (let d = 0; d < departments; d += 1) {
    orgUnits.push(`/${departmentName(d)}`);
    for (let t = 0; t < teamsPerDepartment; t += 1) orgUnits.push(`/${departmentName(d)}/Team${t}`);
  }

  const users: DirectorySnapshot["users"] = [];
  const teamLead = new Map<string, string>();
  for (let i = 0; i < size.users; i += 1) {
    const d = pick(departments);
    const t = pick(teamsPerDepartment);
    const orgUnitPath = `/${departmentName(d)}/Team${t}`;
    const email = userEmail(i);
    const lead = teamLead.get(orgUnitPath);
    if (lead === undefined) teamLead.set(orgUnitPath, email);
    users.push({
      id: `1${pad(i, 20)}`,
      primaryEmail: email,
      aliases: [],
      givenName: `Given${i}`,
      familyName: `Family${i}`,
      orgUnitPath,
      // One in two hundred has left already: suspended people are never provisioned.
      suspended: random() < 0.005,
      archived: false,
      department: departmentName(d),
      costCenter: `CC${pad(d, 3)}`,
      title: lead === undefined ? "Team lead" : "Engineer",
      employeeId: `E${pad(i, 6)}`,
      ...(lead === undefined ? {} : { manager: lead }),
    });
  }

  // About one Google-group membership per person; every tenth group nests the next one.
  const meanGroupSize = Math.max(4, Math.round(size.users / size.googleGroups));
  const groups: DirectorySnapshot["groups"] = [];
  for (let g = 0; g < size.googleGroups; g += 1) {
    const count = Math.max(1, Math.round(meanGroupSize * (0.5 + random())));
    const members = new Set<string>();
    while (members.size < Math.min(count, size.users)) members.add(userEmail(pick(size.users)));
    if (g % 10 === 0 && g + 1 < size.googleGroups) members.add(groupEmail(g + 1));
    groups.push({
      id: `0${pad(g, 16)}`,
      email: groupEmail(g),
      name: `Group ${g}`,
      members: [...members].sort(),
    });
  }

  const organization = generateOrganization(size, random);
  const snapshot: DirectorySnapshot = {
    users,
    groups,
    orgUnits,
    organization,
  } as DirectorySnapshot;
  const { rulesYaml, ruleFiles } = generateRules(size, departments);
  return { size, snapshot, rulesYaml, ruleFiles };
}

function generateOrganization(size: OrgSize, random: () => number): SnapshotOrganization {
  const parents = [awsOus.prod, awsOus.payments, awsOus.staging, awsOus.dev, awsOus.sandbox];
  const teams = Math.max(1, Math.ceil(size.accounts / accountsPerTeamTag));
  const accounts: SnapshotOrganization["accounts"] = [];
  for (let a = 0; a < size.accounts; a += 1) {
    const parentId = parents[Math.floor(random() * parents.length)] ?? awsOus.sandbox;
    accounts.push({
      id: accountId(a),
      name: `account-${pad(a, 4)}`,
      email: `aws+${pad(a, 4)}@${benchDomain}`,
      status: "ACTIVE",
      parentId,
      tags: { team: `team${pad(a % teams, 3)}`, env: parentId === awsOus.prod ? "prod" : "nonprod" },
    });
  }
  return {
    rootId: awsOus.root,
    organizationalUnits: [
      { id: awsOus.prod, name: "prod", parentId: awsOus.root },
      { id: awsOus.payments, name: "payments", parentId: awsOus.prod },
      { id: awsOus.staging, name: "staging", parentId: awsOus.root },
      { id: awsOus.dev, name: "dev", parentId: awsOus.root },
      { id: awsOus.sandbox, name: "sandbox", parentId: awsOus.root },
    ],
    accounts,
  };
}

/**
 * Rules: an Identity Center group per Google group (googleGroup), one per department (orgUnit, interns'
 * team excluded) and one `where` group; assignments by tag (team), by OU (prod, recursive) and by id.
 */
function generateRules(size: OrgSize, departments: number): Pick<SyntheticOrg, "rulesYaml" | "ruleFiles"> {
  const teams = Math.max(1, Math.ceil(size.accounts / accountsPerTeamTag));
  const lines: string[] = [
    "# Generated by bench/synthetic-org.ts: a synthetic organisation for the performance benchmark.",
    "version: 1",
    "google:",
    "  customerId: my_customer",
    `  domains: [${benchDomain}]`,
    "users:",
    "  provision: mapped",
    "  leavers: delete",
    "groups:",
  ];
  for (let d = 0; d < departments; d += 1) {
    lines.push(
      `  - name: dept-${departmentName(d).toLowerCase()}`,
      `    description: Everyone in ${departmentName(d)} but the interns' team`,
      "    members:",
      `      - orgUnit: /${departmentName(d)}`,
      "    exclude:",
      `      - orgUnit: /${departmentName(d)}/Team${teamsPerDepartment - 1}`,
    );
  }
  lines.push(
    "  - name: dept00-leads",
    "    members:",
    "      - where: { department: Dept00, title: Team lead }",
  );
  for (let g = 0; g < size.googleGroups; g += 1) {
    lines.push(`  - name: gg-${pad(g, 4)}`, "    members:", `      - googleGroup: ${groupEmail(g)}`);
  }

  lines.push("permissionSets:");
  for (let p = 0; p < size.permissionSets; p += 1) {
    lines.push(
      `  - name: ${permissionSetName(p)}`,
      `    description: Synthetic permission set ${p}`,
      `    sessionDuration: PT${1 + (p % 8)}H`,
      p % 2 === 0
        ? "    managedPolicies: [ReadOnlyAccess]"
        : "    managedPolicies: [PowerUserAccess, arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]",
    );
    if (p % 3 === 0) lines.push("    inlinePolicy: policies/deny-iam.json");
    if (p % 4 === 1) lines.push(`    tags: { tier: t${p % 3} }`);
  }

  lines.push(
    "accounts:",
    "  prod: { ou: ou-bnch-00000001 }",
    `  core: ["${accountId(0)}", "${accountId(1)}"]`,
  );
  for (let t = 0; t < teams; t += 1) lines.push(`  team${pad(t, 3)}: { tag: { team: team${pad(t, 3)} } }`);

  lines.push("assignments:");
  for (let d = 0; d < departments; d += 1) {
    const group = `dept-${departmentName(d).toLowerCase()}`;
    lines.push(
      `  - groups: [${group}]`,
      `    permissionSets: [${permissionSetName(d % size.permissionSets)}]`,
      `    accounts: [team${pad(d % teams, 3)}]`,
      `  - groups: [${group}]`,
      `    permissionSets: [${permissionSetName(0)}]`,
      "    accounts: [prod]",
    );
  }
  lines.push(
    "  - groups: [dept00-leads]",
    `    permissionSets: [${permissionSetName(size.permissionSets - 1)}]`,
    "    accounts: [core]",
  );
  // Google-group groups in batches: each batch one permission set on one team's accounts. Batches cycle
  // through the teams first, so no permission set in an account comes near AWS's 100-group quota.
  for (let start = 0, batch = 0; start < size.googleGroups; start += groupsPerRule, batch += 1) {
    const names: string[] = [];
    for (let g = start; g < Math.min(size.googleGroups, start + groupsPerRule); g += 1)
      names.push(`gg-${pad(g, 4)}`);
    lines.push(
      `  - groups: [${names.join(", ")}]`,
      `    permissionSets: [${permissionSetName((batch + 1) % size.permissionSets)}]`,
      `    accounts: [team${pad(batch % teams, 3)}]`,
    );
  }
  lines.push("safety:", "  maxDeletions: 25%", "");

  const denyIam = {
    Version: "2012-10-17",
    Statement: [{ Sid: "NoIamUsers", Effect: "Deny", Action: ["iam:CreateUser"], Resource: "*" }],
  };
  return {
    rulesYaml: lines.join("\n"),
    ruleFiles: { "policies/deny-iam.json": `${JSON.stringify(denyIam, null, 2)}\n` },
  };
}

export interface ChurnResult {
  snapshot: DirectorySnapshot;
  joiners: number;
  leavers: number;
  movers: number;
}

/**
 * 1 % churn of the active people, in thirds: joiners (new users, in a team and two Google groups),
 * leavers (suspended in Google) and movers (to a team of another department).
 */
export function churn(snapshot: DirectorySnapshot, fraction = 0.01, seed = 11): ChurnResult {
  const random = seededRandom(seed);
  const next = structuredClone(snapshot);
  const active = next.users.filter((user) => !user.suspended);
  const total = Math.max(3, Math.round(active.length * fraction));
  const each = Math.floor(total / 3);
  const departments = new Set(next.users.map((user) => user.department)).size;
  const chosen = new Set<number>();
  const pickActive = () => {
    for (;;) {
      const index = Math.floor(random() * active.length);
      // Team leads stay: a leaving manager is a different scenario (manager re-pointing).
      if (!chosen.has(index) && active[index]?.title !== "Team lead") {
        chosen.add(index);
        return active[index] as DirectorySnapshot["users"][number];
      }
    }
  };
  for (let k = 0; k < each; k += 1) pickActive().suspended = true;
  for (let k = 0; k < each; k += 1) {
    const mover = pickActive();
    const from = Number(mover.department?.slice(4) ?? 0);
    const to = (from + 1 + Math.floor(random() * (departments - 1))) % departments;
    mover.department = departmentName(to);
    mover.costCenter = `CC${pad(to, 3)}`;
    mover.orgUnitPath = `/${departmentName(to)}/Team${Math.floor(random() * (teamsPerDepartment - 1))}`;
    delete mover.manager;
  }
  const firstNew = next.users.length;
  for (let k = 0; k < each; k += 1) {
    const i = firstNew + k;
    const d = Math.floor(random() * departments);
    const email = userEmail(i);
    next.users.push({
      id: `1${pad(i, 20)}`,
      primaryEmail: email,
      aliases: [],
      givenName: `Given${i}`,
      familyName: `Family${i}`,
      orgUnitPath: `/${departmentName(d)}/Team${Math.floor(random() * (teamsPerDepartment - 1))}`,
      suspended: false,
      archived: false,
      department: departmentName(d),
      costCenter: `CC${pad(d, 3)}`,
      title: "Engineer",
      employeeId: `E${pad(i, 6)}`,
    });
    for (let j = 0; j < 2; j += 1) {
      const group = next.groups[Math.floor(random() * next.groups.length)];
      if (group && !group.members.includes(email)) group.members = [...group.members, email].sort();
    }
  }
  return { snapshot: next, joiners: each, leavers: each, movers: each };
}

/** Moves `count` accounts that are outside prod into prod (or back out when too few are outside). */
export function moveAccounts(
  organization: SnapshotOrganization,
  count = 10,
): { organization: SnapshotOrganization; moved: string[] } {
  const next = structuredClone(organization);
  const inProd = (parentId: string) => parentId === awsOus.prod || parentId === awsOus.payments;
  const outside = next.accounts.filter((account) => !inProd(account.parentId));
  const candidates = outside.length >= count ? outside : next.accounts.filter((a) => inProd(a.parentId));
  const moved: string[] = [];
  for (const account of candidates.slice(0, count)) {
    account.parentId = inProd(account.parentId) ? awsOus.sandbox : awsOus.prod;
    moved.push(account.id);
  }
  return { organization: next, moved };
}
