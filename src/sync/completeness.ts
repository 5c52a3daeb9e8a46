/**
 * "Nothing is deleted from a partial Google read" by construction: every directory read says whether it
 * can vouch that it saw everything (`DirectoryCompleteness`), and a plan made from a read that cannot
 * keeps no removal at all. What it would have removed is held back, named in the plan, and planned again
 * by the next run whose read is complete. Additions and updates still go ahead: they come from what was
 * read, not from what was missing.
 */
import type { DirectoryCompleteness, Plan } from "./model.js";
import { removalKinds } from "./model.js";

/** The plan without its removals when the read is not proven complete; the plan itself otherwise. */
export function holdBackRemovals(plan: Plan, completeness: DirectoryCompleteness): Plan {
  if (completeness.proven) return plan;
  const heldBack = plan.changes.filter((change) => removalKinds.has(change.kind));
  if (heldBack.length === 0) return plan;
  return {
    ...plan,
    changes: plan.changes.filter((change) => !removalKinds.has(change.kind)),
    heldBack: { changes: heldBack, reasons: completeness.reasons },
  };
}

/** One line for people: what was held back and why. */
export function heldBackWarning(plan: Plan): string | undefined {
  if (!plan.heldBack) return undefined;
  const count = plan.heldBack.changes.length;
  return (
    `${count} removal${count === 1 ? " was" : "s were"} held back: the Google read is not proven complete ` +
    `(${plan.heldBack.reasons.join("; ")}). Nothing is removed on the word of such a read; the next run ` +
    "with a complete read plans them again."
  );
}
