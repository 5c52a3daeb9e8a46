/**
 * Counting a plan the way people read it: "Plan: 5 to add, 2 to change, 3 to remove."
 */
import type { ChangeKind, Plan } from "./model.js";
import { changeKindOrder } from "./model.js";

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
  byKind: Record<ChangeKind, number>;
}

/** Which of add / change / remove each kind counts as. Provisioning is a change to what accounts run. */
export const changeKindFamily = {
  createUser: "add",
  createGroup: "add",
  addMember: "add",
  createPermissionSet: "add",
  createAssignment: "add",
  updateUser: "change",
  updateGroup: "change",
  updatePermissionSet: "change",
  provisionPermissionSet: "change",
  deleteUser: "remove",
  removeMember: "remove",
  deleteAssignment: "remove",
  deleteGroup: "remove",
  deletePermissionSet: "remove",
  revokeSessions: "add",
  extendRevocation: "change",
  endRevocation: "remove",
  createRevocationPolicy: "add",
  updateRevocationPolicy: "change",
  deleteRevocationPolicy: "remove",
} as const satisfies Record<ChangeKind, "add" | "change" | "remove">;

/** Counts the plan's changes by family and by kind (every kind present, zero when absent). */
export function summarizePlan(plan: Pick<Plan, "changes">): PlanSummary {
  const byKind = Object.fromEntries(changeKindOrder.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  const summary: PlanSummary = { add: 0, change: 0, remove: 0, byKind };
  for (const change of plan.changes) {
    byKind[change.kind] += 1;
    summary[changeKindFamily[change.kind]] += 1;
  }
  return summary;
}

/** "Plan: 5 to add, 2 to change, 3 to remove." */
export function planSummaryLine(summary: PlanSummary): string {
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.remove} to remove.`;
}
