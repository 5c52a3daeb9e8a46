/**
 * Push and Reports for the Google emulator, wired together: the HTTP routes of `users.watch`,
 * `activities.watch`, `activities.list` and both `channels.stop` methods, and test hooks that change the
 * directory the way an administrator would (suspend a user, add or remove a group member, ...) and
 * produce what Google would: Directory API notifications on `users.watch` channels and Reports API
 * activities (listed, and pushed to `activities.watch` channels).
 *
 * What Google pushes for what (the reason the hooks emit what they emit):
 * - "Currently, the Directory API supports notifications for changes to the Users resource." (Directory
 *   push guide), so group membership changes produce no Directory notification, only activities.
 * - Notification bodies for users hold only `kind`, `id`, `etag` and `primaryEmail` (same guide), so a
 *   receiver must call `users.get` to learn, say, that the user is now suspended.
 * - A suspension has no event of its own; it arrives as `update` (the event list has none other that
 *   fits: "add, delete, makeAdmin, undelete, update"; research-google-push.md §1 marks it [U]).
 * - Reports: admin console changes are logged under `admin`; membership changes made through the Admin
 *   console, the Admin SDK or Cloud Identity are also logged under `groups_enterprise`
 *   (https://support.google.com/a/answer/9667889: actions in "the Google Admin console, the Google Cloud
 *   console, the Admin SDK API, the Cloud Identity API, and within the Google Groups user interface").
 */
import type { IncomingMessage } from "node:http";
import type { DirectorySnapshot, SnapshotUser } from "../../../src/adapters/file/directory-snapshot.js";
import { snapshotIdFor, snapshotUserToDirectoryUser } from "../../../src/adapters/file/directory-snapshot.js";
import type { GoogleErrorSpec } from "./faults.js";
import {
  type ChannelApi,
  type DirectoryUserEvent,
  directoryUserEvents,
  type PushChannel,
  PushChannels,
  type PushDeliveryOptions,
  type PushRouteResult,
} from "./push.js";
import {
  type Activity,
  type ActivityEvent,
  ActivityLog,
  activityEvents,
  actorMatches,
  watchableApplications,
} from "./reports.js";

export interface GooglePushOptions extends PushDeliveryOptions {
  /** Who the change hooks say made the change (the activities' actor). Default admin@<first user's domain>. */
  adminEmail?: string;
}

export interface ChangeOptions {
  /**
   * false: the change happens and Directory notifications go out, but no activity is recorded, as Google
   * warns "In rare cases, events might not be reported" (https://support.google.com/a/answer/7061566).
   */
  audit?: boolean;
}

interface SnapshotAccess {
  get(): DirectorySnapshot;
  set(snapshot: DirectorySnapshot): void;
  rootUrl(): string;
  customerId: string;
}

const routes = {
  usersWatch: "/admin/directory/v1/users/watch",
  // The discovery document's path for Directory channels.stop: "admin/directory_v1/channels/stop"
  // (the guide's "https://www.googleapis.com/admin/directory_v1/channels/stop" names the old host).
  directoryStop: "/admin/directory_v1/channels/stop",
  // Reports channels.stop: "admin/reports_v1/channels/stop" (discovery admin:reports_v1).
  reportsStop: "/admin/reports_v1/channels/stop",
  activity: /^\/admin\/reports\/v1\/activity\/users\/([^/]+)\/applications\/([^/]+)(\/watch)?$/,
} as const;

/** Push channels, the activity log and the change hooks of one emulator (`emulator.push`). */
export class GooglePush {
  readonly channels: PushChannels;
  readonly activities: ActivityLog;
  private readonly admins = new Set<string>();
  private readonly deleted = new Map<string, { user: SnapshotUser; groups: string[] }>();

  constructor(
    private readonly snapshot: SnapshotAccess,
    private readonly options: GooglePushOptions = {},
  ) {
    this.channels = new PushChannels(options);
    this.activities = new ActivityLog(snapshot.customerId);
  }

  /** Whether `makeAdmin` made this user an administrator (users.get reports it as `isAdmin`). */
  isAdmin(email: string): boolean {
    return this.admins.has(email.toLowerCase());
  }

  /** Answers the push and reports routes; undefined for any other path. */
  async route(
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
  ): Promise<PushRouteResult | undefined> {
    const activity = routes.activity.exec(path);
    const isPost = req.method === "POST";
    if (path === routes.usersWatch)
      return isPost ? this.watchUsers(query, await readBody(req)) : notAllowed();
    if (path === routes.directoryStop)
      return isPost ? this.channels.stop("directory", await readBody(req)) : notAllowed();
    if (path === routes.reportsStop)
      return isPost ? this.channels.stop("reports", await readBody(req)) : notAllowed();
    if (!activity) return undefined;
    const userKey = decodeURIComponent(activity[1]!);
    const applicationName = decodeURIComponent(activity[2]!);
    if (activity[3]) {
      return isPost
        ? this.watchActivities(userKey, applicationName, query, await readBody(req))
        : notAllowed();
    }
    if (req.method !== "GET") return notAllowed();
    return this.activities.list(userKey, applicationName, query, this.channels.time());
  }

  // ─── Change hooks (what an administrator does in the Admin console) ─────────────────────────────

  /** Suspends a user: `update` on users.watch, SUSPEND_USER under `admin`. */
  suspendUser(email: string, options: ChangeOptions = {}): void {
    const user = this.updateUserRecord(email, (current) => ({ ...current, suspended: true }));
    this.emitUser("update", user);
    this.audit(options, "admin", [activityEvents.userSetting("SUSPEND_USER", user.primaryEmail)]);
  }

  /** Lifts a suspension: `update`, UNSUSPEND_USER. */
  unsuspendUser(email: string, options: ChangeOptions = {}): void {
    const user = this.updateUserRecord(email, (current) => ({ ...current, suspended: false }));
    this.emitUser("update", user);
    this.audit(options, "admin", [activityEvents.userSetting("UNSUSPEND_USER", user.primaryEmail)]);
  }

  /** Any other change to a user's fields (names, org unit, archived, ...): `update`. */
  updateUser(email: string, patch: Partial<Omit<SnapshotUser, "primaryEmail" | "id">>): void {
    const user = this.updateUserRecord(email, (current) => ({ ...current, ...patch }));
    this.emitUser("update", user);
  }

  /** Creates a user: `add`, CREATE_USER. */
  addUser(user: SnapshotUser, options: ChangeOptions = {}): void {
    const snapshot = this.snapshot.get();
    const email = user.primaryEmail.toLowerCase();
    if (snapshot.users.some((existing) => existing.primaryEmail === email)) {
      throw new Error(`addUser: ${email} exists already`);
    }
    const created = { ...user, primaryEmail: email };
    this.snapshot.set({ ...snapshot, users: [...snapshot.users, created] });
    this.emitUser("add", created);
    this.audit(options, "admin", [activityEvents.userSetting("CREATE_USER", email)]);
  }

  /** Deletes a user (and their memberships, as Google does): `delete`, DELETE_USER. */
  deleteUser(email: string, options: ChangeOptions = {}): void {
    const snapshot = this.snapshot.get();
    const user = this.requireUser(snapshot, email);
    const groups = snapshot.groups
      .filter((group) => group.members.includes(user.primaryEmail))
      .map((g) => g.email);
    this.deleted.set(user.primaryEmail, { user, groups });
    this.snapshot.set({
      ...snapshot,
      users: snapshot.users.filter((existing) => existing !== user),
      groups: snapshot.groups.map((group) => ({
        ...group,
        members: group.members.filter((member) => member !== user.primaryEmail),
      })),
    });
    this.emitUser("delete", user);
    this.audit(options, "admin", [activityEvents.userSetting("DELETE_USER", user.primaryEmail)]);
  }

  /** Restores a user deleted through `deleteUser`, memberships included: `undelete`, UNDELETE_USER. */
  undeleteUser(email: string, options: ChangeOptions = {}): void {
    const entry = this.deleted.get(email.toLowerCase());
    if (!entry) throw new Error(`undeleteUser: ${email} was not deleted here`);
    this.deleted.delete(entry.user.primaryEmail);
    const snapshot = this.snapshot.get();
    this.snapshot.set({
      ...snapshot,
      users: [...snapshot.users, entry.user],
      groups: snapshot.groups.map((group) =>
        entry.groups.includes(group.email)
          ? { ...group, members: [...group.members, entry.user.primaryEmail] }
          : group,
      ),
    });
    this.emitUser("undelete", entry.user);
    this.audit(options, "admin", [activityEvents.userSetting("UNDELETE_USER", entry.user.primaryEmail)]);
  }

  /** Grants super admin: `makeAdmin` ("user admin status change event"). No activity is recorded. */
  makeAdmin(email: string): void {
    const user = this.requireUser(this.snapshot.get(), email);
    this.admins.add(user.primaryEmail);
    this.emitUser("makeAdmin", user);
  }

  /** Adds a member to a group: no Directory notification; ADD_GROUP_MEMBER (admin) and add_member (groups_enterprise). */
  addGroupMember(groupEmail: string, memberEmail: string, options: ChangeOptions = {}): void {
    const snapshot = this.snapshot.get();
    const { group, member } = this.requireMembershipParties(snapshot, groupEmail, memberEmail);
    if (group.members.includes(member))
      throw new Error(`addGroupMember: ${member} is in ${group.email} already`);
    this.snapshot.set({
      ...snapshot,
      groups: snapshot.groups.map((g) => (g === group ? { ...g, members: [...g.members, member] } : g)),
    });
    this.auditMembership(options, "add", group.email, member, snapshot);
  }

  /** Removes a member from a group: REMOVE_GROUP_MEMBER (admin) and remove_member (groups_enterprise). */
  removeGroupMember(groupEmail: string, memberEmail: string, options: ChangeOptions = {}): void {
    const snapshot = this.snapshot.get();
    const { group, member } = this.requireMembershipParties(snapshot, groupEmail, memberEmail);
    if (!group.members.includes(member))
      throw new Error(`removeGroupMember: ${member} is not in ${group.email}`);
    this.snapshot.set({
      ...snapshot,
      groups: snapshot.groups.map((g) =>
        g === group ? { ...g, members: g.members.filter((m) => m !== member) } : g,
      ),
    });
    this.auditMembership(options, "remove", group.email, member, snapshot);
  }

  // ─── Watches ────────────────────────────────────────────────────────────────────────────────────

  /**
   * `POST admin/directory/v1/users/watch?customer=|domain=&event=`. "Use the customer and event parameters"
   * / "Use the domain and event parameters". The discovery document makes `event` optional, and what a
   * channel without one receives is undocumented: the emulator requires it (one channel per event type).
   */
  private watchUsers(query: URLSearchParams, body: string): PushRouteResult {
    const customer = query.get("customer");
    const domain = query.get("domain")?.toLowerCase();
    if (!customer && !domain) return badRequest("Bad Request");
    if (customer && customer !== "my_customer" && customer !== this.snapshot.customerId)
      return badRequest("Bad Request");
    const event = query.get("event");
    if (event === null)
      return invalidValue("Required parameter: event (the emulator watches one event type per channel)");
    if (!(directoryUserEvents as readonly string[]).includes(event))
      return invalidValue(`Invalid value for: ${event} is not a valid value`);
    const scope = customer ? `customer=${customer}` : `domain=${domain}`;
    // The guide's example resourceUri: "https://admin.googleapis.com/admin/directory/v1/users?domain=mydomain.com&event=delete&alt=json".
    const resourceUri = `${this.snapshot.rootUrl()}admin/directory/v1/users?${scope}&event=${event}&alt=json`;
    return this.channels.open(
      "directory",
      body,
      { api: "directory", event: event as DirectoryUserEvent, ...(domain && !customer ? { domain } : {}) },
      resourceUri,
    );
  }

  /** `POST admin/reports/v1/activity/users/{userKey}/applications/{applicationName}/watch`. */
  private watchActivities(
    userKey: string,
    applicationName: string,
    query: URLSearchParams,
    body: string,
  ): PushRouteResult {
    if (!watchableApplications.has(applicationName)) {
      return invalidValue(`Invalid value at 'application_name' (${applicationName})`);
    }
    const eventName = query.get("eventName") ?? undefined;
    const resourceUri = `${this.snapshot.rootUrl()}admin/reports/v1/activity/users/${encodeURIComponent(userKey)}/applications/${applicationName}?alt=json`;
    return this.channels.open(
      "reports",
      body,
      { api: "reports", applicationName, userKey, ...(eventName ? { eventName } : {}) },
      resourceUri,
    );
  }

  // ─── Emitting ───────────────────────────────────────────────────────────────────────────────────

  private emitUser(event: DirectoryUserEvent, user: SnapshotUser): void {
    const id = snapshotUserToDirectoryUser(user).id;
    this.channels.notify((channel) => {
      if (channel.filter.api !== "directory" || channel.filter.event !== event) return undefined;
      const domain = channel.filter.domain;
      if (domain && !user.primaryEmail.endsWith(`@${domain}`)) return undefined;
      // "Notification messages for users contain the following information in the request body: kind, id,
      // etag, primaryEmail"; "etag: ETag of the notification message. Different from the ETag of the User
      // resource."
      return {
        state: event,
        body: {
          kind: "admin#directory#user",
          id,
          etag: `"${snapshotIdFor(`${channel.id}|${event}|${id}|${channel.lastMessageNumber}`)}"`,
          primaryEmail: user.primaryEmail,
        },
      };
    });
  }

  private audit(options: ChangeOptions, applicationName: string, events: ActivityEvent[]): void {
    if (options.audit === false) return;
    const activity = this.activities.record({
      applicationName,
      actorEmail: this.adminEmail(),
      events,
      at: this.channels.time(),
    });
    this.emitActivity(activity);
  }

  private auditMembership(
    options: ChangeOptions,
    kind: "add" | "remove",
    groupEmail: string,
    member: string,
    snapshot: DirectorySnapshot,
  ): void {
    const isGroup = snapshot.groups.some((group) => group.email === member);
    this.audit(options, "admin", [
      kind === "add"
        ? activityEvents.addGroupMember(groupEmail, member)
        : activityEvents.removeGroupMember(groupEmail, member),
    ]);
    this.audit(options, "groups_enterprise", [
      activityEvents.enterpriseMember(
        kind === "add" ? "add_member" : "remove_member",
        groupEmail,
        member,
        isGroup ? "group" : "user",
      ),
    ]);
  }

  private emitActivity(activity: Activity): void {
    this.channels.notify((channel: PushChannel) => {
      const filter = channel.filter;
      if (filter.api !== "reports" || filter.applicationName !== activity.id.applicationName)
        return undefined;
      if (!actorMatches(activity, filter.userKey)) return undefined;
      const event = filter.eventName
        ? activity.events.find((candidate) => candidate.name === filter.eventName)
        : activity.events[0];
      if (!event) return undefined;
      // "X-Goog-Resource-State: eventName"; the body is the Activity when the channel asked for a payload.
      // Without payload the docs show no body; the emulator sends none.
      return { state: event.name, ...(channel.payload ? { body: activity } : {}) };
    });
  }

  // ─── Helpers ────────────────────────────────────────────────────────────────────────────────────

  private adminEmail(): string {
    if (this.options.adminEmail) return this.options.adminEmail;
    const domain = this.snapshot.get().users[0]?.primaryEmail.split("@")[1] ?? "example.com";
    return `admin@${domain}`;
  }

  private updateUserRecord(email: string, change: (user: SnapshotUser) => SnapshotUser): SnapshotUser {
    const snapshot = this.snapshot.get();
    const user = this.requireUser(snapshot, email);
    const updated = change(user);
    this.snapshot.set({
      ...snapshot,
      users: snapshot.users.map((existing) => (existing === user ? updated : existing)),
    });
    return updated;
  }

  private requireUser(snapshot: DirectorySnapshot, email: string): SnapshotUser {
    const user = snapshot.users.find((candidate) => candidate.primaryEmail === email.toLowerCase());
    if (!user) throw new Error(`no user ${email} in the emulated directory`);
    return user;
  }

  private requireMembershipParties(snapshot: DirectorySnapshot, groupEmail: string, memberEmail: string) {
    const group = snapshot.groups.find((candidate) => candidate.email === groupEmail.toLowerCase());
    if (!group) throw new Error(`no group ${groupEmail} in the emulated directory`);
    const member = memberEmail.toLowerCase();
    const known =
      snapshot.users.some((user) => user.primaryEmail === member) ||
      snapshot.groups.some((g) => g.email === member);
    if (!known) throw new Error(`no user or group ${memberEmail} in the emulated directory`);
    return { group, member };
  }
}

export type { ChannelApi };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function notAllowed(): { error: GoogleErrorSpec } {
  return {
    error: { status: 405, reason: "badRequest", message: "Method not allowed here", domain: "global" },
  };
}

function badRequest(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "badRequest", message, domain: "global" } };
}

function invalidValue(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "invalid", message, domain: "global" } };
}
