/**
 * The leaver kill switch's benchmark scenarios (issue #20): leavers with access in several accounts,
 * suspended in Google, removed by one targeted run under `leavers.revokeSessions: scp`. What they
 * measure is what happens on idc-sync's side: the calls the deny costs and when it is in force (the
 * response to its last Organizations write) against when the last removal is done. What they cannot
 * measure is AWS's own propagation of the SCP after that response ("might take a few minutes").
 */
import type { DirectorySnapshot } from "../src/adapters/file/directory-snapshot.js";
import type { DesiredState } from "../src/sync/model.js";
import type { CallCounts } from "./lower-bound.js";
import { type RateTable, serialSeconds } from "./rates.js";

export const revocationScenarioNames = ["scpLeaver", "scpLeavers"] as const;
export type RevocationScenarioName = (typeof revocationScenarioNames)[number];

/** Leavers in the `scpLeavers` scenario unless told otherwise: a layoff-sized batch in one run. */
export const defaultRevocationLeavers = 20;

export function isRevocationScenario(name: string): name is RevocationScenarioName {
  return (revocationScenarioNames as readonly string[]).includes(name);
}

/** The benchmark's rules with the kill switch on (the generated rules have no `leavers:` section). */
export function scpRulesYaml(rulesYaml: string): string {
  if (/^leavers:/m.test(rulesYaml)) throw new Error("the generated rules already have a leavers section");
  return `${rulesYaml.trimEnd()}\nleavers:\n  revokeSessions: scp\n`;
}

/**
 * Suspends the `count` people who reach the most accounts (through their groups' and their own
 * assignments), ties broken by name: the leavers whose deny matters most.
 */
export function suspendLeavers(
  snapshot: DirectorySnapshot,
  desired: Pick<DesiredState, "groups" | "assignments">,
  count: number,
): { snapshot: DirectorySnapshot; leavers: string[] } {
  const groupAccounts = new Map<string, Set<string>>();
  const accounts = new Map<string, Set<string>>();
  const reach = (map: Map<string, Set<string>>, key: string, accountId: string) => {
    const set = map.get(key) ?? new Set<string>();
    set.add(accountId);
    map.set(key, set);
  };
  for (const assignment of desired.assignments) {
    if (assignment.principalType === "GROUP")
      reach(groupAccounts, assignment.principalName, assignment.accountId);
    else reach(accounts, assignment.principalName, assignment.accountId);
  }
  for (const group of desired.groups)
    for (const member of group.members)
      for (const accountId of groupAccounts.get(group.displayName) ?? [])
        reach(accounts, member.userName, accountId);
  const leavers = [...accounts]
    .sort(([a, x], [b, y]) => y.size - x.size || (a < b ? -1 : 1))
    .slice(0, count)
    .map(([userName]) => userName);
  if (leavers.length < count)
    throw new Error(`the synthetic organisation has ${leavers.length} people with access, not ${count}`);
  const leaving = new Set(leavers.map((userName) => userName.toLowerCase()));
  return {
    snapshot: {
      ...snapshot,
      users: snapshot.users.map((user) =>
        leaving.has(user.primaryEmail.toLowerCase()) ? { ...user, suspended: true } : user,
      ),
    },
    leavers,
  };
}

export interface RevocationTimes {
  /** Organizations calls by operation (the deny's reads and writes). */
  organizationsCalls: CallCounts;
  /** From the run's first API request to the response to its last Organizations write: the deny in force. */
  denyInForceSeconds: number | undefined;
  /** From the run's first API request to the response to its last Identity Center removal (or status poll). */
  lastRemovalSeconds: number | undefined;
  /** The Organizations calls alone at the adapter's real rate (5/s), serially. */
  organizationsSecondsAtRealLimits: number;
}

const organizationsWrite = /^AWSOrganizationsV\d+\.(CreatePolicy|UpdatePolicy|AttachPolicy)$/;
const identityCenterRemoval =
  /^(AWSIdentityStore|SWBExternalService)\.(Delete\w+|DescribeAccountAssignmentDeletionStatus)$/;

/** The times the probe saw (per X-Amz-Target, the last response), as seconds from the first request. */
export function revocationTimes(
  probe: { firstRequestMs?: number; lastResponseByTarget?: Record<string, number> },
  calls: CallCounts,
  rates: RateTable,
): RevocationTimes {
  const since = (pattern: RegExp) => {
    const times = Object.entries(probe.lastResponseByTarget ?? {})
      .filter(([target]) => pattern.test(target))
      .map(([, ms]) => ms);
    if (times.length === 0 || probe.firstRequestMs === undefined) return undefined;
    return (Math.max(...times) - probe.firstRequestMs) / 1000;
  };
  const organizationsCalls = Object.fromEntries(
    Object.entries(calls).filter(([key]) => key.startsWith("organizations:")),
  );
  return {
    organizationsCalls,
    denyInForceSeconds: since(organizationsWrite),
    lastRemovalSeconds: since(identityCenterRemoval),
    organizationsSecondsAtRealLimits: serialSeconds(organizationsCalls, rates),
  };
}
