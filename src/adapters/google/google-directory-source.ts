/**
 * The Google Workspace directory through the Admin SDK Directory API (directory_v1): users of the
 * customer, the groups the rules name (members expanded through nested groups) and the org units.
 * It owns paging, the request budget, retries and translation; it decides nothing about who gets access.
 */
import type { admin_directory_v1 } from "@googleapis/admin";
import { ConfigurationError, DirectoryReadError, SyncError } from "../../sync/errors.js";
import type {
  Directory,
  DirectoryGroup,
  DirectoryOrgUnit,
  DirectoryRequest,
  DirectoryUser,
} from "../../sync/model.js";
import type { DirectorySource, ProgressListener } from "../../sync/ports.js";
import { domainOf } from "../../sync/scope.js";
import { classifyGoogleError, FailureKind, type GoogleFailure } from "./google-errors.js";
import { type BudgetClock, RequestBudget } from "./request-budget.js";

/** Largest pages the API serves (DESIGN.md §5). */
export const usersPageSize = 500;
export const membersPageSize = 200;

/** Defaults in one place; every one can be overridden in the constructor options. */
export const googleDirectoryDefaults = {
  /** 1,800 a minute: under the documented 2,400 a minute per user per project, leaving room for others. */
  requestsPerSecond: 30,
  concurrency: 8,
  maxAttempts: 7,
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
  /** Attempts per request, the first included, before the whole read fails. Default 7. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter: attempt n waits random() × min(maxMs, baseMs × 2^(n-1)). */
  backoff?: { baseMs: number; maxMs: number };
  /** Per-request timeout; a timed-out request is retried like a connection reset. Default 60 s. */
  timeoutMs?: number;
  /** How backoff waits; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); tests pass a fixed one. */
  random?: () => number;
  /** Clock of the request budget; tests of pacing pass a fake one. */
  budgetClock?: BudgetClock;
}

interface Limits {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
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
  private readonly random: () => number;
  private readonly budgetClock: BudgetClock | undefined;

  constructor(options: GoogleDirectorySourceOptions) {
    const defaults = googleDirectoryDefaults;
    this.client = options.client;
    this.requestsPerSecond = options.requestsPerSecond ?? defaults.requestsPerSecond;
    this.concurrency = options.concurrency ?? defaults.concurrency;
    const backoff = options.backoff ?? defaults.backoff;
    this.limits = {
      maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
      baseMs: backoff.baseMs,
      maxMs: backoff.maxMs,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    };
    if (!Number.isInteger(this.limits.maxAttempts) || this.limits.maxAttempts < 1) {
      throw new ConfigurationError("Google directory: maxAttempts must be a whole number of at least 1");
    }
    if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs)) {
      throw new ConfigurationError("Google directory: backoff needs 0 <= baseMs <= maxMs");
    }
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.budgetClock = options.budgetClock;
    // Validate the budget settings now rather than on the first read.
    this.newBudget();
  }

  async readDirectory(request: DirectoryRequest, progress?: ProgressListener): Promise<Directory> {
    const read = new DirectoryRead(
      this.client,
      this.newBudget(),
      this.limits,
      this.sleep,
      this.random,
      progress,
    );
    return read.run(request);
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

/** One read: its own budget, progress counters and a stop flag so that a failure ends every branch. */
class DirectoryRead {
  private stopped = false;
  private membersDone = 0;
  private groupsDone = 0;

  constructor(
    private readonly client: admin_directory_v1.Admin,
    private readonly budget: RequestBudget,
    private readonly limits: Limits,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly random: () => number,
    private readonly progress: ProgressListener | undefined,
  ) {}

  async run(request: DirectoryRequest): Promise<Directory> {
    const customer = request.customerId || "my_customer";
    const domains = new Set(request.domains.map((domain) => domain.toLowerCase()));
    const groupEmails = [...new Set(request.groupEmails.map((address) => address.toLowerCase()))].sort();
    try {
      const [users, orgUnits, groups] = await Promise.all([
        this.readUsers(customer, domains),
        this.readOrgUnits(customer),
        this.readGroups(groupEmails),
      ]);
      return { users, groups, orgUnits };
    } catch (error) {
      this.stopped = true;
      if (error instanceof SyncError) throw error;
      throw new DirectoryReadError(`Google directory read failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async readUsers(customer: string, domains: ReadonlySet<string>): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let pageToken: string | undefined;
    let page = 0;
    do {
      page += 1;
      const token = pageToken;
      const response = await this.call(`users.list page ${page}`, (options) =>
        this.client.users.list(
          { customer, projection: "full", maxResults: usersPageSize, ...(token ? { pageToken: token } : {}) },
          options,
        ),
      );
      for (const raw of response.data.users ?? []) {
        const user = toDirectoryUser(raw);
        if (domains.has(domainOf(user.primaryEmail))) users.push(user);
      }
      this.progress?.({ phase: "users", done: users.length });
      pageToken = response.data.nextPageToken ?? undefined;
    } while (pageToken);
    return users.sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
  }

  private async readOrgUnits(customerId: string): Promise<DirectoryOrgUnit[]> {
    const response = await this.call("orgunits.list", (options) =>
      this.client.orgunits.list({ customerId, type: "all" }, options),
    );
    return (response.data.organizationUnits ?? [])
      .map((unit) => {
        if (!unit.orgUnitPath)
          throw new DirectoryReadError("Google directory: an org unit came back without a path");
        return {
          path: unit.orgUnitPath,
          name: unit.name ?? unit.orgUnitPath.split("/").at(-1) ?? unit.orgUnitPath,
        };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  private async readGroups(groupEmails: string[]): Promise<DirectoryGroup[]> {
    this.progress?.({ phase: "groups", done: 0, total: groupEmails.length });
    // Groups run side by side; the budget bounds how many requests are actually in flight.
    return Promise.all(groupEmails.map((groupEmail) => this.readGroup(groupEmail, groupEmails.length)));
  }

  /**
   * One group's members. There is no `groups.get` first: `members.list` already answers 404 for a group
   * that does not exist, and the group's display name is not worth one more request per group (a
   * thousand at 50,000 users); the address the rules use stands in for it.
   */
  private async readGroup(groupEmail: string, total: number): Promise<DirectoryGroup> {
    const members = new Set<string>();
    let pageToken: string | undefined;
    let page = 0;
    do {
      page += 1;
      const token = pageToken;
      const response = await this.call(
        `members.list ${groupEmail} page ${page}`,
        (options) =>
          this.client.members.list(
            {
              groupKey: groupEmail,
              includeDerivedMembership: true,
              maxResults: membersPageSize,
              ...(token ? { pageToken: token } : {}),
            },
            options,
          ),
        (failure) => {
          if (failure.kind !== FailureKind.notFound) return undefined;
          return new DirectoryReadError(
            `Google group ${groupEmail} does not exist (or is not visible to the admin); the rules reference it. ` +
              "Check the address in the rules file.",
          );
        },
      );
      for (const member of response.data.members ?? []) {
        // Nested groups are already expanded by includeDerivedMembership; CUSTOMER (everyone) is not a person.
        if (member.type === "USER" && member.email) {
          members.add(member.email.toLowerCase());
          this.membersDone += 1;
        }
      }
      this.progress?.({ phase: "members", done: this.membersDone });
      pageToken = response.data.nextPageToken ?? undefined;
    } while (pageToken);
    this.groupsDone += 1;
    this.progress?.({ phase: "groups", done: this.groupsDone, total });
    // The address the rules used, so the rules find the group even when they name an alias of it.
    return { id: groupEmail, email: groupEmail, name: groupEmail, memberEmails: [...members].sort() };
  }

  /**
   * One API call inside the budget, retried with backoff while the failure is transient. `onFailure`
   * lets a caller turn a failure into its own error (a 404 on a group names the group).
   */
  private async call<T>(
    what: string,
    request: (options: { retry: false; timeout: number }) => Promise<T>,
    onFailure?: (failure: GoogleFailure) => Error | undefined,
  ): Promise<T> {
    // The client's own retries are off: this loop owns them, so the budget and maxAttempts hold.
    const options = { retry: false as const, timeout: this.limits.timeoutMs };
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopped) throw new DirectoryReadError(`Google directory read stopped before ${what}`);
      try {
        return await this.budget.run(() => request(options));
      } catch (error) {
        const failure = classifyGoogleError(error);
        const own = onFailure?.(failure);
        if (own) throw own;
        if (failure.kind === FailureKind.misconfiguration) throw misconfigurationError(failure, error);
        if (failure.kind !== FailureKind.retryable) {
          throw new DirectoryReadError(`Google directory ${what} failed: ${failure.summary}`, {
            cause: error,
          });
        }
        if (attempt >= this.limits.maxAttempts) {
          throw new DirectoryReadError(
            `Google directory ${what} still failing after ${attempt} attempts: ${failure.summary}`,
            { cause: error },
          );
        }
        const ceiling = Math.min(this.limits.maxMs, this.limits.baseMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * ceiling));
      }
    }
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
