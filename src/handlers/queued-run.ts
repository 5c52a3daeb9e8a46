/**
 * What the queue consumer runs for one batch: the same invocation as the scheduled sync, so a queued run
 * has the scheduled run's rules, guards, run state, history and alerts.
 */
import { fullScope, type SyncScope, type SyncSubject } from "../sync/run-scope.js";
import {
  handleSyncInvocation,
  type LambdaContextLike,
  type SyncHandlerDependencies,
  type SyncInvocationResult,
} from "./sync-invocation.js";

/** A queued run is the scheduled run: it follows the rules' sync.mode (enforce or report). */
export const queuedRunEvent = { source: "aws.events", "detail-type": "Scheduled Event" } as const;

/**
 * What the targeted engine plans: people by any id, and Google groups by e-mail (their members). An
 * Identity Center group or a permission set is not planned by a targeted run (README, "Targeted runs"):
 * a batch naming one runs in full.
 */
export function targetedRunCovers(subject: SyncSubject): boolean {
  return subject.kind === "person" || (subject.kind === "group" && "email" in subject);
}

/** Runs one batch's scope: targeted when the engine plans every subject, else a full run. */
export async function runQueuedScope(
  scope: SyncScope,
  context: LambdaContextLike,
  deps: SyncHandlerDependencies,
): Promise<SyncInvocationResult> {
  const targeted = scope.kind === "targeted" && scope.subjects.every(targetedRunCovers);
  if (scope.kind === "targeted" && !targeted) {
    deps.logger.info("batch names an Identity Center group or a permission set: a full run", {
      subjects: scope.subjects.length,
    });
  }
  return handleSyncInvocation(queuedRunEvent, context, { ...deps, scope: targeted ? scope : fullScope });
}
