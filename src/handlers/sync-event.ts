/**
 * What can invoke the sync function: the EventBridge schedule, or a person with a manual payload
 * `{"mode": "plan" | "apply", "allowDeletions"?: number, "subjects"?: ["person:EMAIL", ...]}`. A payload that is neither comes back with
 * every problem listed, and nothing runs.
 */
import { z } from "zod";
import { parseSubject, type SyncSubject } from "../sync/run-scope.js";

export type SyncTrigger = "schedule" | "manual";

export interface SyncRequest {
  trigger: SyncTrigger;
  /**
   * `plan`: read and plan only. `apply`: enforce (a scheduled run follows `sync.mode` in the rules).
   * `report`: detect drift and alert, change nothing.
   */
  mode: "plan" | "apply" | "report";
  allowDeletions?: number;
  /** A targeted run about these people and groups (README "Targeted runs"); absent: a full run. */
  subjects?: SyncSubject[];
}

export type ParsedSyncEvent = { ok: true; request: SyncRequest } | { ok: false; problems: string[] };

/** The example a person can copy when their payload was wrong. */
export const manualPayloadExample =
  '{"mode":"plan"}, {"mode":"report"} or {"mode":"apply","allowDeletions":5}';

const scheduledEventSchema = z.looseObject({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
});

const manualPayloadSchema = z.strictObject({
  mode: z.enum(["plan", "apply", "report"], { error: 'mode must be "plan", "apply" or "report"' }),
  allowDeletions: z
    .number({ error: "allowDeletions must be a number" })
    .int({ error: "allowDeletions must be a whole number" })
    .min(0, { error: "allowDeletions must be 0 or more" })
    .optional(),
  // Each as `idc-sync --subject` takes it ("person:mei@example.com"); read by parseSubject below.
  subjects: z
    .array(z.string({ error: 'each subject is a string such as "person:mei@example.com"' }), {
      error: 'subjects must be a list such as ["person:mei@example.com"]',
    })
    .min(1, { error: "subjects must name at least one person or group" })
    .optional(),
});

/**
 * Reads an invocation event. A scheduled event is an apply (the schedule is what keeps Identity Center
 * converged); a manual payload says its own mode.
 */
export function parseSyncEvent(event: unknown): ParsedSyncEvent {
  if (scheduledEventSchema.safeParse(event).success) {
    return { ok: true, request: { trigger: "schedule", mode: "apply" } };
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return {
      ok: false,
      problems: [`the event must be a JSON object such as ${manualPayloadExample}, not ${describe(event)}`],
    };
  }
  const parsed = manualPayloadSchema.safeParse(event);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => formatIssue(issue, event)) };
  }
  const { mode, allowDeletions } = parsed.data;
  const subjects = (parsed.data.subjects ?? []).map(parseSubject);
  const problems = subjects.flatMap((subject) =>
    "problem" in subject ? [`subjects: ${subject.problem}`] : [],
  );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      trigger: "manual",
      mode,
      ...(allowDeletions === undefined ? {} : { allowDeletions }),
      ...(subjects.length === 0
        ? {}
        : { subjects: subjects.flatMap((subject) => ("subject" in subject ? [subject.subject] : [])) }),
    },
  };
}

function formatIssue(issue: z.core.$ZodIssue, event: object): string {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => `"${key}"`).join(", ");
    return `unknown field${issue.keys.length === 1 ? "" : "s"} ${keys}: only "mode", "allowDeletions" and "subjects" are read`;
  }
  const field = issue.path.join(".");
  if (issue.path.length === 1 && !(String(issue.path[0]) in event))
    return `${field} is required: "plan", "apply" or "report"`;
  const value = (event as Record<string, unknown>)[field];
  // Our messages already name the field; add the value the person sent so the mistake is visible.
  return `${issue.message}, got ${JSON.stringify(value)}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
