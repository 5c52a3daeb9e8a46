/**
 * What travels on the one FIFO queue every write goes through, and how a batch of it becomes one run.
 *
 * Three bodies arrive:
 * - `{"kind":"full", ...}`: the schedule's backstop run (an EventBridge rule puts it there) or a person's.
 * - `{"kind":"targeted","subjects":[...]}`: what the Google push receiver enqueues, identifiers only.
 * - an EventBridge "AWS API Call via CloudTrail" event, as the drift rule delivers it unchanged.
 *
 * A batch becomes one run: any full message makes it a full run (which covers every subject), else the
 * subjects of every message, each once (100 events for one person → one targeted run of one subject).
 */
import { z } from "zod";
import { coalesceSubjects, type SyncScope, type SyncSubject } from "../sync/run-scope.js";
import { cloudTrailDetailType, readCloudTrailEvent } from "./cloudtrail.js";

/** The one message group: every run is serialised behind the one before it. */
export const syncMessageGroupId = "idc-sync";

export type QueueMessage =
  | { kind: "full"; trigger: "schedule" | "manual"; at?: string }
  | { kind: "targeted"; origin: "google-push" | "cloudtrail"; subjects: SyncSubject[] };

const subjectSchema = z.union([
  z.strictObject({ kind: z.literal("person"), email: z.string().min(3).max(320) }),
  z.strictObject({ kind: z.literal("group"), email: z.string().min(3).max(320) }),
  z.strictObject({ kind: z.literal("person"), googleId: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal("person"), identityCenterUserId: z.string().min(1).max(47) }),
  z.strictObject({ kind: z.literal("group"), identityCenterGroupId: z.string().min(1).max(47) }),
  z.strictObject({ kind: z.literal("permissionSet"), permissionSetArn: z.string().min(1).max(1224) }),
]);

const messageSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("full"),
    trigger: z.enum(["schedule", "manual"]),
    at: z.string().max(64).optional(),
  }),
  z.strictObject({
    kind: z.literal("targeted"),
    origin: z.enum(["google-push", "cloudtrail"]),
    // A queue message is at most 256 KiB; a burst is many messages, not one huge one.
    subjects: z.array(subjectSchema).min(1).max(100),
  }),
]);

/** A message body for the queue (the receiver's, or a person's `aws sqs send-message`). */
export function encodeQueueMessage(message: QueueMessage): string {
  return JSON.stringify(message);
}

export type ReadMessage =
  | { ok: true; scope: SyncScope; origin: string }
  | { ok: true; scope: undefined; origin: string; ignored: string }
  | { ok: false; problem: string };

/** Reads one message body: a full run, some subjects, nothing to do (said why), or a malformed body. */
export function readQueueMessage(body: string): ReadMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, problem: "the message body is not JSON" };
  }
  if (
    typeof raw === "object" &&
    raw !== null &&
    (raw as Record<string, unknown>)["detail-type"] === cloudTrailDetailType
  ) {
    const read = readCloudTrailEvent(raw);
    if (!read.ok) return { ok: false, problem: read.problem };
    const origin = `cloudtrail:${read.eventSource}:${read.eventName}`;
    if (read.effect.kind === "ignored")
      return { ok: true, scope: undefined, origin, ignored: read.effect.reason };
    if (read.effect.kind === "full") return { ok: true, scope: { kind: "full" }, origin };
    return { ok: true, scope: { kind: "targeted", subjects: read.effect.subjects }, origin };
  }
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problem: parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
        .join("; "),
    };
  }
  const message = parsed.data;
  if (message.kind === "full")
    return { ok: true, scope: { kind: "full" }, origin: `full:${message.trigger}` };
  return { ok: true, scope: { kind: "targeted", subjects: message.subjects }, origin: message.origin };
}

export interface BatchRecord {
  messageId: string;
  body: string;
}

export interface BatchPlan {
  /** The one run this batch asks for, or none (every message ignored or malformed). */
  scope: SyncScope | undefined;
  /** How many messages asked for what, for the log. */
  counts: { full: number; targeted: number; ignored: number; malformed: number };
  /** Messages that named nothing to do, with why. */
  ignored: { messageId: string; origin: string; reason: string }[];
  /**
   * Messages that cannot be read. They are acknowledged, not retried: a body that cannot be read never
   * will be, and a FIFO group would stay blocked behind it until the dead-letter queue took it. Nothing
   * is lost by dropping them: the next scheduled full run converges whatever they meant.
   */
  malformed: { messageId: string; problem: string }[];
}

/** One run for a whole batch: full when any message asks for it, else every subject once. */
export function planBatch(records: readonly BatchRecord[]): BatchPlan {
  const subjects: SyncSubject[] = [];
  const plan: BatchPlan = {
    scope: undefined,
    counts: { full: 0, targeted: 0, ignored: 0, malformed: 0 },
    ignored: [],
    malformed: [],
  };
  let full = false;
  for (const record of records) {
    const read = readQueueMessage(record.body);
    if (!read.ok) {
      plan.counts.malformed += 1;
      plan.malformed.push({ messageId: record.messageId, problem: read.problem });
    } else if (read.scope === undefined) {
      plan.counts.ignored += 1;
      plan.ignored.push({ messageId: record.messageId, origin: read.origin, reason: read.ignored });
    } else if (read.scope.kind === "full") {
      plan.counts.full += 1;
      full = true;
    } else {
      plan.counts.targeted += 1;
      subjects.push(...read.scope.subjects);
    }
  }
  if (full) plan.scope = { kind: "full" };
  else if (subjects.length > 0) plan.scope = { kind: "targeted", subjects: coalesceSubjects(subjects) };
  return plan;
}
