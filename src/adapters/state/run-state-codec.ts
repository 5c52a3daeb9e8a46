/**
 * The run state and run records as stored JSON, checked on the way in: a state written by another
 * version or damaged by hand is an error that names the store, never a silently empty state (which
 * would forget open drift and make the next run blind to it).
 */
import { z } from "zod";
import { StateStoreError } from "../../sync/errors.js";
import type { RunRecord, RunState } from "../../sync/run-state.js";

const openDriftSchema = z.object({
  key: z.string(),
  kind: z.string(),
  summary: z.string(),
  reason: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  lastAlertAt: z.string().optional(),
});

const ownedObjectSchema = z.object({
  rule: z.string().optional(),
  origin: z.enum(["created", "adopted"]),
});

const ownershipSchema = z.object({
  groups: z.record(z.string(), ownedObjectSchema),
  permissionSets: z.record(z.string(), ownedObjectSchema),
  users: z.record(z.string(), z.object({ userId: z.string().optional(), userName: z.string() })),
});

const driftItemSchema = z.object({
  key: z.string(),
  kind: z.string(),
  summary: z.string(),
  reason: z.string(),
  firstSeenAt: z.string(),
  status: z.enum(["reverted", "open"]),
});

const runStateSchema = z.object({
  version: z.literal(1),
  applied: z
    .object({ digests: z.record(z.string(), z.string()), runId: z.string(), at: z.string() })
    .optional(),
  drift: z.record(z.string(), openDriftSchema),
  pendingDriftAlerts: z.array(driftItemSchema).optional(),
  health: z.object({
    status: z.enum(["ok", "failing"]),
    since: z.string(),
    failedRuns: z.number().int().min(0),
  }),
  ownership: ownershipSchema.optional(),
  externallyProvisionedReported: z.array(z.string()).optional(),
  revocationNames: z.record(z.string(), z.string()).optional(),
  managedObjects: z.number().int().min(0).optional(),
  knownGroups: z
    .array(z.object({ id: z.string(), displayName: z.string(), description: z.string().optional() }))
    .optional(),
  slackThreads: z
    .record(z.string(), z.object({ channel: z.string(), ts: z.string(), at: z.string() }))
    .optional(),
  approval: z
    .object({
      requested: z
        .object({ digest: z.string(), removals: z.number(), runId: z.string(), at: z.string() })
        .optional(),
      decision: z
        .object({
          digest: z.string(),
          verdict: z.enum(["approved", "rejected"]),
          by: z.string(),
          byName: z.string().optional(),
          at: z.string(),
        })
        .optional(),
    })
    .optional(),
});

const runRecordSchema = z.looseObject({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  trigger: z.enum(["schedule", "manual", "cli", "slack"]),
  mode: z.enum(["enforce", "report"]),
  status: z.enum(["applied", "reported", "blocked", "partial", "failed", "invalid", "approved", "rejected"]),
});

/** Parses a stored run state; `where` names the store in the error. */
export function parseRunState(value: unknown, where: string): RunState {
  const parsed = runStateSchema.safeParse(value);
  if (!parsed.success) {
    throw new StateStoreError(
      `${where} does not hold an idc-sync run state (${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; ")}); move it aside to start afresh`,
    );
  }
  return parsed.data as RunState;
}

/** Parses a stored run record. */
export function parseRunRecord(value: unknown, where: string): RunRecord {
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) throw new StateStoreError(`${where} holds a run record idc-sync cannot read`);
  return parsed.data as RunRecord;
}
