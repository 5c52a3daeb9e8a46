/**
 * Executes a plan through the `IdentityCenter` port. Phases follow `changeKindOrder`; inside a phase,
 * changes run concurrently. A failure is recorded, never thrown: changes that depend on it are skipped,
 * independent ones go on, and a re-run converges.
 */

import type {
  ApplyReport,
  Change,
  ChangeKind,
  ChangeOutcome,
  CreateUser,
  IdentityCenterChange,
  RevocationPolicyChange,
  UpdateUser,
} from "./model.js";
import {
  changeKindOrder,
  OutcomeStatus,
  PrincipalType,
  revocationPolicyKinds,
  settledByDependencies,
} from "./model.js";
import type { IdentityCenter, RevocationPolicies } from "./ports.js";
import { userKey } from "./scope.js";

export interface ApplyOptions {
  /** Changes in flight at once within a phase. Default 8. */
  concurrency?: number;
  /** Asked before each change starts; once false, nothing new starts and the rest are `notStarted`. */
  shouldContinue?: () => boolean;
  /** Called once per change as its outcome is known (applied, failed, skipped or not started). */
  onOutcome?: (outcome: ChangeOutcome, change: Change) => void;
  /** Writes the kill switch's SCPs; a plan with SCP changes and no writer fails those changes. */
  revocationPolicies?: RevocationPolicies;
}

export const defaultApplyConcurrency = 8;

/**
 * Applies `plan` in dependency order and reports one outcome per change, in plan order. Never throws
 * because a change failed: the failure is in the report, and whatever depended on it is `skipped` with
 * `blockedBy` naming the failed changes.
 */
export async function applyPlan(
  plan: { changes: readonly Change[] },
  identityCenter: IdentityCenter,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultApplyConcurrency));
  const shouldContinue = options.shouldContinue ?? (() => true);
  const dependencies = dependenciesOf(plan.changes);
  const outcomes = new Map<string, ChangeOutcome>();
  let stopped = false;

  const record = (change: Change, outcome: ChangeOutcome) => {
    outcomes.set(change.key, outcome);
    options.onOutcome?.(outcome, change);
  };

  const run = async (change: Change): Promise<void> => {
    const base = { key: change.key, kind: change.kind };
    const blockedBy = new Set<string>();
    let waitingOnUnstarted = false;
    for (const dependency of dependencies.get(change.key) ?? []) {
      const outcome = outcomes.get(dependency);
      if (outcome?.status === OutcomeStatus.failed) blockedBy.add(dependency);
      else if (outcome?.status === OutcomeStatus.skipped)
        for (const root of outcome.blockedBy ?? []) blockedBy.add(root);
      else if (outcome?.status === OutcomeStatus.notStarted) waitingOnUnstarted = true;
    }
    if (blockedBy.size > 0) {
      record(change, { ...base, status: OutcomeStatus.skipped, blockedBy: [...blockedBy].sort() });
      return;
    }
    if (stopped || waitingOnUnstarted || !shouldContinue()) {
      stopped = true;
      record(change, { ...base, status: OutcomeStatus.notStarted });
      return;
    }
    if (settledByDependencies.has(change.kind)) {
      // A person's deny: written by its dependencies, which all succeeded. Known gaps make it fail.
      const problems = "problems" in change ? (change.problems ?? []) : [];
      record(
        change,
        problems.length > 0
          ? { ...base, status: OutcomeStatus.failed, error: problems.join("; ") }
          : { ...base, status: OutcomeStatus.applied },
      );
      return;
    }
    try {
      if (revocationPolicyKinds.has(change.kind)) {
        if (options.revocationPolicies === undefined) {
          throw new Error("no AWS Organizations client to write service control policies with");
        }
        await options.revocationPolicies.apply(change as RevocationPolicyChange);
      } else {
        await identityCenter.applyChange(change as IdentityCenterChange);
      }
      record(change, { ...base, status: OutcomeStatus.applied });
    } catch (error) {
      record(change, { ...base, status: OutcomeStatus.failed, error: errorMessage(error) });
    }
  };

  for (const phase of phasesOf(plan.changes)) {
    let next = 0;
    const worker = async () => {
      while (next < phase.length) {
        const change = phase[next++];
        if (change !== undefined) await run(change);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, phase.length) }, worker));
  }

  const ordered = plan.changes.map((change) => outcomes.get(change.key)).filter((o) => o !== undefined);
  const count = (status: OutcomeStatus) => ordered.filter((o) => o.status === status).length;
  return {
    outcomes: ordered,
    applied: count(OutcomeStatus.applied),
    failed: count(OutcomeStatus.failed),
    skipped: count(OutcomeStatus.skipped),
    notStarted: count(OutcomeStatus.notStarted),
  };
}

/**
 * Changes grouped by kind in `changeKindOrder`, keeping the plan's order inside each group. New users
 * come in waves, managers before the people who report to them, because Identity Center refers to a
 * manager by user id and that id exists only once the manager is created. A rename that frees a
 * userName someone new is created under (an address reused after its owner was renamed in Google) runs
 * before the creations, since userNames are unique.
 */
function phasesOf(changes: readonly Change[]): Change[][] {
  const byKind = new Map<ChangeKind, Change[]>(changeKindOrder.map((kind) => [kind, []]));
  const freeing = freeingRenames(changes);
  for (const change of changes) if (!freeing.has(change.key)) byKind.get(change.kind)?.push(change);
  const freeingPhase = changes.filter((change) => freeing.has(change.key)) as UpdateUser[];
  return [...byKind.entries()]
    .flatMap(([kind, phase]) =>
      kind === "createUser"
        ? [...renameWaves(freeingPhase), ...managerWaves(phase as CreateUser[])]
        : kind === "updateUser"
          ? renameWaves(phase as UpdateUser[])
          : [phase],
    )
    .filter((phase) => phase.length > 0);
}

/** Keys of the renames whose old userName a createUser of the same plan takes. */
function freeingRenames(changes: readonly Change[]): Set<string> {
  const created = new Set(
    changes.flatMap((change) => (change.kind === "createUser" ? [userKey(change.user.userName)] : [])),
  );
  const keys = new Set<string>();
  for (const change of changes) {
    if (isRename(change) && created.has(userKey(change.userName))) keys.add(change.key);
  }
  return keys;
}

function isRename(change: Change): change is UpdateUser {
  return change.kind === "updateUser" && userKey(change.userName) !== userKey(change.user.userName);
}

/**
 * Updates in waves: a rename to a userName another rename gives up waits for it (userNames are
 * unique). A cycle (two people swapping addresses) cannot be ordered; its renames share a wave.
 */
function renameWaves(updates: UpdateUser[]): Change[][] {
  const freeing = new Map(updates.filter(isRename).map((change) => [userKey(change.userName), change]));
  const depths = new Map<string, number>();
  const depthOf = (change: UpdateUser, visiting: Set<string>): number => {
    const known = depths.get(change.key);
    if (known !== undefined) return known;
    const before = isRename(change) ? freeing.get(userKey(change.user.userName)) : undefined;
    const depth =
      before === undefined || visiting.has(change.key)
        ? 0
        : 1 + depthOf(before, new Set([...visiting, change.key]));
    depths.set(change.key, depth);
    return depth;
  };
  const waves = new Map<number, Change[]>();
  for (const change of updates) {
    const depth = depthOf(change, new Set());
    const wave = waves.get(depth);
    if (wave) wave.push(change);
    else waves.set(depth, [change]);
  }
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([, wave]) => wave);
}

function managerWaves(creations: CreateUser[]): Change[][] {
  const byUserName = new Map(creations.map((change) => [userKey(change.user.userName), change]));
  const depths = new Map<string, number>();
  const depthOf = (change: CreateUser, visiting: Set<string>): number => {
    const name = userKey(change.user.userName);
    const known = depths.get(name);
    if (known !== undefined) return known;
    const manager = change.user.enterprise?.manager;
    const managerCreation = manager === undefined ? undefined : byUserName.get(userKey(manager));
    // A cycle of managers (bad data) cannot be ordered; its members simply go in the first wave.
    const depth =
      managerCreation === undefined || visiting.has(name)
        ? 0
        : 1 + depthOf(managerCreation, new Set([...visiting, name]));
    depths.set(name, depth);
    return depth;
  };
  const waves = new Map<number, Change[]>();
  for (const change of creations) {
    const depth = depthOf(change, new Set());
    const wave = waves.get(depth);
    if (wave) wave.push(change);
    else waves.set(depth, [change]);
  }
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([, wave]) => wave);
}

/**
 * For each change, the keys of the changes in the same plan that must have succeeded first. Only
 * real dependencies: a change whose prerequisite failed would fail too, or (for deleteUser,
 * deleteGroup, deletePermissionSet) would leave access or orphans behind.
 */
export function dependenciesOf(changes: readonly Change[]): Map<string, string[]> {
  const userMakers = new Map<string, string>();
  const groupMakers = new Map<string, string>();
  const permissionSetCreators = new Map<string, string>();
  const permissionSetUpdaters = new Map<string, string>();
  const userRemovals = new Map<string, string[]>();
  /** Old lower-case userName → the rename that frees it. */
  const userNameFreers = new Map<string, string>();
  const groupRemovals = new Map<string, string[]>();
  const permissionSetRemovals = new Map<string, string[]>();

  for (const change of changes) {
    switch (change.kind) {
      case "createUser":
        userMakers.set(userKey(change.user.userName), change.key);
        break;
      case "updateUser":
        if (userKey(change.userName) !== userKey(change.user.userName)) {
          userMakers.set(userKey(change.user.userName), change.key);
          userNameFreers.set(userKey(change.userName), change.key);
        }
        break;
      case "createGroup":
        groupMakers.set(change.displayName, change.key);
        break;
      case "updateGroup":
        if (change.currentDisplayName !== change.displayName) groupMakers.set(change.displayName, change.key);
        break;
      case "createPermissionSet":
        permissionSetCreators.set(change.permissionSet.name, change.key);
        break;
      case "updatePermissionSet":
        permissionSetUpdaters.set(change.permissionSet.name, change.key);
        break;
      case "removeMember":
        push(userRemovals, userKey(change.userName), change.key);
        push(groupRemovals, change.groupName, change.key);
        break;
      case "deleteAssignment":
        if (change.assignment.principalType === PrincipalType.user) {
          push(userRemovals, userKey(change.assignment.principalName), change.key);
        } else {
          push(groupRemovals, change.assignment.principalName, change.key);
        }
        push(permissionSetRemovals, change.assignment.permissionSetName, change.key);
        break;
      default:
        break;
    }
  }

  const principalMaker = (type: PrincipalType, name: string) =>
    type === PrincipalType.user ? userMakers.get(userKey(name)) : groupMakers.get(name);

  const result = new Map<string, string[]>();
  for (const change of changes) {
    const deps: (string | undefined)[] = [];
    switch (change.kind) {
      case "addMember":
      case "removeMember":
        deps.push(userMakers.get(userKey(change.userName)), groupMakers.get(change.groupName));
        break;
      case "createAssignment":
        deps.push(
          permissionSetCreators.get(change.assignment.permissionSetName),
          principalMaker(change.assignment.principalType, change.assignment.principalName),
        );
        break;
      case "deleteAssignment":
        deps.push(principalMaker(change.assignment.principalType, change.assignment.principalName));
        break;
      case "provisionPermissionSet":
        deps.push(permissionSetUpdaters.get(change.permissionSetName));
        break;
      case "deleteUser":
        deps.push(...(userRemovals.get(userKey(change.userName)) ?? []));
        break;
      case "createUser":
        deps.push(userNameFreers.get(userKey(change.user.userName)));
        break;
      case "updateUser":
        if (isRename(change)) deps.push(userNameFreers.get(userKey(change.user.userName)));
        break;
      // A group or permission set goes only once nothing uses it: AWS leaves a deleted group's
      // memberships and assignments behind, and refuses to delete a permission set still assigned.
      case "deleteGroup":
        deps.push(...(groupRemovals.get(change.displayName) ?? []));
        break;
      case "deletePermissionSet":
        deps.push(...(permissionSetRemovals.get(change.permissionSetName) ?? []));
        break;
      case "revokeSessions":
      case "extendRevocation":
      case "endRevocation":
        deps.push(...change.heldBy);
        break;
      default:
        break;
    }
    const known = deps.filter((d): d is string => d !== undefined && d !== change.key);
    if (known.length > 0) result.set(change.key, [...new Set(known)]);
  }
  return result;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
