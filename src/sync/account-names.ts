/**
 * Account names for the people who read a plan: the organization knows them, the plan's changes carry
 * only ids. Pure.
 */
import { compareStrings } from "./keys.js";
import type { AwsAccount, Change, Plan } from "./model.js";

/**
 * The plan with `accountNames` set for every account its changes (and held-back removals) name that
 * the organization knows; the plan itself when there is none.
 */
export function withAccountNames(plan: Plan, accounts: readonly Pick<AwsAccount, "id" | "name">[]): Plan {
  const named = new Map(accounts.filter((account) => account.name !== "").map((a) => [a.id, a.name]));
  const ids = new Set<string>();
  for (const change of [...plan.changes, ...(plan.heldBack?.changes ?? [])])
    for (const id of accountIdsOf(change)) if (named.has(id)) ids.add(id);
  if (ids.size === 0) return plan;
  const accountNames = Object.fromEntries(
    [...ids].sort(compareStrings).map((id) => [id, named.get(id)!] as const),
  );
  return { ...plan, accountNames };
}

/** `core-prod (222222222222)` when the name is known, else the id alone. */
export function accountLabel(accountId: string, names: Readonly<Record<string, string>> | undefined): string {
  const name = names?.[accountId];
  return name === undefined ? accountId : `${name} (${accountId})`;
}

function accountIdsOf(change: Change): string[] {
  switch (change.kind) {
    case "createAssignment":
    case "deleteAssignment":
      return [change.assignment.accountId];
    case "provisionPermissionSet":
      return change.accountIds;
    default:
      return [];
  }
}
