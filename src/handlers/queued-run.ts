/**
 * What the queue consumer runs for one batch: the same invocation as the scheduled sync, so a queued run
 * has the scheduled run's rules, guards, run state, history and alerts.
 */
import type { SyncScope } from "../sync/run-scope.js";
import {
  handleSyncInvocation,
  type LambdaContextLike,
  type SyncHandlerDependencies,
  type SyncInvocationResult,
} from "./sync-invocation.js";

/** A queued run is the scheduled run: it follows the rules' sync.mode (enforce or report). */
export const queuedRunEvent = { source: "aws.events", "detail-type": "Scheduled Event" } as const;

/**
 * Runs one batch's scope. The engine on this branch plans the whole directory; a targeted batch runs in
 * full, which covers its subjects (slower, same result) until the targeted engine is wired here.
 */
export async function runQueuedScope(
  scope: SyncScope,
  context: LambdaContextLike,
  deps: SyncHandlerDependencies,
): Promise<SyncInvocationResult> {
  if (scope.kind === "targeted") {
    deps.logger.info("targeted batch runs as a full run", { subjects: scope.subjects.length });
  }
  return handleSyncInvocation(queuedRunEvent, context, deps);
}
