/**
 * The Google Workspace directory through the Admin SDK Directory API (directory_v1): users of the
 * customer, the groups the rules name (members expanded through nested groups) and the org units.
 * It owns paging, the request budget, retries and translation; it decides nothing about who gets access.
 */
import type { admin_directory_v1 } from "@googleapis/admin";
import { ConfigurationError, DirectoryReadError, SyncError } from "../../sync/errors.js";
import { compareStrings } from "../../sync/keys.js";
import type {
  Directory,
  DirectoryGroup,
  DirectoryOrgUnit,
  DirectoryRequest,
  DirectoryUser,
} from "../../sync/model.js";
import type { DirectorySource, ProgressListener } from "../../sync/ports.js";
import { domainOf } from "../../sync/scope.js";
import { addressesOfUser, staticUsersAmong } from "../../sync/targeted/people-from-directory.js";
import type { PeopleRead, PeopleRequest, PersonFound, PersonRef } from "../../sync/targeted/reads.js";
import { fetchWithDeadline } from "../http-deadline.js";
import { defaultRetryWindowMs, parseRetryAfter, type RetryPolicy, realSleep, retrying } from "../retry.js";
import { classifyGoogleError, FailureKind, type GoogleFailure, isGoogleRateLimit } from "./google-errors.js";
import { groupsPage, membersPage, orgUnitsPage, type Page, usersPage } from "./page-shape.js";
import { type BudgetClock, RequestBudget } from "./request-budget.js";

/** Largest pages the API serves (DESIGN.md §5). */
export const usersPageSize = 500;
export const membersPageSize = 200;
export const groupsPageSize = 200;

/** Defaults in one place; every one can be overridden in the constructor options. */
export const googleDirectoryDefaults = {
  /** 1,800 a minute: under the documented 2,400 a minute per user per project, leaving room for others. */
  requestsPerSecond: 30,
  concurrency: 8,
  /** Retries of one request stop when the next wait would end later than this after its first try. */
  retryWindowMs: defaultRetryWindowMs,
  backoff: { baseMs: 1_000, maxMs: 32_000 },
  timeoutMs: 60_000,
} as const;

export interface GoogleDirectorySourceOptions {
  /** A directory_v1 client: `admin({ version: "directory_v1", auth, rootUrl? })`. */
  client: admin_directory_v1.Admin;
  /** Request budget shared by every call of one read, retries included. Default 30. */
  requestsPerSecond?: number;
  /** Requests in flight at most (member listings of several groups run side by side). Default 8. */
  concurrency?: number;
  /** How long one request is retried, from its first try, before the whole read fails. Default 60 s. */
  retryWindowMs?: number;
  /** A cap on attempts per request (the first included) on top of the window. None by default. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter: attempt n waits random() × min(maxMs, baseMs × 2^(n-1)). */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Deadline of one request, headers and body (a peer that stalls mid-answer included); a request past
   * it is retried like a connection reset. Default 60 s.
   */
  timeoutMs?: number;
  /** How backoff waits; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds, for the retry window; injectable with `sleep`. */
  now?: () => number;
  /** Jitter source in [0, 1); tests pass a fixed one. */
  random?: () => number;
  /** Clock of the request budget; tests of pacing pass a fake one. */
  budgetClock?: BudgetClock;
  /** Told about every request attempt (retries included) by API method, e.g. `users.list`, to count calls. */
  onCall?: (method: string) => void;
  /** Told about every answer that was Google rate-limiting a request. */
  onThrottled?: (method: string) => void;
}

interface Limits {
  retry: RetryPolicy;
  timeoutMs: number;
}

/**
 * `DirectorySource` over the Directory API. One read is all or nothing: a page that still fails after
 * the retries makes `readDirectory` throw `DirectoryReadError` (or `ConfigurationError` when the
 * credentials, delegation or scopes are wrong), never return a partial directory.
 */
export class GoogleDirectorySource implements DirectorySource {
  private readonly client: admin_directory_v1.Admin;
  private readonly requestsPerSecond: number;
  private readonly concurrency: number;
  private readonly limits: Limits;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: (() => number) | undefined;
  private readonly random: () => number;
  private readonly budgetClock: BudgetClock | undefined;
  private readonly listeners: Pick<GoogleDirectorySourceOptions, "onCall" | "onThrottled">;

  constructor(options: GoogleDirectorySourceOptions) {
    const defaults = googleDirectoryDefaults;
    this.client = options.client;
    this.requestsPerSecond = options.requestsPerSecond ?? defaults.requestsPerSecond;
    this.concurrency = options.concurrency ?? defaults.concurrency;
    const backoff = options.backoff ?? defaults.backoff;
    this.limits = {
      retry: {
        windowMs: options.retryWindowMs ?? defaults.retryWindowMs,
        baseDelayMs: backoff.baseMs,
        maxDelayMs: backoff.maxMs,
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      },
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    };
    if (
      options.maxAttempts !== undefined &&
      (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)
    ) {
      throw new ConfigurationError("Google directory: maxAttempts must be a whole number of at least 1");
    }
    if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs)) {
      throw new ConfigurationError("Google directory: backoff needs 0 <= baseMs <= maxMs");
    }
    if (!(this.limits.retry.windowMs >= 0)) {
      throw new ConfigurationError("Google directory: retryWindowMs must be 0 or more");
    }
    if (!(this.limits.timeoutMs > 0)) {
      throw new ConfigurationError("Google directory: timeoutMs must be more than 0");
    }
    this.now = options.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.budgetClock = options.budgetClock;
    this.listeners = {
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
    };
    // Validate the budget settings now rather than on the first read.
    this.newBudget();
  }

  async readDirectory(request: DirectoryRequest, progress?: ProgressListener): Promise<Directory> {
    const read = new DirectoryRead(this.client, this.newBudget(), this.limits, {
      sleep: this.sleep,
      random: this.random,
      ...(this.now ? { now: this.now } : {}),
      ...this.listeners,
      progress,
    });
    return read.run(request);
  }

  /**
   * A targeted run's read: `users.get` per person (a 404 is a person Google no longer has), the subject
   * groups' members (`members.list`, derived) and `users.get` for each of them; then, only when someone
   * is active in the domains, the org units and the rules' groups read exactly as a full read reads them
   * (nested groups, the "all users" member), cut down to these people. Leavers cost one call each.
   */
  async readPeople(request: PeopleRequest, progress?: ProgressListener): Promise<PeopleRead> {
    const read = new DirectoryRead(this.client, this.newBudget(), this.limits, {
      sleep: this.sleep,
      random: this.random,
      ...(this.now ? { now: this.now } : {}),
      progress,
    });
    return read.people(request);
  }

  private newBudget(): RequestBudget {
    try {
      return new RequestBudget({
        requestsPerSecond: this.requestsPerSecond,
        concurrency: this.concurrency,
        ...(this.budgetClock ? { clock: this.budgetClock } : {}),
      });
    } catch (error) {
      throw new ConfigurationError(`Google directory: ${(error as Error).message}`, { cause: error });
    }
  }
}

interface ReadTools extends Pick<GoogleDirectorySourceOptions, "onCall" | "onThrottled"> {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now?: () => number;
  progress: ProgressListener | undefined;
}

/** One read: its own budget, progress counters and a stop flag so that a failure ends every branch. */
class DirectoryRead {
  private stopped = false;
  private membersDone = 0;
  private groupsDone = 0;
  /** Pages that came back empty with more after them: allowed by Google, but a lost page looks the same. */
  private readonly emptyPages: string[] = [];
  /** Group address → its members Google reports with `status: SUSPENDED`. */
  private readonly suspendedMembers = new Map<string, Set<string>>();
  /** One deadline per request covering the body; `timeout` would leave the body to a timer undici can miss. */
  private readonly fetchImplementation: typeof fetch;

  constructor(
    private readonly client: admin_directory_v1.Admin,
    private readonly budget: RequestBudget,
    private readonly limits: Limits,
    private readonly tools: ReadTools,
  ) {
    this.fetchImplementation = fetchWithDeadline(limits.timeoutMs);
  }

  async run(request: DirectoryRequest): Promise<Directory> {
    const customer = request.customerId || "my_customer";
    const domains = new Set(request.domains.map((domain) => domain.toLowerCase()));
    const groupEmails = [...new Set(request.groupEmails.map((address) => address.toLowerCase()))].sort();
    try {
      const [users, orgUnits, groups] = await Promise.all([
        this.readUsers(customer, domains),
        this.readOrgUnits(customer),
        request.allGroups ? this.readAllGroups(customer) : this.readGroups(groupEmails),
      ]);
      const found = groups
        .filter((group): group is DirectoryGroup => group !== undefined)
        .map((group) => this.withoutSuspensionsUnseenByUsers(group, users));
      // A group the rules name that Google does not know is the rules' mistake: the rules check reports
      // it (and stops the run) with a "did you mean" from every group's address, read only then.
      const knownGroupEmails =
        found.length < groups.length
          ? (await this.listGroups(customer)).map((group) => group.email)
          : undefined;
      return {
        users,
        groups: found,
        orgUnits,
        completeness:
          this.emptyPages.length === 0 ? { proven: true } : { proven: false, reasons: [...this.emptyPages] },
        ...(knownGroupEmails ? { knownGroupEmails } : {}),
      };
    } catch (error) {
      this.stopped = true;
      if (error instanceof SyncError) throw error;
      throw new DirectoryReadError(`Google directory read failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async people(request: PeopleRequest): Promise<PeopleRead> {
    const customer = request.customerId || "my_customer";
    const domains = new Set(request.domains.map((domain) => domain.toLowerCase()));
    try {
      const found = new Map<string, DirectoryUser>();
      const lookUp = async (ref: PersonRef): Promise<PersonFound> => {
        const user = await this.getUser("email" in ref ? ref.email : ref.googleId);
        if (user === undefined) return { ref, found: false };
        const inDomains = domains.has(domainOf(user.primaryEmail));
        if (inDomains) found.set(user.id, user);
        return { ref, found: true, primaryEmail: user.primaryEmail, inDomains };
      };
      const people = await Promise.all(request.people.map(lookUp));
      const subjectGroups = await Promise.all(
        [...new Set(request.groups.map((email) => email.toLowerCase()))].map(async (email) => {
          const group = await this.readGroup(email, request.groups.length);
          return group === undefined ? { email } : { email, members: group.memberEmails };
        }),
      );
      const known = new Set([...found.values()].flatMap(addressesOfUser));
      const members = [...new Set(subjectGroups.flatMap((group) => group.members ?? []))].filter(
        (address) => !known.has(address),
      );
      await Promise.all(members.map((email) => lookUp({ email })));

      const staticPeople = staticUsersAmong(request, found.values());
      const active =
        staticPeople.length > 0 || [...found.values()].some((user) => !user.suspended && !user.archived);
      // The managers active people name, read as context (see `PeopleRead.context`): users.get each.
      const context: string[] = [];
      const named = new Set([...found.values()].flatMap(addressesOfUser));
      const managers = [
        ...new Set(
          [...found.values()].flatMap((user) =>
            user.suspended || user.archived || user.manager === undefined || named.has(user.manager)
              ? []
              : [user.manager],
          ),
        ),
      ];
      await Promise.all(
        managers.map(async (address) => {
          const manager = await this.getUser(address);
          if (manager === undefined || found.has(manager.id) || !domains.has(domainOf(manager.primaryEmail)))
            return;
          found.set(manager.id, manager);
          context.push(manager.primaryEmail);
        }),
      );
      const users = [...found.values()].sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
      const groupEmails = [...new Set(request.groupEmails.map((address) => address.toLowerCase()))].sort();
      let groups: DirectoryGroup[];
      let orgUnits: DirectoryOrgUnit[] | undefined;
      if (active) {
        const addresses = new Set([...users.flatMap(addressesOfUser), ...staticPeople]);
        const [units, read] = await Promise.all([this.readOrgUnits(customer), this.readGroups(groupEmails)]);
        orgUnits = units;
        groups = read
          .filter((group): group is DirectoryGroup => group !== undefined)
          .map((group) => this.withoutSuspensionsUnseenByUsers(group, users))
          .map((group) => ({
            ...group,
            memberEmails: group.memberEmails.filter((email) => addresses.has(email)),
          }));
      } else {
        // Nobody here can be a member of anything the rules map: the groups are not read.
        groups = groupEmails.map((email) => ({ id: email, email, name: email, memberEmails: [] }));
      }
      return {
        directory: {
          users,
          groups,
          ...(orgUnits ? { orgUnits } : {}),
          completeness:
            this.emptyPages.length === 0
              ? { proven: true }
              : { proven: false, reasons: [...this.emptyPages] },
        },
        people,
        groups: subjectGroups,
        ...(context.length > 0 ? { context: context.sort() } : {}),
      };
    } catch (error) {
      this.stopped = true;
      if (error instanceof SyncError) throw error;
      throw new DirectoryReadError(`Google directory read failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * `users.get` (Directory API reference: userKey "can be the user's primary email address, alias email
   * address, or unique user ID"); undefined when Google answers 404, which is what a deleted user gets.
   */
  private async getUser(userKey: string): Promise<DirectoryUser | undefined> {
    const what = `users.get ${userKey}`;
    try {
      return await this.call(
        what,
        (options) => this.client.users.get({ userKey, projection: "full" }, options),
        (data) => toDirectoryUser(data as admin_directory_v1.Schema$User),
        (failure) => (failure.kind === FailureKind.notFound ? new UserNotFound(userKey) : undefined),
      );
    } catch (error) {
      if (error instanceof UserNotFound) return undefined;
      throw error;
    }
  }

  /**
   * users.list and the member listings run side by side, so a person suspended between the two reads is
   * active in one and a SUSPENDED member in the other. The later word wins for the group: such a member is
   * left out, not given access on the strength of the older read (the next run sees the suspension in the
   * user list too). A member both call suspended stays listed: the user's record already keeps them out.
   */
  private withoutSuspensionsUnseenByUsers(group: DirectoryGroup, users: DirectoryUser[]): DirectoryGroup {
    const suspended = this.suspendedMembers.get(group.email);
    if (suspended === undefined || suspended.size === 0) return group;
    const active = new Set(
      users.filter((user) => !user.suspended).flatMap((user) => [user.primaryEmail, ...user.aliases]),
    );
    const memberEmails = group.memberEmails.filter((email) => !(suspended.has(email) && active.has(email)));
    return memberEmails.length === group.memberEmails.length ? group : { ...group, memberEmails };
  }

  private async readUsers(customer: string, domains: ReadonlySet<string>): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    const request = (token: string | undefined, options: RequestOptions) =>
      this.client.users.list(
        { customer, projection: "full", maxResults: usersPageSize, ...(token ? { pageToken: token } : {}) },
        options,
      );
    await this.eachPage("users.list", usersPage, request, (page) => {
      for (const raw of page) {
        const user = toDirectoryUser(raw);
        if (domains.has(domainOf(user.primaryEmail))) users.push(user);
      }
      this.tools.progress?.({ phase: "users", done: users.length });
    });
    return users.sort((a, b) => compareStrings(a.primaryEmail, b.primaryEmail));
  }

  private async readOrgUnits(customerId: string): Promise<DirectoryOrgUnit[]> {
    const response = await this.call(
      "orgunits.list",
      (options) => this.client.orgunits.list({ customerId, type: "all" }, options),
      (data) => orgUnitsPage(data, "orgunits.list"),
    );
    return response.items
      .map((unit) => {
        const path = unit.orgUnitPath as string;
        return { path, name: unit.name ?? path.split("/").at(-1) ?? path };
      })
      .sort((a, b) => compareStrings(a.path, b.path));
  }

  private async readGroups(groupEmails: string[]): Promise<(DirectoryGroup | undefined)[]> {
    this.tools.progress?.({ phase: "groups", done: 0, total: groupEmails.length });
    // Groups run side by side; the budget bounds how many requests are actually in flight.
    return Promise.all(groupEmails.map((groupEmail) => this.readGroup(groupEmail, groupEmails.length)));
  }

  /** Every group of the customer with its members (`snapshot directory --all-groups`). */
  private async readAllGroups(customer: string): Promise<(DirectoryGroup | undefined)[]> {
    const listed = await this.listGroups(customer);
    const read = await this.readGroups(listed.map((group) => group.email));
    const names = new Map(listed.map((group) => [group.email, group]));
    return read.map((group) => {
      const known = group === undefined ? undefined : names.get(group.email);
      return group === undefined || known === undefined
        ? group
        : { ...group, id: known.id, name: known.name };
    });
  }

  /** `groups.list` of the customer: every group's id, address and name, 200 a page, each page checked. */
  private async listGroups(customer: string): Promise<{ id: string; email: string; name: string }[]> {
    const groups: { id: string; email: string; name: string }[] = [];
    const request = (token: string | undefined, options: RequestOptions) =>
      this.client.groups.list(
        { customer, maxResults: groupsPageSize, ...(token ? { pageToken: token } : {}) },
        options,
      );
    await this.eachPage("groups.list", groupsPage, request, (page) => {
      for (const group of page) {
        const email = (group.email as string).toLowerCase();
        groups.push({ id: group.id ?? email, email, name: group.name ?? email });
      }
    });
    return groups.sort((a, b) => compareStrings(a.email, b.email));
  }

  /**
   * One group's members. There is no `groups.get` first: `members.list` already answers 404 for a group
   * that does not exist, and the group's display name is not worth one more request per group (a
   * thousand at 50,000 users); the address the rules use stands in for it.
   */
  private async readGroup(groupEmail: string, total: number): Promise<DirectoryGroup | undefined> {
    const members = new Set<string>();
    const suspended = new Set<string>();
    this.suspendedMembers.set(groupEmail, suspended);
    let allUsers = false;
    let pagesRead = 0;
    const notFound = (failure: GoogleFailure) =>
      failure.kind === FailureKind.notFound ? new GroupNotFound(groupEmail) : undefined;
    const request = (token: string | undefined, options: RequestOptions) =>
      this.client.members.list(
        {
          groupKey: groupEmail,
          includeDerivedMembership: true,
          maxResults: membersPageSize,
          ...(token ? { pageToken: token } : {}),
        },
        options,
      );
    const exists = await this.eachPage(
      `members.list ${groupEmail}`,
      membersPage,
      request,
      (page) => {
        pagesRead += 1;
        for (const member of page) {
          const kind = memberKind(member, `members.list ${groupEmail}`);
          if (kind.kind === "allUsers") allUsers = true;
          if (kind.kind !== "user") continue;
          members.add(kind.email);
          if (kind.suspended) suspended.add(kind.email);
          this.membersDone += 1;
        }
        this.tools.progress?.({ phase: "members", done: this.membersDone });
      },
      notFound,
    ).then(
      () => true,
      (error: unknown) => {
        // Missing from the start: the group does not exist. Gone between pages: a read not to be trusted.
        if (error instanceof GroupNotFound && pagesRead === 0) return false;
        throw error;
      },
    );
    this.groupsDone += 1;
    this.tools.progress?.({ phase: "groups", done: this.groupsDone, total });
    if (!exists) return undefined;
    // The address the rules used, so the rules find the group even when they name an alias of it.
    return {
      id: groupEmail,
      email: groupEmail,
      name: groupEmail,
      memberEmails: [...members].sort(),
      ...(allUsers ? { allUsers } : {}),
    };
  }

  /**
   * Every page of one listing, each checked (`shape`) before `use` sees its items. A token seen before
   * would page forever, so it fails the read. An empty page with more after it is followed (Google's
   * paging guides: "maxResults does not guarantee the number of results on one page"), and noted: the
   * read then cannot vouch that no page was lost, and nothing is removed on its word.
   */
  private async eachPage<T>(
    listing: string,
    shape: (data: unknown, what: string) => Page<T>,
    request: (token: string | undefined, options: RequestOptions) => Promise<{ data: unknown }>,
    use: (items: T[]) => void,
    onFailure?: (failure: GoogleFailure) => Error | undefined,
  ): Promise<void> {
    const seen = new Set<string>();
    let token: string | undefined;
    for (let number = 1; ; number += 1) {
      const what = `${listing} page ${number}`;
      const page = await this.call(
        what,
        (options) => request(token, options),
        (data) => shape(data, what),
        onFailure,
      );
      use(page.items);
      if (page.nextPageToken === undefined) return;
      if (seen.has(page.nextPageToken)) {
        throw new DirectoryReadError(
          `Google directory ${what} handed back a page token it had already given; the listing would never end`,
        );
      }
      if (page.items.length === 0) this.emptyPages.push(`${what} came back empty with more pages after it`);
      seen.add(page.nextPageToken);
      token = page.nextPageToken;
    }
  }

  /**
   * One API call inside the budget, its answer checked by `shape`, retried under the retry policy while
   * the failure is transient (a malformed answer is). `onFailure` lets a caller turn a failure into its
   * own error (a 404 on a group names the group).
   */
  private async call<T>(
    what: string,
    request: (options: RequestOptions) => Promise<{ data: unknown }>,
    shape: (data: unknown) => T,
    onFailure?: (failure: GoogleFailure) => Error | undefined,
  ): Promise<T> {
    // The client's own retries are off: this loop owns them, so the budget and the window hold.
    const options: RequestOptions = { retry: false, fetchImplementation: this.fetchImplementation };
    let attempts = 0;
    const startedAt = performance.now();
    // "members.list aws@example.com page 2" is a call of members.list.
    const method = what.split(" ")[0] ?? what;
    try {
      return await retrying(
        async () => {
          attempts += 1;
          if (this.stopped) throw new DirectoryReadError(`Google directory read stopped before ${what}`);
          const response = await this.budget.run(() => {
            this.tools.onCall?.(method);
            return request(options);
          });
          return shape(response.data);
        },
        {
          policy: this.limits.retry,
          classify: (error) => {
            if (error instanceof SyncError) return { retry: false };
            const failure = classifyGoogleError(error);
            if (isGoogleRateLimit(failure)) this.tools.onThrottled?.(method);
            if (failure.kind !== FailureKind.retryable || onFailure?.(failure)) return { retry: false };
            const afterMs = retryAfterOf(error);
            return afterMs === undefined ? { retry: true } : { retry: true, afterMs };
          },
          sleep: this.tools.sleep,
          random: this.tools.random,
          ...(this.tools.now ? { now: this.tools.now } : {}),
        },
      );
    } catch (error) {
      if (error instanceof SyncError) throw error;
      const failure = classifyGoogleError(error);
      const own = onFailure?.(failure);
      if (own) throw own;
      if (failure.kind === FailureKind.misconfiguration) throw misconfigurationError(failure, error);
      if (failure.kind !== FailureKind.retryable) {
        throw new DirectoryReadError(`Google directory ${what} failed: ${failure.summary}`, { cause: error });
      }
      const seconds = Math.round((performance.now() - startedAt) / 1000);
      throw new DirectoryReadError(
        `Google directory ${what} still failing after ${attempts} attempts${seconds >= 1 ? ` over ${seconds} s` : ""}: ${failure.summary}`,
        { cause: error },
      );
    }
  }
}

interface RequestOptions {
  retry: false;
  fetchImplementation: typeof fetch;
}

type MemberKind =
  | { kind: "user"; email: string; suspended: boolean }
  | { kind: "allUsers" }
  | { kind: "none" };

/**
 * What one entry of a derived member listing means (Member resource reference,
 * developers.google.com/workspace/admin/directory/reference/rest/v1/members, `type` and `status`):
 * - USER: a person by address, of the customer or from outside it (EXTERNAL is listed as "Not currently
 *   used", and is taken the same way if it ever comes). Whether an outside address gets access is the
 *   rules' decision, not the reader's, so it is kept.
 * - `status` ("Status of member (Immutable)", values not listed): SUSPENDED is noted, for the check
 *   against the user list (`withoutSuspensionsUnseenByUsers`). ACTIVE, and no status at all (what Google
 *   sends for external members), are plain members; for people of the customer their own user record
 *   decides whether they are active.
 * - CUSTOMER: "all users in a domain", with no email: every user of the customer is a member.
 * - GROUP: a nested group, whose users the derived listing already holds.
 * Any other type is not guessed at: the read fails, so that nothing is removed on a misreading.
 */
function memberKind(member: admin_directory_v1.Schema$Member, what: string): MemberKind {
  switch (member.type) {
    case "CUSTOMER":
      return { kind: "allUsers" };
    case "GROUP":
      return { kind: "none" };
    case "USER":
    case "EXTERNAL":
      // membersPage saw to it that the address is there.
      return {
        kind: "user",
        email: (member.email as string).toLowerCase(),
        suspended: member.status === "SUSPENDED",
      };
    default:
      throw new DirectoryReadError(
        `Google directory ${what}: a member of type '${String(member.type).slice(0, 40)}', which idc-sync does not know how to count; nothing was changed`,
      );
  }
}

/** The wait Google asked for with `Retry-After` (it sends one with some 429 and 503 answers). */
function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: unknown } } | null)?.response?.headers;
  if (headers instanceof Headers) return parseRetryAfter(headers.get("retry-after"));
  if (typeof headers === "object" && headers !== null) {
    const value = (headers as Record<string, unknown>)["retry-after"];
    return typeof value === "string" ? parseRetryAfter(value) : undefined;
  }
  return undefined;
}

/** members.list answered 404: the group does not exist (or the admin cannot see it). */
class GroupNotFound extends DirectoryReadError {
  override name = "GroupNotFound";
  constructor(readonly groupEmail: string) {
    super(`Google group ${groupEmail} does not exist (or is not visible to the admin)`);
  }
}

/** users.get answered 404: the person is not (or no longer) in Google. */
class UserNotFound extends DirectoryReadError {
  override name = "UserNotFound";
  constructor(readonly userKey: string) {
    super(`Google user ${userKey} does not exist`);
  }
}

/** The one message for every "Google said no to these credentials" failure. */
export function misconfigurationError(failure: GoogleFailure, cause?: unknown): ConfigurationError {
  return new ConfigurationError(
    `Google refused the directory credentials (${failure.summary}). Check that:\n` +
      "  - the Admin SDK API is enabled in the service account's Google Cloud project;\n" +
      "  - domain-wide delegation is granted to the service account's client id (Admin console > Security >\n" +
      "    API controls > Domain-wide delegation) with exactly these scopes:\n" +
      `      ${googleDirectoryScopes.join(",\n      ")};\n` +
      "  - GOOGLE_ADMIN_EMAIL (the subject) is a super admin, or holds an admin role that can read users,\n" +
      "    groups and org units, and is spelt exactly as in Google.",
    { cause },
  );
}

/** The read-only scopes idc-sync asks for; domain-wide delegation must grant exactly these. */
export const googleDirectoryScopes = [
  "https://www.googleapis.com/auth/admin.directory.user.readonly",
  "https://www.googleapis.com/auth/admin.directory.group.readonly",
  "https://www.googleapis.com/auth/admin.directory.group.member.readonly",
  "https://www.googleapis.com/auth/admin.directory.orgunit.readonly",
] as const;

interface GoogleOrganization {
  primary?: boolean;
  department?: string;
  costCenter?: string;
  title?: string;
}
interface GoogleTypedValue {
  type?: string;
  value?: string;
}

/** Translates a Directory API user to the model; emails lower case, empty fields left out. */
export function toDirectoryUser(user: admin_directory_v1.Schema$User): DirectoryUser {
  if (!user.id || !user.primaryEmail) {
    throw new DirectoryReadError("Google directory: a user came back without an id or primary email");
  }
  const primaryEmail = user.primaryEmail.toLowerCase();
  const aliases = [...(user.aliases ?? []), ...(user.nonEditableAliases ?? [])]
    .map((address) => address.toLowerCase())
    .filter((address) => address !== primaryEmail);
  const organizations = arrayOf<GoogleOrganization>(user.organizations);
  const organization = organizations.find((entry) => entry.primary === true) ?? organizations[0];
  const employeeId = arrayOf<GoogleTypedValue>(user.externalIds).find(
    (entry) => entry.type === "organization",
  )?.value;
  const manager = arrayOf<GoogleTypedValue>(user.relations).find((entry) => entry.type === "manager")?.value;
  return {
    id: user.id,
    primaryEmail,
    aliases: [...new Set(aliases)].sort(),
    givenName: user.name?.givenName ?? "",
    familyName: user.name?.familyName ?? "",
    orgUnitPath: user.orgUnitPath || "/",
    suspended: user.suspended === true,
    archived: user.archived === true,
    ...optional("department", organization?.department),
    ...optional("costCenter", organization?.costCenter),
    ...optional("title", organization?.title),
    ...optional("employeeId", employeeId),
    ...optional("manager", manager?.toLowerCase()),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function arrayOf<T>(value: unknown): T[] {
  return Array.isArray(value)
    ? (value.filter((entry) => typeof entry === "object" && entry !== null) as T[])
    : [];
}
