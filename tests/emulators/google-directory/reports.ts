/**
 * The Reports API (admin reports_v1) activity log of the Google emulator: `activities.list` with
 * paging and filters, and the activity records the directory change hooks write.
 *
 * Sources:
 * - activities.list / activities.watch in the discovery document admin:reports_v1 (shipped in
 *   @googleapis/admin; mirrored in googleapis/google-api-go-client admin/reports/v1/admin-api.json)
 * - Activity resource fields as listed in the Reports push guide:
 *   https://developers.google.com/workspace/admin/reports/v1/guides/push
 * - Event names: Admin "Group Settings" and "User Settings" appendices and the Enterprise Groups appendix
 *   (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin-group-settings,
 *   .../admin-user-settings, .../groups-enterprise).
 */
import { randomBytes } from "node:crypto";
import type { GoogleErrorSpec } from "./faults.js";

/**
 * Applications `activities.list` accepts: the `applicationName` enum of the discovery document (list).
 * The watch method accepts a shorter list; both include `admin` and `groups_enterprise`.
 */
export const listableApplications = new Set([
  "access_transparency",
  "admin",
  "calendar",
  "chat",
  "drive",
  "gcp",
  "gmail",
  "gplus",
  "groups",
  "groups_enterprise",
  "jamboard",
  "login",
  "meet",
  "mobile",
  "rules",
  "saml",
  "token",
  "user_accounts",
  "context_aware_access",
  "chrome",
  "data_studio",
  "keep",
  "vault",
  "gemini_in_workspace_apps",
  "classroom",
  "assignments",
  "cloud_search",
  "tasks",
  "data_migration",
  "meet_hardware",
  "directory_sync",
  "ldap",
  "profile",
  "access_evaluation",
]);

/** The `applicationName` enum of `activities.watch` in the discovery document. */
export const watchableApplications = new Set([
  "access_transparency",
  "admin",
  "calendar",
  "chat",
  "drive",
  "gcp",
  "gplus",
  "groups",
  "groups_enterprise",
  "jamboard",
  "login",
  "meet",
  "mobile",
  "rules",
  "saml",
  "token",
  "user_accounts",
  "context_aware_access",
  "chrome",
  "data_studio",
  "keep",
  "classroom",
]);

/** maxResults: `"default": "1000"`, `"maximum": "1000"`, `"minimum": "1"` (discovery, activities.list). */
export const activityPageSizes = { default: 1000, max: 1000 } as const;

export interface ActivityParameter {
  name: string;
  value?: string;
  boolValue?: boolean;
  intValue?: string;
  multiValue?: string[];
}

export interface ActivityEvent {
  type: string;
  name: string;
  parameters: ActivityParameter[];
}

/** An Activity resource as the push guide lists its fields. */
export interface Activity {
  kind: "admin#reports#activity";
  etag: string;
  id: { time: string; uniqueQualifier: string; applicationName: string; customerId: string };
  actor: { callerType: string; email: string; profileId: string };
  ownerDomain: string;
  ipAddress: string;
  events: ActivityEvent[];
}

export interface ActivityInput {
  applicationName: string;
  actorEmail: string;
  events: ActivityEvent[];
  /** Unix milliseconds. */
  at: number;
}

export type ReportsListResult = { status: number; body: unknown } | { error: GoogleErrorSpec };

/**
 * The event rows the change hooks write. `ADD_GROUP_MEMBER` (GROUP_SETTINGS, GROUP_EMAIL, USER_EMAIL) and
 * `add_member` (groups_enterprise, group_id, member_id, member_role, member_type, namespace) were read in
 * Google's appendices; `REMOVE_GROUP_MEMBER`, `SUSPEND_USER`, `UNSUSPEND_USER`, `CREATE_USER`,
 * `DELETE_USER` and `remove_member` follow the same pattern but their appendix rows were not read
 * (research-google-push.md §4.2 marks them [U]); a product should not depend on more than the names.
 */
export const activityEvents = {
  addGroupMember: (groupEmail: string, userEmail: string): ActivityEvent => ({
    type: "GROUP_SETTINGS",
    name: "ADD_GROUP_MEMBER",
    parameters: [
      { name: "USER_EMAIL", value: userEmail },
      { name: "GROUP_EMAIL", value: groupEmail },
    ],
  }),
  removeGroupMember: (groupEmail: string, userEmail: string): ActivityEvent => ({
    type: "GROUP_SETTINGS",
    name: "REMOVE_GROUP_MEMBER",
    parameters: [
      { name: "USER_EMAIL", value: userEmail },
      { name: "GROUP_EMAIL", value: groupEmail },
    ],
  }),
  userSetting: (name: string, userEmail: string): ActivityEvent => ({
    type: "USER_SETTINGS",
    name,
    parameters: [{ name: "USER_EMAIL", value: userEmail }],
  }),
  /** groups_enterprise rows ("type=moderator_action" is the appendix's heading for member changes). */
  enterpriseMember: (
    name: "add_member" | "remove_member",
    groupEmail: string,
    memberEmail: string,
    memberType: "user" | "group",
  ): ActivityEvent => ({
    type: "moderator_action",
    name,
    parameters: [
      { name: "group_id", value: groupEmail },
      { name: "member_id", value: memberEmail },
      { name: "member_role", value: "MEMBER" },
      { name: "member_type", value: memberType },
      { name: "namespace", value: "" },
    ],
  }),
} as const;

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2})$/;

/** The audit log: every activity recorded, newest last. */
export class ActivityLog {
  private readonly activities: Activity[] = [];
  private sequence = 0;

  constructor(private readonly customerId: string) {}

  record(input: ActivityInput): Activity {
    this.sequence += 1;
    const activity: Activity = {
      kind: "admin#reports#activity",
      etag: `"${randomBytes(12).toString("base64url")}"`,
      id: {
        time: new Date(input.at).toISOString(),
        // "Unique qualifier if multiple events have the same time."
        uniqueQualifier: String(-1 * (1_000_000_000 + this.sequence)),
        applicationName: input.applicationName,
        customerId: this.customerId,
      },
      actor: { callerType: "USER", email: input.actorEmail, profileId: profileIdFor(input.actorEmail) },
      ownerDomain: input.actorEmail.split("@")[1] ?? "",
      ipAddress: "192.0.2.10",
      events: input.events,
    };
    this.activities.push(activity);
    return activity;
  }

  all(): Activity[] {
    return [...this.activities];
  }

  /**
   * `GET admin/reports/v1/activity/users/{userKey}/applications/{applicationName}`: filters by actor
   * (`userKey`: "all", an email or a profile id), `eventName`, `startTime`/`endTime` (RFC 3339; "The
   * startTime must be before the endTime ... or the API returns an error"), pages by `maxResults`
   * (1–1000, default 1000) and `pageToken`. Newest first: the discovery document does not state the order,
   * and a reader that assumes one must not depend on the emulator's choice (research says [U]).
   */
  list(userKey: string, applicationName: string, query: URLSearchParams, now: number): ReportsListResult {
    if (!listableApplications.has(applicationName)) {
      return invalid(`Invalid value at 'application_name' (${applicationName})`);
    }
    const customer = query.get("customerId");
    // `"pattern": "C.+|my_customer"` for customerId.
    if (customer !== null && !/^(C.+|my_customer)$/.test(customer)) return invalid("Invalid customerId");
    const start = parseTime(query.get("startTime"), "startTime");
    if (typeof start === "object") return start;
    const end = parseTime(query.get("endTime"), "endTime");
    if (typeof end === "object") return end;
    if (start !== undefined && (start > now || (end !== undefined && start > end))) {
      return invalid("Start time must be before the end time and the current time");
    }
    const eventName = query.get("eventName");
    const size = pageSize(query.get("maxResults"));
    if (typeof size === "object") return size;

    const matching = this.activities
      .filter(
        (activity) =>
          activity.id.applicationName === applicationName &&
          actorMatches(activity, userKey) &&
          (eventName === null || activity.events.some((event) => event.name === eventName)) &&
          (start === undefined || Date.parse(activity.id.time) >= start) &&
          (end === undefined || Date.parse(activity.id.time) <= end),
      )
      .reverse();
    const listing = `${userKey}|${applicationName}|${eventName ?? ""}|${start ?? ""}|${end ?? ""}`;
    let offset = 0;
    const token = query.get("pageToken");
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded || decoded.listing !== listing) return invalid("Invalid page token");
      offset = decoded.offset;
    }
    const items = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? encodeToken(listing, offset + size) : undefined;
    return {
      status: 200,
      body: {
        kind: "admin#reports#activities",
        etag: `"${randomBytes(9).toString("base64url")}"`,
        ...(items.length > 0 ? { items } : {}),
        ...(next ? { nextPageToken: next } : {}),
      },
    };
  }
}

/** Whether an activity falls under a watch or list filter on the actor. */
export function actorMatches(activity: Activity, userKey: string): boolean {
  return (
    userKey === "all" ||
    activity.actor.email.toLowerCase() === userKey.toLowerCase() ||
    activity.actor.profileId === userKey
  );
}

/** A stable numeric profile id for an address, as Google's are numeric strings. */
export function profileIdFor(email: string): string {
  let hash = 1469598103934665603n;
  for (const char of email.toLowerCase()) {
    hash ^= BigInt(char.codePointAt(0)!);
    hash = (hash * 1099511628211n) % 10n ** 21n;
  }
  return (10n ** 20n + (hash % 9n ** 20n)).toString();
}

function parseTime(value: string | null, field: string): number | undefined | { error: GoogleErrorSpec } {
  if (value === null) return undefined;
  if (!rfc3339.test(value)) return invalid(`Invalid value for ${field}: ${value}`);
  return Date.parse(value);
}

function pageSize(raw: string | null): number | { error: GoogleErrorSpec } {
  if (raw === null) return activityPageSizes.default;
  const parsed = Number(raw);
  // The discovery document's range; the emulator refuses values outside it rather than clamping.
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > activityPageSizes.max) {
    return invalid(`Invalid value '${raw}'. Values must be within the range: [1, ${activityPageSizes.max}]`);
  }
  return parsed;
}

function encodeToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify([listing, offset])).toString("base64url");
}

function decodeToken(raw: string): { listing: string; offset: number } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (!Array.isArray(value) || typeof value[0] !== "string" || !Number.isInteger(value[1]))
      return undefined;
    return { listing: value[0], offset: value[1] as number };
  } catch {
    return undefined;
  }
}

function invalid(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "invalid", message, domain: "global" } };
}
