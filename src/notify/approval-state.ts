/**
 * Approvals of stopped plans across runs. Pure.
 *
 * A run stopped by the maxDeletions guard records the digest of its removals as `requested`; the Slack
 * endpoint records a person's decision on exactly that digest. The next run hands an approved digest to
 * the guards, which let the plan through only if its removals have that very digest; a plan that changed
 * in between is stopped and asked about again. An approval is used once: the run that applies it clears
 * it.
 */
import type { GuardViolation } from "../sync/guards.js";
import type { Plan } from "../sync/model.js";
import type { ApprovalRequest } from "../sync/notices.js";
import { removalsDigest, removalsOf } from "../sync/plan-digest.js";
import { describeChange } from "../sync/render.js";
import type { PlanApproval, RunState } from "../sync/run-state.js";

/** Only the maxDeletions guard can be approved: an empty directory read is never trusted. */
export function isApprovable(violations: readonly GuardViolation[]): boolean {
  return violations.length > 0 && violations.every((violation) => violation.guard === "maxDeletions");
}

/** The digest the next run may apply: an approval not yet used, whatever plan it was for. */
export function approvedDigest(state: Pick<RunState, "approval"> | undefined): string | undefined {
  const decision = state?.approval?.decision;
  return decision?.verdict === "approved" ? decision.digest : undefined;
}

/** What a blocked notice offers: the removals, their digest, and the earlier decision when it matters. */
export function approvalRequestFor(
  plan: Plan,
  violations: readonly GuardViolation[],
  previous: Pick<RunState, "approval">,
): ApprovalRequest | undefined {
  if (!isApprovable(violations)) return undefined;
  const digest = removalsDigest(plan);
  const decision = previous.approval?.decision;
  return {
    digest,
    removals: removalsOf(plan).map((change) => ({
      key: change.key,
      summary: describeChange(change, plan.accountNames),
      reason: change.reason,
    })),
    ...(decision?.verdict === "rejected" && decision.digest === digest
      ? { rejected: { by: decision.by, at: decision.at } }
      : {}),
    ...(decision?.verdict === "approved" && decision.digest !== digest
      ? { superseded: { by: decision.by, at: decision.at, digest: decision.digest } }
      : {}),
  };
}

/** How a run ended, as far as approvals care. */
export type ApprovalOutcome =
  | { kind: "blocked"; plan: Plan; violations: readonly GuardViolation[]; runId: string; at: string }
  | { kind: "applied"; plan: Plan }
  | { kind: "other" };

/** The approval state after a run. */
export function approvalAfter(
  previous: PlanApproval | undefined,
  outcome: ApprovalOutcome,
): PlanApproval | undefined {
  switch (outcome.kind) {
    case "blocked": {
      if (!isApprovable(outcome.violations)) return previous;
      const digest = removalsDigest(outcome.plan);
      const decision = previous?.decision?.digest === digest ? previous.decision : undefined;
      return {
        requested: {
          digest,
          removals: removalsOf(outcome.plan).length,
          runId: outcome.runId,
          at: outcome.at,
        },
        ...(decision ? { decision } : {}),
      };
    }
    case "applied":
      // Applied (with the approval or without a stop): nothing waits for a decision any more.
      return undefined;
    default:
      return previous;
  }
}

/** The history line of a run that applied approved removals. */
export function approvalUsedMessage(previous: PlanApproval | undefined, plan: Plan): string | undefined {
  const decision = previous?.decision;
  if (decision?.verdict !== "approved" || decision.digest !== removalsDigest(plan)) return undefined;
  return `applied ${removalsOf(plan).length} removals approved in Slack by ${decision.byName ?? decision.by} (${decision.by}) at ${decision.at} (plan ${decision.digest})`;
}
