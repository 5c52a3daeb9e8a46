/**
 * What each person a plan creates will be able to reach: the accounts and permission sets of their
 * groups' assignments and their own. Computed while the desired state is at hand (it is dropped before
 * the apply), for the welcome message; only the plan's new users are kept, so it stays small. Pure.
 */
import { compareStrings } from "./keys.js";
import type { DesiredState, Plan } from "./model.js";
import { PrincipalType } from "./model.js";
import { userKey } from "./scope.js";

export interface JoinerGrant {
  accountId: string;
  permissionSetName: string;
}

export interface JoinerAccess {
  userName: string;
  email: string;
  givenName: string;
  displayName: string;
  grants: JoinerGrant[];
}

/** The access of every user the plan creates, by lower-case userName. */
export function joinerAccess(
  plan: Pick<Plan, "changes">,
  desired: DesiredState,
): Record<string, JoinerAccess> {
  const created = plan.changes.flatMap((change) => (change.kind === "createUser" ? [change.user] : []));
  if (created.length === 0) return {};
  const groupsOf = new Map<string, string[]>();
  for (const group of desired.groups) {
    for (const member of group.members) {
      const key = userKey(member.userName);
      groupsOf.set(key, [...(groupsOf.get(key) ?? []), group.displayName]);
    }
  }
  const byGroup = new Map<string, JoinerGrant[]>();
  const byUser = new Map<string, JoinerGrant[]>();
  for (const assignment of desired.assignments) {
    const grant = { accountId: assignment.accountId, permissionSetName: assignment.permissionSetName };
    const index = assignment.principalType === PrincipalType.group ? byGroup : byUser;
    const key =
      assignment.principalType === PrincipalType.group
        ? assignment.principalName
        : userKey(assignment.principalName);
    index.set(key, [...(index.get(key) ?? []), grant]);
  }
  const access: Record<string, JoinerAccess> = {};
  for (const user of created) {
    const key = userKey(user.userName);
    const grants = [
      ...(byUser.get(key) ?? []),
      ...(groupsOf.get(key) ?? []).flatMap((group) => byGroup.get(group) ?? []),
    ];
    const unique = new Map(grants.map((grant) => [`${grant.accountId}|${grant.permissionSetName}`, grant]));
    access[key] = {
      userName: user.userName,
      email: user.email,
      givenName: user.givenName,
      displayName: user.displayName,
      grants: [...unique.values()].sort(
        (a, b) =>
          compareStrings(a.accountId, b.accountId) ||
          compareStrings(a.permissionSetName, b.permissionSetName),
      ),
    };
  }
  return access;
}
