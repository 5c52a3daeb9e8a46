/**
 * Joins the report's memberships and grants into access paths: person → (group →) permission set in an
 * account. The HTML report does the same join in the browser (`html/client-script.ts`), and a test
 * checks the two agree for every person.
 */
import { PrincipalType } from "../sync/model.js";
import {
  type AccessPath,
  type AccessReport,
  AccessStatus,
  actualStatuses,
  desiredStatuses,
  type ReportGrant,
  type ReportMembership,
} from "./model.js";

/**
 * The status of a path through a membership and a grant, or undefined when there is no path: access
 * exists now when both links exist now, and the rules want it when they want both links. Access that
 * exists but is not wanted is `unexplained` if idc-sync would remove either link, else `unmanaged`.
 */
export function pathStatus(membership: AccessStatus, grant: AccessStatus): AccessStatus | undefined {
  const isActual = actualStatuses.has(membership) && actualStatuses.has(grant);
  const isDesired = desiredStatuses.has(membership) && desiredStatuses.has(grant);
  if (isActual && isDesired) return AccessStatus.granted;
  if (isDesired) return AccessStatus.pending;
  if (!isActual) return undefined;
  return membership === AccessStatus.unexplained || grant === AccessStatus.unexplained
    ? AccessStatus.unexplained
    : AccessStatus.unmanaged;
}

/** The paths of one person, or of everybody, computed on demand from one index over the report. */
export interface AccessIndex {
  pathsOf(person: number): AccessPath[];
  membershipsOf(person: number): ReportMembership[];
  grantsOf(principal: number): ReportGrant[];
}

export function indexAccess(report: AccessReport): AccessIndex {
  const grantsByPrincipal = groupBy(report.grants, (grant) => grant.principal);
  const membershipsByPerson = groupBy(report.memberships, (membership) => membership.person);
  const userPrincipalOf = new Map<number, number>();
  report.principals.forEach((principal, index) => {
    if (principal.type === PrincipalType.user && principal.person !== undefined)
      userPrincipalOf.set(principal.person, index);
  });

  const pathsOf = (person: number): AccessPath[] => {
    const paths: AccessPath[] = [];
    for (const membership of membershipsByPerson.get(person) ?? []) {
      for (const grant of grantsByPrincipal.get(membership.group) ?? []) {
        const status = pathStatus(membership.status, grant.status);
        if (status === undefined) continue;
        paths.push({
          person,
          account: grant.account,
          permissionSet: grant.permissionSet,
          principal: membership.group,
          status,
          grant,
          membership,
        });
      }
    }
    const own = userPrincipalOf.get(person);
    for (const grant of own === undefined ? [] : (grantsByPrincipal.get(own) ?? [])) {
      paths.push({
        person,
        account: grant.account,
        permissionSet: grant.permissionSet,
        principal: own!,
        status: grant.status,
        grant,
      });
    }
    // Accounts and permission sets are indexes into lists sorted by name.
    return paths.sort(
      (a, b) => a.account - b.account || a.permissionSet - b.permissionSet || a.principal - b.principal,
    );
  };

  return {
    pathsOf,
    membershipsOf: (person) => membershipsByPerson.get(person) ?? [],
    grantsOf: (principal) => grantsByPrincipal.get(principal) ?? [],
  };
}

/** Every path of every person, person by person: for the CSV and JSON renderers, which stream it. */
export function* allAccessPaths(report: AccessReport, index = indexAccess(report)): Generator<AccessPath> {
  for (let person = 0; person < report.people.length; person += 1) yield* index.pathsOf(person);
}

/** How many paths, grants and memberships there are of each status. */
export interface AccessSummary {
  people: number;
  peopleWithAccess: number;
  accounts: number;
  paths: Record<AccessStatus, number>;
  grants: Record<AccessStatus, number>;
  memberships: Record<AccessStatus, number>;
}

export function summarizeAccess(report: AccessReport, index = indexAccess(report)): AccessSummary {
  const zero = (): Record<AccessStatus, number> => ({ granted: 0, pending: 0, unexplained: 0, unmanaged: 0 });
  const summary: AccessSummary = {
    people: report.people.length,
    peopleWithAccess: 0,
    accounts: report.accounts.length,
    paths: zero(),
    grants: zero(),
    memberships: zero(),
  };
  for (const grant of report.grants) summary.grants[grant.status] += 1;
  for (const membership of report.memberships) summary.memberships[membership.status] += 1;
  for (let person = 0; person < report.people.length; person += 1) {
    const paths = index.pathsOf(person);
    if (paths.some((path) => actualStatuses.has(path.status))) summary.peopleWithAccess += 1;
    for (const path of paths) summary.paths[path.status] += 1;
  }
  return summary;
}

function groupBy<T>(items: T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [item]);
    else list.push(item);
  }
  return groups;
}
