/**
 * Google push notifications, read: the headers of a Directory API `users.watch` or Reports API
 * `activities.watch` notification, and the identifiers of the person or group it is about.
 *
 * Sources: the Directory push guide (https://developers.google.com/workspace/admin/directory/v1/guides/push)
 * and the Reports push guide (https://developers.google.com/workspace/admin/reports/v1/guides/push):
 * - always sent: `X-Goog-Channel-ID`, `X-Goog-Message-Number`, `X-Goog-Resource-ID`,
 *   `X-Goog-Resource-State`, `X-Goog-Resource-URI`; only when set: `X-Goog-Channel-Token`,
 *   `X-Goog-Channel-Expiration`;
 * - the first message of a channel is `sync` with message number 1 ("Sync messages always have an
 *   X-Goog-Message-Number HTTP header value of 1"); later numbers grow but are not consecutive;
 * - a Directory notification's body is only `kind`, `id`, `etag` and `primaryEmail`; a Reports one, with
 *   `payload: true`, the Activity record.
 * Nothing in a notification is trusted beyond an identifier: the run re-reads the subject from Google.
 */
import type { SyncSubject } from "../sync/run-scope.js";

export type ChannelApi = "directory" | "reports";

export interface GoogleNotification {
  channelId: string;
  /** Absent when the channel was opened without one (ours never are). */
  token?: string;
  resourceId: string;
  resourceState: string;
  messageNumber: number;
}

export type ParsedNotification =
  | { ok: true; notification: GoogleNotification }
  | { ok: false; problem: string };

/** Reads the headers (names in any case). A notification without the always-sent headers is refused. */
export function parseNotificationHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): ParsedNotification {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const channelId = lower.get("x-goog-channel-id");
  const resourceId = lower.get("x-goog-resource-id");
  const resourceState = lower.get("x-goog-resource-state");
  const number = lower.get("x-goog-message-number");
  const missing = [
    ...(channelId ? [] : ["X-Goog-Channel-ID"]),
    ...(resourceId ? [] : ["X-Goog-Resource-ID"]),
    ...(resourceState ? [] : ["X-Goog-Resource-State"]),
    ...(number ? [] : ["X-Goog-Message-Number"]),
  ];
  if (missing.length > 0) return { ok: false, problem: `missing header(s) ${missing.join(", ")}` };
  const messageNumber = Number(number);
  if (!/^\d{1,19}$/.test(number as string) || !Number.isSafeInteger(messageNumber) || messageNumber < 1) {
    return { ok: false, problem: "X-Goog-Message-Number is not a positive whole number" };
  }
  // "Maximum length: 64 characters" for the id, 256 for the token (both guides).
  if ((channelId as string).length > 64) return { ok: false, problem: "X-Goog-Channel-ID longer than 64" };
  const token = lower.get("x-goog-channel-token");
  return {
    ok: true,
    notification: {
      channelId: channelId as string,
      ...(token !== undefined ? { token } : {}),
      resourceId: resourceId as string,
      resourceState: resourceState as string,
      messageNumber,
    },
  };
}

/** The Directory API's user events (the guide: "add, delete, makeAdmin, undelete, update"). */
export const directoryUserEvents = ["add", "delete", "makeAdmin", "undelete", "update"] as const;

export type NotificationSubjects = { subjects: SyncSubject[] } | { subjects: []; ignored: string };

/** The subjects one notification names, or why it names none. */
export function subjectsOfNotification(
  api: ChannelApi,
  resourceState: string,
  body: string,
): NotificationSubjects {
  if (resourceState === "sync") return { subjects: [], ignored: "the channel's sync message" };
  let parsed: unknown;
  try {
    parsed = body.trim() === "" ? undefined : JSON.parse(body);
  } catch {
    return { subjects: [], ignored: "the body is not JSON" };
  }
  if (!isObject(parsed)) return { subjects: [], ignored: "no body to name a subject" };
  return api === "directory" ? directorySubjects(resourceState, parsed) : reportsSubjects(parsed);
}

function directorySubjects(state: string, body: Record<string, unknown>): NotificationSubjects {
  if (!(directoryUserEvents as readonly string[]).includes(state)) {
    return { subjects: [], ignored: `resource state ${state} is not a user event` };
  }
  // The e-mail is what Identity Center knows a person by (userName); the id only when there is none.
  if (isEmail(body.primaryEmail))
    return { subjects: [{ kind: "person", email: body.primaryEmail.toLowerCase() }] };
  if (typeof body.id === "string" && /^\d{1,64}$/.test(body.id))
    return { subjects: [{ kind: "person", googleId: body.id }] };
  return { subjects: [], ignored: "the body names no user" };
}

/**
 * Reports activity: `admin` events carry `USER_EMAIL` and `GROUP_EMAIL` (the Admin "User Settings" and
 * "Group Settings" appendices, e.g. ADD_GROUP_MEMBER); `groups_enterprise` member events carry
 * `group_id`, `member_id` and `member_type` (the Enterprise Groups appendix, `add_member`).
 */
function reportsSubjects(activity: Record<string, unknown>): NotificationSubjects {
  const events = Array.isArray(activity.events) ? activity.events : [];
  const subjects: SyncSubject[] = [];
  for (const event of events) {
    if (!isObject(event) || !Array.isArray(event.parameters)) continue;
    const values = new Map<string, unknown>();
    for (const parameter of event.parameters) {
      if (isObject(parameter) && typeof parameter.name === "string")
        values.set(parameter.name, parameter.value);
    }
    const userEmail = values.get("USER_EMAIL");
    const groupEmail = values.get("GROUP_EMAIL");
    if (isEmail(userEmail)) subjects.push({ kind: "person", email: userEmail.toLowerCase() });
    if (isEmail(groupEmail)) subjects.push({ kind: "group", email: groupEmail.toLowerCase() });
    const group = values.get("group_id");
    const member = values.get("member_id");
    if (isEmail(group)) subjects.push({ kind: "group", email: group.toLowerCase() });
    if (isEmail(member)) {
      const email = member.toLowerCase();
      subjects.push(
        values.get("member_type") === "group" ? { kind: "group", email } : { kind: "person", email },
      );
    }
  }
  if (subjects.length === 0)
    return { subjects: [], ignored: "the activity names no user or group by e-mail" };
  return { subjects };
}

function isEmail(value: unknown): value is string {
  return typeof value === "string" && value.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
